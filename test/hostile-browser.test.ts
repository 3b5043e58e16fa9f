// Pages that attack the browser and the trace's patience, traced with the bundled command line as
// a user runs it. Every trace ends with a sealed case that `verify` accepts, the precise reason
// (exit 1), or exit 0 where the page is fine, within --timeout + 2 s of its start, with no
// Chromium process left behind and the whole process tree (node and every Chromium process)
// under 1.5 GB at its peak.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempDir, twoAtATime } from './helpers.js';
import { ProcessTree } from './support/process-tree.js';
import { startLab, type Lab } from '../src/lab/index.js';
import {
  HEAVY_PAGE_IMAGES,
  HEAVY_PAGE_TITLE,
  HEAVY_PAGE_URL,
  KILL_TARGET_URL,
  OOM_CLICK_TEXT,
  UNSUPPORTED_REDIRECTS,
} from '../src/lab/scenarios/hostile-browser.js';
import { RESET_MID_BODY_SENT } from '../src/lab/scenarios/hostile-evidence.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { verifyCase } from '../src/verify/verify.js';
import type { Report } from '../src/report.js';

const CLI = fileURLToPath(new URL('../clicktrace.mjs', import.meta.url));
const MEMORY_LIMIT = 1.5e9;
/**
 * Time bounds here guard against hangs (a pushState storm used to keep clicktrace alive 143 s
 * after a 20 s --timeout), not speed: the target is --timeout + 2 s on a quiet machine, and a
 * loaded one (two test files at once, each with Chromium, and two traces at once in this one)
 * gets this much more.
 */
const LOAD_SLACK_MS = 20_000;
let lab: Lab;

before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  report: Report;
  stdout: string;
  stderr: string;
  caseDir: string;
  /** When the process exited, and when the trace began (the report's startedAt), epoch ms. */
  exitedAt: number;
  startedAt: number;
  peakBytes: number;
}

/**
 * `clicktrace trace <scenario> --json` against the lab, watched through /proc. `during` runs once
 * the process is up (to send it a signal, or kill its renderer).
 */
async function traceCli(
  scenario: string,
  args: string[],
  during?: (tree: ProcessTree, pid: number, running: () => boolean, output: () => string) => Promise<void>,
): Promise<Run> {
  const out = tempDir('hostile-browser-');
  const url = lab.scenarios[scenario].url;
  const child = spawn(process.execPath, [CLI, 'trace', url, '--json', '--out', out, ...args, ...lab.traceArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tree = new ProcessTree(child.pid!).start(100);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let running = true;
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (code, signal) => {
      running = false;
      resolve([code, signal]);
    }),
  );
  try {
    await during?.(
      tree,
      child.pid!,
      () => running,
      () => `${stdout.slice(0, 1500)} ${stderr.slice(-500)}`,
    );
  } catch (error) {
    // The process and the watch on its tree end with the test: left running, either keeps the file from ever ending.
    child.kill('SIGKILL');
    await exited;
    tree.stop();
    throw error;
  }
  const [code, signal] = await exited;
  const exitedAt = Date.now();
  tree.stop();
  await assertNoSurvivors(tree, scenario);
  let report: Report;
  try {
    report = JSON.parse(stdout) as Report;
  } catch {
    assert.fail(`${scenario}: no report (exit ${code ?? signal}): ${stderr.slice(0, 500)}`);
  }
  return {
    code,
    signal,
    report,
    stdout,
    stderr,
    caseDir: join(out, report.case!),
    exitedAt,
    startedAt: Date.parse(report.startedAt),
    peakBytes: tree.peakBytes,
  };
}

/** No process of the tree is left once clicktrace has exited (those killed a moment ago get `graceMs` to go). */
async function assertNoSurvivors(tree: ProcessTree, what: string, graceMs = 1000): Promise<void> {
  let survivors = tree.survivors();
  for (let waited = 0; survivors.length > 0 && waited < graceMs; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    survivors = tree.survivors();
  }
  for (const p of survivors) process.kill(p.pid, 'SIGKILL');
  assert.deepEqual(
    survivors.map((p) => p.command),
    [],
    `${what}: processes outlived clicktrace`,
  );
}

/**
 * What every trace here must show, whatever the page did. `bigEvidence`: the case holds a 50-64 MB
 * body, which the HAR exporter still builds as one string (seconds on a loaded machine: issue 10,
 * item 1); until it streams, the trace itself must end in time, and the process some time after.
 */
async function assertWellEnded(
  run: Run,
  timeoutSeconds: number,
  what: string,
  { bigEvidence = false, interrupted = false } = {},
): Promise<void> {
  // A trace the user stopped is partial (sealed all the same); any other ends whole, whatever the page did.
  assert.equal(run.report.partial, interrupted, `${what}: the case is sealed${interrupted ? ', partial' : ''}`);
  // What `clicktrace verify` checks (its exit status is this ok), in this process: a process start less per trace.
  const verified = await verifyCase(run.caseDir);
  assert.ok(verified.ok, `${what}: verify: ${verified.problems.join('; ')}`);
  const ended = bigEvidence ? Date.parse(run.report.endedAt!) : run.exitedAt;
  const ms = ended - run.startedAt;
  assert.ok(
    ms <= timeoutSeconds * 1000 + 2000 + LOAD_SLACK_MS,
    `${what}: ${bigEvidence ? 'the trace ended' : 'clicktrace exited'} ${ms} ms after it began (--timeout ${timeoutSeconds})`,
  );
  assert.ok(run.peakBytes < MEMORY_LIMIT, `${what}: the process tree peaked at ${Math.round(run.peakBytes / 1e6)} MB`);
  assert.doesNotMatch(run.stderr, /Warning/, `${what}: ${run.stderr}`);
}

/** Waits until the lab has served `url` once more than `before` times (the page is loading in the browser), or the trace has ended. */
async function served(url: string, before: number, running: () => boolean): Promise<void> {
  while (lab.hits(url) <= before && running()) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(lab.hits(url) > before, `the trace ended before the lab served ${url}`);
}

// The traces are independent (each its own process, Chromium and cases folder, each tree watched on its
// own) and mostly wait on the page, on --timeout or on a renderer dying: two at a time, for the file's wall time.
describe('hostile pages, two traces at a time', { concurrency: 2 }, () => {
  test('a pushState storm ends within --timeout + 2 s, and so does every process of the trace', async () => {
    // A short --timeout: what is tested is the end at --timeout (+ 2 s), whatever its length; the storm loads a core until then.
    const run = await traceCli('pushstate-storm', ['--timeout', '4', '--settle', '30000']);
    assert.equal(run.code, 1);
    assert.match(run.report.error ?? '', /^timeout: |^page did not finish loading/);
    await assertWellEnded(run, 4, 'pushstate-storm');
  });

  test('a renderer out of memory is an error with its reason and the chain so far, and the tree stays under 1.5 GB', async () => {
    // A long settle time: allocating 512 MB takes a loaded machine longer than the default 6 s.
    const run = await traceCli('renderer-oom', ['--timeout', '40', '--settle', '30000']);
    assert.equal(run.code, 1);
    assert.match(run.report.error ?? '', /^renderer crashed: out of memory/);
    assert.deepEqual(
      run.report.hops.map((h) => [h.via, h.status]),
      [
        ['start', 302],
        ['http-302', 200],
      ],
    );
    await assertWellEnded(run, 40, 'renderer-oom');
  });

  test('memory a page fills outside the JavaScript heap is capped too: the allocation fails in the page', async () => {
    const run = await traceCli('renderer-oom-buffers', ['--timeout', '40', '--settle', '30000']);
    await assertWellEnded(run, 40, 'renderer-oom-buffers');
    // The page saw a RangeError and finished loading, or its renderer ran out of memory: either way the tree stayed small.
    if (run.code !== 0) assert.match(run.report.error ?? '', /^renderer crashed: out of memory/);
  });

  test('canvases drawn until memory runs out: the renderer dies, the tree stays under 1.5 GB', async () => {
    const run = await traceCli('renderer-oom-canvas', ['--timeout', '40', '--settle', '30000']);
    assert.equal(run.code, 1);
    assert.match(run.report.error ?? '', /^renderer crashed/);
    await assertWellEnded(run, 40, 'renderer-oom-canvas');
  });

  test('a renderer that dies after a click: the error, the chain and the screenshot of the page before it', async () => {
    const run = await traceCli('renderer-oom-click', ['--timeout', '40', '--settle', '30000', '--click', OOM_CLICK_TEXT]);
    assert.equal(run.code, 1);
    assert.match(run.report.error ?? '', /^renderer crashed: out of memory/);
    assert.equal(run.report.hops.length, 1);
    assert.ok(run.report.events.some((e) => e.kind === 'click'));
    assert.equal(run.report.pages.length, 1);
    assert.ok(run.report.pages[0].screenshot, 'the page was photographed before the click');
    await assertWellEnded(run, 40, 'renderer-oom-click');
  });

  // Each of these waits for its own request of the one renderer-kill page (lab.hits), so they run one at a time.
  describe('the renderer-kill page, one trace at a time', { concurrency: 1 }, () => {
    test('a renderer killed under the trace: "renderer killed"', async () => {
      const before = lab.hits(KILL_TARGET_URL);
      const run = await traceCli('renderer-kill', ['--timeout', '60', '--settle', '50000'], async (tree, _pid, running, output) => {
        await served(KILL_TARGET_URL, before, running);
        // The page's renderer, as soon as the process tree shows it (a loaded machine is slow to).
        await new Promise((resolve) => setTimeout(resolve, 500));
        let renderers: ReturnType<typeof tree.members> = [];
        const until = Date.now() + 20_000;
        while (renderers.length === 0 && running() && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          tree.sample();
          renderers = tree.members().filter((p) => p.command.includes('--type=renderer'));
        }
        assert.ok(renderers.length > 0, `a renderer is running (the trace ${running() ? 'runs' : `has ended: ${output()}`})`);
        for (const renderer of renderers) process.kill(renderer.pid, 'SIGKILL');
      });
      assert.equal(run.code, 1);
      assert.equal(run.report.error, 'renderer killed');
      assert.equal(run.report.hops[0]?.url, KILL_TARGET_URL);
      await assertWellEnded(run, 60, 'renderer-kill');
    });

    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      test(`${signal} stops the trace where it is: the case is written with the reason, and Chromium goes`, async () => {
        let sentAt = 0;
        const before = lab.hits(KILL_TARGET_URL);
        const run = await traceCli('renderer-kill', ['--timeout', '30', '--settle', '20000'], async (_tree, pid, running) => {
          await served(KILL_TARGET_URL, before, running);
          sentAt = Date.now();
          process.kill(pid, signal);
        });
        assert.equal(run.code, code);
        assert.equal(run.report.error, `interrupted by ${signal}`);
        assert.ok(run.exitedAt - sentAt < 5000 + LOAD_SLACK_MS, `exited ${run.exitedAt - sentAt} ms after ${signal}`);
        await assertWellEnded(run, 30, signal, { interrupted: true });
      });
    }
  });

  test('a 50 MB stylesheet loads, without listener warnings', async () => {
    const run = await traceCli('big-body', ['--timeout', '60']);
    // The page loads, but a machine so busy that Chromium goes 1.5 s without a byte of it may judge it hung.
    if (run.code !== 0) assert.match(run.report.error ?? '', /^page did not finish loading/);
    await assertWellEnded(run, 60, 'big-body', { bigEvidence: true });
  });

  test(
    'a process that launched Chromium takes it along when killed: by a signal it does not handle, or by SIGKILL',
    { timeout: 120_000 },
    async () => {
      const browserModule = new URL('../src/capture/browser.js', import.meta.url).href;
      const script = [
        `const { launchBrowser } = await import(${JSON.stringify(browserModule)});`,
        // A page, for a renderer: Chromium opens none at start.
        "await (await launchBrowser()).cdp.browser.send('Target.createTarget', { url: 'about:blank' });",
        "process.stdout.write('up\\n');",
        'setInterval(() => {}, 1000);',
      ].join('\n');
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        const tree = new ProcessTree(child.pid!).start(100);
        // On a failure below: left running, the child or the watch on its tree would keep the file from ever ending.
        const abandon = () => {
          child.kill('SIGKILL');
          tree.stop();
        };
        // Bounded: a launch that never answers fails this test instead of holding the file open.
        const up = await Promise.race([
          once(child.stdout, 'data').then(() => true),
          new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000).unref()),
        ]);
        if (!up) abandon();
        assert.ok(up, `${signal}: the child's Chromium did not come up within 60 s`);
        // Its first renderer comes a moment after the page is opened (seconds on a loaded machine).
        const hasRenderer = () => tree.members().some((p) => p.command.includes('--type=renderer'));
        for (let waited = 0; !hasRenderer() && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
        tree.sample();
        if (!hasRenderer()) abandon();
        assert.ok(hasRenderer(), `${signal}: Chromium is up`);
        const exited = once(child, 'exit');
        child.kill(signal);
        const gone = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 30_000).unref())]);
        if (!gone) abandon();
        assert.ok(gone, `${signal}: the child did not end within 30 s`);
        tree.stop();
        // SIGKILL leaves nothing of node to act: Chromium ends by itself when its pipe closes.
        await assertNoSurvivors(tree, signal, signal === 'SIGKILL' ? 5000 : 1000);
      }
    },
  );
});

// One at a time, after the others: each bounds how long its traces may take (the redirects and the cut bodies
// two at a time already, the endless body by a short --timeout), and the heavy page loads both cores.
test('redirects to schemes that are not the web end at once, saying which', async () => {
  await twoAtATime(Object.keys(UNSUPPORTED_REDIRECTS), async (scheme) => {
    const run = await traceCli(`redirect-${scheme}`, ['--timeout', '40', '--settle', '30000']);
    assert.equal(run.code, 1, scheme);
    assert.equal(run.report.error, `redirect to unsupported scheme ${scheme}:`);
    // The answer names the link out of the web, never its opaque part ("claim", "details") as a host
    // (a redirect to javascript:, ftp: or data: is refused with no request for it: said of the 302's hop).
    if (!['javascript', 'ftp', 'data'].includes(scheme))
      assert.match(run.report.summary?.text ?? '', /-> redirect to .*, not a web page: no landing page$/, scheme);
    // Not after waiting out the settle time (30 s).
    assert.ok(Date.parse(run.report.endedAt!) - run.startedAt < 20_000, `${scheme}: took ${run.report.elapsedMs} ms`);
    await assertWellEnded(run, 40, `redirect-${scheme}`);
  });
});

test('a body cut by a reset and a corrupt gzip body end at once with what happened', async () => {
  const cases = [
    ['reset-mid-body', `connection reset after ${RESET_MID_BODY_SENT.toLocaleString('en-US')} bytes`],
    ['corrupt-gzip', 'content-encoding gzip: corrupt data'],
  ] as const;
  await twoAtATime(cases, async ([scenario, reason]) => {
    const run = await traceCli(scenario, ['--timeout', '40', '--settle', '30000']);
    assert.equal(run.code, 1, scenario);
    assert.equal(run.report.error, reason);
    assert.ok(Date.parse(run.report.endedAt!) - run.startedAt < 20_000, `${scenario}: took ${run.report.elapsedMs} ms`);
    await assertWellEnded(run, 40, scenario);
  });
});

test(`a heavy but honest page (${HEAVY_PAGE_IMAGES} images) is a page, not an error`, async () => {
  // What makes a page heavy for a trace is loading past the settle limit (settle.ts: a document still
  // loading while its network makes progress is waited for, not cut as "did not finish loading").
  // A short --settle puts the limit well inside the load of its images (seconds through the recording
  // proxy), so the page need not be large enough to outlast the default 6 s.
  const settleMs = 500;
  const run = await traceCli('heavy-page', ['--timeout', '150', '--settle', String(settleMs)]);
  assert.equal(run.report.error, null);
  assert.equal(run.code, 0);
  assert.equal(run.report.final?.title, HEAVY_PAGE_TITLE);
  const { exchanges } = await readCapture(run.caseDir);
  const images = exchanges.filter((e) => new URL(e.request.url).pathname.startsWith('/hb/photo/'));
  assert.equal(images.length, HEAVY_PAGE_IMAGES, 'every image is recorded');
  const page = exchanges.find((e) => e.request.url === HEAVY_PAGE_URL)!;
  const loadedFor = Math.max(...images.map((e) => Date.parse(e.startedAt))) - Date.parse(page.startedAt);
  assert.ok(loadedFor > 2 * settleMs, `images were still requested ${loadedFor} ms after the page, past the ${settleMs} ms settle limit`);
  await assertWellEnded(run, 150, 'heavy-page');
});

test('an endless body ends at --timeout, without listener warnings', async () => {
  // The body streams (and is recorded) until --timeout, so the evidence grows with it: short, but
  // --timeout counts from the start of the trace, Chromium's launch included, and a loaded machine
  // takes up to 4 s to launch it and request the stylesheet. Shorter, the page is cut before its
  // stylesheet is asked for ("did not settle", "no response"), and nothing shows the body endless.
  // On Debian's Chromium 156.0.8078.129 and a quiet machine, the renderer dies about 3.5 s into
  // this page (signal 5), with no command of ours sent after the navigation; a plain headless shell
  // through our proxy does not. Not understood yet: either ending is reported and well ended.
  const run = await traceCli('endless-body', ['--timeout', '10']);
  assert.equal(run.code, 1);
  assert.match(run.report.error ?? '', /^(timeout: the page was still loading after 10 s|renderer crashed \(signal 5: )/);
  await assertWellEnded(run, 10, 'endless-body', { bigEvidence: true });
});
