import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatUnwrap } from './format.js';
import { decodeOnce, MAX_UNWRAP_DEPTH, unwrap } from './unwrap.js';

const enc = encodeURIComponent;
const safelinks = (url: string) => `https://nam12.safelinks.protection.outlook.com/?url=${enc(url)}&data=05%7C01&sdata=x&reserved=0`;
const google = (url: string) => `https://www.google.com/url?q=${enc(url)}&sa=D&usg=x`;
/** Proofpoint v2 encoding: percent-encode, then "%" -> "-" and "/" -> "_". */
const proofpointV2 = (url: string) =>
  `https://urldefense.proofpoint.com/v2/url?u=${enc(url)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/')
    .replace(/-/g, '%2D')
    .replace(/_/g, '%5F')
    .replace(/%/g, '-')
    .replace(/\//g, '_')}&d=DwMFaQ&c=abc&r=def&m=ghi&s=jkl&e=`;

describe('nested wrappers', () => {
  test('Safe Links around Proofpoint v2 around a Google /url', () => {
    const destination = 'https://shop.example.com/sale?id=42&utm_source=mail';
    const result = unwrap(safelinks(proofpointV2(google(destination))));
    assert.equal(result.destination, destination);
    assert.deepEqual(
      result.layers.map((l) => [l.party, l.rule]),
      [
        ['Microsoft Defender Safe Links', 'ms-safelinks'],
        ['Proofpoint URL Defense', 'proofpoint-v2'],
        ['Google redirect', 'google-url'],
      ],
    );
    assert.equal(result.layers[1].url, proofpointV2(google(destination)));
  });

  test('Barracuda around Proofpoint v3 around an Amazon SES link', () => {
    const ses = 'https://abcd.r.us-east-1.awstrack.me/L0/https:%2F%2Fexample.com%2Fnews%3Fa=1/1/0100019819a7eb85-8577ee14/c2ln=473';
    // URL Defense v3 moves each "%" into the replacement bytes and leaves a "*" in its place.
    const percentSigns = ses.split('%').length - 1;
    const v3 = `https://urldefense.com/v3/__${ses.replace(/%/g, '*')}__;${Buffer.from('%'.repeat(percentSigns)).toString('base64url')}!!abc!def$`;
    const result = unwrap(`https://linkprotect.cudasvc.com/url?a=${enc(v3)}&c=E,1,x,,&typo=1`);
    assert.deepEqual(
      result.layers.map((l) => l.rule),
      ['barracuda-linkprotect', 'proofpoint-v3', 'amazon-ses'],
    );
    assert.equal(result.destination, 'https://example.com/news?a=1');
  });

  test('a security wrapper around an opaque Selligent link stops at Selligent', () => {
    const selligent = 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=AbC%2BdEf_123';
    const result = unwrap(safelinks(selligent));
    assert.equal(result.destination, null);
    assert.equal(result.layers.length, 2);
    assert.deepEqual(
      { url: result.layers[1].url, party: result.layers[1].party, rule: result.layers[1].rule },
      { url: selligent, party: 'Selligent', rule: 'selligent:path:/optiext/optiextension.dll' },
    );
    assert.match(result.layers[1].note ?? '', /only by visiting/);
  });

  test('SendGrid /ls/click on a branded host needs a visit', () => {
    const result = unwrap(google('https://url5675.brand.example/ls/click?upn=abc-2Bdef'));
    assert.equal(result.destination, null);
    assert.equal(result.layers.at(-1)!.party, 'Twilio SendGrid');
  });

  test('a shortener inside a wrapper needs a visit', () => {
    const result = unwrap(safelinks('https://bit.ly/3abcDEF'));
    assert.equal(result.destination, null);
    assert.deepEqual(
      result.layers.map((l) => l.party),
      ['Microsoft Defender Safe Links', 'Bitly'],
    );
  });

  test('a generic url= parameter on a known affiliate host unwraps', () => {
    const result = unwrap('https://www.awin1.com/awclick.php?mid=1&id=2&redirect=https%3A%2F%2Fshop.example%2Fp');
    assert.equal(result.destination, 'https://shop.example/p');
    assert.equal(result.layers[0].rule, 'generic-redirect-param');
    assert.equal(result.layers[0].party, 'Awin');
  });
});

describe('single layers', () => {
  test('a plain URL is its own destination', () => {
    assert.deepEqual(unwrap('https://example.com/a?b=c'), {
      input: 'https://example.com/a?b=c',
      destination: 'https://example.com/a?b=c',
      layers: [],
    });
  });

  test('Postmark targets get the scheme their link kind implies', () => {
    assert.equal(unwrap('https://click.pstmrk.it/3s/example.com%2Farticle/abc123/def456').destination, 'https://example.com/article');
    assert.equal(unwrap('https://click.pstmrk.it/2/example.com%2Fold/abc/def').destination, 'http://example.com/old');
  });

  test('Mimecast with only domain= gives a hint, not a destination', () => {
    const result = unwrap('https://protect-au.mimecast.com/s/AbCdEfGh?domain=github.com');
    assert.equal(result.destination, null);
    assert.equal(result.layers[0].rule, 'mimecast');
    assert.match(result.layers[0].note ?? '', /hint only: https:\/\/github\.com/);
  });

  test('a literal space in the query does not make a URL invalid', () => {
    assert.equal(unwrap('https://www.google.com/url?q=https://example.com/a?x=b c').destination, 'https://example.com/a?x=b c');
  });

  test('defanged and HTML-escaped input is cleaned first', () => {
    const result = unwrap('hxxps://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.com%2Fx&amp;data=04&amp;reserved=0');
    assert.equal(result.destination, 'https://example.com/x');
  });

  test('Constant Contact current links are opaque, legacy p= links decode', () => {
    assert.equal(unwrap('https://r20.rs6.net/tn.jsp?f=001abc&c=x&ch=y').destination, null);
    assert.equal(
      unwrap('http://r20.rs6.net/tn.jsp?t=a&id=preview&r=3&p=http%3A%2F%2Fexample.com%2Fev').destination,
      'http://example.com/ev',
    );
  });
});

describe('bad input never throws', () => {
  const cases: [string, string][] = [
    ['not a URL', 'not a url'],
    ['empty string', ''],
    ['Proofpoint v3 whose replacement bytes run out', 'https://urldefense.com/v3/__http://x.test/**D__;Iw!!a!b$'],
    ['Proofpoint v3 with bad base64', 'https://urldefense.com/v3/__http://x.test/*__;@@@!!a!b$'],
    ['Proofpoint v3 without the __; marker', 'https://urldefense.com/v3/__http://www.example.com/'],
    ['Sophos with bad base64', 'https://eu-central-1.protection.sophos.com/?d=x&u=%%%%&i=1'],
    ['truncated Mailgun token', 'http://email.brand.example/c/eJxtjUsOhCAQBU8DS0I3H2XBQhdzD6TbQDJ'],
    ['Mandrill with a non-JSON payload', 'https://mandrillapp.com/track/click/1/example.com?p=bm90IGpzb24'],
    ['Safe Links without url=', 'https://nam12.safelinks.protection.outlook.com/?data=1'],
    ['Google /url whose q is not a URL', 'https://www.google.com/url?q=cheap%20flights'],
    ['Customer.io token that is not base64', 'https://e.customeriomail.com/e/c/eyJ!!!/sig'],
  ];
  for (const [name, input] of cases) {
    test(name, () => {
      const result = unwrap(input);
      assert.equal(result.destination, null);
      assert.ok(result.layers.length >= 1);
      assert.equal(result.input, input);
    });
  }

  test('depth is capped', () => {
    let url = 'https://example.com/end';
    for (let i = 0; i < MAX_UNWRAP_DEPTH + 2; i++) url = google(url);
    const result = unwrap(url);
    assert.equal(result.destination, null);
    assert.equal(result.layers.at(-1)!.rule, 'depth-limit');
    assert.equal(result.layers.length, MAX_UNWRAP_DEPTH + 1);
  });

  test('decodeOnce returns null for URLs no wrapper rule claims', () => {
    assert.equal(decodeOnce('https://example.com/'), null);
    assert.equal(decodeOnce('garbage'), null);
  });
});

test('formatUnwrap prints one line per layer and the destination', () => {
  const text = formatUnwrap(unwrap(safelinks(google('https://example.com/x'))));
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^1\. Microsoft Defender Safe Links \[ms-safelinks\] https:\/\/nam12\./);
  assert.match(lines[1], /^2\. Google redirect \[google-url\] https:\/\/www\.google\.com\/url\?q=/);
  assert.equal(lines[2], '=> https://example.com/x');
  assert.match(
    formatUnwrap(unwrap('https://bit.ly/x')),
    /1\. Bitly \[bitly:host:bit\.ly\] https:\/\/bit\.ly\/x {2}\(shortener: destination known only by visiting\)\n=> destination unknown without a visit\n/,
  );
});
