import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField } from './csv.js';

test('CSV fields: RFC 4180 quoting, spreadsheet formulas defused', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('=HYPERLINK("http://x.test")'), `"'=HYPERLINK(""http://x.test"")"`);
  assert.equal(csvField('-1'), "'-1");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField(null), '');
  assert.equal(csvField(3), '3');
});

test('CSV fields: control characters from hostile mail and pages are written out, tab and newline kept', () => {
  assert.equal(csvField('a\u001b[31mred\u009b\u202e'), 'a\\x1b[31mred\\x9b\\u202e');
  assert.equal(csvField('a\tb'), 'a\tb');
  assert.equal(csvField('\r=1+1'), '\\x0d=1+1', 'a leading CR is written out, so the cell is no formula');
  assert.equal(csvField('\t=1+1'), "'\t=1+1");
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField(' =1+1'), "' =1+1", 'spaces before the sign: some importers trim them');
  assert.equal(csvField('\u00a0@SUM(A1)'), "'\u00a0@SUM(A1)");
  assert.equal(csvField('\n=1+1'), `"'\n=1+1"`);
  assert.equal(csvField('\uff1d1+1'), "'\uff1d1+1", 'the full-width equals sign');
  assert.equal(csvField('a=b'), 'a=b');
  assert.equal(csvField('\u009b31m\u202eabc'), '\\x9b31m\\u202eabc');
});
