// Human output of a report. Every value that came from the network goes through clean().
import { otherChainNote, separateChainsNote, viaLabel, type ExploreStep, type Report } from '../report.js';
import { clean, truncate, truncateMiddle } from '../terminal-text.js';
import { describeNetwork, networkSourceNote } from '../hosting/describe.js';
import { withoutFragment } from '../http/url-key.js';
import { chainHops, lastChainHop } from '../analyze/tabs.js';
import { decodedElsewhere } from '../analyze/decoded-elsewhere.js';
import { withArticle } from '../analyze/summary.js';
import { pendingTimerNote } from '../analyze/final-page-pending.js';

/**
 * A web hop without its scheme, as the hop lines show it; a link out of the web (mailto:, intent:,
 * ftp:) keeps its scheme, which is what it is. User info stays: a brand's domain written before an
 * "@" (https://bank.example@phish.example/) is how the URL deceives, not noise.
 */
function hostPath(url: string): string {
  try {
    const u = new URL(url);
    const userinfo = u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
    return u.protocol === 'http:' || u.protocol === 'https:' ? userinfo + u.host + u.pathname + u.search : url;
  } catch {
    return url;
  }
}

/** A case file sealing could not write. */
export function notWrittenLine(failed: NonNullable<Report['failedFiles']>[number]): string {
  return `Not written: ${clean(failed.path)} (${clean(failed.error)})`;
}

export function formatChain(report: Report, caseDir: string | null): string {
  const lines: string[] = [];
  lines.push(`clicktrace ${clean(report.url ?? '')}`);
  if (report.given) lines.push(`  (given as ${clean(truncate(report.given, 200))})`);
  const viaWidth = Math.max(5, ...report.hops.map((h) => viaLabel(h).length));
  for (const hop of report.hops) {
    const status = hop.status === null ? 'ERR' : String(hop.status);
    const tls = hop.tls
      ? `  ${clean(hop.tls.protocol ?? 'TLS')}${hop.tls.authorized ? '' : ` (cert not trusted: ${clean(hop.tls.error ?? '')})`}`
      : '';
    const party =
      hop.party && hop.party.role !== 'unknown' ? `  [${hop.party.role}${hop.party.name ? `: ${clean(hop.party.name)}` : ''}]` : '';
    const network = hop.network
      ? ` (${clean(describeNetwork(hop.network))}${networkSourceNote(hop.network) ? `; ${clean(networkSourceNote(hop.network))}` : ''})`
      : '';
    const where = `${clean(truncateMiddle(hostPath(hop.url), 100))}  ${clean(hop.ip ?? '-')}`;
    lines.push(
      `${String(hop.index).padStart(3)}  ${status.padEnd(3)}  ${viaLabel(hop).padEnd(viaWidth)}  ${where}${network}${tls}${party}`,
    );
    if (hop.otherTab) lines.push(`${' '.repeat(8)}(${otherChainNote(hop)})`);
    if (hop.error) lines.push(`${' '.repeat(8)}error: ${clean(hop.error)}`);
  }
  if (report.hops.length === 0) lines.push('  (no document was requested)');
  const chainsNote = separateChainsNote(report.hops);
  if (chainsNote) lines.push(`Note: ${chainsNote}`);
  for (const step of report.explore ?? []) lines.push(...formatExploreStep(step));
  if (report.final) {
    lines.push(
      `Final: ${clean(report.final.url)} (${report.final.status ?? 'no status'})${report.final.title ? ` "${clean(truncate(report.final.title, 120))}"` : ''}`,
    );
    if (report.final.frame !== undefined) {
      // Frame forwarding (analyze/framed-landing.ts): no click, the page is nothing but the frame.
      const forwarded = report.hops.some((h) => h.via === 'frame-src' && !h.otherTab);
      const why = forwarded ? 'the page is only this frame' : 'the click moved only the frame';
      lines.push(`${' '.repeat(7)}(shown inside a frame of ${clean(truncateMiddle(report.final.frame, 100))}: ${why})`);
    }
  }
  const moved = addressNotRequested(report);
  if (moved) {
    const answered = clean(truncateMiddle(hostPath(moved.url), 80));
    lines.push(`${' '.repeat(7)}(not requested: the page's script set this address; the answer is hop ${moved.index}'s, ${answered})`);
  }
  if (report.summary) lines.push(`Who: ${clean(report.summary.text)}`);
  for (const event of report.events.filter((e) => e.kind === 'dialog' || e.kind === 'download')) {
    lines.push(`Note: ${event.kind}: ${clean(truncate(event.detail, 200))}`);
  }
  for (const hop of report.hops.filter((h) => h.evidence.afterNudge && !h.otherTab))
    lines.push(
      `Note: hop ${hop.index} came only after simulated ${clean(hop.evidence.afterNudge)}: ` +
        'the page waited for a sign of a person (a human check, as cloakers use)',
    );
  for (const e of decodedElsewhere(chainHops(report.hops)))
    lines.push(
      `Note: hop ${e.hop} is ${clean(withArticle(`${e.party} link`))} whose URL decodes to ${clean(truncateMiddle(e.decoded, 120))}, ` +
        `but it sent the visitor to ${clean(truncateMiddle(e.wentTo, 120))} (hop ${e.wentToHop})`,
    );
  const pending = pendingNavigation(report);
  if (pending)
    lines.push(
      `Note: not followed: ${clean(truncate(pending.text, 200))} (scheduled on the final page; ` +
        `${pending.web ? 'the trace did not wait for it' : `not an http(s) address: ${nonWebFate(pending.url)}`})`,
    );
  const timer = pending ? null : pendingTimerNote(report);
  if (timer) lines.push(`Note: ${timer}`);
  if (report.error) lines.push(`Error: ${clean(report.error)}`);
  for (const failed of report.failedFiles ?? []) lines.push(notWrittenLine(failed));
  if (report.elapsedMs !== null) lines.push(`Elapsed: ${(report.elapsedMs / 1000).toFixed(2)} s`);
  if (caseDir) lines.push(`Case: ${clean(caseDir)}${report.partial ? ' (partial)' : ''}`);
  return lines.join('\n');
}

/**
 * The final address when no hop requested it (history.pushState/replaceState: the address bar
 * changed, nothing was loaded), with the hop whose answer the page is.
 */
function addressNotRequested(report: Report): Report['hops'][number] | null {
  const final = report.final;
  const last = lastChainHop(report.hops);
  if (!final || !last || !/^https?:/.test(final.url)) return null;
  if (report.hops.some((h) => withoutFragment(h.url) === withoutFragment(final.url))) return null;
  return last;
}

const SCHEDULED_REASON: Record<string, string> = { metaTagRefresh: 'meta refresh', httpHeaderRefresh: 'Refresh header' };

/**
 * A navigation the final page had scheduled (a meta refresh or Refresh header later than the
 * settle time) that no hop followed: the chain may go on for a person who waits.
 */
function pendingNavigation(report: Report): { text: string; url: string; web: boolean } | null {
  const last = lastChainHop(report.hops);
  if (!last) return null;
  const since = Date.parse(last.timing.startedAt);
  const scheduled = report.events.filter((e) => e.kind === 'scheduled' && Date.parse(e.at) >= since).at(-1);
  const parts = scheduled && /^(\S+) in (\S+) s to (.+)$/s.exec(scheduled.detail);
  if (!parts) return null;
  const [, reason, delay, url] = parts;
  // Chromium may report the navigation that led to the last hop after that hop's request began;
  // and a page that only reloads itself goes nowhere new.
  if (withoutFragment(url) === withoutFragment(last.url)) return null;
  // Followed without a request (about:blank): the page the chain rests on.
  if (report.final && url === report.final.url) return null;
  // Followed all the same, by the tab it was scheduled in, when that is not the chain's (a tab-under's first tab).
  if (report.hops.some((h) => h.otherTab && Date.parse(h.timing.startedAt) >= since && withoutFragment(h.url) === withoutFragment(url)))
    return null;
  return { text: `${SCHEDULED_REASON[reason] ?? reason} in ${delay} s to ${url}`, url, web: /^https?:/i.test(url) };
}

/** What a browser does with a page's scheduled move to an address that is not on the web. */
function nonWebFate(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
  if (scheme === 'data') return "a browser blocks a page's move of the whole tab to a data: address";
  if (scheme === 'javascript') return 'a javascript: address runs script in the page and loads nothing';
  if (scheme === 'blob' || scheme === 'filesystem') return 'an object the page made itself, nothing to request from the web';
  if (scheme === 'about' || scheme === 'chrome' || scheme === 'file') return 'a browser refuses a web page this address';
  return `a browser hands ${scheme ? `${scheme}: addresses` : 'it'} to another program (mail, phone, an app) and the page stays`;
}

function quoted(text: string): string {
  return `"${clean(truncate(text, 60))}"`;
}

/** How explore scrolled a page that showed nothing to click: "the page was scrolled down (the wheel turned 3 times, to 2,400 px: its end)". */
function scrolledNote(scrolled: NonNullable<ExploreStep['scrolled']>): string {
  const how = scrolled.by === 'touch' ? `flicked ${times(scrolled.turns)}` : `the wheel turned ${times(scrolled.turns)}`;
  return `the page was scrolled down (${how}, to ${scrolled.to.toLocaleString('en-US')} px${scrolled.end ? ': its end' : ''})`;
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** An explore step: what was clicked (text, score, why) or that nothing qualified, and what was passed over. */
function formatExploreStep(step: ExploreStep): string[] {
  const indent = ' '.repeat(11);
  const where = clean(truncateMiddle(hostPath(step.url), 90));
  const lines: string[] = [];
  const scrolled = step.scrolled ? scrolledNote(step.scrolled) : null;
  if (step.chosen) {
    lines.push(`Explore ${step.depth}: clicked ${quoted(step.chosen.text)} (score ${step.chosen.score}) on ${where}`);
    lines.push(`${indent}why: ${clean(truncate(step.chosen.reasons.join(', '), 200))}`);
    if (step.dismissed) lines.push(`${indent}first closed the cookie notice over it with ${quoted(step.dismissed.text)} (not consenting)`);
    if (step.closedPopup) lines.push(`${indent}first closed the pop-up over it with ${quoted(step.closedPopup.text)}`);
    if (scrolled) lines.push(`${indent}found once ${scrolled}`);
    if (step.chosen.frame) lines.push(`${indent}in frame: ${clean(truncate(step.chosen.frame, 120))}`);
    if (step.runnersUp.length) lines.push(`${indent}runners-up: ${step.runnersUp.map((c) => `${quoted(c.text)} ${c.score}`).join(', ')}`);
  } else if (step.unseenLayer) {
    const { control, layer } = step.unseenLayer;
    lines.push(`Explore ${step.depth}: clicked where ${quoted(control.text)} (score ${control.score}) shows on ${where}`);
    lines.push(`${indent}a layer a person does not see over it took the click (${clean(truncate(layer, 40))})`);
  } else if (step.consentBlocked) {
    const blocked = step.consentBlocked;
    lines.push(
      `Explore ${step.depth}: call-to-action ${quoted(blocked.text)} (score ${blocked.score}) on ${where}: ${clean(blocked.refused ?? '')}`,
    );
  } else {
    const read = step.controls === 1 ? '1 link or button' : `${step.controls} links and buttons`;
    lines.push(`Explore ${step.depth}: no call-to-action on ${where} (${read})`);
    if (step.dismissed)
      lines.push(`${indent}closed the cookie notice with ${quoted(step.dismissed.text)} (not consenting) and read the page again`);
    if (scrolled) lines.push(`${indent}read once ${scrolled}`);
  }
  if (step.frames?.length) {
    const passed = step.frames.filter((f) => f.skipped);
    const why = passed.slice(0, 3).map((f) => `${clean(truncateMiddle(hostPath(f.url), 60))} (${clean(f.skipped ?? '')})`);
    const ads = step.frames.filter((f) => !f.skipped && f.ad).map((f) => clean(truncate(f.ad ?? '', 60)));
    const adNote = ads.length ? ` (${ads.length === 1 ? 'a display ad' : `${ads.length} display ads`}: ${ads.slice(0, 3).join(', ')})` : '';
    lines.push(
      `${indent}frames: ${step.frames.length - passed.length} read${adNote}${passed.length ? `, passed over ${passed.length}: ${why.join(', ')}` : ''}`,
    );
  }
  const refused = step.refused.slice(0, step.chosen ? 3 : 6);
  if (refused.length) lines.push(`${indent}refused: ${refused.map((c) => `${quoted(c.text)} (${clean(c.refused ?? '')})`).join(', ')}`);
  return lines;
}
