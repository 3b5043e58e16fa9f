// Names of the files in a case folder, shared by the writer, the reader and the verifier.
import { randomBytes } from 'node:crypto';
import { hostOf } from '../http/host.js';

export const WARC_FILE = 'capture.warc.gz';
export const HAR_FILE = 'capture.har';
export const REPORT_FILE = 'report.json';
export const WACZ_FILE = 'case.wacz';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const PUBLIC_KEY_FILE = 'signing-key.pub.pem';
/** A message case: the e-mail as received, and its record (MessageRecord of src/mail/message-case.ts). */
export const MESSAGE_EML_FILE = 'message.eml';
export const MESSAGE_RECORD_FILE = 'message.json';
/** A case sealed after its writer died: the WARC as that process left it (seal-cut-off.ts). */
export const CUT_OFF_WARC = 'cut-off/capture.warc.gz';
/** Present while the case is being written; removed by a clean close. */
export const PARTIAL_FILE = 'PARTIAL';
/** RFC 3161 time-stamp response over manifest.json (`openssl ts -verify -data manifest.json -in manifest.tsr` reads it too). */
export const TIMESTAMP_FILE = 'manifest.tsr';
/** Why the time-stamping authority gave no token when the case was (last) sealed. */
export const TIMESTAMP_FAILURE_FILE = 'manifest.tsr-failure.json';

/** Files a manifest cannot list: itself, what is made over it (signature, timestamp) and the in-progress marker. */
export const UNLISTED_FILES: ReadonlySet<string> = new Set([
  MANIFEST_FILE,
  SIGNATURE_FILE,
  PARTIAL_FILE,
  TIMESTAMP_FILE,
  TIMESTAMP_FAILURE_FILE,
]);

/**
 * `20261126T182233Z-a1b2c3`: sortable UTC time of the capture start plus an id (`ordinalId`), so
 * that names sort as the cases began, to the millisecond, whatever their number in one second.
 */
export function caseFolderName(startedAt: Date, id = ordinalId(startedAt)): string {
  return `${secondStamp(startedAt)}-${id}`;
}

function secondStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

const RANDOM_BITS = 14;
let lastOrdinal = { stamp: '', value: -1 };

/**
 * Six hex digits as folder names always had, now ordered: the millisecond within the second
 * (10 bits) then 14 random bits; a name of the same second made later in one process is always
 * above the one before (the last one plus one when the millisecond did not move it higher), so two
 * cases of one second never sort out of order; across processes the random bits keep them apart,
 * and a folder that exists all the same is made under another name (mkdir is exclusive).
 * Names of older cases (six random digits) are read as before.
 */
function ordinalId(at: Date): string {
  const stamp = secondStamp(at);
  const ms = at.getUTCMilliseconds();
  let value = (ms << RANDOM_BITS) | (randomBytes(2).readUInt16BE(0) % (1 << RANDOM_BITS));
  // Never below the last name of this second: one process's names of a second only go up.
  if (lastOrdinal.stamp === stamp && value <= lastOrdinal.value) value = lastOrdinal.value + 1;
  if (value > 0xffffff) value = randomBytes(3).readUIntBE(0, 3);
  lastOrdinal = { stamp, value };
  return value.toString(16).padStart(6, '0');
}

/**
 * Where a page snapshot's files go: `screenshots/NN-<host>.png` and `dom/NN.html`, and the DOM of
 * the frame the chain went on in, `dom/NN-frame.html`.
 */
export function snapshotPaths(index: number, url: string): { screenshot: string; dom: string; frameDom: string } {
  const nn = String(index).padStart(2, '0');
  return { screenshot: `screenshots/${nn}-${safeHost(url)}.png`, dom: `dom/${nn}.html`, frameDom: `dom/${nn}-frame.html` };
}

function safeHost(url: string): string {
  const host = (hostOf(url) ?? '').replace(/[^a-z0-9.-]+/g, '_').replace(/^[._]+|[._]+$/g, '');
  return host.slice(0, 80) || 'page';
}

/** A path inside the case folder: relative, forward slashes, no `..`, not a reserved name. */
export function isSafeCasePath(path: string): boolean {
  if (!path || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return false;
  return !UNLISTED_FILES.has(path);
}
