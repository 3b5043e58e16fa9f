// The server's own workers (`serve --local-workers`) speak to its dispatcher directly, not over
// loopback HTTP: the same heartbeat, claim (committed before it is answered), failure report and
// case bundle (unpacked and verified in the verification thread, then indexed), answered by the
// same dispatcher methods the HTTP routes call (web/fleet-routes.ts) and read by the same
// functions as a remote worker's answers; its progress events go to the dispatcher as the
// server's QueueEvents hand them over. A sealed case is handed over as its folder, hard-linked
// into the server's staging folder and verified there as an unpacked bundle is, when the spool and
// the cases folder share a file system (else it is packed and its bundle taken in). What this
// spares per trace: two HTTP requests through fetch and the server (the claim's round trip, 4 to
// 40 ms of wall time with the slot idle, on a loaded 2-core machine), packing the case, reading the
// bundle back and unpacking it (about 5 ms of CPU and three copies of the case in memory), and a
// Redis script on each side per progress update (two or three per trace).
import { isCaseId } from '../store/index.js';
import type { FleetDispatcher } from './dispatcher.js';
import type { ClaimRequest, ClaimResponse, FailRequest, HeartbeatRequest, HeartbeatResponse, ProgressData } from './protocol.js';
import {
  claimAnswer,
  failAnswer,
  heartbeatAnswer,
  ServerError,
  uploadAnswer,
  type FleetServerLink,
  type UploadOutcome,
} from './server-client.js';

export class LocalServerLink implements FleetServerLink {
  constructor(
    private readonly dispatcher: FleetDispatcher,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.answer('heartbeat', () => heartbeatAnswer(this.dispatcher.heartbeat(request)));
  }

  claim(jobId: string, request: ClaimRequest): Promise<ClaimResponse> {
    return this.answer('claim', () => claimAnswer(this.dispatcher.claim(jobId, request)));
  }

  fail(jobId: string, request: FailRequest): Promise<void> {
    return this.answer('fail', () => failAnswer(this.dispatcher.fail(jobId, request)));
  }

  uploadCase(caseId: string, bundle: Buffer, nonce: string | null): Promise<UploadOutcome> {
    return this.answer('case upload', async () => {
      if (!isCaseId(caseId))
        return uploadAnswer({ status: 400, body: { error: { code: 'bad-request', message: `not a case id: ${caseId}` } } });
      return uploadAnswer(await this.dispatcher.ingest(caseId, bundle, nonce));
    });
  }

  handOverCase(caseId: string, folder: string, nonce: string | null): Promise<UploadOutcome | null> {
    return this.answer('case hand-over', async () => {
      if (!isCaseId(caseId))
        return uploadAnswer({ status: 400, body: { error: { code: 'bad-request', message: `not a case id: ${caseId}` } } });
      const reply = await this.dispatcher.ingestFolder(caseId, folder, nonce);
      return reply === null ? null : uploadAnswer(reply);
    });
  }

  /** Straight to the job's watchers, rather than a Redis script on each side (job progress and the server's QueueEvents). */
  progress(dispatch: string, data: ProgressData): Promise<void> {
    return this.answer('progress', () => this.dispatcher.progress(dispatch, data));
  }

  /**
   * Always asynchronous, as a request is; what the dispatcher throws is what the HTTP server answers
   * with 500 (logged, and a transient ServerError to the worker, which tries again).
   */
  private async answer<T>(what: string, call: () => T | Promise<T>): Promise<T> {
    await Promise.resolve();
    try {
      return await call();
    } catch (err) {
      if (err instanceof ServerError) throw err;
      this.log(`clicktrace serve: local worker's ${what}: ${(err as Error)?.stack ?? String(err)}`);
      throw new ServerError('internal error (see the server log)', 500, 'internal');
    }
  }
}
