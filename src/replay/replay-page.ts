// The replay server's index page: what was captured, the chain's pages and how to view them.
import type { Capture } from '../model.js';
import { prefixedPath } from './rewrite.js';
import { escapeHtml } from '../web/html.js';

const link = (url: string) =>
  /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(prefixedPath(url))}">${escapeHtml(url)}</a>` : escapeHtml(url);

export const INDEX_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export interface IndexPageOptions {
  origin: string;
  httpsThroughProxy: boolean;
  allowScripts: boolean;
}

export function indexPage(capture: Capture, opts: IndexPageOptions): string {
  const { info } = capture;
  // One line per document request; its outcome is appended once it is known.
  const steps: { requestId: string; html: string }[] = [];
  for (const e of capture.events) {
    if (e.type === 'doc-request') {
      const how = e.redirectStatus ? `after ${e.redirectStatus}` : e.initiator.type;
      steps.push({ requestId: e.requestId, html: `${escapeHtml(e.method)} ${link(e.url)} <small>(${escapeHtml(how)})</small>` });
    } else if (e.type === 'doc-response' || e.type === 'doc-failed') {
      const step = [...steps].reverse().find((s) => s.requestId === e.requestId);
      const outcome = e.type === 'doc-response' ? `${e.status} ${escapeHtml(e.mimeType)}` : `failed: ${escapeHtml(e.errorText)}`;
      if (step) step.html += ` → ${outcome}`;
    }
  }
  const chain = steps.map((s) => `<li>${s.html}</li>`);
  const rested = capture.pages.length
    ? capture.pages.map(
        (p) =>
          `<li>${link(p.url)} ${escapeHtml(p.title)}${p.frame ? `; in a frame of it: ${link(p.frame.url)} ${escapeHtml(p.frame.title)}` : ''}</li>`,
      )
    : capture.events.flatMap((e) => (e.type === 'settled' ? [`<li>${link(e.url)} ${escapeHtml(e.title)}</li>`] : []));
  const exchanges = capture.exchanges.map(
    (x) =>
      `<tr><td>${escapeHtml(x.id)}</td><td>${escapeHtml(x.request.method)}</td><td>${x.response ? x.response.status : escapeHtml(x.error ?? '-')}</td><td>${
        x.request.method === 'GET' ? link(x.request.url) : escapeHtml(x.request.url)
      }</td></tr>`,
  );
  const tool = `${escapeHtml(info.tool.name)} ${escapeHtml(info.tool.version)}`;
  const entry = info.url ? link(info.url) : 'unknown';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>clicktrace replay</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}td{padding:0 .6em;vertical-align:top;word-break:break-all}small{color:#777}</style>
</head><body>
<h1>clicktrace replay</h1>
<p>Recorded ${escapeHtml(info.startedAt)} (${escapeHtml(info.mode)}, ${tool}). Entry URL: ${entry}.</p>
<p>Nothing here reaches the network: only recorded responses are served, each as a sandboxed page${
    opts.allowScripts
      ? ' (scripts allowed, in an opaque origin)'
      : ' without scripts, so meta refreshes and script navigations do not fire: follow the chain below'
  }.
A URL asked for more than once gets its recorded responses in order; opening this page again starts them over.</p>
<p>Either follow the links below (${escapeHtml(opts.origin)}/&lt;recorded URL&gt;), or set ${escapeHtml(opts.origin)} as the browser's HTTP proxy to replay ${
    opts.httpsThroughProxy
      ? 'URLs as they were (https:// under the replay CA, which the browser must trust)'
      : 'http:// URLs as they were (https:// through the proxy is refused)'
  }.</p>
<h2>Document chain</h2>
<ol>${chain.join('\n') || '<li>no document requests recorded</li>'}</ol>
<h2>Pages the chain rested on</h2>
<ul>${rested.join('\n') || '<li>none recorded</li>'}</ul>
<h2>All exchanges</h2>
<table>${exchanges.join('\n')}</table>
</body></html>
`;
}
