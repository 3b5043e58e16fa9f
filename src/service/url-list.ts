// A batch's input: URLs given as arguments, or a list with one URL per line (`--input FILE`, `-`
// for stdin) where blank lines and `#` comments are skipped. A line that is not an http(s) URL is
// reported with its number; the others go on.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseTraceUrl } from '../capture/trace-input.js';

export type InputItem =
  /** `line`: 1-based line of the list, or position among the arguments. */
  { line: number; url: string } | { line: number; text: string; error: string };

/** One line of a list: null when blank or a comment. */
export function parseInputLine(text: string, line: number): InputItem | null {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  return parseInputUrl(trimmed, line);
}

export function parseInputUrl(text: string, line: number): InputItem {
  try {
    parseTraceUrl(text);
    return { line, url: text };
  } catch (err) {
    return { line, text, error: (err as Error).message };
  }
}

/** Every item of a list file (or stdin for "-"), in order. */
export async function readInputList(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<InputItem[]> {
  let stream: NodeJS.ReadableStream = stdin;
  if (path !== '-') {
    const file = createReadStream(path);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    });
    stream = file;
  }
  const items: InputItem[] = [];
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    const item = parseInputLine(text, ++line);
    if (item) items.push(item);
  }
  return items;
}
