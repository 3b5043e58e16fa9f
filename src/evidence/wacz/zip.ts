// A minimal ZIP writer (stored entries, as WACZ wants for WARCs) and reader (stored or deflated).
// No ZIP64: a case over 4 GiB is refused with a clear error rather than written wrongly.
// Hand-written (~200 lines) rather than taken from yazl, archiver or zip.js because of how a case
// is closed: the WACZ is written synchronously in the close step, hashed (SHA-256, for the
// manifest) as it is written, and the WARC, the bulk of it, is read once, to be copied: its size
// and CRC-32 come from the case writer, which computed them while writing the WARC. Those
// libraries stream asynchronously and compute each entry's CRC themselves. The reader is what
// verify needs: the recorded CRC, sizes and offsets of each entry, to check against its bytes.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { crc32 } from '../../http/checksums.js';

const LIMIT = 0xffffffff;
const COPY_CHUNK = 1 << 20;
const MIN_CHUNK = 64 << 10;

interface CentralEntry {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

function dosTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((Math.max(1980, date.getUTCFullYear()) - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** Writes a ZIP of stored entries straight to a file, hashing (SHA-256) what it writes. */
export class StoredZipWriter {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private readonly entries: CentralEntry[] = [];
  private offset = 0;
  /** The one copy buffer of this writer (see copyBuffer). */
  private chunk: Buffer | null = null;

  constructor(
    readonly path: string,
    private readonly modified = new Date(),
  ) {
    this.fd = openSync(path, 'w');
  }

  addBuffer(name: string, data: Buffer): void {
    this.writeLocalHeader(name, data.length, crc32(data));
    this.write(data);
  }

  /** Copies a file in chunks; `known` saves the first pass when the caller tracked size and CRC. */
  addFile(name: string, path: string, known?: { size: number; crc32: number }): void {
    const fd = openSync(path, 'r');
    try {
      const chunk = this.copyBuffer(known?.size ?? fstatSync(fd).size);
      const info = known ?? scanFile(fd, chunk);
      this.writeLocalHeader(name, info.size, info.crc32);
      let copied = 0;
      while (copied < info.size) {
        const n = readSync(fd, chunk, 0, Math.min(chunk.length, info.size - copied), copied);
        if (n === 0) throw new Error(`${path} shrank while being copied into ${this.path}`);
        this.write(chunk.subarray(0, n));
        copied += n;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Writes the central directory and closes the file. */
  finish(): { bytes: number; sha256: string } {
    try {
      const start = this.offset;
      for (const e of this.entries) {
        const header = Buffer.alloc(46);
        header.writeUInt32LE(0x02014b50, 0);
        header.writeUInt16LE(20, 4); // made by: 2.0
        header.writeUInt16LE(20, 6); // needed: 2.0
        header.writeUInt16LE(0x0800, 8); // UTF-8 names
        header.writeUInt16LE(0, 10); // stored
        header.writeUInt16LE(e.time, 12);
        header.writeUInt16LE(e.date, 14);
        header.writeUInt32LE(e.crc, 16);
        header.writeUInt32LE(e.size, 20);
        header.writeUInt32LE(e.size, 24);
        header.writeUInt16LE(e.name.length, 28);
        header.writeUInt32LE(e.offset, 42);
        this.write(header);
        this.write(e.name);
      }
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(this.entries.length, 8);
      end.writeUInt16LE(this.entries.length, 10);
      end.writeUInt32LE(this.offset - start, 12);
      end.writeUInt32LE(start, 16);
      this.write(end);
      return { bytes: this.offset, sha256: this.hash.digest('hex') };
    } finally {
      closeSync(this.fd);
    }
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }

  private writeLocalHeader(name: string, size: number, crc: number): void {
    const nameBytes = Buffer.from(name, 'utf8');
    if (size > LIMIT || this.offset + size + 1024 > LIMIT || this.entries.length >= 0xffff) {
      throw new Error(`${this.path} would exceed 4 GiB or 65535 entries (ZIP64 is not supported)`);
    }
    const { time, date } = dosTime(this.modified);
    this.entries.push({ name: nameBytes, crc, size, offset: this.offset, time, date });
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0800, 6);
    header.writeUInt16LE(0, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(size, 18);
    header.writeUInt32LE(size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    this.write(header);
    this.write(nameBytes);
  }

  /**
   * One buffer per writer, no larger than its largest file needs (at most 1 MiB). A buffer per file
   * was 14 MiB of memory outside the JavaScript heap per packed case; V8 answers that much with a
   * full garbage collection, which came to one per case in a fleet worker (~15 ms each).
   */
  private copyBuffer(size: number): Buffer {
    const want = Math.max(MIN_CHUNK, Math.min(size, COPY_CHUNK));
    if (!this.chunk || this.chunk.length < want) this.chunk = Buffer.allocUnsafe(want);
    return this.chunk;
  }

  private write(data: Buffer): void {
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done);
    this.hash.update(data);
    this.offset += data.length;
  }
}

function scanFile(fd: number, chunk: Buffer): { size: number; crc32: number } {
  let size = 0;
  let crc = 0;
  for (let n; (n = readSync(fd, chunk, 0, chunk.length, size)) > 0; size += n) crc = crc32(chunk.subarray(0, n), crc);
  return { size, crc32: crc };
}

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** General purpose flags (bit 0: encrypted). */
  flags: number;
  /** Upper byte of "version made by": 3 is Unix, whose file mode (S_IFLNK, S_IFDIR...) is the high 16 bits of externalAttributes. */
  madeBy: number;
  externalAttributes: number;
}

/** Lists the central directory; throws an Error saying what is wrong with the structure. */
export function readZipDirectory(zip: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  let pos = zip.readUInt32LE(eocd + 16);
  if (pos + size > eocd) throw new Error('central directory outside the file');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (pos + 46 > eocd || zip.readUInt32LE(pos) !== 0x02014b50) throw new Error(`bad central directory entry ${i + 1}`);
    const nameLength = zip.readUInt16LE(pos + 28);
    const extraLength = zip.readUInt16LE(pos + 30);
    const commentLength = zip.readUInt16LE(pos + 32);
    entries.push({
      name: zip.toString('utf8', pos + 46, pos + 46 + nameLength),
      madeBy: zip.readUInt8(pos + 5),
      flags: zip.readUInt16LE(pos + 8),
      externalAttributes: zip.readUInt32LE(pos + 38),
      method: zip.readUInt16LE(pos + 10),
      crc32: zip.readUInt32LE(pos + 16),
      compressedSize: zip.readUInt32LE(pos + 20),
      size: zip.readUInt32LE(pos + 24),
      localHeaderOffset: zip.readUInt32LE(pos + 42),
    });
    pos += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** An entry's bytes, CRC-checked; throws an Error naming the entry when they are wrong. */
export function readZipEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== 0x04034b50) throw new Error(`${entry.name}: bad local header`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new Error(`${entry.name}: data runs past the end of the file`);
  const raw = zip.subarray(start, end);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = zlib.inflateRawSync(raw);
    } catch (err) {
      throw new Error(`${entry.name}: corrupt deflate data (${(err as Error).message})`, { cause: err });
    }
  } else throw new Error(`${entry.name}: unsupported compression method ${entry.method}`);
  if (data.length !== entry.size) throw new Error(`${entry.name}: size ${data.length} differs from the directory's ${entry.size}`);
  if (crc32(data) !== entry.crc32) throw new Error(`${entry.name}: CRC-32 mismatch`);
  return data;
}
