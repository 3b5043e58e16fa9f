// The feed report ("who is responsible" across the cases) as HTML: the /report page of the web UI,
// and the standalone file of `clicktrace report --html FILE`. Escaped by construction (html``);
// the standalone file also carries a CSP that allows no script at all.
import { appPath, appUrl, html, join, type SafeHtml } from '../html.js';
import { DIMENSION_TITLES, FEED_DIMENSIONS, type FeedAggregate, type FeedRow } from '../../feed/aggregate.js';
import { caseLink, safeClass, time } from './widgets.js';
import { networkAttribution } from './network.js';
import { alsoWritten, CLOAKING_TITLE, rowNote, totalsNote } from '../../feed/format-text.js';
import type { CloakingRow } from '../../compare/cloaking-report.js';

export interface FeedReportOptions {
  /** Example cases as links to their pages (the web UI), or as plain ids (a standalone file). */
  linkCases: boolean;
  /** A standalone file: the href of a case's folder (a path: the file is opened from disk). */
  caseHref?: (id: string) => string;
  /** The --since / ?since the aggregate was made with, shown in the form. */
  since?: string | null;
  /** Case folders the index could not take (a trace running or cut off, a damaged report), with why: not counted. */
  notCounted?: readonly { id: string; reason: string }[];
}

function examples(row: Pick<FeedRow, 'examples'>, options: FeedReportOptions, comparisons = false): SafeHtml {
  return html`${row.examples.map(
    (id, i) =>
      html`${i ? ' ' : ''}${
        options.linkCases
          ? comparisons
            ? html`<a class="case-link" href="${appPath('compare', id)}">${id}</a>`
            : caseLink(id)
          : options.caseHref
            ? html`<a class="case-link case-id" href="${options.caseHref(id)}">${id}</a>`
            : html`<code class="case-id">${id}</code>`
      }`,
  )}`;
}

function rowHtml(row: FeedRow, options: FeedReportOptions): SafeHtml {
  return html`<tr class="feed-row" data-dimension="${row.dimension}" data-key="${row.key}">
    <td class="feed-label">${row.label}${alsoWritten(row) ? html`<br /><small class="feed-spellings">${alsoWritten(row)}</small>` : ''}</td>
    <td class="feed-detail">
      ${row.detail ?? ''}${row.source ? html`${row.detail ? '; ' : ''}<span class="network-source">data: ${row.source}, approximate</span>` : ''}
    </td>
    <td class="num feed-messages">${row.messages}</td>
    <td class="num feed-traces">${row.traces}${rowNote(row) ? html`<span class="trace-note">${rowNote(row)}</span>` : ''}</td>
    <td>${time(row.firstSeen)}</td>
    <td>${time(row.lastSeen)}</td>
    <td class="feed-examples">${examples(row, options)}</td>
  </tr>`;
}

/** Per party, the links compared as several visitors and how many were cloaked; examples are comparison cases. */
function cloakingSection(rows: readonly CloakingRow[], options: FeedReportOptions): SafeHtml {
  return html`<section class="cloaking-report" id="feed-cloaking">
    <h2>${CLOAKING_TITLE}</h2>
    ${
      rows.length === 0
        ? html`<p class="empty">None.</p>`
        : html`<table class="feed">
            <thead>
              <tr>
                <th>Party</th>
                <th class="num">Compared</th>
                <th class="num">Cloaked</th>
                <th class="num">Single-use</th>
                <th>Signals</th>
                <th>First seen</th>
                <th>Last seen</th>
                <th>Example comparisons</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) =>
                  html`<tr class="cloaking-row" data-key="${r.party}">
                    <td class="feed-label">${r.party}</td>
                    <td class="num cloaking-compared">${r.compared}</td>
                    <td class="num cloaking-cloaked">${r.cloaked}</td>
                    <td class="num cloaking-single-use">${r.singleUse}</td>
                    <td class="cloaking-signals">${r.signals.join(', ')}</td>
                    <td>${time(r.firstSeen)}</td>
                    <td>${time(r.lastSeen)}</td>
                    <td class="feed-examples">${examples(r, options, true)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

export function feedReportBody(aggregate: FeedAggregate, options: FeedReportOptions): SafeHtml {
  return html`<h1>Who is responsible across the feed</h1>
    ${feedTotals(aggregate)} ${options.notCounted?.length ? notCountedNote(options.notCounted) : ''}
    ${
      options.linkCases
        ? html`<form class="filters" method="get" action="/report">
            <label>Since <input type="${sinceInputType(options.since)}" name="since" value="${options.since ?? ''}" /></label>
            <button type="submit">Show</button> <a href="/report">All cases</a>
            <a href="${appUrl('/api/report', { since: options.since ?? null })}">JSON</a>
          </form>`
        : ''
    }
    ${feedSections(aggregate, options)}`;
}

/** The case folders left out of the counts, each with why (the first ten). */
function notCountedNote(folders: readonly { id: string; reason: string }[]): SafeHtml {
  return html`<p class="feed-not-counted">
    ${folders.length} case folder${folders.length === 1 ? '' : 's'} not counted:
    ${folders.slice(0, 10).map((f, i) => html`${i ? '; ' : ''}<code>${f.id}</code> (${f.reason})`)}${folders.length > 10 ? '; …' : ''}
  </p>`;
}

/**
 * The since field's type: a date picker for a day, text for a time (?since=2026-11-26T08:00:00Z):
 * a date input empties any other value, and the next "Show" would drop the filter unsaid.
 */
export function sinceInputType(since: string | null | undefined): 'date' | 'text' {
  return !since || /^\d{4}-\d{2}-\d{2}$/.test(since) ? 'date' : 'text';
}

/** The counts line of an aggregate. */
export function feedTotals(aggregate: FeedAggregate): SafeHtml {
  return html`<p class="feed-totals">
    ${aggregate.cases} case${aggregate.cases === 1 ? '' : 's'}: ${aggregate.messages} message${aggregate.messages === 1 ? '' : 's'},
    ${aggregate.traces}
    trace${aggregate.traces === 1 ? '' : 's'}${totalsNote(aggregate)}${
      aggregate.firstSeen ? html`, ${time(aggregate.firstSeen)} to ${time(aggregate.lastSeen)}` : ''
    }${aggregate.since ? html` (since ${time(aggregate.since)})` : ''}
  </p>`;
}

/** Rows of a table shown at once; the rest (the least frequent) fold under "N more", which opens without script. */
export const FEED_ROWS_SHOWN = 20;

/** The head of a table of rows. */
function feedTable(rows: readonly FeedRow[], options: FeedReportOptions): SafeHtml {
  return html`<table class="feed">
    <thead>
      <tr>
        <th>Name</th>
        <th>Detail</th>
        <th class="num">Messages</th>
        <th class="num">Traces</th>
        <th>First seen</th>
        <th>Last seen</th>
        <th>Example cases</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map((r) => rowHtml(r, options))}
    </tbody>
  </table>`;
}

/** A section's title without its explanation in brackets, for the line of links to the sections. */
const shortTitle = (title: string) => title.replace(/ \(.*\)$/, '');

/** The tables of an aggregate, a section per dimension (the /report page, a batch's page), after a line of links to each. */
export function feedSections(aggregate: FeedAggregate, options: FeedReportOptions): SafeHtml {
  const byDimension = FEED_DIMENSIONS.map((dimension) => ({ dimension, rows: aggregate.rows.filter((r) => r.dimension === dimension) }));
  const contents = html`<p class="feed-contents" id="feed-contents">
    ${join(
      [
        ...byDimension.map(
          ({ dimension, rows }) =>
            html`<a href="${`#feed-${safeClass(dimension)}`}" data-dimension="${dimension}"
              >${shortTitle(DIMENSION_TITLES[dimension])} (${rows.length})</a
            >`,
        ),
        ...(aggregate.cloaking ? [html`<a href="#feed-cloaking">${shortTitle(CLOAKING_TITLE)} (${aggregate.cloaking.length})</a>`] : []),
      ],
      ' · ',
    )}
  </p>`;
  const sections = byDimension.map(({ dimension, rows }) => {
    return html`<section class="feed-dimension" id="${`feed-${safeClass(dimension)}`}">
      <h2>${DIMENSION_TITLES[dimension]}</h2>
      ${
        rows.length > FEED_ROWS_SHOWN
          ? html`${feedTable(rows.slice(0, FEED_ROWS_SHOWN), options)}
              <details class="feed-more">
                <summary>${rows.length - FEED_ROWS_SHOWN} more (fewer messages and traces each)</summary>
                ${feedTable(rows.slice(FEED_ROWS_SHOWN), options)}
              </details>`
          : rows.length
            ? feedTable(rows, options)
            : html`<p class="empty">None.</p>`
      }
    </section>`;
  });
  const hasAsData = aggregate.rows.some((r) => r.dimension === 'network' && r.source);
  return html`${contents} ${sections} ${aggregate.cloaking ? cloakingSection(aggregate.cloaking, options) : ''}
  ${hasAsData ? networkAttribution() : ''}`;
}

/**
 * A whole HTML document for `clicktrace report --html FILE`; `caseHref` links each example case to
 * its folder.
 */
export function feedReportDocument(aggregate: FeedAggregate, generatedAt: string, caseHref?: (id: string) => string): SafeHtml {
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'" />
        <meta name="referrer" content="no-referrer" />
        <title>clicktrace feed report</title>
        <!-- Inline CSS only (the CSP allows styles and nothing else): the file opens anywhere, offline. -->
        <style>
          body {
            font:
              14px/1.45 system-ui,
              sans-serif;
            color: #1d2430;
            margin: 2rem auto;
            max-width: 1200px;
            padding: 0 1rem;
          }
          table {
            width: 100%;
            border-collapse: collapse;
            margin-bottom: 1rem;
          }
          th,
          td {
            text-align: left;
            vertical-align: top;
            padding: 0.35rem 0.5rem;
            border-bottom: 1px solid #d8dde6;
          }
          td.num,
          th.num {
            text-align: right;
          }
          code,
          .case-id {
            font:
              12px ui-monospace,
              monospace;
          }
          .empty,
          .network-source,
          .data-attribution,
          .generated {
            color: #5b6576;
          }
        </style>
      </head>
      <body>
        ${feedReportBody(aggregate, { linkCases: false, caseHref })}
        <p class="generated">Generated by clicktrace at ${time(generatedAt)}.</p>
      </body>
    </html>`;
}
