// Defanged links, as abuse desks and threat feeds paste them (`hxxps://evil[.]example/x`), turned
// back into the link they stand for, or refused when that link cannot be known for sure.
//
// Hand-written rather than the npm `fanger` or `ioc-extractor` refangers: those rewrite every
// `hxxp`, `(.)`, `.)` or `\.` anywhere in a text, so a token holding "hxxp" or a path holding
// "(S(x.))" (ASP.NET cookieless sessions, common in phishing URLs) would be requested as another
// link. Here a marker is undone only where it cannot be part of a real URL, and a line whose
// markers could be either is reported instead of guessed.
//
// The forms undone are those documented by the tools that write them:
// - the scheme `hxxp`/`hxxps` in any case (CyberChef "Defang URL", python `defang` hXXp, ioc-fanger
//   hXXp, fanger), `h**p` (ioc-extractor);
// - the separator `[://]` (CyberChef), `[:]//` (python `defang` colon=True), `[/]` (fanger);
// - dots `[.]` (all of them), `(.)`, `{.}`, `[dot]`, `(dot)`, `{dot}` (ioc-extractor, fanger), and
//   `\.` (ioc-extractor, fanger) in the host, and `[:]` before a port.
// A URL is taken as defanged only when its scheme or its host is; then, in its path, query and
// fragment, the bracketed and braced forms are undone too (RFC 3986 allows neither `[`, `]`, `{` nor
// `}` there, so they cannot be the link's own), and `hxxp` only where a nested URL starts
// (`hxxps[://]`, `hxxps%3A%2F%2F`, as CyberChef writes the URL inside a tracker's query). `(.)`,
// `(dot)`, `\.` or another `hxxp` in the path or query are left to the user: parentheses are
// legal in a path, so they may be the link's own.
// (src/analyze/unwrap/url-text.ts refang() only undoes `hxxp` in a scheme, on text already taken
// for a URL: a tracker wrapper's decoded target; this one decides what a user's line stands for.)
// Not undone: any other scheme (ioc-fanger turns any 4-letter scheme such as `meow://` into http,
// which is a guess), spaces around markers (a line with a space is not a URL here), and a defanged
// host with no scheme (http or https is then a guess).

export type Refang =
  /** No defanging: the text is taken as written. */
  | { kind: 'plain' }
  /** The link the text stands for, and the markers undone (`hxxps`, `[.]`, ...). */
  | { kind: 'refanged'; url: string; markers: string[] }
  /** Defanged, but the link cannot be told for sure: why, in words (the caller quotes the text). */
  | { kind: 'ambiguous'; error: string };

const SCHEME = /^(h(?:tt|xx|\*\*)p(s?))(\[:\/\/\]|(?::|\[:\])(?:\/|\[\/\]){2})/i;
const HOST_MARKERS = /\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\\\.|\[:\]/gi;
/** Markers undone anywhere in a defanged URL: none of their characters may stand in a URL's path or query. */
const BRACKETED = /\[\.\]|\{\.\}|\[dot\]|\{dot\}|\[:\/\/\]|\[:\]|\[\/\]/gi;
/** A nested URL's defanged scheme, once the bracketed markers are undone. */
const NESTED_SCHEME = /hxxp(s?)(?=:\/\/|%3a%2f%2f)/gi;
/** What may still be a marker in a path or query, or the link's own text. */
const UNSURE = /\(\.\)|\(dot\)|\\\.|hxxp|h\*\*p/i;
/** A defanged dot with no scheme before it (`evil[.]example/x`). */
const ANY_MARKER = /\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\[:\/\/\]|\[:\]|hxxps?(?::|\[)/i;

export function refangUrl(text: string): Refang {
  const scheme = SCHEME.exec(text);
  if (!scheme) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(text) || !ANY_MARKER.test(text)) return { kind: 'plain' };
    return { kind: 'ambiguous', error: 'defanged, with no http:// or https:// before it (which one is a guess)' };
  }
  const [whole, word, s, separator] = scheme;
  const markers = new Set<string>();
  if (!/^https?$/i.test(word)) markers.add(word.toLowerCase());
  if (separator !== '://') markers.add(separator);
  const rest = text.slice(whole.length);
  // The authority ends at the first /, ?, # or \ (a `\.` is a dot of the host) or at a `[/]`.
  const end = /[/?#]|\\(?!\.)|\[\/\]/.exec(rest)?.index ?? rest.length;
  const host = rest.slice(0, end).replace(HOST_MARKERS, (marker) => {
    markers.add(marker.toLowerCase());
    return marker === '[:]' ? ':' : '.';
  });
  if (markers.size === 0) return { kind: 'plain' };
  const tail = rest
    .slice(end)
    .replace(BRACKETED, (marker) => {
      markers.add(marker.toLowerCase());
      return marker === '[://]' ? '://' : marker === '[:]' ? ':' : marker === '[/]' ? '/' : '.';
    })
    .replace(NESTED_SCHEME, (_m, secure: string) => {
      markers.add(`hxxp${secure}`);
      return `http${secure}`;
    });
  const unsure = UNSURE.exec(tail);
  if (unsure) {
    return {
      kind: 'ambiguous',
      error: `defanged, and "${unsure[0]}" in its path or query may be a defanged character or the link's own: write that part out`,
    };
  }
  return { kind: 'refanged', url: `http${s.toLowerCase()}://${host}${tail}`, markers: [...markers] };
}
