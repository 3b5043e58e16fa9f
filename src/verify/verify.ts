// `clicktrace verify`: recomputes every digest of a case and reports, per file or record, what
// no longer matches: the manifest's file hashes, each WARC record's block and payload digests,
// the WACZ's datapackage digests and index, the consistency of report.json and capture.har with
// the WARC, the Ed25519 signature over manifest.json, and the RFC 3161 timestamp over it.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Capture } from '../model.js';
import {
  HAR_FILE,
  MANIFEST_FILE,
  MESSAGE_EML_FILE,
  MESSAGE_RECORD_FILE,
  PARTIAL_FILE,
  PUBLIC_KEY_FILE,
  REPORT_FILE,
  SIGNATURE_FILE,
  TIMESTAMP_FILE,
  UNLISTED_FILES,
  WACZ_FILE,
  WARC_FILE,
  isSafeCasePath,
} from '../case/case-layout.js';
import { digestMatches } from '../evidence/warc/digests.js';
import { EvidenceError, errorMessage, oneLine } from '../evidence/errors.js';
import { parseManifest, type FailedCaseFile, type Manifest } from '../case/manifest.js';
import { COMPARISON_FILE } from '../compare/comparison-case.js';
import { captureFromRecords } from '../evidence/warc/read-warc.js';
import { checkManifestSignature, samePublicKey } from '../case/signing.js';
import { WACZ_DATAPACKAGE, WACZ_DATAPACKAGE_DIGEST, WACZ_INDEX_PATH, WACZ_PAGES_PATH, WACZ_WARC_DIR } from '../evidence/wacz/wacz.js';
import { describeRecord, field, readWarcBuffer, type WarcReadResult, type WarcRecordRead } from '../evidence/warc/warc-parse.js';
import { readZipDirectory, readZipEntry } from '../evidence/wacz/zip.js';
import { sha256Hex as sha256 } from '../http/checksums.js';
import { checkCaseTimestamp, type TimestampFailure } from '../timestamp/case-timestamp.js';
import type { TimestampToken } from '../timestamp/rfc3161.js';

export interface VerifyResult {
  ok: boolean;
  /** A trace/proxy/import case (WARC and its derivatives), a message case (message.eml), or a comparison case (comparison.json). */
  kind: 'capture' | 'message' | 'comparison';
  /** One line each, starting with the file (and record) concerned. */
  problems: string[];
  checked: {
    files: number;
    warcRecords: number;
    waczFiles: number;
    signature: 'valid' | 'invalid' | 'absent';
    timestamp: 'valid' | 'invalid' | 'absent';
  };
  /** The RFC 3161 token over manifest.json (manifest.tsr): the attested time, or why there is none. */
  timestamp: { token: TimestampToken | null; trust: string; failure: TimestampFailure | null };
  /** Files the case could not write when it was closed, as its manifest records them (not problems). */
  notWritten: FailedCaseFile[];
  /** The manifest says the case is partial: its capture was cut off (interrupted, its process killed) and sealed from what it recorded. */
  partial: boolean;
}

export interface VerifyOptions {
  /** Also require the manifest to be signed by this Ed25519 public key. */
  publicKeyPem?: string;
  /** PEM file of the CA(s) trusted for the TSA's certificate chain; default: the system store. */
  tsaCaFile?: string | null;
}

const MAX_INDEX_PROBLEMS = 5;
const REQUIRED_FILES = [WARC_FILE, HAR_FILE, REPORT_FILE, WACZ_FILE, MANIFEST_FILE];
const MESSAGE_REQUIRED_FILES = [MESSAGE_EML_FILE, MESSAGE_RECORD_FILE, MANIFEST_FILE];
const COMPARISON_REQUIRED_FILES = [COMPARISON_FILE, MANIFEST_FILE];

export async function verifyCase(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const problems: string[] = [];
  const problem = (file: string, text: string) => problems.push(`${file}: ${oneLine(text)}`);
  const checked: VerifyResult['checked'] = { files: 0, warcRecords: 0, waczFiles: 0, signature: 'absent', timestamp: 'absent' };
  let timestamp: VerifyResult['timestamp'] = { token: null, trust: '', failure: null };
  let manifest: Manifest | null = null;
  const isMessage = existsSync(join(dir, MESSAGE_EML_FILE));
  const isComparison = !isMessage && existsSync(join(dir, COMPARISON_FILE));
  const result = (): VerifyResult => ({
    ok: problems.length === 0,
    kind: isMessage ? 'message' : isComparison ? 'comparison' : 'capture',
    problems,
    checked,
    timestamp,
    notWritten: manifest?.failed ?? [],
    partial: manifest?.partial ?? false,
  });
  const checkTimestamp = async (manifest: Buffer | null) => {
    const check = await checkCaseTimestamp(dir, manifest, opts.tsaCaFile ?? null);
    checked.timestamp = check.state;
    timestamp = { token: check.token, trust: check.trust, failure: check.failure };
    for (const text of check.problems) problem(TIMESTAMP_FILE, text);
  };

  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problem(dir, 'not a case folder');
    return result();
  }
  // Each file is read once, each buffer hashed once: the manifest, the WACZ and the consistency
  // checks look at the same bytes (a server verifies every fleet case before it takes it in).
  const files = new Map<string, Buffer | null>();
  const read = (name: string): Buffer | null => {
    if (files.has(name)) return files.get(name)!;
    let data: Buffer | null;
    try {
      data = readFileSync(join(dir, name));
    } catch {
      data = null;
    }
    files.set(name, data);
    return data;
  };
  const digests = new WeakMap<Buffer, string>();
  const digest = (data: Buffer): string => {
    let hex = digests.get(data);
    if (hex === undefined) digests.set(data, (hex = sha256(data)));
    return hex;
  };

  if (existsSync(join(dir, PARTIAL_FILE))) problem(PARTIAL_FILE, 'the case was never closed (capture killed or still running)');
  const manifestBytes = read(MANIFEST_FILE);
  if (manifestBytes) {
    try {
      manifest = parseManifest(manifestBytes, MANIFEST_FILE);
    } catch (err) {
      problems.push(errorMessage(err));
    }
  }
  // A file the case could not write is recorded in the manifest (and the report): not required.
  const failed = new Set((manifest?.failed ?? []).map((f) => f.path));
  const required = (isMessage ? MESSAGE_REQUIRED_FILES : isComparison ? COMPARISON_REQUIRED_FILES : REQUIRED_FILES).filter(
    (name) => !failed.has(name),
  );
  for (const name of required) if (!existsSync(join(dir, name))) problem(name, 'missing');
  if (isMessage) {
    checked.files = verifyMessageCase(dir, { read, digest }, manifest, problem);
    checked.signature = checkSignature(read(SIGNATURE_FILE), read(PUBLIC_KEY_FILE), manifestBytes, opts.publicKeyPem, problem);
    await checkTimestamp(manifestBytes);
    return result();
  }

  if (isComparison) {
    // comparison.json and its manifest; the profiles' cases it names are verified on their own.
    if (manifest) {
      if (manifest.capture.mode !== 'compare') problem(MANIFEST_FILE, `describes a ${manifest.capture.mode} capture, not a comparison`);
      checked.files = checkManifestFiles(dir, manifest, { read, digest }, noWitnesses, problem, COMPARISON_REQUIRED_FILES);
    }
    checked.signature = checkSignature(read(SIGNATURE_FILE), read(PUBLIC_KEY_FILE), manifestBytes, opts.publicKeyPem, problem);
    await checkTimestamp(manifestBytes);
    return result();
  }

  const warc = await readFile(join(dir, WARC_FILE)).catch(() => null);
  files.set(WARC_FILE, warc);
  let capture: Capture | null = null;
  let warcRead: WarcReadResult | null = null;
  if (warc) {
    const outcome = checkWarc(warc, WARC_FILE, problem);
    checked.warcRecords = outcome.read.records.length;
    capture = outcome.capture;
    warcRead = outcome.read;
  }

  const wacz = read(WACZ_FILE);
  let waczWarcSha256: string | null = null;
  if (wacz) {
    const outcome = checkWacz(wacz, warc && warcRead ? { bytes: warc, read: warcRead } : null, digest, problem);
    checked.waczFiles = outcome.files;
    waczWarcSha256 = outcome.warcSha256;
  }

  let second: Witnesses | null = null;
  if (manifest)
    checked.files = checkManifestFiles(
      dir,
      manifest,
      { read, digest },
      () => (second ??= witnesses(capture, waczWarcSha256)),
      problem,
      required,
    );

  if (capture) {
    checkReport(read(REPORT_FILE), capture, dir, failed, problem);
    checkHar(read(HAR_FILE), capture, problem);
    if (manifest) checkManifestAgainstCapture(manifest, capture, problem);
  }

  checked.signature = checkSignature(read(SIGNATURE_FILE), read(PUBLIC_KEY_FILE), manifestBytes, opts.publicKeyPem, problem);
  await checkTimestamp(manifestBytes);
  return result();
}

type Problem = (file: string, text: string) => void;

/** A case's files as read once (null: missing or unreadable), and a buffer's SHA-256 computed once. */
interface CaseBytes {
  read: (path: string) => Buffer | null;
  digest: (data: Buffer) => string;
}

type Witnesses = Map<string, { sha256: string; in: string }>;
const noWitnesses = (): Witnesses => new Map();

/** A message case: message.eml and message.json, hashed in manifest.json; no capture to check. */
function verifyMessageCase(dir: string, bytes: CaseBytes, manifest: Manifest | null, problem: Problem): number {
  const { read } = bytes;
  let hashed = 0;
  if (manifest) {
    if (manifest.capture.mode !== 'mail') problem(MANIFEST_FILE, `describes a ${manifest.capture.mode} capture, not a message case`);
    hashed = checkManifestFiles(dir, manifest, bytes, noWitnesses, problem, MESSAGE_REQUIRED_FILES);
  }
  const eml = read(MESSAGE_EML_FILE);
  const recordBytes = read(MESSAGE_RECORD_FILE);
  if (!eml || !recordBytes) return hashed;
  type Record = { kind?: string; size?: number; analysis?: { size?: number } } | null;
  let record: Record;
  try {
    record = JSON.parse(recordBytes.toString('utf8')) as Record;
  } catch (err) {
    problem(MESSAGE_RECORD_FILE, `not valid JSON (${(err as Error).message})`);
    return hashed;
  }
  // A MessageRecord, or (older folders) a bare analysis.
  const size = record?.kind === 'message' ? record.analysis?.size : record?.size;
  if (typeof size === 'number' && size !== eml.length)
    problem(MESSAGE_RECORD_FILE, `describes a message of ${size} bytes; ${MESSAGE_EML_FILE} has ${eml.length}`);
  return hashed;
}

/**
 * Second records of some files' SHA-256: the WACZ's datapackage for the WARC, the WARC's resource
 * records for screenshots and DOM snapshots. When a file matches its witness but not the
 * manifest, the manifest is what changed. Worked out only when a file does not match.
 */
function witnesses(capture: Capture | null, waczWarcSha256: string | null): Witnesses {
  const out: Witnesses = new Map();
  if (waczWarcSha256) out.set(WARC_FILE, { sha256: waczWarcSha256, in: `${WACZ_FILE}'s ${WACZ_DATAPACKAGE}` });
  for (const page of capture?.pages ?? []) {
    if (page.screenshot) out.set(page.screenshot.path, { sha256: sha256(page.screenshot.png), in: WARC_FILE });
    if (page.dom) out.set(page.dom.path, { sha256: sha256(Buffer.from(page.dom.html, 'utf8')), in: WARC_FILE });
    if (page.frame?.dom) out.set(page.frame.dom.path, { sha256: sha256(Buffer.from(page.frame.dom.html, 'utf8')), in: WARC_FILE });
  }
  return out;
}

function checkManifestFiles(
  dir: string,
  manifest: Manifest,
  { read, digest }: CaseBytes,
  witnesses: () => Witnesses,
  problem: Problem,
  required: string[] = REQUIRED_FILES,
): number {
  let hashed = 0;
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    if (!isSafeCasePath(file.path)) {
      problem(MANIFEST_FILE, `lists an unsafe path ${JSON.stringify(file.path)}`);
      continue;
    }
    const data = read(file.path);
    if (data === null) {
      if (!required.includes(file.path)) problem(file.path, 'missing (listed in manifest.json)');
      continue;
    }
    hashed++;
    const actual = digest(data);
    if (data.length === file.bytes && actual === file.sha256) continue;
    const second = witnesses().get(file.path);
    if (second && second.sha256 === actual) {
      problem(
        MANIFEST_FILE,
        `the SHA-256 it lists for ${file.path} differs from the file, which matches ${second.in} (manifest.json changed)`,
      );
    } else if (data.length !== file.bytes) problem(file.path, `${data.length} bytes, manifest.json says ${file.bytes} (file changed)`);
    else problem(file.path, 'SHA-256 differs from manifest.json (file changed)');
  }
  for (const path of listCaseFiles(dir)) {
    if (!listed.has(path) && !UNLISTED_FILES.has(path)) problem(path, 'not listed in manifest.json (added after the case was closed?)');
  }
  for (const name of required) {
    if (name !== MANIFEST_FILE && !listed.has(name) && existsSync(join(dir, name))) problem(MANIFEST_FILE, `does not list ${name}`);
  }
  return hashed;
}

function listCaseFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listCaseFiles(dir, path));
    else out.push(path);
  }
  return out;
}

/** Block and payload digests of every record; the rebuilt capture for the consistency checks. */
function checkWarc(warc: Buffer, label: string, problem: Problem): { read: WarcReadResult; capture: Capture | null } {
  const read = readWarcBuffer(warc);
  for (const record of read.records) checkRecordDigests(record, label, problem);
  if (read.stop) problem(label, `record ${read.stop.record}: ${read.stop.kind}: ${read.stop.reason}`);
  // Checking the other files against part of a capture would blame them for the WARC's damage.
  if (read.records.length === 0 || read.stop) return { read, capture: null };
  try {
    return { read, capture: captureFromRecords(read.records, label, false) };
  } catch (err) {
    reportError(problem, err);
    return { read, capture: null };
  }
}

function reportError(problem: Problem, err: unknown): void {
  if (err instanceof EvidenceError) problem(err.file, err.message.slice(err.file.length + 2));
  else problem('verify', errorMessage(err));
}

function checkRecordDigests(record: WarcRecordRead, label: string, problem: Problem): void {
  const where = `${label}: ${describeRecord(record)}`;
  const block = field(record, 'WARC-Block-Digest');
  if (block === null) {
    if (field(record, 'WARC-Type') !== 'warcinfo') problem(where, 'no WARC-Block-Digest');
  } else {
    const ok = digestMatches(block, record.block);
    if (ok === false) problem(where, 'WARC-Block-Digest does not match the record');
    if (ok === null) problem(where, `unsupported digest ${block}`);
  }
  const payload = field(record, 'WARC-Payload-Digest');
  const type = field(record, 'WARC-Type');
  if (payload === null) {
    if (type === 'response' || type === 'request') problem(where, 'no WARC-Payload-Digest');
    return;
  }
  let body = record.block;
  if (/^application\/http/i.test(field(record, 'Content-Type') ?? '')) {
    const end = record.block.indexOf('\r\n\r\n');
    body = end < 0 ? Buffer.alloc(0) : record.block.subarray(end + 4);
  }
  const ok = digestMatches(payload, body);
  if (ok === false) problem(where, 'WARC-Payload-Digest does not match the payload');
  if (ok === null) problem(where, `unsupported digest ${payload}`);
}

interface DatapackageResource {
  path?: unknown;
  hash?: unknown;
  bytes?: unknown;
}

/** datapackage.json digests, datapackage-digest.json, the embedded WARC and the CDXJ index. */
function checkWacz(
  zip: Buffer,
  caseWarc: { bytes: Buffer; read: WarcReadResult } | null,
  digest: (data: Buffer) => string,
  report: Problem,
): { files: number; warcSha256: string | null } {
  const problem = (text: string) => report(WACZ_FILE, text);
  let entries;
  try {
    entries = readZipDirectory(zip);
  } catch (err) {
    problem(errorMessage(err));
    return { files: 0, warcSha256: null };
  }
  const files = new Map<string, Buffer>();
  const damaged = new Set<string>();
  for (const entry of entries) {
    try {
      files.set(entry.name, readZipEntry(zip, entry));
    } catch (err) {
      damaged.add(entry.name);
      problem(errorMessage(err));
    }
  }
  const json = <T>(name: string): T | null => {
    const data = files.get(name);
    if (!data) {
      if (!damaged.has(name)) problem(`${name} missing`);
      return null;
    }
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch (err) {
      problem(`${name}: not valid JSON (${errorMessage(err)})`);
      return null;
    }
  };

  const embeddedPath = `${WACZ_WARC_DIR}${WARC_FILE}`;
  // The same bytes as the case's WARC (the usual case): its digest and records, worked out once, hold for both.
  const sameWarc = caseWarc !== null && (files.get(embeddedPath)?.equals(caseWarc.bytes) ?? false);
  if (sameWarc) files.set(embeddedPath, caseWarc.bytes);

  const datapackage = json<{ resources?: DatapackageResource[] }>(WACZ_DATAPACKAGE);
  const packageDigest = json<{ path?: string; hash?: string }>(WACZ_DATAPACKAGE_DIGEST);
  const datapackageBytes = files.get(WACZ_DATAPACKAGE);
  if (packageDigest && datapackageBytes && packageDigest.hash !== `sha256:${digest(datapackageBytes)}`) {
    problem(`${WACZ_DATAPACKAGE_DIGEST}: hash does not match ${WACZ_DATAPACKAGE}`);
  }
  const listed = new Set<string>();
  for (const resource of datapackage?.resources ?? []) {
    const path = String(resource.path);
    listed.add(path);
    const data = files.get(path);
    if (!data) {
      if (!damaged.has(path)) problem(`${path}: listed in ${WACZ_DATAPACKAGE} but missing`);
      continue;
    }
    if (data.length !== resource.bytes) problem(`${path}: ${data.length} bytes, ${WACZ_DATAPACKAGE} says ${String(resource.bytes)}`);
    else if (resource.hash !== `sha256:${digest(data)}`) problem(`${path}: SHA-256 differs from ${WACZ_DATAPACKAGE}`);
  }
  for (const entry of entries) {
    if (!listed.has(entry.name) && entry.name !== WACZ_DATAPACKAGE && entry.name !== WACZ_DATAPACKAGE_DIGEST) {
      problem(`${entry.name}: not listed in ${WACZ_DATAPACKAGE}`);
    }
  }

  if (!files.has(embeddedPath)) {
    if (!damaged.has(embeddedPath)) problem(`${embeddedPath} missing`);
  } else if (caseWarc && !sameWarc) problem(`${embeddedPath} differs from the case's ${WARC_FILE}`);
  // An index into a damaged WARC entry would only repeat that damage line by line.
  if (damaged.size === 0) checkIndex(files, problem, sameWarc ? caseWarc : null);
  const pages = files.get(WACZ_PAGES_PATH);
  if (!pages) {
    if (!damaged.has(WACZ_PAGES_PATH)) problem(`${WACZ_PAGES_PATH} missing`);
  } else {
    for (const [i, line] of pages.toString('utf8').split('\n').filter(Boolean).entries()) {
      try {
        JSON.parse(line);
      } catch {
        problem(`${WACZ_PAGES_PATH}: line ${i + 1} is not JSON`);
      }
    }
  }
  const warcResource = datapackage?.resources?.find((r) => r.path === `${WACZ_WARC_DIR}${WARC_FILE}`);
  const warcHash = typeof warcResource?.hash === 'string' ? /^sha256:([0-9a-f]{64})$/.exec(warcResource.hash)?.[1] : undefined;
  return { files: files.size, warcSha256: warcHash ?? null };
}

/**
 * Every CDXJ line must point at a record of the named WARC with the same target URI. A line that
 * spans exactly one record (one gzip member) of the case's WARC as already read is that record;
 * any other line is read from the bytes it points at.
 */
function checkIndex(
  files: Map<string, Buffer>,
  problem: (text: string) => void,
  caseWarc: { bytes: Buffer; read: WarcReadResult } | null,
): void {
  const index = files.get(WACZ_INDEX_PATH);
  if (!index) {
    problem(`${WACZ_INDEX_PATH} missing`);
    return;
  }
  const recordsAt = new Map<number, WarcRecordRead[]>();
  for (const record of caseWarc?.read.records ?? []) recordsAt.set(record.offset, [...(recordsAt.get(record.offset) ?? []), record]);
  let bad = 0;
  const badLine = (text: string) => {
    if (++bad <= MAX_INDEX_PROBLEMS) problem(text);
  };
  for (const [i, line] of index.toString('utf8').split('\n').filter(Boolean).entries()) {
    const where = `${WACZ_INDEX_PATH}: line ${i + 1}`;
    const space = line.indexOf(' ', line.indexOf(' ') + 1);
    let entry: { url?: string; offset?: string; length?: string; filename?: string };
    try {
      entry = JSON.parse(line.slice(space + 1)) as typeof entry;
    } catch {
      badLine(`${where} is not CDXJ`);
      continue;
    }
    const warc = files.get(`${WACZ_WARC_DIR}${entry.filename}`);
    const offset = Number(entry.offset);
    const length = Number(entry.length);
    if (!warc || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset + length > warc.length) {
      badLine(`${where} points outside the WARCs`);
      continue;
    }
    const known = warc === caseWarc?.bytes ? recordsAt.get(offset) : undefined;
    if (known?.length === 1 && known[0].length === length && field(known[0], 'WARC-Target-URI') === entry.url) continue;
    const read = readWarcBuffer(warc.subarray(offset, offset + length));
    const record = read.records[0];
    if (read.stop || read.records.length !== 1 || field(record, 'WARC-Target-URI') !== entry.url) {
      badLine(`${where} does not point at the record of ${entry.url}`);
    }
  }
  if (bad > MAX_INDEX_PROBLEMS) problem(`${WACZ_INDEX_PATH}: ${bad - MAX_INDEX_PROBLEMS} more bad lines`);
}

function checkReport(bytes: Buffer | null, capture: Capture, dir: string, failed: Set<string>, problem: Problem): void {
  if (!bytes) return;
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    problem(REPORT_FILE, `not valid JSON (${errorMessage(err)})`);
    return;
  }
  const { info } = capture;
  const tool = report['tool'] as { name?: unknown; version?: unknown } | undefined;
  const mismatches: string[] = [];
  if (tool?.name !== info.tool.name || tool?.version !== info.tool.version) mismatches.push('tool');
  if (report['url'] !== info.url) mismatches.push('url');
  if (report['mode'] !== info.mode) mismatches.push('mode');
  if (report['startedAt'] !== info.startedAt) mismatches.push('startedAt');
  if (mismatches.length > 0) problem(REPORT_FILE, `${mismatches.join(', ')} differ from the WARC's capture info`);
  const ids = new Set(capture.exchanges.map((e) => e.id));
  const hops = Array.isArray(report['hops']) ? (report['hops'] as { index?: unknown; exchange?: unknown }[]) : null;
  if (!hops) problem(REPORT_FILE, 'has no hops');
  for (const hop of hops ?? []) {
    if (typeof hop.exchange === 'string' && !ids.has(hop.exchange)) {
      problem(REPORT_FILE, `hop ${String(hop.index)} refers to exchange ${hop.exchange}, which is not in the WARC`);
    }
  }
  const pages = Array.isArray(report['pages'])
    ? (report['pages'] as { screenshot?: unknown; dom?: unknown; frame?: { dom?: unknown } | null }[])
    : [];
  for (const page of pages) {
    for (const path of [page.screenshot, page.dom, page.frame?.dom]) {
      if (typeof path === 'string' && (!isSafeCasePath(path) || (!existsSync(join(dir, path)) && !failed.has(path)))) {
        problem(REPORT_FILE, `refers to ${path}, which is not in the case`);
      }
    }
  }
}

function checkHar(bytes: Buffer | null, capture: Capture, problem: Problem): void {
  if (!bytes) return;
  let har: { log?: { entries?: { _exchangeId?: unknown; request?: { url?: unknown } }[] } };
  try {
    har = JSON.parse(bytes.toString('utf8')) as typeof har;
  } catch (err) {
    problem(HAR_FILE, `not valid JSON (${errorMessage(err)})`);
    return;
  }
  const entries = har.log?.entries;
  if (!Array.isArray(entries)) {
    problem(HAR_FILE, 'has no log.entries');
    return;
  }
  if (entries.length !== capture.exchanges.length) {
    problem(HAR_FILE, `${entries.length} entries, the WARC has ${capture.exchanges.length} exchanges`);
  }
  const byId = new Map(capture.exchanges.map((e) => [e.id, e]));
  for (const entry of entries) {
    const ex = byId.get(String(entry._exchangeId));
    if (!ex || ex.request.url !== entry.request?.url) problem(HAR_FILE, `entry ${String(entry._exchangeId)} does not match the WARC`);
  }
}

function checkManifestAgainstCapture(manifest: Manifest, capture: Capture, problem: Problem): void {
  const { info } = capture;
  const utc = (s: string | null) => (s === null || Number.isNaN(Date.parse(s)) ? s : new Date(s).toISOString());
  const mismatches: string[] = [];
  if (manifest.capture.startedAt !== utc(info.startedAt)) mismatches.push('capture.startedAt');
  if (manifest.capture.endedAt !== utc(info.endedAt)) mismatches.push('capture.endedAt');
  if (manifest.capture.url !== info.url) mismatches.push('capture.url');
  if (manifest.tool.name !== info.tool.name || manifest.tool.version !== info.tool.version) mismatches.push('tool');
  if (
    JSON.stringify(manifest.browser) !== JSON.stringify(info.browser ? { name: info.browser.name, version: info.browser.version } : null)
  ) {
    mismatches.push('browser');
  }
  if (manifest.partial !== info.partial) mismatches.push('partial');
  if (mismatches.length > 0) problem(MANIFEST_FILE, `${mismatches.join(', ')} differ from the WARC's capture info`);
}

function checkSignature(
  signatureFile: Buffer | null,
  caseKeyFile: Buffer | null,
  manifest: Buffer | null,
  expectedKeyPem: string | undefined,
  problem: Problem,
): VerifyResult['checked']['signature'] {
  const signature = signatureFile?.toString('utf8') ?? null;
  const caseKey = caseKeyFile?.toString('utf8') ?? null;
  if (signature === null) {
    if (caseKey !== null) problem(SIGNATURE_FILE, `missing, though the case holds ${PUBLIC_KEY_FILE} (signature removed?)`);
    else if (expectedKeyPem) problem(SIGNATURE_FILE, 'missing: the case is not signed, but a public key was given');
    return 'absent';
  }
  if (!manifest) {
    problem(SIGNATURE_FILE, `nothing to check it against (${MANIFEST_FILE} missing)`);
    return 'invalid';
  }
  if (expectedKeyPem && caseKey !== null && !samePublicKey(caseKey, expectedKeyPem)) {
    problem(PUBLIC_KEY_FILE, 'is not the public key given for verification');
  }
  const keyPem = expectedKeyPem ?? caseKey;
  if (!keyPem) {
    problem(SIGNATURE_FILE, `no public key to check it (${PUBLIC_KEY_FILE} missing)`);
    return 'invalid';
  }
  const check = checkManifestSignature(manifest, signature, keyPem);
  if (check.ok) return 'valid';
  problem(SIGNATURE_FILE, check.reason);
  return 'invalid';
}
