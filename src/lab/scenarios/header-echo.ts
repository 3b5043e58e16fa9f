// A page that shows the request headers it received, as sent: names in their case, in their
// order, repeated headers apart; and the browser's navigator.languages. Tests compare what a
// trace sends with what Chromium sends by itself (the lab's request log holds the same list as
// `rawHeaders`). It shows Notification.permission too, which a browser says differs by scheme.
import { HOSTS } from '../hosts.js';
import { escapeHtml, page } from '../pages.js';
import { defineScenario, type ScenarioDefinition } from './common.js';
import { contextProbeFrame, contextProbePage } from './context-probe.js';

export const HEADER_ECHO_HOST = HOSTS.headerEcho;
export const HEADER_ECHO_TITLE = 'Request headers';

/** The echo page over `scheme`, under a path of one's own so that each visit's request can be found in the lab's log. */
export function headerEchoUrl(scheme: 'http' | 'https', id = 'index'): string {
  return `${scheme}://${HEADER_ECHO_HOST}/echo/${encodeURIComponent(id)}`;
}

/** The context probe page (context-probe.ts) over `scheme`. */
export function contextProbeUrl(scheme: 'http' | 'https', id = 'index'): string {
  return `${scheme}://${HEADER_ECHO_HOST}/probe/${encodeURIComponent(id)}`;
}

export function headerEchoPage(rawHeaders: readonly string[]): string {
  const lines: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return page({
    title: HEADER_ECHO_TITLE,
    body:
      `<main><h1>Request headers</h1>\n<pre id="headers">${escapeHtml(lines.join('\n'))}</pre>\n` +
      `<p>navigator.languages: <code id="languages"></code></p>\n` +
      `<p>Notification.permission: <code id="notification"></code>, its query: <code id="notification-query"></code></p></main>\n` +
      `<script>document.getElementById('languages').textContent = JSON.stringify(navigator.languages);\n` +
      `document.getElementById('notification').textContent = window.Notification ? Notification.permission : 'none';\n` +
      `navigator.permissions.query({ name: 'notifications' })\n` +
      `  .then(function (s) { document.getElementById('notification-query').textContent = s.state; });</script>`,
  });
}

/** What the echo page showed as navigator.languages, read from its DOM. */
export function echoedLanguages(html: string): string[] | null {
  const m = /<code id="languages">([^<]*)<\/code>/.exec(html);
  return m?.[1] ? (JSON.parse(m[1].replace(/&quot;/g, '"')) as string[]) : null;
}

/** What the echo page showed as Notification.permission and as the state of its permission query, read from its DOM. */
export function echoedNotificationPermission(html: string): { permission: string | null; query: string | null } {
  return {
    permission: /<code id="notification">([^<]*)<\/code>/.exec(html)?.[1] ?? null,
    query: /<code id="notification-query">([^<]*)<\/code>/.exec(html)?.[1] ?? null,
  };
}

export function headerEchoScenarios(): ScenarioDefinition[] {
  return [
    defineScenario(
      {
        name: 'header-echo',
        url: headerEchoUrl('https'),
        description:
          'A page that lists the request headers it received, in order and as sent, and navigator.languages (also over http://).',
        expectedVias: ['start'],
        finalUrl: headerEchoUrl('https'),
        finalTitle: HEADER_ECHO_TITLE,
      },
      [
        { host: HEADER_ECHO_HOST, path: '/echo/*', handle: (x) => x.html(200, headerEchoPage(x.req.rawHeaders)) },
        // What each kind of context exposes (context-probe.ts); /probe/<id>-frame is its same-origin frame.
        {
          host: HEADER_ECHO_HOST,
          path: '/probe/*',
          handle: (x) =>
            x.html(200, /-frame$/.test(new URL(x.req.url ?? '/', 'http://x').pathname) ? contextProbeFrame() : contextProbePage()),
        },
      ],
    ),
  ];
}
