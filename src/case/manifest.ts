// manifest.json: every file of a case with its size and SHA-256, plus what was captured, when
// and with what. The signature (manifest.sig) covers these exact bytes.
import type { CaptureInfo } from '../model.js';
import { EvidenceError } from '../evidence/errors.js';

export const MANIFEST_FORMAT = 'clicktrace-case/1';

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** A case file that could not be written (an exporter failed): the case is sealed without it. */
export interface FailedCaseFile {
  path: string;
  /** One line: why it could not be written. */
  error: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  case: string;
  /** When the manifest was written, UTC. */
  createdAt: string;
  capture: {
    url: string | null;
    /** `mail` for a message case (message.eml and its record; no capture); `compare` for a comparison case (comparison.json). */
    mode: CaptureInfo['mode'] | 'mail' | 'compare';
    /** UTC, ISO 8601. */
    startedAt: string;
    endedAt: string | null;
    error: string | null;
  };
  tool: { name: string; version: string };
  browser: { name: string; version: string } | null;
  partial: boolean;
  files: ManifestFile[];
  /** Files the case should hold and does not, each with the reason; absent when none failed. */
  failed?: FailedCaseFile[];
}

export function buildManifest(
  caseName: string,
  info: CaptureInfo,
  files: ManifestFile[],
  failed: FailedCaseFile[] = [],
  now = new Date(),
): Manifest {
  return {
    format: MANIFEST_FORMAT,
    case: caseName,
    createdAt: now.toISOString(),
    capture: {
      url: info.url,
      mode: info.mode,
      startedAt: utc(info.startedAt),
      endedAt: info.endedAt === null ? null : utc(info.endedAt),
      error: info.error,
    },
    tool: { name: info.tool.name, version: info.tool.version },
    browser: info.browser ? { name: info.browser.name, version: info.browser.version } : null,
    partial: info.partial,
    files: sortFiles(files),
    ...(failed.length > 0 ? { failed: [...failed] } : {}),
  };
}

/** The manifest of a message case: its files, sealed when the record was (last) written. */
export function buildMessageManifest(
  caseName: string,
  tool: { name: string; version: string },
  files: ManifestFile[],
  now = new Date(),
): Manifest {
  const at = now.toISOString();
  return {
    format: MANIFEST_FORMAT,
    case: caseName,
    createdAt: at,
    capture: { url: null, mode: 'mail', startedAt: at, endedAt: at, error: null },
    tool: { name: tool.name, version: tool.version },
    browser: null,
    partial: false,
    files: sortFiles(files),
  };
}

function sortFiles(files: ManifestFile[]): ManifestFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function utc(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toISOString();
}

export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}

/** Parses and shape-checks manifest.json; throws EvidenceError naming `label`. */
export function parseManifest(bytes: Buffer, label: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new EvidenceError(label, `not valid JSON (${(err as Error).message})`);
  }
  const m = data as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) {
    throw new EvidenceError(label, `not a ${MANIFEST_FORMAT} manifest`);
  }
  if (!Array.isArray(m.files) || !m.capture || typeof m.capture !== 'object' || typeof m.partial !== 'boolean') {
    throw new EvidenceError(label, 'manifest lacks files, capture or partial');
  }
  for (const [i, f] of m.files.entries()) {
    if (!f || typeof f.path !== 'string' || !Number.isSafeInteger(f.bytes) || !/^[0-9a-f]{64}$/.test(String(f.sha256))) {
      throw new EvidenceError(label, `file entry ${i + 1} is malformed`);
    }
  }
  if (
    m.failed !== undefined &&
    (!Array.isArray(m.failed) || m.failed.some((f) => typeof f?.path !== 'string' || typeof f.error !== 'string'))
  ) {
    throw new EvidenceError(label, 'its list of failed files is malformed');
  }
  return m as Manifest;
}
