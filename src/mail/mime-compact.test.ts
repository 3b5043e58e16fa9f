import { test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime, { type Email } from 'postal-mime';
import { compactUnencodedParts } from './mime-compact.js';

// Thresholds scaled down so that small messages take the large-message path.
const SMALL = { minMessageBytes: 1000, minPartBytes: 1000 };
const parse = (raw: Buffer) => PostalMime.parse(raw, { forceRfc822Attachments: true });
const bytes = (email: Email) => email.attachments.map((a) => Buffer.from(a.content as ArrayBuffer).toString('base64'));

function largeMessage(newline: string): Buffer {
  const text = Array.from({ length: 300 }, (_, i) => `line ${i} see https://x.example/${i}\r`).join(newline);
  const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));
  const html = `<p>${'<a href="https://y.example/">y</a>'.repeat(90)}</p>`;
  return Buffer.concat([
    Buffer.from(
      [
        'From: a@x.example',
        'Subject: big',
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        'preamble',
        '--outer',
        'Content-Type: multipart/alternative;',
        ' boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        text,
        '--inner',
        'Content-Type: text/html; charset=utf-8',
        '',
        html,
        '--inner--',
        '--outer',
        'Content-Type: application/octet-stream; name="blob.bin"',
        'Content-Transfer-Encoding: binary',
        '',
        '',
      ].join(newline),
      'latin1',
    ),
    binary,
    Buffer.from(`${newline}--outer--${newline}epilogue${newline}`, 'latin1'),
  ]);
}

for (const [label, newline] of [
  ['CRLF', '\r\n'],
  ['LF', '\n'],
] as const) {
  test(`re-encoding large unencoded parts leaves postal-mime's result unchanged (${label})`, async () => {
    const raw = largeMessage(newline);
    const compacted = compactUnencodedParts(raw, SMALL);
    assert.notEqual(compacted, raw);
    assert.ok(compacted.toString('latin1').includes('Content-Transfer-Encoding: base64'));
    const [before, after] = await Promise.all([parse(raw), parse(compacted)]);
    assert.equal(after.text, before.text);
    assert.equal(after.html, before.html);
    assert.deepEqual(bytes(after), bytes(before));
    assert.deepEqual(
      after.headers.map((h) => h.key),
      before.headers.map((h) => h.key),
    );
  });
}

test('small messages, small parts and encoded parts are not touched', () => {
  const small = Buffer.from('From: a@x.example\r\n\r\nhello\r\n');
  assert.equal(compactUnencodedParts(small), small);
  const smallPart = Buffer.from('From: a@x.example\r\n\r\n' + 'hello\r\n'.repeat(100));
  assert.deepEqual(compactUnencodedParts(smallPart, { minMessageBytes: 0 }), smallPart);
  const encoded = Buffer.from('From: a@x.example\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' + 'a=3D1\r\n'.repeat(3000));
  assert.deepEqual(compactUnencodedParts(encoded, SMALL), encoded);
});

test('a message without a header/body split or with a broken multipart stays as it is', () => {
  const headersOnly = Buffer.from('From: a@x.example\r\nSubject: x'.padEnd(3000, 'x'));
  assert.deepEqual(compactUnencodedParts(headersOnly, SMALL), headersOnly);
  const noDelimiter = Buffer.from('Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + 'text\r\n'.repeat(1000));
  assert.deepEqual(compactUnencodedParts(noDelimiter, SMALL), noDelimiter);
});
