// A case bundle: one closed case folder packed as a single file, for a fleet worker's upload to
// the server and for `clicktrace import`. It is a ZIP of stored entries written by our own ZIP
// writer (evidence/wacz/zip.ts; the evidence is already compressed where it pays, and the WACZ
// beside it is a ZIP too, so no second archive library is needed):
//   clicktrace-bundle.json        first entry: {"format":"clicktrace-case-bundle","version":1,"case":ID,"files":N}
//   manifest.json, manifest.sig, signing-key.pub.pem, capture.warc.gz, ... screenshots/01-x.png ...
// every file of the case folder at its path inside the case, nothing else. The manifest (and its
// signature) inside say what the files must be; the receiver recomputes every digest before it
// keeps anything (src/import/case-bundle.ts).
//
// Unpacking refuses, with one line saying why, anything that is not exactly that: a path outside
// the case (absolute, `..`, backslashes, NUL), a symlink or other special entry, a directory entry,
// an encrypted entry, a name twice, a damaged entry (CRC), more entries or bytes than a case has.
import { linkSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readZipDirectory, readZipEntry, StoredZipWriter, type ZipEntry } from '../evidence/wacz/zip.js';
import { MANIFEST_FILE, PARTIAL_FILE } from './case-layout.js';
import { isCaseId } from '../store/paths.js';

export const BUNDLE_HEADER_FILE = 'clicktrace-bundle.json';
export const BUNDLE_FORMAT = 'clicktrace-case-bundle';
export const BUNDLE_VERSION = 1;
/** What a bundle is sent as (a ZIP; the name says whose). */
export const BUNDLE_CONTENT_TYPE = 'application/vnd.clicktrace.case-bundle+zip';
/** The file name a bundle is written under: `<case id>.case.zip`. */
export const BUNDLE_SUFFIX = '.case.zip';

/** Limits no real case comes near; a bundle beyond them is refused before anything is written. */
export const MAX_BUNDLE_ENTRIES = 10_000;
export const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;
const MAX_PATH_LENGTH = 400;

export interface BundleHeader {
  format: typeof BUNDLE_FORMAT;
  version: number;
  case: string;
  files: number;
}

/** A bundle that cannot be packed or is refused; the message is one line. */
export class BundleError extends Error {}

/**
 * A bundle that arrived whole (it unpacks and every digest verifies) and is refused for what its
 * case is: not the job's link, not signed by a trusted key, another case of its id already kept.
 * Sending it again cannot change the answer, as it may for a bundle damaged on the way.
 */
export class CaseRefused extends BundleError {}

/** Whether a file is a case bundle: a ZIP whose first entry is the bundle header. */
export function isCaseBundle(buf: Buffer): boolean {
  if (buf.length < 30 || buf.readUInt32LE(0) !== 0x04034b50) return false;
  const nameLength = buf.readUInt16LE(26);
  return buf.toString('utf8', 30, 30 + nameLength) === BUNDLE_HEADER_FILE;
}

/**
 * Packs a closed case folder into `outPath` (written beside it under a temporary name, then
 * renamed: a bundle file is always whole). Refuses an open case (PARTIAL), one without a
 * manifest, and any symlink or special file in the folder.
 */
export function packCase(dir: string, outPath: string): { caseId: string; bytes: number; sha256: string; files: number } {
  const caseId = basename(dir);
  if (!isCaseId(caseId)) throw new BundleError(`${dir}: not a case folder name`);
  const files = closedCaseFiles(dir);
  // What a receiver would refuse (readBundleDirectory, and a server's body limit) is not written at all:
  // a worker would otherwise send it again and again.
  if (files.length > MAX_BUNDLE_ENTRIES) throw new BundleError(`${caseId}: ${files.length} files, more than ${MAX_BUNDLE_ENTRIES}`);
  const total = files.reduce((sum, path) => sum + lstatSync(join(dir, ...path.split('/'))).size, 0);
  if (total > MAX_BUNDLE_BYTES) throw new BundleError(`${caseId}: ${tooLarge(total)}`);
  const header: BundleHeader = { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, case: caseId, files: files.length };
  const temporary = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.tmp`);
  const zip = new StoredZipWriter(temporary);
  try {
    zip.addBuffer(BUNDLE_HEADER_FILE, Buffer.from(JSON.stringify(header) + '\n'));
    for (const path of files) zip.addFile(path, join(dir, ...path.split('/')));
    const { bytes, sha256 } = zip.finish();
    if (bytes > MAX_BUNDLE_BYTES) throw new BundleError(`${caseId}: its bundle is ${tooLarge(bytes)}`);
    renameSync(temporary, outPath);
    return { caseId, bytes, sha256, files: files.length };
  } catch (err) {
    zip.abort();
    rmSync(temporary, { force: true });
    throw err instanceof BundleError ? err : new BundleError(`${caseId}: cannot pack (${(err as Error).message})`);
  }
}

/**
 * A closed case folder hard-linked, file by file, into `intoDir` (a new folder of the case's name
 * there): what packCase and unpackBundle do together, without copying a byte, when sender and
 * receiver share a file system (a server's own fleet workers). The same refusals as packCase. The
 * links' errors (EXDEV: another file system) are thrown as they are. Returns the new folder.
 */
export function linkCase(dir: string, intoDir: string): string {
  const caseId = basename(dir);
  if (!isCaseId(caseId)) throw new BundleError(`${dir}: not a case folder name`);
  const files = closedCaseFiles(dir);
  const out = join(intoDir, caseId);
  mkdirSync(out);
  for (const path of files) {
    const parts = path.split('/');
    if (parts.length > 1) mkdirSync(join(out, ...parts.slice(0, -1)), { recursive: true });
    linkSync(join(dir, ...parts), join(out, ...parts));
  }
  return out;
}

function tooLarge(bytes: number): string {
  return `${bytes} bytes, more than the ${MAX_BUNDLE_BYTES} a bundle may hold (a server or import refuses it); not bundled`;
}

/** A closed case's files (caseFiles); an open case or one without a manifest is refused. */
function closedCaseFiles(dir: string): string[] {
  const caseId = basename(dir);
  const files = caseFiles(dir);
  if (files.includes(PARTIAL_FILE))
    throw new BundleError(`${caseId}: the case is still open (${PARTIAL_FILE}); only closed cases are bundled`);
  if (!files.includes(MANIFEST_FILE)) throw new BundleError(`${caseId}: no ${MANIFEST_FILE}; only sealed cases are bundled`);
  return files;
}

/** The case folder's files, sorted, as forward-slash paths; a symlink or special file is refused. */
function caseFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...caseFiles(dir, path));
    else if (entry.isFile()) out.push(path);
    else throw new BundleError(`${basename(dir)}: ${path} is ${entry.isSymbolicLink() ? 'a symlink' : 'not a regular file'}; not bundled`);
  }
  return out.sort();
}

/** The header of a bundle and its file entries, checked (names, kinds, limits) but not yet read. */
export function readBundleDirectory(buf: Buffer): { header: BundleHeader; entries: ZipEntry[] } {
  if (!isCaseBundle(buf)) throw new BundleError(`not a case bundle (a ZIP whose first entry is ${BUNDLE_HEADER_FILE})`);
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(buf);
  } catch (err) {
    throw new BundleError(`damaged bundle: ${(err as Error).message}`);
  }
  if (entries[0]?.name !== BUNDLE_HEADER_FILE)
    throw new BundleError(`damaged bundle: its directory does not start with ${BUNDLE_HEADER_FILE}`);
  if (entries.length > MAX_BUNDLE_ENTRIES + 1)
    throw new BundleError(`refused: ${entries.length - 1} files, more than ${MAX_BUNDLE_ENTRIES}`);
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > MAX_BUNDLE_BYTES) throw new BundleError(`refused: ${total} bytes unpacked, more than ${MAX_BUNDLE_BYTES}`);
  let header: BundleHeader;
  try {
    header = JSON.parse(readZipEntry(buf, entries[0]).toString('utf8')) as BundleHeader;
  } catch (err) {
    throw new BundleError(`damaged bundle: ${BUNDLE_HEADER_FILE}: ${(err as Error).message}`);
  }
  if (header?.format !== BUNDLE_FORMAT)
    throw new BundleError(`not a case bundle: ${BUNDLE_HEADER_FILE} says format ${String(header?.format)}`);
  if (header.version !== BUNDLE_VERSION)
    throw new BundleError(`unsupported bundle version ${String(header.version)} (this clicktrace reads ${BUNDLE_VERSION})`);
  if (typeof header.case !== 'string' || !isCaseId(header.case))
    throw new BundleError(`refused: ${JSON.stringify(header.case)} is not a case id`);
  const files = entries.slice(1);
  const seen = new Set<string>();
  for (const entry of files) {
    const problem = entryProblem(entry);
    if (problem) throw new BundleError(`refused: ${JSON.stringify(entry.name.slice(0, 200))}: ${problem}; nothing was kept`);
    // Case-folded too: two names one file system would merge must not both arrive.
    const key = entry.name.toLowerCase();
    if (seen.has(key)) throw new BundleError(`refused: ${JSON.stringify(entry.name)} is in the bundle twice; nothing was kept`);
    seen.add(key);
  }
  if (files.length !== header.files)
    throw new BundleError(`refused: ${BUNDLE_HEADER_FILE} announces ${header.files} files, the bundle holds ${files.length}`);
  return { header, entries: files };
}

/** Why an entry cannot become a file of the case, or null. */
export function entryProblem(entry: Pick<ZipEntry, 'name' | 'flags' | 'madeBy' | 'externalAttributes'>): string | null {
  const { name } = entry;
  if (!isBundlePath(name)) return 'a path outside the case (absolute, "..", backslash or empty part)';
  if (entry.flags & 1) return 'an encrypted entry';
  // Unix "made by": the high 16 bits are the file mode; only regular files (or no mode) are files.
  const type = entry.madeBy === 3 ? (entry.externalAttributes >>> 16) & 0o170000 : 0;
  if (type === 0o120000) return 'a symlink';
  if (type !== 0 && type !== 0o100000) return 'not a regular file';
  if (name === BUNDLE_HEADER_FILE) return 'a second bundle header';
  if (name === PARTIAL_FILE) return `${PARTIAL_FILE}: the case was never closed`;
  return null;
}

/** A relative path inside the case: forward slashes, no empty, `.` or `..` part, no NUL or backslash, not absolute. */
export function isBundlePath(path: string): boolean {
  if (!path || path.length > MAX_PATH_LENGTH || path.startsWith('/') || path.endsWith('/')) return false;
  if (path.includes('\\') || path.includes('\0') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * Writes the bundle's case folder as `<parent>/<case id>/` (which must not exist), every entry
 * checked first and CRC-checked as it is written. On any problem the partly written folder is
 * removed and a BundleError says why. Returns the case id.
 */
export function unpackBundle(buf: Buffer, parent: string): { caseId: string; dir: string; files: number } {
  const { header, entries } = readBundleDirectory(buf);
  const dir = join(parent, header.case);
  try {
    mkdirSync(dir);
  } catch (err) {
    throw new BundleError(`cannot unpack ${header.case} into ${parent}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    for (const entry of entries) {
      let data: Buffer;
      try {
        data = readZipEntry(buf, entry);
      } catch (err) {
        throw new BundleError(`refused: damaged entry ${(err as Error).message}; nothing was kept`);
      }
      const path = join(dir, ...entry.name.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      // The folder is new and every name checked: nothing here can be (or follow) a symlink.
      if (lstatSync(dirname(path)).isSymbolicLink()) throw new BundleError(`refused: ${entry.name}: a path through a symlink`);
      writeFileSync(path, data, { flag: 'wx' });
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err instanceof BundleError ? err : new BundleError(`cannot unpack ${header.case}: ${(err as Error).message}`);
  }
  return { caseId: header.case, dir, files: entries.length };
}
