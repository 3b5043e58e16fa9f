// A browser session for one trace: a fresh context whose traffic goes through its own recording
// proxy, and its first page. Opening one costs a renderer process (~250 ms here), so when a
// browser serves many traces, the session for the next trace is opened while the current one
// finishes; it is equally fresh (nothing has been loaded in it) and gets its settings when taken.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CaptureIdentity } from '../model.js';
import { RecordingProxy } from '../proxy/recording-proxy.js';
import { Resolver } from '../proxy/resolver.js';
import { proxyCertificateAuthority } from '../proxy/proxy-ca.js';
import { pendingTimersScript } from './pending-timers.js';

export interface BrowserSession {
  proxy: RecordingProxy;
  context: BrowserContext;
  page: Page;
}

interface Spare {
  key: string;
  session: Promise<BrowserSession | null>;
}

const spares = new WeakMap<Browser, Spare>();

function sessionKey(identity: CaptureIdentity, settleMs: number): string {
  return JSON.stringify([identity, settleMs]);
}

export async function openSession(browser: Browser, identity: CaptureIdentity, settleMs: number): Promise<BrowserSession> {
  // Until the trace configures it, the proxy records nothing and reaches nothing.
  const proxy = new RecordingProxy({
    ca: proxyCertificateAuthority(),
    resolver: new Resolver({ connectTo: [], resolve: [] }),
    onExchange: () => undefined,
  });
  const port = await proxy.listen();
  try {
    const context = await browser.newContext({
      proxy: { server: `http://127.0.0.1:${port}` },
      ignoreHTTPSErrors: true,
      userAgent: identity.userAgent,
      viewport: identity.viewport,
      locale: identity.locale,
      timezoneId: identity.timezone,
      extraHTTPHeaders: { 'Accept-Language': identity.acceptLanguage },
      isMobile: identity.device === 'mobile',
      hasTouch: identity.device === 'mobile',
      acceptDownloads: true,
      serviceWorkers: 'block',
    });
    await context.addInitScript(pendingTimersScript(settleMs));
    const page = await context.newPage();
    return { proxy, context, page };
  } catch (err) {
    await proxy.close();
    throw err;
  }
}

/** A session for this identity: the spare one if it matches, else a new one. */
export async function takeSession(browser: Browser, identity: CaptureIdentity, settleMs: number): Promise<BrowserSession> {
  const spare = spares.get(browser);
  spares.delete(browser);
  if (spare) {
    const session = await spare.session;
    if (session && spare.key === sessionKey(identity, settleMs) && !session.page.isClosed()) return session;
    if (session) await closeSession(session);
  }
  return openSession(browser, identity, settleMs);
}

const watched = new WeakSet<Browser>();

/** Opens the next trace's session in the background (one spare per browser). */
export function prepareSpare(browser: Browser, identity: CaptureIdentity, settleMs: number): void {
  if (spares.has(browser) || !browser.isConnected()) return;
  const session = openSession(browser, identity, settleMs).catch(() => null);
  spares.set(browser, { key: sessionKey(identity, settleMs), session });
  if (!watched.has(browser)) {
    watched.add(browser);
    // The spare's proxy must not outlive its browser (it would keep the process running).
    browser.on('disconnected', () => {
      const spare = spares.get(browser);
      spares.delete(browser);
      void spare?.session.then((s) => s?.proxy.close());
    });
  }
}

export async function closeSession(session: BrowserSession): Promise<void> {
  await session.context.close().catch(() => undefined);
  await session.proxy.close();
}
