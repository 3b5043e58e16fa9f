// Why a trace stops when the browser gives up on a page, said precisely and at once: a redirect
// to a scheme a browser hands to another program, a body cut by the server or undecodable, a
// renderer that died. The trace gives the facts (Chromium's verdict, the recorded exchange);
// these say them in the words a report carries.
import type { Exchange } from '../model.js';
import { constants } from 'node:os';
import { headerValue } from '../http/wire.js';

/** The scheme (e.g. "mailto:") of a URL a browser does not load as a page, or null for http(s) and unparsable URLs. */
export function unsupportedScheme(url: string, base?: string): string | null {
  try {
    const { protocol } = new URL(url, base);
    return protocol === 'http:' || protocol === 'https:' ? null : protocol;
  } catch {
    return null;
  }
}

/**
 * A document request of the chain that failed (Network.loadingFailed), and the URL it was for:
 * the top document's, or the followed frame's (`frameOf`: the URL of the page the frame is in).
 */
export interface DocumentFailure {
  url: string;
  errorText: string;
  frameOf?: string;
  /** The proxy answered in the server's stead (it could not reach it): its error, as its header said it. */
  proxyError?: string;
}

/**
 * The reason a main document failed, or null where Chromium's own verdict stands (its error page,
 * a navigation that replaced this one). `exchange` is the proxy's record of the URL, if any.
 */
export function documentFailureReason(failure: DocumentFailure, exchange: Exchange | null): string | null {
  const scheme = unsupportedScheme(failure.url) ?? redirectScheme(exchange, failure.url);
  if (scheme) return `redirect to unsupported scheme ${scheme}`;
  const response = exchange?.response;
  if (failure.errorText === 'net::ERR_CONTENT_DECODING_FAILED') {
    const encoding = response ? headerValue(response.headers, 'content-encoding') : null;
    return `content-encoding ${encoding?.trim() || 'unknown'}: corrupt data`;
  }
  // The page had begun to arrive when its connection failed: the proxy saw how, and after how much.
  if (exchange?.error && response) return `${cutKind(exchange.error)} after ${response.bodyLength.toLocaleString('en-US')} bytes`;
  // The server was not reached: the proxy's record says why (its answer's header, failing that).
  // A record without an error is a server's answer: whatever its headers say, nothing failed.
  if (failure.proxyError !== undefined) return exchange ? exchange.error : failure.proxyError;
  return null;
}

/** The scheme a 3xx sent the browser to (a javascript: Location never becomes a request of its own). */
function redirectScheme(exchange: Exchange | null, url: string): string | null {
  const response = exchange?.response;
  if (!response || response.status < 300 || response.status > 399) return null;
  const location = headerValue(response.headers, 'location');
  return location ? unsupportedScheme(location.trim(), url) : null;
}

function cutKind(error: string): string {
  if (/reset|ECONNRESET/i.test(error)) return 'connection reset';
  if (/timeout|ETIMEDOUT/i.test(error)) return 'timeout';
  if (/closed|aborted|EPIPE|ECONNABORTED/i.test(error)) return 'connection closed';
  return `body cut (${error})`;
}

/** What Chromium reports when a target's renderer dies (Target.targetCrashed). */
export interface TargetCrash {
  /** Chromium's termination status: "crashed", "killed", "oom", "abnormal"... */
  status: string;
  /** The signal (crashed, killed) or exit code (abnormal). */
  errorCode: number;
}

/**
 * The reason for a dead renderer. V8 running out of heap ends a renderer with a trap, which
 * Chromium reports as "crashed"; what says it was memory is the renderer's last words on stderr
 * (`outOfMemory`: "V8 javascript OOM (Reached heap limit)").
 */
export function crashReason(crash: TargetCrash | null, outOfMemory: string | null): string {
  if (outOfMemory || crash?.status === 'oom' || crash?.status === 'oom killed') {
    return `renderer crashed: out of memory${outOfMemory ? ` (${outOfMemory})` : ''}`;
  }
  if (!crash) return 'renderer crashed';
  if (crash.status === 'killed') return 'renderer killed';
  if (crash.status === 'crashed') return `renderer crashed (${signalName(crash.errorCode)})`;
  return `renderer ended: ${crash.status} (code ${crash.errorCode})`;
}

/** Chromium stops a process itself with a trap (a failed check, or memory it could not get: a canvas too many); other signals are named. */
function signalName(signal: number): string {
  if (signal === constants.signals.SIGTRAP || signal === constants.signals.SIGILL)
    return `signal ${signal}: stopped by Chromium itself, on a failed check or memory it could not get`;
  const name = Object.entries(constants.signals).find(([, n]) => n === signal)?.[0];
  return name ? `signal ${signal}, ${name}` : `signal ${signal}`;
}
