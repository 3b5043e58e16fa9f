// Attribution, tracking tokens, DNS findings, hosting networks and the "who is responsible"
// summary, added to a chain report. Pure: everything comes from the capture (DNS answers were
// recorded at trace time) and, for networks, the offline IP data given (its version is recorded).
import type { Capture } from '../model.js';
import type { PartyRef, Report } from '../report.js';
import type { AnalyzeOptions } from './analyze.js';
import { chainEnding, isPixelFetch } from './ending.js';
import { chainHops, wayOnHops } from './tabs.js';
import { attributeChain } from './parties.js';
import { findTokens } from './tokens.js';
import { summarizeResponsibility } from './summary.js';
import { unwrap } from './unwrap/index.js';
import { hostOf } from '../http/host.js';
import { SPECIAL_ONLY } from '../hosting/network-data.js';
import { brandsInText, lookalikeDomain } from '../verdict/lookalike.js';

export function enrich(report: Report, capture: Capture, options: AnalyzeOptions): Report {
  const dns = capture.dns.map((r) => ({
    host: r.host.toLowerCase(),
    addresses: r.addresses,
    cnames: r.cnames,
    baseDomain: r.baseDomain ?? null,
    baseDomainResolves: r.baseDomainResolves ?? null,
  }));
  const dnsByHost = new Map(dns.map((d) => [d.host, { cnames: d.cnames }]));
  const download = capture.events.find((e) => e.type === 'download');
  const chain = chainHops(report.hops);
  const ending = chainEnding({
    hops: chain,
    error: report.error,
    download: download?.type === 'download' ? { url: download.url, filename: download.suggestedFilename } : null,
    final: report.final,
    blankRequested: capture.events.some((e) => (e.type === 'nav-requested' || e.type === 'nav-scheduled') && e.url === 'about:blank'),
  });
  const tokens = findTokens(
    report.hops.map((h) => h.url),
    options.recipients?.length ? { recipients: options.recipients } : undefined,
  );
  const finalHost = hostOf(chain.at(-1)?.url ?? '');
  const lookalike = finalHost && report.final?.title ? lookalikeDomain(finalHost, brandsInText(report.final.title, 'its title')) : null;
  const chainParties = attributeChain(chain, dnsByHost, {
    endedOnPage: ending?.kind === 'page' && !isPixelFetch(report),
    imitation: lookalike ? `${lookalike.domain} looks like "${lookalike.brand}" (shown in ${lookalike.source}): ${lookalike.how}` : null,
  });
  // Another tab's hops are attributed as a chain of their own, one the trace did not rest on.
  const otherParties = attributeChain(
    report.hops.filter((h) => h.otherTab),
    dnsByHost,
    { endedOnPage: false },
  );
  const parties = report.hops.map((h) => (h.otherTab ? otherParties.shift()! : chainParties.shift()!));
  const networks = options.networks ?? SPECIAL_ONLY;
  const hops = report.hops.map((hop, i) => {
    const network = hop.ip ? networks.lookup(hop.ip) : null;
    return { ...hop, party: parties[i], ...(network ? { network } : {}) };
  });
  const chainHosts = new Set(hops.map((h) => hostOf(h.url)).filter(Boolean));

  const summary = hops.length
    ? summarizeResponsibility({
        hops: wayOnHops(hops),
        dns: dns.filter((d) => chainHosts.has(d.host)),
        tokens,
        ending,
        ...(options.espFromMail?.length ? { espFromMail: options.espFromMail } : {}),
        ...(options.disclosures?.length ? { disclosures: options.disclosures } : {}),
      })
    : undefined;
  const disclosures = options.disclosures?.map((d) => ({
    ...d,
    hops: [...new Set(tokens.filter((t) => t.kind === 'recipient' && t.address === d.address).flatMap((t) => t.hops))].sort(
      (a, b) => a - b,
    ),
  }));
  return {
    ...report,
    hops,
    parties: distinctParties(parties),
    tokens,
    ...(summary ? { summary } : {}),
    dns,
    unwrapped: report.url ? unwrap(report.url) : null,
    networkData: networks.data,
    ...(disclosures?.length ? { disclosures } : {}),
  };
}

function distinctParties(parties: PartyRef[]): PartyRef[] {
  const seen = new Set<string>();
  return parties.filter((p) => {
    const key = `${p.role}|${p.name}|${p.registrableDomain}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
