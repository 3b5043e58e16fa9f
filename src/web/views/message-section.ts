// A message case: header forensics (sender, routes, authentication, platform) and every
// extracted link with its anchor text and flags, plus the traces it led to.
import { html, type SafeHtml } from '../html.js';
import type { MailAnalysis } from '../../mail/parse.js';
import type { CaseRelations } from '../../store/index.js';
import { caseLink, hostOf, pivotLink } from './widgets.js';

function address(a: { name: string; address: string } | null): SafeHtml {
  if (!a) return html`<span class="muted">none</span>`;
  return html`${a.name ? html`${a.name} ` : ''}<code>&lt;${a.address}&gt;</code>`;
}

export function messageSection(message: MailAnalysis, relations: CaseRelations): SafeHtml {
  const tracedByLink = new Map(relations.traced.map((t) => [t.link, t.case]));
  return html`<section id="message"><h2>Message</h2>
<dl class="facts">
<dt>Subject</dt><dd class="subject">${message.subject ?? '(none)'}</dd>
<dt>From</dt><dd>${address(message.from)}</dd>
${message.replyTo.length ? html`<dt>Reply-To</dt><dd>${message.replyTo.map((a) => html`${address(a)} `)}</dd>` : ''}
<dt>Return-Path</dt><dd><code>${message.returnPath ?? ''}</code></dd>
<dt>To</dt><dd>${message.to.join(', ')}</dd>
<dt>Date</dt><dd>${message.date ?? ''}</dd>
<dt>Message-ID</dt><dd><code>${message.messageId ?? ''}</code> ${message.messageIdDomain ? html`(${pivotLink('domain', message.messageIdDomain)})` : ''}</dd>
<dt>DKIM</dt><dd>${message.dkim.length ? message.dkim.map((d) => html`<span class="dkim">d=${d.d ?? '?'} s=${d.s ?? '?'}</span> `) : 'no signature'}</dd>
<dt>Authentication</dt><dd>${message.authResults.length ? message.authResults.map((r) => html`<span class="auth auth-${/^(pass|fail|none|softfail|neutral)$/.test(r.result) ? r.result : 'other'}">${r.method}=${r.result}</span> `) : 'no Authentication-Results'}</dd>
<dt>Platform</dt><dd>${message.esp.length ? message.esp.map((p) => html`${pivotLink('party', p.name)} <span class="muted">(${p.kind}: ${p.evidence.join('; ')})</span> `) : 'not recognised'}</dd>
${message.listUnsubscribe.length ? html`<dt>List-Unsubscribe</dt><dd>${message.listUnsubscribe.map((u) => html`<code class="url">${u}</code> `)}</dd>` : ''}
</dl>
${message.received.length ? html`<h3>Received chain (oldest hop first)</h3>
<table class="received"><thead><tr><th>Hop</th><th>From</th><th>IP</th><th>By</th><th>With</th><th>TLS</th><th>Date</th></tr></thead>
<tbody>${[...message.received].sort((a, b) => a.hop - b.hop).map(
        (r) => html`<tr><td>${r.hop}</td><td>${r.from ?? ''}</td><td>${r.fromIp ? pivotLink('ip', r.fromIp) : ''}</td><td>${r.by ?? ''}</td><td>${r.with ?? ''}</td>
<td>${r.tls ? (r.tlsVersion ?? 'yes') : 'no'}</td><td>${r.date ?? ''}</td></tr>`,
      )}</tbody></table>` : ''}
<h3>Links (${message.links.length})</h3>
<table class="links"><thead><tr><th>#</th><th>Anchor text</th><th>URL</th><th>Found in</th><th>Flags</th><th>Traced</th></tr></thead>
<tbody>${message.links.map((link, i) => {
    const host = hostOf(link.url);
    return html`<tr class="mail-link"><td>${i + 1}</td><td>${link.text ?? ''}</td>
<td><code class="url">${link.url}</code>${host ? html`<br>${pivotLink('domain', host)}` : ''}</td>
<td>${link.kind} in ${link.part}${link.attachment ? ` (${link.attachment})` : ''}</td>
<td>${link.unsubscribe ? html`<span class="flag">unsubscribe</span> ` : ''}${link.mismatch ? html`<span class="flag flag-bad">shows ${link.mismatch.shownDomain}, goes to ${link.mismatch.hrefDomain}</span> ` : ''}<span class="muted">prominence ${link.prominence}</span></td>
<td>${tracedByLink.has(i + 1) ? caseLink(tracedByLink.get(i + 1)!) : ''}</td></tr>`;
  })}</tbody></table>
${message.attachments.length ? html`<h3>Attachments</h3><ul>${message.attachments.map((a) => html`<li>${a.filename ?? '(unnamed)'} — ${a.contentType}, ${a.size} bytes, SHA-256 <code>${a.sha256}</code></li>`)}</ul>` : ''}
${message.errors.length ? html`<h3>Problems reading the message</h3><ul class="errors">${message.errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
${relations.traced.length ? html`<h3>Traced links</h3><ul>${relations.traced.map((t) => html`<li>link ${t.link ?? '?'}: ${caseLink(t.case)}</li>`)}</ul>` : ''}
</section>`;
}

export function sourceMessageNote(relations: CaseRelations): SafeHtml {
  const m = relations.message;
  if (!m) return html``;
  return html`<p class="from-message">Traced from link ${m.link ?? '?'} of the message ${caseLink(m.case, m.subject ? `“${m.subject}”` : m.case)}${m.sender ? html` from ${m.sender}` : ''}.</p>`;
}

