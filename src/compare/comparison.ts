// The comparison of one link traced as several visitors (`clicktrace compare`): per pair of
// profiles the first hop where their chains part, the profiles grouped by where they ended, and
// the verdict: `same`, `cloaked` (with the signals that best explain the split) or `single-use`
// (the first visitor consumed the link). Pure: it reads the reports, never the network.
import { decodeHTML } from 'entities';
import type { Hop, Report, Via } from '../report.js';
import { hostOf } from '../http/host.js';
import { DESKTOP_VISITOR } from '../capture/visitor.js';
import { SIGNALS, signalsOf, type Signal } from './profiles.js';
import { lastChainHop } from '../analyze/tabs.js';
import { finalPageTimer, settleToWaitFor } from '../analyze/final-page-pending.js';

/** What "same" cannot rule out: a cloaker keyed on what no profile varies, or on signals only together. */
const SAME_IS_NOT_CLEAN =
  'That is what these profiles saw: a cloaker keyed on what none of them varies (the network address and its country, the time) ' +
  'or on signals only together (e.g. mobile+lang=de-DE, as one profile) would not show here.';

/** One profile's trace, as the comparison reads it. */
export interface ProfileTrace {
  profile: string;
  signals: Record<Signal, string>;
  /** The case folder's name; null when the trace could not begin one. */
  case: string | null;
  report: (Pick<Report, 'hops' | 'final' | 'pages' | 'error'> & Partial<Pick<Report, 'events'>>) | null;
  /** Why there is no report (the trace failed, or the link was not requested). */
  failure?: string;
  /**
   * The `<title>` of the final document as the server sent it (its HTML, before any script ran),
   * when known: tells a page the server served differently from one a script rewrote in place.
   */
  servedTitle?: string | null;
}

/** `not-compared`: fewer than two profiles requested the link (the others failed first): nothing to compare. */
export type Verdict = 'same' | 'cloaked' | 'single-use' | 'not-compared';

/** Where two chains part. */
export interface Divergence {
  /** 1-based hop of the first difference. */
  hop: number;
  /**
   * `response`: the same request got a different answer; `next-url`: the chains went on to
   * different URLs; `ended`: one stopped there; `content`: the same chain ended on a different page
   * (another title at the same URL: served differently, or rewritten by its script).
   */
  kind: 'response' | 'next-url' | 'ended' | 'content';
  /** Who made the difference: the server (an HTTP answer) or the page (its script, a meta refresh, a form). */
  decidedBy: 'server' | 'page';
  /** A `content` split where the title one of them was served is not recorded: the server is assumed, not shown. */
  decidedByAssumed?: true;
  a: { url: string; status: number | null; via: Via; title?: string | null } | null;
  b: { url: string; status: number | null; via: Via; title?: string | null } | null;
}

export interface ComparedProfile {
  profile: string;
  case: string | null;
  destination: string;
  final: { url: string; status: number | null; title: string | null } | null;
  error: string | null;
  /** The last page's screenshot, relative to its case folder. */
  screenshot: string | null;
  hops: { url: string; status: number | null; via: Via }[];
  /** When its first request went out (ISO), or null when nothing was requested. */
  requestedAt: string | null;
  /** The final document's title as served (before scripts), when known. */
  servedTitle?: string | null;
  /** A JavaScript timer still pending on the final page when the trace ended (it may have moved the page): due in ms, and the --settle that would wait. */
  pendingTimer?: { dueInMs: number; settleMs: number | null } | null;
}

export interface Comparison {
  verdict: Verdict;
  /** The signal that best explains the split (cloaked), else null. */
  signal: Signal | null;
  /** Every signal of the smallest set that explains the split, best first. */
  signals: Signal[];
  /** One sentence saying what was found. */
  explanation: string;
  /**
   * A `cloaked` split that chance explains as well as the signals do: a link answering at random
   * parts visitors like this too (each profile was requested once), and no group is set apart by
   * a value of its own in every signal named. The explanation says so.
   */
  mayBeChance: boolean;
  /** The profile whose request came first. */
  firstVisitor: string | null;
  /** Profiles that have no report (their trace failed or was not made): left out of `profiles`, the groups and the verdict. */
  notTraced: string[];
  /**
   * Profiles without JavaScript that stopped where the others went on by a meta refresh or a
   * Refresh header (an HTTP-only client does not follow either, whoever asks): not a split, left
   * out of the groups and the verdict. `hop`: the hop they lack.
   */
  cutShort: { profile: string; hop: number; via: Via }[];
  /** Profiles by where they ended (the page: its host and path, status and title), the largest group first. */
  groups: { destination: string; finalUrl: string | null; status: number | null; title: string | null; profiles: string[] }[];
  profiles: ComparedProfile[];
  pairs: { a: string; b: string; same: boolean; divergence: Divergence | null }[];
}

const SERVER_VIAS: ReadonlySet<Via> = new Set(['start', 'http-301', 'http-302', 'http-303', 'http-307', 'http-308', 'refresh-header']);

/**
 * When two explanations are as small, the one the evidence points at: a server's answer can only
 * have read the request (headers: referrer, language, user agent, device), a page's script what
 * JavaScript sees (webdriver first).
 */
const PREFERENCE: Record<Divergence['decidedBy'], Signal[]> = {
  server: ['referrer', 'language', 'user-agent', 'device', 'javascript', 'webdriver'],
  page: ['webdriver', 'javascript', 'device', 'language', 'referrer', 'user-agent'],
};

/** Answers that refuse the one who asks, not the link: a bot blocked with a 403 is cloaked, not a spent link. */
const REFUSED: ReadonlySet<number> = new Set([401, 403, 407, 451]);

/** Words of an "already used" or expired link's page. */
const SPENT = /already (been )?used|no longer (valid|available)|expired|link (is )?invalid|invalid link|gone/i;

export function compareTraces(all: ProfileTrace[]): Comparison {
  // A profile whose link was never requested (no report, or a report without a hop: the browser
  // failed before the request) shows nothing of what the server would have done: not compared.
  const wasRequested = (t: ProfileTrace) => t.report !== null && t.report.hops.length > 0;
  const untraced = all.filter((t) => !wasRequested(t));
  const notTraced = untraced.map((t) => t.profile);
  const everyProfile = all.filter(wasRequested).map(comparedProfile);
  const cutShort = cutShortProfiles(all, everyProfile);
  const traces = all.filter((t) => wasRequested(t) && !cutShort.some((c) => c.profile === t.profile));
  const profiles = everyProfile.filter((p) => !cutShort.some((c) => c.profile === p.profile));
  const noScript = new Set(traces.filter((t) => t.signals.javascript === 'none').map((t) => t.profile));
  const ends = endsOf(profiles, noScript);
  const groups = groupsOf(profiles, ends);
  const pairs: Comparison['pairs'] = [];
  for (let i = 0; i < profiles.length; i++)
    for (let j = i + 1; j < profiles.length; j++) {
      const [a, b] = [profiles[i], profiles[j]];
      const apart = ends.get(a.profile) !== ends.get(b.profile);
      const divergence = divergenceOf(a, b) ?? (apart ? contentDivergence(a, b) : null);
      pairs.push({ a: a.profile, b: b.profile, same: !apart && divergence === null, divergence });
    }
  const requested = profiles.filter((p) => p.requestedAt !== null).sort((a, b) => a.requestedAt!.localeCompare(b.requestedAt!));
  const firstVisitor = requested[0]?.profile ?? null;
  // Every traced profile is shown (cut-short ones too); groups, pairs and the verdict are of the compared ones.
  const base = { firstVisitor, notTraced, cutShort, groups, profiles: everyProfile, pairs, mayBeChance: false };
  const missing =
    (untraced.length
      ? ` Not traced, so not compared: ${untraced.map((t) => `${t.profile} (${t.failure ?? t.report?.error ?? 'no report'})`).join(', ')}.`
      : '') +
    cutShort
      .map((c) => ` ${c.profile} stopped before hop ${c.hop} (${c.via}, which an HTTP-only client does not follow): not compared.`)
      .join('') +
    pendingNote(profiles);
  if (profiles.length < 2) {
    return {
      ...base,
      verdict: 'not-compared',
      signal: null,
      signals: [],
      explanation: `Fewer than two profiles were compared (${profiles.length}): no verdict.${missing}`,
    };
  }
  if (groups.length <= 1) {
    return {
      ...base,
      verdict: 'same',
      signal: null,
      signals: [],
      explanation:
        `Every profile traced (${profiles.length}) ended at ${groups[0] ? groupLabel(groups[0], groups) : 'the same place'}. ` +
        `${SAME_IS_NOT_CLEAN}${missing}`,
    };
  }
  const explained = explanation(traces, groups, pairs);
  if (firstVisitor && singleUse(firstVisitor, groups, pairs, profiles, explained)) {
    const rest = groups.find((g) => !g.profiles.includes(firstVisitor))!;
    return {
      ...base,
      verdict: 'single-use',
      signal: null,
      signals: [],
      explanation:
        `The first visitor (${firstVisitor}) was taken to ${groups.find((g) => g.profiles.includes(firstVisitor))!.destination}; ` +
        `every later one got ${rest.destination}${rest.title ? ` ("${rest.title}")` : ''}` +
        `${rest.status !== null && rest.status >= 400 ? ` (${rest.status})` : ''}: ` +
        `the first request consumed the link.${missing}`,
    };
  }
  const split = groups.map((g) => `${g.profiles.join(', ')} -> ${groupLabel(g, groups)}`).join('; ');
  const proof = partingProof(groups, pairs);
  const lone = firstVisitor ? groups.find((g) => g.profiles.length === 1 && g.profiles[0] === firstVisitor) : undefined;
  // A link served once and a one-signal cloaker look alike when the first visitor alone saw one side.
  const another = profiles.find((p) => p.profile !== firstVisitor)?.profile;
  const ambiguous =
    lone && groups.length === 2
      ? ` It may also be a link served once (the first visitor, ${firstVisitor}, alone saw ${groupLabel(lone, groups)}): ` +
        (groups.every((g) => g.profiles.length === 1)
          ? 'with more later visitors (e.g. --as all) a link served once shows as single-use.'
          : `with another profile first (e.g. ${another} first in --as) a link served once shows as single-use.`)
      : '';
  const twins = identicalApart(traces, groups);
  const chance = mayBeChance(traces, groups, explained) || twins !== null;
  // A server that sent the no-JavaScript client elsewhere judged what such a client sends or keeps, not script.
  const clientNote =
    !chance &&
    explained.includes('javascript') &&
    pairs.some(
      (p) =>
        p.divergence?.decidedBy === 'server' &&
        groupOf(groups, p.a) !== groupOf(groups, p.b) &&
        [p.a, p.b].some((name) => traces.find((t) => t.profile === name)?.signals.javascript === 'none'),
    )
      ? ' The server told the client without a browser apart by what it sends or keeps (no client hints or Sec-Fetch ' +
        'headers, no cookie from an earlier hop), not by script.'
      : '';
  const chanceNote = twins
    ? ' It may be chance, or a link that answers each visit anew: compare it again (--again) to see whether the same visitors part.'
    : chance
      ? ` It may also be chance: each profile was requested once, and a link that answers at random, whoever asks, parts ` +
        `visitors like this too (no group is set apart by a value of its own in ${explained.filter((s) => s !== 'javascript').join(' and ')}); ` +
        'compare it again (--again) or with a control (a profile given again, e.g. --as all,desktop) to see whether the same visitors part.'
      : '';
  return {
    ...base,
    verdict: 'cloaked',
    signal: explained[0] ?? null,
    signals: explained,
    mayBeChance: chance,
    explanation:
      (explained.length
        ? `Cloaked by ${explained.join(' + ')}: ${split}.`
        : `Cloaked, by no profile signal (${twins ?? 'profiles that differ in nothing a cloaker sees parted too'}): ${split}.`) +
      proof +
      ambiguous +
      clientNote +
      chanceNote +
      missing,
  };
}

/** A group's destination, with its status and title when another group ended at the same address. */
function groupLabel(group: Comparison['groups'][number], groups: Comparison['groups']): string {
  const shared = groups.some((g) => g !== group && destinationKey(g.destination) === destinationKey(group.destination));
  if (!shared) return group.destination;
  return `${group.destination} (${group.status ?? 'no status'}${group.title ? ` "${group.title}"` : ''})`;
}

/**
 * The signals name a rule a cloaker could have (a group of its own: the profiles with one value in
 * each, other than the desktop visitor's, as "mobile and German" or "from webmail and not
 * headless"; or visitors told from people by the tells of automation), or the split is as well
 * explained by chance: two or more signals needed, and the only group with one value in each is
 * the one alike to the desktop visitor ("anyone who differs in anything").
 */
function mayBeChance(traces: ProfileTrace[], groups: Comparison['groups'], explained: Signal[]): boolean {
  // JavaScript parts the scanner at any script, whatever the script checks; it is no rule of its own.
  const rule = explained.filter((s) => s !== 'javascript');
  if (rule.length < 2 || rule.every((s) => AUTOMATION.has(s))) return false;
  const baseline = signalsOf(DESKTOP_VISITOR);
  const tuple = (values: Record<Signal, string>) => rule.map((s) => values[s]).join('\u0000');
  const signalsOfProfile = new Map(traces.map((t) => [t.profile, t.signals]));
  return !groups.some((g) => {
    const tuples = new Set(g.profiles.map((p) => tuple(signalsOfProfile.get(p)!)));
    return tuples.size === 1 && rule.some((s) => signalsOfProfile.get(g.profiles[0])![s] !== baseline[s]);
  });
}

/** What tells automation from people: a bot's user agent, navigator.webdriver, no JavaScript. */
const AUTOMATION: ReadonlySet<Signal> = new Set(['user-agent', 'webdriver', 'javascript']);

/** " Not waited for: …": profiles whose final page still had a timer pending (it may have moved the page). */
function pendingNote(profiles: ComparedProfile[]): string {
  const pending = profiles.filter((p) => p.pendingTimer);
  if (pending.length === 0) return '';
  const due = Math.max(...pending.map((p) => p.pendingTimer!.dueInMs));
  const settle = settleToWaitFor(Math.max(...pending.map((p) => p.pendingTimer!.settleMs ?? 0))) ?? 0;
  return (
    ` Not waited for: ${pending.map((p) => p.profile).join(', ')} ended on a page with a timer still pending ` +
    `(due in up to ${(due / 1000).toFixed(1)} s${settle ? `; --settle ${settle} would wait for it` : ''}): it may have moved on.`
  );
}

/** Who made the difference, as the terminal and the explanation say it. */
export function decider(d: Divergence): { who: string; assumed: string } {
  return {
    who: d.decidedBy === 'server' ? 'the server' : 'the page',
    assumed: d.decidedByAssumed ? ', it seems: the page as served is not recorded for both' : '',
  };
}

/** " desktop and headless part at hop 2: …": the hop of the evidence where the largest group and another part. */
function partingProof(groups: Comparison['groups'], pairs: Comparison['pairs']): string {
  const [main, ...others] = groups;
  const parts: string[] = [];
  for (const other of others) {
    const pair = pairs.find(
      (p) => (p.a === main.profiles[0] && p.b === other.profiles[0]) || (p.b === main.profiles[0] && p.a === other.profiles[0]),
    );
    const d = pair?.divergence;
    if (!pair || !d) continue;
    const { who, assumed } = decider(d);
    const what =
      d.kind === 'response'
        ? `the same request got ${d.a?.status ?? 'no answer'} / ${d.b?.status ?? 'no answer'}`
        : d.kind === 'content'
          ? `the same URL showed ${pair.a} "${d.a?.title ?? ''}", ${pair.b} "${d.b?.title ?? ''}"`
          : d.kind === 'next-url'
            ? `${pair.a} went on to ${d.a!.url}, ${pair.b} to ${d.b!.url}`
            : `only ${d.a ? pair.a : pair.b} went on`;
    parts.push(`${pair.a} and ${pair.b} part at hop ${d.hop} (${what}; decided by ${who}${assumed})`);
  }
  return parts.length ? ` ${parts.join('; ')}.` : '';
}

/** No-JavaScript profiles whose chain is the start of another's, which went on by a meta refresh or a Refresh header. */
function cutShortProfiles(traces: ProfileTrace[], profiles: ComparedProfile[]): Comparison['cutShort'] {
  const cut: Comparison['cutShort'] = [];
  for (const p of profiles) {
    if (traces.find((t) => t.profile === p.profile)?.signals.javascript !== 'none' || p.hops.length === 0) continue;
    const longer = profiles.find(
      (q) =>
        q !== p &&
        q.hops.length > p.hops.length &&
        p.hops.every((h, i) => h.url === q.hops[i].url && h.status === q.hops[i].status) &&
        CLIENT_REFRESH.has(q.hops[p.hops.length].via),
    );
    if (longer) cut.push({ profile: p.profile, hop: p.hops.length + 1, via: longer.hops[p.hops.length].via });
  }
  return cut;
}

const CLIENT_REFRESH: ReadonlySet<Via> = new Set(['meta-refresh', 'refresh-header']);

function comparedProfile(trace: ProfileTrace): ComparedProfile {
  const report = trace.report;
  const hops = (report?.hops ?? []).map((h: Hop) => ({ url: h.url, status: h.status, via: h.via }));
  const final = report?.final ?? null;
  const lastPage = report?.pages.at(-1) ?? null;
  // The case's own reading (the case page and the terminal say the same of it).
  const timer = report ? finalPageTimer({ ...report, events: report.events ?? [] }) : null;
  // A client that runs no script shows the title as served.
  const servedTitle =
    trace.servedTitle !== undefined ? trace.servedTitle : trace.signals.javascript === 'none' ? (final?.title ?? null) : undefined;
  return {
    profile: trace.profile,
    case: trace.case,
    destination: destinationOf(trace),
    final,
    error: report?.error ?? trace.failure ?? null,
    screenshot: lastPage?.screenshot ?? null,
    hops,
    requestedAt: report?.hops[0]?.timing.startedAt ?? null,
    ...(servedTitle !== undefined ? { servedTitle } : {}),
    ...(timer ? { pendingTimer: timer } : {}),
  };
}

/** Where a trace ended: the final page's host and path (its query may carry per-visit tokens), or why there is none. */
export function destinationOf(trace: ProfileTrace): string {
  const final = trace.report?.final;
  if (final?.url) {
    try {
      const url = new URL(final.url);
      return `${hostOf(final.url) ?? url.host}${url.pathname}`;
    } catch {
      return final.url;
    }
  }
  const last = trace.report ? lastChainHop(trace.report.hops) : undefined;
  if (last) return `no page (${trace.report?.error ?? `ended at ${last.url}`})`;
  return `not traced (${trace.failure ?? trace.report?.error ?? 'no report'})`;
}

/**
 * A path segment or query value that differs at every visit whoever asks: a UUID, a long hex or
 * number (session ids, timestamps), a mixed-case base64 run, a JWT. Two visitors sent to
 * /o/<token>/welcome with tokens of their own were sent to the same place.
 */
export function perVisitToken(text: string): boolean {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return true;
  if (/^[0-9a-f]{16,}$/i.test(text) || /^\d{9,}$/.test(text)) return true;
  if (/^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}$/.test(text)) return true;
  return /^[A-Za-z0-9_\-+/]{16,}={0,2}$/.test(text) && /\d/.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text);
}

/** A destination (host and path) with its per-visit tokens blanked: what grouping compares. */
export function destinationKey(destination: string): string {
  const [host, ...path] = destination.split('/');
  return [hostKey(host), ...path.map((segment) => (perVisitToken(decodeSafely(segment)) ? '*' : segment))].join('/');
}

/**
 * A host whose first label is made for the visit (kits on wildcard DNS send each click to
 * `<random>.domain`): lower-case letters and digits, 8 or more, at least two of each.
 */
function hostKey(host: string): string {
  const [first, ...rest] = host.split('.');
  const random =
    rest.length >= 2 && (perVisitToken(first) || (/^[a-z0-9]{8,}$/.test(first) && /\d.*\d/.test(first) && /[a-z].*[a-z]/.test(first)));
  return random ? ['*', ...rest].join('.') : host;
}

/** A hop's URL as two visits of the same place share it: per-visit tokens of its path and query blanked. */
export function visitKey(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const query = [...parsed.searchParams.entries()].map(([name, value]) => `${name}=${perVisitToken(value) ? '*' : value}`).join('&');
  return `${parsed.protocol}//${destinationKey(`${parsed.host}${parsed.pathname}`)}${query ? `?${query}` : ''}`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A page title as two visits of the same page share it: entities decoded (a client without a
 * browser reads them from the HTML), spacing and case evened, words with digits (a date, a count,
 * an order number) and per-visit tokens blanked.
 */
export function titleKey(title: string | null | undefined): string {
  return decodeHTML(title ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => (/\d/.test(word) || perVisitToken(word) ? '#' : word.toLowerCase()))
    .join(' ');
}

/**
 * The final page's title as its visitor saw it; when none was read (no snapshot, or the document
 * could not be read in time on a loaded machine), the title it was served with.
 */
function pageTitle(p: ComparedProfile): string {
  return (p.final?.title?.trim() ? p.final.title : p.servedTitle) ?? '';
}

/** Where a profile ended, as grouping compares it: the place (tokens blanked), the final status and the title. */
function endKey(p: ComparedProfile): string {
  return [destinationKey(p.destination), p.final?.status ?? '', titleKey(pageTitle(p))].join('\u0000');
}

/**
 * Each profile's end (endKey). A client without JavaScript that ended where browsers did, on a
 * page whose title their script changed, shares their end when the title it read is the one the
 * page was served with (an honest page titled by its script is not a split), unless a browser
 * ended on a page titled as it saw it.
 */
function endsOf(profiles: ComparedProfile[], noScript: ReadonlySet<string>): Map<string, string> {
  const ends = new Map(profiles.map((p) => [p.profile, endKey(p)]));
  const browsers = profiles.filter((p) => !noScript.has(p.profile));
  for (const p of profiles) {
    if (!noScript.has(p.profile) || browsers.some((b) => ends.get(b.profile) === ends.get(p.profile))) continue;
    const served = browsers.find(
      (b) =>
        destinationKey(b.destination) === destinationKey(p.destination) &&
        b.final?.status === p.final?.status &&
        b.servedTitle !== undefined &&
        titleKey(b.servedTitle) === titleKey(pageTitle(p)),
    );
    if (served) ends.set(p.profile, ends.get(served.profile)!);
  }
  return ends;
}

function groupsOf(profiles: ComparedProfile[], ends: ReadonlyMap<string, string>): Comparison['groups'] {
  const byEnd = new Map<string, ComparedProfile[]>();
  for (const p of profiles) byEnd.set(ends.get(p.profile)!, [...(byEnd.get(ends.get(p.profile)!) ?? []), p]);
  return [...byEnd.values()]
    .map((members) => ({
      destination: members[0].destination,
      finalUrl: members[0].final?.url ?? null,
      status: members[0].final?.status ?? null,
      // The title a browser among them read; when none was read in time, the one it was served with.
      title: members.find((m) => m.final?.title?.trim())?.final?.title ?? (pageTitle(members[0]) || null),
      profiles: members.map((m) => m.profile),
    }))
    .sort((a, b) => b.profiles.length - a.profiles.length);
}

/** The first hop where two chains differ, or null when they are the same hop for hop. */
export function divergenceOf(a: ComparedProfile, b: ComparedProfile): Divergence | null {
  const length = Math.max(a.hops.length, b.hops.length);
  for (let i = 0; i < length; i++) {
    const x = a.hops[i] ?? null;
    const y = b.hops[i] ?? null;
    const at = { hop: i + 1, a: x, b: y };
    if (!x || !y) return { ...at, kind: 'ended', decidedBy: SERVER_VIAS.has((x ?? y).via) ? 'server' : 'page' };
    if (visitKey(x.url) !== visitKey(y.url))
      return { ...at, kind: 'next-url', decidedBy: SERVER_VIAS.has(x.via) || SERVER_VIAS.has(y.via) ? 'server' : 'page' };
    if (x.status !== y.status) return { ...at, kind: 'response', decidedBy: 'server' };
  }
  return null;
}

/**
 * Two chains alike hop for hop that ended on different pages (another title at the same URL):
 * served so (the titles as sent differ, or are not known), or rewritten by the page's script.
 */
function contentDivergence(a: ComparedProfile, b: ComparedProfile): Divergence | null {
  const length = a.hops.length;
  if (length === 0 || b.hops.length !== length) return null;
  const unknown = a.servedTitle === undefined || b.servedTitle === undefined;
  const served = unknown || titleKey(a.servedTitle) !== titleKey(b.servedTitle);
  return {
    hop: length,
    kind: 'content',
    decidedBy: served ? 'server' : 'page',
    ...(unknown ? { decidedByAssumed: true as const } : {}),
    a: { ...a.hops[length - 1], title: pageTitle(a) },
    b: { ...b.hops[length - 1], title: pageTitle(b) },
  };
}

/**
 * The smallest set of signals whose values alone put every profile in its group (two profiles
 * alike in all of them always ended alike), best first; empty when none does.
 */
function explanation(traces: ProfileTrace[], groups: Comparison['groups'], pairs: Comparison['pairs']): Signal[] {
  const groupOf = new Map(groups.flatMap((g, i) => g.profiles.map((p) => [p, i] as const)));
  const decidedBy = majorityDecider(pairs.filter((p) => groupOf.get(p.a) !== groupOf.get(p.b)));
  const preference = PREFERENCE[decidedBy];
  const explains = (set: Signal[]) => {
    const seen = new Map<string, number>();
    for (const t of traces) {
      const key = set.map((s) => t.signals[s]).join('\u0000');
      const group = groupOf.get(t.profile)!;
      if (seen.has(key) && seen.get(key) !== group) return false;
      seen.set(key, group);
    }
    return true;
  };
  const rank = (set: Signal[]) => set.reduce((sum, s) => sum + preference.indexOf(s), 0);
  for (let size = 1; size <= SIGNALS.length; size++) {
    const fitting = subsets([...SIGNALS], size).filter(explains);
    if (fitting.length === 0) continue;
    // Prefer signals in which the profiles actually differ, then the evidence's preference.
    const best = fitting.sort((x, y) => rank(x) - rank(y))[0];
    // JavaScript last: the scanner parts at any script, whatever the script checks; the others name what it checked.
    const order = (signal: Signal) => (signal === 'javascript' && best.length > 1 ? SIGNALS.length : preference.indexOf(signal));
    return [...best].sort((x, y) => order(x) - order(y));
  }
  return [];
}

function majorityDecider(pairs: Comparison['pairs']): Divergence['decidedBy'] {
  let server = 0;
  let page = 0;
  for (const p of pairs) {
    if (p.divergence?.decidedBy === 'server') server++;
    else if (p.divergence?.decidedBy === 'page') page++;
  }
  return server > page ? 'server' : 'page';
}

function subsets<T>(items: T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

/**
 * The first visitor alone saw one destination and every later visitor another, and either no one
 * signal explains that split, or the later visitors were told the link is spent (4xx other than a
 * refusal of who asks, "already used", "expired").
 */
function singleUse(
  first: string,
  groups: Comparison['groups'],
  pairs: Comparison['pairs'],
  profiles: ComparedProfile[],
  explained: Signal[],
): boolean {
  if (groups.length !== 2) return false;
  const alone = groups.find((g) => g.profiles.includes(first))!;
  if (alone.profiles.length !== 1) return false;
  const others = profiles.filter((p) => p.profile !== first);
  const spent = others.every((p) => {
    const pair = pairs.find((x) => (x.a === first && x.b === p.profile) || (x.b === first && x.a === p.profile));
    const theirs = pair?.divergence ? (pair.a === first ? pair.divergence.b : pair.divergence.a) : null;
    const status = theirs?.status ?? null;
    return (status !== null && status >= 400 && !REFUSED.has(status)) || SPENT.test(pageTitle(p));
  });
  return explained.length !== 1 || spent;
}

function groupOf(groups: Comparison['groups'], profile: string): number {
  return groups.findIndex((g) => g.profiles.includes(profile));
}

/** "desktop and desktop#2, identical visitors, parted: …", or null when no two visitors alike in every signal parted. */
function identicalApart(traces: ProfileTrace[], groups: Comparison['groups']): string | null {
  const key = (t: ProfileTrace) => SIGNALS.map((s) => t.signals[s]).join('\u0000');
  for (const a of traces)
    for (const b of traces)
      if (a !== b && key(a) === key(b) && groupOf(groups, a.profile) !== groupOf(groups, b.profile))
        return `${a.profile} and ${b.profile}, identical visitors, parted: the link answers at random or per visit, whoever asks`;
  return null;
}
