// The browsers that traces share. One Chromium serves many traces at once, each in its own fresh
// browser context (its own renderer, cookies, cache and recording proxy); a pool of several
// Chromium processes is possible, the least busy one taking the next trace. Measured on a 2-core
// machine, one process was as fast as two or three (see defaults.ts), so the default is one.
// A browser that goes away (crash, kill) is launched again for the next trace.
// Accept-Language and navigator.languages are a launch flag of Chromium (identity.ts
// acceptLanguageFlag), so a visitor of another language (`compare --as lang=de-DE`) needs a
// browser launched with it: the pool holds one set of slots per list of languages, launched when
// first asked for.
import { launchBrowser, type Browser } from '../capture/browser.js';
import type { BrowserKind } from '../capture/chromium-process.js';
import { LANGUAGES } from '../capture/identity.js';
import { languagesKey } from '../capture/visitor.js';

export interface BrowserPoolOptions {
  /** Chromium processes per list of languages (default 1). */
  size?: number;
  kind?: BrowserKind;
  /** How a browser is started (default: Debian's Chromium via launchBrowser); `languages` it must speak. */
  launch?: (options: { languages: readonly string[] }) => Promise<Browser>;
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
  /** Slots by languagesKey. */
  private readonly slots = new Map<string, Slot[]>();
  private readonly launch: (options: { languages: readonly string[] }) => Promise<Browser>;
  private closed = false;
  readonly size: number;

  constructor(options: BrowserPoolOptions = {}) {
    const size = options.size ?? 1;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`browser pool size must be a whole number ≥ 1, got ${size}`);
    this.size = size;
    this.launch = options.launch ?? (({ languages }) => launchBrowser({ ...(options.kind ? { kind: options.kind } : {}), languages }));
  }

  /** A browser for one trace (speaking `languages`): the least busy one, launched when first needed. */
  async acquire(languages: readonly string[] = LANGUAGES): Promise<BrowserLease> {
    if (this.closed) throw new Error('the browser pool is closed');
    const key = languagesKey(languages);
    let slots = this.slots.get(key);
    if (!slots) {
      slots = Array.from({ length: this.size }, () => ({ browser: null, active: 0 }));
      this.slots.set(key, slots);
    }
    const slot = slots.reduce((best, s) => (s.active < best.active ? s : best));
    slot.active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot.active--;
    };
    try {
      return { browser: await this.browserOf(slot, languages), release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Closes every browser (traces still running on them end with a browser error). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.slots.values()].flat();
    const browsers = all.map((s) => s.browser);
    for (const slot of all) slot.browser = null;
    await Promise.all(browsers.map(async (b) => (await b?.catch(() => null))?.close().catch(() => undefined)));
  }

  private browserOf(slot: Slot, languages: readonly string[]): Promise<Browser> {
    if (!slot.browser) {
      const launching = this.launch({ languages });
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
