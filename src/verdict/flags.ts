// Verdict flags an analyst reads at a glance, each one a pure function of the recorded evidence
// (the report, the final page's DOM snapshot, the downloads, the e-mail link's anchor text, other
// visits of the same link, a comparison of traces) that says what it saw and where. A flag is
// raised only on what the evidence shows: no flag is not a clean bill.
import type { Report } from '../report.js';
import type { DownloadFact } from './downloads.js';
import { brandsInText, domainParts, lookalikeDomain } from './lookalike.js';
import { shownDomain } from '../mail/links.js';
import { hostOf } from '../http/host.js';
import { percentDecode } from '../analyze/unwrap/url-text.js';
import { secretFields, visibleText } from './page-dom.js';
import { lastChainHop } from '../analyze/tabs.js';
import { titleKey } from '../compare/comparison.js';

export type FlagId =
  'cloaked' | 'human-check' | 'single-use' | 'download' | 'credential-form' | 'lookalike' | 'disguised-host' | 'link-mismatch' | 'tls';

export interface VerdictFlag {
  id: FlagId;
  /** A few words: "Credential form", "Look-alike domain". */
  title: string;
  /** What the evidence shows, in one sentence. */
  detail: string;
  severity: 'high' | 'warn';
  /** The hop that shows it, when one does. */
  hop: number | null;
}

/** Another visit of the same link, from the case index. */
export interface OtherVisit {
  caseId: string;
  startedAt: string | null;
  finalUrl: string | null;
  finalStatus: number | null;
  finalTitle: string | null;
  error: string | null;
}

/**
 * Two traces of one link under different identities (`clicktrace compare`, not written yet: until
 * then the input is always null and the flag is never raised).
 */
export interface CloakComparison {
  otherCase: string;
  /** How the other trace presented itself ("mobile Safari UA, no JavaScript"). */
  otherIdentity: string;
  thisFinal: string | null;
  otherFinal: string | null;
  /** The final pages' titles: a cloaker may serve another page at the same address. */
  thisTitle?: string | null;
  otherTitle?: string | null;
  /** The comparison says the split may also be chance (a link that answers at random or per visit). */
  mayBeChance?: boolean;
}

export interface FlagInput {
  report: Report;
  /** DOM snapshot of the page the chain rested on last, when recorded. */
  finalDom: string | null;
  downloads: DownloadFact[];
  /** The link as the reader saw it (anchor text and href of the message link), for traces from an e-mail. */
  shownLink: { text: string; href: string } | null;
  otherVisits: OtherVisit[];
  comparison: CloakComparison | null;
}

export function verdictFlags(input: FlagInput): VerdictFlag[] {
  return [
    cloakedFlag(input.comparison),
    humanCheckFlag(input.report),
    singleUseFlag(input.report, input.finalDom, input.otherVisits),
    downloadFlag(input.downloads),
    credentialFormFlag(input.report, input.finalDom),
    lookalikeFlag(input.report, input.shownLink),
    disguisedHostFlag(input.report),
    linkMismatchFlag(input.report, input.shownLink),
    tlsFlag(input.report),
  ].filter((f): f is VerdictFlag => f !== null);
}

function registrable(url: string | null | undefined): string | null {
  const host = hostOf(url);
  return host ? (domainParts(host)?.domain ?? host) : null;
}

/** The last hop (the page the chain rested on, or where it stopped). */
function lastHop(report: Report) {
  return lastChainHop(report.hops) ?? null;
}

export function cloakedFlag(comparison: CloakComparison | null): VerdictFlag | null {
  if (!comparison) return null;
  let mine = registrable(comparison.thisFinal);
  let theirs = registrable(comparison.otherFinal);
  if (mine === theirs) {
    // The same site: cloaked when it showed them another page (its title), said with the titles.
    const [a, b] = [comparison.thisTitle, comparison.otherTitle];
    if (a === undefined || b === undefined || titleKey(a) === titleKey(b)) return null;
    mine = `${mine ?? 'no page'} "${a ?? ''}"`;
    theirs = `${theirs ?? 'no page'} "${b ?? ''}"`;
  }
  return {
    id: 'cloaked',
    title: 'Cloaked',
    detail:
      `Served differently to another visitor: this trace ended on ${mine ?? 'no page'}, ` +
      `the trace as ${comparison.otherIdentity} (case ${comparison.otherCase}) on ${theirs ?? 'no page'}.` +
      (comparison.mayBeChance ? ' The comparison says it may also be chance (a link that answers at random or per visit).' : ''),
    severity: comparison.mayBeChance ? 'warn' : 'high',
    hop: null,
  };
}

/**
 * A page that sent the visitor on only once the trace behaved like a person (capture/nudge.ts): a
 * human check, as cloakers use to show scanners a decoy. An evasion sign, not proof: the hop says
 * what it waited for.
 */
export function humanCheckFlag(report: Report): VerdictFlag | null {
  const hop = report.hops.find((h) => h.evidence.afterNudge && !h.otherTab);
  if (!hop) return null;
  return {
    id: 'human-check',
    title: 'Human check',
    detail:
      `Hop ${hop.index} came only after the trace simulated ${hop.evidence.afterNudge} on the resting page: ` +
      'it held its redirect until a visitor showed a sign of being a person, as cloakers do to show scanners a decoy.',
    severity: 'warn',
    hop: hop.index,
  };
}

const SPENT_TEXT =
  /\b(already\s+(?:been\s+)?used|(?:link|url|token)\s+(?:has\s+|is\s+)?(?:expired|no\s+longer\s+(?:valid|available)|invalid))\b/i;

/** Why a response reads as a spent (used or expired) link, or null. */
export function spentReason(status: number | null, title: string | null, text: string | null): string | null {
  const said = [title, text].map((t) => (t ? SPENT_TEXT.exec(t)?.[0] : undefined)).find(Boolean);
  if (status === 410) return said ? `410 Gone, "${said}"` : '410 Gone';
  return said ? `the page says "${said}"` : null;
}

/**
 * A link that works once: this visit found it spent (410 Gone, "already used", "expired"), and,
 * when other visits of the same link are recorded, an earlier one reached a page while a later one
 * found it spent. A single visit that worked shows nothing either way.
 */
export function singleUseFlag(report: Report, finalDom: string | null, otherVisits: OtherVisit[]): VerdictFlag | null {
  const hop = lastHop(report);
  const mine = report.final
    ? spentReason(report.final.status, report.final.title, finalDom ? visibleText(finalDom, 4000) : null)
    : hop
      ? spentReason(hop.status, null, null)
      : null;
  const visits = [
    ...otherVisits.map((v) => ({ ...v, spent: spentReason(v.finalStatus, v.finalTitle, null), self: false })),
    {
      caseId: report.case ?? 'this case',
      startedAt: report.startedAt,
      finalUrl: report.final?.url ?? null,
      finalStatus: report.final?.status ?? null,
      error: report.error,
      spent: mine,
      self: true,
    },
  ].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  const worked = (v: (typeof visits)[number]) => !v.spent && !v.error && v.finalStatus !== null && v.finalStatus < 400;
  const firstWorked = visits.findIndex(worked);
  const laterSpent = firstWorked >= 0 ? visits.slice(firstWorked + 1).find((v) => v.spent) : undefined;
  if (firstWorked >= 0 && laterSpent) {
    const first = visits[firstWorked];
    const name = (v: (typeof visits)[number]) => (v.self ? 'this visit' : `the visit in case ${v.caseId}`);
    return {
      id: 'single-use',
      title: 'Single-use link',
      detail:
        `${name(first)} (${first.startedAt ?? '?'}) reached ${first.finalUrl ?? 'a page'}; ` +
        `${name(laterSpent)} (${laterSpent.startedAt ?? '?'}) found it spent: ${laterSpent.spent}.`,
      severity: 'warn',
      hop: first.self ? 1 : laterSpent.self ? (report.hops.length ? report.hops.length : null) : null,
    };
  }
  if (!mine) return null;
  return {
    id: 'single-use',
    title: 'Spent link',
    detail: `The link answers as used or expired (${mine}): single-use or time-limited; an earlier click may have used it.`,
    severity: 'warn',
    hop: hop?.index ?? null,
  };
}

export function downloadFlag(downloads: DownloadFact[]): VerdictFlag | null {
  if (downloads.length === 0) return null;
  const d = downloads[0];
  const more = downloads.length > 1 ? ` and ${downloads.length - 1} more` : '';
  return {
    id: 'download',
    title: 'Download',
    detail: `The chain handed over a file: ${d.filename} (${d.magic ?? d.contentType ?? 'unknown type'}, ${d.size} bytes)${more}.`,
    severity: 'high',
    hop: null,
  };
}

/** Password or payment-card fields in the DOM of the page the chain rested on. */
export function credentialFormFlag(report: Report, finalDom: string | null): VerdictFlag | null {
  if (!finalDom || !report.final) return null;
  const fields = secretFields(finalDom);
  if (fields.length === 0) return null;
  const kinds = [...new Set(fields.map((f) => (f.kind === 'password' ? 'password' : 'payment card')))].join(' and ');
  const names = fields.map((f) => `"${f.name}"`).join(', ');
  const action = fields.find((f) => f.formAction !== null)?.formAction;
  const plain = report.final.url.startsWith('http:') ? ' over plain HTTP' : '';
  return {
    id: 'credential-form',
    title: 'Credential form',
    detail: `The final page asks for ${kinds} details${plain}: field${fields.length > 1 ? 's' : ''} ${names}${action ? `, sent to ${action}` : ''}.`,
    severity: 'high',
    hop: lastHop(report)?.index ?? null,
  };
}

/** The final page's domain imitates a brand shown in the link text or the page title. */
export function lookalikeFlag(report: Report, shownLink: FlagInput['shownLink']): VerdictFlag | null {
  const host = hostOf(report.final?.url);
  if (!host) return null;
  const brands = [
    ...(shownLink ? brandsInText(shownLink.text, 'the link text') : []),
    ...(report.final?.title ? brandsInText(report.final.title, 'the page title') : []),
  ];
  const found = lookalikeDomain(host, brands);
  if (!found) return null;
  return {
    id: 'lookalike',
    title: 'Look-alike domain',
    detail: `${found.domain} looks like "${found.brand}" (shown in ${found.source}): ${found.how}.`,
    severity: 'high',
    hop: lastHop(report)?.index ?? null,
  };
}

/**
 * A hop of the chain whose URL writes a domain as user info before its real host
 * (https://business.t-mobile.example@secure-login.phish.example/): a reader takes the first name
 * for the site, the browser goes to the one after the "@".
 */
export function disguisedHostFlag(report: Report): VerdictFlag | null {
  for (const hop of report.hops) {
    if (hop.otherTab) continue;
    let url: URL;
    try {
      url = new URL(hop.url);
    } catch {
      continue;
    }
    const shown = url.username ? shownDomain(percentDecode(url.username)) : null;
    if (!shown) continue;
    return {
      id: 'disguised-host',
      title: 'Disguised host',
      detail: `Hop ${hop.index} goes to ${url.hostname} behind the user info "${shown}@": the address reads as ${shown} but is not on it.`,
      severity: 'high',
      hop: hop.index,
    };
  }
  return null;
}

/**
 * The text of the link names a domain (or URL) the chain does not end on: the e-mail's anchor text,
 * or the text of a control --explore clicked. A tracker between them is normal; ending elsewhere is not.
 */
export function linkMismatchFlag(report: Report, shownLink: FlagInput['shownLink']): VerdictFlag | null {
  const finalDomain = registrable(report.final?.url ?? lastHop(report)?.url);
  const shown: { text: string; href: string | null; where: string }[] = [];
  if (shownLink) shown.push({ ...shownLink, where: 'the e-mail link' });
  for (const step of report.explore ?? [])
    if (step.chosen) shown.push({ text: step.chosen.text, href: step.chosen.href, where: 'the control clicked' });
  for (const s of shown) {
    const host = shownDomain(s.text);
    const shownAs = host ? (domainParts(host)?.domain ?? host) : null;
    if (!shownAs || !finalDomain || shownAs === finalDomain) continue;
    const via = registrable(s.href);
    return {
      id: 'link-mismatch',
      title: 'Shown ≠ real link',
      detail: `The text of ${s.where} shows ${shownAs}, but it ${via && via !== finalDomain ? `goes to ${via} and ` : ''}ends on ${finalDomain}.`,
      severity: 'high',
      hop: lastHop(report)?.index ?? null,
    };
  }
  return null;
}

/** Certificates that did not verify, and HTTPS hops followed by plain HTTP ones. */
export function tlsFlag(report: Report): VerdictFlag | null {
  const problems: { text: string; hop: number }[] = [];
  for (const hop of report.hops) {
    if (hop.tls && !hop.tls.authorized)
      problems.push({ text: `hop ${hop.index} (${hostOf(hop.url)}): ${hop.tls.error ?? 'certificate not verified'}`, hop: hop.index });
  }
  const firstHttps = report.hops.findIndex((h) => h.url.startsWith('https:'));
  const downgrade = firstHttps >= 0 ? report.hops.slice(firstHttps + 1).find((h) => h.url.startsWith('http:')) : undefined;
  if (downgrade) problems.push({ text: `hop ${downgrade.index} falls back from HTTPS to plain HTTP`, hop: downgrade.index });
  if (problems.length === 0) return null;
  return {
    id: 'tls',
    title: 'TLS problem',
    detail: problems.map((p) => p.text).join('; '),
    severity: 'warn',
    hop: problems[0].hop,
  };
}
