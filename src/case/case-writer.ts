// Writes a case folder as the capture happens: the WARC record by record (each its own gzip
// member, written synchronously, so a killed process leaves a WARC that reads up to its last
// record), page files as they come; on close the HAR, report, WACZ, manifest and signature.
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Capture, CaptureInfo, DnsRecord, Exchange, HeaderLine, NavEvent, PageSnapshot } from '../model.js';
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
import {
  FORMAT_VERSION,
  JSON_TYPE,
  PEM_TYPE,
  certificatesPem,
  dnsKey,
  urn,
  type EventsRecordBody,
  type ExchangeRecordBody,
  type InfoRecordBody,
  type PageRecordBody,
  type TlsRecordBody,
} from '../evidence/warc/case-records.js';
import { CdxjIndex, indexedMime, type CdxjRecord } from '../evidence/wacz/cdxj.js';
import { EvidenceError, errorMessage } from '../evidence/errors.js';
import { toHar } from '../evidence/har/har.js';
import { headEncodingFor, headerValue, requestHeadText, responseHeadText } from '../http/wire.js';
import { buildManifest, serializeManifest, type ManifestFile } from './manifest.js';
import { defaultKeyDir, loadSigningKey, signManifest, type SigningKey } from './signing.js';
import { waczPages, writeWacz } from '../evidence/wacz/wacz.js';
import {
  gzipMember,
  newRecordId,
  serializeRecord,
  sha256Hex,
  warcDate,
  warcTargetUri,
  type WarcRecordSpec,
} from '../evidence/warc/warc-record.js';
import { crc32 } from '../evidence/wacz/zip.js';

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
}

export interface CaseWriterStats {
  records: number;
  warcBytes: number;
  /** Time spent inside add* calls so far. */
  addMs: number;
  /** Per step of close(), once closed. */
  close: { recordsMs: number; harMs: number; reportMs: number; waczMs: number; manifestMs: number; totalMs: number } | null;
}

/** A record ready to append, with what the CDXJ index needs (offsets are filled in on append). */
interface PendingRecord {
  spec: WarcRecordSpec;
  /** The payload is compressed already (PNG, content-encoded body): store, do not deflate. */
  payloadCompressed?: boolean;
  index?: Omit<CdxjRecord, 'offset' | 'length' | 'payloadDigest' | 'targetUri' | 'warcDate'>;
}

const HTTP_REQUEST_TYPE = 'application/http; msgtype=request';
const HTTP_RESPONSE_TYPE = 'application/http; msgtype=response';

export class CaseWriter {
  private warcFd: number | null;
  private warcBytes = 0;
  private readonly warcHash = createHash('sha256');
  private warcCrc = 0;
  private recordCount = 0;
  private addMs = 0;
  private closeStats: CaseWriterStats['close'] = null;
  private readonly warcinfoId = newRecordId();
  private readonly cdxj = new CdxjIndex(WARC_FILE);
  /** Files written so far, so the manifest need not read them back. */
  private readonly files = new Map<string, ManifestFile>();
  private readonly writtenExchanges = new Set<string>();
  /** DNS records as last written, by host/time/source: enrichment may complete them before close. */
  private readonly writtenDns = new Map<string, string>();
  private readonly writtenPages = new Set<number>();
  private writtenEvents = 0;
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
    this.warcFd = openSync(this.warcPath, 'wx');
  }

  get warcPath(): string {
    return join(this.dir, WARC_FILE);
  }

  static async create(outDir: string, info: CaptureInfo, opts: CaseWriterOptions = {}): Promise<CaseWriter> {
    const signingKey = opts.keyDir === null ? null : loadSigningKey(opts.keyDir ?? defaultKeyDir());
    await mkdir(outDir, { recursive: true });
    const started = Number.isNaN(Date.parse(info.startedAt)) ? new Date() : new Date(info.startedAt);
    for (let attempt = 0; ; attempt++) {
      const name = caseFolderName(started);
      const dir = join(outDir, name);
      try {
        mkdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
        throw new EvidenceError(dir, `cannot create the case folder (${errorMessage(err)})`);
      }
      writeFileSync(join(dir, PARTIAL_FILE), `capture in progress since ${new Date().toISOString()}; removed when the case is closed\n`);
      const writer = new CaseWriter(dir, name, signingKey, opts.onSealed);
      writer.timed(() => writer.append([writer.warcinfoRecord(info), infoRecord(info, false, writer.warcinfoId)]));
      return writer;
    }
  }

  stats(): CaseWriterStats {
    return { records: this.recordCount, warcBytes: this.warcBytes, addMs: this.addMs, close: this.closeStats };
  }

  /** Writes the exchange's request and response records (or, if it failed, its request and error). */
  addExchange(ex: Exchange): void {
    this.timed(() => {
      this.append(this.exchangeRecords(ex));
      this.writtenExchanges.add(ex.id);
    });
  }

  /** Writes a DNS answer; writing the same lookup (host, time, source) again supersedes it. */
  addDns(rec: DnsRecord): void {
    this.timed(() => {
      const spec = jsonRecord(urn.dns(rec.host), rec.at, rec, this.warcinfoId);
      this.append([{ spec, index: { mime: JSON_TYPE } }]);
      this.dnsRecordIds.set(rec.host.toLowerCase(), spec.id!);
      this.writtenDns.set(dnsKey(rec), JSON.stringify(rec));
    });
  }

  addEvents(events: NavEvent[]): void {
    if (events.length === 0) return;
    this.timed(() => {
      const body: EventsRecordBody = { events };
      this.append([{ spec: jsonRecord(urn.events, events[0].at, body, this.warcinfoId), index: { mime: JSON_TYPE } }]);
      this.writtenEvents += events.length;
    });
  }

  /** Writes the page's screenshot and DOM files and their resource records. */
  addPage(p: PageSnapshot): void {
    this.timed(() => {
      const canonical = snapshotPaths(p.index, p.url);
      const date = warcDate(p.at);
      const records: PendingRecord[] = [];
      const body: PageRecordBody = { index: p.index, at: p.at, pageId: p.pageId, url: p.url, title: p.title, screenshot: null, dom: null };
      if (p.screenshot) {
        const path = isSafeCasePath(p.screenshot.path) ? p.screenshot.path : canonical.screenshot;
        const sha256 = sha256Hex(p.screenshot.png);
        this.writeCaseFile(path, p.screenshot.png, sha256);
        const spec = resourceRecord(urn.screenshot(p.url), date, 'image/png', p.screenshot.png, this.warcinfoId, sha256);
        records.push({ spec, payloadCompressed: true, index: { mime: 'image/png' } });
        body.screenshot = { path, record: spec.id! };
      }
      if (p.dom) {
        const path = isSafeCasePath(p.dom.path) ? p.dom.path : canonical.dom;
        const html = Buffer.from(p.dom.html, 'utf8');
        const sha256 = sha256Hex(html);
        this.writeCaseFile(path, html, sha256);
        const spec = resourceRecord(urn.dom(p.url), date, 'text/html; charset=utf-8', html, this.warcinfoId, sha256);
        records.push({ spec, index: { mime: 'text/html; charset=utf-8' } });
        body.dom = { path, record: spec.id! };
      }
      const page = jsonRecord(urn.page(p.index), p.at, body, this.warcinfoId);
      page.fields!.push(...records.map((r): [string, string] => ['WARC-Concurrent-To', r.spec.id!]));
      records.push({ spec: page, index: { mime: JSON_TYPE } });
      this.append(records);
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
   * completed since they were added), the final capture info,
   * then capture.har, report.json, case.wacz, manifest.json (+ manifest.sig when a signing key
   * exists) and removes PARTIAL. `capture.info` is recorded as given: the caller clears
   * `info.partial` when the capture completed. A second call returns the first call's promise.
   */
  close(capture: Capture, report: Report): Promise<void> {
    this.closing ??= Promise.resolve()
      .then(() => this.finish(capture, report))
      .then(() => this.onSealed?.(this.dir));
    return this.closing;
  }

  private finish(capture: Capture, report: Report): void {
    const t0 = performance.now();
    for (const ex of capture.exchanges) if (!this.writtenExchanges.has(ex.id)) this.addExchange(ex);
    for (const rec of capture.dns) if (this.writtenDns.get(dnsKey(rec)) !== JSON.stringify(rec)) this.addDns(rec);
    if (capture.events.length > this.writtenEvents) this.addEvents(capture.events.slice(this.writtenEvents));
    for (const p of capture.pages) if (!this.writtenPages.has(p.index)) this.addPage(p);
    this.append([infoRecord(capture.info, true, this.warcinfoId)]);
    closeSync(this.warcFd!);
    this.warcFd = null;
    const warcSha256 = this.warcHash.digest('hex');
    this.files.set(WARC_FILE, { path: WARC_FILE, bytes: this.warcBytes, sha256: warcSha256 });
    const t1 = performance.now();

    this.writeCaseFile(HAR_FILE, Buffer.from(`${JSON.stringify(toHar(capture), null, 2)}\n`));
    for (const [path, make] of this.derivedFiles) {
      let data: Buffer;
      try {
        data = make();
      } catch {
        continue; // an illustration that cannot be made is left out; the evidence it derives from is whole
      }
      this.writeCaseFile(path, data);
    }
    const t2 = performance.now();
    this.writeCaseFile(REPORT_FILE, Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
    const t3 = performance.now();

    const { info } = capture;
    const wacz = writeWacz({
      out: join(this.dir, WACZ_FILE),
      warc: { path: this.warcPath, name: WARC_FILE, bytes: this.warcBytes, sha256: warcSha256, crc32: this.warcCrc },
      cdxj: this.cdxj.text(),
      pages: waczPages(capture),
      title: `clicktrace case ${this.name}`,
      description: info.url ? `${info.mode} capture of ${info.url}` : `${info.mode} capture`,
      mainPageUrl: info.url,
      mainPageDate: info.url ? info.startedAt : null,
      software: `${info.tool.name} ${info.tool.version}`,
      extras: { clicktrace: { case: this.name, mode: info.mode, startedAt: info.startedAt, endedAt: info.endedAt } },
    });
    this.files.set(WACZ_FILE, { path: WACZ_FILE, bytes: wacz.bytes, sha256: wacz.sha256 });
    const t4 = performance.now();

    const key = this.signingKey;
    if (key) this.writeCaseFile(PUBLIC_KEY_FILE, Buffer.from(key.publicKeyPem));
    const manifest = serializeManifest(buildManifest(this.name, info, this.listFiles()));
    writeFileSync(join(this.dir, MANIFEST_FILE), manifest);
    if (key) writeFileSync(join(this.dir, SIGNATURE_FILE), signManifest(manifest, key));
    unlinkSync(join(this.dir, PARTIAL_FILE));
    const t5 = performance.now();
    this.closeStats = { recordsMs: t1 - t0, harMs: t2 - t1, reportMs: t3 - t2, waczMs: t4 - t3, manifestMs: t5 - t4, totalMs: t5 - t0 };
  }

  private exchangeRecords(ex: Exchange): PendingRecord[] {
    const { request: req, response: res } = ex;
    const requestHead = requestHeadText(req);
    const responseHead = res ? responseHeadText(res) : '';
    const headEncoding = headEncodingFor(requestHead, responseHead);
    const date = warcDate(ex.startedAt);
    const common: [string, string][] = [['WARC-Warcinfo-ID', this.warcinfoId]];
    if (ex.remoteAddress) common.push(['WARC-IP-Address', ex.remoteAddress]);
    for (const protocol of wireProtocols(ex)) common.push(['WARC-Protocol', protocol]);

    const records: PendingRecord[] = [];
    let anchorId: string;
    const body: ExchangeRecordBody = {
      id: ex.id,
      startedAt: ex.startedAt,
      endedAt: ex.endedAt,
      url: req.url,
      remoteAddress: ex.remoteAddress,
      remotePort: ex.remotePort,
      error: ex.error,
      timing: ex.timing,
      headEncoding,
      dns: this.dnsRecordIds.get(hostOf(req.url)) ?? null,
      request: {
        record: null,
        method: req.method,
        httpVersion: req.httpVersion,
        headers: req.headers,
        bodyBase64: req.body.toString('base64'),
      },
      response: null,
    };
    if (res) {
      const requestId = newRecordId();
      const responseId = newRecordId();
      anchorId = responseId;
      records.push({
        spec: {
          type: 'request',
          id: requestId,
          date,
          targetUri: req.url,
          contentType: HTTP_REQUEST_TYPE,
          fields: [...common, ['WARC-Concurrent-To', responseId]],
          httpHead: Buffer.from(requestHead, headEncoding),
          payload: req.body,
          digestPayload: true,
        },
      });
      const responseFields: [string, string][] = [...common, ['WARC-Concurrent-To', requestId]];
      if (ex.tls?.cipher) responseFields.push(['WARC-Cipher-Suite', ex.tls.cipher]);
      if (res.bodyTruncated) responseFields.push(['WARC-Truncated', 'length']);
      records.push({
        spec: {
          type: 'response',
          id: responseId,
          date,
          targetUri: req.url,
          contentType: HTTP_RESPONSE_TYPE,
          fields: responseFields,
          httpHead: Buffer.from(responseHead, headEncoding),
          payload: res.body,
          digestPayload: true,
        },
        payloadCompressed: isCompressedPayload(res.headers),
        index: {
          mime: indexedMime(res.headers),
          status: res.status,
          request: { method: req.method, headers: req.headers, body: req.body },
        },
      });
      body.request = { record: requestId, httpVersion: req.httpVersion };
      body.response = { record: responseId, httpVersion: res.httpVersion, bodyTruncated: res.bodyTruncated, bodyLength: res.bodyLength };
    }
    // The exchange record goes last: when it is in the WARC, all of the exchange is.
    const meta = jsonRecord(urn.exchange(ex.id), ex.startedAt, body, this.warcinfoId);
    if (res) meta.fields!.push(['WARC-Refers-To', anchorId!], ['WARC-Concurrent-To', anchorId!]);
    anchorId ??= meta.id!;

    if (ex.tls) {
      const links: [string, string][] = [
        ['WARC-Refers-To', anchorId],
        ['WARC-Concurrent-To', anchorId],
      ];
      let certificatesId: string | null = null;
      if (ex.tls.chain.length > 0) {
        const pem = Buffer.from(certificatesPem(ex.tls.chain));
        const spec: WarcRecordSpec = {
          type: 'metadata',
          id: newRecordId(),
          date,
          targetUri: urn.certificates(ex.id),
          contentType: PEM_TYPE,
          fields: [['WARC-Warcinfo-ID', this.warcinfoId], ...links],
          payload: pem,
          digestPayload: false,
        };
        certificatesId = spec.id!;
        records.push({ spec, index: { mime: PEM_TYPE } });
      }
      const tlsBody: TlsRecordBody = {
        exchange: ex.id,
        certificates: certificatesId,
        tls: { ...ex.tls, chain: ex.tls.chain.map(({ der: _der, ...rest }) => rest) },
      };
      const tls = jsonRecord(urn.tls(ex.id), ex.startedAt, tlsBody, this.warcinfoId);
      tls.fields!.push(...links);
      records.push({ spec: tls, index: { mime: JSON_TYPE } });
    }
    records.push({ spec: meta, index: { mime: JSON_TYPE } });
    return records;
  }

  private warcinfoRecord(info: CaptureInfo): PendingRecord {
    const fields: [string, string | null | undefined][] = [
      ['software', `${info.tool.name}/${info.tool.version}`],
      ['format', 'WARC File Format 1.1'],
      ['conformsTo', 'http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/'],
      ['isPartOf', this.name],
      ['mode', info.mode],
      ['url', info.url],
      ['browser', info.browser ? `${info.browser.name} ${info.browser.version}` : null],
      ['browser-flags', info.browser?.flags ? info.browser.flags.join(' ') : null],
      ['browser-user', info.browser?.user],
      ['http-header-user-agent', info.identity?.userAgent],
      ['device', info.identity?.device],
      ['viewport', info.identity ? `${info.identity.viewport.width}x${info.identity.viewport.height}` : null],
      ['locale', info.identity?.locale],
      ['timezone', info.identity?.timezone],
      ['accept-language', info.identity?.acceptLanguage],
      [
        'webgl-renderer-shown',
        info.identity?.webgl ? `${info.identity.webgl.vendor} / ${info.identity.webgl.renderer} (in place of a software renderer)` : null,
      ],
      ['resolver-overrides', JSON.stringify(info.resolver.overrides)],
      ['dns-server', info.resolver.dnsServer],
      ['command-line', JSON.stringify(info.commandLine)],
      ['clicks', info.clicks.length > 0 ? JSON.stringify(info.clicks) : null],
      ['started', info.startedAt],
    ];
    const text = fields
      .filter((f): f is [string, string] => typeof f[1] === 'string')
      .map(([name, value]) => `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`)
      .join('');
    return {
      spec: {
        type: 'warcinfo',
        id: this.warcinfoId,
        date: warcDate(info.startedAt),
        contentType: 'application/warc-fields',
        fields: [['WARC-Filename', WARC_FILE]],
        payload: Buffer.from(text, 'utf8'),
        digestPayload: false,
      },
    };
  }

  /** Serialises, compresses and writes the records in one write; on failure the WARC is cut back. */
  private append(records: PendingRecord[]): void {
    if (this.warcFd === null) throw new EvidenceError(this.warcPath, 'the case is closed; nothing more can be added');
    const members: Buffer[] = [];
    let offset = this.warcBytes;
    const entries: CdxjRecord[] = [];
    for (const pending of records) {
      const record = serializeRecord(pending.spec);
      const member = gzipMember(record.bytes, pending.payloadCompressed ?? false);
      if (pending.index) {
        entries.push({
          ...pending.index,
          targetUri: warcTargetUri(pending.spec.targetUri!),
          warcDate: pending.spec.date,
          payloadDigest: record.payloadDigest,
          offset,
          length: member.length,
        });
      }
      members.push(member);
      offset += member.length;
    }
    const data = members.length === 1 ? members[0] : Buffer.concat(members);
    try {
      let done = 0;
      while (done < data.length) done += writeSync(this.warcFd, data, done, data.length - done, this.warcBytes + done);
    } catch (err) {
      try {
        ftruncateSync(this.warcFd, this.warcBytes);
      } catch {
        // the WARC reader treats a cut tail as truncation
      }
      throw new EvidenceError(this.warcPath, `cannot write WARC records (${errorMessage(err)})`);
    }
    this.warcBytes += data.length;
    this.warcHash.update(data);
    this.warcCrc = crc32(data, this.warcCrc);
    this.recordCount += records.length;
    for (const entry of entries) this.cdxj.add(entry);
  }

  private writeCaseFile(path: string, data: Buffer, sha256 = sha256Hex(data)): void {
    const full = join(this.dir, path);
    try {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, data);
    } catch (err) {
      throw new EvidenceError(full, `cannot write (${errorMessage(err)})`);
    }
    this.files.set(path, { path, bytes: data.length, sha256 });
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

function infoRecord(info: CaptureInfo, final: boolean, warcinfoId: string): PendingRecord {
  const body: InfoRecordBody = { format: FORMAT_VERSION, final, info };
  const spec = jsonRecord(urn.info, final ? (info.endedAt ?? new Date().toISOString()) : info.startedAt, body, warcinfoId);
  spec.fields!.push(['WARC-Refers-To', warcinfoId]);
  return { spec, index: { mime: JSON_TYPE } };
}

function jsonRecord(targetUri: string, at: string | null, body: unknown, warcinfoId: string): WarcRecordSpec {
  return {
    type: 'metadata',
    id: newRecordId(),
    date: warcDate(at),
    targetUri,
    contentType: JSON_TYPE,
    fields: [['WARC-Warcinfo-ID', warcinfoId]],
    payload: Buffer.from(JSON.stringify(body)),
    digestPayload: false,
  };
}

function resourceRecord(
  targetUri: string,
  date: string,
  contentType: string,
  payload: Buffer,
  warcinfoId: string,
  payloadSha256: string,
): WarcRecordSpec {
  return {
    payloadSha256,
    type: 'resource',
    id: newRecordId(),
    date,
    targetUri,
    contentType,
    fields: [['WARC-Warcinfo-ID', warcinfoId]],
    payload,
    digestPayload: true,
  };
}

/** WARC-Protocol values (IIPC WARC 1.1 extension): `http/1.1`, `tls/1.3`. */
function wireProtocols(ex: Exchange): string[] {
  const protocols = [`http/${ex.request.httpVersion.replace(/^HTTP\//i, '')}`.toLowerCase()];
  const tls = ex.tls?.protocol?.match(/^TLSv?(\d(?:\.\d)?)$/i);
  if (tls) protocols.push(`tls/${tls[1]}`);
  return protocols;
}

const COMPRESSED_TYPES =
  /^\s*(image\/(png|jpe?g|gif|webp|avif)|video\/|audio\/|font\/woff2?|application\/(zip|gzip|x-gzip|zstd|x-7z-compressed))/i;

function isCompressedPayload(headers: HeaderLine[]): boolean {
  const encoding = headerValue(headers, 'content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity' && encoding.trim() !== '') return true;
  return COMPRESSED_TYPES.test(headerValue(headers, 'content-type') ?? '');
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}
