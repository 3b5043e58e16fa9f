import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { initScript, workerScript } from './init-script.js';
import { windowBounds } from './identity.js';

// What the scripts do in a page is tested against the lab's fingerprint gate (test/cloak-kits.test.ts);
// here, that every combination compiles (an escape lost in the template is a syntax error
// the page would swallow, taking every shim with it).
test('every init script and the worker script parse', () => {
  for (const desktopShims of [false, true])
    for (const automationTells of [false, true])
      for (const extra of [
        {},
        { webgl: { vendor: 'v', renderer: 'r' }, languages: ['de-DE', 'de'], window: { width: 1366, height: 853 }, memoryGb: 8 },
        { memoryGb: 8, phone: true, batteryLevel: 0.67 },
        { phone: true, browserPlugins: true },
        { availableScreen: { left: 0, top: 0, width: 1920, height: 1040 }, heapLimit: 3_760_000_000 },
      ]) {
        const source = initScript({ settleMs: 1500, desktopShims, automationTells, ...extra });
        assert.doesNotThrow(() => new Script(source), JSON.stringify({ desktopShims, automationTells, extra }));
      }
  assert.doesNotThrow(() => new Script(workerScript(['en-US', 'en'])));
  assert.doesNotThrow(
    () =>
      new Script(
        workerScript(['en-US', 'en'], {
          hardware: { cores: 8, memoryGb: 8 },
          platform: 'Linux armv8l',
          userAgent: 'Mozilla/5.0 (Linux; Android 10; K) "quoted"',
          webgl: { vendor: 'v', renderer: 'r' },
          phone: true,
        }),
      ),
  );
});

test("the desktop window is the viewport with a browser's toolbars, centred on a 1920x1080 screen; a phone's is its viewport at the origin", () => {
  assert.deepEqual(windowBounds({ device: 'desktop', viewport: { width: 1366, height: 768 } }), {
    left: 277,
    top: 114,
    width: 1366,
    height: 853,
  });
  assert.deepEqual(windowBounds({ device: 'mobile', viewport: { width: 412, height: 819 } }), { left: 0, top: 0, width: 412, height: 819 });
});
