// The comparison of one link seen as several visitors (`clicktrace compare`): the verdict, the
// profiles' final screenshots in a row (the ones that part from the largest group marked), the
// groups by destination, and for every pair the hop where their chains part.
import { html, type SafeHtml } from '../html.js';
import { fileHref } from '../case-data.js';
import { caseLink, safeClass, statusLabel, time } from './widgets.js';
import type { ComparisonRecord } from '../../compare/comparison-case.js';
import { describeDivergence } from '../../compare/format-text.js';

export function compareBody(record: ComparisonRecord): SafeHtml {
  const c = record.comparison;
  const cut = new Map(c.cutShort.map((x) => [x.profile, x]));
  // Cut-short profiles (no JavaScript, stopped at a meta refresh) are not compared: neither main nor parting.
  const main = new Set([...(c.groups[0]?.profiles ?? []), ...cut.keys()]);
  const signal = c.signals.length ? html` <span class="signal">(signal: ${c.signals.join(' + ')})</span>` : html``;
  return html`<h1>Compared as ${record.profiles.length} visitors</h1>
    <p class="compare-url">${record.url}</p>
    <p>${time(record.startedAt)} · comparison case ${record.case}</p>
    <div class="summary verdict verdict-${safeClass(c.verdict)}">
      <p class="summary-text">Verdict: ${c.verdict}${signal}</p>
      <p>${c.explanation}</p>
    </div>
    <h2>Where each visitor ended</h2>
    <div class="shots compare-shots">
      ${c.profiles.map(
        (p) =>
          html`<figure class="${main.has(p.profile) ? 'shot' : 'shot diverges'}" data-profile="${p.profile}">
            ${
              p.case && p.screenshot
                ? html`<img src="${fileHref(p.case, p.screenshot)}" alt="${`screenshot seen as ${p.profile}`}" loading="lazy" />`
                : html`<p class="empty">no screenshot${p.hops.length && !p.screenshot ? ' (no page rendered: HTTP client)' : ''}</p>`
            }
            <figcaption>
              <strong>${p.profile}</strong>${main.has(p.profile) ? '' : html` <span class="diverges-label">parts here</span>`}
              ${cut.has(p.profile) ? html` <span class="empty">stopped: ${cut.get(p.profile)!.via} not followed, not compared</span>` : ''}<br />
              ${statusLabel(p.final?.status)} ${p.destination}<br />
              ${p.final?.title ? html`“${p.final.title}”<br />` : ''} ${p.case ? caseLink(p.case) : 'no case'}
            </figcaption>
          </figure>`,
      )}
    </div>
    ${c.notTraced.length ? html`<p class="empty">Not traced: ${c.notTraced.join(', ')}</p>` : ''}
    <h2>Groups</h2>
    <table>
      <thead>
        <tr>
          <th>profiles</th>
          <th>ended at</th>
          <th>status</th>
          <th>title</th>
        </tr>
      </thead>
      <tbody>
        ${c.groups.map(
          (g) =>
            html`<tr>
              <td>${g.profiles.join(', ')}</td>
              <td>${g.destination}</td>
              <td>${g.status === undefined ? '' : statusLabel(g.status)}</td>
              <td>${g.title ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Pairs</h2>
    <table class="pairs">
      <thead>
        <tr>
          <th>profiles</th>
          <th>where they part</th>
        </tr>
      </thead>
      <tbody>
        ${c.pairs.map(
          (p) =>
            html`<tr class="${p.divergence ? 'pair-diverges' : 'pair-same'}">
              <td>${p.a} / ${p.b}</td>
              <td>${p.divergence ? describeDivergence(p.divergence) : 'the same, hop for hop'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Chains side by side</h2>
    <div class="chains">
      ${c.profiles.map(
        (p) =>
          html`<section class="chain-column">
            <h3>${p.profile}</h3>
            <ol>
              ${p.hops.map((h) => html`<li>${statusLabel(h.status)} <span class="via">${h.via}</span> <span class="hop-url">${h.url}</span></li>`)}
            </ol>
            ${p.error ? html`<p class="empty">${p.error}</p>` : ''}
          </section>`,
      )}
    </div>`;
}

export function compareListBody(records: ComparisonRecord[]): SafeHtml {
  return html`<h1>Comparisons</h1>
    <p>Links traced as several visitors with <code>clicktrace compare</code>.</p>
    ${
      records.length === 0
        ? html`<p class="empty">No comparisons in this cases folder.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>when</th>
                <th>link</th>
                <th>verdict</th>
                <th>profiles</th>
              </tr>
            </thead>
            <tbody>
              ${records.map(
                (r) =>
                  html`<tr>
                    <td>${time(r.startedAt)}</td>
                    <td><a href="${`/compare/${encodeURIComponent(r.case)}`}">${r.url}</a></td>
                    <td>${r.comparison.verdict}${r.comparison.signals.length ? ` (${r.comparison.signals.join(' + ')})` : ''}</td>
                    <td>${r.profiles.join(', ')}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}
