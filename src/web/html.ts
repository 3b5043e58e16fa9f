// HTML that is escaped by construction. `html` is a tagged template: every interpolated value is
// escaped unless it is itself the product of `html` (a SafeHtml). There is no other way to make
// a SafeHtml, so captured text (titles, URLs, headers) can only ever reach a page as text.
// A template that puts a value where escaping is not enough (an unquoted attribute, an event
// handler, inside <script> or <style>) is a programming error and throws the first time it runs.

import { showControls } from '../visible.js';

const SAFE = Symbol('SafeHtml');

export class SafeHtml {
  readonly [SAFE] = true;
  private constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  /** Only this module mints SafeHtml. */
  static mint(text: string): SafeHtml {
    return new SafeHtml(text);
  }
}

export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

// Between tags: the content of a script or style element.
const UNSAFE_IN_TEXT = /<(script|style)\b[^>]*>[^<]*$/i;
// Between tags: the content of an element whose text is shown as lines.
const LINES_IN_TEXT = /<(pre|textarea)\b[^>]*>[^<]*$/i;

// Attributes whose value is a URL: only app-relative values ("/...", "#...", "?...") may go there,
// so a captured "javascript:" or off-site URL can never become a link.
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'poster', 'srcset', 'data']);

/** Where a value slot lands: in a URL attribute, or in text shown as lines. */
interface Slot {
  url: boolean;
  lines: boolean;
}

/** Per template: its value slots. */
const checkedTemplates = new WeakMap<TemplateStringsArray, Slot[]>();

function checkTemplate(strings: TemplateStringsArray): Slot[] {
  const known = checkedTemplates.get(strings);
  if (known) return known;
  const slots: Slot[] = [];
  let prefix = '';
  for (let i = 0; i < strings.length - 1; i++) {
    prefix += strings[i];
    const context = slotContext(prefix);
    if (context.problem) throw new Error(`html template: value ${i + 1} is ${context.problem}: ...${prefix.slice(-40)}`);
    slots.push({ url: context.url, lines: context.lines });
    prefix += 'x';
  }
  checkedTemplates.set(strings, slots);
  return slots;
}

/** Why a value placed after this markup would not be safe once escaped, whether it is a URL, whether it is shown as lines. */
function slotContext(prefix: string): { problem: string | null; url: boolean; lines: boolean } {
  const open = prefix.lastIndexOf('<');
  if (open <= prefix.lastIndexOf('>'))
    return {
      problem: UNSAFE_IN_TEXT.test(prefix) ? 'inside a script or style element' : null,
      url: false,
      lines: LINES_IN_TEXT.test(prefix),
    };
  // Inside a tag: find whether the value lands in a quoted attribute value, and whose.
  const tag = prefix.slice(open);
  let quote: string | null = null;
  let word = '';
  let lastName = '';
  let attribute = '';
  for (const c of tag.slice(1)) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      attribute = lastName;
    } else if (/[\w:-]/.test(c)) {
      word += c;
    } else if (c === '=') {
      lastName = word;
      word = '';
    } else {
      word = '';
    }
  }
  if (!quote) return { problem: 'not inside a quoted attribute value', url: false, lines: false };
  if (/^on/i.test(attribute) || /^style$/i.test(attribute))
    return { problem: `inside the ${attribute} attribute`, url: false, lines: false };
  const name = attribute.toLowerCase();
  // The value must start the attribute for the app-relative check to mean anything.
  return { problem: null, url: URL_ATTRIBUTES.has(name) && /=\s*["']x*$/.test(prefix), lines: false };
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  const slots = checkTemplate(strings);
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (slots[i].url && !isAppRelative(value)) throw new Error(`html template: value ${i + 1} is not an app-relative URL`);
    out += render(value, slots[i].lines) + strings[i + 1];
  }
  return SafeHtml.mint(out);
}

function isAppRelative(value: Interpolation): boolean {
  if (value === null || value === undefined || value === false) return true;
  return typeof value === 'string' && /^(\/(?![/\\])|#|\?)/.test(value);
}

function render(value: Interpolation, keepLines = false): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map((v: Interpolation) => render(v, keepLines)).join('');
  return escapeHtml(String(value), { keepLines });
}

const SPECIAL = /[&<>"'`]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Text as HTML: markup escaped, and control characters, DEL, C1 and the bidi overrides shown as
 * \xNN / \uNNNN (../visible.ts, as in the terminal), so a hostile value cannot hide text or
 * reorder what the analyst reads. Tab and newline are kept only with `keepLines` (text shown as
 * lines: the template passes it for values inside <pre> and <textarea>).
 */
export function escapeHtml(text: string, { keepLines = false }: { keepLines?: boolean } = {}): string {
  return showControls(text, { keepLines }).replace(SPECIAL, (c) => ENTITIES[c]);
}

/** Joins fragments with a separator (itself escaped unless SafeHtml). */
export function join(items: readonly Interpolation[], separator: Interpolation = ''): SafeHtml {
  return SafeHtml.mint(items.map((item) => render(item)).join(render(separator)));
}

/** An app path from segments, each percent-encoded: `/cases/<id>/files/<a>/<b>`. */
export function appPath(...segments: (string | number)[]): string {
  return '/' + segments.map((s) => encodeURIComponent(String(s))).join('/');
}

/** An app path with a query string; empty values are left out. */
export function appUrl(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
