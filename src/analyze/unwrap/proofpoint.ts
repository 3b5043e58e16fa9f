// Proofpoint URL Defense v1, v2 and v3 (catalogue B4-B6, run-length table B.2), following the
// official URLDefenseDecode.py 3.0.1, with v3 run lengths counted in bytes as in cardi's tests.
import type { DecodeOutcome } from './types.js';
import { decodeBase64, firstParam, htmlUnescape, percentDecode, utf8OrNull } from './url-text.js';

const decoded = (target: string): DecodeOutcome => ({ kind: 'decoded', target });
const failed = (reason: string): DecodeOutcome => ({ kind: 'failed', reason });

function uParameter(query: string | null, officialPattern: RegExp): string | null {
  const official = query === null ? null : officialPattern.exec(query);
  if (official) return official[1];
  return firstParam(query, ['u'])?.raw ?? null;
}

/** v1: `u` is plainly percent-encoded (no "-"/"_" translation: that is v2's scheme). */
export function decodeProofpointV1(query: string | null): DecodeOutcome {
  const u = uParameter(query, /(?:^|&)u=(.+?)&k=/);
  if (u === null || u === '') return failed('no u parameter');
  return decoded(htmlUnescape(percentDecode(u)));
}

/** v2: `u` is percent-encoding with "-" for "%" and "_" for "/". */
export function decodeProofpointV2(query: string | null): DecodeOutcome {
  const u = uParameter(query, /(?:^|&)u=(.+?)&[dc]=/);
  if (u === null || u === '') return failed('no u parameter');
  return decoded(htmlUnescape(percentDecode(u.replace(/-/g, '%').replace(/_/g, '/'))));
}

const RUN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `**X` replaces this many bytes: A=2 ... _=65 (table B.2). */
export function v3RunLength(marker: string): number | null {
  const i = RUN_ALPHABET.indexOf(marker);
  return i < 0 ? null : i + 2;
}

function utf8SequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1; // stray continuation byte: let UTF-8 decoding reject it
}

/** Length of the longest prefix made of whole UTF-8 sequences. */
function wholeCharactersLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const next = i + utf8SequenceLength(bytes[i]);
    if (next > bytes.length) break;
    i = next;
  }
  return i;
}

/**
 * v3: `https://urldefense.com/v3/__<mangled>__;<base64url replacement bytes>!<org>!<sig>$`.
 * A single `*` takes the next replacement character; `**X` takes a run of bytes (table B.2).
 * When a run ends inside a multi-byte character, the character goes to the next run and the
 * bytes already counted are carried over to it.
 *
 * `unquote` percent-decodes the result afterwards (cardi's option; not what the official
 * decoder does, so unwrap() leaves it off).
 */
export function decodeProofpointV3(url: string, opts: { unquote?: boolean } = {}): DecodeOutcome {
  const m = /v3\/__(.*?)__;(.*?)!/s.exec(url);
  if (!m) return failed('incomplete URL Defense v3 link (no "__;" marker)');
  const mangled = percentDecode(m[1]);
  const encoded = m[2];
  let bytes: Buffer = Buffer.alloc(0);
  if (encoded !== '') {
    const decodedBytes = decodeBase64(encoded);
    if (!decodedBytes) return failed('replacement bytes are not base64url');
    bytes = decodedBytes;
  }

  const out: string[] = [];
  let pos = 0;
  let carried = 0;
  let last = 0;
  for (const token of mangled.matchAll(/\*(\*.)?/g)) {
    out.push(mangled.slice(last, token.index));
    last = token.index + token[0].length;
    if (token[1] === undefined) {
      if (pos >= bytes.length) return failed('replacement bytes run out');
      const end = pos + utf8SequenceLength(bytes[pos]);
      const character = end <= bytes.length ? utf8OrNull(bytes.subarray(pos, end)) : null;
      if (character === null) return failed('replacement bytes are not valid UTF-8');
      out.push(character);
      pos = end;
      carried = 0;
      continue;
    }
    const runLength = v3RunLength(token[1][1]);
    if (runLength === null) return failed(`unknown run-length marker "${token[1]}"`);
    const end = pos + carried + runLength;
    if (end > bytes.length) return failed('replacement bytes run out');
    const run = bytes.subarray(pos, end);
    const whole = wholeCharactersLength(run);
    const text = utf8OrNull(run.subarray(0, whole));
    if (text === null) return failed('replacement bytes are not valid UTF-8');
    out.push(text);
    pos += whole;
    carried = run.length - whole;
  }
  if (carried > 0) return failed('replacement ends inside a UTF-8 character');
  out.push(mangled.slice(last));
  const result = out.join('');
  return decoded(opts.unquote ? percentDecode(result) : result);
}
