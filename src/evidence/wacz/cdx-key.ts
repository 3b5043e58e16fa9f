// The lookup key of a CDXJ line, as warcio's CDXIndexer writes it (and pywb and ReplayWeb.page
// look records up by): the URL in SURT form, and for a POST (or any non-GET) request its body
// folded into the query (`__wb_method=POST&...`), so that replay finds the right response.
//
// Our own rather than warcio's `getSurt`/`postToGetUrl` (warcio/utils): warcio as a runtime
// dependency installs 33 packages (9.3 MB: yargs, tempy, hash-wasm...) for these ~60 lines, and
// its multipart splitter builds a RegExp from the request's boundary unescaped, so a page that
// posts with a crafted boundary could stall the case writer (ReDoS); here the boundary is
// escaped. warcio stays the reference the tests compare with (cdx-key.test.ts).

/** `https://www.Example.com:8443/a?b=2&a=1` → `com,example:8443)/a?a=1&b=2`. Non-HTTP(S) URLs are kept. */
export function surtKey(url: string): string {
  try {
    if (!url.startsWith('https:') && !url.startsWith('http:')) return url;
    const parsed = new URL(url.replace(/^(https?:\/\/)www\d*\./, '$1').toLowerCase());
    let key = parsed.hostname.split('.').reverse().join(',');
    if (parsed.port) key += `:${parsed.port}`;
    key += `)${parsed.pathname}`;
    if (parsed.search) key += `?${parsed.search.slice(1).split('&').sort().join('&')}`;
    return key;
  } catch {
    return url;
  }
}

export interface LookupRequest {
  url: string;
  method: string;
  /** Header names in any case. */
  headers: Map<string, string>;
  body: Uint8Array;
}

/**
 * For a non-GET request: the URL its response is looked up by (the body folded into the query,
 * `__wb_method=<METHOD>&<query>`) and the folded query as indexed (`requestBody`, at most
 * `maxQuery` characters). Null for GET.
 */
export function lookupUrl(request: LookupRequest, maxQuery = 0): { url: string; requestBody: string } | null {
  if (request.method === 'GET') return null;
  const contentType = contentTypeOf(request.headers);
  let query: string;
  switch (contentType.split(';')[0]) {
    case 'application/x-www-form-urlencoded':
      query = utf8(request.body);
      break;
    case 'application/json':
      query = jsonToQuery(utf8(request.body));
      break;
    case 'text/plain':
      query = jsonToQuery(utf8(request.body));
      break;
    case 'multipart/form-data':
      query = multipartToQuery(utf8(request.body), contentType);
      break;
    default:
      query = binaryQuery(request.body);
  }
  if (maxQuery > 0 && query.length > maxQuery) query = query.slice(0, maxQuery);
  const requestBody = query;
  try {
    query = decodeURI(query);
  } catch {
    query = '';
  }
  if (!request.method) return { url: request.url, requestBody };
  const separator = request.url.indexOf('?') > 0 ? '&' : '?';
  return { url: `${request.url}${separator}__wb_method=${request.method}&${query}`, requestBody };
}

function contentTypeOf(headers: Map<string, string>): string {
  const exact = headers.get('content-type');
  if (exact) return exact;
  for (const [name, value] of headers) if (name.toLowerCase() === 'content-type') return value;
  return '';
}

function utf8(body: Uint8Array): string {
  return new TextDecoder().decode(body);
}

/** A body that is not text: its bytes (as Latin-1) in base64. */
function binaryQuery(body: Uint8Array): string {
  return `__wb_post_data=${Buffer.from(body).toString('base64')}`;
}

/** JSON flattened to key=value pairs, repeated keys numbered `key.2_`, `key.3_`...; not JSON gives "". */
function jsonToQuery(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = {};
  }
  const params = new URLSearchParams();
  // A plain object and `in`, as warcio has it: a key named like an Object.prototype member
  // ("constructor") numbers as "constructor.NaN_" there, and so here.
  const repeats: Record<string, number> = {};
  const keyFor = (key: string) => {
    if (!params.has(key)) return key;
    if (!(key in repeats)) repeats[key] = 1;
    return `${key}.${++repeats[key]}_`;
  };
  const walk = (value: unknown, key: string) => {
    if (value === null) params.set(keyFor(key), 'null');
    else if (Array.isArray(value)) for (const item of value) walk(item, key);
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      if (text) params.set(keyFor(key), text);
    }
  };
  walk(json, '');
  return params.toString();
}

/** The text fields of a multipart body (first line of each value), as a query. */
function multipartToQuery(text: string, contentType: string): string {
  const params = new URLSearchParams();
  // Without a boundary warcio splits on the text "undefined"; so does this.
  const boundary = String(contentType.split('boundary=')[1]);
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const part of text.split(new RegExp(`-*${escaped}-*`, 'mi'))) {
    const field = /name="([^"]+)"\r\n\r\n(.*)/im.exec(part.trim());
    if (field) params.set(field[1], field[2]);
  }
  return params.toString();
}
