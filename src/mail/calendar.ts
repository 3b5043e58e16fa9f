// The readable text of an iCalendar invitation (text/calendar, .ics): spam sent as a meeting
// invitation carries its link in DESCRIPTION (or URL, LOCATION), which calendar apps show and
// make clickable. Folded lines are unfolded and escapes undone, so a URL cut by folding is whole.

/** Properties whose values a calendar app shows to the invitee. */
const SHOWN = /^(?:DESCRIPTION|SUMMARY|LOCATION|URL|COMMENT|X-ALT-DESC|ATTACH)\b/i;

/** The shown property values of an iCalendar text, one a paragraph, unescaped. */
export function calendarText(ics: string): string {
  // RFC 5545 3.1: a CRLF followed by one space or tab continues the line.
  const lines = ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const values: string[] = [];
  for (const line of lines) {
    if (!SHOWN.test(line)) continue;
    const colon = valueStart(line);
    if (colon === -1) continue;
    values.push(
      line
        .slice(colon + 1)
        .replace(/\\[nN]/g, '\n')
        .replace(/\\([,;\\])/g, '$1'),
    );
  }
  return values.join('\n\n');
}

/** Where a content line's value starts: the first colon outside a quoted parameter value. */
function valueStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return i;
  }
  return -1;
}

export function isCalendar(contentType: string, filename: string | null): boolean {
  return contentType === 'text/calendar' || contentType === 'application/ics' || /\.(?:ics|ical|vcs)$/i.test(filename ?? '');
}
