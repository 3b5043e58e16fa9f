import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { findTokens, tokenRuleFor } from './tokens.js';

const recipient = 'John.Doe@Example.com';
const lower = 'john.doe@example.com';
const hex = (algorithm: string) => createHash(algorithm).update(lower).digest('hex');

describe('named tokens', () => {
  test('the seed campaign id is found on the landing hop', () => {
    const tokens = findTokens([
      'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=abc',
      'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=def',
      'https://business.t-mobile.example/contact-a-rep.html?cmpid=DMA_EM_Q3_2026_SMB_FindOutMore',
    ]);
    assert.deepEqual(tokens, [{ name: 'cmpid', value: 'DMA_EM_Q3_2026_SMB_FindOutMore', kind: 'campaign', hops: [3] }]);
  });

  test('tokens are followed across hops, values decoded, one finding per name and value', () => {
    const tokens = findTokens([
      'https://aff.example/c/1/2/3?irclickid=XyZ&utm_source=newsletter&sub1=pub%2042',
      'https://shop.example/landing?utm_source=newsletter&utm_medium=email&irclickid=XyZ&gclid=G1',
      'https://shop.example/cart?utm_source=other',
    ]);
    const byName = (name: string, value?: string) => tokens.filter((t) => t.name === name && (value === undefined || t.value === value));
    assert.deepEqual(byName('utm_source', 'newsletter'), [{ name: 'utm_source', value: 'newsletter', kind: 'utm', hops: [1, 2] }]);
    assert.deepEqual(byName('utm_source', 'other')[0].hops, [3]);
    assert.deepEqual(byName('irclickid')[0], { name: 'irclickid', value: 'XyZ', kind: 'click-id', hops: [1, 2] });
    assert.deepEqual(byName('sub1')[0], { name: 'sub1', value: 'pub 42', kind: 'affiliate', hops: [1] });
    assert.equal(byName('gclid')[0].kind, 'click-id');
    assert.deepEqual(
      tokens.map((t) => t.hops[0]),
      [...tokens.map((t) => t.hops[0])].sort(),
    );
  });

  test("HasOffers' sub-ids: aff_sub as well as aff_sub2..5", () => {
    const tokens = findTokens(['https://trk.offers.example/aff_c?offer_id=5&aff_id=77&aff_sub=abc&aff_sub2=def']);
    assert.deepEqual(
      tokens.map((t) => [t.name, t.value, t.kind]),
      [
        ['offer_id', '5', 'affiliate'],
        ['aff_id', '77', 'affiliate'],
        ['aff_sub', 'abc', 'affiliate'],
        ['aff_sub2', 'def', 'affiliate'],
      ],
    );
  });

  test('tokens inside a wrapped URL count for the wrapper hop', () => {
    const inner = 'https://shop.example/?mkt_tok=MzQ1LVRBRy0xMjMAAAGQ&_hsenc=p2ANqtz-abc&mc_cid=c1&mc_eid=e1';
    const tokens = findTokens([`https://www.google.com/url?q=${encodeURIComponent(inner)}`]);
    assert.deepEqual(
      tokens.map((t) => [t.name, t.kind, t.hops]),
      [
        ['mkt_tok', 'esp', [1]],
        ['_hsenc', 'esp', [1]],
        ['mc_cid', 'campaign', [1]],
        ['mc_eid', 'esp', [1]],
      ],
    );
  });

  test('names from the brief are all known', () => {
    for (const name of [
      'cmpid',
      'utm_campaign',
      'gclid',
      'fbclid',
      'msclkid',
      'mkt_tok',
      'mc_cid',
      'mc_eid',
      '_hsenc',
      'subid',
      'sub3',
      'aff_id',
      'clickid',
      'irclickid',
      'awc',
      'cjevent',
      'SUBID',
    ]) {
      assert.ok(tokenRuleFor(name), name);
    }
    assert.equal(tokenRuleFor('page'), null);
  });

  test('no URLs, odd URLs', () => {
    assert.deepEqual(findTokens([]), []);
    assert.deepEqual(findTokens(['not a url', '', 'https://x.example/?utm_source=']), []);
  });
});

describe('recipient address', () => {
  const find = (url: string) => findTokens([url], { recipients: [recipient] }).filter((t) => t.kind === 'recipient');

  test('plain and URL-encoded', () => {
    assert.deepEqual(find('https://t.example/c?email=john.doe@example.com'), [
      { name: 'email (plain)', value: lower, kind: 'recipient', hops: [1], address: lower },
    ]);
    assert.deepEqual(find('https://t.example/c?e=John.Doe%40Example.com'), [
      { name: 'e (url-encoded)', value: 'John.Doe%40Example.com', kind: 'recipient', hops: [1], address: lower },
    ]);
    assert.equal(find('https://t.example/u/john.doe%40example.com/x')[0].name, 'path (url-encoded)');
  });

  test('base64 and base64url, alone and inside longer tokens at every alignment', () => {
    const alone = Buffer.from(lower).toString('base64');
    assert.deepEqual(find(`https://t.example/c?r=${encodeURIComponent(alone)}`)[0], {
      name: 'r (base64)',
      value: alone,
      kind: 'recipient',
      hops: [1],
      address: lower,
    });
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const token = Buffer.from(`${prefix}{"id":7,"to":"john.doe@example.com","v":2}`).toString('base64url');
      assert.equal(find(`https://t.example/l/${token}`)[0]?.name, 'path (base64)', `prefix "${prefix}"`);
    }
    const percentInside = Buffer.from('uid=1&email=john.doe%40example.com').toString('base64url');
    assert.equal(find(`https://t.example/?d=${percentInside}`)[0]?.name, 'd (base64)');
  });

  test('a Mailgun-style zlib token carrying r=<recipient>', () => {
    const token = deflateSync(Buffer.from('l=https%3A%2F%2Fexample.com&r=john.doe%40example.com')).toString('base64url');
    assert.ok(token.startsWith('eJ'));
    assert.equal(find(`http://email.brand.example/c/${token}`)[0]?.name, 'path (base64)');
  });

  test('MD5, SHA-1 and SHA-256 of the lowercased address', () => {
    assert.deepEqual(find(`https://t.example/o?h=${hex('md5')}`)[0], {
      name: 'h (md5)',
      value: hex('md5'),
      kind: 'recipient',
      hops: [1],
      address: lower,
    });
    assert.equal(find(`https://t.example/o?h=${hex('sha1').toUpperCase()}`)[0]?.name, 'h (sha1)');
    assert.equal(find(`https://t.example/o/${hex('sha256')}/x`)[0]?.name, 'path (sha256)');
  });

  test('hex-encoded bytes of the address, alone or inside a longer token', () => {
    const hexText = Buffer.from(lower).toString('hex');
    assert.deepEqual(find(`https://t.example/${hexText}.gif`)[0], {
      name: 'path (hex)',
      value: hexText,
      kind: 'recipient',
      hops: [1],
      address: lower,
    });
    assert.equal(find(`https://t.example/oimg.php?id=322C32322C${hexText.toUpperCase()}2C31313039`)[0]?.name, 'id (hex)');
  });

  test('found across hops, inside wrappers, without duplicating the carrying parameter', () => {
    const inner = 'https://shop.example/p?e=john.doe%40example.com';
    const tokens = findTokens([`https://nam12.safelinks.protection.outlook.com/?url=${encodeURIComponent(inner)}&data=05%7C01`, inner], {
      recipients: [recipient],
    });
    assert.deepEqual(tokens, [
      { name: 'e (url-encoded)', value: 'john.doe%40example.com', kind: 'recipient', hops: [1, 2], address: lower },
    ]);
  });

  test('no false positives for other addresses or no recipients', () => {
    assert.deepEqual(
      find('https://t.example/c?email=jane@example.com&h=' + createHash('md5').update('jane@example.com').digest('hex')),
      [],
    );
    assert.deepEqual(findTokens(['https://t.example/c?email=john.doe@example.com']), []);
  });
});
