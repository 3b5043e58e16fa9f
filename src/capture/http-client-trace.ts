// The `scanner` visitor: what a mail gateway's link checker does. A plain HTTP client (no browser,
// no JavaScript) requests the link through the same recording proxy as a browser trace, follows
// HTTP redirects only (3xx with a Location), each URL once, and the case is written like any
// other: WARC, HAR, WACZ, report, manifest. The chain is rebuilt from the exchanges as for an
// imported capture (src/import/chain.ts); no page is rendered, so there are no screenshots.
// Hand-written on node:http/tls: the client must send exactly the headers the visitor presents,
// in that order, and nothing else (no retries, no keep-alive pool across hops), which is a few
// lines here and a fight with any HTTP client library.
import http from 'node:http';
import tls from 'node:tls';
import { execFile } from 'node:child_process';
import { emptyCapture, type Capture, type CaptureInfo, type Exchange } from '../model.js';
import { CaseWriter } from '../case/case-writer.js';
import { RecordingProxy } from '../proxy/recording-proxy.js';
import { proxyCertificateAuthority } from '../proxy/proxy-ca.js';
import { buildUpstream, describeOverrides } from '../proxy/upstream.js';
import { synthesizeDocumentChain } from '../import/chain.js';
import { analyzeCapture } from '../analyze/analyze.js';
import { loadNetworkData } from '../hosting/network-data.js';
import { TOOL } from '../version.js';
import { REDIRECT_STATUSES } from '../http/wire.js';
import { DEFAULTS, parseTraceUrl } from './trace-input.js';
import { visitorIdentity } from './visitor.js';
import { browserPath, defaultBrowserKind } from './chromium-process.js';
import type { TraceOptions, TraceResult } from './trace.js';
import { stampCase, type TimestampOutcome } from '../timestamp/case-timestamp.js';

/** What the client reads of a body at most (the proxy records it whole; a checker stops early too). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Traces `options.url` with no JavaScript (options.visitor.javascript is false). */
export async function httpClientTrace(options: TraceOptions & { chromiumVersion?: string }): Promise<TraceResult> {
  const visitor = options.visitor!;
  const target = parseTraceUrl(options.url);
  const { resolver, extraCaPems } = buildUpstream(options);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  const progress = options.onProgress ?? (() => undefined);
  const identity = visitorIdentity(visitor, options.chromiumVersion ?? (await installedChromiumVersion()));
  const info: CaptureInfo = {
    tool: TOOL,
    browser: null,
    identity,
    url: target.href,
    mode: 'trace',
    commandLine: options.commandLine ?? [],
    resolver: { overrides: describeOverrides(options), dnsServer: options.dnsServer ?? null },
    clicks: [],
    startedAt: new Date(startedAt).toISOString(),
    endedAt: null,
    error: null,
    partial: true,
  };
  const capture: Capture = emptyCapture(info);
  // With a time-stamping authority, the sealed case is stamped as a browser trace's is (trace.ts).
  let timestamp: TimestampOutcome | null = null;
  const tsa = options.tsa;
  const writer = await CaseWriter.create(
    options.outDir ?? DEFAULTS.outDir,
    info,
    tsa
      ? {
          onSealed: async (dir: string) => {
            timestamp = await stampCase(dir, tsa);
          },
        }
      : {},
  );
  resolver.onRecord = (record) => {
    capture.dns.push(record);
    writer.addDns(record);
  };
  // As a browser trace does (trace.ts), the case is named in the ledger as the first request is
  // written upstream: a process killed before that (the host still resolving) requested nothing.
  let naming: 'pending' | 'named' | 'refused' = 'pending';
  let refusal: string | null = null;
  const nameCase = () => {
    if (naming === 'named') return;
    if (naming === 'refused') throw new Error(refusal ?? 'not requested');
    try {
      options.onCase?.(writer.name);
      naming = 'named';
    } catch (err) {
      naming = 'refused';
      refusal = `not requested: ${(err as Error).message.split('\n')[0]}`;
      throw err;
    }
  };
  const ca = proxyCertificateAuthority();
  const proxy = new RecordingProxy({
    ca,
    resolver,
    extraCaPems,
    strictTls: options.strictTls ?? false,
    upstreamTimeoutMs: timeoutMs,
    beforeSend: nameCase,
    onExchange: (exchange: Exchange) => {
      capture.exchanges.push(exchange);
      writer.addExchange(exchange);
      progress({ kind: 'exchange', detail: `${exchange.response?.status ?? 'ERR'} ${exchange.request.method} ${exchange.request.url}` });
    },
  });
  const port = await proxy.listen();
  progress({ kind: 'start', detail: target.href });
  let error = await follow(target, {
    port,
    caPem: ca.certPem,
    identity,
    deadline,
    maxHops: options.maxHops ?? DEFAULTS.maxHops,
    signal: options.signal,
  });
  await proxy.close();
  // Nothing went upstream: a trace that ran its course (the host did not resolve, or was refused)
  // has its case as the link's answer; one stopped by the user requested nothing and names none.
  if (naming === 'pending' && !options.signal?.aborted) {
    try {
      nameCase();
    } catch {
      // refusal says why
    }
  }
  if (refusal) error = refusal;
  await resolver.settled();
  info.endedAt = new Date().toISOString();
  info.error = error;
  info.partial = false;
  capture.events.push(...synthesizeDocumentChain(capture.exchanges));
  const report = analyzeCapture(capture, writer.dir, await loadNetworkData());
  await writer.close(capture, report);
  progress({ kind: 'done', detail: writer.dir });
  const stats = writer.stats();
  return { report, capture, caseDir: writer.dir, evidenceMs: stats.addMs + (stats.close?.totalMs ?? 0), marks: [], timestamp };
}

interface Client {
  port: number;
  caPem: string;
  identity: ReturnType<typeof visitorIdentity>;
  deadline: number;
  maxHops: number;
  signal: AbortSignal | undefined;
}

/** Requests `start` and each HTTP redirect after it, once each; the reason it stopped early, or null. */
async function follow(start: URL, client: Client): Promise<string | null> {
  const requested = new Set<string>();
  let url = start;
  let referrer = client.identity.referrer ?? null;
  for (let hop = 1; ; hop++) {
    if (client.signal?.aborted) return interrupted(client.signal);
    if (hop > client.maxHops) return `more than ${client.maxHops} hops`;
    if (requested.has(url.href)) return `redirect loop: ${url.href} again (not requested twice)`;
    requested.add(url.href);
    let answer: { status: number; location: string | null };
    try {
      answer = await request(url, referrer, client);
    } catch (err) {
      if (client.signal?.aborted) return interrupted(client.signal);
      return `request failed: ${(err as Error).message.split('\n')[0]}`;
    }
    if (!REDIRECT_STATUSES.has(answer.status) || !answer.location) return null;
    let next: URL;
    try {
      next = new URL(answer.location, url);
    } catch {
      return `redirect to an invalid URL: ${answer.location}`;
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return `redirect to unsupported scheme ${next.protocol}`;
    // A browser drops the Referer on a redirect only by policy; a link checker sends none after the first request.
    referrer = null;
    url = next;
  }
}

/** The stop reason of an interrupted trace, as trace.ts words it. */
function interrupted(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string' && reason.startsWith('interrupted')) return reason;
  return `interrupted${typeof reason === 'string' ? ` by ${reason}` : ''}`;
}

/** One GET through the recording proxy (CONNECT and TLS with the proxy's CA for https). */
async function request(url: URL, referrer: string | null, client: Client): Promise<{ status: number; location: string | null }> {
  const remaining = client.deadline - Date.now();
  if (remaining <= 0) throw new Error('timed out');
  const headers = [
    'Host',
    url.host,
    'User-Agent',
    client.identity.userAgent,
    'Accept',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Accept-Encoding',
    'gzip, deflate, br',
    'Accept-Language',
    client.identity.acceptLanguage,
    ...(referrer ? ['Referer', new URL(referrer).origin + '/'] : []),
    'Connection',
    'close',
  ];
  const tunnel = url.protocol === 'https:' ? await connectTunnel(url, client, remaining) : null;
  return new Promise((resolve, reject) => {
    const req = http.request({
      ...(tunnel
        ? { createConnection: () => tunnel, path: `${url.pathname}${url.search}` }
        : { host: '127.0.0.1', port: client.port, path: url.href, agent: false }),
      method: 'GET',
      headers,
      setHost: false,
    });
    const timer = setTimeout(() => req.destroy(new Error('timed out')), remaining);
    const onAbort = () => req.destroy(new Error('interrupted'));
    client.signal?.addEventListener('abort', onAbort);
    const done = () => {
      clearTimeout(timer);
      client.signal?.removeEventListener('abort', onAbort);
    };
    req.on('error', (err) => {
      done();
      reject(err);
    });
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_BODY_BYTES) res.destroy();
      });
      const finish = () => {
        done();
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location: typeof location === 'string' ? location : null });
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.end();
  });
}

function connectTunnel(url: URL, client: Client, timeoutMs: number): Promise<tls.TLSSocket> {
  const port = url.port || '443';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: client.port, method: 'CONNECT', path: `${url.hostname}:${port}`, agent: false });
    const timer = setTimeout(() => req.destroy(new Error('timed out')), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('connect', (res, socket) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        socket.destroy();
        return reject(new Error(`the recording proxy refused CONNECT ${url.hostname}:${port} (${res.statusCode})`));
      }
      const secure = tls.connect({ socket, servername: url.hostname, ca: client.caPem, ALPNProtocols: ['http/1.1'] });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', reject);
    });
    req.end();
  });
}

let versionOnce: Promise<string> | null = null;

/** The installed Chromium's version, for the scanner's desktop User-Agent (the one a browser trace sends). */
export function installedChromiumVersion(): Promise<string> {
  versionOnce ??= new Promise((resolve) => {
    execFile(browserPath(defaultBrowserKind()), ['--version'], { timeout: 5000 }, (err, stdout) => {
      resolve((!err && /(\d+\.\d+\.\d+\.\d+)/.exec(stdout)?.[1]) || '130.0.0.0');
    });
  });
  return versionOnce;
}
