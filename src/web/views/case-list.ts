// The case list: search and filter form, the matching cases, paging. A single pivot filter
// (domain, party, IP, certificate, token, message) gets a heading saying what is shared.
import { appPath, appUrl, html, type SafeHtml } from '../html.js';
import type { CaseSummary, SearchFilters, SearchResult } from '../../store/index.js';
import { caseLink, partyBadge, statusLabel, time } from './widgets.js';

const PIVOT_TITLES: Record<string, string> = {
  domain: 'domain or host',
  party: 'party',
  ip: 'IP address',
  cert: 'certificate',
  token: 'token',
  asn: 'hosting network (AS)',
  file: 'downloaded file (SHA-256)',
  message: 'message',
};

export function filterForm(filters: SearchFilters): SafeHtml {
  const field = (name: keyof SearchFilters, label: string, placeholder: string, type = 'text') =>
    html`<label
      >${label} <input type="${type}" name="${name}" value="${String(filters[name] ?? '')}" placeholder="${placeholder}"
    /></label>`;
  return html`<form class="filters" method="get" action="/cases" role="search">
    ${field('q', 'Search', 'URL, title, subject, summary…', 'search')} ${field('domain', 'Domain', 'emsecure.test')}
    ${field('party', 'Party', 'Selligent')} ${field('ip', 'IP', '203.0.113.7')} ${field('asn', 'AS', 'AS15169')}
    ${field('cert', 'Certificate', 'SHA-256')} ${field('file', 'File', 'SHA-256')} ${field('status', 'Status', 'ok, error, 200, 4xx')}
    ${field('from', 'From', 'YYYY-MM-DD', 'date')} ${field('to', 'To', 'YYYY-MM-DD', 'date')}
    <button type="submit">Filter</button> <a href="/cases">Clear</a>
  </form>`;
}

export function pivotHeading(filters: SearchFilters, total: number): SafeHtml {
  const set = (Object.keys(PIVOT_TITLES) as (keyof SearchFilters)[]).filter((k) => filters[k] !== undefined);
  if (set.length !== 1) return html``;
  const kind = set[0];
  return html`<p class="pivot-heading">
    ${total} case(s) sharing ${PIVOT_TITLES[kind]} <strong class="pivot-value">${String(filters[kind])}</strong>
  </p>`;
}

function caseRow(c: CaseSummary): SafeHtml {
  const parties = c.parties.filter((p) => p.role !== 'unknown');
  const mail = c.kind === 'mail';
  return html`<tr class="case-row" data-case="${c.id}">
    <td class="url-cell">
      ${
        mail
          ? html`<a class="case-primary" href="${appPath('cases', c.id)}">${c.subject ?? '(no subject)'}</a><br /><span class="muted"
                >${c.from ?? ''}</span
              >`
          : html`<a class="case-primary" href="${appPath('cases', c.id)}"><code class="url">${c.url ?? '(no link)'}</code></a>`
      }
      ${c.finalHost && !mail ? html`<br />→ <strong class="final-host">${c.finalHost}</strong>` : ''}
      ${c.finalTitle ? html` <span class="title">${c.finalTitle}</span>` : ''}
      ${c.error ? html`<br /><span class="error-reason">${c.error}</span>` : ''}
    </td>
    <td class="parties">${parties.map((p) => partyBadge({ name: p.name, role: p.role, domain: p.domain }))}</td>
    <td>
      ${mail ? '' : statusLabel(c.finalStatus)}
      ${c.error ? html`<span class="error-flag" title="${c.error}">error</span>` : ''}${c.partial ? html` <span class="error-flag">partial</span>` : ''}
      ${mail ? '' : html`<br /><span class="muted">${c.hopCount} hop${c.hopCount === 1 ? '' : 's'}</span>`}
    </td>
    <td>
      ${time(c.startedAt)}<br /><span class="case-id-small">${caseLink(c.id)} <span class="kind kind-${c.kind}">${c.kind}</span></span>
    </td>
  </tr>`;
}

export function caseTable(result: SearchResult): SafeHtml {
  if (result.cases.length === 0) return html`<p class="empty">No case matches.</p>`;
  return html`<table class="cases">
    <thead>
      <tr>
        <th>Link → where it ended</th>
        <th>Parties</th>
        <th>Status</th>
        <th>Captured (UTC) · case</th>
      </tr>
    </thead>
    <tbody>
      ${result.cases.map(caseRow)}
    </tbody>
  </table>`;
}

export function pager(result: SearchResult, filters: SearchFilters): SafeHtml {
  const query = (offset: number) => appUrl('/cases', { ...(filters as Record<string, string>), limit: result.limit, offset });
  const prev = result.offset > 0 ? html`<a rel="prev" href="${query(Math.max(0, result.offset - result.limit))}">← newer</a>` : '';
  const next =
    result.offset + result.cases.length < result.total ? html`<a rel="next" href="${query(result.offset + result.limit)}">older →</a>` : '';
  const shown = result.cases.length
    ? `${result.offset + 1}–${result.offset + result.cases.length} of ${result.total}`
    : `0 of ${result.total}`;
  return html`<p class="pager">${prev} <span>${shown}</span> ${next}</p>`;
}

export function caseListBody(filters: SearchFilters, result: SearchResult, error: string | null): SafeHtml {
  return html`<h1>Cases</h1>
    ${filterForm(filters)} ${error ? html`<p class="notice error" role="alert">${error}</p>` : ''} ${pivotHeading(filters, result.total)}
    ${caseTable(result)} ${pager(result, filters)}`;
}
