import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CdpConnection } from './connection.js';

/** A connection over two pipes, as Chromium's --remote-debugging-pipe gives them, and what it sent. */
function pipes(): { connection: CdpConnection; fromBrowser: PassThrough; sent: () => { id: number; method: string }[] } {
  const toBrowser = new PassThrough();
  const fromBrowser = new PassThrough();
  let written = '';
  toBrowser.on('data', (c: Buffer) => (written += c.toString()));
  const connection = new CdpConnection(toBrowser, fromBrowser);
  const sent = () =>
    written
      .split('\0')
      .filter(Boolean)
      .map((m) => JSON.parse(m) as { id: number; method: string });
  return { connection, fromBrowser, sent };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('messages are framed by NUL whatever the chunks: split anywhere, several in one chunk, a character cut in two', async () => {
  const { connection, fromBrowser } = pipes();
  const titles: string[] = [];
  connection.browser.on('Target.targetInfoChanged', (p) => titles.push(p.targetInfo.title));
  const event = (title: string) => `${JSON.stringify({ method: 'Target.targetInfoChanged', params: { targetInfo: { title } } })}\0`;
  const bytes = Buffer.from(event('première') + event('二番目') + event('third'));
  // Cut inside the two-byte "è" and the three-byte "番", and between the second NUL and the third message.
  for (const [from, to] of [
    [0, 14],
    [14, 40],
    [40, 77],
    [77, bytes.length],
  ]) {
    fromBrowser.write(bytes.subarray(from, to));
    await tick();
  }
  assert.deepEqual(titles, ['première', '二番目', 'third']);
});

test('a 12 MB answer in 64 KB chunks arrives whole (each chunk is searched, not the whole message so far)', async () => {
  const { connection, fromBrowser, sent } = pipes();
  const html = '<p>x</p>'.repeat(1_500_000);
  const answer = connection.send('Runtime.evaluate', { expression: 'document.documentElement.outerHTML' });
  const { id } = sent()[0];
  const message = Buffer.from(`${JSON.stringify({ id, result: { result: { type: 'string', value: html } } })}\0`);
  for (let at = 0; at < message.length; at += 65536) fromBrowser.write(message.subarray(at, at + 65536));
  const result = (await answer) as { result: { value: string } };
  assert.equal(result.result.value.length, html.length);
});

test('bytes that are not JSON are skipped; the next message still arrives', async () => {
  const { connection, fromBrowser, sent } = pipes();
  const answer = connection.send('Browser.getVersion', {});
  const { id } = sent()[0];
  fromBrowser.write(`not json\0${JSON.stringify({ id, result: { product: 'Chrome/1' } })}\0`);
  assert.deepEqual(await answer, { product: 'Chrome/1' });
});
