import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { describeNetworkError } from './recording-proxy.js';

test('a TLS handshake with a server that does not speak TLS is said plainly, without OpenSSL noise', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'plain.test', rejectUnauthorized: false });
    socket.on('error', resolve);
    socket.on('secureConnect', () => resolve(new Error('handshake succeeded')));
  });
  const text = describeNetworkError(err, new URL('https://plain.test/x'), ['127.0.0.1'], port);
  assert.equal(
    text,
    `TLS handshake with plain.test (127.0.0.1:${port}) failed (wrong version number: the server does not speak TLS there (plain HTTP on a TLS port?))`,
  );
  assert.doesNotMatch(text, /openssl|\.c:\d+|[0-9A-F]{16}/);
});
