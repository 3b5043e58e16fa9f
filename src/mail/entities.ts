// HTML character references. The full HTML5 table has over 2,000 names; mail HTML in practice
// uses the Latin-1 set, typographic punctuation and numeric references, which this covers.
// Unknown names are left as written, which is what a browser does for most of them too.

const LATIN1_NAMES = [
  'nbsp',
  'iexcl',
  'cent',
  'pound',
  'curren',
  'yen',
  'brvbar',
  'sect',
  'uml',
  'copy',
  'ordf',
  'laquo',
  'not',
  'shy',
  'reg',
  'macr',
  'deg',
  'plusmn',
  'sup2',
  'sup3',
  'acute',
  'micro',
  'para',
  'middot',
  'cedil',
  'sup1',
  'ordm',
  'raquo',
  'frac14',
  'frac12',
  'frac34',
  'iquest',
  'Agrave',
  'Aacute',
  'Acirc',
  'Atilde',
  'Auml',
  'Aring',
  'AElig',
  'Ccedil',
  'Egrave',
  'Eacute',
  'Ecirc',
  'Euml',
  'Igrave',
  'Iacute',
  'Icirc',
  'Iuml',
  'ETH',
  'Ntilde',
  'Ograve',
  'Oacute',
  'Ocirc',
  'Otilde',
  'Ouml',
  'times',
  'Oslash',
  'Ugrave',
  'Uacute',
  'Ucirc',
  'Uuml',
  'Yacute',
  'THORN',
  'szlig',
  'agrave',
  'aacute',
  'acirc',
  'atilde',
  'auml',
  'aring',
  'aelig',
  'ccedil',
  'egrave',
  'eacute',
  'ecirc',
  'euml',
  'igrave',
  'iacute',
  'icirc',
  'iuml',
  'eth',
  'ntilde',
  'ograve',
  'oacute',
  'ocirc',
  'otilde',
  'ouml',
  'divide',
  'oslash',
  'ugrave',
  'uacute',
  'ucirc',
  'uuml',
  'yacute',
  'thorn',
  'yuml',
];

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  ndash: '\u2013',
  mdash: '\u2014',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201a',
  ldquo: '\u201c',
  rdquo: '\u201d',
  bdquo: '\u201e',
  hellip: '\u2026',
  bull: '\u2022',
  euro: '\u20ac',
  trade: '\u2122',
  dagger: '\u2020',
  Dagger: '\u2021',
  permil: '\u2030',
  lsaquo: '\u2039',
  rsaquo: '\u203a',
  prime: '\u2032',
  OElig: '\u0152',
  oelig: '\u0153',
  Scaron: '\u0160',
  scaron: '\u0161',
  Yuml: '\u0178',
  fnof: '\u0192',
  circ: '\u02c6',
  tilde: '\u02dc',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwnj: '\u200c',
  zwj: '\u200d',
  lrm: '\u200e',
  rlm: '\u200f',
  larr: '\u2190',
  rarr: '\u2192',
  uarr: '\u2191',
  darr: '\u2193',
  hearts: '\u2665',
  check: '\u2713',
  star: '\u2606',
  starf: '\u2605',
  sol: '/',
  colon: ':',
  period: '.',
  comma: ',',
  excl: '!',
  quest: '?',
  num: '#',
  percnt: '%',
  equals: '=',
  lowbar: '_',
  hyphen: '\u2010',
  dash: '\u2010',
  NewLine: '\n',
  Tab: '\t',
  semi: ';',
  lpar: '(',
  rpar: ')',
};
LATIN1_NAMES.forEach((name, i) => (NAMED[name] = String.fromCharCode(0xa0 + i)));

// Windows-1252 meanings of C1 references, as the HTML spec maps them (&#150; is an en dash).
const C1_REMAP: Record<number, number> = {
  0x80: 0x20ac,
  0x82: 0x201a,
  0x83: 0x0192,
  0x84: 0x201e,
  0x85: 0x2026,
  0x86: 0x2020,
  0x87: 0x2021,
  0x88: 0x02c6,
  0x89: 0x2030,
  0x8a: 0x0160,
  0x8b: 0x2039,
  0x8c: 0x0152,
  0x8e: 0x017d,
  0x91: 0x2018,
  0x92: 0x2019,
  0x93: 0x201c,
  0x94: 0x201d,
  0x95: 0x2022,
  0x96: 0x2013,
  0x97: 0x2014,
  0x98: 0x02dc,
  0x99: 0x2122,
  0x9a: 0x0161,
  0x9b: 0x203a,
  0x9c: 0x0153,
  0x9e: 0x017e,
  0x9f: 0x0178,
};

// Names a browser still decodes without the closing semicolon (the HTML4 legacy set).
const LEGACY = new Set(['amp', 'lt', 'gt', 'quot', ...LATIN1_NAMES]);

const REFERENCE = /&(?:#[xX]([0-9a-fA-F]{1,6});?|#([0-9]{1,7});?|([A-Za-z][A-Za-z0-9]{0,31})(;?))/g;

function fromCodePoint(code: number): string {
  if (C1_REMAP[code]) return String.fromCodePoint(C1_REMAP[code]);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(code);
}

/**
 * Decodes character references. `inAttribute` follows the HTML rule that keeps URLs intact:
 * in an attribute, "&region=1" or "&copy=2" (no semicolon, followed by a letter, digit or "=")
 * is left as written.
 */
export function decodeHtmlEntities(text: string, inAttribute = false): string {
  if (text.indexOf('&') === -1) return text;
  return text.replace(
    REFERENCE,
    (whole, hex: string | undefined, dec: string | undefined, name: string | undefined, semi: string, offset: number) => {
      if (hex !== undefined) return fromCodePoint(parseInt(hex, 16));
      if (dec !== undefined) return fromCodePoint(parseInt(dec, 10));
      if (semi && NAMED[name!] !== undefined) return NAMED[name!];
      // Without a semicolon: the longest legacy name that prefixes the run decodes.
      for (let len = name!.length; len >= 2; len--) {
        const candidate = name!.slice(0, len);
        if (!LEGACY.has(candidate)) continue;
        const rest = whole.slice(1 + len);
        const next = rest ? rest[0] : (text[offset + whole.length] ?? '');
        if (inAttribute && /[A-Za-z0-9=]/.test(next)) return whole;
        return NAMED[candidate] + rest;
      }
      return whole;
    },
  );
}
