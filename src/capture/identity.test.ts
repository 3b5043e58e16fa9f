import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptLanguageFlag,
  acceptLanguageHeader,
  availableScreenOf,
  defaultIdentity,
  LANGUAGES,
  PHONE_BARS,
  PHONE_PAGE_TOP,
  phoneBatteryLevel,
  screenOf,
  userAgentMetadata,
  visitorHeaderValues,
  windowBounds,
  windowFlags,
  windowPlacement,
} from './identity.js';

describe('identity', () => {
  it("has the proxy say the visitor's User-Agent on every request (a service worker's script is fetched with the browser's own)", () => {
    const phone = defaultIdentity('mobile', '156.0.8078.108');
    const values = visitorHeaderValues(phone);
    assert.equal(values['user-agent'], phone.userAgent);
    assert.equal(values['device-memory'], '8');
    const headless = { ...defaultIdentity('desktop', '156.0.8078.108'), headless: true };
    assert.deepEqual(visitorHeaderValues(headless), { 'user-agent': headless.userAgent });
  });

  it("keeps a desktop's window within its screen less the bottom panel; a phone's available area is its whole screen", () => {
    const desktop = defaultIdentity('desktop', '156.0.8078.108');
    const area = availableScreenOf('desktop', desktop.viewport);
    assert.deepEqual(area, { left: 0, top: 0, width: 1920, height: 1040 });
    const window = windowBounds(desktop);
    assert.ok(window.top >= area.top && window.top + window.height <= area.top + area.height, JSON.stringify(window));
    const phone = defaultIdentity('mobile', '156.0.8078.108');
    assert.deepEqual(availableScreenOf('mobile', phone.viewport), { left: 0, top: 0, ...screenOf('mobile', phone.viewport) });
  });

  it("draws a phone's battery level between 40 and 95 % in 1 % steps", () => {
    assert.equal(
      phoneBatteryLevel(() => 0),
      0.4,
    );
    assert.equal(
      phoneBatteryLevel(() => 0.999),
      0.95,
    );
    const level = phoneBatteryLevel();
    assert.ok(level >= 0.4 && level <= 0.95 && Number.isInteger(Math.round(level * 100)));
  });

  it('uses the real major version and never says HeadlessChrome', () => {
    const id = defaultIdentity('desktop', '156.0.8078.108');
    assert.match(id.userAgent, /Chrome\/156\.0\.0\.0 Safari/);
    assert.doesNotMatch(id.userAgent, /Headless/);
  });

  it('client hints match what Debian Chromium 156 sends by itself', () => {
    // Read off /usr/bin/chromium 156.0.8078.108: Sec-CH-UA: "Not:A-Brand";v="8", "Chromium";v="156"
    const meta = userAgentMetadata('desktop', '156.0.8078.108');
    assert.deepEqual(meta.brands, [
      { brand: 'Not:A-Brand', version: '8' },
      { brand: 'Chromium', version: '156' },
    ]);
    assert.deepEqual(meta.fullVersionList, [
      { brand: 'Not:A-Brand', version: '8.0.0.0' },
      { brand: 'Chromium', version: '156.0.8078.108' },
    ]);
    assert.equal(meta.platform, 'Linux');
    assert.equal(meta.mobile, false);
  });

  it("a phone's high-entropy hints say Mobile and name a phone, never the reduced UA's K; a desktop's say Desktop", () => {
    const phone = userAgentMetadata('mobile', '156.0.8078.129');
    assert.deepEqual(phone.formFactors, ['Mobile']);
    assert.notEqual(phone.model, 'K');
    assert.match(phone.platformVersion, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(userAgentMetadata('desktop', '156.0.8078.129').formFactors, ['Desktop']);
  });

  it("the shell's window sits lower by the toolbars it lacks; the full build's, which has its own, and a phone's where the page is told", () => {
    const desktop = { device: 'desktop' as const, viewport: { width: 1366, height: 768 } };
    const told = windowBounds(desktop);
    assert.deepEqual(windowPlacement(desktop, 'shell'), { ...told, top: told.top + 85 });
    assert.deepEqual(windowPlacement(desktop, 'full'), told);
    // A phone's page begins below its status bar and toolbar on the host's screen too, where its touches say it is.
    const phone = { device: 'mobile' as const, viewport: { width: 412, height: 819 } };
    assert.deepEqual(windowPlacement(phone, 'shell'), { left: 0, top: 80, width: 412, height: 819 });
    assert.deepEqual(windowPlacement(phone, 'full'), { left: 0, top: 80 - 87, width: 412, height: 819 + 87 });
    assert.deepEqual(windowFlags('shell'), ['--window-size=1366,853', `--window-position=277,${told.top + 85}`]);
  });

  it("a phone's screen is its page with the status bar, Chrome's toolbar and the navigation bar; a desktop's is 1920x1080", () => {
    const phone = defaultIdentity('mobile', '156.0.1.2');
    assert.deepEqual(phone.viewport, { width: 412, height: 915 - PHONE_BARS.status - PHONE_BARS.toolbar - PHONE_BARS.navigation });
    assert.deepEqual(screenOf('mobile', phone.viewport), { width: 412, height: 915 });
    assert.equal(PHONE_PAGE_TOP, PHONE_BARS.status + PHONE_BARS.toolbar);
    assert.deepEqual(screenOf('desktop', defaultIdentity('desktop', '156.0.1.2').viewport), { width: 1920, height: 1080 });
  });

  it('GREASE brand and order follow the version', () => {
    const meta = userAgentMetadata('mobile', '157.0.1.2');
    assert.equal(meta.brands.length, 2);
    assert.ok(meta.brands.some((b) => b.brand === 'Chromium' && b.version === '157'));
    assert.ok(meta.brands.some((b) => /^Not.A.Brand$/.test(b.brand)));
    assert.equal(meta.mobile, true);
    assert.equal(meta.platform, 'Android');
  });

  it('Accept-Language has q-values as Chromium writes them, once', () => {
    assert.equal(acceptLanguageHeader(['en-US', 'en']), 'en-US,en;q=0.9');
    assert.equal(acceptLanguageHeader(['de-DE', 'de', 'en']), 'de-DE,de;q=0.9,en;q=0.8');
    const many = acceptLanguageHeader(Array.from({ length: 12 }, (_, i) => `l${i}`));
    assert.match(many, /,l9;q=0\.1,l10;q=0\.1,l11;q=0\.1$/);
    assert.equal(defaultIdentity('desktop', '156.0.1.2').acceptLanguage, 'en-US,en;q=0.9');
  });

  it('the full build is given languages, the headless shell the finished header', () => {
    assert.equal(acceptLanguageFlag('full', LANGUAGES), '--accept-lang=en-US,en');
    assert.equal(acceptLanguageFlag('shell', LANGUAGES), '--accept-lang=en-US,en;q=0.9');
  });
});
