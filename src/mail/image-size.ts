// What a mail image (PNG, JPEG, GIF) is and how large it says it is, read from its first bytes
// without decoding it. Images come from hostile senders: one that would decode to more than
// MAX_IMAGE_PIXELS (a decompression bomb: a few KiB of zeros declaring 30,000 × 30,000 pixels) or
// is larger than MAX_IMAGE_BYTES is refused before any decoder sees it (qr-reader.ts decodes).

export type ImageFormat = 'png' | 'jpeg' | 'gif';

/** An image file larger than this is not decoded. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
/** An image that would decode to more pixels than this (2,000 × 2,000) is not decoded. */
export const MAX_IMAGE_PIXELS = 4_000_000;
/** Smaller than this on a side, an image holds no readable QR code (version 1 is 21 modules). */
const MIN_QR_SIDE = 21;
/**
 * A picture more than this many times wider than high (or higher than wide) is a logo, a banner
 * or a divider: a QR code is square and fills most of a picture made to be scanned. Such a strip
 * is read only when at least MIN_BANNER_SIDE high (a banner, which may hold a code at one end;
 * qr-reader.ts reads it window by window): passing the thinner ones over (signature logos,
 * dividers: the corpus's are 39-46 pixels high) halves the images a typical mailbox has decoded.
 */
export const MAX_QR_ASPECT = 3;
/** The least height of a standard banner (320 × 50): a version-3 code filling it, 1.2 pixels a module, is still read. */
const MIN_BANNER_SIDE = 50;

/**
 * A PNG or GIF taking more bytes a pixel than this is a photograph (the corpus's: 0.85): a drawn
 * picture, a QR code and the page around it, compresses far better (0.04-0.06 for the fixtures'
 * codes; a scanned letter with text, 0.1-0.3). Passing photographs over spares their decoding,
 * 50 ms for one of 700 × 900 pixels in pure JavaScript. JPEG, lossy, says less by its size.
 */
const MAX_DRAWN_BYTES_PER_PIXEL = 0.5;

/** Whether a picture of this size (and file size) may be made to be scanned: big enough, not a thin strip, not a photograph. */
export function mayHoldQrCode(size: ImageSize, byteLength = 0): boolean {
  const short = Math.min(size.width, size.height);
  if (short < MIN_QR_SIDE || (Math.max(size.width, size.height) > MAX_QR_ASPECT * short && short < MIN_BANNER_SIDE)) return false;
  return size.format === 'jpeg' || byteLength <= MAX_DRAWN_BYTES_PER_PIXEL * size.width * size.height;
}

export interface ImageSize {
  format: ImageFormat;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The format by the file's first bytes, whatever its declared type says. */
export function imageFormat(bytes: Uint8Array): ImageFormat | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 8));
  if (head.length >= 8 && head.equals(PNG_SIGNATURE)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return 'gif';
  return null;
}

/** Width and height as the image's header declares them, without decoding it; null when unreadable. */
export function imageSize(bytes: Uint8Array): ImageSize | null {
  const format = imageFormat(bytes);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    if (view.length < 24 || view.toString('latin1', 12, 16) !== 'IHDR') return null;
    return { format, width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
  }
  if (format === 'gif') {
    if (view.length < 10) return null;
    return { format, width: view.readUInt16LE(6), height: view.readUInt16LE(8) };
  }
  if (format === 'jpeg') return jpegSize(view);
  return null;
}

/** Start-of-frame markers (baseline, progressive, lossless...), not DHT (C4), JPG (C8) or DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(view: Buffer): ImageSize | null {
  let at = 2;
  while (at + 9 <= view.length) {
    if (view[at] !== 0xff) return null;
    const marker = view[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (isStartOfFrame(marker)) return { format: 'jpeg', height: view.readUInt16BE(at + 5), width: view.readUInt16BE(at + 7) };
    if (marker === 0xda || marker === 0xd9) return null; // scan data or end before any frame header
    at += 2 + view.readUInt16BE(at + 2);
  }
  return null;
}

/** Why an image of this size is not decoded, or null when it may be. */
export function refusal(bytes: number, size: ImageSize): string | null {
  if (bytes > MAX_IMAGE_BYTES) return `${bytes} bytes, more than ${MAX_IMAGE_BYTES}`;
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    return `declares ${size.width} × ${size.height} pixels, more than ${MAX_IMAGE_PIXELS} (a decompression bomb?)`;
  }
  return null;
}
