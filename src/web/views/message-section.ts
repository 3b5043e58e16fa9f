// A message case: header forensics (sender, routes, authentication, platform) and every
// extracted link with its anchor text, flags and party, plus the traces it led to.
import { html, type SafeHtml } from '../html.js';
import type { CaseRelations, MessageFacts } from '../../store/index.js';
import { caseLink, partyBadge, pivotLink } from './widgets.js';
import { hostOf } from '../../http/host.js';

function address(a: { name: string; address: string } | null): SafeHtml {
  if (!a) return html`<span class="muted">none</span>`;
  return html`${a.name ? html`${a.name} ` : ''}<code>&lt;${a.address}&gt;</code>`;
}

function headerFacts(facts: MessageFacts): SafeHtml {
  const message = facts.analysis;
  return html`<dl class="facts">
    <dt>Subject</dt>
    <dd class="subject">${message.subject ?? '(none)'}</dd>
    <dt>From</dt>
    <dd>${address(message.from)}</dd>
    ${
      message.replyTo.length
        ? html`<dt>Reply-To</dt>
            <dd>${message.replyTo.map((a) => html`${address(a)} `)}</dd>`
        : ''
    }
    <dt>Return-Path</dt>
    <dd><code>${message.returnPath ?? ''}</code></dd>
    <dt>To</dt>
    <dd>${message.to.join(', ')}</dd>
    <dt>Date</dt>
    <dd>${message.date ?? ''}</dd>
    <dt>Message-ID</dt>
    <dd>
      <code>${message.messageId ?? ''}</code> ${message.messageIdDomain ? html`(${pivotLink('domain', message.messageIdDomain)})` : ''}
    </dd>
    <dt>DKIM</dt>
    <dd>
      ${message.dkim.length ? message.dkim.map((d) => html`<span class="dkim">d=${d.d ?? '?'} s=${d.s ?? '?'}</span> `) : 'no signature'}
    </dd>
    <dt>Authentication</dt>
    <dd>
      ${message.authResults.length ? message.authResults.map((r) => html`<span class="auth">${r.method}=${r.result}</span> `) : 'no Authentication-Results'}
    </dd>
    <dt>Platform</dt>
    <dd>
      ${message.esp.length ? message.esp.map((p) => html`${pivotLink('party', p.name)} <span class="muted">(${p.kind}: ${p.evidence.join('; ')})</span> `) : 'not recognised'}
    </dd>
    ${
      message.listUnsubscribe.length
        ? html`<dt>List-Unsubscribe</dt>
            <dd>${message.listUnsubscribe.map((u) => html`<code class="url">${u}</code> `)}</dd>`
        : ''
    }
  </dl>`;
}

function receivedTable(facts: MessageFacts): SafeHtml {
  const received = [...facts.analysis.received].sort((a, b) => a.hop - b.hop);
  if (received.length === 0) return html``;
  return html`<h3>Received chain (oldest hop first)</h3>
    <table class="received">
      <thead>
        <tr>
          <th>Hop</th>
          <th>From</th>
          <th>IP</th>
          <th>By</th>
          <th>With</th>
          <th>TLS</th>
          <th>Date</th>
        </tr>
      </thead>
      <tbody>
        ${received.map(
          (r) =>
            html`<tr>
              <td>${r.hop}</td>
              <td>${r.from ?? ''}</td>
              <td>${r.fromIp ? pivotLink('ip', r.fromIp) : ''}</td>
              <td>${r.by ?? ''}</td>
              <td>${r.with ?? ''}</td>
              <td>${r.tls ? (r.tlsVersion ?? 'yes') : 'no'}</td>
              <td>${r.date ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function linksTable(facts: MessageFacts, tracedByLink: Map<number | null, string>): SafeHtml {
  return html`<h3>Links (${facts.links.length})</h3>
    <table class="links">
      <thead>
        <tr>
          <th>#</th>
          <th>Anchor text</th>
          <th>URL</th>
          <th>Party</th>
          <th>Found in</th>
          <th>Flags</th>
          <th>Traced</th>
        </tr>
      </thead>
      <tbody>
        ${facts.links.map((link, i) => {
          const number = link.index ?? i + 1;
          const host = hostOf(link.url);
          return html`<tr class="mail-link${link.main ? ' main-link' : ''}">
            <td>${number}</td>
            <td>${link.text ?? ''}</td>
            <td><code class="url">${link.url}</code>${host ? html`<br />${pivotLink('domain', host)}` : ''}</td>
            <td>${link.party && link.party.role !== 'unknown' ? partyBadge(link.party) : ''}</td>
            <td>${link.kind} in ${link.part}${link.attachment ? ` (${link.attachment})` : ''}</td>
            <td>
              ${link.main ? html`<span class="flag">main call-to-action</span> ` : ''}${link.unsubscribe ? html`<span class="flag">unsubscribe</span> ` : ''}${link.mismatch ? html`<span class="flag flag-bad">shows ${link.mismatch.shownDomain}, goes to ${link.mismatch.hrefDomain}</span> ` : ''}<span
                class="muted"
                >prominence ${link.prominence}</span
              >
            </td>
            <td>${tracedByLink.has(number) ? caseLink(tracedByLink.get(number)!) : ''}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

export function messageSection(facts: MessageFacts, relations: CaseRelations): SafeHtml {
  const message = facts.analysis;
  const traces = new Map<string, { link: number | null; final?: string | null; error?: string | null }>();
  for (const t of relations.traced) traces.set(t.case, { link: t.link });
  for (const t of facts.traces) traces.set(t.case, t);
  const tracedByLink = new Map([...traces].map(([id, t]) => [t.link, id]));
  return html`<section id="message">
    <h2>Message</h2>
    ${headerFacts(facts)} ${receivedTable(facts)} ${linksTable(facts, tracedByLink)}
    ${
      message.attachments.length
        ? html`<h3>Attachments</h3>
            <ul>
              ${message.attachments.map((a) => html`<li>${a.filename ?? '(unnamed)'} — ${a.contentType}, ${a.size} bytes, SHA-256 <code>${a.sha256}</code></li>`)}
            </ul>`
        : ''
    }
    ${
      message.errors.length
        ? html`<h3>Problems reading the message</h3>
            <ul class="errors">
              ${message.errors.map((e) => html`<li>${e}</li>`)}
            </ul>`
        : ''
    }
    ${
      traces.size
        ? html`<h3>Traced links</h3>
            <ul class="traces">
              ${[...traces].map(
                ([id, t]) =>
                  html`<li>
                    link ${t.link ?? '?'}:
                    ${caseLink(id)}${t.final ? html` → <code class="url">${t.final}</code>` : ''}${t.error ? html` <span class="error">${t.error}</span>` : ''}
                  </li>`,
              )}
            </ul>`
        : ''
    }
  </section>`;
}

export function sourceMessageNote(relations: CaseRelations): SafeHtml {
  const m = relations.message;
  if (!m) return html``;
  return html`<p class="from-message">
    Traced from link ${m.link ?? '?'} of the message
    ${caseLink(m.case, m.subject ? `“${m.subject}”` : m.case)}${m.sender ? html` from ${m.sender}` : ''}.
  </p>`;
}
