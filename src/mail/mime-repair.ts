// Recovery for two common kinds of broken MIME that a decoder silently gets wrong: a multipart
// whose declared boundary never occurs in the body, and charsets no decoder knows.

const HEADER_END = /\r?\n\r?\n/;

/** Byte offset where the body starts (after the blank line ending the header block), or -1. */
export function bodyOffset(raw: Buffer): number {
  const head = raw.subarray(0, Math.min(raw.length, 1 << 20)).toString('latin1');
  const match = HEADER_END.exec(head);
  return match ? match.index + match[0].length : -1;
}

/** The top-level boundary parameter as declared in the header block, or null. */
export function declaredBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const match = /boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : null;
}

/**
 * When the declared boundary never starts a line of the body but another "--token" line
 * repeats there, returns the message with the header's boundary replaced by that token.
 */
export function repairBoundary(raw: Buffer, declared: string): { raw: Buffer; boundary: string } | null {
  const offset = bodyOffset(raw);
  if (offset === -1) return null;
  const body = raw.subarray(offset, offset + Math.min(raw.length - offset, 8 << 20)).toString('latin1');
  if (body.includes(`--${declared}`)) return null;
  const counts = new Map<string, number>();
  for (const match of body.matchAll(/^--([\x21-\x7e]{1,200}?)(?:--)?[ \t]*\r?$/gm)) {
    counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  const used = [...counts].filter(([, count]) => count >= 2).sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!used) return null;
  const head = raw.subarray(0, offset).toString('latin1');
  const fixedHead = head.replace(/(boundary\s*=\s*)(?:"[^"]*"|[^\s;]+)/i, (_m, prefix: string) => `${prefix}"${used}"`);
  if (fixedHead === head) return null;
  return { raw: Buffer.concat([Buffer.from(fixedHead, 'latin1'), raw.subarray(offset)]), boundary: used };
}

function decoderKnows(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** Whether a MIME charset label can be decoded (directly or by the usual alias spellings). */
export function isKnownCharset(label: string): boolean {
  const normalized = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (!normalized) return true;
  const variants = [
    normalized,
    normalized.replace(/^x-/, ''),
    normalized.replace(/^(?:cp|win(?:dows)?)[-_]?(\d+)$/, 'windows-$1'),
    normalized.replace(/^(?:cp|ibm)[-_]?(\d+)$/, 'ibm$1'),
    normalized.replace(/[_ ]/g, '-'),
    normalized.replace(/^(iso|utf|koi)[-_]?(\d)/, '$1-$2'),
  ];
  return variants.some(decoderKnows);
}

/** Charset labels declared in Content-Type headers (anywhere in the message) that cannot be decoded. */
export function unknownCharsets(raw: Buffer): string[] {
  const unknown = new Set<string>();
  let from = 0;
  for (let hits = 0; hits < 1000; hits++) {
    const at = raw.indexOf('charset', from, 'latin1');
    if (at === -1) break;
    from = at + 7;
    const context = raw.subarray(Math.max(0, at - 200), Math.min(raw.length, at + 80)).toString('latin1');
    const local = context.slice(Math.min(200, at));
    const before = context.slice(0, Math.min(200, at));
    const lastLines = before.split(/\r?\n/).slice(-3).join('\n');
    if (!/content-type\s*:/i.test(lastLines) || /<meta/i.test(lastLines)) continue;
    const match = /^charset\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(local);
    const label = match?.[1] ?? match?.[2];
    if (label && !isKnownCharset(label)) unknown.add(label);
  }
  return [...unknown];
}
