// What of a URL goes on the wire: a browser never sends the #fragment, nor user:password@ (it
// sends credentials, if at all, as an Authorization header), so a request recorded by the proxy
// is matched to the browser's URL without them.

export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

/** The URL as its request is sent: no fragment, no userinfo. */
export function requestedAs(url: string): string {
  return withoutFragment(url).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}
