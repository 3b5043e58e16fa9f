// What a fleet worker owes the server, kept on disk until the server acknowledged it: each finished
// case as a bundle (`<case>.case.zip`, with `<case>.json` naming its job and the claim's nonce,
// written first, so a bundle never lies there without it) and each job that ended
// without a case (`<job>.fail.json`). Sent in the background, again and again with a growing pause
// while the server or the network is away (the upload is idempotent by case id); a worker killed
// meanwhile leaves them for the next worker on the same spool. A bundle the server refuses for good
// (it does not verify, or its case is unknown) moves to the spool's refused/ folder. The server
// cannot tell a bundle damaged on the way from a tampered one, but the worker can check its own
// copy: one the server found damaged (422) is verified here as the server verifies it, and sent
// again (up to RESENDS times) when it is intact; one that does not verify here is refused at once.
// One the server refused for what its case is (CASE_REFUSED: it arrived whole, and is not the job's
// link, say) is never sent again: the answer would be the same.
// A traced case is packed here, not on its trace's time: the worker's next claim and trace start
// first, and packing and sending wait while a claim of the worker is on its way (holding), so the
// next job's claim is not queued behind a bundle. Files the server acknowledged go in the
// background. A server's own worker (a link with handOverCase) packs nothing: the sealed folder
// itself is handed over (hard-linked into the server's cases) and removed once the server took it;
// until then it stays in cases/ with its claim, as a case not yet packed does.
// A claim a killed worker left is settled by the next one: its sealed case is packed and sent; a
// case it was still writing is sealed from what it recorded, marked partial (cutOffReason), and
// sent the same way; a claim whose case was never begun is reported as not requested.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BUNDLE_SUFFIX, packCase } from '../case/case-bundle.js';
import { MANIFEST_FILE, PARTIAL_FILE } from '../case/case-layout.js';
import { sealCutOffCase } from '../case/seal-cut-off.js';
import { isCaseId } from '../store/paths.js';
import { CLAIMED_NOT_BEGUN, cutOffReason } from './protocol.js';
import { ServerError, type FleetServerLink, type UploadOutcome } from './server-client.js';
import type { TsaSettings } from '../timestamp/case-timestamp.js';

interface CaseItem {
  kind: 'case';
  caseId: string;
  job: string | null;
  /** The claim's nonce: the server takes a job's case only from its claimant. */
  nonce: string | null;
  /** The sealed case folder, until it is packed into the outbox (then null). */
  folder: string | null;
  attempts: number;
  notBefore: number;
  /** Times its intact bundle was sent again after the server found it damaged. */
  resent?: number;
}

interface FailureItem {
  kind: 'failure';
  job: string;
  nonce: string;
  error: string;
  attempts: number;
  notBefore: number;
}

type Item = CaseItem | FailureItem;

/** A claim whose case a killed worker was still writing: sealed (partial) when the outbox starts. */
interface CutOff {
  caseId: string;
  job: string;
  nonce: string;
}

const FAIL_SUFFIX = '.fail.json';
const MAX_PAUSE_MS = 15_000;
const PARALLEL_UPLOADS = 2;
/** Times a bundle the server refused as damaged, and intact here, is sent again. */
const RESENDS = 2;
/** Claims hold the outbox this long at most: claims that follow each other without a break (many slots, a slow network) do not keep the cases from going. */
const CLAIM_HOLD_MS = 1000;

export class Outbox {
  private readonly items = new Map<string, Item>();
  private readonly sending = new Set<string>();
  private wake: (() => void) | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private readonly drained = new Set<() => void>();
  private readonly cutOff: CutOff[] = [];
  private sealing: Promise<void> | null = null;
  /** Claims of the worker on their way: nothing is packed or sent meanwhile. */
  private claiming = 0;
  /** Since when claims have held the outbox without a break. */
  private heldSince: number | null = null;
  private kicking = false;
  /** Whether sealed folders are handed over as they are (the link can, and the spool shares the server's file system). */
  private linking = true;
  /** Files and folders being removed in the background. */
  private readonly removing = new Set<Promise<void>>();

  constructor(
    private readonly dir: string,
    /** Where the worker's traces write their cases: a sealed case a killed worker did not pack yet is sent from there. */
    private readonly casesDir: string,
    private readonly refusedDir: string,
    /** Where a case a killed worker left open is sealed before it is packed. */
    private readonly sealingDir: string,
    private readonly client: FleetServerLink,
    private readonly workerId: () => string,
    private readonly log: (line: string) => void,
    /** The worker's time-stamping authority: a case sealed here gets its token as a case closed by its trace does. */
    private readonly tsa: TsaSettings | null = null,
    /**
     * Whether the open case a killed worker left was begun but its link not yet requested (the
     * spool's ledger says so: service/cut-off-sweep.ts); such a claim is reported as not begun.
     */
    private readonly notRequested: (caseId: string) => boolean = () => false,
    /** Checks a bundle of this worker as the server does; null when it verifies, else why not (default: no check, a refusal is final). */
    private readonly checkBundle: (caseId: string, path: string) => Promise<string | null> = () => Promise.resolve('not checked'),
  ) {
    this.load();
  }

  /** Server jobs whose case or failure is still to be delivered. */
  jobs(): string[] {
    return [...[...this.items.values()].map((item) => item.job), ...this.cutOff.map((c) => c.job)].filter(
      (job): job is string => job !== null,
    );
  }

  get size(): number {
    return this.items.size + this.cutOff.length;
  }

  /**
   * Notes a claim before its trace begins (`<case>.json`): a worker killed after its case was
   * sealed but before it was packed leaves what the next worker on this spool needs to send it.
   */
  claimed(job: string, nonce: string, caseId: string): void {
    writeFileSync(join(this.dir, `${caseId}.json`), JSON.stringify({ job, nonce }) + '\n');
  }

  /** The claim's trace ended without a case to send. */
  unclaimed(caseId: string): void {
    rmSync(join(this.dir, `${caseId}.json`), { force: true });
  }

  /**
   * The sealed case of a claim (noted by `claimed`): packed into the outbox and sent soon. Until it
   * is packed, a worker killed meanwhile leaves the claim and the sealed folder, which the next
   * worker on this spool packs and sends (recover).
   */
  addCase(job: string, nonce: string, caseDir: string): void {
    const caseId = caseDir.split(/[\\/]/).pop()!;
    this.items.set(caseId, { kind: 'case', caseId, job, nonce, folder: caseDir, attempts: 0, notBefore: 0 });
    this.kick();
  }

  /**
   * Runs a claim of the worker: nothing is packed or sent until it is answered, so the next trace
   * starts without waiting on the last one's bundle.
   */
  async holding<T>(claim: () => Promise<T>): Promise<T> {
    this.claiming++;
    try {
      return await claim();
    } finally {
      this.claiming--;
      this.kick();
    }
  }

  addFailure(job: string, nonce: string, error: string): void {
    const item: FailureItem = { kind: 'failure', job, nonce, error, attempts: 0, notBefore: 0 };
    writeFileSync(join(this.dir, `${job}${FAIL_SUFFIX}`), JSON.stringify({ job, nonce, error }) + '\n');
    this.items.set(`${job}${FAIL_SUFFIX}`, item);
    this.kick();
  }

  start(): void {
    this.sealing ??= this.sealCutOff();
    this.loop ??= this.run();
  }

  /** Resolves when everything was delivered, or after `timeoutMs` (what is left stays on disk). */
  async drain(timeoutMs: number): Promise<boolean> {
    await this.sealing;
    if (this.items.size === 0) return true;
    let done!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      done = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    this.drained.add(done);
    this.kick();
    await ended;
    clearTimeout(timer);
    this.drained.delete(done);
    return this.items.size === 0;
  }

  async stop(): Promise<void> {
    await this.sealing;
    this.stopping = true;
    this.kick();
    await this.loop;
    await Promise.allSettled([...this.removing]);
  }

  private load(): void {
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(BUNDLE_SUFFIX)) {
        const caseId = name.slice(0, -BUNDLE_SUFFIX.length);
        let claim: { job?: string; nonce?: string } = {};
        try {
          claim = JSON.parse(readFileSync(join(this.dir, `${caseId}.json`), 'utf8')) as typeof claim;
        } catch {
          // the job is found by the case id on the server, which refuses the case without the claim's nonce
        }
        this.items.set(caseId, {
          kind: 'case',
          caseId,
          job: claim.job ?? null,
          nonce: claim.nonce ?? null,
          folder: null,
          attempts: 0,
          notBefore: 0,
        });
      } else if (name.endsWith(FAIL_SUFFIX)) {
        try {
          const { job, nonce, error } = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as FailureItem;
          this.items.set(name, { kind: 'failure', job, nonce, error, attempts: 0, notBefore: 0 });
        } catch {
          rmSync(join(this.dir, name), { force: true });
        }
      } else if (name.startsWith('.') && name.endsWith('.tmp')) rmSync(join(this.dir, name), { force: true });
    }
    for (const name of readdirSync(this.dir)) {
      const caseId = name.endsWith('.json') && !name.endsWith(FAIL_SUFFIX) ? name.slice(0, -'.json'.length) : '';
      if (isCaseId(caseId) && !this.items.has(caseId)) this.recover(caseId);
    }
  }

  /** A claim without its bundle: the worker was killed during the trace, or after it and before the case was packed. */
  private recover(caseId: string): void {
    const folder = join(this.casesDir, caseId);
    let claim: { job?: string; nonce?: string } = {};
    try {
      claim = JSON.parse(readFileSync(join(this.dir, `${caseId}.json`), 'utf8')) as typeof claim;
    } catch {
      // unreadable: the case cannot be sent without its claim
    }
    const sealed = existsSync(join(folder, MANIFEST_FILE)) && !existsSync(join(folder, PARTIAL_FILE));
    if (claim.job && claim.nonce) {
      if (sealed) {
        try {
          packCase(folder, join(this.dir, `${caseId}${BUNDLE_SUFFIX}`));
          rmSync(folder, { recursive: true, force: true });
          this.items.set(caseId, { kind: 'case', caseId, job: claim.job, nonce: claim.nonce, folder: null, attempts: 0, notBefore: 0 });
          this.log(`case ${caseId} (job ${claim.job}) was sealed by a worker stopped before it could send it: sent now`);
          return;
        } catch (err) {
          // Told to the server: it would otherwise wait for a case that never comes, then judge the job lost.
          const error = notPacked(err as Error, folder);
          this.addFailure(claim.job, claim.nonce, error);
          this.log(`case ${caseId} (job ${claim.job}) left by a stopped worker: ${error}`);
        }
      } else if (existsSync(folder)) {
        // Sealed when the outbox starts (it takes a moment); the claim stays until then.
        this.cutOff.push({ caseId, job: claim.job, nonce: claim.nonce });
        return;
      } else {
        // Its case folder is made before the trace requests anything.
        this.addFailure(claim.job, claim.nonce, CLAIMED_NOT_BEGUN);
        this.log(`job ${claim.job} was claimed by a worker killed before its trace began: nothing was requested; the server is told`);
      }
    } else if (existsSync(folder)) {
      this.log(
        `case ${caseId} was left by a killed worker with an unreadable claim: kept in ${folder}, not sent (its job is failed as lost)`,
      );
    }
    rmSync(join(this.dir, `${caseId}.json`), { force: true });
  }

  /** Seals the cases killed workers left open, as partial, and sends them like any case. */
  private async sealCutOff(): Promise<void> {
    while (this.cutOff.length > 0) {
      const { caseId, job, nonce } = this.cutOff[0];
      const folder = join(this.casesDir, caseId);
      try {
        const sealed = this.notRequested(caseId) ? null : await sealCutOffCase(folder, this.sealingDir, cutOffReason, { tsa: this.tsa });
        if (sealed === null) {
          this.addFailure(job, nonce, CLAIMED_NOT_BEGUN);
          this.log(`case ${caseId} (job ${job}) was begun by a worker killed before its trace requested anything: nothing was requested`);
        } else {
          packCase(sealed.dir, join(this.dir, `${caseId}${BUNDLE_SUFFIX}`));
          rmSync(sealed.dir, { recursive: true, force: true });
          this.items.set(caseId, { kind: 'case', caseId, job, nonce, folder: null, attempts: 0, notBefore: 0 });
          this.log(
            `case ${caseId} (job ${job}) was left unfinished by a worker that was killed: sealed as partial ` +
              `(${sealed.exchanges} exchange(s) recorded until ${sealed.recordedUntil})` +
              (sealed.timestamp
                ? sealed.timestamp.ok
                  ? `, time-stamped at ${sealed.timestamp.token.time} by ${sealed.timestamp.tsa}`
                  : `, without a timestamp (${sealed.timestamp.tsa}: ${sealed.timestamp.error})`
                : '') +
              ' and sent',
          );
          this.kick();
        }
        rmSync(folder, { recursive: true, force: true });
        if (sealed === null) rmSync(join(this.dir, `${caseId}.json`), { force: true });
      } catch (err) {
        const error = `the worker died mid-trace and what it recorded could not be sealed (${(err as Error).message}); kept on the worker in ${folder}`;
        this.addFailure(job, nonce, error);
        rmSync(join(this.dir, `${caseId}.json`), { force: true });
        this.log(`case ${caseId} (job ${job}): ${error}`);
      }
      this.cutOff.shift();
    }
  }

  /** Wakes the sending loop after the current turn of the event loop: a claim begun in it holds the outbox first. */
  private kick(): void {
    if (this.kicking) return;
    this.kicking = true;
    setImmediate(() => {
      this.kicking = false;
      const wake = this.wake;
      this.wake = null;
      wake?.();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      if (this.claiming === 0) this.heldSince = null;
      else this.heldSince ??= now;
      const heldUntil = this.heldSince === null ? 0 : this.heldSince + CLAIM_HOLD_MS;
      for (const [key, item] of this.items) {
        if (this.sending.size >= PARALLEL_UPLOADS || heldUntil > now) break;
        if (this.sending.has(key) || item.notBefore > now) continue;
        this.sending.add(key);
        void this.send(key, item).finally(() => {
          this.sending.delete(key);
          if (this.items.size === 0) for (const done of this.drained) done();
          this.kick();
        });
      }
      const ready = [...this.items.values()].filter((i) => !this.sending.has(keyOf(i))).map((i) => Math.max(i.notBefore, heldUntil));
      const next = Math.min(...ready, now + 60_000);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, Math.max(10, next - Date.now()));
      });
      clearTimeout(timer);
    }
  }

  private async send(key: string, item: Item): Promise<void> {
    try {
      if (item.kind === 'case') await this.sendCase(item);
      else {
        await this.client.fail(item.job, { worker: this.workerId(), nonce: item.nonce, error: item.error });
        this.forget(key, [`${item.job}${FAIL_SUFFIX}`]);
      }
    } catch (err) {
      item.attempts++;
      item.notBefore = Date.now() + Math.min(MAX_PAUSE_MS, 250 * 2 ** Math.min(item.attempts, 6));
      if (item.attempts === 1 || item.attempts % 10 === 0) {
        const what = item.kind === 'case' ? `case ${item.caseId}` : `the failure of job ${item.job}`;
        this.log(`cannot deliver ${what} yet (${(err as Error).message}); kept in ${this.dir}, trying again`);
      }
      if (!(err instanceof ServerError)) throw err;
    }
  }

  private async sendCase(item: CaseItem): Promise<void> {
    if (item.folder !== null && this.linking && this.client.handOverCase) {
      const folder = item.folder;
      const outcome = await this.client.handOverCase(item.caseId, folder, item.nonce);
      if (outcome !== null) return await this.answered(item, outcome, folder);
      // The spool is on another file system than the server's cases: bundles from now on.
      this.linking = false;
    }
    const path = join(this.dir, `${item.caseId}${BUNDLE_SUFFIX}`);
    if (item.folder !== null && !this.pack(item, item.folder, path)) return;
    await this.answered(item, await this.client.uploadCase(item.caseId, readFileSync(path), item.nonce), path);
  }

  /** The server's answer for a case sent as `sent` (its bundle, or its folder handed over): gone once taken, kept in refused/ when refused. */
  private async answered(item: CaseItem, outcome: UploadOutcome, sent: string): Promise<void> {
    const name = basename(sent);
    if (outcome.kind === 'taken') {
      this.forget(item.caseId, [`${item.caseId}.json`]);
      this.remove(sent);
      return;
    }
    // Found damaged (a folder handed over was checked as it lies here: nothing to send again). A case
    // refused for what it is (final: it arrived whole) would only be refused again.
    if (outcome.status === 422 && !outcome.final && sent !== item.folder && (item.resent ?? 0) < RESENDS) {
      const problem = await this.checkBundle(item.caseId, sent);
      if (problem === null) {
        item.resent = (item.resent ?? 0) + 1;
        this.log(
          `the server refused case ${item.caseId} (${outcome.message}); its bundle here verifies, so it was damaged on the way: ` +
            `sent again (${item.resent} of ${RESENDS})`,
        );
        return;
      }
      this.log(`case ${item.caseId}: its bundle here does not verify either (${problem})`);
    }
    renameSync(sent, join(this.refusedDir, name));
    writeFileSync(join(this.refusedDir, `${item.caseId}.refused.txt`), `HTTP ${outcome.status}: ${outcome.message}\n`);
    this.forget(item.caseId, [`${item.caseId}.json`]);
    this.log(
      `the server refused case ${item.caseId}: ${outcome.message}; ${sent === item.folder ? 'the case' : 'the bundle'} is kept in ${this.refusedDir}`,
    );
    // A bundle found damaged, or too large for the server (or a proxy before it), is the worker's to give up on
    // (the server waits for it to be sent again, or for this).
    if ((outcome.status === 422 || outcome.status === 413) && item.job !== null && item.nonce !== null)
      this.addFailure(item.job, item.nonce, `its case was refused by the server: ${outcome.message}`);
  }

  /** Done with: the files go in the background (a worker stopped before they went sends them again, which the server answers as taken before). */
  private forget(key: string, files: string[]): void {
    this.items.delete(key);
    for (const file of files) this.remove(join(this.dir, file));
  }

  private remove(path: string): void {
    const removal = rm(path, { recursive: true, force: true })
      .catch((err: Error) => this.log(`${path}: not removed (${err.message})`))
      .finally(() => this.removing.delete(removal));
    this.removing.add(removal);
  }

  /**
   * Packs the case folder into the outbox (then removes the folder); a case that cannot be packed
   * becomes its job's failure. Whether it was packed.
   */
  private pack(item: CaseItem, folder: string, path: string): boolean {
    try {
      packCase(folder, path);
    } catch (err) {
      this.items.delete(item.caseId);
      rmSync(join(this.dir, `${item.caseId}.json`), { force: true });
      const error = notPacked(err as Error, folder);
      this.log(`job ${item.job ?? '?'}: failed: ${error}`);
      if (item.job !== null && item.nonce !== null) this.addFailure(item.job, item.nonce, error);
      return false;
    }
    item.folder = null;
    // The bundle holds it now: the folder goes in the background.
    this.remove(folder);
    return true;
  }
}

/** The failure of a job whose sealed case cannot be packed (too large for a bundle, a file unreadable). */
function notPacked(err: Error, folder: string): string {
  return `its case could not be packed on the worker: ${err.message}; the case stays on the worker in ${folder}`;
}

function keyOf(item: Item): string {
  return item.kind === 'case' ? item.caseId : `${item.job}${FAIL_SUFFIX}`;
}
