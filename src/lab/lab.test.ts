// The lab's servers (virtual hosts, redirect bodies, request log and hit counter, single-use and
// time-limited links, hang, reset, download, cloaking, hostile responses), its certificates, and
// its lifecycle (close() leaves nothing open; the CLI command). One file, so one process pays
// for the lab's key material once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startLab, requestMatches, type Lab } from './lab.js';
import { labRequest, BROWSER_HEADERS } from './lab-client.js';
import { runLabCommand, shellQuote } from './command.js';
import { LAB_CA_NAME } from './tls.js';
import { HOSTS, WRONG_HOST_CERT_NAME } from './hosts.js';
import { redirectBody } from './exchange.js';
import { DOWNLOAD_SHA256, DOWNLOAD_SIZE, DOWNLOAD_BODY } from './download.js';
import { SEED_CONTACT_URL, SEED_IDS, SEED_LANDING_TITLE } from './scenarios/seed.js';
import { landingUrl } from './scenarios/common.js';
import { DOWNLOAD_URL, SINGLE_USE_PREFIX, SINGLE_USE_SLOW_PREFIX } from './scenarios/links.js';
import { CLOAKED_DESTINATION, DECOY_TITLE, HANG_URL, RESET_URL, XSS_STRICT_URL, XSS_URL } from './scenarios/hostile.js';

let lab: Lab;
let ca: Buffer;
before(async () => {
  lab = await startLab();
  ca = readFileSync(lab.caCertPath);
});
after(() => lab.close());

const title = (body: Buffer) => /<title>([\s\S]*?)<\/title>/.exec(body.toString('utf8'))?.[1];

describe('lab servers', () => {
  it('exposes ports and curl-style trace arguments', () => {
    assert.ok(lab.httpPort > 0 && lab.httpsPort > 0 && lab.httpPort !== lab.httpsPort);
    assert.equal(lab.dnsPort, null);
    assert.deepEqual(lab.traceArgs, [
      '--connect-to',
      `:80:127.0.0.1:${lab.httpPort}`,
      '--connect-to',
      `:443:127.0.0.1:${lab.httpsPort}`,
      '--cacert',
      lab.caCertPath,
    ]);
  });

  it('serves the seed landing page with tracker headers, and its Find out more link 302s to the advertiser', async () => {
    const seed = lab.scenarios['seed'];
    const landing = await labRequest(lab, seed.url);
    assert.equal(landing.status, 200);
    assert.equal(title(landing.body), SEED_LANDING_TITLE);
    assert.equal(landing.headers['server'], 'Microsoft-IIS/10.0');
    assert.match(String(landing.headers['set-cookie']), /^ASP\.NET_SessionId=[0-9a-f]+;/);
    assert.match(String(landing.headers['date']), /GMT$/);
    const link = /<a class="button" href="([^"]+)">Find out more<\/a>/.exec(landing.body.toString())![1];
    assert.ok(link.includes(SEED_IDS.findOutMore));
    const hop = await labRequest(lab, link);
    assert.equal(hop.status, 302);
    assert.equal(hop.headers.location, SEED_CONTACT_URL);
    assert.deepEqual(hop.body, redirectBody(SEED_CONTACT_URL));
    // Any client host under emsecure.test plays the same tracker.
    const other = await labRequest(lab, `http://news.other-brand.emsecure.test/optiext/optiextension.dll?ID=abc`);
    assert.equal(other.status, 200);
  });

  for (const status of [301, 302, 307, 308]) {
    it(`http-${status} answers ${status} with the fixed redirect body`, async () => {
      const s = lab.scenarios[`http-${status}`];
      const res = await labRequest(lab, s.url);
      assert.equal(res.status, status);
      assert.equal(res.headers.location, s.finalUrl);
      assert.deepEqual(res.body, redirectBody(s.finalUrl!));
      assert.equal(Number(res.headers['content-length']), redirectBody(s.finalUrl!).length);
      assert.equal(res.headers['server'], 'nginx');
      assert.ok(res.headers['set-cookie']);
    });
  }

  it('http-303 answers a POST with 303', async () => {
    const res = await labRequest(lab, 'http://click.mailer-esp.test/c/http-303/submit', { method: 'POST', body: 't=a81f' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, landingUrl('http-303'));
    assert.deepEqual(res.body, redirectBody(landingUrl('http-303')));
  });

  it('refresh-header sends Refresh: 0; url=...', async () => {
    const res = await labRequest(lab, lab.scenarios['refresh-header'].url);
    assert.equal(res.status, 200);
    assert.equal(res.headers['refresh'], `0; url=${landingUrl('refresh-header')}`);
  });

  it('redirectBody escapes the location and is stable', () => {
    const body = redirectBody('http://a.test/?q="><script>').toString();
    assert.ok(!body.includes('<script>'));
    assert.deepEqual(redirectBody('http://x.test/'), redirectBody('http://x.test/'));
  });

  it('counts hits by path, path with query, or absolute URL, and logs every request', async () => {
    const url = 'http://click.mailer-esp.test/c/http-302?mid=1';
    const before = lab.hits('/c/http-302');
    await labRequest(lab, url, { headers: { 'X-Probe': 'yes' } });
    await labRequest(lab, 'http://click.mailer-esp.test/c/http-302?mid=2');
    assert.equal(lab.hits('/c/http-302'), before + 2);
    assert.equal(lab.hits('/c/http-302?mid=1'), 1);
    assert.equal(lab.hits(url), 1);
    assert.equal(lab.hits('https://click.mailer-esp.test/c/http-302?mid=1'), 0);
    assert.equal(lab.hits('http://other.test/c/http-302'), 0);
    const record = lab.requests.find((r) => r.url === url)!;
    assert.equal(record.method, 'GET');
    assert.equal(record.host, 'click.mailer-esp.test');
    assert.equal(record.headers['x-probe'], 'yes');
    assert.ok(record.at > 0);
    assert.ok(requestMatches('https://a.test/x?y=1', '/x'));
    assert.ok(!requestMatches('https://a.test/x?y=1', '/x?y=2'));
  });

  it('single-use link: 302 the first time, 410 Gone afterwards (per token)', async () => {
    const url = `${SINGLE_USE_PREFIX}test-token-1`;
    const first = await labRequest(lab, url);
    assert.equal(first.status, 302);
    assert.equal(first.headers.location, landingUrl('single-use'));
    const second = await labRequest(lab, url);
    assert.equal(second.status, 410);
    assert.match(second.body.toString(), /already been used/);
    assert.equal(lab.hits(url), 2);
    assert.equal((await labRequest(lab, `${SINGLE_USE_PREFIX}test-token-2`)).status, 302);
  });

  it('single-use link held slow: 302 to a server that never answers the first time, 410 Gone afterwards', async () => {
    const url = `${SINGLE_USE_SLOW_PREFIX}test-token-1`;
    const first = await labRequest(lab, url);
    assert.equal(first.status, 302);
    assert.equal(first.headers.location, HANG_URL);
    assert.equal((await labRequest(lab, url)).status, 410);
    assert.equal(lab.hits(url), 2);
  });

  it('time-limited link: valid until its expiry, 410 once expired, 403 when tampered with', async () => {
    const valid = lab.scenarios['time-limited'].url;
    const exp = Number(new URL(valid).searchParams.get('exp'));
    assert.ok(exp > Date.now() / 1000 + 50 && exp <= Date.now() / 1000 + 60);
    assert.equal((await labRequest(lab, valid)).status, 302);
    const expired = await labRequest(lab, lab.scenarios['time-limited-expired'].url);
    assert.equal(expired.status, 410);
    assert.match(expired.body.toString(), /expired/);
    const tampered = valid.replace(/exp=\d+/, `exp=${exp + 3600}`);
    assert.equal((await labRequest(lab, tampered)).status, 403);
  });

  it('the hang host accepts the connection and does not answer', async () => {
    const started = Date.now();
    await assert.rejects(labRequest(lab, HANG_URL, { timeoutMs: 500 }), { code: 'ETIMEDOUT' });
    assert.ok(Date.now() - started >= 490);
    assert.equal(lab.hits(HANG_URL), 1);
  });

  it('the reset host resets the connection', async () => {
    await assert.rejects(labRequest(lab, RESET_URL), (err: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(err.code ?? ''));
    assert.equal(lab.hits(RESET_URL), 1);
  });

  it('download serves the known ZIP as an attachment', async () => {
    const hop = await labRequest(lab, lab.scenarios['download'].url);
    assert.equal(hop.status, 302);
    assert.equal(hop.headers.location, DOWNLOAD_URL);
    const file = await labRequest(lab, DOWNLOAD_URL);
    assert.equal(file.status, 200);
    assert.equal(file.headers['content-type'], 'application/zip');
    assert.equal(file.headers['content-disposition'], 'attachment; filename="invoice.zip"');
    assert.equal(file.body.length, DOWNLOAD_SIZE);
    assert.equal(createHash('sha256').update(file.body).digest('hex'), DOWNLOAD_SHA256);
    assert.deepEqual(file.body, DOWNLOAD_BODY);
    assert.equal(file.body.readUInt32LE(0), 0x04034b50);
  });

  it('cloaking: the decoy for headless or language-less clients, the redirect script for browsers', async () => {
    const url = lab.scenarios['cloaking'].url;
    const headless = await labRequest(lab, url, {
      headers: { ...BROWSER_HEADERS, 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0.0.0 Safari/537.36' },
    });
    const noLanguage = await labRequest(lab, url, { headers: { 'User-Agent': BROWSER_HEADERS['User-Agent'] } });
    const browser = await labRequest(lab, url, { headers: BROWSER_HEADERS });
    for (const res of [headless, noLanguage, browser]) assert.equal(title(res.body), DECOY_TITLE);
    assert.ok(!headless.body.toString().includes(CLOAKED_DESTINATION));
    assert.ok(!noLanguage.body.toString().includes(CLOAKED_DESTINATION));
    const html = browser.body.toString();
    assert.ok(html.includes(CLOAKED_DESTINATION));
    assert.match(html, /navigator\.webdriver/);
    assert.match(html, /window\.chrome/);
  });

  it('xss: markup and control characters in title, headers and URL', async () => {
    const hop = await labRequest(lab, lab.scenarios['xss'].url);
    assert.equal(hop.status, 302);
    assert.equal(hop.headers.location, XSS_URL);
    assert.match(XSS_URL, /%3Cimg%20src%3Dx%20onerror%3Dalert\(1\)%3E/);
    assert.match(XSS_URL, /%1B%5B31m/);
    const page = await labRequest(lab, XSS_URL);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['x-campaign']), /<script>/);
    assert.ok(String(page.headers['x-offer-note']).includes('\x1b[31m'));
    const t = title(page.body)!;
    assert.ok(t.includes('<script>') && t.includes('\x1b[31m') && t.includes('onerror='));
    const strict = await labRequest(lab, XSS_STRICT_URL);
    assert.equal(strict.status, 200);
    assert.equal(strict.headers['x-offer-note'], undefined);
    assert.ok(strict.rawHeaders.every((h) => !/[\x00-\x08\x0a-\x1f\x7f]/.test(h)));
  });

  it('answers HTTPS on the same virtual hosts', async () => {
    const res = await labRequest(lab, SEED_CONTACT_URL);
    assert.equal(res.status, 200);
    assert.equal(res.tls?.authorized, true);
    assert.equal(title(res.body), 'Contact a Business Expert | T-Mobile for Business');
  });

  it('landing pages accept POST; unknown hosts and paths get 404; wrong methods 405', async () => {
    const post = await labRequest(lab, landingUrl('form-post'), { method: 'POST', body: 'sid=5521' });
    assert.equal(post.status, 200);
    assert.equal((await labRequest(lab, 'http://nowhere.example/')).status, 404);
    assert.equal((await labRequest(lab, 'http://click.mailer-esp.test/favicon.ico')).status, 404);
    assert.equal((await labRequest(lab, lab.scenarios['http-301'].url, { method: 'DELETE' })).status, 405);
  });
});

interface Handshake {
  authorized: boolean;
  authorizationError: string | null;
  cert: PeerCertificate;
  protocol: string | null;
}

function handshake(servername: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: lab.httpsPort, servername, ca, rejectUnauthorized: false }, () => {
      const result = {
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
        cert: socket.getPeerCertificate(),
        protocol: socket.getProtocol(),
      };
      socket.destroy();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

describe('lab TLS', () => {
  it('writes the lab CA where traceArgs point', () => {
    const caCert = new X509Certificate(ca);
    assert.match(caCert.subject, new RegExp(`CN=${LAB_CA_NAME}`));
    assert.equal(caCert.ca, true);
  });

  it('issues a valid lab-CA certificate for any SNI name, once per host', async () => {
    const first = await handshake(HOSTS.tmobileBusiness);
    assert.equal(first.authorized, true, String(first.authorizationError));
    assert.equal(first.cert.subject.CN, HOSTS.tmobileBusiness);
    assert.equal(first.cert.issuer.CN, LAB_CA_NAME);
    assert.equal(first.cert.subjectaltname, `DNS:${HOSTS.tmobileBusiness}`);
    assert.match(first.protocol ?? '', /^TLSv1\.[23]$/);
    const again = await handshake(HOSTS.tmobileBusiness);
    assert.equal(again.cert.fingerprint256, first.cert.fingerprint256);
    const other = await handshake('anything.example');
    assert.equal(other.authorized, true);
    assert.notEqual(other.cert.fingerprint256, first.cert.fingerprint256);
  });

  it('expired.badssl.test presents an expired lab-CA certificate', async () => {
    const h = await handshake(HOSTS.badExpired);
    assert.equal(h.authorized, false);
    assert.equal(h.authorizationError, 'CERT_HAS_EXPIRED');
    assert.ok(new Date(h.cert.valid_to).getTime() < Date.now());
    assert.equal(h.cert.issuer.CN, LAB_CA_NAME);
  });

  it('self-signed.badssl.test presents a self-signed certificate', async () => {
    const h = await handshake(HOSTS.badSelfSigned);
    assert.equal(h.authorized, false);
    assert.equal(h.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.deepEqual({ ...h.cert.issuer }, { ...h.cert.subject });
  });

  it('wrong-host.badssl.test presents a certificate for another name', async () => {
    const h = await handshake(HOSTS.badWrongHost);
    assert.equal(h.authorized, false);
    assert.equal(h.authorizationError, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(h.cert.subjectaltname, `DNS:${WRONG_HOST_CERT_NAME}`);
    assert.equal(h.cert.issuer.CN, LAB_CA_NAME);
  });

  it('bad-certificate hosts still serve their page to clients that accept the certificate', async () => {
    for (const name of ['bad-tls-expired', 'bad-tls-self-signed', 'bad-tls-wrong-host']) {
      const s = lab.scenarios[name];
      await assert.rejects(labRequest(lab, s.url), `${name} must fail verification`);
      const res = await labRequest(lab, s.url, { verify: false });
      assert.equal(res.status, 200);
      assert.match(res.body.toString(), /http-equiv="refresh"/);
      assert.equal(res.tls?.authorized, false);
    }
  });
});

function networkHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => /TCP|UDP|Pipe|TLS/.test(r) && r !== 'PipeWrap' && r !== 'TTYWrap');
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 20));
}

describe('lab lifecycle', () => {
  it('close() destroys hanging connections, stops every server and removes its temp dir', async () => {
    const before = networkHandles().length;
    const lab = await startLab({ dns: true });
    assert.ok(lab.dnsPort);
    const pending = labRequest(lab, HANG_URL).catch((err: NodeJS.ErrnoException) => err);
    const pendingTls = labRequest(lab, HANG_URL.replace('http:', 'https:')).catch((err: NodeJS.ErrnoException) => err);
    while (lab.hits('/wait') < 2) await settle();
    await lab.close();
    await lab.close(); // idempotent
    const [err, errTls] = await Promise.all([pending, pendingTls]);
    assert.ok(err instanceof Error && errTls instanceof Error, 'hanging requests end when the lab closes');
    assert.ok(!existsSync(lab.caCertPath));
    await assert.rejects(labRequest(lab, 'http://click.mailer-esp.test/'), { code: 'ECONNREFUSED' });
    await settle();
    assert.ok(networkHandles().length <= before, `left open: ${networkHandles().join(', ')}`);
  });

  it('clicktrace lab --json prints ports, trace arguments and scenarios, and stops on request', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const stop = new AbortController();
    let lab: Lab | undefined;
    const exit = runLabCommand(['--json', '--dns'], { stdout: out, signal: stop.signal, onReady: (l) => ((lab = l), stop.abort()) });
    assert.equal(await exit, 0);
    const listing = JSON.parse(text.split('\n')[0]) as {
      httpPort: number;
      dnsPort: number;
      traceArgs: string[];
      scenarios: { name: string; url: string; description: string; command: string[] }[];
    };
    assert.equal(listing.httpPort, lab!.httpPort);
    // With the lab DNS, names are resolved by it: only the ports are mapped to the lab's.
    assert.deepEqual(listing.traceArgs, [
      '--connect-to',
      `:80::${lab!.httpPort}`,
      '--connect-to',
      `:443::${lab!.httpsPort}`,
      '--cacert',
      lab!.caCertPath,
      '--dns-server',
      `127.0.0.1:${listing.dnsPort}`,
      '--allow-private',
    ]);
    const seed = listing.scenarios.find((s) => s.name === 'seed')!;
    assert.deepEqual(seed.command.slice(0, 3), ['clicktrace', 'trace', seed.url]);
    assert.deepEqual(seed.command.slice(-2), ['--click', 'Find out more']);
    assert.ok(listing.scenarios.length >= 35);
  });

  it('clicktrace lab prints a human listing with copy-paste trace commands', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const stop = new AbortController();
    let lab: Lab | undefined;
    assert.equal(await runLabCommand([], { stdout: out, signal: stop.signal, onReady: (l) => ((lab = l), stop.abort()) }), 0);
    assert.match(text, /Press Ctrl-C to stop/);
    const seedLine = text.split('\n').find((l) => l.includes('optiextension.dll') && l.includes('clicktrace trace'))!;
    assert.ok(seedLine.includes(`--connect-to :80:127.0.0.1:${lab!.httpPort}`));
    assert.ok(seedLine.includes(`--cacert ${lab!.caCertPath}`));
    assert.ok(seedLine.includes(`--click 'Find out more'`));
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(text), 'no control characters in the listing');
  });

  it('rejects unknown arguments with usage and exit code 2', async () => {
    const err = new PassThrough();
    let text = '';
    err.on('data', (c: Buffer) => (text += c.toString()));
    assert.equal(await runLabCommand(['--bogus'], { stderr: err }), 2);
    assert.match(text, /usage: clicktrace lab/);
    // A --dir that is a file: the user's to fix (exit 2), in one line.
    const file = join(mkdtempSync(join(tmpdir(), 'lab-dir-')), 'taken');
    writeFileSync(file, '');
    text = '';
    assert.equal(await runLabCommand(['--dir', file], { stderr: err }), 2);
    assert.match(text, /^clicktrace lab: --dir ".*taken": cannot be created or written \(EEXIST\)\n$/);
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote('/tmp/a.pem'), '/tmp/a.pem');
  });
});
