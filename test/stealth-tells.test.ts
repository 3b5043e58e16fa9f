// The stealth gate of the lab (src/lab/scenarios/stealth-tells.ts): the checks bot-detection
// scripts make of a browser that hides its automation, which the fingerprint gate of
// cloak-kits.ts does not. A plain trace, in either build, a desktop and a phone, must pass them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labWithCasesDirs } from './helpers.js';
import { runCli } from './support/cli-process.js';
import { BENIGN_URL, tellsUrl } from '../src/lab/index.js';
import type { Report } from '../src/report.js';

const fixture = labWithCasesDirs('stealth-tells-');
const PHISH = 'https://secure-login.phish.example/account/verify';

const trace = (path: string, extra: string[]) =>
  runCli(['trace', tellsUrl(path), '--json', '--out', fixture.casesDir(), '--settle', '6000', ...extra, ...fixture.lab.traceArgs]);

test('stealth gate: a trace shows no tell in either build (plugins under Blink getters, shared and service workers)', async () => {
  const runs: [string, string[]][] = [
    ['shell', []],
    ['shell-phone', ['--device', 'mobile']],
    ['full', ['--browser', 'full']],
    ['full-phone', ['--browser', 'full', '--device', 'mobile']],
  ];
  const results = await Promise.all(runs.map(([path, extra]) => trace(path, extra)));
  for (const [i, run] of results.entries()) {
    assert.equal(run.code, 0, run.stderr);
    const final = (JSON.parse(run.stdout) as Report).final?.url ?? '';
    const why = final.startsWith(BENIGN_URL) ? new URL(final).searchParams.get('why') : null;
    assert.equal(final, PHISH, `${runs[i][0]} was caught: ${why}`);
  }
  // The service worker's script is fetched by the browser for no page: it must still say the
  // visitor's User-Agent (the browser's own says "HeadlessChrome").
  const scripts = fixture.lab.requests.filter((r) => r.url.endsWith('/tells/sw.js'));
  assert.ok(scripts.length >= 2, 'each trace registered the service worker');
  for (const r of scripts) {
    const ua = r.rawHeaders[r.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'user-agent') + 1];
    assert.doesNotMatch(ua ?? '', /Headless/, 'the service worker script was fetched with the visitor User-Agent');
  }
});
