// Decrypting a PDF that opens without a password: the standard security handler with an empty user
// password (only an owner password set, "secured" against editing or printing), as every viewer
// opens it and as most encrypted phishing PDFs are. RC4 (40 to 128 bits, V1/V2, or V4's /V2 crypt
// filter), AES-128 (V4 /AESV2) and AES-256 (V5, revisions 5 and 6) are read (ISO 32000-1 7.6.3,
// ISO 32000-2 7.6.4). A file locked with a user password is tried with the passwords its message
// gives ("PDF password: 123": the lure tells its reader, not the gateway); one none opens, or
// another security handler (certificates, /Adobe.PubSec), is said so.

import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { hexString, literalString } from './pdf-strings.js';

/** How strings and streams of a decrypted file are read: each object has its own key (but V5). */
export interface PdfDecryptor {
  /** The plaintext of a string or stream of object `object` (generation `generation`); null when it cannot be (a cut AES block). */
  decrypt(bytes: Buffer, object: number, generation: number, kind: 'string' | 'stream'): Buffer | null;
}

/**
 * How to decrypt, and the password the message gave when the file needed one; or why it cannot be
 * read. `cut`: the file ends before any /Encrypt reference (its trailer), and its encryption was
 * known by the encryption dictionary it holds.
 */
export type PdfEncryption = { decryptor: PdfDecryptor; password: string | null; cut: boolean } | { refusal: string };

/** Passwords tried besides the empty one: those a message gives ("PDF password: 123") are few. */
const MAX_PASSWORDS = 4;

/** The 32 bytes a password is padded with (Algorithm 2, step a). */
const PASSWORD_PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

type Cipher = 'none' | 'rc4' | 'aes128' | 'aes256';

/**
 * The encryption of a PDF file (its text as latin1): null when it has none, else how to decrypt it,
 * or why it cannot be read. The last /Encrypt of the file (its latest trailer) decides; a file cut
 * before it (an attachment's end lost) is known encrypted by its encryption dictionary, and said
 * cut. The empty user password is tried, then `passwords` (those the message gives its reader).
 */
export function pdfEncryption(text: string, passwords: readonly string[] = []): PdfEncryption | null {
  const references = [...text.matchAll(/\/Encrypt\s*(?:(\d+)\s+(\d+)\s+R\b|(<<))/g)];
  const last = references.at(-1);
  const cut = !last;
  const dictionaryAt = last
    ? last[3]
      ? last.index + last[0].length - 2
      : objectValueAt(text, Number(last[1]), Number(last[2]))
    : encryptionDictionaryAt(text);
  if (cut && dictionaryAt === null) return null;
  const entries = dictionaryAt === null ? null : dictionaryEntries(text, dictionaryAt);
  if (!entries) return { refusal: 'encrypted PDF whose encryption dictionary is unreadable: its links are not readable' };
  const value = (key: string) => entries.get(key) ?? '';
  const handler = /^\/([^\s/<>[\]()]+)/.exec(value('Filter'))?.[1] ?? '';
  const encrypted = cut ? 'encrypted PDF (cut before its trailer)' : 'encrypted PDF';
  if (handler !== 'Standard')
    return { refusal: `${encrypted} with the ${handler || 'unnamed'} security handler: its links are not readable` };
  const v = integer(value('V')) ?? 0;
  const r = integer(value('R')) ?? 0;
  const o = pdfString(value('O'));
  const u = pdfString(value('U'));
  if (!o || !u) return { refusal: `${encrypted} without its /O and /U entries: its links are not readable` };
  let decryptorFor: (password: string) => PdfDecryptor | null;
  if (v === 5 && (r === 5 || r === 6)) {
    const ue = pdfString(value('UE'));
    if (!ue || u.length < 48 || ue.length < 32)
      return { refusal: `${encrypted} (AES-256) with malformed /U or /UE entries: its links are not readable` };
    const ciphers = cryptFilters(value, 'aes256');
    decryptorFor = (password) => {
      const key = aes256FileKey(u, ue, r, Buffer.from(password, 'utf8').subarray(0, 127));
      return key && v5Decryptor(key, ciphers);
    };
  } else if ((v === 1 || v === 2 || v === 4) && r >= 2 && r <= 4) {
    const id = firstFileId(text);
    // The key is made from the file's identifier, in the trailer: a cut file may have lost it.
    if (cut && id.length === 0)
      return {
        refusal:
          'encrypted PDF cut before its trailer, whose file identifier (part of its RC4 or AES-128 key) is lost with it: its links are not readable',
      };
    const bits = v === 1 ? 40 : (integer(value('Length')) ?? 40);
    const length = r === 2 ? 5 : Math.min(16, Math.max(5, Math.floor(bits / 8)));
    const encryptMetadata = !/^false\b/.test(value('EncryptMetadata'));
    const ciphers = v === 4 ? cryptFilters(value, 'rc4') : { strings: 'rc4' as const, streams: 'rc4' as const };
    decryptorFor = (password) => {
      const key = rc4FileKey({
        password: Buffer.from(password, 'latin1'),
        o,
        u,
        p: integer(value('P')) ?? 0,
        id,
        r,
        length,
        encryptMetadata,
      });
      return key && objectKeyDecryptor(key, ciphers);
    };
  } else {
    return { refusal: `${encrypted} of an unknown kind (/V ${v} /R ${r}): its links are not readable` };
  }
  for (const password of ['', ...passwords.slice(0, MAX_PASSWORDS)]) {
    const decryptor = decryptorFor(password);
    if (decryptor) return { decryptor, password: password || null, cut };
  }
  const tried = passwords.length ? ' (none the message gives opens it)' : '';
  return { refusal: `${encrypted} that needs a password to open (a user password${tried}): its links are not readable` };
}

/** V4 and V5 name a crypt filter for strings (/StrF) and streams (/StmF) in /CF; /Identity is none. */
function cryptFilters(value: (key: string) => string, fallback: Cipher): { strings: Cipher; streams: Cipher } {
  const filters = value('CF');
  const cipherOf = (key: 'StrF' | 'StmF'): Cipher => {
    const name = /^\/([^\s/<>[\]()]+)/.exec(value(key))?.[1] ?? 'Identity';
    if (name === 'Identity') return 'none';
    const method = new RegExp(`/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*<<[^>]*?/CFM\\s*/(\\w+)`).exec(filters)?.[1];
    if (method === 'AESV2') return 'aes128';
    if (method === 'AESV3') return 'aes256';
    if (method === 'V2') return 'rc4';
    if (method === 'None') return 'none';
    return fallback;
  };
  return { strings: cipherOf('StrF'), streams: cipherOf('StmF') };
}

interface Rc4KeyInput {
  password: Buffer;
  o: Buffer;
  u: Buffer;
  p: number;
  id: Buffer;
  r: number;
  length: number;
  encryptMetadata: boolean;
}

/** The file key for a user password (Algorithm 2), or null when it is not the password (Algorithms 4 and 5). */
function rc4FileKey({ password, o, u, p, id, r, length, encryptMetadata }: Rc4KeyInput): Buffer | null {
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(p | 0);
  const padded = Buffer.concat([password.subarray(0, 32), PASSWORD_PADDING]).subarray(0, 32);
  const parts = [padded, o.subarray(0, 32), permissions, id];
  if (r >= 4 && !encryptMetadata) parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  let key = md5(Buffer.concat(parts)).subarray(0, length);
  if (r >= 3) for (let i = 0; i < 50; i++) key = md5(key).subarray(0, length);
  if (r === 2) return rc4(key, PASSWORD_PADDING).equals(u.subarray(0, 32)) ? key : null;
  let check = rc4(key, md5(Buffer.concat([PASSWORD_PADDING, id])));
  for (let i = 1; i <= 19; i++)
    check = rc4(
      key.map((byte) => byte ^ i),
      check,
    );
  return check.equals(u.subarray(0, 16)) ? key : null;
}

/** The file key of AES-256 for a user password (Algorithms 2.A and 2.B), or null when it is not the password. */
function aes256FileKey(u: Buffer, ue: Buffer, r: number, password: Buffer): Buffer | null {
  const hash = (salt: Buffer) =>
    r === 5
      ? createHash('sha256')
          .update(Buffer.concat([password, salt]))
          .digest()
      : revision6Hash(password, salt);
  if (!hash(u.subarray(32, 40)).equals(u.subarray(0, 32))) return null;
  const decipher = createDecipheriv('aes-256-cbc', hash(u.subarray(40, 48)), Buffer.alloc(16)).setAutoPadding(false);
  return Buffer.concat([decipher.update(ue.subarray(0, 32)), decipher.final()]);
}

/** Algorithm 2.B for a user password (no user key): rounds of AES-128 and SHA-2 until its stop rule. */
function revision6Hash(password: Buffer, salt: Buffer): Buffer {
  let k = createHash('sha256')
    .update(Buffer.concat([password, salt]))
    .digest();
  for (let round = 0; ; round++) {
    const k1 = Buffer.concat(Array<Buffer>(64).fill(Buffer.concat([password, k])));
    const cipher = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32)).setAutoPadding(false);
    const e = Buffer.concat([cipher.update(k1), cipher.final()]);
    let remainder = 0;
    for (let i = 0; i < 16; i++) remainder += e[i];
    k = createHash(['sha256', 'sha384', 'sha512'][remainder % 3])
      .update(e)
      .digest();
    if (round >= 63 && e[e.length - 1] <= round - 31) return k.subarray(0, 32);
  }
}

/** RC4 and AES-128 with a key per object (Algorithm 1). */
function objectKeyDecryptor(fileKey: Buffer, ciphers: { strings: Cipher; streams: Cipher }): PdfDecryptor {
  return {
    decrypt(bytes, object, generation, kind) {
      const cipher = kind === 'string' ? ciphers.strings : ciphers.streams;
      if (cipher === 'none') return bytes;
      const salt = Buffer.from([object & 0xff, (object >> 8) & 0xff, (object >> 16) & 0xff, generation & 0xff, (generation >> 8) & 0xff]);
      const parts = [fileKey, salt, ...(cipher === 'rc4' ? [] : [Buffer.from('sAlT', 'latin1')])];
      const key = md5(Buffer.concat(parts)).subarray(0, Math.min(fileKey.length + 5, 16));
      return cipher === 'rc4' ? rc4(key, bytes) : aesCbc(cipher === 'aes256' ? fileKey : key, bytes);
    },
  };
}

/** AES-256 with the file key itself for every object. */
function v5Decryptor(fileKey: Buffer, ciphers: { strings: Cipher; streams: Cipher }): PdfDecryptor {
  return {
    decrypt(bytes, _object, _generation, kind) {
      return (kind === 'string' ? ciphers.strings : ciphers.streams) === 'none' ? bytes : aesCbc(fileKey, bytes);
    },
  };
}

/** AES-CBC whose first block is the IV, PKCS#5-padded; a length cut off a block's end is dropped (a stream's end of line). */
function aesCbc(key: Buffer, bytes: Buffer): Buffer | null {
  if (key.length !== 16 && key.length !== 32) return null; // a V4 file naming AESV3, whose key is shorter
  const whole = bytes.subarray(0, bytes.length - (bytes.length % 16));
  if (whole.length < 32) return whole.length === 16 ? Buffer.alloc(0) : null;
  const decipher = createDecipheriv(key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc', key, whole.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(whole.subarray(16)), decipher.final()]);
  const pad = plain[plain.length - 1];
  return pad >= 1 && pad <= 16 && plain.subarray(plain.length - pad).every((byte) => byte === pad)
    ? plain.subarray(0, plain.length - pad)
    : plain;
}

/** RC4, written out: Node's OpenSSL 3 has it only in the legacy provider. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = new Uint8Array(256).map((_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
    out[n] = data[n] ^ s[(s[i] + s[j]) & 0xff];
  }
  return out;
}

function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

/**
 * Where the last encryption dictionary of the file opens: an object whose dictionary names a
 * security handler (/Filter /Standard, /Adobe.PubSec), as no other object's /Filter does (a
 * stream's filters are decoders). Null when there is none.
 */
function encryptionDictionaryAt(text: string): number | null {
  const named = [...text.matchAll(/\/Filter\s*\/(?:Standard|Adobe\.PubSec)(?![^\s/<>[\]()%])/g)].at(-1);
  if (!named) return null;
  const before = text.slice(Math.max(0, named.index - MAX_ENCRYPTION_DICTIONARY), named.index);
  const header = [...before.matchAll(/(?<![0-9])\d+\s+\d+\s+obj\b\s*(?=<<)/g)].at(-1);
  if (!header) return null;
  const at = named.index - before.length + header.index + header[0].length;
  const filter = dictionaryEntries(text, at)?.get('Filter');
  return filter !== undefined && named[0].endsWith(filter) ? at : null;
}
/** How far before its /Filter an encryption dictionary's object header is looked for (qpdf's: ~250 bytes). */
const MAX_ENCRYPTION_DICTIONARY = 4096;

/** The first string of the last /ID of the file (its latest trailer or cross-reference stream); empty when it has none. */
function firstFileId(text: string): Buffer {
  const last = [...text.matchAll(/\/ID\s*\[\s*/g)].at(-1);
  if (!last) return Buffer.alloc(0);
  const at = last.index + last[0].length;
  return pdfString(text.slice(at, at + 1024)) ?? Buffer.alloc(0);
}

/** Where the value of indirect object `number generation obj` starts (its last definition), or null. */
function objectValueAt(text: string, number: number, generation: number): number | null {
  const header = [...text.matchAll(new RegExp(`(?<![0-9])${number}\\s+${generation}\\s+obj\\b\\s*`, 'g'))].at(-1);
  return header ? header.index + header[0].length : null;
}

/** A string value (literal or hex) at the start of `value`, as bytes. */
function pdfString(value: string): Buffer | null {
  const bytes = value.startsWith('(') ? literalString(value, 1) : /^<(?!<)/.test(value) ? hexString(value, 1) : null;
  return bytes === null ? null : Buffer.from(bytes, 'latin1');
}

function integer(value: string): number | null {
  const match = /^[+-]?\d+/.exec(value);
  return match ? Number(match[0]) : null;
}

const DELIMITER = /[\s/<>[\]()%]/;

/** The entries of the dictionary opening at `at` ("<<"), each key (without its slash) to its value's text; null when malformed. */
export function dictionaryEntries(text: string, at: number): Map<string, string> | null {
  if (!text.startsWith('<<', at)) return null;
  const entries = new Map<string, string>();
  let i = skipSpace(text, at + 2);
  while (i < text.length && !text.startsWith('>>', i)) {
    if (text[i] !== '/') return null;
    const keyEnd = nameEnd(text, i + 1);
    const valueAt = skipSpace(text, keyEnd);
    const valueEnd = objectEnd(text, valueAt, 0);
    if (valueEnd === null) return null;
    entries.set(text.slice(i + 1, keyEnd), text.slice(valueAt, valueEnd));
    i = skipSpace(text, valueEnd);
  }
  return i < text.length ? entries : null;
}

/** Where the object starting at `at` ends (a reference `1 0 R` is one object), or null when malformed or nested too deep. */
function objectEnd(text: string, at: number, depth: number): number | null {
  if (depth > 32 || at >= text.length) return null;
  if (text.startsWith('<<', at) || text[at] === '[') {
    const close = text[at] === '[' ? ']' : '>>';
    let i = skipSpace(text, at + close.length);
    while (i < text.length && !text.startsWith(close, i)) {
      const end = objectEnd(text, i, depth + 1);
      if (end === null) return null;
      i = skipSpace(text, end);
    }
    return i < text.length ? i + close.length : null;
  }
  if (text[at] === '(') return stringEnd(text, at + 1);
  if (text[at] === '<') {
    const end = text.indexOf('>', at);
    return end === -1 ? null : end + 1;
  }
  if (text[at] === '/') return nameEnd(text, at + 1);
  const reference = /^\d+\s+\d+\s+R(?![^\s/<>[\]()%])/.exec(text.slice(at, at + 32));
  if (reference) return at + reference[0].length;
  const end = nameEnd(text, at);
  return end === at ? null : end;
}

/** Just past the ")" closing a literal string whose text starts at `from`. */
function stringEnd(text: string, from: number): number | null {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  return null;
}

function nameEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && !DELIMITER.test(text[i])) i++;
  return i;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}
