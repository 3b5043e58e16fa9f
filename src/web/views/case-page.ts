// The case page: what was asked and where it ended, who is responsible, the chain as a
// timeline, screenshots of every resting page, tokens, DNS, the message (for mail cases),
// every exchange, and the evidence downloads.
import { html, type SafeHtml } from '../html.js';
import type { Report } from '../../report.js';
import type { CaseDetails } from '../case-data.js';
import { fileHref } from '../case-data.js';
import type { ExchangeView } from '../exchange-view.js';
import { chainSection, summarySection } from './chain-section.js';
import { messageSection, sourceMessageNote } from './message-section.js';
import { exchangesSection } from './exchanges-section.js';
import { pivotLink, statusLabel, time } from './widgets.js';
import { shareSection } from './share-section.js';

function overview(id: string, report: Report): SafeHtml {
  return html`<dl class="facts overview">
    <dt>Link</dt>
    <dd><code class="url" id="case-url">${report.url ?? '(none)'}</code></dd>
    <dt>Ended on</dt>
    <dd>
      ${report.final ? html`<code class="url" id="final-url">${report.final.url}</code> ${statusLabel(report.final.status)}${report.final.title !== null ? html`<br /><span class="title" id="final-title">${report.final.title}</span>` : ''}` : 'nothing'}
    </dd>
    <dt>Captured</dt>
    <dd>
      ${time(report.startedAt)}${report.elapsedMs !== null ? ` (${(report.elapsedMs / 1000).toFixed(1)} s)` : ''},
      ${report.mode}${report.identity ? `, ${report.identity.device} ${report.identity.viewport.width}×${report.identity.viewport.height}` : ''}
    </dd>
    ${
      report.error
        ? html`<dt>Error</dt>
            <dd class="error" id="case-error">${report.error}</dd>`
        : ''
    }
    ${
      report.partial
        ? html`<dt>Partial</dt>
            <dd class="error">the capture did not finish cleanly</dd>`
        : ''
    }
    <dt>Case</dt>
    <dd><code>${id}</code></dd>
  </dl>`;
}

function pagesSection(id: string, report: Report): SafeHtml {
  if (report.pages.length === 0) return html``;
  return html`<section id="pages">
    <h2>Resting pages</h2>
    <div class="shots">
      ${report.pages.map(
        (p) =>
          html`<figure class="shot" id="page-${p.index}">
            ${p.screenshot ? html`<a class="screenshot-link" href="${fileHref(id, p.screenshot)}"><img src="${fileHref(id, p.screenshot)}" alt="${`screenshot of page ${p.index}`}" loading="lazy" /></a>` : html`<p class="empty">no screenshot</p>`}
            <figcaption>
              <strong>${p.index}.</strong> <span class="title">${p.title || '(no title)'}</span><br /><code class="url">${p.url}</code>
              ${p.dom ? html`<br /><a class="dom-link" href="${fileHref(id, p.dom)}">DOM snapshot (text)</a>` : ''}
            </figcaption>
          </figure>`,
      )}
    </div>
  </section>`;
}

function tokensSection(report: Report): SafeHtml {
  const tokens = report.tokens ?? [];
  if (tokens.length === 0) return html``;
  return html`<section id="tokens">
    <h2>Tracking tokens</h2>
    <table>
      <thead>
        <tr>
          <th>Name</th>
          <th>Value</th>
          <th>Kind</th>
          <th>Hops</th>
        </tr>
      </thead>
      <tbody>
        ${tokens.map(
          (t) =>
            html`<tr>
              <td><code>${t.name}</code></td>
              <td>${pivotLink('token', `${t.name}=${t.value}`)}</td>
              <td>${t.kind}</td>
              <td>${t.hops.map((h) => html`<a href="${`#hop-${h}`}">${h}</a> `)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function dnsSection(report: Report): SafeHtml {
  const dns = report.dns ?? [];
  if (dns.length === 0) return html``;
  return html`<section id="dns">
    <h2>DNS</h2>
    <table>
      <thead>
        <tr>
          <th>Host</th>
          <th>Addresses</th>
          <th>CNAME chain</th>
          <th>Registrable domain</th>
          <th>Domain resolves</th>
        </tr>
      </thead>
      <tbody>
        ${dns.map(
          (d) =>
            html`<tr>
              <td>${pivotLink('domain', d.host)}</td>
              <td>${d.addresses.map((a) => html`${pivotLink('ip', a)} `)}</td>
              <td>${d.cnames.join(' → ')}</td>
              <td>${pivotLink('domain', d.baseDomain)}</td>
              <td>
                ${d.baseDomainResolves === null ? 'unknown' : d.baseDomainResolves ? 'yes' : html`<strong class="flag-bad">no</strong>`}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function unwrapSection(report: Report): SafeHtml {
  const u = report.unwrapped;
  if (!u || u.layers.length === 0) return html``;
  return html`<section id="unwrapped">
    <h2>Unwrapped without visiting</h2>
    <ol>
      ${u.layers.map((l) => html`<li>${l.party} <span class="muted">(${l.rule})</span>: <code class="url">${l.url}</code></li>`)}
    </ol>
    <p>Destination: <code class="url">${u.destination ?? 'unknown without a visit'}</code></p>
  </section>`;
}

function eventsSection(report: Report): SafeHtml {
  if (report.events.length === 0) return html``;
  return html`<section id="events">
    <h2>Browser events</h2>
    <ul class="events">
      ${report.events.map((e) => html`<li>${time(e.at)} <span class="event-kind">${e.kind}</span> ${e.detail}</li>`)}
    </ul>
  </section>`;
}

function downloadsSection(details: CaseDetails): SafeHtml {
  if (details.downloads.length === 0) return html``;
  return html`<section id="downloads">
    <h2>Evidence</h2>
    <ul class="downloads">
      ${details.downloads.map(
        (d) =>
          html`<li>
            <a class="download" data-file="${d.path}" href="${d.href}" download>${d.label}</a> <code>${d.path}</code>
            <span class="muted">${d.bytes} bytes</span>
          </li>`,
      )}
    </ul>
  </section>`;
}

export function caseBody(details: CaseDetails, exchanges: { exchanges: ExchangeView[]; error: string | null }): SafeHtml {
  const { report, message } = details;
  const kind = report ? report.mode : 'mail';
  return html`<h1>Case <code>${details.id}</code> <span class="kind kind-${kind}">${kind}</span></h1>
    ${sourceMessageNote(details.relations)} ${report ? overview(details.id, report) : ''} ${report ? summarySection(report) : ''}
    ${report ? unwrapSection(report) : ''}
    ${report ? html`${chainSection(report)}${pagesSection(details.id, report)}${tokensSection(report)}${dnsSection(report)}${eventsSection(report)}` : ''}
    ${message ? messageSection(message, details.relations) : ''} ${downloadsSection(details)} ${shareSection(details.id)}
    ${report ? exchangesSection(exchanges.exchanges, exchanges.error) : ''}`;
}
