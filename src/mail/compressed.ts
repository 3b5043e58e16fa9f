// A mailbox as it is often kept or handed over: compressed (inbox.mbox.gz, a Maildir under
// Dovecot's zlib plugin). gzip, which Node reads itself, is read through as it streams; the other
// compressions a mailbox is found in are told by their first bytes and refused in words, rather
// than read as one message of binary junk.
import { createGunzip, gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { readHead } from './stream-head.js';

/** The compressions a file is told by: its first bytes. bzip2's "BZh" is followed by a level and its block magic. */
const SIGNATURES: { name: string; test: (head: Buffer) => boolean }[] = [
  { name: 'gzip', test: (head) => head[0] === 0x1f && head[1] === 0x8b },
  { name: 'bzip2', test: (head) => /^BZh[1-9]1AY&SY/.test(head.toString('latin1', 0, 10)) },
  { name: 'xz', test: (head) => head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) },
  { name: 'zstd', test: (head) => head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])) },
];

/** How many first bytes tell the compression. */
export const SIGNATURE_BYTES = 10;

/** The compression these first bytes are the start of, or null. */
export function compressionOf(head: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(head))?.name ?? null;
}

/**
 * Why a file compressed otherwise than with gzip is not read, and what to do instead: `instead`
 * for the command line (read from stdin), or an upload (decompress it, or gzip it).
 */
export function notReadCompressed(compression: string, instead: 'stdin' | 'upload' = 'stdin'): string {
  const tool = compression === 'zstd' ? 'zstd' : compression === 'bzip2' ? 'bzip2' : 'xz';
  return instead === 'stdin'
    ? `compressed with ${compression}: decompress it first (${tool} -dc FILE | clicktrace mail -)`
    : `compressed with ${compression}: decompress it first (${tool} -d FILE), or upload it gzipped`;
}

/**
 * The bytes of a stream, gunzipped when they are gzip; else as they are. `compression` names the
 * compression seen (a gzip stream that proves corrupt or cut fails the iteration, as a read error).
 */
export async function decompressed(
  chunks: AsyncIterable<Buffer | string>,
): Promise<{ compression: string | null; chunks: AsyncIterable<Buffer | string> }> {
  const { head, chunks: whole } = await readHead(chunks, (_chunk, _all, size) => size >= SIGNATURE_BYTES);
  const compression = compressionOf(head);
  if (compression !== 'gzip') return { compression, chunks: whole };
  const gunzip = createGunzip();
  const source = Readable.from(whole);
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  return { compression, chunks: gunzip };
}

/**
 * One file's bytes (a Maildir message, an uploaded message), gunzipped when gzip, up to `limit`
 * bytes: an Error past it or when corrupt, and for another compression (said as `instead` tells).
 */
export function gunzippedFile(raw: Buffer, limit: number, instead: 'stdin' | 'upload' = 'stdin'): Buffer | Error {
  const compression = compressionOf(raw);
  if (compression !== 'gzip') return compression ? new Error(notReadCompressed(compression, instead)) : raw;
  try {
    return gunzipSync(raw, { maxOutputLength: limit });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return new Error(
      e.code === 'ERR_BUFFER_TOO_LARGE' ? `message larger than ${limit} bytes once gunzipped; not read` : `gzip: ${e.message}`,
    );
  }
}
