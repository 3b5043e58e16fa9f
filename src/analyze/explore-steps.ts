// The report's `explore` steps, read from the explore events of a capture: the control each
// step clicked, the runners-up and the refused, as recorded when the page was explored. The
// capture side uses the same functions to name and draw the marked screenshot, so the report
// rebuilt from a saved case names the same file.
import type { Box, Capture, ExploreEvent } from '../model.js';
import type { ExploreCandidate, ExploreStep } from '../report.js';
import { byScore, targetOf } from './call-to-action.js';

export const RUNNERS_UP = 5;
export const REFUSED_SHOWN = 10;

/** Where the copy of a screenshot with the chosen box drawn on it goes: `screenshots/01-host-explore.png`. */
export function markedScreenshotPath(screenshotPath: string): string {
  return screenshotPath.replace(/(\.png)?$/i, '-explore.png');
}

/** The chosen control's box in the viewport the screenshot shows, cut to it; null when nothing of it is in view. */
export function markedBox(event: ExploreEvent): Box | null {
  if (event.chosen === null) return null;
  const { box, outOfView } = event.controls[event.chosen];
  // Not in the screenshot: a person would first scroll its box or frame to it.
  if (outOfView) return null;
  const left = Math.max(0, box.x - event.scroll.x);
  const top = Math.max(0, box.y - event.scroll.y);
  const right = Math.min(event.viewport.width, box.x - event.scroll.x + box.width);
  const bottom = Math.min(event.viewport.height, box.y - event.scroll.y + box.height);
  if (right <= left || bottom <= top) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

function candidate(control: ExploreEvent['controls'][number]): ExploreCandidate {
  return {
    text: control.text,
    href: targetOf(control),
    tag: control.tag,
    box: control.box,
    score: control.score,
    reasons: control.reasons,
    ...(control.refused ? { refused: control.refused } : {}),
    ...(control.frame ? { frame: control.frame } : {}),
  };
}

export function exploreStep(event: ExploreEvent, capture: Capture): ExploreStep {
  const { controls, chosen } = event;
  const runnersUp = byScore(controls, (c, i) => i !== chosen && !c.refused).slice(0, RUNNERS_UP);
  // What a person could see and was passed over first, hidden decoys after.
  const refused = [
    ...byScore(controls, (c, i) => !!c.refused && !controls[i].hidden),
    ...byScore(controls, (c, i) => !!c.refused && !!controls[i].hidden),
  ].slice(0, REFUSED_SHOWN);
  const snapshot = event.snapshot === null ? null : capture.pages.find((p) => p.index === event.snapshot);
  const screenshot = snapshot?.screenshot && markedBox(event) ? markedScreenshotPath(snapshot.screenshot.path) : null;
  const at = capture.events.indexOf(event);
  const next = capture.events.slice(at + 1).find((e) => e.type === 'settled');
  return {
    depth: event.depth,
    url: event.url,
    page: event.snapshot,
    chosen: chosen === null ? null : candidate(controls[chosen]),
    runnersUp: runnersUp.map((i) => candidate(controls[i])),
    ...(event.dismissed !== undefined && controls[event.dismissed] ? { dismissed: candidate(controls[event.dismissed]) } : {}),
    ...(event.closedPopup !== undefined && controls[event.closedPopup] ? { closedPopup: candidate(controls[event.closedPopup]) } : {}),
    ...(event.consentBlocked !== undefined && controls[event.consentBlocked]
      ? { consentBlocked: candidate(controls[event.consentBlocked]) }
      : {}),
    ...(event.unseenLayer && controls[event.unseenLayer.control]
      ? { unseenLayer: { control: candidate(controls[event.unseenLayer.control]), layer: event.unseenLayer.layer } }
      : {}),
    ...(event.scrolled ? { scrolled: event.scrolled } : {}),
    refused: refused.map((i) => candidate(controls[i])),
    controls: event.total,
    ...(event.frames ? { frames: event.frames } : {}),
    screenshot,
    // Where the chain went on in a frame of the page, its next resting page is the frame's document.
    next: chosen !== null && next && next.type === 'settled' ? (next.frame?.url ?? next.url) : null,
  };
}

export function exploreSteps(capture: Capture): ExploreStep[] {
  return capture.events.filter((e): e is ExploreEvent => e.type === 'explore').map((e) => exploreStep(e, capture));
}
