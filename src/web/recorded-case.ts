// What the case page shows from the case's WARC (the evidence itself, not report.json): the raw
// exchanges, the redirect tree and waterfall, the downloads, the final page's DOM and the options
// the trace ran with. Read once and kept for a few recent cases, until the WARC changes.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../evidence/warc/read-warc.js';
import { WARC_FILE } from '../case/case-layout.js';
import type { CaptureInfo } from '../model.js';
import type { Report } from '../report.js';
import { exchangeView, type ExchangeView } from './exchange-view.js';
import { chainTree, waterfall, type TreeNode, type WaterfallRow } from './chain-tree.js';
import { downloadsOf, type DownloadFact } from '../verdict/downloads.js';

export interface RecordedCase {
  exchanges: ExchangeView[];
  tree: TreeNode[];
  waterfall: WaterfallRow[];
  downloads: DownloadFact[];
  /** DOM snapshot of the page the chain rested on last: the frame's document where the chain ended in a frame of the page. */
  finalDom: string | null;
  info: Pick<CaptureInfo, 'commandLine' | 'clicks' | 'explore' | 'nudge' | 'identity'>;
}

const cache = new Map<string, { stamp: string; recorded: Promise<RecordedCase> }>();
const CACHE_SIZE = 8;

function derive(capture: Awaited<ReturnType<typeof readCapture>>, report: Report): RecordedCase {
  const finalUrl = report.final?.url;
  const inFrame = report.final?.frame !== undefined;
  const finalPage =
    [...capture.pages].reverse().find((p) => (inFrame ? p.frame?.url : p.url) === finalUrl) ??
    (inFrame ? null : capture.pages.at(-1)) ??
    null;
  return {
    exchanges: capture.exchanges.map(exchangeView),
    tree: chainTree(capture, report),
    waterfall: waterfall(capture, report),
    downloads: downloadsOf(capture),
    finalDom: (inFrame ? finalPage?.frame?.dom?.html : finalPage?.dom?.html) ?? null,
    info: {
      commandLine: capture.info.commandLine,
      clicks: capture.info.clicks,
      ...(capture.info.explore ? { explore: capture.info.explore } : {}),
      ...(capture.info.nudge !== undefined ? { nudge: capture.info.nudge } : {}),
      identity: capture.info.identity,
    },
  };
}

/** The case's recorded evidence, derived for the page (throws when the WARC cannot be read). */
export function loadRecorded(caseDir: string, report: Report): Promise<RecordedCase> {
  const warc = statSync(join(caseDir, WARC_FILE));
  const stamp = `${warc.size}:${warc.mtimeMs}`;
  const known = cache.get(caseDir);
  if (known && known.stamp === stamp) {
    cache.delete(caseDir);
    cache.set(caseDir, known);
    return known.recorded;
  }
  const recorded = readCapture(caseDir).then((capture) => derive(capture, report));
  recorded.catch(() => cache.delete(caseDir));
  cache.set(caseDir, { stamp, recorded });
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return recorded;
}
