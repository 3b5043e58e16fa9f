import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchBrowser, type AttachedTarget, type Browser } from './browser.js';
import { PageObserver } from './page-observer.js';
import { initScript } from './init-script.js';
import { framesReadSince, readCrossOriginFrames } from './frame-timers.js';

// Between a document's response and its commit, the page still shows the document it is leaving
// with nothing pending: the observer must say a document is on its way until it replaces the page
// (or the navigation ends without one: a 204).

let browser: Browser;
let server: Server;
let origin: string;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/nothing') return void res.writeHead(204).end();
    if (req.url === '/worker.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end("postMessage('ready');");
    if (req.url === '/frames') {
      const port = (server.address() as AddressInfo).port;
      const frame = (src: string, id: string, extra = '') => `<iframe id="${id}" src="${src}"${extra}></iframe>`;
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><title>frames</title>` +
            frame(`http://127.0.0.1:${port}/timer`, 'same') +
            frame(`http://localhost:${port}/timer`, 'cross') +
            frame(`http://localhost:${port}/nested`, 'nested'),
        );
    }
    if (req.url === '/nested') {
      const port = (server.address() as AddressInfo).port;
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><iframe src="http://127.0.0.1:${port}/timer"></iframe>`);
    }
    if (req.url === '/timer')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><script>setTimeout(() => {}, 4000);</script>`);
    if (req.url === '/worker')
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><title>worker</title><script>new Worker('/worker.js').onmessage = (e) => { document.title = e.data; };</script>`,
        );
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${req.url}</title><p>page ${req.url}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser.close();
  await new Promise((resolve) => server.close(resolve));
});

async function openObservedPage(init?: string): Promise<{ observer: PageObserver; target: AttachedTarget }> {
  const cdp = browser.cdp.browser;
  const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
  const attached = new Promise<AttachedTarget>((resolve) => browser.onContextTarget(browserContextId, resolve));
  await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const target = await attached;
  const observer = new PageObserver(target, 'p1', {
    emit: () => undefined,
    docRequested: () => undefined,
    docFailed: () => undefined,
    crashed: () => undefined,
    requestAnnounced: () => undefined,
    requestEnded: () => undefined,
  });
  observer.attach();
  await Promise.all([
    target.session.send('Page.enable'),
    target.session.send('Network.enable'),
    ...(init ? [target.session.send('Page.addScriptToEvaluateOnNewDocument', { source: init })] : []),
  ]);
  await target.session.send('Runtime.runIfWaitingForDebugger');
  return { observer, target };
}

function loaded(target: AttachedTarget): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      target.session.off('Page.loadEventFired', done);
      resolve();
    };
    target.session.on('Page.loadEventFired', done);
  });
}

test('a document whose response came is on its way until it commits: the page it leaves is not at rest', async () => {
  const { observer, target } = await openObservedPage();
  const first = loaded(target);
  await target.session.send('Page.navigate', { url: `${origin}/first` });
  await first;
  // The observer heard each event first (it listened first): its state is read as Chromium reports.
  const seen: string[] = [];
  target.session.on('Network.responseReceived', (e) => {
    if (e.type === 'Document') seen.push(`response: committing ${observer.committing}, url ${new URL(observer.url).pathname}`);
  });
  target.session.on('Page.frameNavigated', (e) => {
    if (!e.frame.parentId) seen.push(`committed: committing ${observer.committing}, url ${new URL(observer.url).pathname}`);
  });
  const second = loaded(target);
  await target.session.send('Runtime.evaluate', { expression: `location.href = '${origin}/second'` });
  await second;
  assert.deepEqual(seen, ['response: committing true, url /first', 'committed: committing false, url /second']);
});

test('a document slow to commit (its renderer held, as a loaded machine holds it) is on its way past 1.5 s', async () => {
  const { observer, target } = await openObservedPage();
  const first = loaded(target);
  await target.session.send('Page.navigate', { url: `${origin}/first` });
  await first;
  const { processInfo } = await browser.cdp.browser.send('SystemInfo.getProcessInfo');
  const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  assert.ok(renderers.length > 0, 'the renderers are known');
  // Held from the document's request on (held from its response, a renderer had sometimes
  // committed it already, its events still on their way): the response comes, the commit cannot.
  const held = new Promise<void>((resolve) =>
    target.session.on('Network.requestWillBeSent', (e) => {
      if (e.type !== 'Document') return;
      for (const pid of renderers) process.kill(pid, 'SIGSTOP');
      resolve();
    }),
  );
  const responded = new Promise<void>((resolve) =>
    target.session.on('Network.responseReceived', (e) => {
      if (e.type === 'Document') resolve();
    }),
  );
  const second = loaded(target);
  // Answered by the renderer, maybe only once it runs again.
  const evaluated = target.session.send('Runtime.evaluate', { expression: `location.href = '${origin}/slow-commit'` });
  try {
    await held;
    await responded;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(observer.committing, true, 'still on its way 2.5 s after its response');
    assert.equal(new URL(observer.url).pathname, '/first');
  } finally {
    for (const pid of renderers) process.kill(pid, 'SIGCONT');
  }
  await evaluated;
  await second;
  assert.equal(observer.committing, false);
  assert.equal(new URL(observer.url).pathname, '/slow-commit');
});

test('a navigation answered 204 leaves the page as it was, and nothing is waited on', async () => {
  const { observer, target } = await openObservedPage();
  const first = loaded(target);
  await target.session.send('Page.navigate', { url: `${origin}/stay` });
  await first;
  const responded = new Promise<void>((resolve) => target.session.on('Network.responseReceived', () => resolve()));
  await target.session.send('Runtime.evaluate', { expression: `location.href = '${origin}/nothing'` });
  await responded;
  assert.equal(observer.committing, false);
  assert.equal(new URL(observer.url).pathname, '/stay');
});

test("a worker's script loaded over the network is not a request in flight once the worker runs", async () => {
  const { observer, target } = await openObservedPage();
  const done = loaded(target);
  await target.session.send('Page.navigate', { url: `${origin}/worker` });
  await done;
  const title = async () =>
    (await target.session.send('Runtime.evaluate', { expression: 'document.title', returnByValue: true })).result.value;
  for (let i = 0; i < 100 && (await title()) !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await title(), 'ready', 'the worker answered');
  // Chromium tells the page's session of the request for the worker's script, and the worker's of its end.
  assert.equal(observer.inflight.size, 0);
  assert.equal(observer.activeRequests(1500), 0);
});

test("a frame of another origin than its parent's is read in its own world; one removed is no longer read", async () => {
  const { observer, target } = await openObservedPage(initScript({ settleMs: 5000, desktopShims: false }));
  const done = loaded(target);
  await target.session.send('Page.navigate', { url: `${origin}/frames` });
  await done;
  // The same-origin frame's timer is the top document's (the init script adds it in); the
  // cross-origin one, the nesting one and the top's origin inside it are read one by one.
  for (let i = 0; i < 50 && observer.childFrames.size < 4; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(observer.childFrames.size, 4);
  assert.equal(observer.crossOriginFrames().length, 3);
  const states = await readCrossOriginFrames(observer);
  assert.ok(Array.isArray(states) && states.length === 3, JSON.stringify(states));
  assert.deepEqual(states.map((state) => state.count).sort(), [0, 1, 1]);
  for (const state of states.filter((state) => state.count > 0))
    assert.ok(state.nextDueInMs !== null && state.nextDueInMs > 0 && state.nextDueInMs <= 4000);
  assert.ok(framesReadSince(observer) > 0 && framesReadSince(observer) <= Date.now());
  await target.session.send('Runtime.evaluate', {
    expression: "document.getElementById('cross').remove(); document.getElementById('nested').remove()",
  });
  for (let i = 0; i < 50 && observer.childFrames.size > 1; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(await readCrossOriginFrames(observer), []);
  assert.equal(framesReadSince(observer), Infinity);
});
