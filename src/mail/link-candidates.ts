// Finding link candidates: every <a href>, <area href> and <form action> of an HTML body with
// what the reader sees of it (visible text, image alt text, button-like presentation, whether it
// is rendered at all, the sentence around it), read as a browser reads it (hrefs.ts), and the
// URLs of plain text, with the pieces a line break cut apart rejoined. Judging them
// (unsubscribe, mismatch, prominence) is links.ts's job. The same pass over the HTML feeds the
// remote-resource collector (remote-resources.ts).

import { parseAttributes, tokenizeHtml, type HtmlVisitor } from './html-tokenizer.js';
import { mayHoldReferences, readHref, type HrefReading } from './hrefs.js';
import { declaredSize, type ResourceCollector } from './remote-resources.js';
import { OpenElements } from './open-elements.js';
import { mergePresentation, PLAIN, presentationOf, type Presentation } from './presentation.js';
import { decodeHTML } from 'entities';
import { findTextUrls, type TextUrl } from './text-urls.js';

/** How the link is written: an anchor, image-map area, form, text URL, header, a QR code's payload, a PDF's link annotation. */
export type LinkKind = 'href' | 'area' | 'form' | 'text' | 'list-unsubscribe' | 'qr-code' | 'pdf';
/** Where it was found: the HTML or text body, the headers, an image (QR code), a PDF file. */
export type LinkPart = 'html' | 'text' | 'header' | 'image' | 'pdf';

/** Upper bound on links kept per source, so a hostile message cannot exhaust memory. */
export const MAX_LINKS = 5000;
const MAX_ANCHOR_TEXT = 300;

/** What a link's URL went through before it was listed; every field is absent when nothing happened. */
export interface LinkFlags {
  /** The attribute or text exactly as found, when `url` differs from it in more than whitespace. */
  raw?: string;
  /** A text URL rebuilt from pieces a line break, a soft break or a space had cut apart. */
  repaired?: true;
  /** [as cut, joined] when the piece after a text URL may or may not belong to it; `url` is the first. */
  readings?: [string, string];
  /** An href written to fool parsers that a browser still follows, to `url`. */
  malformed?: true;
  /** Why no browser would follow the href (`url` is then the attribute as decoded). */
  unfollowable?: string;
  /** What a browser does to the href, or what it hides, in words. */
  notes?: string[];
}

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
  flags: LinkFlags;
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
// ---------------------------------------------------------------------------------------------
// HTML extraction

function cleanHref(raw: string): string {
  // Browsers drop tabs and newlines anywhere in a URL and trim surrounding whitespace.
  return raw.replace(/[\t\n\r]/g, '').trim();
}

/** The flags of an href as a browser reads it. */
function hrefFlags(reading: HrefReading, raw: () => string): LinkFlags {
  const flags: LinkFlags = {};
  if (reading.malformed) flags.malformed = true;
  if (reading.unfollowable !== null) flags.unfollowable = reading.unfollowable;
  if (reading.notes.length) flags.notes = reading.notes;
  if (reading.malformed || reading.unfollowable !== null || reading.notes.length) flags.raw = raw();
  return flags;
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
  flags: LinkFlags;
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
  return { look: PLAIN, imageOnly: false, invisible: false, bigImage: false, context: '', flags: {}, ...fields };
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

/** An element's attribute text that may draw a picture: a CSS background or the background attribute. */
const PICTURE_HINT = /url\s*\(|\sbackground\s*=/i;
const BACKGROUND_PICTURE = /background(?:-image)?\s*:[^;]*url\s*\(\s*['"]?\s*[^\s'")]/i;

/**
 * Whether an element inside an anchor (or the anchor itself) shows a picture: an <input
 * type=image>, or a box painted with a background image (a style's background url(), the
 * background attribute): image-only mail draws its button so, with no <img> and no text.
 */
function showsPicture(name: string, attributeText: string, attributes: () => Record<string, string>): boolean {
  if (name !== 'input' && !PICTURE_HINT.test(attributeText)) return false;
  const attrs = attributes();
  if (name === 'input') return /^\s*image\s*$/i.test(attrs.type ?? '') && Boolean(attrs.src?.trim());
  return BACKGROUND_PICTURE.test(attrs.style ?? '') || Boolean(attrs.background?.trim());
}

/** Counts a picture in an anchor: a 1x1 or hidden one is a pixel, one 200 px wide or more a big image. */
function addPicture(anchor: OpenAnchor, attrs: Record<string, string>, hidden: boolean): void {
  const width = declaredSize(attrs, 'width');
  const height = declaredSize(attrs, 'height');
  anchor.images++;
  const tiny = width !== null && width <= 3 && (height === null || height <= 3);
  if (tiny || hidden || /display\s*:\s*none/i.test(attrs.style ?? '')) anchor.pixels++;
  if (width !== null && width >= 200) anchor.bigImage = true;
  if (attrs.alt?.trim()) anchor.alts.push(attrs.alt);
}

/** Visible text of an HTML slice: tags dropped, entities decoded, whitespace collapsed. */
function visibleText(html: string, start: number, end: number): string {
  if (end <= start) return '';
  return decodeHTML(html.slice(start, end).replace(/<[^>]*(?:>|$)/g, ' '))
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

const URL_HINT = /https?:|www\./gi;

/** Link candidates of an HTML body; `resources`, when given, collects its remote content in the same pass. */
export function extractHtmlCandidates(html: string, resources?: ResourceCollector): Candidate[] {
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
      flags: anchor.flags,
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

  /** How a browser reads a link attribute; null for a same-document fragment. */
  const readLink = (attribute: string, source: string, attrStart: number, attrEnd: number, decoded: string) => {
    let written: string | undefined;
    const raw = () => (written ??= parseAttributes(source, attrStart, attrEnd, false)[attribute] ?? decoded);
    const reading = readHref(decoded, raw, base, mayHoldReferences(source.slice(attrStart, attrEnd)));
    return reading ? { url: reading.url, flags: hrefFlags(reading, raw) } : null;
  };
  const hiddenAround = { hiddenAround: () => elements.isHidden() };

  const visitor: HtmlVisitor = {
    startTag(name, source, attrStart, attrEnd, position) {
      if (BLOCK_TAGS.has(name)) endSentence(position);
      let parsed: Record<string, string> | null = null;
      const attributes = () => (parsed ??= parseAttributes(source, attrStart, attrEnd));
      resources?.startTag(name, attrStart, attrEnd, attributes, base, hiddenAround);
      if (found.length >= MAX_LINKS) return;
      if (name === 'a') {
        closeAnchor(position);
        completeContext(position);
        elements.close('a'); // an <a> start tag ends any anchor still open
        elements.open('a', attrStart, attrEnd);
        const attrs = attributes();
        if (attrs.href === undefined) return;
        const link = readLink('href', source, attrStart, attrEnd, attrs.href);
        if (!link) return;
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
          href: link.url,
          flags: link.flags,
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
        if (showsPicture(name, source.slice(attrStart, attrEnd), attributes)) addPicture(anchor, attrs, anchor.hidden);
        return;
      }
      if (name === 'img') {
        if (anchor) addPicture(anchor, attributes(), elements.isHidden());
        return;
      }
      if (name === 'base') {
        const attrs = attributes();
        if (base === null && attrs.href) base = cleanHref(attrs.href);
        return;
      }
      if (name === 'area') {
        const attrs = attributes();
        const link = attrs.href === undefined ? null : readLink('href', source, attrStart, attrEnd, attrs.href);
        if (link) {
          found.push(
            candidate({
              url: link.url,
              text: attrs.alt?.trim() || null,
              kind: 'area',
              part: 'html',
              position: position / length,
              flags: link.flags,
            }),
          );
        }
        return;
      }
      if (name === 'form') {
        const attrs = attributes();
        const link = attrs.action === undefined ? null : readLink('action', source, attrStart, attrEnd, attrs.action);
        form = null;
        if (link && attrs.action.trim() !== '') {
          form = candidate({ url: link.url, text: null, kind: 'form', part: 'html', position: position / length, flags: link.flags });
          found.push(form);
        }
        return;
      }
      if (name === 'input' && form && form.text === null) {
        const attrs = attributes();
        if (/^(?:submit|button|image)$/i.test(attrs.type ?? '')) form.text = (attrs.value ?? attrs.alt ?? '').trim() || null;
        return;
      }
      elements.open(name, attrStart, attrEnd);
      if (anchor) {
        mergePresentation(anchor.look, elements.innermost());
        if (showsPicture(name, source.slice(attrStart, attrEnd), attributes)) addPicture(anchor, attributes(), elements.isHidden());
      }
    },
    endTag(name, position) {
      if (name === 'a' || (anchor && ANCHOR_CLOSERS.has(name))) closeAnchor(position);
      if (BLOCK_TAGS.has(name)) endSentence(position);
      if (name === 'form') form = null;
      elements.close(name);
    },
    comment(source, start, end) {
      if (found.length >= MAX_LINKS || end - start > MAX_VML_COMMENT) return;
      if (!OUTLOOK_ONLY.test(source.slice(start, Math.min(end, start + 24)))) return;
      found.push(...vmlLinks(source, start, end, base, length));
    },
    rawText(name, source, start, end) {
      if (name === 'style' && resources) resources.styleSheet(source.slice(start, end), base);
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

/** A conditional comment only Outlook (Word's renderer) reads: `<!--[if mso]> … <![endif]-->`. */
const OUTLOOK_ONLY = /^\s*\[if\b[^\]]*\bmso\b/i;
/** A VML shape with a link: Outlook's bulletproof button (`<v:roundrect href=…>Shop now</v:roundrect>`). */
/** Outlook blocks are a button or a table wrapper; a longer comment is not read for VML (a hostile one costs time). */
const MAX_VML_COMMENT = 64 * 1024;
const VML_LINK = /<v:(roundrect|rect|oval|shape)\b([^>]*?\bhref\s*=[^>]*)>([\s\S]*?)<\/v:\1\s*>/gi;

/**
 * The links of VML buttons in an Outlook-only conditional comment: Outlook users see and click
 * them (often beside the same link in HTML for every other client, sometimes alone). A VML button
 * is a button, its text what it says.
 */
function vmlLinks(html: string, start: number, end: number, base: string | null, length: number): Candidate[] {
  const found: Candidate[] = [];
  const inside = html.slice(start, end);
  for (const match of inside.matchAll(VML_LINK)) {
    const attrs = parseAttributes(match[2], 0, match[2].length);
    if (!attrs.href) continue;
    const reading = readHref(attrs.href, () => attrs.href, base, false);
    if (!reading || reading.unfollowable !== null) continue;
    const text = decodeHTML(match[3].replace(/<[^>]*>/g, ' '))
      .replace(/[\s\u00a0]+/g, ' ')
      .trim();
    found.push(
      candidate({
        url: reading.url,
        text: text || null,
        kind: 'href',
        part: 'html',
        position: (start + (match.index ?? 0)) / length,
        look: { ...PLAIN, button: true },
      }),
    );
  }
  return found;
}

export function extractTextCandidates(text: string): Candidate[] {
  const length = Math.max(1, text.length);
  const hits = findTextUrls(text).slice(0, MAX_LINKS);
  return hits.map((hit, i) => {
    const flags: LinkFlags = {};
    if (hit.rejoined) Object.assign(flags, { repaired: true, raw: text.slice(hit.index, hit.end) });
    if (hit.readings) flags.readings = hit.readings;
    const context = textContext(text, hits, i);
    return candidate({ url: hit.url, text: null, kind: 'text', part: 'text', position: hit.index / length, context, flags });
  });
}

/** Characters of a plain-text link's words kept on each side of it. */
const TEXT_CONTEXT_CHARS = 200;

/**
 * What a reader of plain text is told of a link, as an anchor's sentence tells it in HTML: the
 * words on its line before it and the rest of its sentence after it (up to the links beside it), or, for a URL alone on its
 * line, the line above it ("To stop receiving these e-mails, go to:"), across one blank line.
 */
function textContext(text: string, hits: readonly TextUrl[], i: number): string {
  const hit = hits[i];
  const lineStart = text.lastIndexOf('\n', hit.index - 1) + 1;
  const newline = text.indexOf('\n', hit.end);
  const lineEnd = newline < 0 ? text.length : newline;
  const from = i > 0 && hits[i - 1].end > lineStart ? hits[i - 1].end : lineStart;
  const to = i + 1 < hits.length && hits[i + 1].index < lineEnd ? hits[i + 1].index : lineEnd;
  let before = text.slice(Math.max(from, hit.index - TEXT_CONTEXT_CHARS), hit.index).trim();
  // After it, only the rest of its sentence ("… to unsubscribe."), not a remark in brackets.
  const after = text
    .slice(hit.end, Math.min(to, hit.end + TEXT_CONTEXT_CHARS))
    .split(/[.!?;()[\]](?:\s|$)|[()[\]]/, 1)[0]
    .trim();
  if (!before && from === lineStart) {
    // The line above (one blank line may lie between), unless it holds the link before this one.
    let end = lineStart - 1;
    for (let lines = 0; end > 0 && lines < 2; lines++) {
      const start = text.lastIndexOf('\n', end - 1) + 1;
      const line = text.slice(start, end).trim();
      if (line) {
        if (i === 0 || hits[i - 1].end <= start) before = line.slice(-TEXT_CONTEXT_CHARS);
        break;
      }
      end = start - 1;
    }
  }
  return [before, after].filter(Boolean).join(' … ');
}
