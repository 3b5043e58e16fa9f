// Nothing a hostile page sends may reach the terminal as control characters: every value that
// came from captured traffic goes through `clean` before it is printed.

// C0 controls except none (tab and newline are replaced too: values are printed on one line),
// DEL, C1 controls, and the Unicode bidi overrides that can reorder what a reader sees.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function clean(value: unknown): string {
  return String(value ?? '').replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
