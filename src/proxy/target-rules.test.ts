import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { applyConnectTo, findResolveRule, parseConnectToRule, parseResolveRule } from './target-rules.js';
import { isPrivateAddress } from './resolver.js';

test('--resolve HOST:PORT:ADDR, with * and IPv6', () => {
  assert.deepEqual(parseResolveRule('Example.com:443:127.0.0.1'), { host: 'example.com', port: 443, addresses: ['127.0.0.1'] });
  assert.deepEqual(parseResolveRule('*:*:[::1],127.0.0.2'), { host: '*', port: '*', addresses: ['::1', '127.0.0.2'] });
  for (const bad of ['example.com', 'example.com:99999:1.2.3.4', 'a:80:not-an-ip', 'a:80:']) {
    assert.throws(() => parseResolveRule(bad), UsageError, bad);
  }
  const rules = [parseResolveRule('*:80:127.0.0.9'), parseResolveRule('a.test:80:127.0.0.1')];
  assert.deepEqual(findResolveRule(rules, 'A.test', 80)?.addresses, ['127.0.0.1'], 'an exact host wins over *');
  assert.deepEqual(findResolveRule(rules, 'b.test', 80)?.addresses, ['127.0.0.9']);
  assert.equal(findResolveRule(rules, 'b.test', 443), undefined);
});

test('--connect-to H1:P1:H2:P2, empty parts meaning any / unchanged', () => {
  const rules = [':80:127.0.0.1:8080', 'a.test:443::8443', '[::1]:81:[::2]:82'].map(parseConnectToRule);
  assert.deepEqual(applyConnectTo(rules, 'x.test', 80), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(applyConnectTo(rules, 'a.test', 443), { host: 'a.test', port: 8443 });
  assert.deepEqual(applyConnectTo(rules, 'b.test', 443), { host: 'b.test', port: 443 });
  assert.deepEqual(applyConnectTo(rules, '::1', 81), { host: '::2', port: 82 });
  assert.throws(() => parseConnectToRule('a:b'), UsageError);
  assert.throws(() => parseConnectToRule('a:70000::1'), UsageError);
});

test('private, loopback and link-local addresses are recognised', () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::127.0.0.1',
    '::7f00:1',
    '0.0.0.0',
    '192.0.0.2',
    '100::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  ]) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) assert.equal(isPrivateAddress(a), false, a);
});

test('an override never lends its answer to the same host on another port, nor the reverse', async () => {
  const { Resolver } = await import('./resolver.js');
  const resolver = new Resolver({ connectTo: [parseConnectToRule('a.test:443:127.0.0.1:8443')] });
  await assert.rejects(resolver.target('a.test', 80), /does not resolve|blocked/);
  const mapped = await resolver.target('a.test', 443);
  assert.deepEqual([mapped.address, mapped.port], ['127.0.0.1', 8443]);
  await assert.rejects(resolver.target('a.test', 80), /does not resolve|blocked/);
});
