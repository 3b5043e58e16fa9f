// HTML the lab serves. Every navigation a page performs is written in one fixed form
// (`location.href = "<url>";`, `top.location = "<url>";`, `window.open("<url>", "_blank")`,
// `<meta http-equiv="refresh" ...>`, auto-submitted `<form>`) with the URL as a JSON string,
// so tests can follow chains without a browser.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A JavaScript string literal that is also safe inside an HTML <script> element. */
export function jsString(text: string): string {
  return JSON.stringify(text)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface PageParts {
  title: string;
  body: string;
  head?: string;
  lang?: string;
}

const BASE_STYLE =
  'body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222}main{max-width:40rem;margin:2rem auto;padding:0 1rem}' +
  'a.button,button{display:inline-block;background:#0b5;color:#fff;padding:.6rem 1.2rem;border:0;border-radius:4px;' +
  'text-decoration:none;font-size:1rem;cursor:pointer}';

export function page({ title, body, head = '', lang = 'en' }: PageParts): string {
  return (
    `<!DOCTYPE html>\n<html lang="${lang}">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(title)}</title>\n<style>${BASE_STYLE}</style>\n${head}</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

export const ADVERTISER_TITLE = 'Spring Offer | Advertiser Example';

/** The advertiser's landing page where most chains end. */
export function advertiserLanding(scenario: string): string {
  return page({
    title: ADVERTISER_TITLE,
    body:
      `<main>\n<h1>Spring Offer</h1>\n<p>Save 30% on every plan this month. Offer code <strong>SPRING26</strong>.</p>\n` +
      `<p><a class="button" href="/signup?src=${encodeURIComponent(scenario)}">Sign up now</a></p>\n` +
      `<p><small>Advertiser Example Inc. · <a href="/privacy">Privacy</a></small></p>\n</main>`,
  });
}

/** A page that moves on with a meta refresh after `delaySeconds`. */
export function metaRefreshPage(target: string, delaySeconds: number, title = 'Redirecting…'): string {
  return page({
    title,
    head: `<meta http-equiv="refresh" content="${delaySeconds}; url=${escapeHtml(target)}">\n`,
    body: `<main><p>Please wait while we take you to your offer. <a href="${escapeHtml(target)}">Continue</a></p></main>`,
  });
}

/**
 * A page that moves on with inline JavaScript: immediately, after `delayMs`, or two animation
 * frames after its load event ("after the first paint", as pages that show something first do).
 */
export function scriptRedirectPage(
  target: string,
  options: { delayMs?: number; afterPaint?: boolean; before?: string; title?: string } = {},
): string {
  const go = `location.href = ${jsString(target)};`;
  const script = options.afterPaint
    ? `addEventListener('load', function () {\n  requestAnimationFrame(function () {\n    requestAnimationFrame(function () {\n      ${go}\n    });\n  });\n});`
    : options.delayMs === undefined
      ? go
      : `setTimeout(function () {\n  ${go}\n}, ${options.delayMs});`;
  return page({
    title: options.title ?? 'Loading…',
    body: `<main><p>Loading your offer…</p></main>\n<script>\n${options.before ?? ''}${script}\n</script>`,
  });
}

/** A page whose only navigation is an external script (so the initiator is a script URL and line). */
export function externalScriptPage(scriptPath: string): string {
  return page({ title: 'Loading…', body: `<main><p>Loading your offer…</p></main>\n<script src="${escapeHtml(scriptPath)}"></script>` });
}

/** The external redirect script; the navigation is on line `REDIRECT_SCRIPT_LINE`. */
export function redirectScript(target: string): string {
  return `// broker-net redirect helper v2.3\n(function () {\n  window.location.href = ${jsString(target)};\n})();\n`;
}
export const REDIRECT_SCRIPT_LINE = 3;

/** A form submitted by script as soon as the page runs. */
export function autoSubmitFormPage(method: 'get' | 'post', action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return page({
    title: 'Processing…',
    body:
      `<main><p>Processing your request…</p>\n<form id="f" method="${method}" action="${escapeHtml(action)}">\n${inputs}\n` +
      `<noscript><button type="submit">Continue</button></noscript>\n</form></main>\n` +
      `<script>document.getElementById('f').submit();</script>`,
  });
}

/** A page embedding a same-origin frame (the frame then navigates the top page). */
export function framePage(frameSrc: string): string {
  return page({
    title: 'Your offer',
    body: `<main><p>Your offer is loading below.</p>\n<iframe src="${escapeHtml(frameSrc)}" width="600" height="200" title="offer"></iframe></main>`,
  });
}

export function frameTopNavigationDocument(target: string): string {
  return page({ title: 'offer frame', body: `<p>…</p>\n<script>\ntop.location = ${jsString(target)};\n</script>` });
}

/** A landing with a button that opens a popup when clicked. */
export function popupPage(target: string): string {
  return page({
    title: 'Congratulations! You have been selected',
    body:
      `<main><h1>Congratulations!</h1><p>You are today's lucky visitor.</p>\n` +
      `<button id="claim" type="button">Claim your prize</button></main>\n` +
      `<script>\ndocument.getElementById('claim').addEventListener('click', function () {\n` +
      `  window.open(${jsString(target)}, "_blank");\n});\n</script>`,
  });
}

/** A landing whose way on is a plain link the visitor has to click. */
export function clickPage(target: string, linkText: string): string {
  return page({
    title: 'Almost there',
    body: `<main><h1>Almost there</h1><p>Your voucher is ready.</p>\n<p><a class="button" href="${escapeHtml(target)}">${escapeHtml(linkText)}</a></p></main>`,
  });
}

export function gonePage(message: string): string {
  return page({ title: '410 Gone', body: `<main><h1>Gone</h1><p>${escapeHtml(message)}</p></main>` });
}

export function notFoundPage(): string {
  return page({ title: '404 Not Found', body: '<main><h1>Not Found</h1><p>The requested URL was not found on this server.</p></main>' });
}

export function forbiddenPage(message: string): string {
  return page({ title: '403 Forbidden', body: `<main><h1>Forbidden</h1><p>${escapeHtml(message)}</p></main>` });
}
