// Servers that attack the evidence and the recording proxy rather than the browser: compression
// bombs that decode to 64 MiB of NUL bytes (each escaped six times larger in JSON), response heads
// over Node's 16 KB and over Chromium's 256 KB, a body shorter than its Content-Length, a
// connection reset in the middle of a body, and a gzip body that is corrupt.
import { createGzip, gzipSync } from 'node:zlib';
import { HOSTS } from '../hosts.js';
import { page } from '../pages.js';
import type { LabExchange } from '../exchange.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type LabScenario, type ScenarioDefinition } from './common.js';

const ESP = `http://${HOSTS.espClick}`;
const PROMO = `http://${HOSTS.brokerPromo}`;
const FILES = `http://${HOSTS.brokerFiles}`;

/** What each bomb decodes to. */
export const NUL_BOMB_BYTES = 64 * 1024 * 1024;
export const NUL_BOMB_COUNT = 3;
export const NUL_BOMBS_TITLE = 'Your parcel is waiting';

let bomb: Promise<Buffer> | null = null;

/**
 * 64 MiB of NUL bytes, gzipped (about 64 KB), made once, a megabyte at a time, on the first request
 * unless made before: a test makes it first, as compressing it on a loaded machine took the lab
 * over 1.5 s, which a trace rightly calls a hung request (CI s26c and a helper's run at load 17).
 */
export function nulBomb(): Promise<Buffer> {
  bomb ??= new Promise((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on('data', (c: Buffer) => out.push(c));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < NUL_BOMB_BYTES / zeros.length; i++) gzip.write(zeros);
    gzip.end();
  });
  return bomb;
}

function nulBombs(): ScenarioDefinition {
  const url = `${PROMO}/p/nul-bombs`;
  const images = Array.from({ length: NUL_BOMB_COUNT }, (_, i) => `<img src="${FILES}/bomb/${i + 1}.txt" width="1" height="1" alt="">`);
  return defineScenario(
    {
      name: 'nul-bombs',
      url,
      description: `A page with ${NUL_BOMB_COUNT} gzip-encoded text subresources, each decoding to 64 MiB of NUL bytes.`,
      expectedVias: ['start'],
      finalUrl: url,
      finalTitle: NUL_BOMBS_TITLE,
    },
    [
      {
        host: HOSTS.brokerPromo,
        path: '/p/nul-bombs',
        handle: (x) => x.html(200, page({ title: NUL_BOMBS_TITLE, body: `<main><h1>Track your parcel</h1>${images.join('')}</main>` })),
      },
      {
        host: HOSTS.brokerFiles,
        path: '/bomb/*',
        handle: (x) =>
          void nulBomb().then((body) =>
            x.send(200, body, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': 'gzip', 'Cache-Control': 'no-store' }),
          ),
      },
    ],
  );
}

/** Header lines totalling about `bytes`, as trackers that stuff state into cookies send them. */
function stuffedHeaders(bytes: number): Record<string, string[]> {
  const cookies: string[] = [];
  for (let i = 0; cookies.length * 4000 < bytes; i++) cookies.push(`trk_${i}=${'z'.repeat(3990)}; Path=/`);
  return { 'Set-Cookie': cookies };
}

function bigHeaders(): ScenarioDefinition {
  const landing = landingUrl('big-headers');
  return defineScenario(
    {
      name: 'big-headers',
      url: `${ESP}/c/big-headers`,
      description: 'A 302 whose head is 40 KB of cookies: over Node’s 16 KB, within Chromium’s 256 KB, so the chain goes on.',
      expectedVias: ['start', 'http-302'],
      finalUrl: landing,
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.espClick, path: '/c/big-headers', handle: (x) => x.redirect(302, landing, stuffedHeaders(40_000)) }],
  );
}

export const HUGE_HEADERS_URL = `${ESP}/c/huge-headers`;

function hugeHeaders(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'huge-headers',
      url: HUGE_HEADERS_URL,
      description: 'A 302 whose head is 300 KB: more than Chromium accepts (256 KB), so the chain ends there with that reason.',
      outcome: 'error',
    },
    [
      {
        host: HOSTS.espClick,
        path: '/c/huge-headers',
        handle: (x) => x.redirect(302, landingUrl('huge-headers'), stuffedHeaders(300_000)),
      },
    ],
  );
}

/** A page long enough to be cut: its title and first paragraphs come first. */
export function longPage(title: string): Buffer {
  const paragraphs = Array.from({ length: 400 }, (_, i) => `<p>Paragraph ${i + 1} of the terms and conditions of this offer.</p>`);
  return Buffer.from(page({ title, body: `<main><h1>${title}</h1>\n${paragraphs.join('\n')}</main>` }), 'utf8');
}

/** Writes a head and the first `sent` bytes of `body`, then ends the connection as `how` says. */
export function cutResponse(x: LabExchange, body: Buffer, sent: number, how: 'close' | 'reset'): void {
  const head =
    `HTTP/1.1 200 OK\r\nServer: openresty\r\nContent-Type: text/html; charset=utf-8\r\n` + `Content-Length: ${body.length}\r\n\r\n`;
  const socket = x.req.socket;
  x.res.detachSocket(socket);
  socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body.subarray(0, sent)]), () => {
    if (how === 'close') socket.end();
    // A moment later, so that the bytes are read before the reset.
    else setTimeout(() => socket.resetAndDestroy(), 100);
  });
}

/** A page whose body stops after `sent` bytes of the length its head announces. */
function cutPage(name: string, title: string, sent: number, how: 'close' | 'reset', fields: Partial<LabScenario>): ScenarioDefinition {
  const path = `/p/${name}`;
  const body = longPage(title);
  const ending = how === 'close' ? 'closes the connection' : 'resets the connection';
  return defineScenario(
    {
      name,
      url: `${PROMO}${path}`,
      description: `A page whose Content-Length says ${body.length} bytes; the server sends ${sent} and ${ending}.`,
      ...fields,
    },
    [{ host: HOSTS.brokerPromo, path, handle: (x) => cutResponse(x, body, sent, how) }],
  );
}

export const SHORT_BODY_TITLE = 'Claim your refund';
export const SHORT_BODY_SENT = 6000;
export const RESET_MID_BODY_SENT = 12_345;

function shortBody(): ScenarioDefinition {
  const url = `${PROMO}/p/short-body`;
  // Chromium shows what came.
  return cutPage('short-body', SHORT_BODY_TITLE, SHORT_BODY_SENT, 'close', {
    expectedVias: ['start'],
    finalUrl: url,
    finalTitle: SHORT_BODY_TITLE,
  });
}

function resetMidBody(): ScenarioDefinition {
  return cutPage('reset-mid-body', 'Confirm your account', RESET_MID_BODY_SENT, 'reset', { outcome: 'reset' });
}

/** A gzip body whose deflate data is overwritten in the middle: the header is fine, the data is not. */
export function corruptGzip(): Buffer {
  const gzipped = gzipSync(longPage('Verify your payment'), { level: 1 });
  const corrupt = Buffer.from(gzipped);
  corrupt.fill(0xff, 40, Math.min(gzipped.length - 8, 240));
  return corrupt;
}

function corruptGzipPage(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'corrupt-gzip',
      url: `${PROMO}/p/corrupt-gzip`,
      description: 'A page sent with Content-Encoding: gzip whose compressed data is corrupt after its first bytes.',
      outcome: 'error',
    },
    [
      {
        host: HOSTS.brokerPromo,
        path: '/p/corrupt-gzip',
        handle: (x) =>
          x.send(200, corruptGzip(), {
            'Content-Type': 'text/html; charset=utf-8',
            'Content-Encoding': 'gzip',
            'Cache-Control': 'no-store',
          }),
      },
    ],
  );
}

export function hostileEvidenceScenarios(): ScenarioDefinition[] {
  return [nulBombs(), bigHeaders(), hugeHeaders(), shortBody(), resetMidBody(), corruptGzipPage()];
}
