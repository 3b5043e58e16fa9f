// Every scenario, followed without a browser through the lab's own pages: the chain, its vias
// and where it ends must match what the scenario promises the tracer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, type Lab } from './lab.js';
import { walkChain } from './lab-client.js';
import { buildScenarios } from './scenarios/index.js';
import { isLabHost } from './hosts.js';
import { CHAIN_25_HOPS, TOO_MANY_REDIRECTS } from './scenarios/chains.js';
import { DOWNLOAD_URL } from './scenarios/links.js';
import { SEED_URL } from './scenarios/seed.js';
import { BENIGN_TITLE, BENIGN_URL } from './scenarios/cloak-kits.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (works from src/ under tsx and from dist/ after the build). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

let lab: Lab;
before(async () => {
  lab = await startLab();
});
after(() => lab.close());

const WALKABLE = ['final', 'download', 'never-loads'];

describe('scenario chains', () => {
  it('lists every scenario the issue asks for', () => {
    const names = Object.keys(lab.scenarios);
    for (const name of [
      'seed',
      'http-301',
      'http-302',
      'http-303',
      'http-307',
      'http-308',
      'refresh-header',
      'meta-refresh',
      'meta-refresh-delayed',
      'javascript',
      'javascript-timer',
      'form-get',
      'form-post',
      'frame-top',
      'popup',
      'click',
      'five-hop',
      'single-use',
      'time-limited',
      'loop-http',
      'loop-meta',
      'chain-25',
      'too-many-redirects',
      'hang',
      'never-loads',
      'cloaking',
      'bad-tls-expired',
      'bad-tls-self-signed',
      'bad-tls-wrong-host',
      'download',
      'dialog',
      'reset',
      'xss',
      'cname-esp',
    ]) {
      assert.ok(names.includes(name), `missing scenario ${name}`);
    }
    for (const s of Object.values(lab.scenarios)) {
      assert.ok(s.description.length > 20, s.name);
      assert.match(s.url, /^https?:\/\/[a-z0-9.-]+\.(test|example)\//, s.name);
    }
  });

  it('serves only hosts the lab DNS knows', () => {
    const { routes } = buildScenarios({ state: { startedAt: Date.now(), spentTokens: new Set(), secret: 'x' } });
    for (const r of routes) assert.ok(isLabHost(r.host.replace(/^\*\./, 'any.')), r.host);
  });

  it('every scenario that ends on a page gets there with the promised vias', async () => {
    // Plain walks first (single-use links are spent by the first walk).
    const scenarios = Object.values(lab.scenarios).filter((s) => WALKABLE.includes(s.outcome) && s.walkable);
    await Promise.all(
      scenarios.map(async (s) => {
        const plain = await walkChain(lab, s.url);
        assert.deepEqual(
          plain.hops.map((h) => h.via),
          s.expectedVias,
          `${s.name}: vias`,
        );
        if (s.clicks.length === 0) {
          // The antibot kit judges a browser's headers: the walker is a link checker to it and gets the decoy.
          const decoyed = s.name === 'kit-antibot';
          // A final URL with a per-visit token (null) is not known in advance.
          if (s.finalUrl !== null)
            assert.equal(
              decoyed ? plain.final.url.split('?')[0] : plain.final.url,
              decoyed ? BENIGN_URL : s.finalUrl,
              `${s.name}: final URL`,
            );
          assert.equal(plain.final.status, s.finalStatus, `${s.name}: final status`);
          if (s.finalTitle !== null) assert.equal(plain.final.title, decoyed ? BENIGN_TITLE : s.finalTitle, `${s.name}: title`);
        }
      }),
    );
    for (const s of scenarios.filter((s) => s.clicks.length > 0)) {
      const clicked = await walkChain(lab, s.url, { clicks: s.clicks });
      assert.deepEqual(
        clicked.hops.map((h) => h.via),
        s.clickedVias,
        `${s.name}: clicked vias`,
      );
      assert.equal(clicked.final.url, s.finalUrl, `${s.name}: final URL`);
      assert.equal(clicked.final.title, s.finalTitle, `${s.name}: title`);
    }
  });

  it('the download scenario ends on the attachment', async () => {
    const walk = await walkChain(lab, lab.scenarios['download'].url);
    assert.equal(walk.stopped, 'download');
    assert.equal(walk.final.url, DOWNLOAD_URL);
  });

  it('five-hop is 302 -> meta refresh -> JS -> 301 across hosts, http and https', () => {
    const s = lab.scenarios['five-hop'];
    assert.deepEqual(s.expectedVias, ['start', 'http-302', 'meta-refresh', 'javascript', 'http-301']);
  });

  it('chain-25 has 25 hops on many hosts, never more than 10 HTTP redirects in a row', async () => {
    const walk = await walkChain(lab, lab.scenarios['chain-25'].url);
    assert.equal(walk.hops.length, CHAIN_25_HOPS);
    assert.ok(new Set(walk.hops.map((h) => new URL(h.url).hostname)).size >= 8);
    assert.ok(walk.hops.some((h) => h.url.startsWith('https:')) && walk.hops.some((h) => h.url.startsWith('http:')));
    let run = 0;
    let longest = 0;
    for (const hop of walk.hops) {
      run = hop.via.startsWith('http-') ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    assert.ok(longest <= 10, `longest run of HTTP redirects: ${longest}`);
  });

  it('too-many-redirects is 25 consecutive 302s', async () => {
    const walk = await walkChain(lab, lab.scenarios['too-many-redirects'].url);
    assert.equal(walk.hops.filter((h) => h.status === 302).length, TOO_MANY_REDIRECTS);
    assert.deepEqual(
      walk.hops.slice(1).map((h) => h.via),
      Array(TOO_MANY_REDIRECTS).fill('http-302'),
    );
  });

  for (const name of ['loop-http', 'loop-meta']) {
    it(`${name} never ends and comes back to its start`, async () => {
      const walk = await walkChain(lab, lab.scenarios[name].url, { maxHops: 6 });
      assert.equal(walk.stopped, 'max-hops');
      const urls = walk.hops.map((h) => h.url);
      assert.equal(urls[2], urls[0]);
      assert.notEqual(urls[1], urls[0]);
    });
  }

  it('cloaking shows the decoy to a headless-looking client', async () => {
    const s = lab.scenarios['cloaking'];
    const headless = await walkChain(lab, s.url, {
      headers: {
        'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
        'Accept-Language': 'en-US',
      },
    });
    assert.equal(headless.final.title, 'Garden tips blog');
    assert.equal(headless.hops.length, 1);
  });

  it('the seed mail fixture (QP, link hard-wrapped in the text part) points at the seed scenario', () => {
    const eml = readFileSync(join(repoRoot(), 'test/fixtures/lab/seed-tmobile.eml'), 'latin1');
    const [, text, html] = eml
      .split('--=_sel_88213_4471')
      .map((part) => decodeQuotedPrintable(part.split('\r\n\r\n').slice(1).join('\r\n\r\n')));
    assert.ok(html.includes(`<a href="${SEED_URL}"`));
    assert.ok(!text.includes(`${SEED_URL}\r\n`), 'the text part carries the link broken across lines');
    assert.ok(text.replace(/\r?\n(?=F5gH)/, '').includes(SEED_URL));
    assert.equal(lab.scenarios['seed'].url, SEED_URL);
  });
});
