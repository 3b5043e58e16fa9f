// The case page's "Share and act" section (exports, abuse drafts) and the abuse drafts page.
import { appPath, html, type SafeHtml } from '../html.js';
import type { AbuseDraft } from '../../abuse/draft.js';

const NO_FROM_NOTE = html`Set <code>abuse.from</code> in the clicktrace config for your From: address; the drafts carry a placeholder.`;

const EXPORTS: { format: string; label: string }[] = [
  { format: 'misp', label: 'MISP event (JSON)' },
  { format: 'stix', label: 'STIX 2.1 bundle' },
  { format: 'csv', label: 'IOC list (CSV)' },
];

export function shareSection(id: string): SafeHtml {
  return html`<section id="share">
    <h2>Share and act</h2>
    <p class="muted">Made from the recorded evidence; nothing is fetched again.</p>
    <ul class="downloads exports">
      ${EXPORTS.map(
        (e) =>
          html`<li>
            <a class="download export-${e.format}" data-format="${e.format}" href="${appPath('cases', id, 'export', e.format)}" download
              >${e.label}</a
            >
          </li>`,
      )}
    </ul>
    <p>
      <a class="abuse-link" id="abuse-drafts-link" href="${appPath('cases', id, 'abuse')}">Abuse report drafts</a>: one per responsible
      party, to review and send from your mail client.
    </p>
  </section>`;
}

export function abuseBody(id: string, drafts: AbuseDraft[], from: string | null): SafeHtml {
  return html`<h1>
      Abuse report drafts for <a class="case-link" href="${appPath('cases', id)}"><code>${id}</code></a>
    </h1>
    <p class="notice">
      Nothing is sent. Each draft downloads as an .eml file that a mail client opens ready to review and send.
      ${from ? html`From: <code>${from}</code>.` : NO_FROM_NOTE}
    </p>
    ${drafts.length === 0 ? html`<p class="empty">The evidence names no responsible party.</p>` : ''}
    ${drafts.map(
      (d, i) =>
        html`<section class="abuse-draft" id="${`draft-${i + 1}`}" data-party="${d.party.name}">
          <h2>${i + 1}. <span class="party-name">${d.party.name}</span> <span class="muted">(${d.party.roles.join(', ')})</span></h2>
          <dl class="facts">
            <dt>To</dt>
            <dd class="${d.recipient.placeholder ? 'recipient placeholder flag-bad' : 'recipient'}">
              ${d.recipient.placeholder ? html`<strong>fill in</strong> ` : ''}<code>${d.recipient.to.address}</code>
              <span class="muted">(${d.recipient.source})</span>
              ${d.recipient.web ? html`<br />Reports also taken at <code class="url">${d.recipient.web}</code>` : ''}
            </dd>
            <dt>Subject</dt>
            <dd class="subject">${d.subject}</dd>
            <dt>Attachments</dt>
            <dd>
              <ul class="attachments">
                ${d.attachments.map((a) => html`<li><code>${a.filename}</code> <span class="muted">${a.contentType}, ${a.content.length} bytes</span></li>`)}
              </ul>
            </dd>
          </dl>
          <p><a class="download eml-download" href="${appPath('cases', id, 'abuse', i + 1)}" download>Download ${d.fileName}</a></p>
          <details class="draft-text">
            <summary>Text of the report</summary>
            <pre>${d.text}</pre>
          </details>
        </section>`,
    )}`;
}
