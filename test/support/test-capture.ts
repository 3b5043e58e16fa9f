// A realistic capture for the evidence tests and the bench: a 5-hop chain (302 with a known body,
// meta refresh over HTTPS with a real certificate chain, JavaScript, 301, 200 landing) plus the
// side requests a browser makes (favicon, a POST beacon, a refused pixel, a cut download).
import { X509Certificate } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Capture, CaptureInfo, CertInfo, DnsRecord, Exchange, HeaderLine, NavEvent, PageSnapshot } from '../../src/model.js';
import type { Hop, Report } from '../../src/report.js';
import { CertificateIssuer, createCertificateAuthority } from '../../src/tls/certs.js';
import { snapshotPaths } from '../../src/case/case-layout.js';
import { CaseWriter } from '../../src/case/case-writer.js';
import { certInfoFromDer } from '../../src/proxy/peer-certificates.js';
import { pngFile } from './png-file.js';

export const START_URL = 'http://click.mailer.test/c/8f3a?u=alice%40example.org';
export const LANDING_URL = 'http://landing.test/welcome';
/** The body of the first hop's 302, which browsers never show and HAR exporters usually drop. */
export const REDIRECT_BODY = Buffer.from(
  '<html><head><title>302 Found</title></head><body><h1>Found</h1><p>The document has moved <a href="https://short.test/abc">here</a>.</p></body></html>\n',
);
export const MOVED_BODY = Buffer.from('Moved Permanently. Redirecting to http://landing.test/welcome\r\n');

const T0 = Date.parse('2026-03-14T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

let tlsChain: CertInfo[] | null = null;

/** Leaf and CA of `short.test`, made once per process with src/tls/certs.ts. */
export function shortTestChain(): CertInfo[] {
  if (!tlsChain) {
    const ca = createCertificateAuthority('clicktrace evidence test CA');
    const leaf = new CertificateIssuer(ca).issue(['short.test']);
    tlsChain = [certInfo(leaf.certPem), certInfo(ca.certPem)];
  }
  return tlsChain;
}

function certInfo(pem: string): CertInfo {
  return certInfoFromDer(new X509Certificate(pem).raw);
}

export function sampleInfo(): CaptureInfo {
  return {
    tool: { name: 'clicktrace', version: '0.1.0' },
    browser: { name: 'Chromium', version: '156.0.7520.0' },
    identity: {
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      device: 'desktop',
      viewport: { width: 1280, height: 720 },
      locale: 'en-US',
      timezone: 'Europe/Berlin',
      acceptLanguage: 'en-US,en;q=0.9',
    },
    url: START_URL,
    mode: 'trace',
    commandLine: ['clicktrace', 'trace', START_URL, '--resolve', 'short.test=198.51.100.7'],
    resolver: { overrides: ['short.test=198.51.100.7'], dnsServer: '192.0.2.53' },
    clicks: [],
    startedAt: at(0),
    endedAt: at(1450),
    error: null,
    partial: false,
  };
}

function exchange(
  n: number,
  start: number,
  request: Partial<Exchange['request']> & { url: string },
  response: Exchange['response'],
  extra: Partial<Exchange> = {},
): Exchange {
  const host = new URL(request.url).host;
  return {
    id: `x${String(n).padStart(4, '0')}`,
    startedAt: at(start),
    endedAt: at(start + 42),
    request: {
      method: request.method ?? 'GET',
      url: request.url,
      httpVersion: '1.1',
      headers: request.headers ?? [
        ['Host', host],
        ['User-Agent', sampleInfo().identity!.userAgent],
        ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
        ['Accept-Encoding', 'gzip, deflate, br'],
        ['Accept-Language', 'en-US,en;q=0.9'],
      ],
      body: request.body ?? Buffer.alloc(0),
    },
    response,
    remoteAddress: '203.0.113.10',
    remotePort: 80,
    tls: null,
    error: null,
    timing: { dnsMs: 3, connectMs: 5, ttfbMs: 30, totalMs: 42 },
    ...extra,
  };
}

function response(
  status: number,
  statusText: string,
  headers: HeaderLine[],
  body: Buffer,
  extra: Partial<NonNullable<Exchange['response']>> = {},
) {
  return { status, statusText, httpVersion: '1.1', headers, body, bodyTruncated: false, bodyLength: body.length, ...extra };
}

function html(title: string, bodyHtml: string, head = ''): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title>${head}</head><body>${bodyHtml}</body></html>\n`;
}

export function sampleExchanges(): Exchange[] {
  const metaPage = Buffer.from(
    html('One moment…', '<p>Loading your link…</p>', '<meta http-equiv="refresh" content="0;url=http://track.test/m?id=42">'),
  );
  const jsPage = Buffer.from(html('Tracking', '<script>location.href = "http://old.test/go";</script>'));
  const landing = Buffer.from(html('Welcome to Landing', '<h1>Welcome</h1><p>Special offer — 50 % off.</p>'));
  const favicon = Buffer.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0x68, 4, 0, 0, 22, 0, 0, 0, 0xff, 0xfe, 0x00, 0x89]);
  return [
    exchange(
      1,
      0,
      { url: START_URL },
      response(
        302,
        'Found',
        [
          ['Date', 'Sat, 14 Mar 2026 12:00:00 GMT'],
          ['Server', 'Apache'],
          ['Set-Cookie', 'cid=8f3a; Path=/; Expires=Sun, 14 Mar 2027 12:00:00 GMT'],
          ['Location', 'https://short.test/abc'],
          ['X-Campaign', 'caf\u00e9-r\u00e9sum\u00e9'], // Latin-1 bytes on the wire
          ['set-cookie', 'seen=1; HttpOnly; Secure'],
          ['Content-Length', String(REDIRECT_BODY.length)],
          ['Content-Type', 'text/html; charset=iso-8859-1'],
        ],
        REDIRECT_BODY,
      ),
      { remoteAddress: '203.0.113.10' },
    ),
    exchange(
      2,
      60,
      { url: 'https://short.test/abc' },
      response(
        200,
        'OK',
        [
          ['content-type', 'text/html; charset=utf-8'],
          ['content-encoding', 'gzip'],
          ['vary', 'Accept-Encoding'],
          ['content-length', String(gzipSync(metaPage).length)],
        ],
        gzipSync(metaPage),
      ),
      {
        remoteAddress: '198.51.100.7',
        remotePort: 443,
        tls: {
          protocol: 'TLSv1.3',
          cipher: 'TLS_AES_256_GCM_SHA384',
          servername: 'short.test',
          alpn: 'http/1.1',
          authorized: true,
          authorizationError: null,
          chain: shortTestChain(),
        },
        timing: { dnsMs: 0, connectMs: 12, ttfbMs: 48, totalMs: 55 },
      },
    ),
    exchange(
      3,
      180,
      { url: 'http://track.test/m?id=42' },
      response(
        200,
        'OK',
        [
          ['Content-Type', 'text/html'],
          ['Content-Length', String(jsPage.length)],
        ],
        jsPage,
      ),
      { remoteAddress: '203.0.113.20' },
    ),
    exchange(
      4,
      300,
      { url: 'http://old.test/go' },
      response(
        301,
        'Moved Permanently',
        [
          ['Location', LANDING_URL],
          ['Content-Type', 'text/plain'],
          ['Content-Length', String(MOVED_BODY.length)],
        ],
        MOVED_BODY,
      ),
      { remoteAddress: '203.0.113.30' },
    ),
    exchange(
      5,
      360,
      { url: LANDING_URL },
      // Chunked on the wire; the model keeps the body with the framing removed.
      response(
        200,
        'OK',
        [
          ['Content-Type', 'text/html; charset=utf-8'],
          ['Transfer-Encoding', 'chunked'],
        ],
        landing,
      ),
      { remoteAddress: '203.0.113.40' },
    ),
    exchange(
      6,
      520,
      { url: 'http://landing.test/favicon.ico' },
      response(
        200,
        'OK',
        [
          ['Content-Type', 'image/x-icon'],
          ['Content-Length', String(favicon.length)],
        ],
        favicon,
      ),
      { remoteAddress: '203.0.113.40' },
    ),
    exchange(
      7,
      540,
      {
        url: 'http://track.test/beacon',
        method: 'POST',
        headers: [
          ['Host', 'track.test'],
          ['Content-Type', 'application/x-www-form-urlencoded'],
          ['Content-Length', '13'],
          ['Origin', 'http://track.test'],
        ],
        body: Buffer.from('ev=view&id=42'),
      },
      response(204, 'No Content', [['Server', 'nginx']], Buffer.alloc(0)),
      { remoteAddress: '203.0.113.20' },
    ),
    exchange(8, 560, { url: 'http://ads.test/pixel.gif' }, null, {
      remoteAddress: '192.0.2.99',
      error: 'ECONNREFUSED',
      endedAt: at(561),
      timing: { dnsMs: 2, connectMs: null, ttfbMs: null, totalMs: 1 },
    }),
    exchange(
      9,
      600,
      { url: 'http://landing.test/brochure.pdf' },
      response(
        200,
        'OK',
        [
          ['Content-Type', 'application/pdf'],
          ['Content-Length', '5000000'],
        ],
        Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'.repeat(20), 'latin1'),
        { bodyTruncated: true, bodyLength: 5_000_000 },
      ),
      { remoteAddress: '203.0.113.40' },
    ),
  ];
}

export function sampleDns(): DnsRecord[] {
  const rec = (host: string, ms: number, addresses: string[], extra: Partial<DnsRecord> = {}): DnsRecord => ({
    host,
    at: at(ms),
    source: 'dns',
    server: '192.0.2.53',
    addresses,
    cnames: [],
    error: null,
    ...extra,
  });
  return [
    rec('click.mailer.test', -3, ['203.0.113.10'], { cnames: ['c.esp-cdn.test'], baseDomain: 'mailer.test', baseDomainResolves: true }),
    rec('short.test', 58, ['198.51.100.7'], { source: 'override', server: null }),
    rec('track.test', 177, ['203.0.113.20', '2001:db8::20']),
    rec('old.test', 297, ['203.0.113.30']),
    rec('landing.test', 357, ['203.0.113.40']),
    rec('ads.test', 558, ['192.0.2.99']),
  ];
}

export function sampleEvents(): NavEvent[] {
  const p = 'page-1';
  const docRequest = (ms: number, requestId: string, url: string, redirect: [number, string] | null, initiator: string): NavEvent => ({
    type: 'doc-request',
    at: at(ms),
    pageId: p,
    requestId,
    url,
    method: 'GET',
    redirectStatus: redirect?.[0] ?? null,
    redirectLocation: redirect?.[1] ?? null,
    initiator: {
      type: initiator,
      url: initiator === 'script' ? 'http://track.test/m?id=42' : null,
      line: initiator === 'script' ? 0 : null,
      column: null,
    },
    hasUserGesture: false,
  });
  return [
    { type: 'page', at: at(-10), pageId: p, openerPageId: null },
    docRequest(-5, 'r1', START_URL, null, 'other'),
    docRequest(58, 'r1', 'https://short.test/abc', [302, 'https://short.test/abc'], 'other'),
    { type: 'doc-response', at: at(115), pageId: p, requestId: 'r1', url: 'https://short.test/abc', status: 200, mimeType: 'text/html' },
    { type: 'nav-scheduled', at: at(120), pageId: p, reason: 'metaTagRefresh', url: 'http://track.test/m?id=42', delay: 0 },
    {
      type: 'nav-requested',
      at: at(175),
      pageId: p,
      reason: 'metaTagRefresh',
      url: 'http://track.test/m?id=42',
      disposition: 'currentTab',
    },
    docRequest(178, 'r2', 'http://track.test/m?id=42', null, 'other'),
    { type: 'doc-response', at: at(225), pageId: p, requestId: 'r2', url: 'http://track.test/m?id=42', status: 200, mimeType: 'text/html' },
    { type: 'nav-requested', at: at(295), pageId: p, reason: 'scriptInitiated', url: 'http://old.test/go', disposition: 'currentTab' },
    docRequest(298, 'r3', 'http://old.test/go', null, 'script'),
    docRequest(358, 'r3', LANDING_URL, [301, LANDING_URL], 'script'),
    { type: 'doc-response', at: at(405), pageId: p, requestId: 'r3', url: LANDING_URL, status: 200, mimeType: 'text/html' },
    {
      type: 'doc-failed',
      at: at(561),
      pageId: p,
      requestId: 'r4',
      url: 'http://ads.test/pixel.gif',
      errorText: 'net::ERR_CONNECTION_REFUSED',
    },
    { type: 'settled', at: at(1400), pageId: p, url: LANDING_URL, title: 'Welcome to Landing', snapshot: 1 },
  ];
}

export function samplePage(index: number, url: string, title: string, width = 1280, height = 720): PageSnapshot {
  const paths = snapshotPaths(index, url);
  return {
    index,
    at: at(1400 + index),
    pageId: 'page-1',
    url,
    title,
    screenshot: { path: paths.screenshot, png: pagePng(width, height, index) },
    dom: { path: paths.dom, html: html(title, `<h1>${title}</h1><p>Special offer — 50 % off.</p><p>Ünïcödé ✓</p>`) },
  };
}

/** The whole sample capture; `screenshots: 2` adds a second page (the bench's worst case). */
export function sampleCapture(opts: { screenshots?: 1 | 2 } = {}): Capture {
  const pages = [samplePage(1, LANDING_URL, 'Welcome to Landing')];
  if (opts.screenshots === 2) pages.unshift(samplePage(0, 'https://short.test/abc', 'One moment…'));
  return { info: sampleInfo(), exchanges: sampleExchanges(), events: sampleEvents(), pages, dns: sampleDns() };
}

/**
 * Writes the sample capture as a capture would: DNS before each host's exchange, events in
 * batches, the page at the end; then closes the case.
 */
export async function writeSampleCase(
  outDir: string,
  opts: { keyDir?: string | null; screenshots?: 1 | 2; name?: string } = {},
): Promise<{ capture: Capture; report: Report; writer: CaseWriter; dir: string }> {
  const capture = sampleCapture(opts);
  const writer = await CaseWriter.create(
    outDir,
    { ...capture.info, partial: true, endedAt: null },
    { keyDir: opts.keyDir ?? null, ...(opts.name ? { name: opts.name } : {}) },
  );
  const dnsByHost = new Map(capture.dns.map((d) => [d.host, d]));
  for (const [i, ex] of capture.exchanges.entries()) {
    const dns = dnsByHost.get(new URL(ex.request.url).hostname);
    if (dns) {
      writer.addDns(dns);
      dnsByHost.delete(dns.host);
    }
    writer.addExchange(ex);
    if (i === 1) writer.addEvents(capture.events.slice(0, 6));
    if (i === 4) writer.addEvents(capture.events.slice(6, 12));
  }
  writer.addEvents(capture.events.slice(12));
  for (const p of capture.pages) writer.addPage(p);
  const report = sampleReport(capture, writer.name);
  await writer.close(capture, report);
  return { capture, report, writer, dir: writer.dir };
}

/** A report shaped like the analysis's, for writing `report.json`. */
export function sampleReport(capture: Capture, caseName: string | null = null): Report {
  const vias: Hop['via'][] = ['start', 'http-302', 'meta-refresh', 'javascript', 'http-301'];
  const hops: Hop[] = capture.exchanges.slice(0, 5).map((ex, i) => ({
    index: i + 1,
    url: ex.request.url,
    method: ex.request.method,
    status: ex.response?.status ?? null,
    via: vias[i],
    evidence: { detail: i === 0 ? 'start URL' : `hop ${i + 1}` },
    ip: ex.remoteAddress,
    tls: ex.tls ? { protocol: ex.tls.protocol, authorized: ex.tls.authorized, error: ex.tls.authorizationError, cert: null } : null,
    contentType: ex.response?.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? null,
    timing: { startedAt: ex.startedAt, ms: ex.timing.totalMs },
    exchange: ex.id,
    error: ex.error,
  }));
  const { info } = capture;
  const last = capture.pages[capture.pages.length - 1];
  return {
    tool: info.tool,
    url: info.url,
    mode: info.mode,
    startedAt: info.startedAt,
    endedAt: info.endedAt,
    elapsedMs: info.endedAt ? Date.parse(info.endedAt) - Date.parse(info.startedAt) : null,
    identity: info.identity ? { userAgent: info.identity.userAgent, device: info.identity.device, viewport: info.identity.viewport } : null,
    hops,
    final: last ? { url: last.url, status: 200, title: last.title } : null,
    pages: capture.pages.map((p) => ({
      index: p.index,
      url: p.url,
      title: p.title,
      screenshot: p.screenshot?.path ?? null,
      dom: p.dom?.path ?? null,
    })),
    events: [],
    case: caseName,
    error: info.error,
    partial: info.partial,
  };
}

/**
 * A deterministic page-like RGB PNG: white page, header bar, anti-aliased grey "text" lines and a
 * noisy "photo"; 1280x720 comes out around 350 KB, like a real screenshot of a landing page.
 */
const pngCache = new Map<string, Buffer>();

export function pagePng(width: number, height: number, seed = 1): Buffer {
  const key = `${width}x${height}/${seed}`;
  const cached = pngCache.get(key);
  if (cached) return Buffer.from(cached);
  const png = drawPagePng(width, height, seed);
  pngCache.set(key, png);
  return Buffer.from(png);
}

function drawPagePng(width: number, height: number, seed: number): Buffer {
  let state = (seed * 2654435761) >>> 0;
  const random = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height, 0xff);
  const photo = { x0: Math.floor(width * 0.6), x1: Math.floor(width * 0.9), y0: 100, y1: Math.floor(height * 0.5) };
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0; // filter: none
    const header = y < 64;
    const textLine = !header && y % 24 >= 8 && y % 24 < 18 && y < height - 40;
    for (let x = 0; x < width; x++) {
      const at = y * row + 1 + x * 3;
      if (header) raw.set([30, 90, 200], at);
      else if (x >= photo.x0 && x < photo.x1 && y >= photo.y0 && y < photo.y1) {
        const n = random() * 12;
        raw.set([(x + n) & 0xff, (y * 2 + n) & 0xff, (x + y + n) & 0xff], at);
      } else if (textLine && x > 60 && x < photo.x0 - 40 && random() < 0.2) {
        const g = [40, 110, 180][Math.floor(random() * 3)];
        raw.set([g, g, g], at);
      }
    }
  }
  return pngFile(width, height, 2, raw);
}
