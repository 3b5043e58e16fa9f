// Against the real data packages: the lab only ever resolves to 127.0.0.1, so the public answers
// are checked here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asnTablePath, dateOfVersion, loadNetworkData, SPECIAL_ONLY } from './network-data.js';

const home = mkdtempSync(join(tmpdir(), 'clicktrace-ipdata-'));

test('public addresses get their AS and country from the installed data, with its source and date', async () => {
  const networks = await loadNetworkData(home);
  assert.ok(networks.data?.asn && networks.data.country, 'both data packages are installed');
  const { asn, country } = networks.data;
  assert.equal(asn.package, '@ip-location-db/asn');
  assert.match(asn.version, /^\d+\.\d+\.\d{10}$/);
  assert.equal(asn.date, dateOfVersion(asn.version));
  assert.match(asn.attribution, /db-ip\.com/);
  assert.equal(country.package, '@ip-location-db/geo-whois-asn-country-mmdb');
  const google = { asn: 15169, name: 'Google LLC', country: 'US', source: `@ip-location-db/asn@${asn.version}`, sourceDate: asn.date };
  assert.deepEqual(networks.lookup('8.8.8.8'), google);
  assert.deepEqual(networks.lookup('2001:4860:4860::8888'), google);
  assert.deepEqual(networks.lookup('::ffff:8.8.4.4'), google);
  assert.equal((networks.lookup('1.1.1.1') as { asn: number }).asn, 13335);
  assert.deepEqual(networks.lookup('127.0.0.1'), { special: 'loopback' });
  assert.deepEqual(networks.lookup('10.0.0.8'), { special: 'private' });
  assert.equal(networks.lookup('not an ip'), null);
  // The compiled table is cached under the home, named by the data's version, and loaded once.
  const path = asnTablePath(home, asn.version);
  assert.ok(existsSync(path) && statSync(path).size > 1_000_000, path);
  assert.equal(await loadNetworkData(home), networks);
});

test('the cached table is read back by another load (a new process would do the same)', async () => {
  await loadNetworkData(home);
  const before = statSync(asnTablePath(home, (await loadNetworkData(home)).data!.asn!.version)).mtimeMs;
  // A second home with the same table copied in must not rebuild it.
  const { copyFileSync, mkdirSync } = await import('node:fs');
  const other = mkdtempSync(join(tmpdir(), 'clicktrace-ipdata-'));
  const version = (await loadNetworkData(home)).data!.asn!.version;
  mkdirSync(join(other, 'ip-data'));
  copyFileSync(asnTablePath(home, version), asnTablePath(other, version));
  const copied = statSync(asnTablePath(other, version)).mtimeMs;
  const networks = await loadNetworkData(other);
  assert.equal((networks.lookup('8.8.8.8') as { asn: number }).asn, 15169);
  assert.equal(statSync(asnTablePath(other, version)).mtimeMs, copied, 'not rebuilt');
  assert.ok(before > 0);
});

test('the country data is read only for a public address: prefetch reads it ahead, a lookup without it reads it at once', async () => {
  const { copyFileSync, mkdirSync } = await import('node:fs');
  const version = (await loadNetworkData(home)).data!.asn!.version;
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'clicktrace-ipdata-'));
    mkdirSync(join(dir, 'ip-data'));
    copyFileSync(asnTablePath(home, version), asnTablePath(dir, version));
    return loadNetworkData(dir);
  };
  const ahead = await fresh();
  await ahead.prefetch('127.0.0.1');
  await ahead.prefetch('not an ip');
  await ahead.prefetch('8.8.8.8');
  assert.equal((ahead.lookup('8.8.4.4') as { country: string }).country, 'US');
  const atOnce = await fresh();
  assert.equal((atOnce.lookup('2001:4860:4860::8888') as { country: string }).country, 'US');
});

test('without data only special blocks are labelled', () => {
  assert.equal(SPECIAL_ONLY.data, null);
  assert.deepEqual(SPECIAL_ONLY.lookup('::1'), { special: 'loopback' });
  assert.deepEqual(SPECIAL_ONLY.lookup('100.64.1.2'), { special: 'cgnat' });
  assert.equal(SPECIAL_ONLY.lookup('8.8.8.8'), null);
  assert.equal(dateOfVersion('2.3.2026061719'), '2026-06-17');
  assert.equal(dateOfVersion('1.0.0'), null);
});
