// A worker thread of the analysis pool (analysis-pool.ts): analyses the messages it is sent.
import { parentPort } from 'node:worker_threads';
import { analyzeMessage } from './parse.js';
import type { AnalysisJob, AnalysisReply } from './analysis-pool.js';

/**
 * One small message analysed before the worker says it is ready: the rule files (pixels, tokens,
 * wrappers, parties) are read and compiled at start, not while the first real message waits.
 */
const WARM_UP = Buffer.from(
  'From: a@warm-up.invalid\r\nTo: b+tag@warm-up.invalid\r\nSubject: warm-up\r\nContent-Type: text/html\r\n\r\n' +
    '<a href=" http://warm-up.invalid/c?e=b%2Btag%40warm-up.invalid">go</a><img src="http://warm-up.invalid/wf/open?upn=x" width="1" height="1">\r\n',
);

const port = parentPort;
if (port) {
  port.on('message', async (job: AnalysisJob) => {
    let reply: AnalysisReply;
    try {
      const raw = Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength);
      reply = { id: job.id, analysis: await analyzeMessage(raw, job.source, job.options) };
    } catch (err) {
      reply = { id: job.id, error: `analysis failed: ${(err as Error).message}` };
    }
    port.postMessage(reply);
  });
  await analyzeMessage(WARM_UP, 'warm-up').catch(() => undefined);
  port.postMessage('ready');
}
