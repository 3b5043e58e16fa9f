// The case page: the final screenshot beside the verdict (where it ended, who is responsible,
// flags, integrity), the resting pages' screenshots, the redirect tree and waterfall, the chain
// as a timeline, downloads, tokens, DNS, the message (for mail cases), every exchange, and the
// evidence files.
import { html, type SafeHtml } from '../html.js';
import type { Report } from '../../report.js';
import type { CaseDetails, CaseView } from '../case-data.js';
import type { DownloadFact } from '../../verdict/downloads.js';
import { chainDrawings, integrityLine, optionsLine, resultHead } from './result-head.js';
import { imageMap, type Drawing } from './chain-svg.js';
import { chainSection, summarySection } from './chain-section.js';
import { messageSection, sourceMessageNote } from './message-section.js';
import { exchangesSection } from './exchanges-section.js';
import { pivotLink, time } from './widgets.js';
import { shareSection } from './share-section.js';

function overview(id: string, report: Report): SafeHtml {
  return html`<dl class="facts overview">
    <dt>Link</dt>
    <dd><code class="url" id="case-url">${report.url ?? '(none)'}</code></dd>
    <dt>Captured</dt>
    <dd>
      ${time(report.startedAt)}${report.elapsedMs !== null ? ` (${(report.elapsedMs / 1000).toFixed(1)} s)` : ''},
      ${report.mode}${report.identity ? `, ${report.identity.device} ${report.identity.viewport.width}×${report.identity.viewport.height}` : ''}
    </dd>
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
    ${
      u.destination !== null
        ? html`<p>Destination: <code class="url">${u.destination}</code></p>`
        : report.hops.length === 0
          ? html`<p>Destination: unknown without a visit</p>`
          : ''
    }
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

function downloadedFilesSection(files: DownloadFact[]): SafeHtml {
  if (files.length === 0) return html``;
  return html`<section id="downloaded-files">
    <h2>Downloads</h2>
    <p class="muted">Files the chain handed over, as recorded (never opened here).</p>
    <table class="files">
      <thead>
        <tr>
          <th>File name</th>
          <th>Type</th>
          <th class="num">Size</th>
          <th>SHA-256</th>
        </tr>
      </thead>
      <tbody>
        ${files.map(
          (f) =>
            html`<tr class="downloaded-file" data-exchange="${f.exchange}">
              <td><strong class="file-name">${f.filename}</strong><br /><code class="url">${f.url}</code></td>
              <td class="file-type">
                ${f.contentType ?? 'no type declared'}${f.magic ? html`<br /><span class="muted">by its bytes: ${f.magic}</span>` : ''}
              </td>
              <td class="num file-size">${f.size} bytes${f.truncated ? ' (recording cut at its size cap)' : ''}</td>
              <td>
                ${
                  f.sha256
                    ? html`${pivotLink('file', f.sha256, 'pivot pivot-file sha256')}
                        <button type="button" class="copy" data-copy="${f.sha256}" title="copy the SHA-256">Copy</button>`
                    : html`<span class="muted">not computed: the body was cut</span>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
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

export function caseBody(details: CaseDetails, view: CaseView, drawings: { tree: Drawing; waterfall: Drawing } | null): SafeHtml {
  const { report, message } = details;
  const kind = report ? report.mode : 'mail';
  const recorded = view.recorded;
  return html`<h1>Case <code>${details.id}</code> <span class="kind kind-${kind}">${kind}</span></h1>
    ${sourceMessageNote(details.relations)}
    ${
      report
        ? resultHead(details.id, report, {
            summary: summarySection(report),
            flags: view.flags,
            integrity: view.integrity,
            options: optionsLine(report, recorded),
          })
        : integrityLine(view.integrity)
    }
    ${report ? overview(details.id, report) : ''} ${report ? unwrapSection(report) : ''}
    ${
      report && drawings
        ? chainDrawings(
            details.id,
            { tree: imageMap('tree-map', drawings.tree.areas), waterfall: imageMap('waterfall-map', drawings.waterfall.areas) },
            { tree: [drawings.tree.width, drawings.tree.height], waterfall: [drawings.waterfall.width, drawings.waterfall.height] },
          )
        : ''
    }
    ${report ? html`${chainSection(report)}${downloadedFilesSection(recorded?.downloads ?? [])}${tokensSection(report)}` : ''}
    ${report ? html`${dnsSection(report)}${eventsSection(report)}` : ''} ${message ? messageSection(message, details.relations) : ''}
    ${downloadsSection(details)} ${shareSection(details.id)}
    ${report ? exchangesSection(recorded?.exchanges ?? [], view.recordedError) : ''}`;
}
