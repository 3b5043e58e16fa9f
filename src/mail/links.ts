// Every link of a message: HTML anchors, image-map areas and form actions with what the reader
// sees, URLs in plain text (rejoined when wrapping cut them), List-Unsubscribe. Each link gets
// the flags an analyst needs (unsubscribe, shown-vs-real domain mismatch) and a prominence
// score from which pickMainLink chooses the call-to-action a recipient would click.

import { getDomain, parse as parseHost } from 'tldts';
import { parseAttributes, tokenizeHtml, type HtmlVisitor } from './html-tokenizer.js';
import { OpenElements } from './open-elements.js';
import { mergePresentation, PLAIN, presentationOf, type Presentation } from './presentation.js';
import { decodeHtmlEntities } from './entities.js';
import { findTextUrls } from './text-urls.js';

export type LinkKind = 'href' | 'area' | 'form' | 'text' | 'list-unsubscribe';
export type LinkPart = 'html' | 'text' | 'header';

export interface MailLink {
  url: string;
  /** Visible anchor text (whitespace collapsed; image alt text for image-only anchors), or null. */
  text: string | null;
  kind: LinkKind;
  part: LinkPart;
  unsubscribe: boolean;
  /** Set when the visible text shows a registrable domain other than the href's. */
  mismatch: { shownDomain: string; hrefDomain: string } | null;
  /** 0 = never the main call-to-action (unsubscribe, mailto:, pixel, social icon, privacy...). */
  prominence: number;
  /** How often this url appeared with this text, kind and part. */
  occurrences: number;
  /** Attachment the link was found in (an attached message or HTML file); null for the body. */
  attachment: string | null;
}

export interface LinkSources {
  html?: string | null;
  text?: string | null;
  listUnsubscribe?: string[];
  /** Label for links found inside an attachment rather than the message body. */
  attachment?: string | null;
}

/** Upper bound on links kept per source, so a hostile message cannot exhaust memory. */
export const MAX_LINKS = 5000;
const MAX_ANCHOR_TEXT = 300;

interface Candidate {
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

// ---------------------------------------------------------------------------------------------
// Presentation of HTML elements

const ANCHOR_CLOSERS = new Set(['td', 'th', 'tr', 'table', 'body', 'html']);
/** Elements that end a sentence of visible text, for anchor context. */
const BLOCK_TAGS = new Set([
  'p', 'div', 'td', 'th', 'tr', 'table', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'center', 'hr', 'blockquote',
  'body', 'section', 'article', 'header', 'footer', 'tbody',
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
    .replace(/[\u00ad\u200b-\u200d\u2060\ufeff\u034f]/g, '')
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

function candidate(fields: Pick<Candidate, 'url' | 'text' | 'kind' | 'part' | 'position'> & Partial<Candidate>): Candidate {
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
  return decodeHtmlEntities(html.slice(start, end).replace(/<[^>]*(?:>|$)/g, ' '))
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

const URL_HINT = /https?:|www\./gi;

function extractHtmlCandidates(html: string): Candidate[] {
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
          found.push(candidate({ url: resolveHref(href, base), text: attrs.alt?.trim() || null, kind: 'area', part: 'html', position: position / length }));
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
        const piece = decodeHtmlEntities(source.slice(start, Math.min(end, start + MAX_ANCHOR_TEXT)));
        const visible = !elements.isHidden() && elements.inheritedFontSize() !== 0;
        // Hidden whitespace still separates the words around it.
        const kept = visible ? piece : /^\s+$/.test(piece) ? ' ' : '';
        anchor.textParts.push(kept);
        anchor.textLength += kept.length;
        return;
      }
      if (found.length >= MAX_LINKS) return;
      if (!mayHoldUrl(start, end)) return;
      for (const hit of findTextUrls(decodeHtmlEntities(source.slice(start, end)), { rejoin: false })) {
        found.push(candidate({ url: hit.url, text: null, kind: 'text', part: 'html', position: start / length, invisible: elements.isHidden() }));
      }
    },
  };
  tokenizeHtml(html, visitor);
  closeAnchor(html.length);
  completeContext(html.length);
  return found.slice(0, MAX_LINKS);
}

function extractTextCandidates(text: string): Candidate[] {
  const length = Math.max(1, text.length);
  return findTextUrls(text)
    .slice(0, MAX_LINKS)
    .map((hit) => candidate({ url: hit.url, text: null, kind: 'text', part: 'text', position: hit.index / length }));
}

// ---------------------------------------------------------------------------------------------
// Classification

const UNSUBSCRIBE_TEXT =
  /unsubscri|\bunsub\b|opt[\s-]?out|ab(?:zu)?melden|remove yourself|to be removed|removed from (?:our|this|the) (?:list|mailing)|abbestellen|d[ée]sabonn|d[ée]sinscri|darse de baja|dar(?:se)? de baja|cancelar (?:la )?suscripci|descadastr|cancelar (?:a )?inscri|disiscri|cancella(?:re)? (?:l'?)?iscrizione|afmelden|uitschrijven|wypisz|avregistr|afmeld|odhl[áa]sit|stop receiving|no longer (?:wish|want) to receive|(?:manage|update|change) (?:your )?(?:e-?mail |subscription |communication |notification )?(?:preferences|settings|subscriptions?)|e-?mail preferences|preference cent(?:er|re)/i;
const UNSUBSCRIBE_URL =
  /unsubscri|[/?&=_-]unsub(?:[/?&=_.-]|$)|opt[-_]?out|abmeld|abbestell|desabonn|desinscri|preference[-_]?cent(?:er|re)|manage[-_]?preferences/i;
const PRIVACY =
  /privacy|datenschutz|confidentialit|privacidad|privacidade|privacit|\bterms\b|nutzungsbedingungen|\bAGB\b|impressum|\bimprint\b|legal notice|mentions l[ée]gales|\bcookies?\b|aviso legal|t[ée]rminos|termos de uso|condiciones de uso|conditions g[ée]n[ée]rales/i;
const PRIVACY_URL = /\/(?:privacy|datenschutz|legal|terms|impressum|imprint|cookies?)(?:[-_/.?#]|$)/i;
const LOW_VALUE =
  /view (?:it |this )?(?:e-?mail |message |newsletter )?(?:in|on|online) ?(?:your |a )?(?:web )?browser|view (?:it )?online|web ?version|online version|im browser|dans (?:votre|le) navigateur|en (?:el|tu) navegador|no navegador|forward to a friend|add us to your address book|contact us|kontakt|help cent(?:er|re)|customer service|support/i;
const CALL_TO_ACTION =
  /find out more|learn more|read more|more info|click here|click below|click (?:the )?(?:link|button)|tap here|verify|validate|confirm|log ?in|sign ?in|\baccess\b|update|review|view (?:the )?(?:document|message|invoice|file|statement|details|order|pdf|now|shared)|\bopen\b|download|get started|start now|shop now|buy now|order now|claim|redeem|activate|unlock|restore|continue|pay now|make (?:a )?payment|check ?out|discover|see (?:more|offer|details)|get (?:it|offer|yours|access|started)|\bjoin\b|register|book now|apply|track (?:your )?(?:order|package|parcel|shipment)|reset|recover|accept|mehr erfahren|jetzt|hier klicken|weiter|en savoir plus|cliquez|d[ée]couvrir|ver m[áa]s|haga clic|clique aqui|saiba mais|acess(?:ar|e)|confirme|scopri|clicca qui|meer informatie|klik hier|bekijk/i;
const SOCIAL_DOMAINS = new Set([
  'facebook.com', 'fb.com', 'twitter.com', 'x.com', 'instagram.com', 'linkedin.com', 'youtube.com', 'youtu.be', 'pinterest.com',
  'tiktok.com', 'wa.me', 'whatsapp.com', 't.me', 'telegram.me', 'vk.com', 'xing.com', 'snapchat.com', 'threads.net', 'tumblr.com',
]);
const SOCIAL_TEXT = /^(?:facebook|twitter|x|instagram|linkedin|youtube|pinterest|tiktok|whatsapp|telegram|xing|vk|snapchat|threads|tumblr|follow us|like us|f|in|ig)\b/i;
const RESERVED_SUFFIXES = new Set(['test', 'example', 'invalid', 'localhost']);
const SHOWN_HOST =
  /(?:(https?:\/\/)|\b)((?:www\.)?(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z\u00a1-\uffff]{2,63})\b/gi;

function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

const hostCache = new Map<string, string | null>();

function hostOf(url: string): string | null {
  let host = hostCache.get(url);
  if (host !== undefined) return host;
  try {
    host = new URL(url).hostname.toLowerCase() || null;
  } catch {
    host = null;
  }
  if (hostCache.size > 10_000) hostCache.clear();
  hostCache.set(url, host);
  return host;
}

function registrable(host: string): string {
  return getDomain(host) ?? host;
}

/** The domain a reader believes the link goes to, when the anchor text shows one. */
function shownDomain(text: string): string | null {
  const withoutEmails = text.replace(/[^\s@]+@[^\s@]+/g, ' ');
  const whole = withoutEmails.trim().replace(/^https?:\/\//i, '').replace(/[/?#].*$/, '');
  for (const match of withoutEmails.matchAll(SHOWN_HOST)) {
    const host = match[2].toLowerCase();
    const explicit = !!match[1] || host.startsWith('www.') || host === whole.toLowerCase();
    const parsed = parseHost(host);
    if (!parsed.domain) continue;
    if (!explicit && !parsed.isIcann && !RESERVED_SUFFIXES.has(parsed.publicSuffix ?? '')) continue;
    return host;
  }
  return null;
}

function mismatchOf(candidate: Candidate): MailLink['mismatch'] {
  if (!candidate.text || (candidate.kind !== 'href' && candidate.kind !== 'area') || !isWebUrl(candidate.url)) return null;
  const shown = shownDomain(candidate.text);
  const hrefHost = hostOf(candidate.url);
  if (!shown || !hrefHost) return null;
  const shownBase = registrable(shown);
  const hrefBase = registrable(hrefHost);
  return shownBase === hrefBase ? null : { shownDomain: shownBase, hrefDomain: hrefBase };
}

function isUnsubscribe(candidate: Candidate, listUnsubscribe: Set<string>): boolean {
  return (
    candidate.kind === 'list-unsubscribe' ||
    listUnsubscribe.has(candidate.url) ||
    UNSUBSCRIBE_URL.test(candidate.url) ||
    (candidate.text !== null && UNSUBSCRIBE_TEXT.test(candidate.text)) ||
    // "click <a>here</a> to unsubscribe": a short anchor takes its meaning from its sentence.
    ((candidate.text ?? '').length <= 40 && candidate.context !== '' && UNSUBSCRIBE_TEXT.test(candidate.context))
  );
}

function isSocialIcon(candidate: Candidate, host: string): boolean {
  if (candidate.part !== 'html' || candidate.kind === 'text' || !SOCIAL_DOMAINS.has(registrable(host))) return false;
  return candidate.imageOnly || candidate.text === null || candidate.text.length < 3 || SOCIAL_TEXT.test(candidate.text);
}

function prominenceOf(candidate: Candidate, unsubscribe: boolean, urlCount: number): number {
  if (unsubscribe || candidate.part === 'header' || !isWebUrl(candidate.url) || candidate.invisible) return 0;
  const host = hostOf(candidate.url);
  if (!host || isSocialIcon(candidate, host)) return 0;
  const text = candidate.text ?? '';
  if (PRIVACY.test(text) || PRIVACY_URL.test(candidate.url)) return 0;

  let score = { href: 10, area: 8, form: 20, text: candidate.part === 'text' ? 8 : 4, 'list-unsubscribe': 0 }[candidate.kind];
  if (CALL_TO_ACTION.test(text)) score += 30;
  if (candidate.look.button) score += 25;
  const size = candidate.look.fontSize;
  if (size !== null) score += size >= 18 ? 10 : size >= 15 ? 5 : size < 11 ? -4 : 0;
  if (candidate.look.bold) score += 3;
  if (candidate.look.heading) score += 8;
  if (candidate.bigImage) score += 8;
  score += Math.min(12, 4 * (urlCount - 1));
  score += Math.round(10 * (1 - candidate.position));
  if (text.length > 60) score -= 5;
  if (LOW_VALUE.test(text)) score -= 20;
  return Math.max(1, score);
}

// ---------------------------------------------------------------------------------------------
// Public API

export function extractLinks(sources: LinkSources): MailLink[] {
  const listUnsubscribe = sources.listUnsubscribe ?? [];
  const candidates: Candidate[] = [
    ...(sources.html ? extractHtmlCandidates(sources.html) : []),
    ...(sources.text ? extractTextCandidates(sources.text) : []),
    ...listUnsubscribe.map((url) => candidate({ url, text: null, kind: 'list-unsubscribe', part: 'header', position: 1 })),
  ];
  const urlCounts = new Map<string, number>();
  for (const candidate of candidates) urlCounts.set(candidate.url, (urlCounts.get(candidate.url) ?? 0) + 1);
  const unsubscribeUrls = new Set(listUnsubscribe);

  const byKey = new Map<string, MailLink>();
  for (const candidate of candidates) {
    const unsubscribe = isUnsubscribe(candidate, unsubscribeUrls);
    const prominence = prominenceOf(candidate, unsubscribe, urlCounts.get(candidate.url) ?? 1);
    const key = `${candidate.kind}\u0000${candidate.part}\u0000${candidate.url}\u0000${candidate.text ?? ''}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.occurrences++;
      seen.prominence = Math.max(seen.prominence, prominence);
      continue;
    }
    byKey.set(key, {
      url: candidate.url,
      text: candidate.text,
      kind: candidate.kind,
      part: candidate.part,
      unsubscribe,
      mismatch: mismatchOf(candidate),
      prominence,
      occurrences: 1,
      attachment: sources.attachment ?? null,
    });
  }
  return [...byKey.values()];
}

/** The main call-to-action: the most prominent link a recipient would click (first wins ties). */
export function pickMainLink(links: MailLink[]): MailLink | null {
  let best: MailLink | null = null;
  for (const link of links) {
    if (link.unsubscribe || link.prominence <= 0 || link.part === 'header') continue;
    if (!best || link.prominence > best.prominence) best = link;
  }
  return best;
}
