// Nothing captured may reach a reader as an invisible or active character: C0 controls (ESC
// sequences that recolour, clear or retitle a terminal), DEL, C1 controls, the Unicode bidi
// overrides and marks that reorder what a reader sees, and the characters that show nothing at
// all (zero width space, word joiner and invisible operators, BOM, line and paragraph separators)
// are shown as \xNN / \uNNNN, the same way in the terminal (cli/terminal.ts) and in the web UI
// (web/html.ts). The zero width (non-)joiners stay: scripts and emoji sequences need them.

const INVISIBLE = '\\u061c\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const CONTROLS = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${INVISIBLE}]`, 'g');
// The same, but tab and newline stay: for text shown as lines (a raw HTTP head, a body preview).
const CONTROLS_BUT_LINES = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${INVISIBLE}]`, 'g');

function escapeControl(c: string): string {
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** `text` with every control character written out; with `keepLines`, tab and newline are kept. */
export function showControls(text: string, { keepLines = false }: { keepLines?: boolean } = {}): string {
  return text.replace(keepLines ? CONTROLS_BUT_LINES : CONTROLS, escapeControl);
}

// JSON escapes C0 controls but leaves DEL, C1 controls (U+009B is a terminal's CSI), the bidi
// overrides, U+2028/U+2029 (line ends to many line readers) and the other invisible characters
// above raw. Written as \uNNNN they read back the same.
const JSON_RAW_CONTROLS = new RegExp(`[\\u007f-\\u009f${INVISIBLE}]`, 'g');

/** JSON.stringify, with every control character JSON leaves raw escaped: safe on a terminal, one record per line. */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(JSON_RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
