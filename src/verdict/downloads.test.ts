import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Exchange } from '../model.js';
import { dispositionFilename, downloadsOf, magicName } from './downloads.js';

function exchange(id: string, url: string, headers: [string, string][], body: Buffer, status = 200): Exchange {
  return {
    id,
    startedAt: '2026-09-17T10:00:00.000Z',
    endedAt: null,
    request: { method: 'GET', url, httpVersion: '1.1', headers: [], body: Buffer.alloc(0) },
    response: { status, statusText: '', httpVersion: '1.1', headers, body, bodyTruncated: false, bodyLength: body.length },
    remoteAddress: null,
    remotePort: null,
    tls: null,
    error: null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: null },
  };
}

test('downloads: announced by the browser or sent as attachment, hashed after content-decoding; pages are not downloads', () => {
  const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('rest')]);
  const exe = Buffer.from('MZ\x90\x00');
  const facts = downloadsOf({
    events: [{ type: 'download', at: '', pageId: 'p', url: 'https://files.test/a/invoice.zip', suggestedFilename: 'invoice.zip' }],
    exchanges: [
      exchange('x1', 'https://files.test/a/invoice.zip', [['Content-Type', 'application/zip']], zip),
      exchange(
        'x2',
        'https://files.test/get?id=1',
        [
          ['Content-Disposition', 'attachment; filename="setup.pdf"'],
          ['Content-Encoding', 'gzip'],
        ],
        gzipSync(exe),
      ),
      exchange('x3', 'https://files.test/page', [['Content-Type', 'text/html']], Buffer.from('<p>hi</p>')),
    ],
  });
  assert.deepEqual(
    facts.map((f) => [f.filename, f.magic, f.size, f.sha256, f.exchange]),
    [
      ['invoice.zip', 'ZIP archive (also .docx, .xlsx, .jar, .apk)', zip.length, createHash('sha256').update(zip).digest('hex'), 'x1'],
      ['setup.pdf', 'Windows executable', exe.length, createHash('sha256').update(exe).digest('hex'), 'x2'],
    ],
  );
});

test('Content-Disposition file names: filename* first, then filename, quoted or not', () => {
  assert.equal(dispositionFilename(`attachment; filename="a b.zip"; filename*=UTF-8''%C3%A9t%C3%A9.zip`), 'été.zip');
  assert.equal(dispositionFilename('attachment; filename=plain.exe'), 'plain.exe');
  assert.equal(dispositionFilename('inline'), null);
  assert.equal(magicName(Buffer.from('%PDF-1.7')), 'PDF document');
  assert.equal(magicName(Buffer.from('hello')), null);
});
