import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixedPath, rewriteHtml, rewriteLocation, rewriteRefresh, rewriteUrl, urlFromPrefixedPath } from './rewrite.js';

const page = 'https://shop.test/dir/page.html?q=1';

test('prefixed paths carry the whole recorded URL', () => {
  assert.equal(prefixedPath('https://a.test/x?y=1'), '/https://a.test/x?y=1');
  assert.equal(urlFromPrefixedPath('/https://a.test/x?y=1'), 'https://a.test/x?y=1');
  assert.equal(urlFromPrefixedPath('/HTTP://A.test'), 'http://a.test/');
  assert.equal(urlFromPrefixedPath('/https:/a.test/squashed'), 'https://a.test/squashed');
  assert.equal(urlFromPrefixedPath('/logo.png'), null);
  assert.equal(urlFromPrefixedPath('/ftp://a.test/'), null);
  assert.equal(urlFromPrefixedPath('/https://'), null);
});

test('absolute, root-relative and protocol-relative URLs are rewritten; relative ones resolve by themselves', () => {
  assert.equal(rewriteUrl('https://other.test/a', page), '/https://other.test/a');
  assert.equal(rewriteUrl(' /root?x=1 ', page), '/https://shop.test/root?x=1');
  assert.equal(rewriteUrl('//cdn.test/lib.css', page), '/https://cdn.test/lib.css');
  for (const untouched of [
    'next.html',
    '../up',
    '#top',
    '?q=2',
    'data:image/png;base64,AA',
    'mailto:a@b.test',
    'javascript:void(0)',
    'ftp://x.test/',
  ]) {
    assert.equal(rewriteUrl(untouched, page), null, untouched);
  }
});

test('Location and Refresh values are resolved against the response URL', () => {
  assert.equal(rewriteLocation('/final', 'http://a.test/start'), '/http://a.test/final');
  assert.equal(rewriteLocation('https://b.test/x#frag', 'http://a.test/start'), '/https://b.test/x#frag');
  assert.equal(rewriteLocation('next', 'http://a.test/dir/start'), '/http://a.test/dir/next');
  assert.equal(rewriteRefresh('0; url=/next', 'http://a.test/x'), '0; url=/http://a.test/next');
  assert.equal(rewriteRefresh("5;URL='https://b.test/'", 'http://a.test/x'), "5;URL='/https://b.test/'");
  assert.equal(rewriteRefresh('3', 'http://a.test/x'), '3');
});

test('HTML attributes, srcset and meta refresh are rewritten; everything else is byte-identical', () => {
  const html = [
    '<html><head><meta http-equiv="refresh" content="1; url=https://next.test/">',
    '<link rel=stylesheet href=/s.css><base href="https://shop.test/dir/"></head>',
    '<body><a href="https://other.test/x?a=1&amp;b=2">x</a> <a href=\'rel.html\'>rel</a>',
    '<img src="//cdn.test/i.png" srcset="/small.png 1x, big.png 2x, https://cdn.test/huge.png 3x">',
    '<form action="/login" method=post></form><p>caf\u00e9 src = /not-a-tag? fine</p></body></html>',
  ].join('\n');
  const out = rewriteHtml(html, page);
  assert.match(out, /content="1; url=\/https:\/\/next\.test\/"/);
  assert.match(out, /href=\/https:\/\/shop\.test\/s\.css>/);
  assert.match(out, /<base href="\/https:\/\/shop\.test\/dir\/">/);
  assert.match(out, /href="\/https:\/\/other\.test\/x\?a=1&amp;b=2"/);
  assert.match(out, /href='rel\.html'/);
  assert.match(out, /src="\/https:\/\/cdn\.test\/i\.png"/);
  assert.match(out, /srcset="\/https:\/\/shop\.test\/small\.png 1x, big\.png 2x, \/https:\/\/cdn\.test\/huge\.png 3x"/);
  assert.match(out, /action="\/https:\/\/shop\.test\/login"/);
  assert.ok(out.includes('caf\u00e9'));
  assert.equal(rewriteHtml('<p>no urls</p>', page), '<p>no urls</p>');
});
