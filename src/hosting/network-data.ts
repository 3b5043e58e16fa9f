// The offline IP data behind each hop's network: autonomous system from @ip-location-db/asn
// (compiled once into a table cached under the clicktrace home, see asn-table.ts) and country
// from @ip-location-db/geo-whois-asn-country-mmdb (an MMDB, read with `maxmind`). Both are npm
// packages: nothing is ever looked up over the network.
//
// Nothing is read whole until it is needed: the AS table is searched in its file, and the country
// MMDB (which `maxmind` reads whole, 8 MB) is read at the first public address looked up. A trace
// of private or loopback addresses reads neither; before, a cold trace read both (19 MB, ~100 ms
// of CPU on 2 cores, most of it page faults) while Chromium started. The first use on a machine
// compiles the table in a worker thread, so the trace goes on meanwhile. When the packages are
// missing the lookup still labels special blocks.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HopNetwork, NetworkDataSource, Report } from '../report.js';
import { clicktraceHome } from '../home.js';
import { workerModule } from '../worker-module.js';
import type * as Maxmind from 'maxmind';
import { AsnTable, buildAsnTable } from './asn-table.js';
import { parseAddress, specialNetwork } from './special-addresses.js';

export const ASN_PACKAGE = '@ip-location-db/asn';
export const COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
const COUNTRY_FILE = 'geo-whois-asn-country.mmdb';
const ASN_CSV = { v4: 'asn-ipv4-num.csv', v6: 'asn-ipv6-num.csv' };
/** Bumped when the table's layout changes, so that old cached tables are not read. */
const TABLE_FORMAT = 1;

export type NetworkData = NonNullable<Report['networkData']>;

export interface NetworkLookup {
  /** What answered (recorded in the report); null when no data package is installed. */
  readonly data: NetworkData | null;
  /** The network of an address; null when it is not an IP address, or public with no data installed. */
  lookup(address: string): HopNetwork | null;
  /** Reads ahead what looking this address up will need; resolves when it is ready (never rejects). */
  prefetch(address: string): Promise<void>;
}

interface CountryReader {
  get(ip: string): { country_code?: string } | null;
}

class OfflineLookup implements NetworkLookup {
  readonly data: NetworkData | null;
  private readonly source: string | null;

  constructor(
    private readonly asn: { table: AsnTable; source: NetworkDataSource } | null,
    private readonly country: { reader: CountryFile; source: NetworkDataSource } | null,
  ) {
    this.data = asn || country ? { asn: asn?.source ?? null, country: country?.source ?? null } : null;
    const primary = asn?.source ?? country?.source ?? null;
    this.source = primary ? `${primary.package}@${primary.version}` : null;
  }

  prefetch(address: string): Promise<void> {
    const parsed = parseAddress(address);
    return parsed && !specialNetwork(parsed) && this.country ? this.country.reader.prefetch() : Promise.resolve();
  }

  lookup(address: string): HopNetwork | null {
    const parsed = parseAddress(address);
    if (!parsed) return null;
    const special = specialNetwork(parsed);
    if (special) return { special };
    if (!this.source) return null;
    const as = this.asn?.table.lookup(parsed.toByteArray()) ?? null;
    let country: string | null;
    try {
      country = this.country?.reader.get(parsed.toString())?.country_code ?? null;
    } catch {
      country = null;
    }
    return {
      asn: as?.asn ?? null,
      name: as?.name ?? null,
      country,
      source: this.source,
      sourceDate: this.asn?.source.date ?? this.country?.source.date ?? null,
    };
  }
}

/** Labels special blocks only: what the analysis uses when it is given no data. */
export const SPECIAL_ONLY: NetworkLookup = new OfflineLookup(null, null);

const loaded = new Map<string, Promise<NetworkLookup>>();

/**
 * The installed data, loaded once per process (per clicktrace home). Never rejects: what cannot
 * be loaded is left out (and `data` says what was used).
 */
export function loadNetworkData(home = clicktraceHome()): Promise<NetworkLookup> {
  let promise = loaded.get(home);
  if (!promise) {
    promise = load(home);
    loaded.set(home, promise);
  }
  return promise;
}

async function load(home: string): Promise<NetworkLookup> {
  return new OfflineLookup(await loadAsn(home).catch(() => null), loadCountry());
}

const requireFromHere = createRequire(import.meta.url);

/** The folder and version of an installed package, or null. */
function installedPackage(name: string): { dir: string; version: string } | null {
  try {
    const manifest = requireFromHere.resolve(`${name}/package.json`);
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    return { dir: dirname(manifest), version };
  } catch {
    return null;
  }
}

/** ip-location-db versions end in the build's date and hour: 2.3.2026061719 -> 2026-06-17. */
export function dateOfVersion(version: string): string | null {
  const m = /\.(\d{4})(\d{2})(\d{2})\d{0,2}$/.exec(version);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

export function asnSource(version: string): NetworkDataSource {
  return {
    package: ASN_PACKAGE,
    version,
    date: dateOfVersion(version),
    licence: 'CC BY 4.0',
    attribution:
      'RouteViews (routeviews.org), NRO (nro.net) and DB-IP IP to ASN Lite (https://db-ip.com), via ip-location-db;' +
      ' approximate: the published data is known to contain errors',
  };
}

/** Where the compiled table of one version of the AS data is cached. */
export function asnTablePath(home: string, version: string): string {
  return join(home, 'ip-data', `asn-${version}.f${TABLE_FORMAT}.table`);
}

async function loadAsn(home: string): Promise<{ table: AsnTable; source: NetworkDataSource } | null> {
  const pkg = installedPackage(ASN_PACKAGE);
  if (!pkg) return null;
  const path = asnTablePath(home, pkg.version);
  const label = `${ASN_PACKAGE}@${pkg.version}`;
  let table: AsnTable | null;
  try {
    table = AsnTable.open(path);
    if (table.label !== label) table = null;
  } catch {
    table = null;
  }
  if (!table) table = AsnTable.read(await compileAsnTable(pkg.dir, label, path));
  return { table, source: asnSource(pkg.version) };
}

/**
 * The country MMDB, read at the first public address: `maxmind` reads a database whole (8 MB).
 * prefetch() reads it in the background (a trace does when its first public address is
 * recorded), so that the analysis does not wait for it; get() reads it at once if it must.
 */
class CountryFile implements CountryReader {
  private reader: CountryReader | null | undefined;
  private loading: Promise<void> | null = null;

  constructor(private readonly path: string) {}

  get(ip: string): { country_code?: string } | null {
    if (this.reader === undefined) {
      try {
        this.reader = this.open(readFileSync(this.path));
      } catch {
        this.reader = null;
      }
    }
    return this.reader?.get(ip) ?? null;
  }

  prefetch(): Promise<void> {
    this.loading ??= readFile(this.path).then(
      (bytes) => void (this.reader ??= this.open(bytes)),
      () => void (this.reader ??= null),
    );
    return this.loading;
  }

  private open(bytes: Buffer): CountryReader {
    const { Reader } = requireFromHere('maxmind') as typeof Maxmind;
    // This database's records are `{ country_code }`, none of the MaxMind record types maxmind declares.
    return new Reader(bytes) as unknown as CountryReader;
  }
}

function loadCountry(): { reader: CountryFile; source: NetworkDataSource } | null {
  const pkg = installedPackage(COUNTRY_PACKAGE);
  if (!pkg) return null;
  const path = join(pkg.dir, COUNTRY_FILE);
  if (!existsSync(path)) return null;
  return {
    reader: new CountryFile(path),
    source: {
      package: COUNTRY_PACKAGE,
      version: pkg.version,
      // The build's date, which ip-location-db versions end in (the MMDB's build epoch says the same; it is not read here).
      date: dateOfVersion(pkg.version),
      licence: 'CC BY 4.0 (NRO), CC0',
      attribution: 'GeoFeed, RIR whois and AS data of the NRO (nro.net), via ip-location-db geo-whois-asn-country',
    },
  };
}

export interface CompileJob {
  dir: string;
  label: string;
  out: string;
}

/**
 * Compiles the CSVs of `dir` and caches the table in `out` (written atomically: two processes may
 * race). A cache that cannot be written (a read-only home) only costs the next run a compile.
 */
export async function compileAsnTableHere(job: CompileJob): Promise<Buffer> {
  const [v4, v6] = await Promise.all([readFile(join(job.dir, ASN_CSV.v4)), readFile(join(job.dir, ASN_CSV.v6))]);
  const table = buildAsnTable(v4, v6, job.label);
  const temp = `${job.out}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dirname(job.out), { recursive: true });
    await writeFile(temp, table);
    await rename(temp, job.out);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
  return table;
}

/** Compiling takes about half a second of CPU: in a worker thread, so that a trace goes on meanwhile. */
async function compileAsnTable(dir: string, label: string, out: string): Promise<Buffer> {
  const worker = workerModule(import.meta.url, 'table-worker.js', 'ip-table-worker.mjs');
  const job: CompileJob = { dir, label, out };
  if (!worker) return compileAsnTableHere(job);
  // A worker that cannot start (e.g. under flags a worker refuses) leaves the work to this thread.
  return inWorker(worker, job).catch(() => compileAsnTableHere(job));
}

function inWorker(worker: string, job: CompileJob): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const thread = new Worker(worker, { workerData: job });
    thread.once('message', (reply: { table?: Uint8Array; error?: string }) =>
      reply.table
        ? resolve(Buffer.from(reply.table.buffer, reply.table.byteOffset, reply.table.byteLength))
        : reject(new Error(reply.error)),
    );
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`AS table worker exited with ${code} before answering`)));
  });
}
