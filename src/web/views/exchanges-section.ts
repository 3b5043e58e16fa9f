// Every recorded exchange: raw request and response heads and a text preview of the bodies,
// collapsed by default. All of it is captured data, so all of it goes through escaping.
import { html, type SafeHtml } from '../html.js';
import type { BodyPreview, ExchangeView } from '../exchange-view.js';
import { statusLabel } from './widgets.js';

function body(label: string, preview: BodyPreview | null): SafeHtml {
  if (!preview) return html``;
  return html`<h4>${label} body <span class="muted">(${preview.bytes} bytes)</span></h4>
    ${preview.text !== null ? html`<pre class="body-preview">${preview.text}${preview.cut ? '\n…' : ''}</pre>` : ''}
    ${preview.note ? html`<p class="muted">${preview.note}</p>` : ''}`;
}

function exchangeItem(x: ExchangeView): SafeHtml {
  return html`<details class="exchange" id="exchange-${x.id}">
    <summary>
      <code>${x.id}</code> ${statusLabel(x.status)} <span class="method">${x.method}</span>
      <code class="url">${x.url}</code>${x.error ? html` <span class="error">${x.error}</span>` : ''}
    </summary>
    <p class="muted">
      ${x.startedAt}${x.remoteAddress ? ` · ${x.remoteAddress}` : ''}${x.tls ? ` · ${x.tls.protocol ?? 'TLS'}${x.tls.authorized ? '' : ' (not verified)'}` : ''}
    </p>
    <h4>Request</h4>
    <pre class="head">${x.requestHead}</pre>
    ${body('Request', x.requestBody)}
    ${
      x.responseHead !== null
        ? html`<h4>Response</h4>
            <pre class="head">${x.responseHead}</pre>`
        : html`<p class="error">No response.</p>`
    }
    ${body('Response', x.responseBody)}
  </details>`;
}

export function exchangesSection(exchanges: ExchangeView[], error: string | null): SafeHtml {
  return html`<section id="exchanges">
    <h2>Exchanges (${exchanges.length})</h2>
    ${error ? html`<p class="notice error">The WARC could not be read: ${error}</p>` : ''} ${exchanges.map(exchangeItem)}
  </section>`;
}
