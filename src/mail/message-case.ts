// A message case: the e-mail as received (message.eml) and its analysis (message.json), in a
// folder beside the trace cases of its links, which point back to it.
import { sha256Hex } from '../http/checksums.js';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeDirs } from '../make-dirs.js';
import {
  caseFolderName,
  MANIFEST_FILE,
  MESSAGE_EML_FILE,
  MESSAGE_RECORD_FILE,
  PUBLIC_KEY_FILE,
  SIGNATURE_FILE,
} from '../case/case-layout.js';
import { buildMessageManifest, serializeManifest } from '../case/manifest.js';
import { defaultKeyDir, loadSigningKey, signManifest } from '../case/signing.js';
import { clearTimestamp } from '../timestamp/timestamp-files.js';
import { TOOL } from '../version.js';
import type { MailAnalysis } from './parse.js';
import { pickMainLink, type MailLink } from './links.js';
import type { PartyRef } from '../report.js';
import type { CaptureInfo } from '../model.js';
import { unwrap, type UnwrapResult } from '../analyze/unwrap/index.js';
import { attributeUrl } from '../analyze/parties.js';
import type { RemoteResource } from './remote-resources.js';
import { pixelParty } from './pixels.js';
import type { RecipientMap } from './recipient-map.js';
import { disclosureSummary, messageDisclosures, type AddressDisclosure, type DisclosureSource } from './disclosure.js';

export interface AnalyzedLink extends MailLink {
  index: number;
  main: boolean;
  party: PartyRef;
  unwrap: UnwrapResult;
}

export interface AnalyzedResource extends RemoteResource {
  /** 1-based, in the order of `analysis.resources`. */
  index: number;
  /** Who runs the host (rules/parties.json), or the party a pixel rule names. */
  party: PartyRef;
}

/** A trace made from the message: of link `link`, or of remote resource `resource` (--fetch-pixels). */
export interface MessageTrace {
  link: number | null;
  resource?: number;
  case: string;
  final: string | null;
  error: string | null;
  /** The URL was not requested again: `case` is the earlier trace of it in this cases folder. */
  earlier?: boolean;
  /** The URL requested when it is not the link as written: the link without these recipient-side gateway wrappers. */
  requested?: string;
  gateways?: string[];
}

export interface MessageRecord {
  kind: 'message';
  case: string | null;
  /**
   * When the message case was made (ISO 8601 with milliseconds, as a trace's startedAt): the time
   * its folder name gives to the second. Absent in records written before it was kept.
   */
  recordedAt?: string;
  analysis: MailAnalysis;
  links: AnalyzedLink[];
  /** Remote content (images, CSS, …), open-tracking pixels marked, each with its party. */
  resources: AnalyzedResource[];
  /** Every recipient address the message reached, with where and what the recipient map says of it. */
  disclosures: AddressDisclosure[];
  /** The telling addresses in one sentence ("sent to … given only for …, retired in 2016"), or null. */
  disclosure: string | null;
  traces: MessageTrace[];
  /**
   * Why nothing of the message was traced when it was asked to be ("no link to trace": an
   * image-only message, a reply-to scam): recorded all the same, for its headers and platform.
   */
  notTraced?: string;
  /**
   * Only in a run's output (`mail --json`), never in message.json: the links (and pixels) this run
   * was to trace that got no case, each with why: not started (Ctrl-C, SIGTERM: a rerun traces
   * it) or failed before its link was requested. The summary's `notStarted` counts the first.
   */
  untraced?: UntracedTarget[];
}

export interface UntracedTarget {
  link: number | null;
  resource?: number;
  url: string;
  kind: 'skipped' | 'failed';
  reason: string;
}

export interface RecordOptions {
  /** The recipient map (where each address was given out); null or absent: tags only. */
  recipientMap?: RecipientMap | null;
}

/** `20261126T182233Z-a1b2c3-mail`: named as trace cases are, so that both sort by their time. */
export function messageCaseName(at = new Date()): string {
  return `${caseFolderName(at)}-mail`;
}

export interface MessageCaseOptions {
  /** Where the signing key is; null: do not sign. Default: the clicktrace home's key folder. */
  keyDir?: string | null;
}

/** Writes message.eml and message.json, and seals them (manifest.json, signed when a key exists). */
export function writeMessageCase(
  outDir: string,
  name: string,
  raw: Buffer,
  record: MessageRecord,
  options: MessageCaseOptions = {},
): string {
  const dir = join(outDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MESSAGE_EML_FILE), raw, { flag: 'wx' });
  writeFileSync(join(dir, MESSAGE_RECORD_FILE), recordText(record));
  sealMessageCase(dir, options);
  return dir;
}

/** A new message case for an uploaded message: its folder name, and the folder written. */
export function createMessageCase(casesDir: string, raw: Buffer, record: MessageRecord): { id: string; dir: string } {
  makeDirs(casesDir);
  // The folder is made exclusively: a name another writer took (a server and a CLI on one cases
  // folder, in one millisecond) is never shared, the next name is tried.
  for (let attempt = 0; ; attempt++) {
    const at = new Date();
    const id = messageCaseName(at);
    try {
      mkdirSync(join(casesDir, id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
      throw err;
    }
    record.case = id;
    record.recordedAt = at.toISOString();
    return { id, dir: writeMessageCase(casesDir, id, raw, record) };
  }
}

/** message.json's text: what the message case is, and when, first. */
function recordText(record: MessageRecord): string {
  const { kind, case: id, recordedAt, ...rest } = record;
  return JSON.stringify({ kind, case: id, recordedAt, ...rest }, null, 2) + '\n';
}

/** Replaces message.json with `record` (atomically) and seals the case again. */
export function rewriteMessageRecord(dir: string, record: MessageRecord, options: MessageCaseOptions = {}): void {
  const path = join(dir, MESSAGE_RECORD_FILE);
  writeFileSync(`${path}.tmp`, recordText(record));
  renameSync(`${path}.tmp`, path);
  sealMessageCase(dir, options);
}

/**
 * manifest.json over the message as received and its record (SHA-256 and size of each), and
 * manifest.sig when a signing key exists: `clicktrace verify` checks a message case like a trace.
 * A timestamp of the previous seal no longer fits and is removed; the caller asks for a new one
 * (stampCase of src/timestamp/case-timestamp.ts), as sealing a message case stays synchronous.
 */
function sealMessageCase(dir: string, { keyDir }: MessageCaseOptions): void {
  clearTimestamp(dir);
  const key = keyDir === null ? null : loadSigningKey(keyDir ?? defaultKeyDir());
  if (key) writeFileSync(join(dir, PUBLIC_KEY_FILE), key.publicKeyPem);
  const files = [MESSAGE_EML_FILE, MESSAGE_RECORD_FILE, ...(key ? [PUBLIC_KEY_FILE] : [])].map((path) => {
    const data = readFileSync(join(dir, path));
    return { path, bytes: data.length, sha256: sha256Hex(data) };
  });
  const manifest = serializeManifest(buildMessageManifest(basename(dir), TOOL, files));
  writeFileSync(join(dir, `${MANIFEST_FILE}.tmp`), manifest);
  renameSync(join(dir, `${MANIFEST_FILE}.tmp`), join(dir, MANIFEST_FILE));
  if (key) writeFileSync(join(dir, SIGNATURE_FILE), signManifest(manifest, key));
  else rmSync(join(dir, SIGNATURE_FILE), { force: true });
}

/**
 * The record of a message before any trace: every link numbered, unwrapped and attributed, the
 * main one marked; every remote resource numbered and attributed; every recipient address with
 * what the recipient map says of it.
 */
export function messageRecord(analysis: MailAnalysis, options: RecordOptions = {}): MessageRecord {
  const main = pickMainLink(analysis.links);
  const links: AnalyzedLink[] = analysis.links.map((link, i) => ({
    ...link,
    index: i + 1,
    main: link === main,
    party: attributeUrl(link.url),
    unwrap: unwrap(link.url),
  }));
  const resources: AnalyzedResource[] = analysis.resources.map((resource, i) => {
    const party = attributeUrl(resource.url);
    return {
      ...resource,
      index: i + 1,
      party: party.role === 'unknown' ? (pixelParty(resource.pixel?.tracker ?? null, resource.url) ?? party) : party,
    };
  });
  const disclosures = messageDisclosures(analysis, options.recipientMap ?? null);
  return { kind: 'message', case: null, analysis, links, resources, disclosures, disclosure: disclosureSummary(disclosures), traces: [] };
}

/** Open-tracking pixels that can be traced (http or https), each URL once; `skip` holds URLs already traced. */
export function traceablePixels(record: MessageRecord, skip: Set<string> = new Set()): AnalyzedResource[] {
  const seen = new Set(skip);
  return record.resources.filter((r) => r.pixel !== null && /^https?:/i.test(r.url) && !seen.has(r.url) && seen.add(r.url));
}

/** What a trace of the message's link (or pixel) carries into its capture, for the report. */
export function traceContext(
  record: MessageRecord,
  target: { link: number | null; resource?: number },
): NonNullable<CaptureInfo['analysis']> {
  const { analysis } = record;
  const telling = record.disclosures.filter((d) => d.telling);
  return {
    // The chain's URLs are searched for every address the message reached or the map names.
    recipients: [...new Set([...analysis.to, ...record.disclosures.map((d) => d.address)])],
    espFromMail: analysis.esp.map((e) => e.name),
    message: {
      case: record.case!,
      subject: analysis.subject,
      from: analysis.from?.address ?? null,
      link: target.link,
      ...(target.resource !== undefined ? { resource: target.resource } : {}),
    },
    ...(telling.length
      ? { disclosures: telling.map((d) => ({ address: d.address, text: d.text, ...(d.entry?.spamtrap ? { spamtrap: true } : {}) })) }
      : {}),
  };
}

/**
 * What the feed report needs of a message record to aggregate per given-out address
 * (aggregateByGivenAddress in disclosure.ts): its date, sender, platforms (header fingerprints
 * and ESP trackers behind its links and pixels) and the advertisers its traces ended at.
 */
export function disclosureSource(record: MessageRecord, advertisers: string[] = []): DisclosureSource {
  const { analysis } = record;
  const trackers = [...record.links, ...record.resources]
    .filter((x) => x.party.role === 'esp-tracker' && x.party.name)
    .map((x) => x.party.name!);
  return {
    case: record.case,
    date: analysis.date,
    sender: analysis.from?.address.toLowerCase() ?? null,
    platforms: [...new Set([...analysis.esp.map((e) => e.name), ...trackers])],
    advertisers,
    disclosures: record.disclosures,
  };
}

export function isTraceable(link: MailLink): boolean {
  return /^https?:/i.test(link.url);
}

/** The main call-to-action when it can be traced (http or https). */
export function traceableMainLink(record: MessageRecord): AnalyzedLink | null {
  return record.links.find((l) => l.main && isTraceable(l)) ?? null;
}
