import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inputListError, lines, parseInputLine, readInputList } from './url-list.js';

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
