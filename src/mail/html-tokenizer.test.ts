import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAttributes, tokenizeHtml } from './html-tokenizer.js';

function tokens(html: string): string[] {
  const out: string[] = [];
  tokenizeHtml(html, {
    startTag: (name, source, a, b) => out.push(`<${name}${source.slice(a, b)}>`),
    endTag: (name) => out.push(`</${name}>`),
    text: (source, a, b) => out.push(source.slice(a, b)),
  });
  return out;
}

test('tokenizes tags, text, comments, raw text elements and stray "<"', () => {
  assert.deepEqual(tokens('a<b>c</b><!-- x <a href=y> --><script>if (a<b) "</a>"</script>1 < 2<br/>'), [
    'a',
    '<b>',
    'c',
    '</b>',
    '<script>',
    '</script>',
    '1 < 2',
    '<br>',
  ]);
});

test('a ">" inside a quoted attribute does not end the tag; an unterminated quote does not swallow the document', () => {
  assert.deepEqual(tokens('<a title="x>y" href=z>t</a>'), ['<a title="x>y" href=z>', 't', '</a>']);
  assert.deepEqual(tokens('<a href="oops>t</a><p>after</p>').slice(-3), ['<p>', 'after', '</p>']);
});

test('attributes: lowercase names, first wins, quoted and bare values, entities decoded URL-safely', () => {
  const html = '<A HREF="https://x.example/?a=1&amp;b=2&region=3" alt=\'Buy &quot;now&quot;\' data-x=bare href="second" disabled>';
  const attrs = parseAttributes(html, 2, html.length - 1);
  assert.equal(attrs.href, 'https://x.example/?a=1&b=2&region=3');
  assert.equal(attrs.alt, 'Buy "now"');
  assert.equal(attrs['data-x'], 'bare');
  assert.equal(attrs.disabled, '');
});

test('attribute values: every HTML5 reference decoded as a browser does, URL query names kept', () => {
  const attrs = (tag: string) => {
    let found: Record<string, string> = {};
    tokenizeHtml(tag, { startTag: (_n, s, a, b) => (found = parseAttributes(s, a, b)), endTag: () => undefined, text: () => undefined });
    return { ...found };
  };
  assert.deepEqual(attrs('<a title="caf&eacute; &#233; &#x41; &#150; &unknown; &notin; &minus; &infin;">'), {
    title: 'café é A – &unknown; ∉ − ∞',
  });
  // In an attribute, "&copy=" and "&not" followed by a letter are query text, not references.
  assert.deepEqual(attrs('<a href="/r?x=1&copy=2&notify=1&amp;y=3">'), { href: '/r?x=1&copy=2&notify=1&y=3' });
});

test('never throws on hostile input and stays linear', () => {
  const nasty = '<a href="'.repeat(20000) + '<'.repeat(20000) + '<!--'.repeat(5000) + '<script>';
  const started = performance.now();
  tokens(nasty);
  // A bound a quadratic pass would break by minutes, loose enough for a loaded machine.
  assert.ok(performance.now() - started < 10_000);
});
