import assert from 'node:assert/strict';
import { request, createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { BodyError, readBody } from './request-body.js';

/** Sends `body` (in `pieces` writes, chunked when `chunked`) to a server that reads it with readBody(limit). */
async function roundTrip(body: Buffer, limit: number, chunked = false): Promise<Buffer | BodyError> {
  let read: Promise<Buffer | BodyError> = Promise.resolve(new BodyError('not read', 500));
  const server = createServer((req: IncomingMessage, res) => {
    read = readBody(req, limit).catch((err: BodyError) => err);
    void read.then(() => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    const req = request({ port, method: 'POST', headers: chunked ? {} : { 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', () => resolve());
    for (let at = 0; at < body.length; at += 65536) req.write(body.subarray(at, at + 65536));
    req.end();
  });
  server.close();
  return read;
}

test('a body is read whole, with or without a Content-Length', async () => {
  const body = Buffer.alloc(300_000, 7);
  body.write('end', body.length - 3);
  assert.deepEqual(await roundTrip(body, 1_000_000), body);
  assert.deepEqual(await roundTrip(body, 1_000_000, true), body);
  assert.deepEqual(await roundTrip(Buffer.alloc(0), 10), Buffer.alloc(0));
});

test('a body over the limit is refused (413), declared or not', async () => {
  const body = Buffer.alloc(5000, 1);
  const declared = await roundTrip(body, 4000);
  assert.ok(declared instanceof BodyError && declared.status === 413);
  const chunked = await roundTrip(body, 4000, true);
  assert.ok(chunked instanceof BodyError && chunked.status === 413);
});
