// Chromium's sandbox when clicktrace runs as root: Chromium runs as an unprivileged user with its
// sandbox on; where that cannot start, as root without one, which is remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../src/capture/browser.js';
import { clicktraceHome } from '../src/home.js';
import { tempDir } from './helpers.js';

const asRoot = process.getuid?.() === 0;

test('as root, Chromium runs as nobody with its sandbox', { skip: !asRoot && 'needs root' }, async () => {
  const browser = await launchBrowser();
  try {
    assert.equal(browser.runAs, 'nobody');
    assert.ok(!browser.flags.includes('--no-sandbox'));
    const pid = (await browser.cdp.browser.send('SystemInfo.getProcessInfo')).processInfo.find((p) => p.type === 'browser')?.id;
    if (pid) assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Uid:\s+65534\b/m);
  } finally {
    await browser.close();
  }
});

test('where the sandbox cannot start, Chromium runs without it, and that is remembered', { skip: !asRoot && 'needs root' }, async () => {
  const home = tempDir('sandbox-home-');
  const dir = tempDir('sandbox-chromium-');
  // A Chromium that cannot start as anyone but root, like one without user namespaces.
  const fake = join(dir, 'chromium');
  const calls = join(dir, 'calls');
  writeFileSync(
    fake,
    `#!/bin/sh\nid -u >> ${calls}\n[ "$(id -u)" = 0 ] || { echo "No usable sandbox!" >&2; exit 1; }\nexec /usr/bin/chromium-headless-shell "$@"\n`,
  );
  writeFileSync(calls, '');
  chmodSync(dir, 0o755);
  chmodSync(fake, 0o755);
  chmodSync(calls, 0o666);
  const saved = { home: process.env.CLICKTRACE_HOME, chromium: process.env.CLICKTRACE_CHROMIUM };
  process.env.CLICKTRACE_HOME = home;
  process.env.CLICKTRACE_CHROMIUM = fake;
  try {
    for (let run = 0; run < 2; run++) {
      const browser = await launchBrowser();
      try {
        assert.equal(browser.runAs, null);
        assert.ok(browser.flags.includes('--no-sandbox'));
      } finally {
        await browser.close();
      }
      assert.match(readFileSync(join(clicktraceHome(), 'chromium-no-sandbox'), 'utf8'), /could not start its sandbox as nobody/);
    }
  } finally {
    process.env.CLICKTRACE_HOME = saved.home;
    if (saved.chromium === undefined) delete process.env.CLICKTRACE_CHROMIUM;
    else process.env.CLICKTRACE_CHROMIUM = saved.chromium;
  }
  assert.ok(existsSync(join(home, 'chromium-no-sandbox')));
  // First launch: tried as nobody, then as root; second: straight as root.
  assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), ['65534', '0', '0']);
});
