import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretFields, visibleText } from './page-dom.js';

test('secretFields: password and card fields with their form action; hidden and ordinary fields left out', () => {
  const html =
    '<form method="post" action="/account/verify"><input name="email" type="email"><INPUT TYPE=PASSWORD name=pw>' +
    '<input type="hidden" name="password"></form><input autocomplete="billing cc-number" name="n1"><input name="cvv2"><input name="q">';
  assert.deepEqual(secretFields(html), [
    { kind: 'password', name: 'pw', formAction: '/account/verify' },
    { kind: 'card', name: 'n1', formAction: null },
    { kind: 'card', name: 'cvv2', formAction: null },
  ]);
  assert.deepEqual(secretFields('<p>no form</p><input name="search">'), []);
});

test('visibleText: text without script and style, collapsed', () => {
  assert.equal(
    visibleText('<title>T</title><style>p{}</style><p>This link has\n already  been used.</p><script>var x="used"</script>'),
    'This link has already been used.',
  );
});
