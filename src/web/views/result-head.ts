// The top of a case page, what an analyst reads first: the final screenshot, large, beside the
// verdict (where it ended, who is responsible, the flags, the integrity check), and a strip with
// the screenshot of every page the chain rested on. A screenshot opens large with CSS :target
// (no script): each has a lightbox element the page shows while the URL's fragment names it.
import { appPath, html, type SafeHtml } from '../html.js';
import type { Report } from '../../report.js';
import type { VerdictFlag } from '../../verdict/flags.js';
import type { Integrity } from '../integrity.js';
import type { RecordedCase } from '../recorded-case.js';
import { fileHref } from '../case-data.js';
import { safeClass, statusLabel, time } from './widgets.js';
import { pendingTimerNote } from '../../analyze/final-page-pending.js';

type Page = Report['pages'][number];

/** The page the chain rested on last: the resting page of the final URL (the page around it, for a frame's document), else the last one. */
export function finalPage(report: Report): Page | null {
  const url = report.final?.url;
  const frame = report.final?.frame !== undefined;
  return (
    [...report.pages].reverse().find((p) => (frame ? p.frame?.url : p.url) === url && p.screenshot) ??
    [...report.pages].reverse().find((p) => p.screenshot) ??
    null
  );
}

/** What a resting page's screenshot shows: the page, and the frame's document inside it where the chain went on in a frame. */
function shows(page: Page): string {
  return page.frame ? `${page.url}, with ${page.frame.url} in a frame` : page.url;
}

export function flagList(flags: VerdictFlag[]): SafeHtml {
  if (flags.length === 0)
    return html`<p class="flags-none muted" id="flags">
      No flag raised: the evidence shows none of the warning signs checked (which is not a clean bill).
    </p>`;
  return html`<ul class="flags" id="flags">
    ${flags.map(
      (f) =>
        html`<li class="verdict-flag flag-${f.severity} flag-${safeClass(f.id)}" data-flag="${f.id}">
          <strong class="flag-title">${f.title}</strong> <span class="flag-detail">${f.detail}</span>
          ${f.hop !== null ? html`<a class="flag-hop" href="${`#hop-${f.hop}`}">hop ${f.hop}</a>` : ''}
        </li>`,
    )}
  </ul>`;
}

export function integrityLine(integrity: Integrity | null): SafeHtml {
  if (!integrity) return html``;
  if (!integrity.result)
    return html`<p class="integrity integrity-unknown" id="integrity" data-state="unknown">
      Integrity: could not be checked (${integrity.error ?? 'unknown error'}).
    </p>`;
  const r = integrity.result;
  const c = r.checked;
  const signature = { valid: 'signature valid', invalid: 'signature INVALID', absent: 'not signed' }[c.signature];
  const token = r.timestamp.token;
  const stamp =
    c.timestamp === 'absent'
      ? r.timestamp.failure
        ? html`no timestamp (the TSA failed: ${r.timestamp.failure.error})`
        : html`no timestamp`
      : c.timestamp === 'valid'
        ? html`timestamp ${time(token?.time)} valid${token?.signer ? ` (${token.signer})` : ''}`
        : html`timestamp INVALID${token ? html` (says ${time(token.time)})` : ''}`;
  const state = r.ok ? 'verified' : 'tampered';
  return html`<div class="integrity integrity-${state}" id="integrity" data-state="${state}">
    <p>
      <strong>${r.ok ? 'Integrity verified' : 'TAMPERED or damaged: the evidence does not match its manifest'}</strong>
      <span class="muted">(checked ${time(integrity.checkedAt)}: ${c.files} files, ${c.warcRecords} WARC records)</span> · ${signature} ·
      ${stamp}
    </p>
    ${
      r.problems.length
        ? html`<ul class="integrity-problems">
            ${r.problems.slice(0, 12).map((p) => html`<li>${p}</li>`)}
            ${r.problems.length > 12 ? html`<li>… and ${r.problems.length - 12} more</li>` : ''}
          </ul>`
        : ''
    }
  </div>`;
}

/** What the trace was asked to do (per-submission options included), from the capture's own record. */
export function optionsLine(report: Report, recorded: RecordedCase | null): SafeHtml {
  const info = recorded?.info;
  const identity = report.identity;
  const timeout = (() => {
    const args = info?.commandLine ?? [];
    const at = args.indexOf('--timeout');
    return at >= 0 ? args[at + 1] : undefined;
  })();
  const exploreText = info?.explore ? html`, <span class="opt-explore">explore depth ${info.explore}</span>` : ', no explore';
  const timeoutText = timeout ? html`, <span class="opt-timeout">timeout ${timeout} s</span>` : '';
  // Unknown (a case from before it was recorded, an import): not said.
  const nudgeText = info?.nudge === undefined ? '' : html`, <span class="opt-nudge">${info.nudge ? 'nudge on' : 'no nudge'}</span>`;
  return html`<p class="trace-options muted" id="trace-options">
    Traced as
    <span class="opt-device">${identity?.device ?? 'unknown device'}</span
    >${identity ? ` ${identity.viewport.width}×${identity.viewport.height}` : ''}, user agent
    <code class="opt-ua">${identity?.userAgent ?? 'not recorded'}</code
    >${info?.clicks.length ? html`, then clicked ${info.clicks.map((c) => html`<q class="opt-click">${c}</q> `)}` : ''}${exploreText}${timeoutText}${nudgeText}
  </p>`;
}

function lightbox(id: string, page: Page): SafeHtml {
  if (!page.screenshot) return html``;
  return html`<div class="lightbox" id="${`shot-${page.index}`}">
    <a class="lightbox-close" href="#result" title="close">×</a>
    <figure>
      <img src="${fileHref(id, page.screenshot)}" alt="${`screenshot of page ${page.index}, full size`}" loading="lazy" />
      <figcaption>
        ${page.index}. ${page.title || '(no title)'} — <code class="url">${page.url}</code>
        ${page.frame ? html`<br />in a frame: ${page.frame.title || '(no title)'} — <code class="url">${page.frame.url}</code>` : ''}
      </figcaption>
    </figure>
  </div>`;
}

export function resultHead(
  id: string,
  report: Report,
  verdict: { summary: SafeHtml; flags: VerdictFlag[]; integrity: Integrity | null; options: SafeHtml },
): SafeHtml {
  const hero = finalPage(report);
  const shots = report.pages.filter((p) => p.screenshot);
  const timerNote = pendingTimerNote(report);
  return html`<section id="result" class="result-head">
      <div class="verdict">
        <p class="ended-on">
          ${
            report.final
              ? html`Ended on <code class="url" id="final-url">${report.final.url}</code> ${statusLabel(report.final.status)}
                  ${report.final.title !== null ? html`<br /><strong class="title" id="final-title">${report.final.title}</strong>` : ''}
                  ${
                    report.final.frame !== undefined
                      ? html`<br /><span class="final-frame" id="final-frame"
                            >shown inside a frame of <code class="url">${report.final.frame}</code></span
                          >`
                      : ''
                  }`
              : html`<strong>Reached no page.</strong>`
          }
          ${report.error ? html`<br /><span class="error" id="case-error">${report.error}</span>` : ''}
        </p>
        ${timerNote ? html`<p class="muted" id="timer-note">Note: ${timerNote}</p>` : ''} ${flagList(verdict.flags)} ${verdict.summary}
        ${integrityLine(verdict.integrity)} ${verdict.options}
      </div>
      <div class="hero">
        ${
          hero?.screenshot
            ? html`<a class="hero-link" href="${`#shot-${hero.index}`}"
                ><img
                  class="hero-shot"
                  id="final-screenshot"
                  src="${fileHref(id, hero.screenshot)}"
                  alt="${`screenshot of the final page ${shows(hero)}`}"
              /></a>`
            : html`<p class="empty hero-empty">No screenshot of a final page.</p>`
        }
      </div>
    </section>
    ${
      shots.length
        ? html`<section id="pages" class="strip-section">
            <h2>Resting pages</h2>
            <ol class="shot-strip">
              ${shots.map(
                (p) =>
                  html`<li class="strip-item" id="page-${p.index}">
                    <a class="strip-link" href="${`#shot-${p.index}`}"
                      ><img src="${fileHref(id, p.screenshot!)}" alt="${`screenshot of page ${p.index}`}" loading="lazy"
                    /></a>
                    <span class="strip-caption"
                      ><strong>${p.index}.</strong> ${p.title || '(no title)'}
                      ${p.frame ? html`<br />in a frame: ${p.frame.title || '(no title)'}` : ''}</span
                    >
                    <a class="screenshot-link" href="${fileHref(id, p.screenshot!)}">PNG</a>
                    ${p.dom ? html`<a class="dom-link" href="${fileHref(id, p.dom)}">DOM (text)</a>` : ''}
                    ${
                      p.frame?.dom
                        ? html`<a class="dom-link frame-dom-link" href="${fileHref(id, p.frame.dom)}" title="${p.frame.url}"
                            >frame's DOM (text)</a
                          >`
                        : ''
                    }
                  </li>`,
              )}
            </ol>
            ${shots.map((p) => lightbox(id, p))}
          </section>`
        : ''
    }`;
}

/** The redirect tree and the waterfall, as images of this app with their link maps. */
export function chainDrawings(
  id: string,
  maps: { tree: SafeHtml; waterfall: SafeHtml },
  size: { tree: [number, number]; waterfall: [number, number] },
): SafeHtml {
  return html`<section id="tree">
      <h2>Redirect tree</h2>
      <p class="muted">
        From the link to the final page: how each page was reached, popups, frames and clicks as branches, and the third-party hosts each
        page loaded from. Click a box to go to its hop, a host to see every case with it.
      </p>
      <div class="drawing">
        <img
          id="tree-image"
          src="${appPath('cases', id, 'tree.svg')}"
          usemap="#tree-map"
          width="${size.tree[0]}"
          height="${size.tree[1]}"
          alt="redirect tree"
        />
        ${maps.tree}
      </div>
    </section>
    <section id="waterfall">
      <h2>Timing waterfall</h2>
      <div class="drawing">
        <img
          id="waterfall-image"
          src="${appPath('cases', id, 'waterfall.svg')}"
          usemap="#waterfall-map"
          width="${size.waterfall[0]}"
          height="${size.waterfall[1]}"
          alt="timing waterfall of the exchanges"
        />
        ${maps.waterfall}
      </div>
    </section>`;
}
