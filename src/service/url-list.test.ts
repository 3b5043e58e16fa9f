import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { inputListError, lines, MAX_LINE_CHARS, MAX_RECORD_LINES, parseInputLine, parseInputUrl, readInputList } from './url-list.js';

test('input lines: blank and # lines are skipped, a non-URL is reported with its line number', () => {
  assert.equal(parseInputLine('', 1), null);
  assert.equal(parseInputLine('   \t', 2), null);
  assert.equal(parseInputLine('# a comment', 3), null);
  assert.equal(parseInputLine('  # indented comment', 4), null);
  assert.deepEqual(parseInputLine('  http://a.test/x  ', 5), { line: 5, url: 'http://a.test/x' });
  assert.deepEqual(parseInputLine('\uFEFFhttps://b.test/', 1), { line: 1, url: 'https://b.test/' });
  const junk = parseInputLine('not a url', 7);
  assert.ok(junk && 'error' in junk);
  assert.equal(junk.line, 7);
  assert.match(junk.error, /not a URL/);
  const ftp = parseInputLine('ftp://c.test/', 8);
  assert.ok(ftp && 'error' in ftp && /only http and https/.test(ftp.error));
});

test('a list file and stdin read the same, CRLF included', async () => {
  const text = '# list\r\nhttp://a.test/1\r\n\r\njunk-here\r\nhttp://a.test/2\n';
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-url-list-'));
  const file = join(dir, 'urls.txt');
  writeFileSync(file, text);
  const expected = [
    { line: 2, url: 'http://a.test/1' },
    { line: 4, text: 'junk-here', error: 'not a URL: "junk-here"' },
    { line: 5, url: 'http://a.test/2' },
  ];
  assert.deepEqual(await readInputList(file), expected);
  assert.deepEqual(await readInputList('-', Readable.from([Buffer.from(text)])), expected);
  await assert.rejects(readInputList(join(dir, 'missing.txt')), /ENOENT/);
});

test('a comment after a URL and a space is skipped; a URL keeps its own #fragment', () => {
  assert.deepEqual(parseInputLine('http://a.test/x  # from message 42', 1), { line: 1, url: 'http://a.test/x' });
  assert.deepEqual(parseInputLine('http://a.test/x\t#note', 2), { line: 2, url: 'http://a.test/x' });
  assert.deepEqual(parseInputLine('http://a.test/x#frag # note', 3), { line: 3, url: 'http://a.test/x#frag' });
  assert.deepEqual(parseInputLine('http://a.test/x#frag', 4), { line: 4, url: 'http://a.test/x#frag' });
});

test('a space or a control character inside a line is not a URL (the parser would request another link)', () => {
  // new URL() would take each of these, as http://a.test/x%20y, .../x%1B[2J and http://a.test/xy.
  for (const text of ['http://a.test/x y', 'http://a.test/x\u001b[2J', 'http://a.test/x\ry', 'http://a.test/x\u00a0y']) {
    const item = parseInputLine(text, 9);
    assert.ok(item && 'error' in item, JSON.stringify(text));
    assert.equal(item.line, 9);
    assert.match(item.error, /^not a URL \(a space or control character inside\)/);
  }
  // Invisible characters a copy from a page carries: new URL() would request them (%E2%80%8B) or drop them from the host.
  for (const [text, named] of [
    ['http://a.test/x?t=1\u200b', 'U+200B'],
    ['\u202ehttp://a.test/x', 'U+202E'],
    ['http://a.te\u00adst/x', 'U+00AD'],
    ['http://a.test/\u2060x', 'U+2060'],
    ['http://a.test/x\u0085y', null],
  ] as const) {
    const item = parseInputLine(text, 3);
    assert.ok(item && 'error' in item, JSON.stringify(text));
    if (named) assert.ok(item.error.startsWith(`not a URL (an invisible character, ${named}, inside)`), item.error);
    else assert.match(item.error, /control character inside/);
  }
  // A joiner is part of some IDN hosts' spelling.
  assert.ok(!('error' in parseInputLine('http://\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.test/', 1)!));
  // Surrounding white space (a CR of CRLF, a no-break space, tabs) is only trimmed.
  assert.deepEqual(parseInputLine('\t http://a.test/x \u00a0\r', 1), { line: 1, url: 'http://a.test/x' });
  for (const scheme of ['javascript:alert(1)', 'file:///etc/passwd', 'mailto:a@b.test', 'data:text/html,x']) {
    const item = parseInputLine(scheme, 1);
    assert.ok(item && 'error' in item && /only http and https/.test(item.error), scheme);
  }
});

test("lines: split at LF only, so line numbers are an editor's (a lone CR stays in its line); chunk edges do not matter", async () => {
  const text = 'a\r\nb\rc\n\ndé\r\nlast';
  const expected = ['a', 'b\rc', '', 'dé', 'last'];
  const whole = Buffer.from(text);
  const collect = async (chunks: Buffer[]) => {
    const out: string[] = [];
    for await (const line of lines(Readable.from(chunks))) out.push(line);
    return out;
  };
  assert.deepEqual(await collect([whole]), expected);
  // One byte at a time: a CRLF and the two bytes of "é" cut in two.
  assert.deepEqual(await collect([...whole].map((b) => Buffer.from([b]))), expected);
  assert.deepEqual(await collect([]), []);
  assert.deepEqual(await collect([Buffer.from('x\n')]), ['x']);
});

test('a list whose lines end in CR alone (Excel for Mac\'s "CSV (Macintosh)", classic Mac OS) is read line by line, as an editor shows it', async () => {
  const list = 'http://a.test/1\r\r# a comment\rjunk\rhttp://a.test/2\r';
  const expected = [
    { line: 1, url: 'http://a.test/1' },
    { line: 4, text: 'junk', error: 'not a URL: "junk"' },
    { line: 5, url: 'http://a.test/2' },
  ];
  assert.deepEqual(await readInputList('-', Readable.from([Buffer.from(list)])), expected);
  // One byte at a time, and with no CR at the end.
  assert.deepEqual(await readInputList('-', Readable.from([...Buffer.from(list.slice(0, -1))].map((b) => Buffer.from([b])))), expected);
  // A CSV export so saved: its header, then a row per line (it was one line: its header, and "no URLs in it").
  const csv = await readInputList(
    '-',
    Readable.from([Buffer.from('id,url,date\r1,http://a.test/3,2026-12-07\r2,http://a.test/4,2026-12-07\r')]),
  );
  assert.deepEqual(csv, [
    { line: 2, url: 'http://a.test/3' },
    { line: 3, url: 'http://a.test/4' },
  ]);
});

test("a list with a stray CR reports the editor's line numbers", async () => {
  const items = await readInputList('-', Readable.from([Buffer.from('http://a.test/1\rjunk\nhttp://a.test/2\n')]));
  assert.equal(items.length, 2);
  assert.equal(items[0].line, 1);
  assert.ok('error' in items[0]);
  assert.deepEqual(items[1], { line: 2, url: 'http://a.test/2' });
});

test('a list that cannot be read, in words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-url-list-'));
  const reason = async (path: string) =>
    inputListError(
      await readInputList(path).then(
        () => assert.fail('read'),
        (err: unknown) => err,
      ),
    );
  assert.equal(await reason(join(dir, 'missing.txt')), 'no such file');
  assert.equal(await reason(dir), 'is a directory, not a file of URLs');
  assert.equal(inputListError(new Error('odd\nsecond line')), 'odd');
});

test('a list that is not UTF-8 (Latin-1 "é"): the line is reported, not requested as .../caf%EF%BF%BD', async () => {
  const latin1 = Buffer.concat([Buffer.from('http://a.test/caf'), Buffer.from([0xe9]), Buffer.from('\nhttp://a.test/ok\n')]);
  const items = await readInputList('-', Readable.from([latin1]));
  assert.ok('error' in items[0] && /not UTF-8/.test(items[0].error));
  assert.deepEqual(items[1], { line: 2, url: 'http://a.test/ok' });
  // UTF-8 proper is a URL like any other.
  assert.deepEqual(parseInputLine('http://a.test/café', 1), { line: 1, url: 'http://a.test/café' });
});

test('a huge junk line is quoted short in its error (the record keeps it whole)', () => {
  const junk = 'x'.repeat(100_000);
  const spaced = parseInputLine(`http://a.test/${junk} y`, 1);
  assert.ok(spaced && 'error' in spaced && spaced.error.length < 300 && spaced.text.length > 100_000);
  const bare = parseInputLine(junk, 2);
  assert.ok(bare && 'error' in bare && bare.error.length < 500 && bare.text === junk);
});

test('a defanged line is traced refanged, saying so; an ambiguous one is reported with its line number', () => {
  assert.deepEqual(parseInputLine('hxxps://evil[.]example/x?id=1  # from the feed', 3), {
    line: 3,
    url: 'https://evil.example/x?id=1',
    given: 'hxxps://evil[.]example/x?id=1',
    refanged: ['hxxps', '[.]'],
  });
  assert.deepEqual(parseInputUrl('hXXp[:]//evil[.]example/', 2), {
    line: 2,
    url: 'http://evil.example/',
    given: 'hXXp[:]//evil[.]example/',
    refanged: ['hxxp', '[:]//', '[.]'],
  });
  const bare = parseInputLine('evil[.]example/login', 4);
  assert.ok(bare && 'error' in bare && bare.line === 4 && /no http:\/\/ or https:\/\//.test(bare.error), JSON.stringify(bare));
  const unsure = parseInputLine('hxxps://evil[.]example/a(.)php', 5);
  assert.ok(unsure && 'error' in unsure && /"\(\.\)"/.test(unsure.error) && unsure.text === 'hxxps://evil[.]example/a(.)php');
  // Refanged but still not a URL: said with what it was refanged from.
  const broken = parseInputLine('hxxps://evil[.example/', 6);
  assert.ok(broken && 'error' in broken && /refanged from/.test(broken.error), JSON.stringify(broken));
});

test('a link written without its scheme is reported as such, not traced over a guessed http or https', () => {
  // evil.example:8080/login parses as the scheme "evil.example:": it was said to be a scheme other than http(s).
  for (const text of [
    'evil.example/login',
    'www.evil.example',
    'evil.example:8080/login',
    'localhost:8080/x',
    '127.0.0.1:8080',
    '//evil.example/x',
    '<evil.example/x?a=1>',
    'bücher.example/x',
  ]) {
    const item = parseInputLine(text, 3);
    assert.ok(item && 'error' in item && item.line === 3, text);
    assert.match(item.error, /^not a URL \(no http:\/\/ or https:\/\/ before it: which one is a guess\): "/, text);
  }
  // Not taken for a host: a word, another scheme, a URL with its scheme.
  assert.equal((parseInputLine('junk-here', 1) as { error: string }).error, 'not a URL: "junk-here"');
  assert.match((parseInputLine('mailto:a@b.test', 1) as { error: string }).error, /only http and https/);
  assert.deepEqual(parseInputLine('http://evil.example:8080/login', 1), { line: 1, url: 'http://evil.example:8080/login' });
});

test('a URL in <...>, <URL:...>, quotes or backticks is taken out of them; <...> also says exactly where it ends', () => {
  for (const text of [
    '<https://a.test/x>',
    '<URL:https://a.test/x>',
    '"https://a.test/x"',
    "'https://a.test/x'",
    '\u201chttps://a.test/x\u201d',
    '`https://a.test/x`',
  ]) {
    assert.deepEqual(parseInputLine(text, 1), { line: 1, url: 'https://a.test/x', given: text }, text);
  }
  assert.deepEqual(parseInputLine('<https://a.test/a).>', 1), { line: 1, url: 'https://a.test/a).', given: '<https://a.test/a).>' });
  assert.deepEqual(parseInputLine('<hxxps://evil[.]example/>', 1), {
    line: 1,
    url: 'https://evil.example/',
    given: '<hxxps://evil[.]example/>',
    refanged: ['hxxps', '[.]'],
  });
  // A closing backtick alone is left over from a paste, not the link's (it would be requested as %60).
  const tick = parseInputLine('https://a.test/x`', 2);
  assert.ok(tick && 'error' in tick && /ends in "`"/.test(tick.error), JSON.stringify(tick));
  // Inside the delimiters a URL is still one URL: no space.
  const spaced = parseInputLine('<https://a.test/x y>', 1);
  assert.ok(spaced && 'error' in spaced && /space or control character/.test(spaced.error));
});

test("a sentence's punctuation after a URL is reported, not guessed; the URL's own brackets are kept", () => {
  for (const [text, left] of [
    ['https://a.test/a).', ').'],
    ['https://a.test/a,', ','],
    ['https://a.test/a;', ';'],
    ['https://a.test/x:', ':'],
    ['https://a.test/a!', '!'],
    ['https://a.test/a"', '"'],
    ['https://a.test/a]', ']'],
    ['https://a.test/wiki/Foo_(bar)).', ').'],
  ]) {
    const item = parseInputLine(text, 7);
    assert.ok(item && 'error' in item, text);
    assert.equal(item.line, 7);
    assert.ok(item.error.includes(`ends in "${left}"`) && item.error.includes(`<${text}>`), item.error);
  }
  for (const text of ['https://a.test/wiki/Foo_(bar)', 'https://a.test/a?', 'https://a.test/a/', "https://a.test/it's", 'http://[::1]']) {
    assert.deepEqual(parseInputLine(text, 1), { line: 1, url: text }, text);
  }
});

test('arguments are read as list lines are (a space inside is refused, a defanged URL refanged)', () => {
  const spaced = parseInputUrl('http://a.test/x y', 1);
  assert.ok('error' in spaced && /space or control character/.test(spaced.error));
  assert.deepEqual(parseInputUrl('hxxp://a[.]test/', 2), {
    line: 2,
    url: 'http://a.test/',
    given: 'hxxp://a[.]test/',
    refanged: ['hxxp', '[.]'],
  });
});

test('a line longer than the longest URL is reported, never held whole; the next line is read', async () => {
  const huge = 'http://a.test/' + 'x'.repeat(MAX_LINE_CHARS + 10);
  const chunks = [
    Buffer.from('http://a.test/1\r\n'),
    ...Buffer.from(huge).reduce<Buffer[]>((acc, _b, i, all) => {
      if (i % 65536 === 0) acc.push(all.subarray(i, i + 65536));
      return acc;
    }, []),
    Buffer.from('\r\nhttp://a.test/2\n'),
  ];
  const items = await readInputList('-', Readable.from(chunks));
  assert.equal(items.length, 3);
  assert.deepEqual(items[0], { line: 1, url: 'http://a.test/1' });
  assert.ok('error' in items[1] && items[1].line === 2 && /longer than/.test(items[1].error) && items[1].text.length < 300);
  assert.deepEqual(items[2], { line: 3, url: 'http://a.test/2' });
  // lines() itself: a line over the limit comes as its first maxChars + 1 characters.
  const out: string[] = [];
  for await (const line of lines(Readable.from([Buffer.from('abcdef\r\nab\r\nabc\r\n')]), 3)) out.push(line);
  assert.deepEqual(out, ['abcd', 'ab', 'abc']);
});

test('a 10,000-line list with CRLF, a BOM, comments, duplicates and defanged lines reads whole, in order', async () => {
  const rows = ['\uFEFF# export'];
  for (let i = 0; i < 10_000; i++) rows.push(i % 3 === 0 ? `hxxps://evil[.]example/${i % 500}` : `https://a.test/p/${i}`);
  const items = await readInputList('-', Readable.from([Buffer.from(rows.join('\r\n') + '\r\n')]));
  assert.equal(items.length, 10_000);
  assert.ok(items.every((item) => 'url' in item));
  items.pop();
  assert.deepEqual(items[0], { line: 2, url: 'https://evil.example/0', given: 'hxxps://evil[.]example/0', refanged: ['hxxps', '[.]'] });
  assert.deepEqual(items.at(-1), { line: 10_000, url: 'https://a.test/p/9998' });
});

test('a CSV or TSV export: its header names the URL column, each row gives its URL with its line number', async () => {
  const read = (text: string) => readInputList('-', Readable.from([Buffer.from(text)]));
  // PhishTank's header; a URL with a comma is quoted; a row without a URL and a row that is not CSV are reported.
  const phishtank = [
    'phish_id,url,phish_detail_url,submission_time',
    '1,https://a.test/x,http://www.phishtank.test/phish_detail.php?phish_id=1,2026-12-01T00:00:00+00:00',
    '2,"https://a.test/a,b",http://www.phishtank.test/phish_detail.php?phish_id=2,2026-12-01',
    '',
    '3,,http://www.phishtank.test/phish_detail.php?phish_id=3,2026-12-01',
    '4,"https://a.test/open,x',
    '5,https://a.test/ends-in-a-dot.,x,y',
  ].join('\r\n');
  const items = await read(phishtank);
  assert.deepEqual(items.slice(0, 2), [
    { line: 2, url: 'https://a.test/x' },
    { line: 3, url: 'https://a.test/a,b' },
  ]);
  assert.ok('error' in items[2] && items[2].line === 5 && /no URL in the url column/.test(items[2].error));
  assert.ok('error' in items[3] && items[3].line === 6 && /not a CSV row/.test(items[3].error));
  // A field's ends are the URL's: no trailing punctuation is suspect there.
  assert.deepEqual(items[4], { line: 7, url: 'https://a.test/ends-in-a-dot.' });
  // URLhaus writes its header as a comment; its fields are quoted.
  const urlhaus = [
    '################################################################',
    '# abuse.ch URLhaus Database Dump (CSV - recent URLs only)      #',
    '################################################################',
    '#',
    '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter',
    '"3245331","2026-12-01 10:00:00","http://192.0.2.7:4431/i","online","2026-12-01 10:00:00","malware_download","elf","https://urlhaus.test/url/3245331/","r"',
  ].join('\n');
  assert.deepEqual(await read(urlhaus), [{ line: 6, url: 'http://192.0.2.7:4431/i' }]);
  // TSV, the column found by name wherever it is; defanged fields refanged.
  assert.deepEqual(await read('Date\tLink\tNote\n2026-12-01\thxxps://evil[.]example/a\tfrom a report\n'), [
    { line: 2, url: 'https://evil.example/a', given: 'hxxps://evil[.]example/a', refanged: ['hxxps', '[.]'] },
  ]);
  // Several URL columns: which holds the links is a guess, so the list is refused.
  await assert.rejects(
    read('url,link\nhttps://a.test/1,https://a.test/2\n'),
    /line 1: a CSV header with several URL columns \(url, link\)/,
  );
  // A row with more fields than the header: an unquoted comma may have cut the URL, so it is reported.
  const split = await read('id,url\n1,https://a.test/a,b\n');
  assert.ok(
    'error' in split[0] && split[0].line === 2 && /more fields than the header names \(a URL with an unquoted ","\?\)/.test(split[0].error),
  );
  // A one-column export headed "url": the header is skipped, each row is a line (its commas the URL's own).
  assert.deepEqual(await read('URL\r\nhttps://a.test/a,b\r\n'), [{ line: 2, url: 'https://a.test/a,b' }]);
  // A plain list whose URLs hold commas and semicolons is not taken for CSV; nor is a comment with commas.
  assert.deepEqual(await read('# links, one a line\nhttps://a.test/a,url,b\nhttps://a.test/x;url\n'), [
    { line: 2, url: 'https://a.test/a,url,b' },
    { line: 3, url: 'https://a.test/x;url' },
  ]);
});

test("a list saved as UTF-16LE (Excel's Unicode Text, PowerShell's >) reads as text; UTF-16BE is refused in words", async () => {
  const text = 'Link\tNote\r\nhttps://a.test/é\tx\r\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const expected = [{ line: 2, url: 'https://a.test/é' }];
  assert.deepEqual(await readInputList('-', Readable.from([le])), expected);
  assert.deepEqual(await readInputList('-', Readable.from([...le].map((b) => Buffer.from([b])))), expected);
  const be = Buffer.from([0xfe, 0xff, 0x00, 0x68]);
  await assert.rejects(readInputList('-', Readable.from([be])), /UTF-16 big-endian: save it as UTF-8/);
});

test('a CSV export whose quoted description spans lines: each record gives its URL at the line it starts on', async () => {
  const read = (text: string) => readInputList('-', Readable.from([Buffer.from(text)]));
  const csv = [
    'id,url,description',
    '1,https://a.test/1,"first line',
    '# not a comment: inside the quoted field',
    '',
    'last line, with ""quotes"""',
    '2,https://a.test/2,plain',
    'junk',
    '3,"https://a.test/3',
    'continued",x',
    '4,https://a.test/4,"never closed',
    '5,https://a.test/5,after it',
  ].join('\r\n');
  const items = await read(csv);
  assert.deepEqual(items.slice(0, 2), [
    { line: 2, url: 'https://a.test/1' },
    { line: 6, url: 'https://a.test/2' },
  ]);
  // A line that is not a row is reported at its own line; a URL field holding a line break is not a URL.
  assert.ok('error' in items[2] && items[2].line === 7);
  assert.ok('error' in items[3] && items[3].line === 8 && /control character inside/.test(items[3].error));
  // A quote never closed is reported at its line, and the lines it held are read again: none is lost.
  assert.ok(
    'error' in items[4] &&
      items[4].line === 10 &&
      /not a CSV row \(a quoted field is not closed by the end of the list\)/.test(items[4].error),
  );
  assert.deepEqual(items[5], { line: 11, url: 'https://a.test/5' });
  assert.equal(items.length, 6);
  // Chunk edges inside a multi-line record do not matter.
  const bytes = Buffer.from(csv);
  const chunked = await readInputList(
    '-',
    Readable.from([...Array(Math.ceil(bytes.length / 7)).keys()].map((i) => bytes.subarray(i * 7, i * 7 + 7))),
  );
  assert.deepEqual(chunked, items);
});

test(`a quote never closed holds at most ${MAX_RECORD_LINES} lines: past them it is reported and the lines after it are read`, async () => {
  const rows = [
    'id,url,note',
    '1,https://a.test/open,"oops',
    ...Array.from({ length: 300 }, (_, i) => `${i + 2},https://a.test/${i + 2},n`),
  ];
  const items = await readInputList('-', Readable.from([Buffer.from(rows.join('\n'))]));
  assert.ok('error' in items[0] && items[0].line === 2 && /not closed within/.test(items[0].error));
  assert.equal(items.length, 301);
  assert.deepEqual(items.at(-1), { line: 302, url: 'https://a.test/301' });
});

test('a binary file given as a list (NUL bytes at its start) is refused whole, not read as hundreds of junk lines', async () => {
  const elf = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00\x00\x00', 'latin1'), Buffer.from('\nhttp://a.example/\n')]);
  await assert.rejects(readInputList('-', Readable.from([elf])), /binary data \(NUL bytes\), not a text list of URLs/);
  // UTF-16LE text is mostly NUL bytes, and is still a list.
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('http://a.example/\n', 'utf16le')]);
  assert.equal((await readInputList('-', Readable.from([utf16]))).length, 1);
});

test("a stray NUL in a list is its line's, reported with its number, whatever the size of the list and the chunks it comes in", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-url-nul-'));
  // Chunkings of the same bytes: one chunk, a byte at a time around the NUL, 7-byte chunks.
  const chunkings = (bytes: Buffer): Buffer[][] => [
    [bytes],
    Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)),
    Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7)),
  ];
  for (const before of [2, 500, 20_000]) {
    const rows = Array.from({ length: before }, (_, i) => `https://a.test/${i}`);
    const text = [...rows, 'https://a.test/n\u0000ul', 'https://a.test/after'].join('\n') + '\n';
    const file = join(dir, `list-${before}.txt`);
    writeFileSync(file, text);
    const check = (items: Awaited<ReturnType<typeof readInputList>>, how: string) => {
      assert.equal(items.length, before + 2, how);
      const bad = items[before];
      assert.ok('error' in bad, how);
      assert.equal(bad.line, before + 1, how);
      assert.match(bad.error, /not a URL \(a space or control character inside\): "https:\/\/a\.test\/n\\u0000ul"/, how);
      assert.deepEqual(items.at(-1), { line: before + 2, url: 'https://a.test/after' }, how);
    };
    check(await readInputList(file), `a file, NUL on line ${before + 1}`);
    if (before > 500) continue; // a byte at a time is slow on 20,000 lines; the file has shown the chunks of a large list
    for (const chunks of chunkings(Buffer.from(text)))
      check(await readInputList('-', Readable.from(chunks)), `stdin in ${chunks.length} chunk(s)`);
  }
  // A NUL on the first line past the file's signature place is a line's too, a NUL at the start binary.
  const firstLine = 'https://a.test/first\u0000\nhttps://a.test/2\n';
  for (const chunks of chunkings(Buffer.from(firstLine))) {
    const items = await readInputList('-', Readable.from(chunks));
    assert.ok('error' in items[0] && items[0].line === 1 && items.length === 2);
  }
  for (const chunks of chunkings(Buffer.from('\u0000https://a.test/\n')))
    await assert.rejects(readInputList('-', Readable.from(chunks)), /binary data/);
});

test('binary data (NULs at the start, or many in the first 8 KiB) is refused whole, as a file or on stdin, in any chunks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-url-bin-'));
  // A gzip'd list: its NUL is the 4th byte. A text-looking start then zero-padded records (a tar, a database).
  const gzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]), Buffer.from('\nhttps://a.test/\n')]);
  const padded = Buffer.concat([
    Buffer.from('https://a.test/readme.txt'.padEnd(100, ' ')),
    Buffer.alloc(400),
    Buffer.from('\nhttps://a.test/\n'),
  ]);
  for (const [name, bytes] of Object.entries({ gzip, padded })) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    await assert.rejects(readInputList(file), /binary data \(NUL bytes\), not a text list of URLs/, name);
    for (const size of [1, 3, bytes.length]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, i * size + size));
      await assert.rejects(readInputList('-', Readable.from(chunks)), /binary data/, `${name} in chunks of ${size}`);
    }
  }
});

test('a host no DNS name can be (a label over 63 characters, a name over 253) is reported with its line, not traced', () => {
  const label = (n: number) => 'a'.repeat(n);
  assert.deepEqual(parseInputLine(`https://${label(63)}.test/x`, 1), { line: 1, url: `https://${label(63)}.test/x` });
  const longLabel = parseInputLine(`https://${label(64)}.test/x`, 2);
  assert.ok(longLabel && 'error' in longLabel, 'a 64-character label');
  assert.equal(longLabel.line, 2);
  assert.match(longLabel.error, /label of 64 characters .*more than the 63/);
  // 4 labels of 63 and the dots: 255 characters, past 253; 252 is fine, a trailing dot aside.
  const name = (n: number) => [label(63), label(63), label(63), label(n)].join('.');
  assert.ok(!('error' in parseInputUrl(`http://${name(60)}/`, 3)));
  assert.ok(!('error' in parseInputUrl(`http://${name(61)}./`, 3)), 'a trailing dot is no character of the name');
  const longName = parseInputUrl(`http://${name(63)}/`, 4);
  assert.ok('error' in longName);
  assert.match(longName.error, /255 characters long, more than the 253/);
  // Measured as requested: an IDN label in punycode, defanged spellings refanged.
  const idn = parseInputUrl(`http://${'ü'.repeat(60)}.test/`, 5);
  assert.ok('error' in idn && /label of \d+ characters \(xn--/.test(idn.error), JSON.stringify(idn));
  const defanged = parseInputUrl(`hxxps://${label(70)}[.]test/x`, 6);
  assert.ok('error' in defanged && /label of 70 characters/.test(defanged.error));
});

test('stdin still open: an abort (Ctrl-C) ends the list with the lines read until then', async () => {
  const stdin = new PassThrough();
  stdin.write('http://a.test/1\nnot a url\nhttp://a.test/2\n');
  const reading = new AbortController();
  const list = readInputList('-', stdin, reading.signal);
  setTimeout(() => reading.abort(), 50);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('still reading after the abort')), 2000)));
  const items = await Promise.race([list, late]).finally(() => clearTimeout(timer));
  assert.deepEqual(
    items.map((item) => ('url' in item ? item.url : item.line)),
    ['http://a.test/1', 2, 'http://a.test/2'],
  );
  assert.ok(stdin.destroyed, 'stdin is let go');
});

test('a named pipe still open (--input <(tail -f feed), a FIFO): an abort (Ctrl-C) ends the list with the lines read until then', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-url-list-'));
  const fifo = join(dir, 'feed');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('no mkfifo(1)');
  const reading = new AbortController();
  const list = readInputList(fifo, undefined, reading.signal);
  // Its writer stays: the pipe never ends by itself.
  const writer = createWriteStream(fifo);
  writer.write('http://a.test/1\nnot a url\nhttp://a.test/2\n');
  setTimeout(() => reading.abort(), 200);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('still reading after the abort')), 3000)));
  try {
    const items = await Promise.race([list, late]).finally(() => clearTimeout(timer));
    assert.deepEqual(
      items.map((item) => ('url' in item ? item.url : item.line)),
      ['http://a.test/1', 2, 'http://a.test/2'],
    );
  } finally {
    writer.destroy();
  }
  // A file is read to its end whatever the signal.
  const file = join(dir, 'list.txt');
  writeFileSync(file, 'http://a.test/3\n');
  assert.deepEqual(await readInputList(file, undefined, AbortSignal.abort()), [{ line: 1, url: 'http://a.test/3' }]);
});
