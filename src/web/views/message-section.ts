// A message case: header forensics (sender, routes, authentication, platform), where its
// recipient addresses were given out, every extracted link with its anchor text, flags and
// party, its remote content with the open-tracking pixels, plus the traces it led to.
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
    <dd>${message.esp.length ? message.esp.map(platform) : 'not recognised'}</dd>
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
            <td>${link.kind} in ${link.part}${link.origin || link.attachment ? ` (${link.origin ?? link.attachment})` : ''}</td>
            <td>
              ${linkFlags(link)}<span class="muted">prominence ${link.prominence}</span>
              ${linkRepairs(link)}
            </td>
            <td>${tracedByLink.has(number) ? caseLink(tracedByLink.get(number)!) : ''}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

/** What the URL went through: rebuilt from pieces, read as a browser reads a hostile href, or not followable. */
type Link = MessageFacts['links'][number];
type Resource = NonNullable<MessageFacts['resources']>[number];
type Analysis = MessageFacts['analysis'];

function platform(p: Analysis['esp'][number]): SafeHtml {
  return html`${pivotLink('party', p.name)} <span class="muted">(${p.kind}: ${p.evidence.join('; ')})</span> `;
}

function linkFlags(link: Link): SafeHtml {
  return html`${link.main ? html`<span class="flag">main call-to-action</span> ` : ''}${
    link.unsubscribe ? html`<span class="flag">unsubscribe</span> ` : ''
  }${link.mismatch ? html`<span class="flag flag-bad">shows ${link.mismatch.shownDomain}, goes to ${link.mismatch.hrefDomain}</span> ` : ''}`;
}

function resourceParty(r: Resource): SafeHtml | string {
  if (r.party && r.party.role !== 'unknown') return partyBadge(r.party);
  return r.party?.registrableDomain ? html`<span class="muted">${r.party.registrableDomain}</span>` : '';
}

function pixelFlag(r: Resource): SafeHtml | string {
  if (!r.pixel) return '';
  return html`<span class="flag flag-bad">${r.pixel.rules.join(', ')}</span
    >${r.pixel.tracker ? html` <span class="muted">${r.pixel.tracker.label}</span>` : ''}`;
}

function attachmentItem(a: Analysis['attachments'][number]): SafeHtml {
  return html`<li>${a.filename ?? '(unnamed)'} — ${a.contentType}, ${a.size} bytes, SHA-256 <code>${a.sha256}</code></li>`;
}

function linkRepairs(link: MessageFacts['links'][number]): SafeHtml {
  const flags = [
    link.repaired ? html`<span class="flag">repaired</span> ` : '',
    link.readings ? html`<span class="flag flag-bad">ambiguous</span> ` : '',
    link.malformed ? html`<span class="flag flag-bad">malformed href</span> ` : '',
    link.unfollowable ? html`<span class="flag flag-bad">no browser follows it</span> ` : '',
  ];
  const details = [
    link.raw !== undefined ? html`<li>as written: <code class="url raw">${JSON.stringify(link.raw)}</code></li>` : '',
    link.readings ? html`<li>or, joined with the next line: <code class="url">${link.readings[1]}</code></li>` : '',
    link.unfollowable ? html`<li>${link.unfollowable}</li>` : '',
    ...(link.notes ?? []).map((note) => html`<li>${note}</li>`),
  ];
  return html`${flags}${
    details.some((d) => d !== '')
      ? html`<ul class="link-notes">
          ${details}
        </ul>`
      : ''
  }`;
}

function recipientsBlock(facts: MessageFacts): SafeHtml {
  const telling = (facts.disclosures ?? []).filter((d) => d.telling);
  const tokens = facts.analysis.recipientTokens.filter((t) => !telling.some((d) => d.address === t.address));
  if (telling.length === 0 && tokens.length === 0) return html``;
  return html`<h3>Where the address leaked</h3>
    <ul class="disclosures">
      ${telling.map(
        (d) =>
          html`<li class="${d.entry?.spamtrap || d.afterRetirement ? 'flag-bad' : ''}">
            ${d.text} <span class="muted">(reached via ${d.where.join(', ')})</span>
          </li>`,
      )}
      ${tokens.map(
        (t) =>
          html`<li>
            ${t.address} is in the URL of ${t.link !== null ? `link ${t.link}` : `resource R${t.resource}`}
            <span class="muted">(${t.field})</span>
          </li>`,
      )}
    </ul>`;
}

function resourcesTable(facts: MessageFacts, tracedByResource: Map<number, string>): SafeHtml {
  const resources = facts.resources ?? [];
  if (resources.length === 0) return html``;
  const pixels = resources.filter((r) => r.pixel).length;
  return html`<h3>Remote content (${resources.length}, ${pixels} tracking pixel${pixels === 1 ? '' : 's'}; never fetched unless asked)</h3>
    <table class="resources">
      <thead>
        <tr>
          <th>#</th>
          <th>Kind</th>
          <th>URL</th>
          <th>Size</th>
          <th>Party</th>
          <th>Tracking pixel</th>
          <th>Traced</th>
        </tr>
      </thead>
      <tbody>
        ${resources.map((r, i) => {
          const number = r.index ?? i + 1;
          const host = hostOf(r.url);
          return html`<tr class="resource${r.pixel ? ' pixel' : ''}">
            <td>R${number}</td>
            <td>
              ${r.kind}
              <span class="muted">&lt;${r.element}&gt;</span>${r.attachment ? html`<br /><span class="muted">${r.attachment}</span>` : ''}
            </td>
            <td><code class="url">${r.url}</code>${host ? html`<br />${pivotLink('domain', host)}` : ''}</td>
            <td>
              ${r.width !== null || r.height !== null ? `${r.width ?? '?'}×${r.height ?? '?'}` : ''}${r.hidden ? html` <span class="muted">hidden</span>` : ''}
            </td>
            <td>${resourceParty(r)}</td>
            <td>${pixelFlag(r)}</td>
            <td>${tracedByResource.has(number) ? caseLink(tracedByResource.get(number)!) : ''}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

export function messageSection(facts: MessageFacts, relations: CaseRelations): SafeHtml {
  const message = facts.analysis;
  const traces = new Map<string, { link: number | null; resource?: number; final?: string | null; error?: string | null }>();
  for (const t of relations.traced) traces.set(t.case, { link: t.link });
  for (const t of facts.traces) traces.set(t.case, t);
  const tracedByLink = new Map([...traces].filter(([, t]) => t.resource === undefined).map(([id, t]) => [t.link, id]));
  const tracedByResource = new Map([...traces].filter(([, t]) => t.resource !== undefined).map(([id, t]) => [t.resource!, id]));
  return html`<section id="message">
    <h2>Message</h2>
    ${headerFacts(facts)} ${recipientsBlock(facts)} ${receivedTable(facts)} ${linksTable(facts, tracedByLink)}
    ${resourcesTable(facts, tracedByResource)}
    ${
      message.attachments.length
        ? html`<h3>Attachments</h3>
            <ul>
              ${message.attachments.map(attachmentItem)}
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
      message.warnings?.length
        ? html`<h3>Read with warnings</h3>
            <ul class="errors">
              ${message.warnings.map((e) => html`<li>${e}</li>`)}
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
                    ${t.resource !== undefined ? `pixel R${t.resource}` : `link ${t.link ?? '?'}`}:
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
