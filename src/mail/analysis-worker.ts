// A worker thread of the analysis pool (analysis-pool.ts): analyses the messages it is sent.
import { parentPort } from 'node:worker_threads';
import { analyzeMessage } from './parse.js';
import type { AnalysisJob, AnalysisReply } from './analysis-pool.js';

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
  port.postMessage('ready');
}
