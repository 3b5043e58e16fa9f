// "Who is responsible": one line for the analyst, and the claims behind it, each pointing at the
// hop that proves it.
import { withoutFrameOf, type PartyRef, type Via, type Role, type TokenFinding } from '../report.js';
import { chainEnding, type ChainEnding } from './ending.js';
import { attributeChain, provingCname } from './parties.js';
import { hostedSiteOf } from './hosted-site.js';
import { findTokens, isCampaignToken } from './tokens.js';
import { normalizeInputUrl, percentDecode } from './unwrap/url-text.js';
import { hostOf } from '../http/host.js';
import { decodedElsewhere, type DecodedElsewhere } from './decoded-elsewhere.js';

export interface SummaryHop {
  index: number;
  url: string;
  status: number | null;
  party?: PartyRef;
  /** The page in a frame of which the hop's document was loaded (report.ts Hop). */
  frame?: string;
  /** How it was reached (report.ts Hop): 'frame-src', the page is only a frame of it. */
  via?: Via;
}

export interface SummaryDns {
  host: string;
  cnames: string[];
  baseDomain: string | null;
  baseDomainResolves: boolean | null;
}

export interface ResponsibilityInput {
  hops: SummaryHop[];
  dns?: SummaryDns[];
  /** Token findings whose `hops` are hop indexes; found from the hop URLs when absent. */
  tokens?: TokenFinding[];
  /** ESP names the mail headers point to (X-Mailer, Feedback-ID, ...). */
  espFromMail?: string[];
  /** Where the message's recipient addresses were given out ("sent to … given only for …"), from the mail. */
  disclosures?: { address: string; text: string }[];
  /** How the chain ended (see ending.ts); read from the hops alone when absent. */
  ending?: ChainEnding | null;
}

export interface Claim {
  text: string;
  hop: number | null;
}

export interface ResponsibilitySummary {
  text: string;
  claims: Claim[];
}

interface Segment {
  party: PartyRef;
  hops: (SummaryHop & { host: string | null })[];
}

/** How each role reads in a sentence. */
export const ROLE_WORDS: Record<Role, string> = {
  'esp-tracker': 'ESP tracker',
  'security-wrapper': 'security wrapper',
  shortener: 'shortener',
  'affiliate-network': 'affiliate network',
  'ad-network': 'ad network',
  redirector: 'redirector',
  advertiser: 'advertiser',
  destination: 'destination',
  unknown: 'unattributed host',
};

/**
 * "a" or "an" before a word as it is read out: "an ESP tracker", "an Amazon SES click tracker",
 * "an ad network", but "a Unisender …", "a EuroMail …" (a vowel letter read as a consonant).
 */
export function withArticle(phrase: string): string {
  return `${/^[aeiou]/i.test(phrase) && !/^(uni|use|usa|eu|one)/i.test(phrase) ? 'an' : 'a'} ${phrase}`;
}

/** Consecutive hops run by the same party form one segment of the chain. */
function segmentsOf(hops: SummaryHop[], parties: PartyRef[]): Segment[] {
  const segments: Segment[] = [];
  hops.forEach((hop, i) => {
    const party = parties[i];
    const host = hostOf(normalizeInputUrl(hop.url));
    // A link out of the web (mailto:, an app's intent: or market:) is where the chain ended, not a party on the way.
    if (host === null && party.role === 'unknown' && !isWebUrl(hop.url)) return;
    const last = segments.at(-1);
    const sameParty =
      last && last.party.role === party.role && (party.role === 'unknown' ? last.hops[0].host === host : last.party.name === party.name);
    if (sameParty) last.hops.push({ ...hop, host });
    else segments.push({ party, hops: [{ ...hop, host }] });
  });
  return segments;
}

function tokensOnHops(tokens: TokenFinding[], hops: number[], kinds: string[]): TokenFinding[] {
  return tokens.filter((t) => kinds.includes(t.kind) && t.hops.some((h) => hops.includes(h)));
}

function sameEsp(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  const [x, y] = [norm(a), norm(b)];
  return x !== '' && y !== '' && (x.includes(y) || y.includes(x) || x.split(' ')[0] === y.split(' ')[0]);
}

export function summarizeResponsibility(input: ResponsibilityInput): ResponsibilitySummary {
  const hops = [...input.hops].sort((a, b) => a.index - b.index);
  const claims: Claim[] = [];
  const parts: string[] = [];
  const dnsByHost = new Map((input.dns ?? []).map((d) => [d.host.toLowerCase(), d]));
  const espFromMail = (input.espFromMail ?? []).filter((e) => e.trim() !== '');

  if (hops.length === 0) {
    const text = espFromMail.length > 0 ? `Sent via ${espFromMail.join(', ')} (from mail headers); no hops recorded` : 'No hops recorded';
    return { text, claims: espFromMail.map((esp) => ({ text: `Mail headers point to ${esp}`, hop: null })) };
  }

  const ending = input.ending ?? chainEnding({ hops })!;
  const tokens = input.tokens ?? findTokens(hops.map((h) => h.url)).map((t) => ({ ...t, hops: t.hops.map((i) => hops[i - 1].index) }));
  const computed = attributeChain(hops, new Map([...dnsByHost].map(([host, d]) => [host, { cnames: d.cnames }])), {
    endedOnPage: ending.kind === 'page',
  });
  const parties = hops.map((hop, i) => hop.party ?? computed[i]);
  const segments = segmentsOf(hops, parties);
  const finalHop = hops.at(-1)!;
  const finalParty = parties.at(-1)!;

  // A tracker link whose URL names a destination the chain never reached: said of its segment.
  const elsewhere = decodedElsewhere(hops);
  const divertedBy = (hopIndexes: number[]) => elsewhere.filter((e) => hopIndexes.includes(e.hop)).map(divertedWords);

  let espNamed = false;
  let espPart = -1;
  // "Sent via" is said of the ESP whose tracker the e-mail's link is: the chain's first party, after
  // the recipient's own security gateway at most. One met later (a landing page's button leading
  // through a tracker) is on the way, not the sender.
  let onTheWay = false;
  for (const segment of segments) {
    const { party } = segment;
    const sender = !onTheWay;
    if (party.role !== 'security-wrapper') onTheWay = true;
    const first = segment.hops[0];
    const host = first.host ?? first.url;
    const hopIndexes = segment.hops.map((h) => h.index);

    if (party.role === 'advertiser' || party.role === 'destination') continue;
    if (party.role === 'unknown') {
      // The final site is named by the ending: a host without a registrable domain (an IP address) is compared as itself.
      const landingSite = hostedSiteOf(finalHop.url) ?? finalParty.registrableDomain ?? hostOf(normalizeInputUrl(finalHop.url));
      if ((hostedSiteOf(first.url) ?? party.registrableDomain ?? first.host) !== landingSite) {
        claims.push({ text: `Hop ${first.index} (${host}) is not run by any known party`, hop: first.index });
        parts.push(`via ${host} (${['unattributed', ...divertedBy(hopIndexes)].join('; ')})`);
      }
      continue;
    }

    const name = party.name ?? host;
    const details: string[] = [];
    const firstEsp = party.role === 'esp-tracker' && !espNamed && sender;
    if (firstEsp) {
      espNamed = true;
      claims.push({ text: `Sent via ${name}: ${host} is ${withArticle(name)} click tracker (rule ${party.rule})`, hop: first.index });
      details.push(`tracker ${host}`);
    } else {
      claims.push({ text: `${host} is ${withArticle(ROLE_WORDS[party.role])} run by ${name} (rule ${party.rule})`, hop: first.index });
      details.push(host);
    }

    const dns = first.host ? dnsByHost.get(first.host) : undefined;
    const target = party.rule?.includes(':cname:') && dns ? provingCname(dns.cnames) : null;
    if (target) {
      claims.push({ text: `${host} is a CNAME to ${target}`, hop: first.index });
      details.push(`CNAME to ${target}`);
    }
    const baseDomain = dns?.baseDomain ?? party.registrableDomain;
    if (dns?.baseDomainResolves === false && baseDomain) {
      claims.push({ text: `Base domain ${baseDomain} does not resolve`, hop: first.index });
      details.push(`base domain ${baseDomain} does not resolve`);
    }
    const redirect = segment.hops.find((h) => h.status !== null && h.status >= 300 && h.status < 400);
    if (redirect)
      claims.push({ text: `The click went through the ${name} ${ROLE_WORDS[party.role]} (HTTP ${redirect.status})`, hop: redirect.index });

    const ids = tokensOnHops(tokens, hopIndexes, party.role === 'affiliate-network' ? ['affiliate', 'click-id'] : []);
    for (const t of ids)
      claims.push({ text: `${name} ${t.kind} ${t.name}=${t.value}`, hop: t.hops.find((h) => hopIndexes.includes(h)) ?? null });
    if (ids.length > 0)
      details.push(
        ids
          .slice(0, 3)
          .map((t) => `${t.name}=${t.value}`)
          .join(', '),
      );

    details.push(...divertedBy(hopIndexes));

    const lead = firstEsp ? `Sent via ${name}` : `via ${ROLE_WORDS[party.role]} ${name}`;
    if (firstEsp) espPart = parts.length;
    parts.push(`${lead} (${details.join(', ')})`);
  }

  if (espFromMail.length > 0) {
    const espInChain = segments.filter((s) => s.party.role === 'esp-tracker').map((s) => s.party.name ?? '');
    for (const esp of espFromMail) {
      const agrees = espInChain.some((name) => sameEsp(name, esp));
      claims.push({ text: agrees ? `Mail headers also point to ${esp}` : `Mail headers point to ${esp}`, hop: null });
    }
    const unmatched = espFromMail.filter((esp) => !espInChain.some((name) => sameEsp(name, esp)));
    if (!espNamed) parts.unshift(`Sent via ${espFromMail.join(', ')} (from mail headers)`);
    else if (unmatched.length > 0) parts[espPart] += ` (mail headers name ${unmatched.join(', ')})`;
  }

  for (const e of elsewhere) claims.push({ text: divertedClaim(e, hops), hop: e.wentToHop });

  const finalHost = hostOf(normalizeInputUrl(finalHop.url)) ?? finalHop.url;
  // The landing page's site as its owner is named: its host, or a customer's site on a shared host (a storage bucket).
  const finalSite = hostedSiteOf(finalHop.url) ?? finalHost;
  if (ending.kind !== 'page') {
    const { part, claim } = describeEnding(ending, finalHost, isWebUrl(finalHop.url) ? null : finalHop.url, finalHop.frame);
    claims.push(claim);
    parts.push(part);
  } else if (finalParty.role === 'advertiser') {
    claims.push({ text: `Advertiser ${finalSite}: owner of the final landing page (${landingEvidence(finalHop)})`, hop: finalHop.index });
    const campaign = tokens.filter(isCampaignToken);
    for (const t of campaign) {
      claims.push({ text: `Campaign ${t.name}=${t.value}`, hop: t.hops.includes(finalHop.index) ? finalHop.index : (t.hops[0] ?? null) });
    }
    const detail =
      campaign.length > 0
        ? ` (campaign ${campaign
            .slice(0, 3)
            .map((t) => `${t.name}=${t.value}`)
            .join(', ')})`
        : '';
    parts.push(`advertiser ${finalSite}${detail}`);
  } else if (finalParty.role === 'destination') {
    const imitation = /^final landing page, a look-alike domain \((.*)\)$/.exec(finalParty.rule ?? '')?.[1] ?? 'a look-alike domain';
    claims.push({
      text:
        `Destination ${finalHost}: the final landing page (${landingEvidence(finalHop)}) is on a look-alike domain: ${imitation}; ` +
        "an imitation is no one's advertising, so no advertiser is named",
      hop: finalHop.index,
    });
    parts.push(`destination ${finalHost} (look-alike domain)`);
  } else {
    claims.push({
      text: `The chain ends at ${finalParty.name ?? finalHost} (${finalHost}) without reaching a landing page`,
      hop: finalHop.index,
    });
    parts.push(`no landing page reached (ended at ${finalHost})`);
  }

  if (ending.kind === 'page' && finalHop.frame !== undefined) {
    // The chain went on inside a frame of the page (a click there moved only the frame): the final
    // page is shown inside it, which the hop that loaded the frame's first document proves.
    let first = hops.length - 1;
    while (first > 0 && hops[first - 1].frame === finalHop.frame) first--;
    const page = finalHop.frame;
    const pageHost = hostOf(normalizeInputUrl(page)) ?? page;
    const how =
      hops[first].via === 'frame-src'
        ? // Frame forwarding: the address bar stays on the page, which shows nothing but the frame.
          `the page is only a frame of it, so the address bar never showed ${finalHost} (hop ${hops[first].index})`
        : `a click in that page loaded it in the frame, not in the window (hop ${hops[first].index})`;
    claims.push({ text: `The final page ${finalHost} is shown inside a frame of ${page}: ${how}`, hop: hops[first].index });
    parts[parts.length - 1] += ` (shown inside a frame of ${pageHost})`;
  }

  const recipientHops = [...new Set(tokens.filter((t) => t.kind === 'recipient').flatMap((t) => t.hops))].sort((a, b) => a - b);
  for (const t of tokens.filter((t) => t.kind === 'recipient')) {
    for (const hop of t.hops) claims.push({ text: `Recipient address embedded in the URL (${t.name})`, hop });
  }

  let text = parts.join(' -> ');
  if (recipientHops.length > 0)
    text += `; recipient address embedded in hop${recipientHops.length > 1 ? 's' : ''} ${recipientHops.join(', ')}`;
  return withDisclosures({ text, claims }, input.disclosures ?? [], tokens);
}

/** Puts where the recipient address was given out in front: the list's origin is half of "who is responsible". */
function withDisclosures(
  summary: ResponsibilitySummary,
  disclosures: { address: string; text: string }[],
  tokens: TokenFinding[],
): ResponsibilitySummary {
  if (disclosures.length === 0) return summary;
  const claims: Claim[] = [];
  for (const d of disclosures) {
    claims.push({ text: `Recipient: ${d.text} (from the message headers and the recipient map)`, hop: null });
    for (const t of tokens.filter((t) => t.kind === 'recipient' && t.address === d.address)) {
      for (const hop of t.hops) claims.push({ text: `Hop ${hop} carries ${d.address} in its URL (${t.name})`, hop });
    }
  }
  const lead = disclosures.map((d) => d.text).join('; ');
  return {
    text: `${lead[0].toUpperCase()}${lead.slice(1)}; ${summary.text[0].toLowerCase()}${summary.text.slice(1)}`,
    claims: [...claims, ...summary.claims],
  };
}

/** The words a segment's details get for a link that decodes to one site and went to another. */
function divertedWords(e: DecodedElsewhere): string {
  const host = (url: string) => hostOf(normalizeInputUrl(url)) ?? url;
  return `its link decodes to ${host(e.decoded)}, but it sent the visitor to ${host(e.wentTo)}`;
}

function divertedClaim(e: DecodedElsewhere, hops: SummaryHop[]): string {
  const link = hops.find((h) => h.index === e.hop)!;
  const host = hostOf(normalizeInputUrl(link.url)) ?? link.url;
  return (
    `Hop ${e.hop} (${host}) is ${withArticle(`${e.party} link`)} whose URL decodes to ${e.decoded}, ` +
    `but it sent the visitor to ${e.wentTo} (hop ${e.wentToHop}), never to that site`
  );
}

const NO_ADVERTISER = 'no advertiser can be named';

/** What happened instead of a landing page: the summary's last part and the claim behind it. */
function describeEnding(
  ending: Exclude<ChainEnding, { kind: 'page' }>,
  finalHost: string,
  /** The final hop's URL when it leaves the web (mailto:, intent:, market:...). */
  outOfTheWeb: string | null,
  /** The page in a frame of which the final hop's document was loaded. */
  frame: string | undefined,
): { part: string; claim: Claim } {
  switch (ending.kind) {
    case 'loop':
      return {
        part: `redirect loop (${ending.hosts.join(', ')}): no landing page`,
        claim: {
          text: `Redirect loop: ${ending.url} requested ${ending.times} times, the chain never rested on a page; ${NO_ADVERTISER}`,
          hop: ending.hop,
        },
      };
    case 'download': {
      const host = hostOf(normalizeInputUrl(ending.url)) ?? finalHost;
      const file = ending.filename ? `${ending.filename} from ${host}` : `from ${host}`;
      return {
        part: `download ${file}: no landing page`,
        claim: { text: `The chain ends on a file download (${file}), not on a page; ${NO_ADVERTISER}`, hop: ending.hop },
      };
    }
    case 'error':
      if (outOfTheWeb) {
        const link = linkOutOfTheWeb(outOfTheWeb);
        return {
          part: `redirect to ${link}, not a web page: no landing page`,
          claim: {
            text: `The chain ends with a redirect to ${link}, which a browser does not load as a page; ${NO_ADVERTISER}`,
            hop: ending.hop,
          },
        };
      }
      if (frame !== undefined) {
        // The reason names the frame already ("... (in a frame of URL)"): said once, up front, not in brackets within brackets.
        const reason = withoutFrameOf(ending.reason, frame);
        return {
          part: `error in a frame of ${hostOf(normalizeInputUrl(frame)) ?? frame} at ${finalHost}: ${reason}: no landing page`,
          claim: {
            text: `The chain ends with an error in a frame of ${frame} at ${finalHost}, not on a page: ${reason}; ${NO_ADVERTISER}`,
            hop: ending.hop,
          },
        };
      }
      return {
        part: `error at ${finalHost} (${ending.reason}): no landing page`,
        claim: {
          text: `The chain ends with an error at ${finalHost} (${ending.reason}), not on a page; ${NO_ADVERTISER}`,
          hop: ending.hop,
        },
      };
  }
}

/**
 * What shows the final page is its owner's: its HTTP answer, or for a blob: document (no request)
 * that the page of its origin made it.
 */
function landingEvidence(hop: SummaryHop): string {
  return /^blob:/i.test(hop.url) ? 'a document its own page made, a blob: URL, no request' : `HTTP ${hop.status}`;
}

/** A URL a browser loads as a page or a file; false for mailto:, tel:, an app's intent: or market: link. */
function isWebUrl(url: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(url) || /^(https?|ftp|wss?):/i.test(url);
}

/** A link out of the web as an analyst reads it: the address of a mailto:, else the scheme and the link. */
function linkOutOfTheWeb(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? 'unknown';
  const address = scheme === 'mailto' ? percentDecode(url.slice('mailto:'.length).split('?')[0]) : '';
  if (address) return `the mail address ${address}`;
  return `${withArticle(scheme)}: link (${url.length > 100 ? `${url.slice(0, 99)}…` : url})`;
}
