import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseInputLine, readInputList } from './url-list.js';

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
  const text = '# list\r\nhttp://a.test/1\r\n\r\njunk here\r\nhttp://a.test/2\n';
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-url-list-'));
  const file = join(dir, 'urls.txt');
  writeFileSync(file, text);
  const expected = [
    { line: 2, url: 'http://a.test/1' },
    { line: 4, text: 'junk here', error: 'not a URL: "junk here"' },
    { line: 5, url: 'http://a.test/2' },
  ];
  assert.deepEqual(await readInputList(file), expected);
  assert.deepEqual(await readInputList('-', Readable.from([Buffer.from(text)])), expected);
  await assert.rejects(readInputList(join(dir, 'missing.txt')), /ENOENT/);
});
