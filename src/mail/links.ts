// Every link of a message, judged: HTML anchors, image-map areas and form actions with what the
// reader sees, URLs in plain text (rejoined when wrapping cut them), List-Unsubscribe. Each link
// gets the flags an analyst needs (unsubscribe, shown-vs-real domain mismatch) and a prominence
// score from which pickMainLink chooses the call-to-action a recipient would click.

import { readFileSync } from 'node:fs';
import { getDomain, parse as parseHost } from 'tldts';
import { hostOf } from '../http/host.js';
import { withoutFragment } from '../http/url-key.js';
import { projectPath } from '../project-root.js';
import {
  candidate,
  extractHtmlCandidates,
  extractTextCandidates,
  MAX_LINKS,
  type Candidate,
  type LinkFlags,
  type LinkKind,
  type LinkPart,
} from './link-candidates.js';
import type { ResourceCollector } from './remote-resources.js';
import { unsliced } from '../unsliced.js';

export { MAX_LINKS, type LinkFlags, type LinkKind, type LinkPart };

export interface MailLink extends LinkFlags {
  url: string;
  /** Visible anchor text (whitespace collapsed; image alt text for image-only anchors), or null. */
  text: string | null;
  kind: LinkKind;
  part: LinkPart;
  unsubscribe: boolean;
  /** Set when the visible text shows a registrable domain other than the href's. */
  mismatch: { shownDomain: string; hrefDomain: string } | null;
  /** 0 = never the main call-to-action (unsubscribe, pixel, social icon, privacy, a mailto: or tel: that is no button...). */
  prominence: number;
  /** How often this url appeared with this text, kind and part. */
  occurrences: number;
  /** Attachment the link was found in (an attached message, HTML file, image or PDF); null for the body. */
  attachment: string | null;
  /**
   * Which image or file a link read from a picture or document came from (kind `qr-code`: "inline
   * image cid:qr@x (qr.png)", "scan.jpg", "data: image 1 of the HTML"; kind `pdf`: the file name).
   * Absent for links written in the HTML, text or headers.
   */
  origin?: string;
}

export interface LinkSources {
  html?: string | null;
  text?: string | null;
  listUnsubscribe?: string[];
  /** Label for links found inside an attachment rather than the message body. */
  attachment?: string | null;
  /** Collects the HTML's remote resources in the same pass. */
  resources?: ResourceCollector;
}

// ---------------------------------------------------------------------------------------------
// Classification

interface LinkPhraseFile {
  unsubscribe: { text: string[]; url: string[] };
  privacy: { text: string[]; url: string[] };
  lowValue: { text: string[] };
  viewOnline: { text: string[] };
  callToAction: { text: string[] };
  social: { domains: string[]; text: string[] };
  qrCode: { text: string[] };
}

interface LinkPhrases {
  unsubscribeText: RegExp;
  unsubscribeUrl: RegExp;
  privacy: RegExp;
  privacyUrl: RegExp;
  lowValue: RegExp;
  viewOnline: RegExp;
  callToAction: RegExp;
  socialDomains: Set<string>;
  socialText: RegExp;
  qrCode: RegExp;
}

let phrases: LinkPhrases | null = null;

/** The multilingual phrase lists of rules/link-phrases.json, compiled once. */
function linkPhrases(): LinkPhrases {
  if (phrases) return phrases;
  const file = JSON.parse(readFileSync(projectPath('rules', 'link-phrases.json'), 'utf8')) as LinkPhraseFile;
  const anyOf = (alternatives: string[]) => new RegExp(alternatives.join('|'), 'i');
  phrases = {
    unsubscribeText: anyOf(file.unsubscribe.text),
    unsubscribeUrl: new RegExp(`(?:^|-)(?:${file.unsubscribe.url.join('|')})(?:-|$)`, 'iu'),
    privacy: anyOf(file.privacy.text),
    privacyUrl: anyOf(file.privacy.url),
    lowValue: anyOf([...file.lowValue.text, ...file.viewOnline.text]),
    viewOnline: anyOf(file.viewOnline.text),
    callToAction: anyOf(file.callToAction.text),
    socialDomains: new Set(file.social.domains),
    socialText: new RegExp(`^(?:${file.social.text.join('|')})\\b`, 'i'),
    qrCode: anyOf(file.qrCode.text),
  };
  return phrases;
}
const RESERVED_SUFFIXES = new Set(['test', 'example', 'invalid', 'localhost']);
const SHOWN_HOST =
  /(?:(https?:\/\/)|\b)((?:www\.)?(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z\u00a1-\uffff]{2,63})\b/gi;

function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

const hostCache = new Map<string, string | null>();

/** hostOf with a cache: a mailbox repeats the same links many times. */
function cachedHostOf(url: string): string | null {
  let host = hostCache.get(url);
  if (host !== undefined) return host;
  host = hostOf(url);
  if (hostCache.size > 10_000) hostCache.clear();
  hostCache.set(unsliced(url), host);
  return host;
}

function registrable(host: string): string {
  return getDomain(host) ?? host;
}

/** The domain a reader believes the link goes to, when the anchor text shows one. */
export function shownDomain(text: string): string | null {
  const withoutEmails = text.replace(/[^\s@]+@[^\s@]+/g, ' ');
  const whole = withoutEmails
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/[/?#].*$/, '');
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
  const hrefHost = cachedHostOf(candidate.url);
  if (!shown || !hrefHost) return null;
  const shownBase = registrable(shown);
  const hrefBase = registrable(hrefHost);
  return shownBase === hrefBase ? null : { shownDomain: shownBase, hrefDomain: hrefBase };
}

/** Separators inside a URL part: runs of anything but letters and digits. */
const NON_WORD = /[^\p{L}\p{N}]+/u;
/** Where a piece splits into words: camelCase humps, letters against digits. */
const WORD_EDGE = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const LETTER_DIGIT_EDGES = /(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/gu;

/**
 * A piece of a URL that is an opaque token (an id, a signature, base64), not words: too long for a
 * word, or long with digits in and out of its letters ("x7Unsubscribe9Qz2", not "unsubscribe2024").
 * Its letters spell nothing: a tracker's id says nothing of where the link goes.
 */
function isOpaquePiece(piece: string): boolean {
  return piece.length >= 32 || (piece.length >= 12 && (piece.match(LETTER_DIGIT_EDGES)?.length ?? 0) >= 2);
}

/**
 * The words of each part of a URL a program names things with: host labels, path segments, query
 * keys and values (a value that is itself a URL is read the same way), the fragment; each part as
 * lowercase words joined by "-" ("/Newsletter_UnsubscribeConfirm.aspx" is
 * "newsletter-unsubscribe-confirm-aspx"), opaque tokens left out.
 */
export function urlWords(url: string): string[] {
  let parts: string[];
  try {
    const parsed = new URL(url);
    parts = [
      ...parsed.hostname.split('.'),
      ...parsed.pathname.split('/').map(decoded),
      ...[...parsed.searchParams].flatMap(([key, value]) => [key, value]),
      decoded(parsed.hash.slice(1)),
    ];
  } catch {
    parts = url.split(/[/?&=#]/).map(decoded);
  }
  return parts
    .map((part) =>
      part
        .split(NON_WORD)
        .filter((piece) => piece && !isOpaquePiece(piece))
        .flatMap((piece) => piece.split(WORD_EDGE))
        .join('-')
        .toLowerCase(),
    )
    .filter(Boolean);
}

/**
 * A link is an opt-out by what the reader is told (its text, or the sentence of a short anchor),
 * by the List-Unsubscribe header, or by a URL that names the action in words of its own (a path
 * segment "/unsubscribe", "/opt-out", "?action=unsubscribe", a host "unsubscribe.esp.example");
 * never by letters inside a token or a longer word ("/unsubscribed-users-offer").
 */
function isUnsubscribe(candidate: Candidate, listUnsubscribe: Set<string>): boolean {
  const { unsubscribeUrl, unsubscribeText } = linkPhrases();
  return (
    candidate.kind === 'list-unsubscribe' ||
    listUnsubscribe.has(candidate.url) ||
    urlWords(candidate.url).some((words) => unsubscribeUrl.test(words)) ||
    (candidate.text !== null && unsubscribeText.test(candidate.text)) ||
    // "click <a>here</a> to unsubscribe": a short anchor takes its meaning from its sentence.
    ((candidate.text ?? '').length <= 40 && candidate.context !== '' && unsubscribeText.test(candidate.context))
  );
}

function isSocialIcon(candidate: Candidate, host: string): boolean {
  const { socialDomains, socialText } = linkPhrases();
  if (candidate.part !== 'html' || candidate.kind === 'text' || !socialDomains.has(registrable(host))) return false;
  return candidate.imageOnly || candidate.text === null || candidate.text.length < 3 || socialText.test(candidate.text);
}

/** Schemes of a call-to-action that leaves the web: a "Call now" button, a "Reply by e-mail" one. */
const OFF_WEB_ACTION = /^(?:tel|sms|mailto|callto):/i;

function prominenceOf(candidate: Candidate, unsubscribe: boolean, urlCount: number): number {
  if (unsubscribe || candidate.part === 'header' || candidate.invisible) return 0;
  const web = isWebUrl(candidate.url);
  if (!web && !OFF_WEB_ACTION.test(candidate.url)) return 0;
  const host = web ? cachedHostOf(candidate.url) : null;
  if (web && (!host || isSocialIcon(candidate, host))) return 0;
  const text = candidate.text ?? '';
  const rules = linkPhrases();
  // A short anchor takes its meaning from its sentence: "Trouble viewing? Click here" is no call.
  const lowValue =
    rules.lowValue.test(text) ||
    (candidate.kind === 'text' && !text && rules.lowValue.test(candidate.context)) ||
    (text.length <= 40 && rules.viewOnline.test(candidate.context));
  const callToAction = !lowValue && rules.callToAction.test(text);
  // "Privacy policy" is footer matter; "Review and accept the new terms" is a lure's button.
  if (!callToAction && (rules.privacy.test(text) || rules.privacyUrl.test(candidate.url))) return 0;
  // A phone number or address in the fine print is no call-to-action; a "Call now" button is, and
  // when it is the message's main one there is nothing to trace (said so, not another link traced).
  // A "Forward to a friend" or "Contact us" mailto: button is neither.
  if (!web && (lowValue || (!callToAction && !candidate.look.button))) return 0;

  let score = { href: 10, area: 8, form: 20, text: candidate.part === 'text' ? 8 : 4, 'list-unsubscribe': 0, 'qr-code': 0, pdf: 0 }[
    candidate.kind
  ];
  if (callToAction) score += 30;
  if (candidate.look.button) score += 25;
  const size = candidate.look.fontSize;
  if (size !== null) score += size >= 18 ? 10 : size >= 15 ? 5 : size < 11 ? -4 : 0;
  if (candidate.look.bold) score += 3;
  if (candidate.look.heading) score += 8;
  if (candidate.bigImage) score += 8;
  score += Math.min(12, 4 * (urlCount - 1));
  score += Math.round(10 * (1 - candidate.position));
  if (text.length > 60) score -= 5;
  // A plain-text URL has no words of its own: its line says what it is ("View online: https://…",
  // "Claim your discount here: https://…").
  if (lowValue) score -= 20;
  else if (candidate.kind === 'text' && !text && rules.callToAction.test(candidate.context)) score += 15;
  return Math.max(1, score);
}

// ---------------------------------------------------------------------------------------------
// Public API

export function extractLinks(sources: LinkSources): MailLink[] {
  const listUnsubscribe = sources.listUnsubscribe ?? [];
  const candidates: Candidate[] = [
    ...(sources.html ? extractHtmlCandidates(sources.html, sources.resources) : []),
    ...(sources.text ? extractTextCandidates(sources.text) : []),
    ...listUnsubscribe.map((url) => candidate({ url, text: null, kind: 'list-unsubscribe', part: 'header', position: 1 })),
  ];
  const urlCounts = new Map<string, number>();
  for (const candidate of candidates) urlCounts.set(candidate.url, (urlCounts.get(candidate.url) ?? 0) + 1);
  const unsubscribeUrls = new Set(listUnsubscribe);

  // A URL one place calls an opt-out is one wherever it has no words of its own: the plain-text
  // copy of an HTML "Unsubscribe", an image link, are never traced either. A link with words of its
  // own ("Verify your account") is judged by them: phishing mail points every link, its
  // "Unsubscribe" too, at the one page it wants visited.
  const optOuts = candidates.map((candidate) => isUnsubscribe(candidate, unsubscribeUrls));
  const optOutUrls = new Set(candidates.filter((_, i) => optOuts[i]).map((candidate) => withoutFragment(candidate.url)));
  const byKey = new Map<string, MailLink>();
  for (const [i, candidate] of candidates.entries()) {
    const wordless = !candidate.text?.trim();
    const unsubscribe = optOuts[i] || (wordless && optOutUrls.has(withoutFragment(candidate.url)));
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
      ...candidate.flags,
    });
  }
  return [...byKey.values()];
}

/** A link read from a picture or a document rather than written in the message. */
export interface EmbeddedLink {
  url: string;
  kind: 'qr-code' | 'pdf';
  origin: string;
  attachment: string | null;
}

/**
 * A QR code the message tells the reader to scan ("Scan the QR code with your phone") is its
 * call-to-action: it outranks every link but a button worded as one (prominence above this).
 */
export const PROMPTED_QR_PROMINENCE = 50;
/** A QR code no words point at, and a PDF's link, are the main link only when nothing else is. */
const QR_PROMINENCE = 2;
const PDF_PROMINENCE = 1;

/** Whether a message's words tell the reader to scan a QR code ("scan", "QR-Code", "escanea", "QRコード"...). */
export function tellsToScan(text: string): boolean {
  return linkPhrases().qrCode.test(text);
}

/**
 * Links read from QR codes and PDF link annotations, judged as links are: an opt-out or privacy
 * URL, a social profile, anything not http(s) is never the main one. They have no words of their
 * own: `qrPrompted` says the message's words point at its QR code.
 */
export function embeddedLinks(
  found: readonly EmbeddedLink[],
  options: { listUnsubscribe?: string[]; qrPrompted?: boolean } = {},
): MailLink[] {
  const listUnsubscribe = new Set(options.listUnsubscribe ?? []);
  const rules = linkPhrases();
  const byKey = new Map<string, MailLink>();
  for (const link of found) {
    const part = link.kind === 'qr-code' ? 'image' : 'pdf';
    const key = `${link.kind}\u0000${link.origin}\u0000${link.url}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.occurrences++;
      continue;
    }
    const unsubscribe = isUnsubscribe(candidate({ url: link.url, text: null, kind: link.kind, part, position: 1 }), listUnsubscribe);
    const host = isWebUrl(link.url) ? cachedHostOf(link.url) : null;
    const footer = !host || rules.privacyUrl.test(link.url) || rules.socialDomains.has(registrable(host));
    const prominence =
      unsubscribe || footer ? 0 : link.kind === 'pdf' ? PDF_PROMINENCE : options.qrPrompted ? PROMPTED_QR_PROMINENCE : QR_PROMINENCE;
    byKey.set(key, {
      url: link.url,
      text: null,
      kind: link.kind,
      part,
      unsubscribe,
      mismatch: null,
      prominence,
      occurrences: 1,
      attachment: link.attachment,
      origin: link.origin,
    });
  }
  return [...byKey.values()];
}

/**
 * The main call-to-action: the most prominent link a recipient would click (first wins ties). It
 * may be a tel: or mailto: button: then the message has nothing to trace (traceableMainLink).
 */
export function pickMainLink(links: MailLink[]): MailLink | null {
  let best: MailLink | null = null;
  for (const link of links) {
    if (link.unsubscribe || link.prominence <= 0 || link.part === 'header') continue;
    if (!best || link.prominence > best.prominence) best = link;
  }
  return best;
}
