// What `clicktrace mail` prints of a message on the terminal: its header forensics, links and
// remote content, then how its traces went. Everything the sender wrote is cleaned of controls.
import { clean, truncate } from '../terminal-text.js';
import { formatChain } from './format.js';
import { formatEntry } from './batch-output.js';
import type { AnalyzedResource, MessageRecord } from '../mail/message-case.js';
import type { MailAnalysis } from '../mail/parse.js';
import type { BatchEntry } from '../service/batch.js';
import type { MessageTraced, MessageToTrace, SkippedMessage, UnreadMessage } from '../service/mail-run.js';

/** A message as met and analysed, before anything of it is traced. */
export function formatAnalysed(message: MessageToTrace): string {
  const text = formatMessage(message.record) + '\n';
  return message.nothingTraced !== null ? `${text}Nothing traced: ${message.nothingTraced}\n\n` : text;
}

/** How the traces of a message went (nothing when it was not traced). */
export function formatTraced(traced: MessageTraced): string {
  let text = traced.error !== null ? `error: ${clean(traced.error)}\n\n` : '';
  for (const { label, entry } of traced.targets) text += `${targetResult(label, entry)}\n\n`;
  if (traced.messageCase)
    text += `Message case: ${clean(traced.messageCase.location)}${traced.messageCase.earlier ? ' (this message, recorded before)' : ''}\n\n`;
  return text;
}

/** A message that goes no further: not started, or unreadable. */
export function formatNotHandled(result: UnreadMessage | SkippedMessage): string {
  return result.kind === 'skipped'
    ? `== ${clean(result.source)}\nnot started (${clean(result.reason)})\n\n`
    : `== ${clean(result.source)}\nerror: ${clean(result.error)}\n\n`;
}

/** What happened to one traced link (or pixel) of a message, for the terminal. */
function targetResult(label: string, entry: BatchEntry): string {
  if (entry.kind === 'trace') return `Traced ${label}:\n${formatChain(entry.report, entry.caseDir)}`;
  return `${label[0].toUpperCase()}${label.slice(1)}: ${formatEntry(entry)}`;
}

function address(a: { name?: string | null; address?: string | null } | null | undefined): string {
  if (!a) return '-';
  return a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? '-');
}

export function formatMessage(record: MessageRecord): string {
  const a: MailAnalysis = record.analysis;
  const lines = [`== ${clean(a.source)}`];
  // Header values are the sender's: cut, so a screenful of subject does not push the links away (--json has them whole).
  lines.push(`Subject: ${clean(truncate(a.subject ?? '-', 300))}`);
  lines.push(
    `From: ${clean(truncate(address(a.from), 200))}   Reply-To: ${clean(truncate(a.replyTo.map(address).join(', ') || '-', 200))}` +
      `   Return-Path: ${clean(truncate(a.returnPath ?? '-', 200))}`,
  );
  lines.push(
    `Message-ID domain: ${clean(a.messageIdDomain ?? '-')}   DKIM: ${clean(a.dkim.map((d) => `d=${d.d ?? '?'} s=${d.s ?? '?'}`).join(', ') || 'none')}`,
  );
  if (a.esp.length) lines.push(`Sent via: ${clean(a.esp.map((e) => `${e.name} (${e.evidence[0] ?? ''})`).join('; '))}`);
  if (a.listUnsubscribe.length) lines.push(`List-Unsubscribe: ${clean(a.listUnsubscribe.join(', '))}`);
  for (const hop of [...a.received].sort((x, y) => x.hop - y.hop)) {
    const tls = hop.tls ? ` TLS${hop.tlsVersion ? ` ${clean(hop.tlsVersion)}` : ''}` : ' no TLS';
    lines.push(`Received ${hop.hop}: ${clean(hop.from ?? '?')} -> ${clean(hop.by ?? '?')} ${clean(hop.with ?? '')}${tls}`);
  }
  lines.push(...recipientLines(record));
  lines.push(`Links (${record.links.length}):`);
  for (const link of record.links) {
    const flags = [
      link.main ? 'MAIN' : null,
      // A link no one wrote as text: where it was read.
      link.kind === 'qr-code' ? `QR code in ${link.origin ?? 'an image'}` : null,
      link.kind === 'pdf' ? `PDF link in ${link.origin ?? 'a PDF'}` : null,
      link.unsubscribe ? 'unsubscribe' : null,
      link.repaired ? 'REPAIRED' : null,
      link.readings ? 'AMBIGUOUS' : null,
      link.malformed ? 'MALFORMED' : null,
      link.unfollowable ? 'UNFOLLOWABLE' : null,
      link.mismatch ? `MISMATCH shows ${link.mismatch.shownDomain}, goes to ${link.mismatch.hrefDomain}` : null,
      link.party.role !== 'unknown' ? `${link.party.role}: ${link.party.name ?? link.party.registrableDomain}` : null,
    ].filter(Boolean);
    const text = link.text ? `  "${clean(truncate(link.text, 60))}"` : '';
    lines.push(
      `  ${String(link.index).padStart(2)}  ${clean(truncate(link.url, 110))}${text}${flags.length ? `  [${clean(flags.join('; '))}]` : ''}`,
    );
    if (link.unwrap.layers.length && link.unwrap.destination && link.unwrap.destination !== link.url) {
      lines.push(`      unwraps to ${clean(truncate(link.unwrap.destination, 110))}`);
    }
    // A rebuilt or browser-read URL is the point of the line: shown whole, with what was written.
    if (link.repaired || link.malformed)
      lines.push(`      ${link.repaired ? 'rebuilt' : 'browser goes to'}: ${clean(truncate(link.url, 2000))}`);
    if (link.raw !== undefined) lines.push(`      as written: ${clean(truncate(JSON.stringify(link.raw), 400))}`);
    if (link.readings) lines.push(`      or, joined with the next line: ${clean(truncate(link.readings[1], 110))}`);
    if (link.unfollowable) lines.push(`      no browser follows it: ${clean(link.unfollowable)}`);
    for (const note of link.notes ?? []) lines.push(`      ${clean(truncate(note, 120))}`);
  }
  lines.push(...resourceLines(record.resources));
  for (const error of a.errors) lines.push(`error: ${clean(error)}`);
  // Absent in a record written before warnings were told apart from errors.
  for (const warning of a.warnings ?? []) lines.push(`warning: ${clean(warning)}`);
  return lines.join('\n');
}

const MAX_LISTED_RESOURCES = 10;

function recipientLines(record: MessageRecord): string[] {
  const lines: string[] = [];
  for (const d of record.disclosures) {
    if (!d.telling) continue;
    lines.push(`Recipient: ${clean(d.text)}`);
    lines.push(`      reached via ${clean(d.where.join(', '))}`);
  }
  const tokens = record.analysis.recipientTokens.filter((t) => !record.disclosures.some((d) => d.telling && d.address === t.address));
  for (const t of tokens) {
    const where = t.link !== null ? `link ${t.link}` : `resource ${t.resource}`;
    lines.push(`Recipient address in ${where}: ${clean(t.address)} (${clean(t.field)})`);
  }
  return lines;
}

function resourceLines(resources: AnalyzedResource[]): string[] {
  if (resources.length === 0) return [];
  const pixels = resources.filter((r) => r.pixel);
  const lines = [`Remote content (${resources.length}, ${pixels.length} tracking pixel(s); nothing fetched):`];
  // Pixels first, then the rest in document order, up to a screenful.
  const shown = [...pixels, ...resources.filter((r) => !r.pixel)].slice(0, Math.max(MAX_LISTED_RESOURCES, pixels.length));
  for (const r of shown) {
    const size = r.width !== null || r.height !== null ? ` ${r.width ?? '?'}x${r.height ?? '?'}` : '';
    const flags = [
      r.pixel ? `PIXEL: ${r.pixel.rules.join(', ')}${r.pixel.tracker ? ` (${r.pixel.tracker.label})` : ''}` : null,
      r.party.role !== 'unknown'
        ? `${r.party.role}: ${r.party.name ?? r.party.registrableDomain}`
        : r.pixel
          ? `party: ${r.party.registrableDomain ?? 'unknown'} (unattributed)`
          : null,
      r.attachment ? `in ${r.attachment}` : null,
    ].filter(Boolean);
    lines.push(
      `  R${String(r.index).padEnd(3)} ${r.kind}${size}  ${clean(truncate(r.url, 100))}${flags.length ? `  [${clean(flags.join('; '))}]` : ''}`,
    );
  }
  if (resources.length > shown.length) lines.push(`  … ${resources.length - shown.length} more (--json lists all)`);
  return lines;
}
