// Writes a case folder as the capture happens: the WARC record by record (see warc-appender.ts:
// a killed process leaves a WARC that reads up to its last record), page files as they come; on
// close the HAR, WACZ, report, manifest and signature. The WARC and the report are the case: a
// failure of any other file (an exporter, a screenshot file) is recorded in the report and the
// manifest, and the case is sealed without that file.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Capture, CaptureInfo, DnsRecord, Exchange, NavEvent, PageSnapshot } from '../model.js';
import type { Report } from '../report.js';
import {
  HAR_FILE,
  MANIFEST_FILE,
  PARTIAL_FILE,
  PUBLIC_KEY_FILE,
  REPORT_FILE,
  SIGNATURE_FILE,
  UNLISTED_FILES,
  WACZ_FILE,
  WARC_FILE,
  caseFolderName,
  isSafeCasePath,
  snapshotPaths,
} from './case-layout.js';
import { dnsKey } from '../evidence/warc/case-records.js';
import {
  dnsRecord,
  eventsRecord,
  exchangeRecords,
  infoRecord,
  pageRecords,
  warcinfoRecord,
  type PageFiles,
} from '../evidence/warc/capture-records.js';
import { WarcAppender } from '../evidence/warc/warc-appender.js';
import { newRecordId } from '../evidence/warc/warc-record.js';
import { EvidenceError, writeErrorMessage } from '../evidence/errors.js';
import { writeHar } from '../evidence/har/har.js';
import { waczPages, writeWacz } from '../evidence/wacz/wacz.js';
import { sha256Hex } from '../http/checksums.js';
import { hostOf, normalizeHost } from '../http/host.js';
import { buildManifest, serializeManifest, type FailedCaseFile, type ManifestFile } from './manifest.js';
import { defaultKeyDir, loadSigningKey, signManifest, type SigningKey } from './signing.js';
import { isCaseId } from '../store/paths.js';
import { openCaseNote } from './open-case.js';
import { makeProcessFolder } from './process-folders.js';

export interface CaseWriterOptions {
  /**
   * Folder holding the Ed25519 signing key; null never signs. Default: defaultKeyDir(). The key is
   * loaded by create(), so an unusable key fails before the capture starts, not at close.
   */
  keyDir?: string | null;
  /**
   * Called once the case is sealed (manifest.json written and signed, PARTIAL removed), before
   * close() resolves: e.g. to ask a time-stamping authority for a token over the manifest.
   */
  onSealed?: (dir: string) => Promise<void>;
  /** The folder's name, chosen beforehand (a fleet server assigns it); default: start time and a random id. */
  name?: string;
}

export interface CaseWriterStats {
  records: number;
  warcBytes: number;
  /** Time spent inside add* calls so far. */
  addMs: number;
  /** Per step of close(), once closed. */
  close: { recordsMs: number; harMs: number; reportMs: number; waczMs: number; manifestMs: number; totalMs: number } | null;
}

export class CaseWriter {
  private readonly warc: WarcAppender;
  private addMs = 0;
  private closeStats: CaseWriterStats['close'] = null;
  private readonly warcinfoId = newRecordId();
  /** Files written so far, so the manifest need not read them back. */
  private readonly files = new Map<string, ManifestFile>();
  /** Files that could not be written: the case is sealed without them and says why. */
  private readonly failed: FailedCaseFile[] = [];
  private readonly writtenExchanges = new Set<string>();
  /** DNS records as last written, by host/time/source: enrichment may complete them before close. */
  private readonly writtenDns = new Map<string, string>();
  private readonly writtenPages = new Set<number>();
  private writtenEvents = 0;
  /** The last DNS record's id per host (in the one form of http/host.ts). */
  private readonly dnsRecordIds = new Map<string, string>();
  private closing: Promise<void> | null = null;
  private readonly derivedFiles = new Map<string, () => Buffer>();

  private constructor(
    /** The case folder. */
    readonly dir: string,
    /** Its name: `<UTC timestamp>-<6 hex>`. */
    readonly name: string,
    private readonly signingKey: SigningKey | null,
    private readonly onSealed: CaseWriterOptions['onSealed'] = undefined,
  ) {
    this.warc = new WarcAppender(this.warcPath);
  }

  get warcPath(): string {
    return join(this.dir, WARC_FILE);
  }

  static async create(outDir: string, info: CaptureInfo, opts: CaseWriterOptions = {}): Promise<CaseWriter> {
    if (opts.name !== undefined && !isCaseId(opts.name))
      throw new EvidenceError(outDir, `not a case folder name: ${JSON.stringify(opts.name)}`);
    const signingKey = opts.keyDir === null ? null : loadSigningKey(opts.keyDir ?? defaultKeyDir());
    await mkdir(outDir, { recursive: true });
    const started = Number.isNaN(Date.parse(info.startedAt)) ? new Date() : new Date(info.startedAt);
    for (let attempt = 0; ; attempt++) {
      const name = opts.name ?? caseFolderName(started);
      const dir = join(outDir, name);
      // Made under a hidden name with its note, then renamed into place: a case folder is never
      // seen without the note naming its writer (a process killed between the two left an empty
      // PARTIAL that named no one, so no sweep ever sealed it).
      let opening: string;
      try {
        opening = makeProcessFolder(outDir, 'opening');
      } catch (err) {
        throw new EvidenceError(dir, `cannot create the case folder (${writeErrorMessage(err)})`, err);
      }
      try {
        writeFileSync(join(opening, PARTIAL_FILE), openCaseNote());
      } catch (err) {
        rmSync(opening, { recursive: true, force: true });
        throw new EvidenceError(join(dir, PARTIAL_FILE), `cannot write (${writeErrorMessage(err)})`, err);
      }
      try {
        // Refused when a case of that name exists (it holds its note): another name is tried.
        renameSync(opening, dir);
      } catch (err) {
        rmSync(opening, { recursive: true, force: true });
        const code = (err as NodeJS.ErrnoException).code;
        if ((code === 'EEXIST' || code === 'ENOTEMPTY') && attempt < 5 && !opts.name) continue;
        throw new EvidenceError(dir, `cannot create the case folder (${writeErrorMessage(err)})`, err);
      }
      const writer = new CaseWriter(dir, name, signingKey, opts.onSealed);
      writer.timed(() =>
        writer.warc.append([warcinfoRecord(writer.warcinfoId, name, WARC_FILE, info), infoRecord(info, false, writer.warcinfoId)]),
      );
      return writer;
    }
  }

  stats(): CaseWriterStats {
    return { records: this.warc.count, warcBytes: this.warc.size, addMs: this.addMs, close: this.closeStats };
  }

  /** Writes the exchange's request and response records (or, if it failed, its request and error). */
  addExchange(ex: Exchange): void {
    this.timed(() => {
      this.warc.append(exchangeRecords(ex, this.warcinfoId, this.dnsRecordIds.get(hostOf(ex.request.url) ?? '') ?? null));
      this.writtenExchanges.add(ex.id);
    });
  }

  /** Writes a DNS answer; writing the same lookup (host, time, source) again supersedes it. */
  addDns(rec: DnsRecord): void {
    this.timed(() => {
      const record = dnsRecord(rec, this.warcinfoId);
      this.warc.append([record]);
      this.dnsRecordIds.set(normalizeHost(rec.host), record.spec.id!);
      this.writtenDns.set(dnsKey(rec), JSON.stringify(rec));
    });
  }

  addEvents(events: NavEvent[]): void {
    if (events.length === 0) return;
    this.timed(() => {
      this.warc.append([eventsRecord(events, this.warcinfoId)]);
      this.writtenEvents += events.length;
    });
  }

  /**
   * Writes the page's screenshot and DOM files and their resource records. A file that cannot be
   * written is recorded as failed; its bytes are in the WARC all the same.
   */
  addPage(p: PageSnapshot): void {
    this.timed(() => {
      const canonical = snapshotPaths(p.index, p.url);
      const files: PageFiles = { screenshot: null, dom: null, frameDom: null };
      if (p.screenshot) {
        const path = isSafeCasePath(p.screenshot.path) ? p.screenshot.path : canonical.screenshot;
        files.screenshot = this.writePageFile(path, p.screenshot.png);
      }
      if (p.dom) {
        const path = isSafeCasePath(p.dom.path) ? p.dom.path : canonical.dom;
        files.dom = this.writePageFile(path, Buffer.from(p.dom.html, 'utf8'));
      }
      if (p.frame?.dom) {
        const path = isSafeCasePath(p.frame.dom.path) ? p.frame.dom.path : canonical.frameDom;
        files.frameDom = this.writePageFile(path, Buffer.from(p.frame.dom.html, 'utf8'));
      }
      this.warc.append(pageRecords(p, files, this.warcinfoId));
      this.writtenPages.add(p.index);
    });
  }

  /**
   * A file derived from the evidence, not evidence itself (the explore screenshot with the chosen
   * box drawn on a copy): made and written when the case is closed, off the capture's path;
   * listed in the manifest, not recorded in the WARC.
   */
  addDerivedFile(path: string, make: () => Buffer): void {
    if (!isSafeCasePath(path)) throw new EvidenceError(join(this.dir, path), 'not a path inside the case folder');
    this.derivedFiles.set(path, make);
  }

  /**
   * Finishes the case: writes what `capture` holds that was not added yet (and DNS records
   * completed since they were added), the final capture info, then capture.har, case.wacz,
   * report.json, manifest.json (+ manifest.sig when a signing key exists) and removes PARTIAL.
   * A HAR or WACZ that cannot be written is left out and named in `report.failedFiles` (set on
   * the report given) and in the manifest; only a failure of the WARC, the report or the
   * manifest rejects. `capture.info` is recorded as given: the caller clears `info.partial` when
   * the capture completed. A second call returns the first call's promise.
   */
  close(capture: Capture, report: Report): Promise<void> {
    this.closing ??= Promise.resolve()
      .then(() => this.finish(capture, report))
      .then(() => this.onSealed?.(this.dir));
    return this.closing;
  }

  private async finish(capture: Capture, report: Report): Promise<void> {
    const t0 = performance.now();
    for (const ex of capture.exchanges) if (!this.writtenExchanges.has(ex.id)) this.addExchange(ex);
    for (const rec of capture.dns) if (this.writtenDns.get(dnsKey(rec)) !== JSON.stringify(rec)) this.addDns(rec);
    if (capture.events.length > this.writtenEvents) this.addEvents(capture.events.slice(this.writtenEvents));
    for (const p of capture.pages) if (!this.writtenPages.has(p.index)) this.addPage(p);
    this.warc.append([infoRecord(capture.info, true, this.warcinfoId)]);
    const warc = this.warc.close();
    this.files.set(WARC_FILE, { path: WARC_FILE, bytes: warc.bytes, sha256: warc.sha256 });
    const t1 = performance.now();

    await this.export(HAR_FILE, () => writeHar(join(this.dir, HAR_FILE), capture));
    for (const [path, make] of this.derivedFiles) {
      let data: Buffer;
      try {
        data = make();
      } catch {
        continue; // an illustration that cannot be made is left out; the evidence it derives from is whole
      }
      try {
        this.writeCaseFile(path, data);
      } catch (err) {
        this.fail(path, err);
      }
    }
    const t2 = performance.now();

    const { info } = capture;
    await this.export(WACZ_FILE, () =>
      writeWacz({
        out: join(this.dir, WACZ_FILE),
        warc: { path: this.warcPath, name: WARC_FILE, bytes: warc.bytes, sha256: warc.sha256, crc32: warc.crc32 },
        cdxj: warc.cdxj,
        pages: waczPages(capture),
        title: `clicktrace case ${this.name}`,
        description: info.url ? `${info.mode} capture of ${info.url}` : `${info.mode} capture`,
        mainPageUrl: info.url,
        mainPageDate: info.url ? info.startedAt : null,
        software: `${info.tool.name} ${info.tool.version}`,
        extras: { clicktrace: { case: this.name, mode: info.mode, startedAt: info.startedAt, endedAt: info.endedAt } },
      }),
    );
    const t3 = performance.now();

    if (this.failed.length > 0) report.failedFiles = [...this.failed];
    this.writeCaseFile(REPORT_FILE, Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
    const t4 = performance.now();

    const key = this.signingKey;
    if (key) this.writeCaseFile(PUBLIC_KEY_FILE, Buffer.from(key.publicKeyPem));
    const manifest = serializeManifest(buildManifest(this.name, info, this.listFiles(), this.failed));
    this.writeFile(MANIFEST_FILE, manifest);
    if (key) this.writeFile(SIGNATURE_FILE, signManifest(manifest, key));
    unlinkSync(join(this.dir, PARTIAL_FILE));
    const t5 = performance.now();
    this.closeStats = { recordsMs: t1 - t0, harMs: t2 - t1, waczMs: t3 - t2, reportMs: t4 - t3, manifestMs: t5 - t4, totalMs: t5 - t0 };
  }

  /** Runs one exporter; on failure its partial file is removed and the failure recorded. */
  private async export(path: string, write: () => Promise<{ bytes: number; sha256: string }> | { bytes: number; sha256: string }) {
    try {
      const written = await write();
      this.files.set(path, { path, ...written });
    } catch (err) {
      try {
        rmSync(join(this.dir, path), { force: true });
      } catch {
        // not a file (or not removable): the manifest does not list it either way
      }
      this.fail(path, err);
    }
  }

  /** Records a file that could not be written, its reason without the case folder's own path. */
  private fail(path: string, err: unknown): void {
    this.failed.push({ path, error: writeErrorMessage(err).split(`${this.dir}/`).join('') });
  }

  /** A page file; on failure recorded as failed (its bytes go into the WARC regardless). */
  private writePageFile(path: string, data: Buffer): { path: string; sha256: string } {
    const sha256 = sha256Hex(data);
    try {
      this.writeCaseFile(path, data, sha256);
    } catch (err) {
      this.fail(path, err);
    }
    return { path, sha256 };
  }

  private writeCaseFile(path: string, data: Buffer, sha256 = sha256Hex(data)): void {
    this.writeFile(path, data);
    this.files.set(path, { path, bytes: data.length, sha256 });
  }

  /** Writes a file of the case folder; an EvidenceError naming it (a full disk said plainly) when it cannot be. */
  private writeFile(path: string, data: Buffer | string): void {
    const full = join(this.dir, path);
    try {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, data);
    } catch (err) {
      throw new EvidenceError(full, `cannot write (${writeErrorMessage(err)})`, err);
    }
  }

  /** Every file in the case folder (others may have added some), hashed once. */
  private listFiles(): ManifestFile[] {
    const out: ManifestFile[] = [];
    const walk = (rel: string) => {
      for (const entry of readdirSync(join(this.dir, rel), { withFileTypes: true })) {
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile() && !UNLISTED_FILES.has(path)) {
          const known = this.files.get(path);
          if (known) out.push(known);
          else {
            const data = readFileSync(join(this.dir, path));
            out.push({ path, bytes: data.length, sha256: sha256Hex(data) });
          }
        }
      }
    };
    walk('');
    return out;
  }

  private timed(work: () => void): void {
    const start = performance.now();
    try {
      work();
    } finally {
      this.addMs += performance.now() - start;
    }
  }
}
