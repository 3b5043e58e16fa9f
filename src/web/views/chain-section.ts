// The chain as a vertical timeline of hops: how each document was reached (via), its status,
// host and registrable domain, the party with its role, the IP (and its network) and TLS facts,
// the evidence.
import { html, type SafeHtml } from '../html.js';
import { otherChainNote, separateChainsNote, viaLabel, type Hop, type Report } from '../../report.js';
import { registrableDomain } from '../../store/index.js';
import { partyBadge, pivotLink, safeClass, statusLabel, time } from './widgets.js';
import { hostOf } from '../../http/host.js';
import { networkAttribution, networkLabel, showsAsData } from './network.js';

/** A note as a sentence of its own: capitalized, with a full stop. */
const sentence = (note: string) => `${note.charAt(0).toUpperCase()}${note.slice(1)}.`;

function tlsFacts(hop: Hop): SafeHtml {
  if (!hop.tls)
    return html`<dt>TLS</dt>
      <dd>${hop.url.startsWith('https:') ? 'not recorded' : 'none (plain HTTP)'}</dd>`;
  const { tls } = hop;
  const cert = tls.cert;
  return html`<dt>TLS</dt>
    <dd>
      ${tls.protocol ?? 'unknown protocol'},
      <span class="${tls.authorized ? 'tls-ok' : 'tls-bad'}"
        >${tls.authorized ? 'certificate verified' : `certificate not verified${tls.error ? `: ${tls.error}` : ''}`}</span
      >
      ${
        cert
          ? html`<br /><span class="cert-summary"
                >subject <code>${cert.subject}</code>, issuer <code>${cert.issuer}</code>, valid ${time(cert.validFrom)} to
                ${time(cert.validTo)}${
                  cert.sans.length
                    ? html`, for ${cert.sans.slice(0, 4).join(', ')}${cert.sans.length > 4 ? ` and ${cert.sans.length - 4} more` : ''}`
                    : ''
                }</span
              >
              <br />SHA-256 ${pivotLink('cert', cert.sha256, 'pivot pivot-cert fingerprint')}`
          : ''
      }
    </dd>`;
}

export function hopItem(hop: Hop): SafeHtml {
  const host = hostOf(hop.url);
  const domain = hop.party?.registrableDomain ?? registrableDomain(host);
  return html`<li class="hop" id="hop-${hop.index}" data-hop="${hop.index}">
    <div class="hop-head">
      <span class="hop-index">${hop.index}</span>
      <span class="via via-${safeClass(hop.via)}">${viaLabel(hop)}</span>
      ${statusLabel(hop.status)} ${pivotLink('domain', host, 'pivot pivot-host host')}
      ${domain && domain !== host ? html`<span class="domain-of">on</span> ${pivotLink('domain', domain, 'pivot pivot-domain domain')}` : ''}
      ${partyBadge(hop.party)}
    </div>
    <div class="hop-url"><span class="method">${hop.method}</span> <code class="url">${hop.url}</code></div>
    <p class="evidence">${hop.evidence.detail}</p>
    ${hop.otherTab ? html`<p class="other-tab">${sentence(otherChainNote(hop))}</p>` : ''}
    <dl class="hop-facts">
      <dt>IP</dt>
      <dd>${hop.ip ? pivotLink('ip', hop.ip) : 'none'}</dd>
      ${
        hop.ip
          ? html`<dt>Network</dt>
              <dd>
                ${networkLabel(hop.network)}
                ${
                  hop.network && 'asn' in hop.network && hop.network.asn !== null
                    ? html` ${pivotLink('asn', `AS${hop.network.asn}`, 'pivot pivot-asn')}`
                    : ''
                }
              </dd>`
          : ''
      }
      ${tlsFacts(hop)}
      ${
        hop.contentType
          ? html`<dt>Type</dt>
              <dd>${hop.contentType}</dd>`
          : ''
      }
      <dt>At</dt>
      <dd>${time(hop.timing.startedAt)}${hop.timing.ms !== null ? ` (${Math.round(hop.timing.ms)} ms)` : ''}</dd>
      ${
        hop.party?.rule
          ? html`<dt>Attribution</dt>
              <dd>${hop.party.rule}</dd>`
          : ''
      }
      ${
        hop.exchange
          ? html`<dt>Exchange</dt>
              <dd><a href="${`#exchange-${hop.exchange}`}">${hop.exchange}</a></dd>`
          : ''
      }
      ${
        hop.error
          ? html`<dt>Error</dt>
              <dd class="error">${hop.error}</dd>`
          : ''
      }
    </dl>
  </li>`;
}

export function chainSection(report: Report): SafeHtml {
  if (report.hops.length === 0)
    return html`<section id="chain">
      <h2>Chain</h2>
      <p class="empty">No document was reached.</p>
    </section>`;
  const chainsNote = separateChainsNote(report.hops);
  return html`<section id="chain">
    <h2>Chain (${report.hops.length} hop${report.hops.length === 1 ? '' : 's'})</h2>
    ${chainsNote ? html`<p class="chains-note">${sentence(chainsNote)}</p>` : ''}
    <ol class="timeline">
      ${report.hops.map(hopItem)}
    </ol>
    ${showsAsData(report.hops.map((h) => h.network)) ? networkAttribution() : ''}
  </section>`;
}

export function summarySection(report: Report): SafeHtml {
  const summary = report.summary;
  const parties = report.parties ?? [];
  if (!summary && parties.length === 0) return html``;
  return html`<section id="summary" class="summary">
    <h2>Who is responsible</h2>
    ${
      summary
        ? html`<p class="summary-text">${summary.text}</p>
            <ul class="claims">
              ${summary.claims.map((c) => html`<li>${c.text}${claimHop(c.hop)}</li>`)}
            </ul>`
        : ''
    }
    ${parties.length ? html`<p class="party-list">${parties.map((p) => partyBadge(p))}</p>` : ''}
  </section>`;
}

function claimHop(hop: number | null): SafeHtml {
  return hop !== null ? html` <a class="claim-hop" href="${`#hop-${hop}`}">hop ${hop}</a>` : html``;
}
