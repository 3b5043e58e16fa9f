// A real RFC 3161 time-stamping authority for the tests: Debian's `openssl ts -reply` behind a
// small HTTP server on loopback, with a test CA and a TSA certificate (extendedKeyUsage critical,
// timeStamping) that openssl creates in a temp folder.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestTsa {
  url: string;
  /** PEM of the test CA that issued the TSA certificate. */
  caFile: string;
  /** Folder with the keys, certificates and openssl's TSA config. */
  dir: string;
  /** Requests answered so far. */
  requests: number;
  close(): Promise<void>;
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd });
}

/** Creates the CA and the TSA certificate (openssl) and starts the server on a free loopback port. */
export async function startTestTsa(options: { name?: string } = {}): Promise<TestTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-tsa-'));
  const name = options.name ?? 'clicktrace test TSA';
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[ca_ext]',
      'basicConstraints = critical,CA:true',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '[tsa_ext]',
      'basicConstraints = critical,CA:false',
      'keyUsage = critical,digitalSignature,nonRepudiation',
      'extendedKeyUsage = critical,timeStamping',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'),
  );
  await openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '3650',
    '-subj',
    '/CN=clicktrace test TSA root/O=clicktrace tests',
    '-config',
    'ca.cnf',
    '-extensions',
    'ca_ext',
  ]);
  await openssl(dir, [
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'tsa.key',
    '-out',
    'tsa.csr',
    '-subj',
    `/CN=${name}/O=clicktrace tests`,
  ]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'tsa.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'tsa.pem',
    '-days',
    '3650',
    '-extfile',
    'ca.cnf',
    '-extensions',
    'tsa_ext',
  ]);
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[tsa]',
      'default_tsa = tsa_config',
      '[tsa_config]',
      `dir = ${dir}`,
      'serial = $dir/tsaserial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.pem',
      'certs = $dir/ca.pem',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );

  let sequence = 0;
  const tsa: TestTsa = { url: '', caFile: join(dir, 'ca.pem'), dir, requests: 0, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = ++sequence;
      const query = join(dir, `q${n}.tsq`);
      const reply = join(dir, `r${n}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      openssl(dir, ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', query, '-out', reply])
        .then(() => {
          tsa.requests++;
          const body = readFileSync(reply);
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply', 'Content-Length': String(body.length) });
          res.end(body);
        })
        .catch((err: Error) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(err.message);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsr`;
  tsa.close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return tsa;
}

/** A token from the test TSA over other data, made directly with openssl (no server). */
export async function tokenFor(tsa: TestTsa, data: Buffer): Promise<Buffer> {
  const n = Date.now();
  const dataFile = join(tsa.dir, `data-${n}`);
  writeFileSync(dataFile, data);
  await openssl(tsa.dir, ['ts', '-query', '-data', dataFile, '-sha256', '-cert', '-out', `direct-${n}.tsq`]);
  await openssl(tsa.dir, ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', `direct-${n}.tsq`, '-out', `direct-${n}.tsr`]);
  return readFileSync(join(tsa.dir, `direct-${n}.tsr`));
}

/** A free loopback URL where nothing listens: a TSA that is down. */
export async function deadTsaUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/tsr`;
}
