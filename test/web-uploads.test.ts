// Compressed e-mail uploads to the real server (`clicktrace serve`): a gzip upload (.eml.gz,
// .mbox.gz; as a form's file or as the whole body) is gunzipped as `clicktrace mail` reads one;
// xz, bzip2 and zstd are refused in one line. The messages hold no link: nothing is traced, no
// browser is needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TraceService, type Job } from '../src/service/trace-service.js';
import { startWebServer, type RunningServer } from '../src/web/server.js';
import { MESSAGE_EML_FILE } from '../src/case/case-layout.js';
import { tempDir } from './helpers.js';

const MAX_MESSAGE_BYTES = 64 * 1024;
const casesDir = tempDir('web-uploads-');
let service: TraceService;
let web: RunningServer;

before(async () => {
  // No link is traced: a browser asked for would be a failure of the test, never started.
  service = new TraceService({ casesDir, concurrency: 1, maxMessageBytes: MAX_MESSAGE_BYTES, launch: () => new Promise(() => undefined) });
  web = await startWebServer({ service, port: 0 });
});
after(async () => {
  await web?.close();
  await service?.close();
});

const message = (subject: string) =>
  Buffer.from(`From: Sender <sender@example.test>\r\nTo: you@example.test\r\nSubject: ${subject}\r\n\r\nNo link in here.\r\n`);
const mbox = (subject: string) => Buffer.concat([Buffer.from('From sender@example.test Sat Jan  1 00:00:00 2026\n'), message(subject)]);

async function submitBody(
  body: Buffer,
  type = 'message/rfc822',
): Promise<{ status: number; json: { job?: Job; error?: { message: string } } }> {
  const res = await fetch(`${web.url}/api/submit?filename=upload`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: new Uint8Array(body),
  });
  return { status: res.status, json: (await res.json()) as { job?: Job } };
}

async function submitForm(file: Buffer, filename: string): Promise<{ status: number; json: { job?: Job; error?: { message: string } } }> {
  const form = new FormData();
  form.append('message', new Blob([new Uint8Array(file)]), filename);
  const res = await fetch(`${web.url}/api/submit`, { method: 'POST', body: form });
  return { status: res.status, json: (await res.json()) as { job?: Job } };
}

/** The message the upload's message case keeps (the bytes analysed). */
function keptMessage(job: Job | undefined): string {
  assert.ok(job?.messageCaseId, JSON.stringify(job));
  return readFileSync(join(casesDir, job.messageCaseId, MESSAGE_EML_FILE), 'utf8');
}

test('a gzip upload (.eml.gz as a form file or as the body, .mbox.gz of one message) is read gunzipped', async () => {
  const asForm = await submitForm(gzipSync(message('gzip form upload')), 'phish.eml.gz');
  assert.equal(asForm.status, 202, JSON.stringify(asForm.json));
  assert.equal(asForm.json.job?.subject, 'gzip form upload');
  assert.equal(keptMessage(asForm.json.job), message('gzip form upload').toString());

  const asBody = await submitBody(gzipSync(message('gzip body upload')));
  assert.equal(asBody.status, 202, JSON.stringify(asBody.json));
  assert.equal(asBody.json.job?.subject, 'gzip body upload');

  const mailbox = await submitForm(gzipSync(mbox('gzip mbox upload')), 'inbox.mbox.gz');
  assert.equal(mailbox.status, 202, JSON.stringify(mailbox.json));
  assert.equal(mailbox.json.job?.subject, 'gzip mbox upload');
});

test('xz, bzip2 and zstd uploads are refused in one line; a corrupt gzip or one too large once gunzipped too', async () => {
  const compressed: [string, Buffer][] = [
    ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46])],
    ['bzip2', Buffer.from('BZh91AY&SY\x00\x00\x00\x00', 'latin1')],
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x00, 0x00])],
  ];
  for (const [name, bytes] of compressed) {
    for (const upload of [await submitBody(bytes), await submitForm(bytes, `m.eml.${name}`)]) {
      assert.equal(upload.status, 400, name);
      assert.equal(
        upload.json.error?.message,
        `the upload: compressed with ${name}: decompress it first (${name} -d FILE), or upload it gzipped`,
      );
    }
  }
  const cut = gzipSync(message('cut short')).subarray(0, 30);
  const corrupt = await submitBody(cut);
  assert.equal(corrupt.status, 400);
  assert.match(corrupt.json.error?.message ?? '', /^the upload: gzip: [^\n]+$/);
  // A few KiB that gunzip past the limit: refused, not inflated whole.
  const bomb = gzipSync(Buffer.concat([message('bomb'), Buffer.alloc(4 * MAX_MESSAGE_BYTES, 'a')]));
  assert.ok(bomb.length < MAX_MESSAGE_BYTES);
  const tooLarge = await submitBody(bomb);
  assert.equal(tooLarge.status, 413);
  assert.equal(tooLarge.json.error?.message, `the upload: message larger than ${MAX_MESSAGE_BYTES} bytes once gunzipped; not read`);
});
