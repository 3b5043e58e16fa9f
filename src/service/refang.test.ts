import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refangUrl } from './refang.js';

const refanged = (text: string) => {
  const result = refangUrl(text);
  assert.equal(result.kind, 'refanged', `${text}: ${JSON.stringify(result)}`);
  return result.kind === 'refanged' ? result : assert.fail();
};

test('refang: the forms CyberChef, python defang, ioc-fanger, fanger and ioc-extractor write', () => {
  const cases: [string, string][] = [
    ['hxxp://evil[.]example/x', 'http://evil.example/x'],
    ['hXXps://evil.example[.]com/login.php', 'https://evil.example.com/login.php'],
    ['HXXPS://EVIL[.]EXAMPLE/', 'https://EVIL.EXAMPLE/'],
    ['h**ps://evil(.)example/', 'https://evil.example/'],
    ['hxxps[://]evil[.]example[.]com/a[.]php?u=hxxps[://]next[.]example/', 'https://evil.example.com/a.php?u=https://next.example/'],
    ['hXXp[:]//evil.example[.]com/malicious.php', 'http://evil.example.com/malicious.php'],
    ['https://evil{.}example/', 'https://evil.example/'],
    ['https://evil[dot]example(DOT)com{dot}net/', 'https://evil.example.com.net/'],
    ['http://evil\\.example/', 'http://evil.example/'],
    ['http[:]//evil.example/', 'http://evil.example/'],
    ['hxxp:[/][/]evil[.]example[/]x', 'http://evil.example/x'],
    ['hxxp://192.0.2[.]1[:]8080/x', 'http://192.0.2.1:8080/x'],
    // A tracker's encoded nested URL, as CyberChef defangs it (every "http" and every ".").
    ['hxxps://t[.]example/r?u=hxxps%3A%2F%2Fshop[.]example%2F', 'https://t.example/r?u=https%3A%2F%2Fshop.example%2F'],
    // OpenPhish: the path's own parentheses (an ASP.NET cookieless session) are the link's.
    [
      'hxxps://rbfcu-star[.]azurewebsites[.]net/(S(smbmjyed5nxjv3yypxcg4oum))/Main/Login',
      'https://rbfcu-star.azurewebsites.net/(S(smbmjyed5nxjv3yypxcg4oum))/Main/Login',
    ],
  ];
  for (const [text, url] of cases) assert.equal(refanged(text).url, url, text);
  assert.deepEqual(refanged('hxxps://evil[.]example/').markers, ['hxxps', '[.]']);
  assert.deepEqual(refanged('https://evil(.)example[:]8443/').markers, ['(.)', '[:]']);
});

test('refang: a URL with no marker in its scheme or host is taken as written', () => {
  for (const text of [
    'https://a.example/x',
    'https://a.example/a[.]php', // brackets in a path whose host is not defanged: the link's own
    'https://a.example/wiki/Foo_(bar.)',
    'https://a.example/?token=xxhxxpxx',
    'mailto:a@b.example',
    'meow://evil[.]example/', // ioc-fanger makes any 4-letter scheme http: a guess, not done here
    'fxp://evil[.]example/',
    'not a url',
  ]) {
    assert.deepEqual(refangUrl(text), { kind: 'plain' }, text);
  }
});

test('refang: what may be a marker or the link itself is refused, saying why', () => {
  for (const [text, why] of [
    ['evil[.]example/login', /no http:\/\/ or https:\/\//],
    ['//evil[.]example/login', /no http:\/\/ or https:\/\//],
    ['hxxps://evil[.]example/a(.)php', /"\(\.\)" in its path or query/],
    ['hxxps://evil[.]example/a(dot)php', /"\(dot\)"/],
    ['hxxps://evil[.]example/a\\.php', /"\\\."/],
    // CyberChef also turns the word http inside a path into hxxp: that may be the link's own text.
    ['hxxps://evil[.]example/hxxp-guide', /"hxxp"/],
  ] as const) {
    const result = refangUrl(text);
    assert.equal(result.kind, 'ambiguous', text);
    assert.match(result.kind === 'ambiguous' ? result.error : '', why, text);
  }
});

test('refang: an IPv6 literal keeps its brackets', () => {
  assert.equal(refanged('hxxp://[2001:db8::1]:8080/x').url, 'http://[2001:db8::1]:8080/x');
  assert.equal(refanged('hxxp://[::]/').url, 'http://[::]/');
});
