// Whether a URL asks its server for a file of a type that is downloaded rather than shown (an
// installer, an archive, a document), told by the URL alone: explore judges a control before it is
// clicked, and the server's answer (its Content-Disposition) is known only once it is requested.
import { parse as parseDomain } from 'tldts';
import { tokenRuleFor } from './tokens.js';
import { percentDecode } from './unwrap/url-text.js';

export interface DownloadTypes {
  /** File extensions (lower case, no dot) of what a browser downloads or hands to another program. */
  extensions: ReadonlySet<string>;
  /** Those of them a document viewer's page shows (`/view?doc=offer.pdf`): documents, not programs. */
  viewed: ReadonlySet<string>;
}

/** How deep an address inside an address is looked into (`/r?u=https://cdn.example/get?file=setup.exe`). */
const MAX_NESTING = 3;

/** A page whose name says it shows a document (`/view`, `/preview`, `/viewer.html`, `/DocReader.aspx`). */
const VIEWER = /view|reader/i;

/** An address written inside a path or a query value (`/r/https://shop.example/…`, `?u=https://…`). */
const EMBEDDED_URL = /(?:^|\/)(https?:\/\/?.*)$/i;

/**
 * The extension of the download type a URL names a file of, or null. A file is named by a segment
 * of the path (`/files/setup.exe/download`, `/get/brand%2Ezip;jsessionid=1`: decoded, `;params`
 * dropped) or by a query value (`/dl?file=Setup.exe`, `/download.php?f=invoice.zip`, `/get?app.apk`): a server
 * asked for a file by name answers with that file, whatever its own script is called. An address
 * inside the URL (`?u=https://cdn.example/voucher.pdf`, `/r/https://…`) is judged as an address (the
 * host it names is no file), and so is a site's name in a parameter not named for a file (`?site=brand.zip`:
 * .zip, .mov, .sh are top-level domains too). Not named by it: the values of tracking parameters (`utm_content=banner.zip`
 * labels a campaign), an e-mail address, the fragment (never sent), and a document named to a
 * viewer's page (`/view?doc=offer.pdf`: it shows the document in a page; a program named to it still counts).
 */
export function downloadNamed(url: string, types: DownloadTypes, depth = 0): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const path = decoded(parsed.pathname);
  const embedded = EMBEDDED_URL.exec(path);
  const own = embedded ? path.slice(0, embedded.index) : path;
  const inPath = fileTypeIn(own, types) ?? (embedded && depth < MAX_NESTING ? downloadNamed(embedded[1], types, depth + 1) : null);
  if (inPath) return inPath;
  const viewer = VIEWER.test(own.split('/').filter(Boolean).at(-1) ?? '');
  for (const [name, raw] of parsed.searchParams) {
    if (tokenRuleFor(name)) continue;
    // A query of a name alone names the file so (`/get?app.apk`).
    const value = decoded(raw === '' ? name : raw).trim();
    const type = /^https?:\/\//i.test(value)
      ? depth < MAX_NESTING
        ? downloadNamed(value, types, depth + 1)
        : null
      : value.includes('@') || (raw !== '' && !FILE_PARAMETER.test(name) && siteName(value))
        ? null
        : fileTypeIn(value.split(/[?#]/)[0], types);
    if (type && !(viewer && types.viewed.has(type))) return type;
  }
  return null;
}

/**
 * A query parameter named for a file (`f`, `file`, `filename`, `dl`, `download`, `attachment`,
 * `doc`, `path`, `setup`…): its value is a file's name even when it reads as a site's (`?f=invoice.zip`).
 */
const FILE_PARAMETER = /^(?:f|fn|dl|get|app|pkg|p|name)$|file|down|attach|doc|path|archive|setup|install|package/i;

/**
 * Whether a query value reads as a site's name rather than a file's: a bare host name (dot-separated
 * labels of lower-case letters, digits and hyphens, no path) whose last label is a top-level domain
 * of the Public Suffix List (`brand.zip`, `www.promo.mov`, `shop.sh`). `Setup.exe`, `Invoice 2024.zip`
 * and `my_invoice.zip` are files: no such domain, or not a host name's letters.
 */
function siteName(value: string): boolean {
  if (!/^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$/.test(value)) return false;
  const parsed = parseDomain(value);
  return parsed.isIcann === true && parsed.hostname === value && parsed.domain !== null;
}

/** Percent-decoded until nothing is left to decode (`Setup%252Eexe` is `Setup.exe` to a server that decodes twice). */
function decoded(text: string): string {
  let now = text;
  for (let i = 0; i < 3 && now.includes('%'); i++) {
    const next = percentDecode(now);
    if (next === now) break;
    now = next;
  }
  return now;
}

/** The download type a segment of `path` (slashes or backslashes between them) names a file of, the last segment's first. */
function fileTypeIn(path: string, types: DownloadTypes): string | null {
  const segments = path.split(/[/\\]/).reverse();
  for (const segment of segments) {
    // `;jsessionid=…` is a parameter of the segment, not its name; Windows drops a name's trailing dots and spaces.
    const name = segment.split(';')[0].replace(/[.\s]+$/, '');
    // Windows shell types are named with a hyphen (.search-ms, .settingcontent-ms).
    const ext = /\.([a-z0-9][a-z0-9-]{0,19})$/i.exec(name)?.[1]?.toLowerCase();
    if (ext && types.extensions.has(ext)) return ext;
  }
  return null;
}
