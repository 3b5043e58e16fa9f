// The browsers that traces share. One Chromium serves many traces at once, each in its own fresh
// browser context (its own renderer, cookies, cache and recording proxy); a pool of several
// Chromium processes is possible, the least busy one taking the next trace. Measured on a 2-core
// machine, one process was as fast as two or three (see defaults.ts), so the default is one.
// A browser that goes away (crash, kill) is launched again for the next trace.
import { launchBrowser, type Browser } from '../capture/browser.js';
import type { BrowserKind } from '../capture/chromium-process.js';

export interface BrowserPoolOptions {
  /** Chromium processes (default 1). */
  size?: number;
  kind?: BrowserKind;
  /** How a browser is started (default: Debian's Chromium via launchBrowser). */
  launch?: () => Promise<Browser>;
}

export interface BrowserLease {
  browser: Browser;
  release(): void;
}

interface Slot {
  browser: Promise<Browser> | null;
  active: number;
}

export class BrowserPool {
  private readonly slots: Slot[];
  private readonly launch: () => Promise<Browser>;
  private closed = false;

  constructor(options: BrowserPoolOptions = {}) {
    const size = options.size ?? 1;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`browser pool size must be a whole number ≥ 1, got ${size}`);
    this.slots = Array.from({ length: size }, () => ({ browser: null, active: 0 }));
    this.launch = options.launch ?? (() => launchBrowser(options.kind ? { kind: options.kind } : {}));
  }

  get size(): number {
    return this.slots.length;
  }

  /** A browser for one trace: the least busy one, launched when first needed. */
  async acquire(): Promise<BrowserLease> {
    if (this.closed) throw new Error('the browser pool is closed');
    const slot = this.slots.reduce((best, s) => (s.active < best.active ? s : best));
    slot.active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot.active--;
    };
    try {
      return { browser: await this.browserOf(slot), release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Closes every browser (traces still running on them end with a browser error). */
  async close(): Promise<void> {
    this.closed = true;
    const browsers = this.slots.map((s) => s.browser);
    for (const slot of this.slots) slot.browser = null;
    await Promise.all(browsers.map(async (b) => (await b?.catch(() => null))?.close().catch(() => undefined)));
  }

  private browserOf(slot: Slot): Promise<Browser> {
    if (!slot.browser) {
      const launching = this.launch();
      slot.browser = launching;
      launching.then(
        (browser) =>
          browser.on('disconnected', () => {
            if (slot.browser === launching) slot.browser = null;
          }),
        () => {
          if (slot.browser === launching) slot.browser = null;
        },
      );
    }
    return slot.browser;
  }
}
