// A URL list that is a CSV or TSV export (PhishTank's `phish_id,url,...`, URLhaus's
// `# id,dateadded,url,...` header written as a comment, a spreadsheet's "Save as CSV"): its header
// names the URL column, and each row's field there is the URL. Fields are read with csv-parse
// (RFC 4180 quoting: a URL with a comma inside is quoted). A quoted field may hold line breaks (a
// description column): the reader joins the lines of such a record (url-list.ts CsvRecords) and
// reports it at the line it starts on; a URL field with a line break in it is reported, not traced.
import { parse } from 'csv-parse/sync';

export interface CsvColumn {
  delimiter: string;
  index: number;
  name: string;
  /** How many fields the header names. */
  columns: number;
}

/** Column names taken for "the URL" (exactly, any case). */
const URL_COLUMNS = new Set(['url', 'uri', 'link', 'href']);
const DELIMITERS = [',', '\t', ';'];
/** What a header's names are made of: words, never a URL (no `:` or `/`), so a URL line with commas is not taken for one. */
const NAME = /^[\p{L}\p{N}_ .()-]*$/u;

/**
 * The URL column of a CSV/TSV header line; `one column` for a header of a single URL column (`url`:
 * the rows are then plain lines, whose commas are the URLs' own); null when the line is not a
 * header; an Error when it names several URL columns (which one holds the links is then a guess).
 */
export function csvHeader(text: string): CsvColumn | 'one column' | Error | null {
  if (
    URL_COLUMNS.has(
      text
        .replace(/^"(.*)"$/, '$1')
        .trim()
        .toLowerCase(),
    )
  )
    return 'one column';
  for (const delimiter of DELIMITERS) {
    if (!text.includes(delimiter)) continue;
    const names = csvFields(text, delimiter);
    if (!Array.isArray(names) || names.length < 2 || !names.every((n) => NAME.test(n))) continue;
    const columns = names
      .map((name, index) => ({ delimiter, index, name: name.trim(), columns: names.length }))
      .filter((c) => URL_COLUMNS.has(c.name.toLowerCase()));
    if (columns.length === 1) return columns[0];
    if (columns.length > 1) return new Error(`a CSV header with several URL columns (${columns.map((c) => c.name).join(', ')}): give one`);
  }
  return null;
}

/** The fields of one CSV row, or why it is not one. */
export function csvFields(text: string, delimiter: string): string[] | Error {
  try {
    const rows: string[][] = parse(text, { delimiter, relax_column_count: true, bom: true });
    return rows[0] ?? [];
  } catch (err) {
    return new Error(((err as Error).message ?? String(err)).split('\n')[0]);
  }
}

/** Whether a record's text ends inside a quoted field (its next line belongs to it). */
export function csvQuoteOpen(text: string, delimiter: string): boolean {
  if (!text.includes('"')) return false;
  try {
    parse(text, { delimiter, relax_column_count: true, bom: true });
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED';
  }
}
