import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PostalMime, { type Email } from 'postal-mime';
import { compactUnencodedParts, decodeMime } from './decode-mime.js';
import { projectPath } from '../project-root.js';
import { emlFiles, FIXTURE_CORPUS, NEEDS_SHARED_CORPUS, SHARED_CORPUS } from '../../test/support/corpus.js';

const plain = (raw: Buffer) => PostalMime.parse(raw, { forceRfc822Attachments: true, attachmentEncoding: 'arraybuffer' });

/** Everything of a parsed Email that analysis reads, attachment bodies as hashes. */
function fingerprint(email: Email): string {
  return JSON.stringify({
    headers: email.headers,
    headerLines: email.headerLines,
    subject: email.subject,
    from: email.from,
    to: email.to,
    date: email.date,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((a) => [
      a.filename,
      a.mimeType,
      a.disposition,
      a.contentId,
      a.related ?? false,
      createHash('sha256')
        .update(Buffer.from(a.content as ArrayBuffer))
        .digest('hex'),
    ]),
  });
}

async function assertSameAsPostalMime(raw: Buffer, label: string, options = {}): Promise<void> {
  const [expected, actual] = await Promise.all([plain(raw), decodeMime(raw, options)]);
  assert.equal(fingerprint(actual), fingerprint(expected), label);
}

function nestedMessage(newline: string): Buffer {
  const text = Array.from({ length: 300 }, (_, i) => `line ${i} see https://x.example/${i}\r`).join(newline);
  const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));
  const html = `<p>${'<a href="https://y.example/">y</a>'.repeat(90)}</p>`;
  return Buffer.concat([
    Buffer.from(
      [
        'From: a@x.example',
        'Subject: nested',
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
        '',
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
  test(`nested unencoded parts are re-encoded and postal-mime's result is unchanged (${label})`, async () => {
    const raw = nestedMessage(newline);
    const compacted = compactUnencodedParts(raw);
    assert.equal(compacted.topLevelEncoding, undefined);
    assert.equal(compacted.raw.toString('latin1').match(/Content-Transfer-Encoding: base64/g)?.length, 3);
    await assertSameAsPostalMime(raw, label);
  });
}

test('a single-part message keeps its own Content-Transfer-Encoding header (present or absent)', async () => {
  const body = 'Visit https://x.example/\r\n'.repeat(100);
  await assertSameAsPostalMime(Buffer.from(`From: a@x.example\r\nContent-Transfer-Encoding: 8bit\r\nSubject: s\r\n\r\n${body}`), 'present');
  await assertSameAsPostalMime(Buffer.from(`From: a@x.example\r\nSubject: s\r\n\r\n${body}\r\n\r\n`), 'absent');
  assert.equal(
    compactUnencodedParts(Buffer.from(`From: a@x.example\r\nContent-Transfer-Encoding:  8Bit\r\n\r\n${body}`)).topLevelEncoding,
    '  8Bit',
  );
});

test('small parts, encoded parts, ambiguous headers and broken structure are left as they are', () => {
  const unchanged = (raw: Buffer) => assert.deepEqual(compactUnencodedParts(raw).raw, raw);
  unchanged(Buffer.from('From: a@x.example\r\n\r\nhello\r\n'));
  unchanged(Buffer.from('From: a@x.example\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' + 'a=3D1\r\n'.repeat(300)));
  unchanged(
    Buffer.from(
      'From: a@x.example\r\nContent-Transfer-Encoding: 8bit\r\nContent-Transfer-Encoding: base64\r\n\r\n' + 'aGVsbG8=\r\n'.repeat(300),
    ),
  );
  unchanged(Buffer.from('From: a@x.example\r\nSubject: x'.padEnd(3000, 'x')));
  unchanged(Buffer.from('Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + 'text\r\n'.repeat(1000)));
  assert.equal(compactUnencodedParts(Buffer.alloc(5000, 'a'), { minMessageBytes: 10_000 }).raw.length, 5000);
});

test('the same Email as plain postal-mime for the mail fixtures and the shipped phishing-pot messages', async () => {
  const fixtures = projectPath('test', 'fixtures', 'mail');
  const files = [...emlFiles(fixtures).map((f) => join(fixtures, f)), ...emlFiles(FIXTURE_CORPUS).map((f) => join(FIXTURE_CORPUS, f))];
  assert.ok(files.length > 35);
  for (const file of files) await assertSameAsPostalMime(readFileSync(file), file);
});

test('the same Email as plain postal-mime for half of the phishing-pot sample', { skip: NEEDS_SHARED_CORPUS }, async () => {
  const files = emlFiles(SHARED_CORPUS!)
    .filter((_, i) => i % 2 === 0)
    .map((f) => join(SHARED_CORPUS!, f));
  assert.equal(files.length, 158);
  for (const file of files) await assertSameAsPostalMime(readFileSync(file), file);
});

function withAttachment(contentType: string, body: string, disposition = 'attachment; filename="invoice.pdf"'): Buffer {
  return Buffer.from(
    [
      'From: a@x.example',
      'Subject: invoice',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p><a href="https://pay.example/">pay</a></p>',
      '--b1',
      `Content-Type: ${contentType}`,
      `Content-Disposition: ${disposition}`,
      'Content-Id: <part1@x.example>',
      'Content-Transfer-Encoding: base64',
      '',
      body,
      '--b1--',
      '',
    ].join('\r\n'),
    'latin1',
  );
}

test('base64 attachments are decoded natively behind a placeholder, and the Email is unchanged', async () => {
  const bytes = Buffer.from(Array.from({ length: 9001 }, (_, i) => (i * 31 + 7) % 256));
  const lines = bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  // Some mailers pad every line: postal-mime decodes each padded unit on its own.
  const paddedEveryLine = Array.from({ length: Math.ceil(bytes.length / 50) }, (_, i) =>
    bytes.subarray(i * 50, i * 50 + 50).toString('base64'),
  ).join('\r\n');
  const cases: [string, Buffer, number][] = [
    ['clean body', withAttachment('application/pdf; name="invoice.pdf"', lines), 1],
    ['unpadded tail', withAttachment('application/pdf', lines.replace(/=+$/, '')), 1],
    ['inline image', withAttachment('image/png', lines, 'inline'), 1],
    ['padding on every line: left to postal-mime', withAttachment('application/pdf', paddedEveryLine), 0],
    ['a stray character: left to postal-mime', withAttachment('application/pdf', lines.slice(0, 100) + '!' + lines.slice(100)), 0],
    ['a text attachment: left to postal-mime', withAttachment('text/plain; charset=utf-8', lines), 0],
    ['an attached message: left to postal-mime', withAttachment('message/rfc822', lines), 0],
    ['a malformed content type: left to postal-mime', withAttachment('application/pdf name=x', lines), 0],
  ];
  for (const [label, raw, placeholders] of cases) {
    assert.equal(compactUnencodedParts(raw).placeholders?.size ?? 0, placeholders, label);
    await assertSameAsPostalMime(raw, label);
  }
  const decoded = await decodeMime(cases[0][1]);
  assert.ok(Buffer.from(decoded.attachments[0].content as ArrayBuffer).equals(bytes));
});

test('a quoted-printable soft break with trailing whitespace after "=" is still a soft break (RFC 2045 6.7)', async () => {
  const message = (body: string) =>
    Buffer.from(
      `From: a@x.example\r\nSubject: t\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${body}`,
    );
  const padded = await decodeMime(message('see http://x.example/a.dll?ID=3DAb=  \r\nCd%2B=\t\r\nEf and a =3D b = c\r\nend = \r\n'));
  assert.equal(padded.text, 'see http://x.example/a.dll?ID=AbCd%2BEf and a = b = c\nend ');
  const unpadded = await decodeMime(message('see http://x.example/a.dll?ID=3DAb=\r\nCd\r\n'));
  assert.equal(unpadded.text, 'see http://x.example/a.dll?ID=AbCd\n');
});
