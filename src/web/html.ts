// HTML that is escaped by construction. `html` is a tagged template: every interpolated value is
// escaped unless it is itself the product of `html` (a SafeHtml). There is no other way to make
// a SafeHtml, so captured text (titles, URLs, headers) can only ever reach a page as text.
// A template that puts a value where escaping is not enough (an unquoted attribute, an event
// handler, inside <script> or <style>) is a programming error and throws the first time it runs.

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

const checkedTemplates = new WeakSet<TemplateStringsArray>();

function checkTemplate(strings: TemplateStringsArray): void {
  if (checkedTemplates.has(strings)) return;
  let prefix = '';
  for (let i = 0; i < strings.length - 1; i++) {
    prefix += strings[i]!;
    const problem = contextProblem(prefix);
    if (problem) throw new Error(`html template: value ${i + 1} is ${problem}: ...${prefix.slice(-40)}`);
    prefix += 'x';
  }
  checkedTemplates.add(strings);
}

/** Why a value placed after this markup would not be safe once escaped, or null. */
function contextProblem(prefix: string): string | null {
  const open = prefix.lastIndexOf('<');
  if (open <= prefix.lastIndexOf('>')) return UNSAFE_IN_TEXT.test(prefix) ? 'inside a script or style element' : null;
  // Inside a tag: find whether the value lands in a quoted attribute value, and whose.
  const tag = prefix.slice(open);
  let quote: string | null = null;
  let attribute = '';
  let name = '';
  for (const c of tag) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      attribute = name;
    } else if (/[\w-]/.test(c)) name = attribute === name ? c : name + c;
    else if (c !== '=') name = '';
  }
  if (!quote) return 'not inside a quoted attribute value';
  if (/^on/i.test(attribute) || /^style$/i.test(attribute)) return `inside the ${attribute} attribute`;
  return null;
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  checkTemplate(strings);
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return SafeHtml.mint(out);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

// Control characters (except tab and newline), DEL, C1 and the bidi overrides are shown as
// \xNN / \uNNNN: a hostile title cannot hide text or reorder what the analyst reads.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const SPECIAL = /[&<>"'`]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text
    .replace(INVISIBLE, (c) => {
      const code = c.charCodeAt(0);
      return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
    })
    .replace(SPECIAL, (c) => ENTITIES[c]!);
}

/** Joins fragments with a separator (itself escaped unless SafeHtml). */
export function join(items: readonly Interpolation[], separator: Interpolation = ''): SafeHtml {
  return SafeHtml.mint(items.map(render).join(render(separator)));
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
