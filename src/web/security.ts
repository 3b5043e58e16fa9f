// The server's defences, as small pure functions: which binds need a token, the headers every
// response carries, token checks (header, or the cookie set by a `?token=` login), and the
// same-origin rule for state-changing requests.
import { createHash, timingSafeEqual } from 'node:crypto';
import { normalizeHost } from '../http/host.js';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { UserError } from '../errors.js';

/** App pages: scripts and styles only from files of this origin, nothing framed, no plugins. */
export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Captured files (DOM snapshots, evidence, message): an opaque origin where nothing runs or loads. */
export const CAPTURED_FILE_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'";

/**
 * The app's own drawings (redirect tree, waterfall: SVG built server-side from captured text).
 * Shown with <img>, where no SVG runs script or loads anything; opened on their own, this policy
 * forbids both too.
 */
export const DRAWING_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'";

/**
 * Screenshots (PNG, served with nosniff, so never parsed as anything but an image). Not
 * sandboxed: the browser's image viewer document must load the image from this origin.
 * Inline style only lets that viewer lay the image out; no script can run.
 */
export const SCREENSHOT_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'";

export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // same-origin, not no-referrer: with no-referrer, browsers send "Origin: null" on our own form posts.
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  };
}

export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || /^::ffff:127\./.test(h);
}

export class UnsafeBindError extends UserError {}

/** Listening anywhere but loopback exposes attacker-controlled evidence and the tracer: a token is required. */
export function assertSafeBind(host: string, token: string | undefined): void {
  if (isLoopbackHost(host)) return;
  if (!token) {
    throw new UnsafeBindError(
      `refusing to listen on ${host} without --token: anyone who can reach it could run traces and read cases (use --host 127.0.0.1, or set --token)`,
    );
  }
  if (token.length < 16) throw new UnsafeBindError('--token: use at least 16 characters when listening beyond loopback');
}

export const TOKEN_COOKIE = 'clicktrace_token';
export const TOKEN_HEADER = 'x-clicktrace-token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  return typeof given === 'string' && timingSafeEqual(digest(given), digest(expected));
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const raw of (header ?? '').split(';')) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // a malformed cookie is no token
    }
  }
  return cookies;
}

/** The token a request presents: `Authorization: Bearer`, the X-Clicktrace-Token header, or the login cookie. */
export function presentedToken(req: IncomingMessage): { value: string; via: 'header' | 'cookie' } | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { value: auth.slice(7).trim(), via: 'header' };
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string') return { value: header, via: 'header' };
  const cookie = parseCookies(req.headers.cookie).get(TOKEN_COOKIE);
  return cookie !== undefined ? { value: cookie, via: 'cookie' } : null;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

/**
 * Host header check against DNS rebinding: a page on a hostile name that re-resolves to our
 * loopback address sends its own name as Host. On a loopback bind only loopback names pass.
 */
export function hostAllowed(hostHeader: string | undefined, boundToLoopback: boolean): boolean {
  if (!hostHeader) return false;
  if (!boundToLoopback) return true; // a token guards non-loopback binds
  const host = hostHeader.replace(/:\d+$/, '');
  return isLoopbackHost(host);
}

/**
 * Cross-site request forgery: a state-changing request must come from our own pages (Origin,
 * else Sec-Fetch-Site, matches) or carry the token in a header (which no cross-site form can
 * set). A request with neither Origin nor Sec-Fetch-Site is not from a browser page.
 */
export function sameOriginOrToken(req: IncomingMessage, tokenInHeader: boolean): boolean {
  if (tokenInHeader) return true;
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined) {
    // "null": an opaque origin (sandboxed document, privacy setting); only Sec-Fetch-Site can vouch for it.
    if (origin === 'null') return site === 'same-origin';
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  return true;
}
