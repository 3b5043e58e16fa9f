import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { endedByFin, inCloseWait, tcpPorts, type TcpPorts } from './tcp-close.js';

const TABLE = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:9F3B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 168249 1',
  '   1: 0100007F:D2F4 0100007F:8F3B 08 00000000:00000000 00:00000000 00000000     0        0 168250 1',
  '   2: 0100007F:D2F5 0100007F:8F3B 01 00000000:00000000 00:00000000 00000000     0        0 168251 1',
].join('\n');

test('a connection is found by its two ports, in CLOSE_WAIT or not', () => {
  assert.equal(inCloseWait(TABLE, 0xd2f4, 0x8f3b), true);
  assert.equal(inCloseWait(TABLE, 0xd2f5, 0x8f3b), false, 'established');
  assert.equal(inCloseWait(TABLE, 0xd2f6, 0x8f3b), false, 'not listed: reset');
});

/** Ends each connection as `how` says, with bytes the client has not read yet (paused): what the end tells. */
async function endsSeen(how: 'fin' | 'reset'): Promise<(boolean | null)[]> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write(Buffer.alloc(12_345, 'a'), () => (how === 'reset' ? socket.resetAndDestroy() : socket.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const seen: (boolean | null)[] = [];
  for (let i = 0; i < 5; i++) {
    seen.push(
      await new Promise<boolean | null>((resolve) => {
        const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
        let ports: TcpPorts | null = null;
        let verdict: boolean | null | 'error' = null;
        client.pause();
        client.on('connect', () => (ports = tcpPorts(client)));
        setTimeout(() => client.resume(), 100);
        client.on('data', () => undefined);
        client.on('end', () => (verdict = endedByFin(ports)));
        client.on('error', () => (verdict = 'error'));
        // A reset read as such (an error) is what the caller sees without asking: count it as "not a FIN".
        client.on('close', () => resolve(verdict === 'error' ? false : verdict));
      }),
    );
  }
  server.close();
  return seen;
}

test('a FIN is told from a reset that came before the last bytes were read', { skip: !existsSync('/proc/net/tcp') }, async () => {
  assert.deepEqual(await endsSeen('fin'), [true, true, true, true, true]);
  assert.deepEqual(await endsSeen('reset'), [false, false, false, false, false]);
});
