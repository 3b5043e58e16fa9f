// What a fleet process (serve --queue, a worker) says of its Redis, one line at a time: the first
// error of an outage, then nothing more of it until Redis answers again, then that it does. Without
// it, an outage of a few minutes printed a line at every reconnect and every reconcile, the
// connection's error and the queue's "no answer" in turn, and each job held meanwhile added BullMQ's
// own lines about its lock ("could not renew lock for job ...", "Missing key for job ...").
import type { Redis } from 'ioredis';

/** BullMQ's messages about one job's lock or keys: said once per kind, with what they mean here. */
const JOB_LOCK = /^(could not renew lock for job|Missing (?:key|lock) for job)\b/;

export class QueueHealth {
  private down = false;
  private saidDown = false;
  private last = '';
  /** The kinds of BullMQ's job lock messages said since the last outage began. */
  private readonly lockSaid = new Set<string>();

  constructor(
    private readonly say: (line: string) => void,
    /** The queue as logs name it (describeRedis). */
    private readonly queue: string,
  ) {}

  /** Follows a connection of this process to the queue's Redis: its loss and its return. */
  watch(client: Redis, closing: () => boolean): void {
    client.on('close', () => {
      if (closing() || this.down) return;
      this.down = true;
      this.lockSaid.clear();
    });
    client.on('ready', () => this.answered());
  }

  /** An error of any of the process's queue connections. */
  error(err: unknown): void {
    const message = ((err as Error)?.message ?? String(err)).split('\n')[0];
    if (this.down) {
      if (this.saidDown) return;
      this.saidDown = true;
      // Said just before the connection's loss was seen (another of its connections first).
      if (message === this.last) return;
      this.last = message;
      return this.say(`queue ${this.queue}: ${message}; waiting for it to answer again`);
    }
    const lock = JOB_LOCK.exec(message);
    if (lock ? this.lockSaid.has(lock[1]) : message === this.last) return;
    if (lock) this.lockSaid.add(lock[1]);
    else this.last = message;
    this.say(
      lock
        ? `queue ${this.queue}: ${message} (BullMQ lost track of a job it handed out, as after a Redis restart; ` +
            'the server keeps its state and its case is delivered as usual; said once)'
        : `queue ${this.queue}: ${message}`,
    );
  }

  private answered(): void {
    if (!this.down) return;
    this.down = false;
    if (this.saidDown) this.say(`queue ${this.queue}: answers again`);
    this.saidDown = false;
    this.last = '';
  }
}
