// Abuse report drafts: one per responsible party, with a short factual text (what was received,
// the chain, why this party), the original message as an attachment byte for byte, the chain as
// text, and the cases' manifests with their hashes. Drafts are .eml files (RFC 5322 / MIME, built
// by nodemailer's MailComposer) marked X-Unsent, so a mail client opens them ready to review and
// send. Nothing here sends anything.
import { existsSync, readFileSync } from 'node:fs';
import { sha256Hex as sha256 } from '../http/checksums.js';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { MANIFEST_FILE, PARTIAL_FILE, TIMESTAMP_FILE } from '../case/case-layout.js';
import { TOOL } from '../version.js';
import { viaLabel, type Report } from '../report.js';
import type { CaseEvidence, TracedChain } from '../export/case-evidence.js';
import { partyName } from '../export/common.js';
import { responsibleParties, type ResponsibleParty } from './responsible.js';
import { recipientFor, NO_NETWORK_DATA, type NetworkLookup, type Recipient } from './recipients.js';

export interface DraftAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Said in the report text. */
  description: string;
}

export interface AbuseDraft {
  party: ResponsibleParty;
  recipient: Recipient;
  subject: string;
  text: string;
  attachments: DraftAttachment[];
  /** `abuse-01-selligent.eml` */
  fileName: string;
}

export interface DraftOptions {
  /** The analyst's mailbox (From:); a placeholder when not given. */
  from?: string | null;
  networks?: NetworkLookup;
}

export const PLACEHOLDER_FROM = '"FILL IN: your name" <your-address@fill-in.invalid>';

export function draftAbuseReports(evidence: CaseEvidence, options: DraftOptions = {}): AbuseDraft[] {
  const headers = evidence.message?.headers ?? [];
  const common = commonAttachments(evidence);
  return responsibleParties(evidence).map((party, i) => {
    const recipient = recipientFor(party, headers, options.networks ?? NO_NETWORK_DATA);
    return {
      party,
      recipient,
      subject: subjectFor(evidence, party),
      text: reportText(evidence, party, recipient, common),
      attachments: common,
      fileName: `abuse-${String(i + 1).padStart(2, '0')}-${slug(party.name)}.eml`,
    };
  });
}

function subjectFor(evidence: CaseEvidence, party: ResponsibleParty): string {
  const what = evidence.message ? 'unsolicited message' : 'link';
  return `Abuse report: ${party.name} (${party.roles.join(', ')}) in the click chain of an ${what} [clicktrace case ${evidence.id}]`;
}

/** The original message, the chain as text, and each case's manifest (and timestamp token). */
function commonAttachments(evidence: CaseEvidence): DraftAttachment[] {
  const out: DraftAttachment[] = [];
  const raw = evidence.message?.raw;
  if (raw) {
    const sha = sha256(raw);
    const embeddable = embeddableAsMessage(raw);
    out.push({
      filename: 'original-message.eml',
      contentType: embeddable ? 'message/rfc822' : 'application/octet-stream',
      content: raw,
      description: `the message as received, byte for byte (${raw.length} bytes, SHA-256 ${sha})${
        embeddable ? '' : '; attached as a plain file because its line endings or line lengths cannot travel unchanged as message/rfc822'
      }`,
    });
  }
  if (evidence.chains.length) {
    out.push({
      filename: 'chain.txt',
      contentType: 'text/plain; charset=utf-8',
      content: Buffer.from(chainText(evidence.chains), 'utf8'),
      description: 'the recorded chain, hop by hop, with how each hop was reached',
    });
  }
  const cases = [...(evidence.message ? [evidence.message] : []), ...evidence.chains];
  for (const c of cases) {
    const manifest = readOptional(join(c.dir, MANIFEST_FILE));
    if (!manifest) continue;
    out.push({
      filename: `manifest-${c.id}.json`,
      contentType: 'application/json; charset=utf-8',
      content: manifest,
      description: `the manifest of case ${c.id} (SHA-256 ${sha256(manifest)}): size and SHA-256 of every file recorded`,
    });
    const token = readOptional(join(c.dir, TIMESTAMP_FILE));
    if (token) {
      out.push({
        filename: `manifest-${c.id}.tsr`,
        contentType: 'application/timestamp-reply',
        content: token,
        description: `an RFC 3161 timestamp over that manifest (openssl ts -verify -data manifest-${c.id}.json -in manifest-${c.id}.tsr)`,
      });
    }
  }
  return out;
}

/**
 * A message/rfc822 body cannot be encoded (RFC 2046 5.2.1), so it travels as it is: only a
 * message whose lines all end in CRLF, none longer than 998 octets (RFC 5322 2.1.1), no NUL,
 * arrives byte for byte.
 */
export function embeddableAsMessage(raw: Buffer): boolean {
  if (raw.includes(0)) return false;
  let lineStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === 0x0a) {
      if (i === 0 || raw[i - 1] !== 0x0d) return false;
      if (i - 1 - lineStart > 998) return false;
      lineStart = i + 1;
    } else if (c === 0x0d && raw[i + 1] !== 0x0a) return false;
  }
  return raw.length - lineStart <= 998;
}

function reportText(evidence: CaseEvidence, party: ResponsibleParty, recipient: Recipient, attachments: DraftAttachment[]): string {
  const lines: string[] = ['Hello,', ''];
  const analysis = evidence.message?.facts.analysis;
  if (analysis) {
    lines.push(
      'We received the unsolicited message below. We followed its link once, in an isolated browser behind a recording proxy,',
      `and recorded every step of where it led. ${party.name} is part of that chain, which is why we are writing to you.`,
      '',
      'What was received',
      `  From:       ${analysis.from ? (analysis.from.name ? `${analysis.from.name} <${analysis.from.address}>` : analysis.from.address) : '(none)'}`,
      `  Subject:    ${analysis.subject ?? '(none)'}`,
      `  Date:       ${analysis.date ?? '(none)'}`,
      `  Message-ID: ${analysis.messageId ?? '(none)'}`,
    );
    if (analysis.returnPath) lines.push(`  Return-Path: ${analysis.returnPath}`);
    lines.push('');
  } else {
    lines.push(
      'We followed the link below once, in an isolated browser behind a recording proxy, and recorded every step of where it',
      `led. ${party.name} is part of that chain, which is why we are writing to you.`,
      '',
    );
  }
  lines.push(`Why we write to you (${party.roles.join(', ')})`, ...party.why.map((w) => `  - ${w}`), '');
  for (const chain of evidence.chains) {
    lines.push(`The chain (case ${chain.id}, recorded ${chain.report.startedAt})`, ...hopLines(chain.report).map((l) => `  ${l}`));
    if (chain.report.summary?.text) lines.push(`  In short: ${chain.report.summary.text}`);
    const ending = endingNote(chain);
    if (ending) lines.push(`  ${ending}`);
    const tokens = (chain.report.tokens ?? []).filter((t) => t.kind === 'campaign' || t.kind === 'affiliate' || t.kind === 'click-id');
    if (tokens.length)
      lines.push(
        `  Tracking values in the chain: ${tokens.map((t) => `${t.name}=${t.value} (${t.kind}, hop ${t.hops.join(', ')})`).join('; ')}`,
      );
    lines.push('');
  }
  lines.push(...askFor(party), '');
  if (attachments.length) {
    lines.push('Attached', ...attachments.map((a) => `  - ${a.filename}: ${a.description}`), '');
  }
  if (recipient.placeholder || recipient.web) {
    const alsoWeb = recipient.web ? `; reports are also taken at ${recipient.web}` : '';
    lines.push(`(Note for the sender of this report, to remove before sending: ${recipient.source}${alsoWeb}.)`, '');
  }
  lines.push(
    'Regards,',
    '',
    '-- ',
    `Drafted with ${TOOL.name} ${TOOL.version} from the recorded evidence of case ${evidence.id}; nothing was fetched again.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * What the recipient must know of how far the evidence goes: a trace cut off (Ctrl-C, a crash swept
 * up later) may not show the chain's end, a case never closed is not sealed by its manifest, and an
 * error says where the trace stopped. Null when the trace ended on its own with nothing to add.
 */
function endingNote(chain: TracedChain): string | null {
  const { partial, error } = chain.report;
  const notes: string[] = [];
  if (partial) notes.push('The trace was cut off before the chain ended: this is what was recorded up to then, and the chain may go on.');
  if (existsSync(join(chain.dir, PARTIAL_FILE)))
    notes.push('The recording of this case was never closed: its files are as far as they were written, and no manifest seals them.');
  if (error) notes.push(`The trace ended with: ${error.replace(/\.$/, '')}.`);
  return notes.length ? notes.join(' ') : null;
}

function askFor(party: ResponsibleParty): string[] {
  const asks: string[] = [];
  if (party.roles.includes('sending platform') || party.roles.includes('click tracker'))
    asks.push(
      'Please identify the customer account that sent this message and stop it from sending unsolicited mail through your service.',
    );
  if (party.roles.includes('broker'))
    asks.push('Please identify the partner or campaign behind this redirect and stop it from sending traffic from unsolicited mail.');
  if (party.roles.includes('destination'))
    asks.push(
      'Your site hosts the page this unsolicited message sent its readers to, on a domain imitating another brand. ' +
        'If the page is not yours to host (a compromised site, a phishing page), please take it down.',
    );
  if (party.roles.includes('advertiser'))
    asks.push(
      'Your page was the destination of this unsolicited message. ' +
        'Please check which partner or affiliate sent this traffic (see the tracking values above) ' +
        "and whether it complies with your programme's rules.",
    );
  if (party.roles.includes('hosting network')) asks.push('Please investigate the use of this address on your network.');
  return asks;
}

function hopLines(report: Report): string[] {
  return report.hops.map((hop) => {
    const party = hop.party && hop.party.role !== 'unknown' ? `  [${hop.party.role}: ${partyName(hop.party)}]` : '';
    return `${String(hop.index).padStart(2)}. ${hop.status ?? 'ERR'} ${viaLabel(hop).padEnd(12)} ${hop.url}${hop.ip ? `  (${hop.ip})` : ''}${party}`;
  });
}

/** chain.txt: every hop with its evidence, per traced case. */
export function chainText(chains: TracedChain[]): string {
  const out: string[] = [];
  for (const chain of chains) {
    const r = chain.report;
    out.push(`Case ${chain.id}`, `Started: ${r.startedAt}   Ended: ${r.endedAt ?? '-'}   Mode: ${r.mode}`, `Link: ${r.url ?? '-'}`, '');
    for (const hop of r.hops) {
      out.push(hopLines({ ...r, hops: [hop] })[0]);
      out.push(`      how: ${hop.evidence.detail}`);
      if (hop.tls)
        out.push(
          `      TLS: ${hop.tls.protocol ?? '?'}${hop.tls.cert ? `, certificate ${hop.tls.cert.subject} (SHA-256 ${hop.tls.cert.sha256})` : ''}`,
        );
      if (hop.error) out.push(`      error: ${hop.error}`);
    }
    if (r.final) out.push('', `Final: ${r.final.url} (${r.final.status ?? 'no status'})${r.final.title ? ` "${r.final.title}"` : ''}`);
    if (r.summary?.text) out.push(`Who: ${r.summary.text}`);
    if (r.error) out.push(`Ended with an error: ${r.error}`);
    if (r.partial) out.push('Partial: the trace was cut off before the chain ended');
    out.push(`Manifest SHA-256: ${chain.manifestSha256 ?? '(no manifest)'}`, '');
  }
  return out.join('\r\n');
}

/** The draft as an RFC 5322 message, ready for a mail client; never sent. */
export async function composeEml(draft: AbuseDraft, from: string | null = null, date = new Date()): Promise<Buffer> {
  const composer = new MailComposer({
    from: from ?? PLACEHOLDER_FROM,
    to: draft.recipient.to,
    subject: draft.subject,
    text: draft.text,
    date,
    headers: { 'X-Unsent': '1', 'X-Clicktrace-Recipient-Source': draft.recipient.source.slice(0, 300) },
    attachments: draft.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      contentDisposition: 'attachment' as const,
    })),
    // Content only from the Buffers above: never a file path or URL named by evidence.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

function readOptional(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'party'
  );
}
