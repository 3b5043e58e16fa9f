// Writing responses: every one carries the security headers; app pages and JSON get the strict
// app CSP, captured files the sandbox CSP.
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { SafeHtml } from './html.js';
import { APP_CSP, CAPTURED_FILE_CSP, DRAWING_CSP, SCREENSHOT_CSP, securityHeaders } from './security.js';
import { jsonText } from '../visible.js';

export function sendHtml(res: ServerResponse, status: number, page: SafeHtml, extra: Record<string, string> = {}): void {
  const body = Buffer.from(page.toString(), 'utf8');
  res.writeHead(status, {
    ...securityHeaders(APP_CSP),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = Buffer.from(jsonText(value, 2) + '\n', 'utf8');
  res.writeHead(status, {
    ...securityHeaders(APP_CSP),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

export function sendStatic(res: ServerResponse, contentType: string, text: string): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(200, {
    ...securityHeaders(APP_CSP),
    'Content-Type': contentType,
    'Content-Length': String(body.length),
    'Cache-Control': 'no-cache',
  });
  res.end(body);
}

/** An SVG drawing of the app (see DRAWING_CSP). */
export function sendSvg(res: ServerResponse, svg: SafeHtml): void {
  const body = Buffer.from(svg.toString(), 'utf8');
  res.writeHead(200, {
    ...securityHeaders(DRAWING_CSP),
    'Content-Type': 'image/svg+xml; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string, extra: Record<string, string> = {}): void {
  res.writeHead(303, { ...securityHeaders(APP_CSP), Location: location, 'Content-Length': '0', 'Cache-Control': 'no-store', ...extra });
  res.end();
}

/** A file of a case folder: sandboxed (screenshots: images only), so nothing in it can run in this origin. */
export function sendCaseFile(res: ServerResponse, path: string, contentType: string, downloadName: string | null): void {
  const size = statSync(path).size;
  res.writeHead(200, {
    ...securityHeaders(contentType === 'image/png' ? SCREENSHOT_CSP : CAPTURED_FILE_CSP),
    'Content-Type': contentType,
    'Content-Length': String(size),
    'Cache-Control': 'private, max-age=300',
    ...(downloadName ? { 'Content-Disposition': `attachment; filename="${downloadName}"` } : {}),
  });
  createReadStream(path).pipe(res);
}
