import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTextUrls } from './text-urls.js';

const urls = (text: string) => findTextUrls(text).map((hit) => hit.url);

test('a URL cut by a hard line break on a wrapped line is rejoined', () => {
  const text =
    'Find out more:\nhttp://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=Ue0V8Z%2B\nbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1\n\nRegards';
  const [hit] = findTextUrls(text);
  assert.equal(hit.url, 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1');
  assert.equal(hit.rejoined, true);
});

test('an opaque token split by one space is rejoined (the seed as received)', () => {
  assert.deepEqual(urls('Link: http://news.t-mobile.emsecure.net/optiext/optiextension.dll?ID=abc%2B def%2Bghi and more'), [
    'http://news.t-mobile.emsecure.net/optiext/optiextension.dll?ID=abc%2Bdef%2Bghi',
  ]);
});

test('a <bracketed> URL spanning lines is joined without its whitespace', () => {
  assert.deepEqual(urls('To unsubscribe go to\n<http://x.example/unsub?id=12\n  34&y=5>\nThanks'), ['http://x.example/unsub?id=1234&y=5']);
  assert.deepEqual(urls('see <URL:http://x.example/a\n/b>'), ['http://x.example/a/b']);
});

test('an unfinished percent escape always continues on the next line', () => {
  assert.deepEqual(urls('go http://x.example/?q=a%2\nBb now'), ['http://x.example/?q=a%2Bb']);
});

test('ordinary text after a URL is not glued to it', () => {
  assert.deepEqual(urls('Visit http://example.com/page\nThanks for reading.'), ['http://example.com/page']);
  assert.deepEqual(urls('See https://example.com/verify?id=123\n2nd line'), ['https://example.com/verify?id=123']);
  assert.deepEqual(urls('http://example.com/a http://example.com/b'), ['http://example.com/a', 'http://example.com/b']);
  // long wrapped line ending in an opaque token, but the next line is prose
  assert.deepEqual(urls('https://click.mail.example/?qs=e69fe724eaf557b39131fba804a661e69fe724eaf557b39131fba804a661 \nacesse aqui'), [
    'https://click.mail.example/?qs=e69fe724eaf557b39131fba804a661e69fe724eaf557b39131fba804a661',
  ]);
  // a URL closed by punctuation ended there
  assert.deepEqual(urls('[https://mail.example.com/index.php/campaigns/tm327ed34q0c5/track-url/oc391j0nhnbea/b745b48c85aa2284]\n_Next'), [
    'https://mail.example.com/index.php/campaigns/tm327ed34q0c5/track-url/oc391j0nhnbea/b745b48c85aa2284',
  ]);
  // an indented next line or a blank line ends the URL
  assert.deepEqual(urls('http://x.example/abc%2B\n  def%2B'), ['http://x.example/abc%2B']);
  assert.deepEqual(urls('http://x.example/abc%2B\n\ndef%2B'), ['http://x.example/abc%2B']);
});

test('trailing punctuation and unbalanced brackets are trimmed, balanced ones kept', () => {
  assert.deepEqual(urls('(see http://example.com/a_(b)) or http://example.com/x).'), ['http://example.com/a_(b)', 'http://example.com/x']);
  assert.deepEqual(urls('"http://example.com/q?a=1", then'), ['http://example.com/q?a=1']);
});

test('www. links get a scheme; e-mail addresses are not links', () => {
  assert.deepEqual(urls('go to www.example.com/path, now'), ['http://www.example.com/path']);
  assert.deepEqual(urls('mail a@www.example.com'), []);
});

test('rejoin can be switched off', () => {
  assert.deepEqual(
    findTextUrls('http://x.example/?q=a%2\nBb', { rejoin: false }).map((h) => h.url),
    ['http://x.example/?q=a%2'],
  );
});

test('the seed as received: a soft break after "?" left a space, and the token goes on on the next line', () => {
  const text =
    'Find out more:\n' +
    'http://news.t-mobile.emsecure.test/optiext/optiextension.dll? ID=3vu3xQ7rT2pL9kW4mZ8bN1cV5hJ6gF0dS3aW9K\n' +
    '1u3OY8eR2tY4uI6oP8aS0dF\n\nQuestions?';
  const [hit] = findTextUrls(text);
  assert.equal(
    hit.url,
    'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=3vu3xQ7rT2pL9kW4mZ8bN1cV5hJ6gF0dS3aW9K1u3OY8eR2tY4uI6oP8aS0dF',
  );
  assert.equal(hit.rejoined, true);
  assert.equal(text.slice(hit.index, hit.end), text.slice(15, text.indexOf('\n\n')));
  assert.equal(hit.readings, undefined);
});

test('cut before "?", before "&", after "=", inside and after "%2B": rejoined', () => {
  assert.deepEqual(urls('go to http://x.example/optiext/optiextension.dll\n?ID=Ue0V8Z%2BbT4\nthanks'), [
    'http://x.example/optiext/optiextension.dll?ID=Ue0V8Z%2BbT4',
  ]);
  assert.deepEqual(urls('http://x.example/c?a=1\n&b=2 ok'), ['http://x.example/c?a=1&b=2']);
  assert.deepEqual(urls('http://x.example/c?ID=\nUe0V8Z%2BbT4 ok'), ['http://x.example/c?ID=Ue0V8Z%2BbT4']);
  assert.deepEqual(urls('http://x.example/c?ID= Ue0V8Z2bT4 ok'), ['http://x.example/c?ID=Ue0V8Z2bT4']);
  assert.deepEqual(urls('http://x.example/c?ID=Ue0V8Z%\n2BbT4 ok'), ['http://x.example/c?ID=Ue0V8Z%2BbT4']);
  assert.deepEqual(urls('http://x.example/c?ID=Ue0V8Z%2\nBbT4 ok'), ['http://x.example/c?ID=Ue0V8Z%2BbT4']);
  // "?" starting a piece is a query only when the URL has none yet; "&" only when it has one
  assert.deepEqual(urls('http://x.example/c?a=1\n?b=2'), ['http://x.example/c?a=1']);
  assert.deepEqual(urls('http://x.example/c\n&b=2'), ['http://x.example/c']);
});

test('a sentence ending in a URL and a question mark is not a cut query', () => {
  assert.deepEqual(urls('Did you see http://x.example/page? It is new.'), ['http://x.example/page']);
  assert.deepEqual(urls('Is it http://x.example/page?\nYes'), ['http://x.example/page']);
});

test('a token cut at a line end and a word alone on the next line: both readings kept', () => {
  const [hit] = findTextUrls('Track: http://x.example/t?id=Ab12Cd34\nxyzw\n\nBye');
  assert.equal(hit.url, 'http://x.example/t?id=Ab12Cd34');
  assert.deepEqual(hit.readings, ['http://x.example/t?id=Ab12Cd34', 'http://x.example/t?id=Ab12Cd34xyzw']);
  const [afterEquals] = findTextUrls('http://x.example/t?lang=\nen\n');
  assert.deepEqual(afterEquals.readings, ['http://x.example/t?lang=', 'http://x.example/t?lang=en']);
  // a word followed by more words on its line is prose
  assert.equal(findTextUrls('http://x.example/t?id=Ab12Cd34\nxyzw is here')[0].readings, undefined);
  assert.equal(findTextUrls('http://x.example/plain/page\nThanks\n')[0].readings, undefined);
});
