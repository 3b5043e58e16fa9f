// One message in, everything an analyst asks about it out: who claims to send it, through which
// hops and platform, every link with its flags, attachments (attached messages analysed in
// turn). Nothing is sanitised here, and nothing throws: problems are reported in `errors`.

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
import { extractLinks, MAX_LINKS, type MailLink } from './links.js';
import { decodeMime } from './decode-mime.js';
import { declaredBoundary, repairBoundary, unknownCharsets, bodyOffset } from './mime-repair.js';

export interface MailAddress {
  name: string;
  address: string;
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
  messageIdDomain: string | null;
  dkim: DkimSignature[];
  authResults: AuthResult[];
  listUnsubscribe: string[];
  /** Newest first, as in the headers; `hop` counts from the oldest (1). */
  received: ReceivedHop[];
  esp: EspFingerprint[];
  /** Links of the body, then of attachments (attached messages, HTML files). */
  links: MailLink[];
  attachments: AttachmentInfo[];
  attachedMessages: MailAnalysis[];
  errors: string[];
}

export interface AnalyzeOptions {
  /** Nesting level of attached messages; analysis stops descending at MAX_ATTACHED_DEPTH. */
  depth?: number;
}

/** Larger messages are cut to this many bytes before MIME decoding. */
export const MAX_PARSE_BYTES = 32 * 1024 * 1024;
/** HTML and text bodies are scanned for links up to this many characters. */
export const MAX_BODY_CHARS = 5 * 1024 * 1024;
const MAX_ATTACHED_DEPTH = 4;
const MAX_HTML_ATTACHMENT_BYTES = 5 * 1024 * 1024;
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

export function emptyAnalysis(source: string, size: number, errors: string[]): MailAnalysis {
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
    messageIdDomain: null,
    dkim: [],
    authResults: [],
    listUnsubscribe: [],
    received: [],
    esp: [],
    links: [],
    attachments: [],
    attachedMessages: [],
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

function recipients(email: Email, received: ReceivedHop[]): string[] {
  const addresses = [...mailboxes(email.to), ...mailboxes(email.cc), ...mailboxes(email.bcc)].map((box) => box.address);
  addresses.push(...headerValues(email.headers, 'delivered-to'), ...headerValues(email.headers, 'x-original-to'));
  for (const hop of received) if (hop.for) addresses.push(hop.for);
  const unique = new Set<string>();
  for (const address of addresses) {
    const cleaned = address.trim().replace(/^<|>$/g, '').toLowerCase();
    if (/^[^\s@]+@[^\s@]+$/.test(cleaned)) unique.add(cleaned);
  }
  return [...unique];
}

const REPLACEMENT_UTF8 = Buffer.from('\ufffd');

function hasUndecodableText(email: Email, raw: Buffer): boolean {
  const decoded = (email.text?.includes('\ufffd') ?? false) || (email.html?.includes('\ufffd') ?? false);
  return decoded && raw.indexOf(REPLACEMENT_UTF8) === -1;
}

function capped(text: string | undefined, label: string, errors: string[]): string | null {
  if (!text) return null;
  if (text.length <= MAX_BODY_CHARS) return text;
  errors.push(`${label} part is ${text.length} characters; links taken from the first ${MAX_BODY_CHARS} only`);
  return text.slice(0, MAX_BODY_CHARS);
}

function isAttachedMessage(contentType: string, filename: string | null): boolean {
  return contentType === 'message/rfc822' || contentType === 'message/global' || /\.eml$/i.test(filename ?? '');
}

function isHtmlFile(contentType: string, filename: string | null): boolean {
  return contentType === 'text/html' || contentType === 'application/xhtml+xml' || /\.(?:x?html?|shtml)$/i.test(filename ?? '');
}

async function parseMime(raw: Buffer, errors: string[]): Promise<Email | null> {
  const parse = (input: Buffer) => decodeMime(input);
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
        errors.push(
          `multipart boundary "${boundary}" does not occur in the body; parsed with "${repaired.boundary}", the boundary the body uses`,
        );
      } catch (error) {
        errors.push(`multipart boundary "${boundary}" does not occur in the body; repair failed: ${message(error)}`);
      }
    } else {
      errors.push(`multipart boundary "${boundary}" does not occur in the body; links taken from the raw body text`);
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

async function analyzeAttachments(email: Email, analysis: MailAnalysis, depth: number): Promise<void> {
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
        analysis.errors.push(`${label}: attached message not analysed, nesting deeper than ${MAX_ATTACHED_DEPTH}`);
        continue;
      }
      const nested = await analyzeMessage(bytes, `${analysis.source} > ${label}`, { depth: depth + 1 });
      analysis.attachedMessages.push(nested);
      for (const link of nested.links)
        analysis.links.push({ ...link, attachment: link.attachment ? `${label} > ${link.attachment}` : label });
    } else if (isHtmlFile(contentType, attachment.filename)) {
      if (bytes.length > MAX_HTML_ATTACHMENT_BYTES) {
        analysis.errors.push(`${label}: HTML attachment of ${bytes.length} bytes not scanned for links`);
        continue;
      }
      analysis.links.push(...extractLinks({ html: bytes.toString('utf8'), attachment: label }));
    }
  }
}

export async function analyzeMessage(raw: Buffer, source: string, options: AnalyzeOptions = {}): Promise<MailAnalysis> {
  const errors: string[] = [];
  const analysis = emptyAnalysis(source, raw.length, errors);
  try {
    if (raw.length === 0) {
      errors.push('empty message (0 bytes)');
      return analysis;
    }
    let input = withoutEnvelopeLine(raw);
    if (input.length > MAX_PARSE_BYTES) {
      errors.push(`message is ${input.length} bytes; only the first ${MAX_PARSE_BYTES} were decoded`);
      input = input.subarray(0, MAX_PARSE_BYTES);
    }
    const rejection = notAMessage(input);
    if (rejection) {
      errors.push(rejection);
      return analysis;
    }
    for (const label of unknownCharsets(input)) errors.push(`unknown charset "${label}": that part was decoded as windows-1252`);

    const email = await parseMime(input, errors);
    if (!email) return analysis;

    if (hasUndecodableText(email, input)) {
      errors.push(
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
    analysis.to = recipients(email, analysis.received);
    analysis.esp = detectPlatforms(headers);
    analysis.links = extractLinks({
      html: capped(email.html, 'HTML', errors),
      text: capped(email.text, 'text', errors),
      listUnsubscribe: analysis.listUnsubscribe,
    });
    if (analysis.links.length >= MAX_LINKS) errors.push(`more than ${MAX_LINKS} links; the rest were not extracted`);
    await analyzeAttachments(email, analysis, options.depth ?? 0);
  } catch (error) {
    errors.push(`analysis failed: ${message(error)}`);
  }
  return analysis;
}
