// Links a message hides in QR codes ("quishing"): the lure's only call-to-action is a picture a
// phone camera reads, out of reach of a mail gateway's URL scanner. The images are an inline
// (cid:) part, an attached image, or a data: URI in the HTML; each is decoded and read with jsQR
// (qr-reader.ts, loaded when a message first has an image to read; headers checked here first), and the URLs of its payload become links of the message. A
// message costs at most MAX_QR_PIXELS decoded pixels and MAX_QR_IMAGES scans; what is skipped past
// those limits is said in a warning, never silently.

import { imageFormat, imageSize, mayHoldQrCode, refusal } from './image-size.js';
import { findTextUrls } from './text-urls.js';

/**
 * Images scanned for a code per message (an attached message has its own): those whose decoded
 * pixels look like a code somewhere. Logos, photographs and banners without a code are decoded
 * and looked at but not counted, so a message's many logos do not hide its QR image behind them.
 * With the pixel limit (every decoded image counts) and the reader's shrinking to 800 px a side,
 * this bounds a message's reading (worst, noise: ~0.6 s an image); no clock does, so the same
 * message gives the same links on any machine, as `reindex` and a second reading must.
 */
export const MAX_QR_IMAGES = 8;
/** Pixels decoded per message, all images together. */
export const MAX_QR_PIXELS = 12_000_000;
/** URLs taken from one QR payload. */
const MAX_URLS_PER_CODE = 4;

/** An image of the message that may hold a QR code. */
export interface MailImage {
  bytes: Uint8Array;
  /** Which image, as the analyst finds it: "cid:qr@x (qr.png)", "scan.jpg", "data: image 2 of the HTML". */
  origin: string;
  /** The attachment it is (an attached image) or is inside (an HTML attachment); null when the body shows it. */
  attachment: string | null;
}

export interface QrLink {
  url: string;
  origin: string;
  attachment: string | null;
}

/**
 * The web addresses of a QR payload as a phone's reader opens them: a bare URL, one inside text
 * ("URL:https://…", a vCard), a bookmark's (`MEBKM:TITLE:…;URL:…;;` with its backslash escapes,
 * `URLTO:title:url`), and a payload that is only a host and path (`evil.example/login`), which
 * readers (ZXing's rules) open as http:// too.
 */
export function qrPayloadUrls(payload: string): string[] {
  const text = bookmarkTarget(payload) ?? payload;
  const urls = findTextUrls(text, { rejoin: false }).map((hit) => hit.url);
  if (urls.length === 0 && BARE_WEB_ADDRESS.test(text.trim())) urls.push(`http://${text.trim()}`);
  return [...new Set(urls)].slice(0, MAX_URLS_PER_CODE);
}

/** A host with a top-level label and perhaps a port and path, nothing else: ZXing's URL without a scheme. */
const BARE_WEB_ADDRESS = /^(?:[a-z0-9-]+\.){1,6}[a-z]{2,}(?::\d{1,5})?(?:[/?#]\S*)?$/i;

/** The URL field of a DoCoMo bookmark (MEBKM) or of URLTO, unescaped; null for other payloads. */
function bookmarkTarget(payload: string): string | null {
  if (/^MEBKM:/i.test(payload)) {
    const field = /(?:^MEBKM:|;)URL:((?:\\.|[^;\\])*)/i.exec(payload)?.[1];
    return field === undefined ? null : field.replace(/\\(.)/g, '$1');
  }
  const urlto = /^URLTO:(.*)$/is.exec(payload)?.[1];
  if (urlto === undefined) return null;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(urlto) ? urlto : urlto.slice(urlto.indexOf(':') + 1);
}

/** How a payload with no web address is shown in its warning: quoted, cut, so the analyst sees a defanged "hxxps://" or a phone number. */
function payloadExcerpt(payload: string): string {
  const cut = payload.length > 120 ? `${payload.slice(0, 120)}…` : payload;
  return `${JSON.stringify(cut)}${payload.length > 120 ? ` (${payload.length} characters)` : ''}`;
}

/** Whether an image part or file is one this reads (by type, name or first bytes). */
export function isImageFile(contentType: string, filename: string | null, bytes: Uint8Array): boolean {
  // A part declared PNG, JPEG or GIF that is none is said so (a warning), not passed over.
  if (/^image\/(?:png|jpe?g|pjpeg|gif)$/.test(contentType)) return true;
  const maybe =
    contentType.startsWith('image/') || contentType === 'application/octet-stream' || /\.(?:png|jpe?g|gif)$/i.test(filename ?? '');
  return maybe && imageFormat(bytes) !== null;
}

const DATA_IMAGE = /data:image\/(?:png|jpe?g|gif)\s*;\s*base64\s*,/gi;
const BASE64_RUN = /^[A-Za-z0-9+/=\s]*/;
/** data: images read per HTML document: each is cheap to find, not to decode. */
const MAX_DATA_IMAGES = 64;

/** The data: URI images of an HTML document (img src, CSS backgrounds), decoded from base64. */
export function dataUriImages(html: string): Uint8Array[] {
  const images: Uint8Array[] = [];
  if (!/data:image\//i.test(html)) return images;
  for (const match of html.matchAll(DATA_IMAGE)) {
    if (images.length >= MAX_DATA_IMAGES) break;
    const start = match.index + match[0].length;
    const run = BASE64_RUN.exec(html.slice(start, start + Math.ceil((MAX_IMAGE_BASE64 * 4) / 3) + 4))?.[0] ?? '';
    const bytes = Buffer.from(run.replace(/\s+/g, ''), 'base64');
    if (bytes.length > 0) images.push(bytes);
  }
  return images;
}
/** The base64 of a data: image is read up to this many decoded bytes; a longer one is cut and fails to decode. */
const MAX_IMAGE_BASE64 = 4 * 1024 * 1024 + 1;

/**
 * The links in the QR codes of a message's images, in their order. Images too small or too thin
 * for a QR code are passed over quietly (spacers, signature logos, dividers); a refused, corrupt or
 * uncounted image is a warning.
 */
export async function qrLinks(images: readonly MailImage[], warnings: string[]): Promise<QrLink[]> {
  const links: QrLink[] = [];
  let scanned = 0;
  let pixels = 0;
  let skipped = 0;
  for (const image of images) {
    const size = imageSize(image.bytes);
    if (size && !mayHoldQrCode(size, image.bytes.byteLength)) continue;
    try {
      // Said here, as the reader would: loading the decoders to be told so costs ~0.2 s of CPU.
      if (!size) throw new Error('not a PNG, JPEG or GIF image');
      const refused = refusal(image.bytes.byteLength, size);
      if (refused) throw new Error(refused);
      if (scanned >= MAX_QR_IMAGES || pixels + size.width * size.height > MAX_QR_PIXELS) {
        skipped++;
        continue;
      }
      pixels += size.width * size.height;
      const { readQrImage } = await import('./qr-reader.js');
      const reading = await readQrImage(image.bytes);
      if (reading.scanned) scanned++;
      const payload = reading.payload;
      if (payload === null) continue;
      const urls = qrPayloadUrls(payload);
      if (urls.length === 0) warnings.push(`${image.origin}: QR code holds no web address: ${payloadExcerpt(payload)}`);
      for (const url of urls) links.push({ url, origin: image.origin, attachment: image.attachment });
    } catch (error) {
      warnings.push(`${image.origin}: not read for a QR code: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (skipped) {
    warnings.push(
      `${skipped} image(s) not read for QR codes: at most ${MAX_QR_IMAGES} images scanned and ${MAX_QR_PIXELS} pixels decoded per message`,
    );
  }
  return links;
}
