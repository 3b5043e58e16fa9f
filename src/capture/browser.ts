// Launching Debian's Chromium through playwright-core. One Browser can serve many traces (warm
// mode); every trace gets a fresh context, so no cookie or cache crosses traces.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CLICKTRACE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  // Chromium's own traffic (updates, sync, safe browsing) would pollute the evidence.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-client-side-phishing-detection',
  '--disable-domain-reliability',
  '--metrics-recording-only',
  '--no-first-run',
  '--no-default-browser-check',
  '--no-pings',
  // QUIC cannot go through an HTTP proxy; without this Chromium may try it directly.
  '--disable-quic',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // Hides navigator.webdriver, the most common automation check of cloaking pages.
  '--disable-blink-features=AutomationControlled',
];

export class BrowserMissingError extends Error {}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new BrowserMissingError(
      `Chromium not found at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (or set CLICKTRACE_CHROMIUM)`,
    );
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--enable-automation'],
    // Every context brings its own recording proxy; this one only catches stray browser traffic.
    proxy: { server: 'http://127.0.0.1:9' },
  });
}
