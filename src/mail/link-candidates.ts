// Finding link candidates: every <a href>, <area href> and <form action> of an HTML body with
// what the reader sees of it (visible text, image alt text, button-like presentation, whether it
// is rendered at all, the sentence around it), and the URLs of plain text. Judging them
// (unsubscribe, mismatch, prominence) is links.ts's job.

import { parseAttributes, tokenizeHtml, type HtmlVisitor } from './html-tokenizer.js';
import { OpenElements } from './open-elements.js';
import { mergePresentation, PLAIN, presentationOf, type Presentation } from './presentation.js';
import { decodeHTML } from 'entities';
import { findTextUrls } from './text-urls.js';

export type LinkKind = 'href' | 'area' | 'form' | 'text' | 'list-unsubscribe';
export type LinkPart = 'html' | 'text' | 'header';

/** Upper bound on links kept per source, so a hostile message cannot exhaust memory. */
export const MAX_LINKS = 5000;
const MAX_ANCHOR_TEXT = 300;

export interface Candidate {
  url: string;
  text: string | null;
  kind: LinkKind;
  part: LinkPart;
  /** 0 at the top of its part, 1 at the bottom. */
  position: number;
  look: Presentation;
  imageOnly: boolean;
  /** Nothing a reader could click: only 1x1 or hidden images, or no content at all. */
  invisible: boolean;
  bigImage: boolean;
  /** The sentence around an anchor ("click <a>here</a> to unsubscribe"), without the anchor text. */
  context: string;
}

const ANCHOR_CLOSERS = new Set(['td', 'th', 'tr', 'table', 'body', 'html']);
/** Elements that end a sentence of visible text, for anchor context. */
const BLOCK_TAGS = new Set([
  'p',
  'div',
  'td',
  'th',
  'tr',
  'table',
  'br',
  'li',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'center',
  'hr',
  'blockquote',
  'body',
  'section',
  'article',
  'header',
  'footer',
  'tbody',
]);
const MAX_CONTEXT = 120;
/** How far back or ahead of an anchor its sentence is looked for, in HTML characters. */
const CONTEXT_WINDOW = 600;
function imageSize(attrs: Record<string, string>, axis: 'width' | 'height'): number | null {
  const fromStyle = new RegExp(`(?:^|;|\\s)${axis}\\s*:\\s*(\\d+)`, 'i').exec(attrs.style ?? '');
  const raw = fromStyle?.[1] ?? attrs[axis];
  if (raw === undefined) return null;
  if (/%\s*$/.test(raw)) return parseInt(raw, 10) >= 50 ? 600 : null;
  const value = parseInt(raw, 10);
  return Number.isNaN(value) ? null : value;
}

// ---------------------------------------------------------------------------------------------
// HTML extraction

function cleanHref(raw: string): string {
  // Browsers drop tabs and newlines anywhere in a URL and trim surrounding whitespace.
  return raw.replace(/[\t\n\r]/g, '').trim();
}

function resolveHref(href: string, base: string | null): string {
  if (!base || /^[a-z][a-z0-9+.-]*:/i.test(href)) return href;
  try {
    return new URL(href, base).href;
  } catch {
    return href;
  }
}

function collapseText(parts: string[]): string {
  return parts
    .join('')
    .replace(/[\u00ad\u200b-\u200d\u2060\ufeff]|\u034f/g, '')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

interface OpenAnchor {
  href: string;
  position: number;
  textParts: string[];
  textLength: number;
  alts: string[];
  images: number;
  pixels: number;
  bigImage: boolean;
  look: Presentation;
  before: string;
  /** The anchor or an element around it is not rendered. */
  hidden: boolean;
}

export function candidate(fields: Pick<Candidate, 'url' | 'text' | 'kind' | 'part' | 'position'> & Partial<Candidate>): Candidate {
  return { look: PLAIN, imageOnly: false, invisible: false, bigImage: false, context: '', ...fields };
}

/** Text after the last sentence end: the start of the sentence an anchor sits in. */
function sentenceTail(text: string): string {
  const match = /[.!?:|]\s+(?=[^.!?:|]*$)/.exec(text);
  return (match ? text.slice(match.index + match[0].length) : text).slice(-MAX_CONTEXT);
}

/** Text up to the first sentence end: the rest of the sentence after an anchor. */
function sentenceHead(text: string): string {
  const match = /[.!?|](?:\s|$)/.exec(text);
  return (match ? text.slice(0, match.index + 1) : text).slice(0, MAX_CONTEXT);
}

/** Visible text of an HTML slice: tags dropped, entities decoded, whitespace collapsed. */
function visibleText(html: string, start: number, end: number): string {
  if (end <= start) return '';
  return decodeHTML(html.slice(start, end).replace(/<[^>]*(?:>|$)/g, ' '))
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

const URL_HINT = /https?:|www\./gi;

export function extractHtmlCandidates(html: string): Candidate[] {
  const found: Candidate[] = [];
  const elements = new OpenElements(html);
  let base: string | null = null;
  let anchor: OpenAnchor | null = null;
  let form: Candidate | null = null;
  // Anchor context is read lazily from the HTML itself: where the current sentence started
  // (after a block boundary or the previous anchor), and the last anchor still missing the text
  // that follows it.
  let sentenceStart = 0;
  let awaitingAfter: { link: Candidate; from: number } | null = null;
  const length = Math.max(1, html.length);
  // Next position of "http:"/"www." at or after the last lookup; text runs come in document
  // order, so the whole document is searched once however many text runs there are.
  let nextUrlHint = -1;
  const mayHoldUrl = (start: number, end: number) => {
    if (nextUrlHint < start) {
      URL_HINT.lastIndex = start;
      nextUrlHint = URL_HINT.exec(html)?.index ?? Infinity;
    }
    return nextUrlHint < end;
  };

  const completeContext = (until: number) => {
    if (!awaitingAfter) return;
    const after = sentenceHead(visibleText(html, awaitingAfter.from, Math.min(until, awaitingAfter.from + CONTEXT_WINDOW)));
    if (after) awaitingAfter.link.context += ` … ${after}`;
    awaitingAfter = null;
  };

  const closeAnchor = (position: number) => {
    if (!anchor) return;
    const text = collapseText(anchor.textParts);
    const alt = collapseText(anchor.alts.map((a) => `${a} `));
    const imageOnly = !text && anchor.images > 0;
    const link = candidate({
      url: anchor.href,
      text: text || alt || null,
      kind: 'href',
      part: 'html',
      position: anchor.position,
      look: anchor.look,
      imageOnly,
      // font-size 0 hides text but not images (it is used to close gaps between images)
      invisible: anchor.hidden || (imageOnly && anchor.pixels === anchor.images) || (anchor.images === 0 && !text),
      bigImage: anchor.bigImage,
      context: anchor.before,
    });
    found.push(link);
    awaitingAfter = { link, from: position };
    sentenceStart = position;
    anchor = null;
  };

  const endSentence = (position: number) => {
    completeContext(position);
    sentenceStart = position;
  };

  const visitor: HtmlVisitor = {
    startTag(name, source, attrStart, attrEnd, position) {
      if (BLOCK_TAGS.has(name)) endSentence(position);
      if (found.length >= MAX_LINKS) return;
      if (name === 'a') {
        closeAnchor(position);
        completeContext(position);
        elements.close('a'); // an <a> start tag ends any anchor still open
        elements.open('a', attrStart, attrEnd);
        const attrs = parseAttributes(source, attrStart, attrEnd);
        const href = cleanHref(attrs.href ?? '');
        if (!href || href.startsWith('#')) return;
        const look = { ...presentationOf(name, source, attrStart, attrEnd) };
        // The nearest few enclosing cells and blocks carry a button's background, weight, heading.
        for (let depth = 1; depth < 4; depth++) {
          const outer = elements.presentationAt(depth);
          if (!outer) break;
          look.button ||= outer.button;
          look.heading ||= outer.heading;
          look.bold ||= outer.bold;
        }
        look.fontSize ??= elements.inheritedFontSize();
        anchor = {
          href: resolveHref(href, base),
          position: position / length,
          textParts: [],
          textLength: 0,
          alts: [],
          images: 0,
          pixels: 0,
          bigImage: false,
          look,
          before: sentenceTail(visibleText(html, Math.max(sentenceStart, position - CONTEXT_WINDOW), position)),
          hidden: elements.isHidden(),
        };
        return;
      }
      if (name === 'img') {
        if (!anchor) return;
        const attrs = parseAttributes(source, attrStart, attrEnd);
        const width = imageSize(attrs, 'width');
        const height = imageSize(attrs, 'height');
        anchor.images++;
        const tiny = width !== null && width <= 3 && (height === null || height <= 3);
        if (tiny || elements.isHidden() || /display\s*:\s*none/i.test(attrs.style ?? '')) anchor.pixels++;
        if (width !== null && width >= 200) anchor.bigImage = true;
        if (attrs.alt?.trim()) anchor.alts.push(attrs.alt);
        return;
      }
      if (name === 'base') {
        const attrs = parseAttributes(source, attrStart, attrEnd);
        if (base === null && attrs.href) base = cleanHref(attrs.href);
        return;
      }
      if (name === 'area') {
        const attrs = parseAttributes(source, attrStart, attrEnd);
        const href = cleanHref(attrs.href ?? '');
        if (href && !href.startsWith('#')) {
          found.push(
            candidate({
              url: resolveHref(href, base),
              text: attrs.alt?.trim() || null,
              kind: 'area',
              part: 'html',
              position: position / length,
            }),
          );
        }
        return;
      }
      if (name === 'form') {
        const action = cleanHref(parseAttributes(source, attrStart, attrEnd).action ?? '');
        form = null;
        if (action && !action.startsWith('#')) {
          form = candidate({ url: resolveHref(action, base), text: null, kind: 'form', part: 'html', position: position / length });
          found.push(form);
        }
        return;
      }
      if (name === 'input' && form && form.text === null) {
        const attrs = parseAttributes(source, attrStart, attrEnd);
        if (/^(?:submit|button|image)$/i.test(attrs.type ?? '')) form.text = (attrs.value ?? attrs.alt ?? '').trim() || null;
        return;
      }
      elements.open(name, attrStart, attrEnd);
      if (anchor) mergePresentation(anchor.look, elements.innermost());
    },
    endTag(name, position) {
      if (name === 'a' || (anchor && ANCHOR_CLOSERS.has(name))) closeAnchor(position);
      if (BLOCK_TAGS.has(name)) endSentence(position);
      if (name === 'form') form = null;
      elements.close(name);
    },
    text(source, start, end) {
      if (anchor) {
        // Text hidden inside the anchor (salting, font-size 0) is not what the reader sees.
        if (anchor.textLength >= MAX_ANCHOR_TEXT) return;
        const piece = decodeHTML(source.slice(start, Math.min(end, start + MAX_ANCHOR_TEXT)));
        const visible = !elements.isHidden() && elements.inheritedFontSize() !== 0;
        // Hidden whitespace still separates the words around it.
        const kept = visible ? piece : /^\s+$/.test(piece) ? ' ' : '';
        anchor.textParts.push(kept);
        anchor.textLength += kept.length;
        return;
      }
      if (found.length >= MAX_LINKS) return;
      if (!mayHoldUrl(start, end)) return;
      for (const hit of findTextUrls(decodeHTML(source.slice(start, end)), { rejoin: false })) {
        found.push(
          candidate({ url: hit.url, text: null, kind: 'text', part: 'html', position: start / length, invisible: elements.isHidden() }),
        );
      }
    },
  };
  tokenizeHtml(html, visitor);
  closeAnchor(html.length);
  completeContext(html.length);
  return found.slice(0, MAX_LINKS);
}

export function extractTextCandidates(text: string): Candidate[] {
  const length = Math.max(1, text.length);
  return findTextUrls(text)
    .slice(0, MAX_LINKS)
    .map((hit) => candidate({ url: hit.url, text: null, kind: 'text', part: 'text', position: hit.index / length }));
}
