// What a trace sends must be what Debian's Chromium sends by itself, or a cloaking server can tell
// clicktrace from a visitor by its headers alone. For each build (headless shell and full), each
// device and both schemes, the headers the lab's echo page received from a trace are compared
// with those it received from the same Chromium run directly, headless, without clicktrace
// (no proxy, no CDP: `chromium --headless --dump-dom URL`, the lab's host mapped to loopback with
// --host-resolver-rules): names, order, values, client hints.
//
// How the reference is read:
// - It is the full build's, for both builds: the headless shell by itself says "HeadlessChrome"
//   in its UA and brands and sends no Accept-Language at all, and a trace with the shell must pass
//   for a desktop Chromium.
// - It reached the lab on the lab's own port (nothing maps ports without a proxy), so its Host
//   header carries ":port"; the port is dropped.
// - The values clicktrace sets on purpose are compared with what a headed Chromium sends:
//   User-Agent is the reference's with "HeadlessChrome" read as "Chrome" (the desktop identity's
//   must equal it exactly; the mobile identity's is Chrome's reduced Android UA), Sec-CH-UA is the
//   reference's (new headless mode announces no headless brand), Sec-CH-UA-Mobile and
//   Sec-CH-UA-Platform follow the device.
// - Chromium's Accept-Language follows the environment's locale: the reference runs as a US
//   user (LANG=en_US.UTF-8), the locale of clicktrace's identity.
// - One difference comes from the recording proxy and is applied to the expectation (with a
//   `todo` test asserting the exact list, so it shows until fixed): it drops `zstd` from
//   Accept-Encoding (Node 20 cannot decode it, see src/proxy/forwarded-headers.ts). The header
//   lines otherwise go upstream as Chromium wrote them, in their order, Connection included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startLab, type Lab } from '../src/lab/index.js';
import { contextProbeUrl, echoedLanguages, echoedNotificationPermission, headerEchoUrl } from '../src/lab/scenarios/header-echo.js';
import { probedContexts } from '../src/lab/scenarios/context-probe.js';
import { launchBrowser, type Browser } from '../src/capture/browser.js';
import { browserPath, type BrowserKind } from '../src/capture/chromium-process.js';
import { defaultIdentity, type Device } from '../src/capture/identity.js';
import { trace } from '../src/capture/trace.js';
import type { HeaderLine } from '../src/model.js';
import { labOptions, tempDir } from './helpers.js';

type Scheme = 'http' | 'https';
const KINDS: BrowserKind[] = ['shell', 'full'];
const DEVICES: Device[] = ['desktop', 'mobile'];
const SCHEMES: Scheme[] = ['https', 'http'];
// An upper bound, not a speed requirement: a loaded 2-core machine can take 20 s to start Chromium and settle.
const TRACE_TIMEOUT_MS = 90_000;

interface Seen {
  headers: HeaderLine[];
  languages: string[] | null;
}

let lab: Lab;
const browsers = new Map<BrowserKind, Browser>();
const references = new Map<Scheme, Seen>();

function received(id: string): HeaderLine[] {
  const request = lab.requests.find((r) => new URL(r.url).pathname === `/echo/${id}`);
  assert.ok(request, `the echo page got no request for ${id}`);
  const lines: HeaderLine[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push([request.rawHeaders[i], request.rawHeaders[i + 1]]);
  return lines;
}

/** Debian's full Chromium on its own, headless, straight to the lab (no proxy, no CDP): the DOM it dumps. */
async function referenceDom(scheme: Scheme, href: string, flags: string[] = []): Promise<string> {
  const url = new URL(href);
  url.port = String(scheme === 'https' ? lab.httpsPort : lab.httpPort);
  const profile = tempDir('reference-profile-');
  const child = spawn(
    browserPath('full'),
    [
      '--headless',
      `--user-data-dir=${profile}`,
      // Only the lab's host resolves, to loopback; Chromium's own background requests resolve nowhere.
      `--host-resolver-rules=MAP ${url.hostname} 127.0.0.1, MAP * ~NOTFOUND`,
      '--ignore-certificate-errors',
      // As in a trace: an http:// URL is requested as given.
      '--disable-features=HttpsUpgrades',
      '--no-first-run',
      // Chromium refuses its sandbox as root; the sandbox changes nothing on the wire.
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ...flags,
      '--dump-dom',
      url.href,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LANG: 'en_US.UTF-8', LANGUAGE: '', LC_ALL: '' } },
  );
  let dom = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (dom += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  rmSync(profile, { recursive: true, force: true });
  return dom;
}

async function referenceVisit(scheme: Scheme): Promise<Seen> {
  const id = `reference-${scheme}`;
  const dom = await referenceDom(scheme, headerEchoUrl(scheme, id));
  return { headers: received(id), languages: echoedLanguages(dom) };
}

const value = (headers: HeaderLine[], name: string) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

/** What a trace must send: the reference, with the values clicktrace sets on purpose as a headed Chromium sends them. */
function expectedHeaders(reference: HeaderLine[], device: Device, userAgent: string): HeaderLine[] {
  const mobile = device === 'mobile';
  return reference.map(([name, v]): HeaderLine => {
    switch (name.toLowerCase()) {
      case 'host':
        return [name, v.replace(/:\d+$/, '')];
      case 'user-agent':
        return [name, userAgent];
      case 'sec-ch-ua-mobile':
        return [name, mobile ? '?1' : '?0'];
      case 'sec-ch-ua-platform':
        return [name, mobile ? '"Android"' : '"Linux"'];
      default:
        return [name, v];
    }
  });
}

/** The one change today's recording proxy makes (see the top of this file). */
function throughTodaysProxy(expected: HeaderLine[]): HeaderLine[] {
  return expected.map(([name, v]): HeaderLine => [
    name,
    name.toLowerCase() === 'accept-encoding'
      ? v
          .split(', ')
          .filter((e) => e !== 'zstd')
          .join(', ')
      : v,
  ]);
}

const show = (headers: HeaderLine[]) => headers.map(([n, v]) => `${n}: ${v}`);

before(async () => {
  lab = await startLab();
  // One at a time: two Chromium starts at once on a loaded machine only make both slow.
  for (const scheme of SCHEMES) references.set(scheme, await referenceVisit(scheme));
  for (const kind of KINDS) browsers.set(kind, await launchBrowser({ kind }));
});

after(async () => {
  for (const browser of browsers.values()) await browser.close();
  await lab?.close();
});

describe('the reference (Chromium by itself)', () => {
  it('is a desktop Chromium whose headed UA is the desktop identity', () => {
    for (const scheme of SCHEMES) {
      const { headers, languages } = references.get(scheme)!;
      const ua = value(headers, 'user-agent') ?? '';
      assert.match(ua, /HeadlessChrome\//);
      const version = browsers.get('full')!.version();
      assert.equal(ua.replace('HeadlessChrome/', 'Chrome/'), defaultIdentity('desktop', version).userAgent);
      assert.doesNotMatch(value(headers, 'sec-ch-ua') ?? '', /Headless/);
      assert.equal(value(headers, 'accept-language'), defaultIdentity('desktop', version).acceptLanguage);
      assert.deepEqual(languages, ['en-US', 'en']);
    }
  });
});

for (const kind of KINDS) {
  for (const device of DEVICES) {
    for (const scheme of SCHEMES) {
      describe(`--browser ${kind}, --device ${device}, ${scheme}://`, () => {
        let sent: HeaderLine[];
        let expected: HeaderLine[];
        let languages: string[] | null;
        let notification: ReturnType<typeof echoedNotificationPermission>;
        before(async () => {
          const id = `${kind}-${device}-${scheme}`;
          const browser = browsers.get(kind)!;
          const { report, capture } = await trace(
            labOptions(lab, headerEchoUrl(scheme, id), { device, timeoutMs: TRACE_TIMEOUT_MS }),
            browser,
          );
          assert.equal(report.error, null, `${id}: ${report.error}`);
          sent = received(id);
          languages = echoedLanguages(capture.pages.at(-1)?.dom?.html ?? '');
          notification = echoedNotificationPermission(capture.pages.at(-1)?.dom?.html ?? '');
          const identity = defaultIdentity(device, browser.version());
          expected = expectedHeaders(references.get(scheme)!.headers, device, identity.userAgent);
        });

        it('sends the headers Chromium sends by itself, in its order', () => {
          assert.deepEqual(show(sent), show(throughTodaysProxy(expected)));
        });

        it('shows the identity languages in navigator.languages', () => {
          assert.deepEqual(languages, ['en-US', 'en']);
        });

        // A site not yet asked: "default", its query "prompt"; an insecure page: "denied" both, as a
        // browser says (the shell says "denied" everywhere, its query what the context was given).
        it(`says Notification.permission ${scheme === 'https' ? '"default", its query "prompt"' : '"denied", its query too'}`, () => {
          assert.deepEqual(
            notification,
            scheme === 'https' ? { permission: 'default', query: 'prompt' } : { permission: 'denied', query: 'denied' },
          );
        });

        it(
          'through a proxy that changes nothing',
          { todo: 'the recording proxy offers no zstd: Node 20 cannot decode it for the analysis' },
          () => {
            assert.deepEqual(show(sent), show(expected));
          },
        );
      });
    }
  }
}

// What each kind of context (top document, frames, a sandboxed frame, a worker) answers, against
// what Chromium by itself answers there: a secure context has permissions and APIs an insecure one
// has not (src/lab/scenarios/context-probe.ts). The headless shell's permission settings are a
// trace's, given for every origin (session.ts): its init script makes them a browser's per context.
describe('the context probe (permission queries, Notification.permission)', () => {
  type Contexts = Record<string, Record<string, unknown>>;
  const answers = (contexts: Contexts | null) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [context, record] of Object.entries(contexts ?? {})) {
      out[context] = Object.fromEntries(
        Object.entries(record).filter(([k]) => k.startsWith('permission ') || k === 'Notification.permission' || k === 'isSecureContext'),
      );
    }
    return out;
  };
  const reference = new Map<Scheme, Contexts | null>();
  const CONTEXTS = ['about:blank frame', 'same-origin frame', 'sandboxed frame', 'srcdoc frame', 'top', 'worker'];
  before(async () => {
    // Virtual time lets the frames and the worker answer before the DOM is dumped. It runs ahead of
    // the browser's own answers (a query is a call into the browser, not a timer): on a loaded
    // machine a context had not answered when the probe gave up waiting (its 3 s, in virtual time).
    // The reference is loaded again then, up to 8 times (4 were once not enough beside a CI run).
    for (const scheme of SCHEMES) {
      let contexts: Contexts | null = null;
      for (let attempt = 0; attempt < 8 && Object.keys(contexts ?? {}).length < CONTEXTS.length; attempt++) {
        const id = `reference-${scheme}-${attempt}`;
        contexts = probedContexts(await referenceDom(scheme, contextProbeUrl(scheme, id), ['--virtual-time-budget=8000']));
      }
      reference.set(scheme, contexts);
    }
  });

  it('the reference answered in every context', () => {
    for (const scheme of SCHEMES) assert.deepEqual(Object.keys(reference.get(scheme) ?? {}).sort(), CONTEXTS);
  });

  for (const device of DEVICES) {
    for (const scheme of SCHEMES) {
      it(`--browser shell, --device ${device}, ${scheme}://: every context answers as Chromium's`, async () => {
        const id = `shell-${device}-${scheme}`;
        const { report, capture } = await trace(
          labOptions(lab, contextProbeUrl(scheme, id), { device, timeoutMs: TRACE_TIMEOUT_MS }),
          browsers.get('shell'),
        );
        assert.equal(report.error, null, `${id}: ${report.error}`);
        assert.deepEqual(answers(probedContexts(capture.pages.at(-1)?.dom?.html ?? '')), answers(reference.get(scheme) ?? null));
      });
    }
  }
});

// The command line's path: a browser launched for one trace, whose start-up tab is the trace's page
// (the default build; the launch flags are the same for both).
for (const kind of ['shell'] as const) {
  it(`--browser ${kind}, a browser of the trace's own: the same headers`, async () => {
    const id = `${kind}-own-browser`;
    const { report } = await trace(labOptions(lab, headerEchoUrl('https', id), { browser: kind, timeoutMs: TRACE_TIMEOUT_MS }));
    assert.equal(report.error, null, `${id}: ${report.error}`);
    const version = browsers.get(kind)!.version();
    const expected = expectedHeaders(references.get('https')!.headers, 'desktop', defaultIdentity('desktop', version).userAgent);
    assert.deepEqual(show(received(id)), show(throughTodaysProxy(expected)));
  });
}
