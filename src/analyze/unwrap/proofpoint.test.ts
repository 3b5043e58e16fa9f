import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProofpointV1, decodeProofpointV2, decodeProofpointV3, v3RunLength } from './proofpoint.js';

test('run-length table B.2: A=2 … Z=27, a=28 … z=53, 0=54 … 9=63, -=64, _=65', () => {
  const expected: [string, number][] = [
    ['A', 2],
    ['B', 3],
    ['Z', 27],
    ['a', 28],
    ['z', 53],
    ['0', 54],
    ['9', 63],
    ['-', 64],
    ['_', 65],
  ];
  for (const [marker, n] of expected) assert.equal(v3RunLength(marker), n, marker);
  assert.equal(v3RunLength('*'), null);
});

const v3 = (mangled: string, bytes: string) =>
  `https://urldefense.com/v3/__${mangled}__;${Buffer.from(bytes).toString('base64url')}!!org!sig$`;

test('v3 worked example: **D takes five bytes', () => {
  assert.deepEqual(decodeProofpointV3(v3('http://www.example.com/**Dtest', '#####')), {
    kind: 'decoded',
    target: 'http://www.example.com/#####test',
  });
});

test('v3 counts runs in bytes and carries a split character to the next run', () => {
  assert.deepEqual(decodeProofpointV3(v3('http://x.test/**Bx**Ay', 'ã€')), { kind: 'decoded', target: 'http://x.test/ãx€y' });
});

test('v3 fails cleanly when tokens outnumber replacement bytes', () => {
  assert.equal(decodeProofpointV3(v3('http://x.test/*a*b', '#')).kind, 'failed');
  assert.equal(decodeProofpointV3(v3('http://x.test/**Z', '##')).kind, 'failed');
});

test('v1 and v2 need a u parameter', () => {
  assert.equal(decodeProofpointV1('k=abc').kind, 'failed');
  assert.equal(decodeProofpointV2(null).kind, 'failed');
  assert.deepEqual(decodeProofpointV2('u=https-3A__a.example_b-3Fc-3Dd-26e-3Df&d=x'), {
    kind: 'decoded',
    target: 'https://a.example/b?c=d&e=f',
  });
});
