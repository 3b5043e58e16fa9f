import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultIdentity, userAgentMetadata } from './identity.js';

describe('identity', () => {
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

  it('GREASE brand and order follow the version', () => {
    const meta = userAgentMetadata('mobile', '157.0.1.2');
    assert.equal(meta.brands.length, 2);
    assert.ok(meta.brands.some((b) => b.brand === 'Chromium' && b.version === '157'));
    assert.ok(meta.brands.some((b) => /^Not.A.Brand$/.test(b.brand)));
    assert.equal(meta.mobile, true);
    assert.equal(meta.platform, 'Android');
  });
});
