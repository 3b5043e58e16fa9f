// The report, derived from a Capture alone: the same capture (live, or read back from its WARC)
// always gives the same report.
import { basename } from 'node:path';
import { sha256Hex } from '../http/checksums.js';
import type { Capture, Exchange } from '../model.js';
import { inFrameOf, type Hop, type Report } from '../report.js';
import { buildHops, describeNudge } from './chain.js';
import { headerValue } from '../http/wire.js';
import { enrich } from './enrich.js';
import { SPECIAL_ONLY, type NetworkLookup } from '../hosting/network-data.js';
import { exploreSteps } from './explore-steps.js';
import { lastChainHop } from './tabs.js';
import { timerEvent } from './final-page-pending.js';
import { framedLandingHops } from './framed-landing.js';
import { bodyText, servedTitle } from './body.js';

export interface AnalyzeOptions {
  /** Recipient addresses (from the mail) to look for in the chain's URLs. */
  recipients?: string[];
  /** ESP names fingerprinted from the mail headers. */
  espFromMail?: string[];
  /** Where the message's recipient addresses were given out (from the mail and the recipient map). */
  disclosures?: { address: string; text: string; spamtrap?: boolean }[];
  /** Offline IP data for hops' networks (loadNetworkData); without it only special blocks are labelled. */
  networks?: NetworkLookup;
}

export function analyzeCapture(capture: Capture, caseDir: string | null, networks: NetworkLookup = SPECIAL_ONLY): Report {
  const { info } = capture;
  const options: AnalyzeOptions = {
    networks,
    ...(info.analysis?.recipients ? { recipients: info.analysis.recipients } : {}),
    ...(info.analysis?.espFromMail ? { espFromMail: info.analysis.espFromMail } : {}),
    ...(info.analysis?.disclosures?.length ? { disclosures: info.analysis.disclosures } : {}),
  };
  const chain = buildHops(capture);
  const framed = framedLandingHops(capture, chain);
  const hops = [...chain, ...framed];
  const last = lastChainHop(hops) ?? null;
  const settled = capture.events.filter((e) => e.type === 'settled');
  const lastSettled = settled.at(-1);
  // A chain that went on in a frame of the page ends on that frame's document, shown inside the page.
  const inFrame = last?.frame !== undefined && lastSettled?.type === 'settled' && lastSettled.frame ? lastSettled.frame : null;
  const final: Report['final'] =
    last?.frame !== undefined && !inFrame
      ? { url: last.url, status: last.status, title: framed.length ? framedTitle(capture, last) : null, frame: last.frame }
      : inFrame && lastSettled?.type === 'settled'
        ? {
            url: inFrame.url,
            status: statusFor(hops, inFrame.url) ?? last?.status ?? null,
            title: inFrame.title,
            frame: lastSettled.url,
          }
        : lastSettled && lastSettled.type === 'settled'
          ? { url: lastSettled.url, status: settledStatus(hops, lastSettled.url, last), title: lastSettled.title }
          : last
            ? { url: last.url, status: last.status, title: null }
            : null;
  const report: Report = {
    tool: info.tool,
    url: info.url,
    mode: info.mode,
    startedAt: info.startedAt,
    endedAt: info.endedAt,
    elapsedMs: info.endedAt ? Date.parse(info.endedAt) - Date.parse(info.startedAt) : null,
    identity: info.identity
      ? {
          userAgent: info.identity.userAgent,
          device: info.identity.device,
          viewport: info.identity.viewport,
          ...(info.identity.profile ? { profile: info.identity.profile } : {}),
        }
      : null,
    hops,
    final,
    pages: capture.pages.map((p) => ({
      index: p.index,
      url: p.url,
      title: p.title,
      screenshot: p.screenshot?.path ?? null,
      dom: p.dom?.path ?? null,
      ...(p.frame ? { frame: { url: p.frame.url, title: p.frame.title, dom: p.frame.dom?.path ?? null } } : {}),
    })),
    events: describeEvents(capture),
    case: caseDir ? basename(caseDir) : null,
    error: reportError(capture, hops),
    partial: info.partial,
    ...(info.analysis?.message ? { message: info.analysis.message } : {}),
    ...(info.analysis?.given ? { given: info.analysis.given } : {}),
  };
  const explore = exploreSteps(capture);
  if (explore.length) report.explore = explore;
  return enrich(report, capture, options);
}

/** The framed landing page's title as served (no snapshot was taken of a frame the chain did not follow). */
function framedTitle(capture: Capture, hop: Hop): string | null {
  const response = capture.exchanges.find((x) => x.id === hop.exchange)?.response;
  return response ? servedTitle(bodyText(response.body, response.headers)) : null;
}

/**
 * The status of the page the chain rested on: its hop's, else (history.pushState changed its
 * address, nothing was requested) the last hop's; none for a page no request loaded (about:blank).
 */
function settledStatus(hops: Hop[], url: string, last: Hop | null): number | null {
  return statusFor(hops, url) ?? (/^https?:/i.test(url) ? (last?.status ?? null) : null);
}

function statusFor(hops: Hop[], url: string): number | null {
  for (let i = hops.length - 1; i >= 0; i--) if (hops[i].url === url) return hops[i].status;
  return null;
}

function describeEvents(capture: Capture): Report['events'] {
  const out: Report['events'] = [];
  type Told = { pageId: string; actions: string[]; told: Report['events'][number] };
  let nudge: Told | null = null;
  for (const e of capture.events) {
    switch (e.type) {
      case 'click':
        out.push({
          at: e.at,
          kind: 'click',
          detail: e.answer
            ? `picked "${e.text}", the first choice of a question left unanswered (no typing)`
            : `clicked "${e.text}"${e.target ? ` (${e.target})` : ''}`,
        });
        break;
      case 'explore': {
        const chosen = e.chosen === null ? null : e.controls[e.chosen];
        const dismissed = e.dismissed === undefined ? undefined : e.controls[e.dismissed];
        const closedPopup = e.closedPopup === undefined ? undefined : e.controls[e.closedPopup];
        const blocked = e.consentBlocked === undefined ? undefined : e.controls[e.consentBlocked];
        const underLayer = e.unseenLayer === undefined ? undefined : e.controls[e.unseenLayer.control];
        const among = `among ${e.total} links and buttons`;
        out.push({
          at: e.at,
          kind: 'explore',
          detail: chosen
            ? `call-to-action "${chosen.text}" (score ${chosen.score}) ${among}` +
              (dismissed ? `; first closed the cookie notice over it with "${dismissed.text}" (not consenting)` : '') +
              (closedPopup ? `; first closed the pop-up over it with "${closedPopup.text}"` : '') +
              (e.scrolled ? `; found once the page was scrolled down (to ${e.scrolled.to} px)` : '')
            : underLayer
              ? `call-to-action "${underLayer.text}" (score ${underLayer.score}) ${among}: a layer a person does not see over it ` +
                `(${e.unseenLayer!.layer}) took the click made where it shows`
              : blocked
                ? `call-to-action "${blocked.text}" (score ${blocked.score}) ${among}: ${blocked.refused ?? 'not clicked'}`
                : `no call-to-action ${among}` + (e.scrolled ? `, the page scrolled down (to ${e.scrolled.to} px)` : ''),
        });
        break;
      }
      case 'nudge': {
        // One capture event per action of a nudge: told as one.
        const last: Told | null = nudge && out.at(-1) === nudge.told && nudge.pageId === e.pageId ? nudge : null;
        const actions: string[] = [...new Set([...(last?.actions ?? []), ...e.actions])];
        const told: Report['events'][number] = {
          at: last?.told.at ?? e.at,
          kind: 'nudge',
          detail: `simulated ${describeNudge(actions)} on page ${e.pageId}, which listened for ${e.listeners.join(', ')}`,
        };
        if (last) out[out.length - 1] = told;
        else out.push(told);
        nudge = { pageId: e.pageId, actions, told };
        break;
      }
      case 'dialog':
        out.push({ at: e.at, kind: 'dialog', detail: `${e.dialogType}: ${e.message}` });
        break;
      case 'download':
        out.push({ at: e.at, kind: 'download', detail: `${e.suggestedFilename} from ${e.url}` });
        break;
      case 'page':
        if (e.openerPageId) out.push({ at: e.at, kind: 'popup', detail: `page ${e.pageId} opened by ${e.openerPageId}` });
        break;
      case 'nav-scheduled':
        out.push({ at: e.at, kind: 'scheduled', detail: `${e.reason} in ${e.delay} s to ${e.url}` });
        break;
      case 'settled': {
        const timer = timerEvent(e.at, e.url, e.timerDueInMs, e.timerSettleMs);
        if (timer) out.push(timer);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function downloadDescription(capture: Capture): string {
  const download = capture.events.find((e) => e.type === 'download');
  if (!download || download.type !== 'download') return 'download';
  const exchange = [...capture.exchanges].reverse().find((x) => x.request.url === download.url && x.response);
  const details = exchange ? describeFile(exchange) : 'not recorded';
  return `download: ${download.suggestedFilename} (${details}); the file was recorded, not opened`;
}

function describeFile(exchange: Exchange): string {
  const response = exchange.response!;
  const type = headerValue(response.headers, 'content-type') ?? 'unknown type';
  const sha256 = sha256Hex(response.body);
  return `${type}, ${response.bodyLength} bytes, sha256 ${sha256}${response.bodyTruncated ? ', record truncated' : ''}`;
}

function reportError(capture: Capture, hops: Hop[]): string | null {
  const error = capture.info.error;
  if (error === 'download') return downloadDescription(capture);
  if (error) return error;
  const last = lastChainHop(hops);
  if (!last) return capture.exchanges.length ? null : 'no document was requested';
  if (last.error) {
    const error = last.error === 'net::ERR_TOO_MANY_REDIRECTS' ? 'too many redirects: Chromium stops after 20 HTTP redirects' : last.error;
    // The chain went on in a frame of the page: what failed was the frame's document.
    return inFrameOf(error, last.frame);
  }
  return null;
}
