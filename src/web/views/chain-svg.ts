// The redirect tree and the timing waterfall as server-side SVG. Each drawing is served as an
// image of its own (/cases/<id>/tree.svg, /cases/<id>/waterfall.svg) and shown with <img>: an
// SVG loaded as an image never runs script nor loads anything, whatever it contains, so captured
// text in it is inert twice over. It is built with the same `html` template (every value escaped,
// values only in quoted attributes), without script, foreignObject, style elements or any
// reference outside the document; links go in an HTML <map> beside the image, from the same layout.
import { html, join, type SafeHtml } from '../html.js';
import type { TreeNode, WaterfallRow } from '../chain-tree.js';
import { pivotHref } from './widgets.js';

const FONT = 'ui-monospace, Menlo, Consolas, monospace';
const CHAR = 7.2; // advance of a 12 px monospace character
const SMALL_CHAR = 6.6; // 11 px

export interface MapArea {
  x: number;
  y: number;
  width: number;
  height: number;
  href: string;
  title: string;
}

export interface Drawing {
  svg: SafeHtml;
  width: number;
  height: number;
  areas: MapArea[];
}

/** Text that is well-formed XML (no U+FFFE/FFFF, no lone surrogates), cut to `max` characters. */
export function svgLabel(text: string, max: number): string {
  const clean = text.replace(/[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

/** Width of escaped-as-shown text: control characters become \xNN (four characters). */
function shownLength(text: string): number {
  return Array.from(text).reduce(
    (n, c) => n + (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(c) ? 4 : /[\u202a-\u202e\u2066-\u2069]/.test(c) ? 6 : 1),
    0,
  );
}

function svgDocument(width: number, height: number, title: string, body: SafeHtml): SafeHtml {
  return html`<?xml version="1.0" encoding="UTF-8"?>
    <svg
      xmlns="http://www.w3.org/2000/svg"
      width="${width}"
      height="${height}"
      viewBox="0 0 ${width} ${height}"
      font-family="${FONT}"
      font-size="12"
      role="img"
    >
      <title>${title}</title>
      <rect width="${width}" height="${height}" fill="#ffffff" />
      ${body}
    </svg> `;
}

const ROLE_COLOURS: Record<string, [fill: string, stroke: string]> = {
  'esp-tracker': ['#fef0c7', '#dc6803'],
  advertiser: ['#d1fadf', '#039855'],
  destination: ['#f2f4f7', '#475467'],
  'security-wrapper': ['#e0f2fe', '#0086c9'],
  'affiliate-network': ['#fbe8ff', '#c11574'],
  'ad-network': ['#fbe8ff', '#c11574'],
  shortener: ['#eaecf5', '#4e5ba6'],
  redirector: ['#eaecf5', '#4e5ba6'],
};

const ROW = 30;
const SUB_ROW = 17;

export function treeDrawing(nodes: TreeNode[]): Drawing {
  const parts: SafeHtml[] = [];
  const areas: MapArea[] = [];
  const centre = new Map<number, { x: number; y: number }>();
  let y = 12;
  let width = 480;
  for (const node of nodes) {
    const top = y;
    const mid = top + 12;
    const parent = node.parent !== null ? centre.get(node.parent) : undefined;
    // A child hangs from its parent's box: the connector comes down from it and turns right to the
    // child's box, with how the child was reached written above the turn.
    const x = parent ? parent.x : 12;
    const edge = svgLabel(node.edge, 34);
    const edgeWidth = Math.ceil(shownLength(edge) * SMALL_CHAR) + (parent ? 16 : 8);
    const boxX = x + edgeWidth;
    if (parent) parts.push(html`<path d="M${parent.x} ${parent.y} V${mid} H${boxX}" fill="none" stroke="#98a2b3" stroke-width="1.5" />`);
    parts.push(html`<text x="${x + (parent ? 8 : 0)}" y="${mid - 3}" font-size="11" fill="#475467">${edge}</text>`);
    const label = svgLabel(
      `${node.hop}  ${node.status ?? '—'}  ${node.host || node.url}${node.party ? `  · ${node.party}` : ''}${node.download ? '  ⤓ download' : ''}`,
      90,
    );
    const boxWidth = Math.ceil(shownLength(label) * CHAR) + 16;
    const [fill, stroke] = ROLE_COLOURS[node.role ?? ''] ?? ['#f2f4f7', '#667085'];
    const bad = node.error !== null || node.status === null || node.status >= 400;
    parts.push(
      html`<rect
        x="${boxX}"
        y="${top}"
        width="${boxWidth}"
        height="22"
        rx="6"
        fill="${fill}"
        stroke="${bad ? '#d92d20' : stroke}"
        stroke-width="${bad ? 2 : 1}"
      />`,
      html`<text x="${boxX + 8}" y="${top + 15}" fill="#101828">${label}</text>`,
    );
    areas.push({ x: boxX, y: top, width: boxWidth, height: 22, href: `#hop-${node.hop}`, title: `hop ${node.hop}: ${node.url}` });
    centre.set(node.hop, { x: boxX + 10, y: top + 22 });
    width = Math.max(width, boxX + boxWidth + 12);
    y += ROW;
    const subX = boxX + 22;
    const sub = (text: string, colour: string, area: Omit<MapArea, 'x' | 'y' | 'width' | 'height'> | null) => {
      const shown = svgLabel(text, 96);
      parts.push(
        html`<path d="M${boxX + 10} ${y - 8} V${y + 5} H${subX - 4}" fill="none" stroke="#d0d5dd" stroke-dasharray="3 2" />`,
        html`<text x="${subX}" y="${y + 9}" font-size="11" fill="${colour}">${shown}</text>`,
      );
      const w = Math.ceil(shownLength(shown) * SMALL_CHAR);
      if (area) areas.push({ x: subX, y: y - 2, width: w, height: SUB_ROW - 2, ...area });
      width = Math.max(width, subX + w + 12);
      y += SUB_ROW;
    };
    for (const frame of node.frames.slice(0, 4)) sub(`▭ frame ${frame}`, '#6941c6', null);
    if (node.frames.length > 4) sub(`▭ ${node.frames.length - 4} more frames`, '#6941c6', null);
    for (const h of node.thirdParty)
      sub(`${h.host}  (${h.requests} request${h.requests === 1 ? '' : 's'})`, '#344054', {
        href: pivotHref('domain', h.host),
        title: `every case with ${h.host}`,
      });
    if (node.ownRequests > 0) sub(`+ ${node.ownRequests} request${node.ownRequests === 1 ? '' : 's'} to its own site`, '#98a2b3', null);
    if (node.thirdParty.length || node.frames.length || node.ownRequests) y += 6;
  }
  const height = Math.max(y + 6, 40);
  width = Math.min(Math.ceil(width), 8000);
  return { svg: svgDocument(width, height, 'Redirect tree', join(parts)), width, height, areas };
}

const LABEL_WIDTH = 380;
const BAR_WIDTH = 620;
const WF_ROW = 18;
const MAX_ROWS = 400;

function niceStep(totalMs: number): number {
  const raw = totalMs / 8;
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? power * 10;
}

function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

export function waterfallDrawing(rows: WaterfallRow[]): Drawing {
  const shown = rows.slice(0, MAX_ROWS);
  const end = Math.max(1, ...shown.map((r) => r.start + (r.total ?? 0)));
  const step = niceStep(end);
  const scale = BAR_WIDTH / (Math.ceil(end / step) * step);
  const top = 34;
  const width = LABEL_WIDTH + BAR_WIDTH + 70;
  const height = top + shown.length * WF_ROW + (rows.length > shown.length ? WF_ROW : 0) + 12;
  const parts: SafeHtml[] = [];
  const areas: MapArea[] = [];
  const legend: [string, string][] = [
    ['DNS', '#0e9384'],
    ['connect + TLS', '#f79009'],
    ['waiting (TTFB)', '#84adff'],
    ['receiving', '#2e90fa'],
    ['hop of the chain', '#101828'],
  ];
  legend.forEach(([name, colour], i) => {
    const lx = 8 + i * 150;
    parts.push(
      html`<rect x="${lx}" y="6" width="10" height="10" fill="${colour}" />`,
      html`<text x="${lx + 14}" y="15" font-size="11" fill="#344054">${name}</text>`,
    );
  });
  for (let t = 0; t * scale <= BAR_WIDTH + 0.5; t += step) {
    const tx = LABEL_WIDTH + t * scale;
    parts.push(
      html`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 8}" stroke="#eaecf0" />`,
      html`<text x="${tx + 2}" y="${top - 8}" font-size="10" fill="#667085">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`,
    );
  }
  shown.forEach((r, i) => {
    const y = top + i * WF_ROW;
    const label = svgLabel(`${r.status ?? 'ERR'} ${r.method} ${shortUrl(r.url)}`, 50);
    parts.push(
      html`<text
        x="8"
        y="${y + 12}"
        font-size="11"
        fill="${r.error || r.status === null || r.status >= 400 ? '#b42318' : '#101828'}"
        font-weight="${r.hop !== null ? 'bold' : 'normal'}"
        >${r.hop !== null ? `${r.hop}▸ ` : ''}${label}</text
      >`,
    );
    const x0 = LABEL_WIDTH + r.start * scale;
    const total = r.total ?? 0;
    const segments: [number, string][] = [];
    let rest = total;
    for (const [ms, colour] of [
      [r.dns, '#0e9384'],
      [r.connect, '#f79009'],
      [r.ttfb !== null ? Math.max(0, r.ttfb - (r.dns ?? 0) - (r.connect ?? 0)) : null, '#84adff'],
    ] as [number | null, string][]) {
      if (ms === null || ms <= 0 || rest <= 0) continue;
      const used = Math.min(ms, rest);
      segments.push([used, colour]);
      rest -= used;
    }
    if (rest > 0 || segments.length === 0) segments.push([Math.max(rest, 0), '#2e90fa']);
    let x = x0;
    for (const [ms, colour] of segments) {
      const w = Math.max(ms * scale, 1.5);
      parts.push(html`<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="11" fill="${colour}" />`);
      x += w;
    }
    if (r.hop !== null)
      parts.push(
        html`<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${Math.max(x - x0, 2).toFixed(1)}" height="13" fill="none" stroke="#101828" />`,
      );
    parts.push(
      html`<text x="${(x + 4).toFixed(1)}" y="${y + 12}" font-size="10" fill="#667085"
        >${r.total !== null ? `${Math.round(r.total)} ms` : r.error ? svgLabel(r.error, 30) : '—'}</text
      >`,
    );
    areas.push({
      x: 0,
      y,
      width: LABEL_WIDTH + BAR_WIDTH,
      height: WF_ROW,
      href: `#exchange-${r.exchange}`,
      title: `${r.exchange}: ${r.method} ${r.url}`,
    });
  });
  if (rows.length > shown.length)
    parts.push(
      html`<text x="8" y="${top + shown.length * WF_ROW + 12}" font-size="11" fill="#667085"
        >… and ${rows.length - shown.length} more exchanges</text
      >`,
    );
  return { svg: svgDocument(width, height, 'Timing waterfall', join(parts)), width, height, areas };
}

/** The <map> that makes a drawing's boxes links (coordinates in the image's own pixels: it is shown unscaled). */
export function imageMap(name: string, areas: MapArea[]): SafeHtml {
  return html`<map name="${name}" id="${name}">
    ${areas.map(
      (a) =>
        html`<area
          shape="rect"
          coords="${`${Math.round(a.x)},${Math.round(a.y)},${Math.round(a.x + a.width)},${Math.round(a.y + a.height)}`}"
          href="${a.href}"
          alt="${a.title}"
          title="${a.title}"
        />`,
    )}
  </map>`;
}
