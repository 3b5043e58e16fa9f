// Hostile hrefs: what a browser makes of them (WHATWG URL parsing and IDNA, as Node's URL does),
// on hand-written cases and on real phishing messages (test/fixtures/mail/phishing-pot: copies
// from the phishing-pot corpus, CC BY-NC 4.0, see SOURCE.md there; the whole corpus when present).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHref } from './hrefs.js';
import { analyzeMessage } from './parse.js';
import { projectPath } from '../project-root.js';
import { phishingPotDir } from '../../test/support/corpus.js';

const read = (decoded: string, raw = decoded, base: string | null = null) => readHref(decoded, () => raw, base);
const copy = (name: string) => analyzeMessage(readFileSync(projectPath('test', 'fixtures', 'mail', 'phishing-pot', name)), name);

test('a clean href is taken as written; a fragment is no link', () => {
  assert.deepEqual(read('https://a.example/x?b=1&c=2', 'https://a.example/x?b=1&amp;c=2'), {
    url: 'https://a.example/x?b=1&c=2',
    malformed: false,
    unfollowable: null,
    notes: [],
  });
  assert.equal(read('#top'), null);
  assert.equal(read('  #top'), null);
});

test('a query parameter after "&" is no character reference: only what HTML decodes in an attribute is noted', async () => {
  // As an ESP writes its tracking links, "&" unescaped in the HTML: a browser reads "&lid=9" as written.
  const mail = await analyzeMessage(
    Buffer.from(
      'From: a@shop.example\r\nTo: b@recipient.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n' +
        '<a href="http://click.mailer-esp.test/c/http-302?mid=1&lid=9&notice=2">Shop now</a>' +
        '<a href="http://click.mailer-esp.test/c/x?a=1&copy;b=2">Other</a>',
    ),
    'esp.eml',
  );
  const [plain, decoded] = mail.links;
  assert.equal(plain.url, 'http://click.mailer-esp.test/c/http-302?mid=1&lid=9&notice=2');
  assert.deepEqual(plain.notes ?? [], []);
  // A real reference is still read and said: "&copy;" is "©".
  assert.equal(decoded.url, 'http://click.mailer-esp.test/c/x?a=1©b=2');
  assert.deepEqual(decoded.notes, ['character references decoded: &copy;']);
});

test('malformed hrefs a browser still follows: the URL it makes of them, and why', () => {
  const cases: [decoded: string, raw: string, url: string, note: RegExp][] = [
    ['  \thttp://evil.example/a', '  \thttp://evil.example/a', 'http://evil.example/a', /leading whitespace/],
    ['http://ev\nil.example/a', 'http://ev\nil.example/a', 'http://evil.example/a', /line break inside the scheme or host/],
    [
      'http://exam\u0178ple.example/',
      'http://exam&#159;ple.example/',
      'http://xn--example-f3a.example/',
      /character references in the scheme or host decoded: &#159; \(C1 code points/,
    ],
    ['http://example.com/', 'http://exa&#109;ple.com/', 'http://example.com/', /references in the scheme or host decoded: &#109;/],
    ['https://𝘄𝗮𝗸𝗲.example/x', 'https://𝘄𝗮𝗸𝗲.example/x', 'https://wake.example/x', /IDNA mapping/],
    ['http:\\\\evil.example\\a', 'http:\\\\evil.example\\a', 'http://evil.example/a', /backslashes/],
    ['http:/evil.example/a', 'http:/evil.example/a', 'http://evil.example/a', /1 slash/],
    ['http://0x7f.1/', 'http://0x7f.1/', 'http://127.0.0.1/', /is the IP address 127\.0\.0\.1/],
    ['http://%65vil.example/', 'http://%65vil.example/', 'http://evil.example/', /percent-encoded host/],
    ['//evil.example/p', '//evil.example/p', 'https://evil.example/p', /scheme-relative/],
  ];
  for (const [decoded, raw, url, note] of cases) {
    const reading = read(decoded, raw);
    assert.equal(reading?.url, url, raw);
    assert.equal(reading?.malformed, true, raw);
    assert.equal(reading?.unfollowable, null, raw);
    assert.ok(
      reading?.notes.some((n) => note.test(n)),
      `${raw}: ${reading?.notes.join(' | ')}`,
    );
  }
});

test('deceptive but well-formed: user info before "@", an internationalised host, a trailing space are remarks only', () => {
  const userinfo = read('https://www.bank.example-login@evil.example/');
  assert.deepEqual([userinfo?.malformed, userinfo?.url], [false, 'https://www.bank.example-login@evil.example/']);
  assert.match(userinfo!.notes[0], /user info .*the browser goes to evil\.example/);
  assert.deepEqual(read('http://münchen.example/')?.notes, ['internationalised host münchen.example (xn--mnchen-3ya.example)']);
  assert.equal(read('http://münchen.example/')?.malformed, false);
  assert.deepEqual(read('http://a.example/ ')?.notes, ['trailing whitespace dropped']);
  // references outside the host only change the path: remarked, not malformed
  assert.deepEqual(read('http://a.example/=x', 'http://a.example/&#61;x')?.malformed, false);
  assert.deepEqual(read('mailto:<a@b.example>', 'mailto:&lt;a@b.example&gt;')?.malformed, false);
});

test('hrefs no browser would follow are listed with the reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty href/],
    ['{UNSUB}', /placeholder/],
    ['{{{ pm:unsubscribe }}}', /placeholder/],
    ['unsubscribe-link', /relative reference with no base URL/],
    ['easilett.com/cl/415_md/2010', /URL without its scheme\?.*http:\/\/easilett\.com/],
    ['http://a\u009fb.example/', /C1 control characters \(U\+009F\)/],
    ['http://a b.example/', /rejects it/],
  ];
  for (const [href, reason] of cases) {
    const reading = read(href);
    assert.equal(reading?.url, href.trim());
    assert.match(reading?.unfollowable ?? '', reason, href);
    assert.equal(reading?.malformed, false);
  }
  assert.equal(read('', '', 'https://base.example/d/')?.url, 'https://base.example/d/', 'with a base an empty href goes to the base');
});

test('phishing-pot: leading spaces and &#159;/&#156; inside the host (a C1 code point, turned into Ÿ by HTML)', async () => {
  const mail = await copy('sample-6050.eml');
  const [link] = mail.links;
  assert.equal(link.malformed, true);
  assert.match(link.raw!, /^ {14}http:\/\/ðmge&#159;gh&#156;jjqp\.21cifm\.org\/r62a5\.php\?32=/);
  assert.match(link.url, /^http:\/\/xn--mgeghjjqp-95a2o93b\.21cifm\.org\/r62a5\.php\?32=1o1669036b4297879_/);
  assert.deepEqual(link.notes?.slice(0, 2), [
    'leading spaces dropped',
    'character references in the scheme or host decoded: &#159; &#156; (C1 code points, which HTML reads as windows-1252 characters)',
  ]);
});

test('phishing-pot: a host in mathematical bold letters is the ASCII host after IDNA mapping', async () => {
  const mail = await copy('sample-6375.eml');
  assert.equal(mail.links.length, 4);
  for (const link of mail.links) {
    assert.equal(link.malformed, true);
    assert.match(link.url, /^https:\/\/wakeupbunny\.uk\/\w+$/);
    assert.match(link.raw!, /^https:\/\/𝘄𝗮𝗸𝗲𝘂𝗽𝗯𝘂𝗻𝗻𝘆\.𝘂𝗸\//);
  }
  assert.equal(mail.links.find((l) => l.text === 'LEARN MORE')?.url.startsWith('https://wakeupbunny.uk/'), true);
});

test('phishing-pot: a short IPv4 form, a scheme-relative href, a mail-merge placeholder', async () => {
  const short = (await copy('sample-2275.eml')).links.find((l) => l.raw === 'http://1.2.3');
  assert.deepEqual([short?.url, short?.malformed], ['http://1.2.0.3/', true]);
  const relative = (await copy('sample-4400.eml')).links.find((l) => l.raw?.startsWith('//'));
  assert.deepEqual([relative?.url.startsWith('https://topmarktingplace.com/4kBHAI'), relative?.malformed], [true, true]);
  const placeholder = (await copy('sample-6000.eml')).links.find((l) => l.url === '{UNSUB}');
  assert.match(placeholder?.unfollowable ?? '', /placeholder/);
});

const corpus = phishingPotDir();

test(
  'the whole phishing-pot corpus: no href is dropped, every followable one parses as a URL',
  { skip: corpus ? false : 'phishing-pot corpus not found' },
  async () => {
    let malformed = 0;
    let unfollowable = 0;
    for (const name of readdirSync(corpus!).filter((n) => n.endsWith('.eml'))) {
      const mail = await analyzeMessage(readFileSync(join(corpus!, name)), name);
      for (const link of mail.links) {
        if (link.unfollowable) {
          unfollowable++;
          continue;
        }
        if (link.malformed) {
          malformed++;
          assert.ok(URL.canParse(link.url), `${name}: ${link.url}`);
          assert.ok(link.raw !== undefined && link.raw !== link.url, name);
        }
        if (link.kind !== 'text' && /^https?:/i.test(link.url)) assert.ok(URL.canParse(link.url), `${name}: ${link.url}`);
      }
    }
    // Counted when written: 12 malformed hrefs (leading spaces, &#159;, IDNA-mapped hosts, 1.2.3, //host), 13 unfollowable.
    assert.ok(malformed >= 10, `${malformed} malformed`);
    assert.ok(unfollowable >= 10, `${unfollowable} unfollowable`);
  },
);
