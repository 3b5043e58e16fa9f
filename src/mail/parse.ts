// One message in, everything an analyst asks about it out: who claims to send it, to whom (and
// where the message says so), through which hops and platform, every link with its flags, every
// remote resource with the open-tracking pixels among them, recipient addresses hidden in link
// and pixel URLs, attachments (attached messages analysed in turn). Nothing is sanitised here,
// and nothing throws: problems are reported in `errors`.

import { sha256Hex } from '../http/checksums.js';
import type { Address, Attachment, Email, Header } from 'postal-mime';
import { detectPlatforms, type EspFingerprint } from './esp.js';
import {
  messageIdDomain,
  parseAuthenticationResults,
  parseDkimSignature,
  parseListUnsubscribe,
  receivedChain,
  type AuthResult,
  type DkimSignature,
  type ReceivedHop,
} from './headers.js';
import { embeddedLinks, extractLinks, MAX_LINKS, tellsToScan, type EmbeddedLink, type MailLink } from './links.js';
import { ResourceCollector, type RemoteResource } from './remote-resources.js';
import { findTokens } from '../analyze/tokens.js';
import { decodeMime } from './decode-mime.js';
import { calendarText, isCalendar } from './calendar.js';
import { dataUriImages, isImageFile, qrLinks, type MailImage } from './qr-codes.js';
import { isPdfFile, pdfLinkUris } from './pdf-links.js';
import { readHref } from './hrefs.js';
import { visibleText } from '../verdict/page-dom.js';
import { declaredBoundary, repairBoundary, repairMissingBoundaries, unknownCharsets, bodyOffset } from './mime-repair.js';

export interface MailAddress {
  name: string;
  address: string;
}

/** A recipient address and where the message names it. */
export interface RecipientSeen {
  /** Lowercased. */
  address: string;
  /** "To", "Cc", "Bcc", "Delivered-To", "X-Original-To", "Received for (hop N)". */
  where: string[];
}

/** A recipient address found inside the URL of a link or remote resource (a per-recipient tracking token). */
export interface RecipientToken {
  address: string;
  /** 1-based index into `links` or `resources`. */
  link: number | null;
  resource: number | null;
  /** The URL field and the encoding: "e (sha256)", "path (base64)", "upn (url-encoded)"... */
  field: string;
  /** The token as it appears (the hex digest, the base64 run, the decoded parameter...). */
  value: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
}

export interface MailAnalysis {
  source: string;
  /** Size of the raw message in bytes. */
  size: number;
  messageId: string | null;
  subject: string | null;
  /** ISO 8601 when the Date header parses, else the header as written. */
  date: string | null;
  from: MailAddress | null;
  replyTo: MailAddress[];
  returnPath: string | null;
  /** Recipient addresses (To, Cc, Bcc, Delivered-To, X-Original-To, Received "for"), lowercased. */
  to: string[];
  /** The same addresses, each with the headers that name it. */
  recipients: RecipientSeen[];
  messageIdDomain: string | null;
  dkim: DkimSignature[];
  authResults: AuthResult[];
  listUnsubscribe: string[];
  /** Newest first, as in the headers; `hop` counts from the oldest (1). */
  received: ReceivedHop[];
  esp: EspFingerprint[];
  /** Links of the body, then of attachments (attached messages, HTML files). */
  links: MailLink[];
  /** Remote content of the HTML body and HTML attachments: what a mail client fetches on display. */
  resources: RemoteResource[];
  /** Recipient addresses (the message's own, and any asked for) found in link and resource URLs. */
  recipientTokens: RecipientToken[];
  attachments: AttachmentInfo[];
  attachedMessages: MailAnalysis[];
  /** Why the message could not be read (not a message, MIME undecodable, analysis failed): nothing or little of it was analysed. */
  errors: string[];
  /**
   * What was read imperfectly in a message otherwise read (an unknown or wrong charset, a repaired
   * boundary, a part or the links cut at a limit, an attachment not scanned). Absent in records
   * written before warnings were told apart from errors.
   */
  warnings: string[];
}

export interface AnalyzeOptions {
  /** Nesting level of attached messages; analysis stops descending at MAX_ATTACHED_DEPTH. */
  depth?: number;
  /** Addresses to look for in link and resource URLs besides the message's recipients (e.g. a recipient map's). */
  lookFor?: string[];
}

/** Larger messages are cut to this many bytes before MIME decoding. */
export const MAX_PARSE_BYTES = 32 * 1024 * 1024;
/** HTML and text bodies are scanned for links up to this many characters. */
export const MAX_BODY_CHARS = 5 * 1024 * 1024;
const MAX_ATTACHED_DEPTH = 4;
const MAX_HTML_ATTACHMENT_BYTES = 5 * 1024 * 1024;
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

export function emptyAnalysis(source: string, size: number, errors: string[], warnings: string[] = []): MailAnalysis {
  return {
    source,
    size,
    messageId: null,
    subject: null,
    date: null,
    from: null,
    replyTo: [],
    returnPath: null,
    to: [],
    recipients: [],
    messageIdDomain: null,
    dkim: [],
    authResults: [],
    listUnsubscribe: [],
    received: [],
    esp: [],
    links: [],
    resources: [],
    recipientTokens: [],
    attachments: [],
    attachedMessages: [],
    warnings,
    errors,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Drops blank lines and an mbox "From " line left in front of the headers. */
function withoutEnvelopeLine(raw: Buffer): Buffer {
  let start = 0;
  while (start < raw.length && (raw[start] === 10 || raw[start] === 13)) start++;
  if (raw.toString('latin1', start, start + 5) === 'From ') {
    const newline = raw.indexOf(10, start);
    start = newline === -1 ? raw.length : newline + 1;
  }
  return start === 0 ? raw : raw.subarray(start);
}

/** Why the bytes cannot be an RFC 822 message, or null when they start like one. */
function notAMessage(raw: Buffer): string | null {
  const head = raw.subarray(0, 4096).toString('latin1');
  const lines = head
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 5);
  if (lines.some((line) => HEADER_LINE.test(line))) return null;
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) control++;
  }
  return control > head.length / 20
    ? 'binary data, not an e-mail message (no header lines found)'
    : 'not an RFC 822 message: no header line in the first lines';
}

function mailbox(address: Address | undefined): MailAddress | null {
  if (!address) return null;
  if (address.group) return address.group[0] ? { name: address.group[0].name, address: address.group[0].address } : null;
  return { name: address.name, address: address.address };
}

function mailboxes(addresses: Address[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  for (const address of addresses ?? []) {
    if (address.group) out.push(...address.group.map((member) => ({ name: member.name, address: member.address })));
    else out.push({ name: address.name, address: address.address });
  }
  return out;
}

function headerValues(headers: Header[], key: string): string[] {
  return headers.filter((header) => header.key === key).map((header) => header.value);
}

function recipients(email: Email, received: ReceivedHop[]): RecipientSeen[] {
  const named: [address: string, where: string][] = [
    ...mailboxes(email.to).map((box): [string, string] => [box.address, 'To']),
    ...mailboxes(email.cc).map((box): [string, string] => [box.address, 'Cc']),
    ...mailboxes(email.bcc).map((box): [string, string] => [box.address, 'Bcc']),
    ...headerValues(email.headers, 'delivered-to').map((value): [string, string] => [value, 'Delivered-To']),
    ...headerValues(email.headers, 'x-original-to').map((value): [string, string] => [value, 'X-Original-To']),
  ];
  for (const hop of received) if (hop.for) named.push([hop.for, `Received for (hop ${hop.hop})`]);
  const byAddress = new Map<string, RecipientSeen>();
  for (const [address, where] of named) {
    const cleaned = address.trim().replace(/^<|>$/g, '').toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(cleaned)) continue;
    const seen = byAddress.get(cleaned);
    if (!seen) byAddress.set(cleaned, { address: cleaned, where: [where] });
    else if (!seen.where.includes(where)) seen.where.push(where);
  }
  return [...byAddress.values()];
}

/**
 * Addresses searched for in a message's URLs: each costs a scan of every URL, and a message sent
 * to a thousand addresses at once carries no per-recipient token anyway.
 */
const MAX_HEADER_ADDRESSES_SEARCHED = 20;
const MAX_MAP_ADDRESSES_SEARCHED = 200;

/** Recipient addresses inside the URLs of web links and remote resources, as the trace analysis finds them in hops. */
function recipientTokens(analysis: MailAnalysis, lookFor: string[]): RecipientToken[] {
  const addresses = [
    ...new Set([
      ...analysis.to.slice(0, MAX_HEADER_ADDRESSES_SEARCHED),
      ...lookFor.slice(0, MAX_MAP_ADDRESSES_SEARCHED).map((a) => a.trim().toLowerCase()),
    ]),
  ].filter((a) => a.includes('@'));
  if (addresses.length === 0) return [];
  const urls: { url: string; link: number | null; resource: number | null }[] = [];
  analysis.links.forEach((link, i) => {
    if (/^https?:/i.test(link.url)) urls.push({ url: link.url, link: i + 1, resource: null });
  });
  analysis.resources.forEach((resource, i) => urls.push({ url: resource.url, link: null, resource: i + 1 }));
  if (urls.length === 0) return [];
  const tokens: RecipientToken[] = [];
  for (const finding of findTokens(
    urls.map((u) => u.url),
    { recipients: addresses, recipientsOnly: true },
  )) {
    if (finding.kind !== 'recipient' || !finding.address) continue;
    for (const hop of finding.hops) {
      const { link, resource } = urls[hop - 1];
      tokens.push({ address: finding.address, link, resource, field: finding.name, value: finding.value });
    }
  }
  return tokens.sort((a, b) => (a.link ?? Infinity) - (b.link ?? Infinity) || (a.resource ?? 0) - (b.resource ?? 0));
}

const REPLACEMENT_UTF8 = Buffer.from('\ufffd');

function hasUndecodableText(email: Email, raw: Buffer): boolean {
  const decoded = (email.text?.includes('\ufffd') ?? false) || (email.html?.includes('\ufffd') ?? false);
  return decoded && raw.indexOf(REPLACEMENT_UTF8) === -1;
}

function capped(text: string | undefined, label: string, warnings: string[]): string | null {
  if (!text) return null;
  if (text.length <= MAX_BODY_CHARS) return text;
  warnings.push(`${label} part is ${text.length} characters; links taken from the first ${MAX_BODY_CHARS} only`);
  return text.slice(0, MAX_BODY_CHARS);
}

function isAttachedMessage(contentType: string, filename: string | null): boolean {
  return contentType === 'message/rfc822' || contentType === 'message/global' || /\.eml$/i.test(filename ?? '');
}

function isHtmlFile(contentType: string, filename: string | null): boolean {
  return contentType === 'text/html' || contentType === 'application/xhtml+xml' || /\.(?:x?html?|shtml)$/i.test(filename ?? '');
}

async function parseMime(raw: Buffer, errors: string[], warnings: string[]): Promise<Email | null> {
  const parse = (input: Buffer) => decodeMime(input);
  // postal-mime drops the body of a multipart that declares no boundary, and the links with it.
  const unbounded = repairMissingBoundaries(raw);
  if (unbounded) {
    raw = unbounded.raw;
    warnings.push(...unbounded.warnings);
  }
  let email: Email;
  try {
    email = await parse(raw);
  } catch (error) {
    errors.push(`MIME decoding failed: ${message(error)}`);
    return null;
  }
  const contentType = email.headers.find((header) => header.key === 'content-type')?.value;
  const boundary = declaredBoundary(contentType);
  const nothingDecoded = !email.html && !email.text?.trim() && email.attachments.length === 0;
  if (boundary !== null && nothingDecoded) {
    const repaired = repairBoundary(raw, boundary);
    if (repaired) {
      try {
        email = await parse(repaired.raw);
        warnings.push(
          `multipart boundary "${boundary}" does not occur in the body; parsed with "${repaired.boundary}", the boundary the body uses`,
        );
      } catch (error) {
        warnings.push(`multipart boundary "${boundary}" does not occur in the body; repair failed: ${message(error)}`);
      }
    } else {
      warnings.push(`multipart boundary "${boundary}" does not occur in the body; links taken from the raw body text`);
      const offset = bodyOffset(raw);
      email.text = offset === -1 ? '' : raw.subarray(offset).toString('utf8');
    }
  }
  return email;
}

function attachmentBytes(attachment: Attachment): Buffer {
  const content = attachment.content;
  if (typeof content === 'string') return Buffer.from(content, attachment.encoding === 'base64' ? 'base64' : 'utf8');
  if (content instanceof ArrayBuffer) return Buffer.from(content);
  return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

/** What a message holds besides its written links: images that may carry a QR code, links of its PDFs. */
interface Embedded {
  images: MailImage[];
  pdfLinks: EmbeddedLink[];
}

/** The data: images of an HTML document, as images of the message. */
function htmlImages(html: string, attachment: string | null): MailImage[] {
  const where = attachment ? `${attachment}: ` : '';
  return dataUriImages(html).map((bytes, i) => ({ bytes, origin: `${where}data: image ${i + 1} of the HTML`, attachment }));
}

/** The followable URIs of a PDF's link annotations, read as a browser reads an href; `passwords` open an encrypted one. */
function pdfLinks(bytes: Buffer, label: string, warnings: string[], passwords: readonly string[]): EmbeddedLink[] {
  const found = pdfLinkUris(bytes, passwords);
  for (const warning of found.warnings) warnings.push(`${label}: ${warning}`);
  const links: EmbeddedLink[] = [];
  for (const uri of found.uris) {
    const reading = readHref(uri, () => uri, null, false);
    if (reading && reading.unfollowable === null) links.push({ url: reading.url, kind: 'pdf', origin: label, attachment: label });
  }
  return links;
}

/**
 * The passwords a message gives its reader for an attachment ("PDF password: 123", "Senha PDF: 123",
 * "Passwort: x7Kq"): a locked PDF a gateway cannot open, that the reader opens with them.
 */
export function givenPasswords(words: string): string[] {
  const found = words.matchAll(
    /(?:password|passwort|kennwort|wachtwoord|senha|contrase[ñn]a|mot de passe|parola|has[łl]o|passcode|pwd)[^\n:=]{0,20}[:=]\s*["'“«]?([^\s"'”»<>]{1,32})/giu,
  );
  return [...new Set([...found].map((match) => match[1].replace(/[.,;)]+$/, '')))].filter(Boolean).slice(0, 4);
}

/** Visible words of the message for telling whether it points at its QR code: subject, text, HTML without markup. */
function messageWords(email: Email, html: string | null): string {
  return [email.subject ?? '', email.text ?? '', visibleText(html ?? '', Number.MAX_SAFE_INTEGER)].join('\n');
}

async function analyzeAttachments(email: Email, analysis: MailAnalysis, depth: number, embedded: Embedded): Promise<void> {
  let passwords: string[] | undefined;
  for (const [index, attachment] of email.attachments.entries()) {
    const bytes = attachmentBytes(attachment);
    const contentType = attachment.mimeType.toLowerCase();
    analysis.attachments.push({
      filename: attachment.filename,
      contentType,
      size: bytes.length,
      sha256: sha256Hex(bytes),
    });
    const label = attachment.filename ?? `attachment ${index + 1} (${contentType})`;
    if (isAttachedMessage(contentType, attachment.filename)) {
      if (depth >= MAX_ATTACHED_DEPTH) {
        analysis.warnings.push(`${label}: attached message not analysed, nesting deeper than ${MAX_ATTACHED_DEPTH}`);
        continue;
      }
      const nested = await analyzeMessage(bytes, `${analysis.source} > ${label}`, { depth: depth + 1 });
      analysis.attachedMessages.push(nested);
      const within = (inner: string | null) => (inner ? `${label} > ${inner}` : label);
      for (const link of nested.links) analysis.links.push({ ...link, attachment: within(link.attachment) });
      for (const resource of nested.resources) analysis.resources.push({ ...resource, attachment: within(resource.attachment) });
    } else if (isHtmlFile(contentType, attachment.filename)) {
      if (bytes.length > MAX_HTML_ATTACHMENT_BYTES) {
        analysis.warnings.push(`${label}: HTML attachment of ${bytes.length} bytes not scanned for links`);
        continue;
      }
      const html = bytes.toString('utf8');
      const resources = new ResourceCollector(html, label);
      analysis.links.push(...extractLinks({ html, attachment: label, resources }));
      analysis.resources.push(...resources.list());
      embedded.images.push(...htmlImages(html, label));
    } else if (isImageFile(contentType, attachment.filename, bytes)) {
      // An inline part the HTML shows (cid:) is the body's; an attached image is an attachment.
      const inline = attachment.related === true || (attachment.disposition === 'inline' && !!attachment.contentId);
      const cid = attachment.contentId?.replace(/^<|>$/g, '');
      const origin = inline
        ? `inline image ${cid ? `cid:${cid}` : index + 1}${attachment.filename ? ` (${attachment.filename})` : ''}`
        : label;
      embedded.images.push({ bytes, origin, attachment: inline ? null : label });
    } else if (isPdfFile(contentType, attachment.filename, bytes)) {
      passwords ??= givenPasswords(messageWords(email, email.html ?? null));
      embedded.pdfLinks.push(...pdfLinks(bytes, label, analysis.warnings, passwords));
    } else if (isCalendar(contentType, attachment.filename) && bytes.length <= MAX_HTML_ATTACHMENT_BYTES) {
      // A meeting invitation's link is in its description, which calendar apps make clickable.
      const text = calendarText(bytes.toString('utf8'));
      if (text) analysis.links.push(...extractLinks({ text, attachment: label }));
    }
  }
}

export async function analyzeMessage(raw: Buffer, source: string, options: AnalyzeOptions = {}): Promise<MailAnalysis> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const analysis = emptyAnalysis(source, raw.length, errors, warnings);
  try {
    if (raw.length === 0) {
      errors.push('empty message (0 bytes)');
      return analysis;
    }
    let input = withoutEnvelopeLine(raw);
    if (input.length > MAX_PARSE_BYTES) {
      warnings.push(`message is ${input.length} bytes; only the first ${MAX_PARSE_BYTES} were decoded`);
      input = input.subarray(0, MAX_PARSE_BYTES);
    }
    const rejection = notAMessage(input);
    if (rejection) {
      errors.push(rejection);
      return analysis;
    }
    for (const label of unknownCharsets(input)) warnings.push(`unknown charset "${label}": that part was decoded as windows-1252`);

    const email = await parseMime(input, errors, warnings);
    if (!email) return analysis;

    if (hasUndecodableText(email, input)) {
      warnings.push(
        'a text part has bytes that are invalid in its declared charset (shown as U+FFFD): the declared charset is probably wrong',
      );
    }

    const headers = email.headers;
    analysis.messageId = email.messageId ?? null;
    analysis.subject = email.subject ?? null;
    analysis.date = email.date ?? null;
    analysis.from = mailbox(email.from);
    analysis.replyTo = mailboxes(email.replyTo);
    analysis.returnPath = email.returnPath ?? null;
    analysis.messageIdDomain = messageIdDomain(email.messageId);
    analysis.dkim = headerValues(headers, 'dkim-signature').map(parseDkimSignature);
    analysis.authResults = headerValues(headers, 'authentication-results').flatMap(parseAuthenticationResults);
    analysis.listUnsubscribe = headerValues(headers, 'list-unsubscribe').flatMap(parseListUnsubscribe);
    analysis.received = receivedChain(headerValues(headers, 'received'));
    analysis.recipients = recipients(email, analysis.received);
    analysis.to = analysis.recipients.map((r) => r.address);
    analysis.esp = detectPlatforms(headers);
    const html = capped(email.html, 'HTML', warnings);
    const resources = html ? new ResourceCollector(html) : undefined;
    analysis.links = extractLinks({
      html,
      text: capped(email.text, 'text', warnings),
      listUnsubscribe: analysis.listUnsubscribe,
      ...(resources ? { resources } : {}),
    });
    analysis.resources = resources?.list() ?? [];
    if (analysis.links.length >= MAX_LINKS) warnings.push(`more than ${MAX_LINKS} links; the rest were not extracted`);
    const embedded: Embedded = { images: html ? htmlImages(html, null) : [], pdfLinks: [] };
    await analyzeAttachments(email, analysis, options.depth ?? 0, embedded);
    const qr = (await qrLinks(embedded.images, warnings)).map((link): EmbeddedLink => ({ ...link, kind: 'qr-code' }));
    analysis.links.push(
      ...embeddedLinks([...qr, ...embedded.pdfLinks], {
        listUnsubscribe: analysis.listUnsubscribe,
        qrPrompted: qr.length > 0 && tellsToScan(messageWords(email, html)),
      }),
    );
    if ((options.depth ?? 0) === 0) analysis.recipientTokens = recipientTokens(analysis, options.lookFor ?? []);
  } catch (error) {
    errors.push(`analysis failed: ${message(error)}`);
  }
  return analysis;
}
