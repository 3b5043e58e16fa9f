// Options shared by every command that traces (trace, mail --trace, demo), curl-like where curl has one.
import type { TraceOptions } from '../capture/trace.js';
import { DEFAULTS } from '../capture/trace-input.js';
import { CliError, numberOption } from './command.js';
import { tsaSettings } from './tsa-option.js';

export const TRACE_OPTIONS = {
  resolve: { type: 'string', multiple: true },
  'connect-to': { type: 'string', multiple: true },
  cacert: { type: 'string', multiple: true },
  'dns-server': { type: 'string' },
  'allow-private': { type: 'boolean' },
  'strict-tls': { type: 'boolean' },
  'user-agent': { type: 'string', short: 'A' },
  device: { type: 'string' },
  browser: { type: 'string' },
  timeout: { type: 'string' },
  settle: { type: 'string' },
  'max-hops': { type: 'string' },
  click: { type: 'string', multiple: true },
  explore: { type: 'boolean' },
  'explore-depth': { type: 'string' },
  'no-nudge': { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  tsa: { type: 'string' },
} as const;

export const TRACE_OPTIONS_HELP = `
  --resolve HOST:PORT:ADDR   connect to ADDR for HOST:PORT (repeatable; HOST or PORT may be *);
                             addresses given here are allowed even if private
  --connect-to H1:P1:H2:P2   connect to H2:P2 instead of H1:P1 (empty parts: any / unchanged)
  --cacert FILE              also trust this CA (PEM) when verifying upstream servers
  --dns-server IP[:PORT]     ask this DNS server instead of the system resolver
  --allow-private            allow DNS answers that point to private/loopback addresses
  --strict-tls               fail on upstream certificates that do not verify (default: record, go on)
  -A, --user-agent UA        browser User-Agent (default: a normal desktop Chrome UA)
  --device desktop|mobile    viewport and identity (default desktop)
  --browser shell|full       Debian's chromium-headless-shell (default when installed; fastest)
                             or the full chromium in headless mode (slower; harder for cloaking
                             to detect)
  --timeout SECONDS          limit for the whole trace (default ${DEFAULTS.timeoutMs / 1000})
  --settle MS                how long a page may still navigate on its own (default ${DEFAULTS.settleMs})
  --max-hops N               stop after N documents (default ${DEFAULTS.maxHops})
  --click TEXT               after the chain settles, click the link/button with this text
                             (repeatable; with the mouse, on a phone with a tap)
  --explore                  after the chain settles (and any --click), click the page's main
                             call-to-action, chosen by what a person sees; never unsubscribe,
                             privacy, mailto:/tel:, download, same-page or form-typing targets
  --explore-depth N          explore N pages in a row: each click's resting page in turn
                             (default 1; implies --explore)
  --no-nudge                 do not behave like a person starting to read a resting page that
                             listens for one (by default such a page gets the window focused, a
                             mouse path of a few curved strokes over about half a second, then a
                             few wheel notches down, or on a phone a flick or a few that scroll
                             a long page past half; never a click or a key; at most 2.5 s of
                             input): a human check that holds the real redirect until then is
                             not passed
  --out DIR                  where case folders go (default ./${DEFAULTS.outDir})
  --json                     print the report as JSON
  --tsa URL                  RFC 3161 time-stamping authority asked for a token over each sealed
                             case's manifest (kept as manifest.tsr; "clicktrace verify" checks
                             it); default: "tsa" of ~/.clicktrace/config.json; --tsa none: never`;

type Values = {
  [K in keyof typeof TRACE_OPTIONS]?: (typeof TRACE_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof TRACE_OPTIONS)[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

export function traceOptionsFrom(values: Values, url: string, commandLine: string[]): TraceOptions {
  const device = values.device ?? 'desktop';
  if (device !== 'desktop' && device !== 'mobile') throw new CliError(`--device: expected desktop or mobile, got "${device}"`);
  const browser = values.browser;
  if (browser !== undefined && browser !== 'shell' && browser !== 'full')
    throw new CliError(`--browser: expected shell or full, got "${browser}"`);
  const timeout = numberOption(values.timeout, '--timeout', { min: 1, max: 3600, integer: false });
  return {
    url,
    resolve: values.resolve ?? [],
    connectTo: values['connect-to'] ?? [],
    cacert: values.cacert ?? [],
    dnsServer: values['dns-server'] ?? null,
    allowPrivate: values['allow-private'] ?? false,
    strictTls: values['strict-tls'] ?? false,
    ...(values['user-agent'] ? { userAgent: values['user-agent'] } : {}),
    device,
    ...(browser ? { browser } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    ...(values.settle !== undefined ? { settleMs: numberOption(values.settle, '--settle', { min: 0, max: 600_000 })! } : {}),
    ...(values['max-hops'] !== undefined ? { maxHops: numberOption(values['max-hops'], '--max-hops', { min: 1, max: 1000 })! } : {}),
    clicks: values.click ?? [],
    ...exploreOption(values),
    ...(values['no-nudge'] ? { nudge: false } : {}),
    outDir: values.out ?? DEFAULTS.outDir,
    commandLine,
    tsa: tsaSettings(values.tsa),
  };
}

/**
 * Bad --resolve, --connect-to, --dns-server or --cacert said once, as bad input, before anything
 * is requested: a batch would otherwise fail every link with it.
 */
export async function checkUpstreamOptions(options: TraceOptions): Promise<void> {
  (await import('../proxy/upstream.js')).buildUpstream(options);
}

function exploreOption(values: Values): Pick<TraceOptions, 'exploreDepth'> {
  const depth = numberOption(values['explore-depth'], '--explore-depth', { min: 1, max: 10 });
  if (depth === undefined && !values.explore) return {};
  return { exploreDepth: depth ?? 1 };
}
