// Remote content of an HTML body: everything a mail client fetches when it shows the message
// (images, srcset candidates, CSS backgrounds, the `background` attribute, <link href>, video
// posters, CSS url() and @import in <style>, frames, scripts, media), each with its kind and,
// for images, the size and visibility that make it an open-tracking pixel. Nothing is fetched
// here. The collector is fed by the link extractor's tokenizer pass (link-candidates.ts), so a
// body is tokenized once for links and resources. CSS url()/@import and srcset are read by hand:
// a CSS parser (css-tree, postcss) would be a dependency and a full parse of every style sheet
// for two constructs; the expressions below are linear and need no tree.

import { classifyPixel, type PixelFinding } from './pixels.js';

export type ResourceKind =
  | 'img'
  | 'srcset'
  | 'style-background'
  | 'background-attribute'
  | 'link'
  | 'video-poster'
  | 'css-url'
  | 'css-import'
  | 'input-image'
  | 'iframe'
  | 'script'
  | 'media'
  | 'object';

export interface RemoteResource {
  url: string;
  kind: ResourceKind;
  /** The element it was found on ("img", "td", "link", "style"...). */
  element: string;
  /** Declared size in CSS pixels (attributes or inline CSS); null when not given. */
  width: number | null;
  height: number | null;
  /** Not rendered: the element or one around it is hidden. */
  hidden: boolean;
  /** Set when it is an open-tracking pixel: the rules it meets, and the tracker rule that names it. */
  pixel: PixelFinding | null;
  /** How often this URL appeared with this kind. */
  occurrences: number;
  /** Attachment it was found in (an attached message or HTML file); null for the body. */
  attachment: string | null;
}

/** Upper bound on resources kept per body, so a hostile message cannot exhaust memory. */
export const MAX_RESOURCES = 2000;

/** Elements whose attributes name resources; others are only looked at for style and background. */
const RESOURCE_ATTRIBUTES: Record<string, [attribute: string, kind: ResourceKind][]> = {
  img: [
    ['src', 'img'],
    ['srcset', 'srcset'],
  ],
  image: [['href', 'img']],
  source: [
    ['src', 'media'],
    ['srcset', 'srcset'],
  ],
  video: [
    ['poster', 'video-poster'],
    ['src', 'media'],
  ],
  audio: [['src', 'media']],
  track: [['src', 'media']],
  link: [['href', 'link']],
  iframe: [['src', 'iframe']],
  frame: [['src', 'iframe']],
  script: [['src', 'script']],
  embed: [['src', 'object']],
  object: [['data', 'object']],
  input: [['src', 'input-image']],
};
const STYLE_OR_BACKGROUND = /url\s*\(|\sbackground\s*=/gi;
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)/gi;
const CSS_IMPORT = /@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^)"'\s;]+))/gi;
const DISPLAY_NONE = /display\s*:\s*none/i;
const HIDDEN_STYLE = /visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?\s*(?:;|!|$)|max-height\s*:\s*0(?:px)?\s*(?:;|!|$)/i;

/** Width or height from inline CSS or the attribute, in CSS pixels ("50%" counts as large). */
const SIZE_IN_STYLE = { width: /(?:^|;|\s)width\s*:\s*(\d+)/i, height: /(?:^|;|\s)height\s*:\s*(\d+)/i };

export function declaredSize(attrs: Record<string, string>, axis: 'width' | 'height'): number | null {
  const fromStyle = attrs.style ? SIZE_IN_STYLE[axis].exec(attrs.style) : null;
  const raw = fromStyle?.[1] ?? attrs[axis];
  if (raw === undefined) return null;
  if (/%\s*$/.test(raw)) return parseInt(raw, 10) >= 50 ? 600 : null;
  const value = parseInt(raw, 10);
  return Number.isNaN(value) ? null : value;
}

/** The URLs of a srcset attribute (each candidate is a URL and optional descriptors, comma-separated). */
export function srcsetUrls(srcset: string): string[] {
  const urls: string[] = [];
  let i = 0;
  while (i < srcset.length) {
    while (i < srcset.length && /[\s,]/.test(srcset[i])) i++;
    const start = i;
    while (i < srcset.length && !/\s/.test(srcset[i])) i++;
    let url = srcset.slice(start, i);
    const endsCandidate = url.endsWith(',');
    url = url.replace(/,+$/, '');
    if (url) urls.push(url);
    if (!endsCandidate) {
      // Skip descriptors up to the comma that ends this candidate (commas in parentheses do not).
      let depth = 0;
      while (i < srcset.length && (srcset[i] !== ',' || depth > 0)) {
        if (srcset[i] === '(') depth++;
        else if (srcset[i] === ')') depth = Math.max(0, depth - 1);
        i++;
      }
    }
  }
  return urls;
}

/** The URLs of CSS url() and @import in a style sheet or style attribute. */
export function cssUrls(css: string): { url: string; kind: 'css-url' | 'css-import' }[] {
  if (!css.includes('url(') && !css.includes('@import')) return [];
  const found: { url: string; kind: 'css-url' | 'css-import'; at: number }[] = [];
  const imports: [start: number, end: number][] = [];
  for (const m of css.matchAll(CSS_IMPORT)) {
    found.push({ url: m[1] ?? m[2] ?? m[3], kind: 'css-import', at: m.index });
    imports.push([m.index, m.index + m[0].length]);
  }
  for (const m of css.matchAll(CSS_URL)) {
    if (imports.some(([start, end]) => m.index >= start && m.index < end)) continue;
    found.push({ url: m[1] ?? m[2] ?? m[3], kind: 'css-url', at: m.index });
  }
  return found
    .filter((f) => f.url)
    .sort((a, b) => a.at - b.at)
    .map(({ url, kind }) => ({ url, kind }));
}

/** An absolute http(s) URL for a resource reference, or null when nothing would be fetched (cid:, data:, relative without base). */
function remoteUrl(reference: string, base: string | null): string | null {
  const ref = reference.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/[\t\n\r]/g, '');
  if (/^https?:\/\/[^\s]/i.test(ref)) return ref;
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) && !/^https?:/i.test(ref)) return null;
  try {
    // "//host/path" takes the page's scheme: a webmail page is served over https.
    const url = new URL(ref, base ?? 'https://webmail.invalid/');
    if (url.hostname === 'webmail.invalid' || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null;
    return url.href;
  } catch {
    return null;
  }
}

export interface ElementState {
  /** An element around this one is hidden. */
  hiddenAround(): boolean;
}

export class ResourceCollector {
  private readonly byKey = new Map<string, RemoteResource>();
  private nextHint = -1;

  constructor(
    private readonly html: string,
    private readonly attachment: string | null = null,
  ) {}

  /** A start tag; `attrs` parses its attributes (memoised by the caller). */
  startTag(
    name: string,
    attrStart: number,
    attrEnd: number,
    attrs: () => Record<string, string>,
    base: string | null,
    state: ElementState,
  ): void {
    if (this.byKey.size >= MAX_RESOURCES) return;
    const named = RESOURCE_ATTRIBUTES[name];
    const styled = this.mayHoldStyleUrl(attrStart, attrEnd);
    if (!named && !styled) return;
    const a = attrs();
    if (named) {
      if (name === 'input' && !/^image$/i.test(a.type ?? '')) return;
      const image = name === 'img' || name === 'input' || name === 'image';
      const ownStyle = a.style ?? '';
      const displayNone = DISPLAY_NONE.test(ownStyle);
      const hidden = displayNone || 'hidden' in a || HIDDEN_STYLE.test(ownStyle) || state.hiddenAround();
      const width = image ? declaredSize(a, 'width') : null;
      const height = image ? declaredSize(a, 'height') : null;
      for (const [attribute, kind] of named) {
        const value = a[attribute] ?? (name === 'image' ? a['xlink:href'] : undefined);
        if (value === undefined) continue;
        if (name === 'link' && /^(?:dns-prefetch|preconnect)$/i.test((a.rel ?? '').trim())) continue;
        for (const reference of kind === 'srcset' ? srcsetUrls(value) : [value]) {
          this.add(reference, kind, name, base, { image: image && kind !== 'srcset', width, height, hidden, displayNone });
        }
      }
    }
    if (styled) {
      for (const { url } of cssUrls(a.style ?? '')) this.add(url, 'style-background', name, base, null);
      if (a.background) this.add(a.background, 'background-attribute', name, base, null);
    }
  }

  /** The content of a <style> element. */
  styleSheet(css: string, base: string | null): void {
    for (const { url, kind } of cssUrls(css)) {
      if (this.byKey.size >= MAX_RESOURCES) return;
      this.add(url, kind, 'style', base, null);
    }
  }

  list(): RemoteResource[] {
    return [...this.byKey.values()];
  }

  /** Whether the tag's attribute text holds "url(" or a background attribute (found once per document, in order). */
  private mayHoldStyleUrl(attrStart: number, attrEnd: number): boolean {
    if (this.nextHint < attrStart) {
      STYLE_OR_BACKGROUND.lastIndex = attrStart;
      this.nextHint = STYLE_OR_BACKGROUND.exec(this.html)?.index ?? Infinity;
    }
    return this.nextHint < attrEnd;
  }

  private add(
    reference: string,
    kind: ResourceKind,
    element: string,
    base: string | null,
    look: { image: boolean; width: number | null; height: number | null; hidden: boolean; displayNone: boolean } | null,
  ): void {
    const url = remoteUrl(reference, base);
    if (!url) return;
    const key = `${kind}\u0000${url}`;
    const seen = this.byKey.get(key);
    if (seen) {
      seen.occurrences++;
      return;
    }
    const evidence = look ?? { image: false, width: null, height: null, hidden: false, displayNone: false };
    this.byKey.set(key, {
      url,
      kind,
      element,
      width: evidence.width,
      height: evidence.height,
      hidden: evidence.hidden,
      pixel: classifyPixel({ url, ...evidence }),
      occurrences: 1,
      attachment: this.attachment,
    });
  }
}
