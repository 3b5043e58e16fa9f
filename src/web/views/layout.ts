// The page frame: one stylesheet and one script, both files of this origin (the CSP allows
// nothing inline), and the navigation.
import { html, type SafeHtml } from '../html.js';

/**
 * `refreshSeconds`: the page reloads itself (a batch while it runs: its progress without script);
 * `withoutScript`: only where script does not run (a job page follows its job live with app.js,
 * and a reload would restart that stream).
 */
export function layout(
  title: string,
  body: SafeHtml,
  options: { bodyClass?: string; refreshSeconds?: number; withoutScript?: boolean } = {},
): SafeHtml {
  const refresh = options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}" />` : '';
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        ${refresh && options.withoutScript ? html`<noscript>${refresh}</noscript>` : refresh}
        <title>${title} · clicktrace</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body class="${options.bodyClass ?? ''}">
        <header class="top">
          <a class="brand" href="/">clicktrace</a>
          <nav>
            <a href="/">Submit</a> <a href="/cases">Cases</a> <a href="/jobs">Jobs</a> <a href="/report">Report</a>
            <a href="/compare">Compare</a>
            <a href="/recipients">Recipients</a>
          </nav>
        </header>
        <main>${body}</main>
      </body>
    </html> `;
}
