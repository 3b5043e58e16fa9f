// Request bodies with a size limit, and the three shapes the server accepts: JSON,
// urlencoded forms, and multipart/form-data (the .eml upload).
import type { IncomingMessage } from 'node:http';
import { UserError } from '../errors.js';

export class BodyError extends UserError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Reads the whole body, refusing (413) as soon as it passes `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyError(`request body too large: ${declared} bytes (limit ${limit})`, 413);
  // A body of a declared length is read into one buffer of that length (Node's parser sends no
  // more): its chunks held, then joined, took twice its size (a fleet worker's case bundle: 1 GiB).
  if (req.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0) return readDeclared(req, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyError(`request body too large: more than ${limit} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readDeclared(req: IncomingMessage, length: number): Promise<Buffer> {
  const body = Buffer.allocUnsafeSlow(length);
  let size = 0;
  for await (const chunk of req) {
    const bytes = chunk as Buffer;
    if (size + bytes.length > length) throw new BodyError(`request body longer than its Content-Length (${length} bytes)`, 400);
    bytes.copy(body, size);
    size += bytes.length;
  }
  if (size < length) throw new BodyError(`request body cut short: ${size} of its ${length} bytes`, 400);
  return body;
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export interface FormPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

const MAX_PARTS = 20;

/**
 * Parses multipart/form-data; throws BodyError(400) on anything malformed. Kept instead of Node's
 * own `new Response(body).formData()`: for a 10 MB .eml (the default upload limit) that costs
 * 170-980 ms of CPU on the event loop that also runs the traces (their CDP events, their proxy),
 * busboy 70-160 ms, this ~1 ms: the body is already read and capped, so the parts are found with
 * indexOf and the file is a view of the body, never copied (measured on the 2-core test machine,
 * Node 20.20, 5 runs each).
 */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value || value.length > 200) throw new BodyError('multipart body without a usable boundary', 400);
  const delimiter = Buffer.from(`--${value}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new BodyError('multipart body without its boundary', 400);
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new BodyError('malformed multipart delimiter line', 400);
    pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new BodyError('multipart part without a header end', 400);
    const head = body.subarray(pos, headEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headEnd + 4);
    if (next < 0) throw new BodyError('multipart body cut short (no closing boundary)', 400);
    if (parts.length >= MAX_PARTS) throw new BodyError(`more than ${MAX_PARTS} form fields`, 400);
    parts.push({ ...partHeaders(head), data: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
}

function partHeaders(head: string): Omit<FormPart, 'data'> {
  let name: string | null = null;
  let filename: string | null = null;
  let contentType: string | null = null;
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      name = /;\s*name="([^"]*)"/i.exec(value)?.[1] ?? null;
      filename = /;\s*filename="([^"]*)"/i.exec(value)?.[1] ?? null;
    } else if (key === 'content-type') contentType = value;
  }
  if (name === null) throw new BodyError('multipart part without a name', 400);
  return { name, filename, contentType };
}

/** Form fields as text (repeated names kept in order), files apart. */
export interface FormData {
  fields: Map<string, string[]>;
  files: FormPart[];
}

export function formFromParts(parts: FormPart[]): FormData {
  const form: FormData = { fields: new Map(), files: [] };
  for (const part of parts) {
    if (part.filename !== null) form.files.push(part);
    else form.fields.set(part.name, [...(form.fields.get(part.name) ?? []), part.data.toString('utf8')]);
  }
  return form;
}

export function formFromUrlencoded(body: Buffer): FormData {
  const form: FormData = { fields: new Map(), files: [] };
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) form.fields.set(k, [...(form.fields.get(k) ?? []), v]);
  return form;
}
