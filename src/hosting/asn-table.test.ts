import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnTable, AsnTableError, buildAsnTable } from './asn-table.js';
import { parseAddress } from './special-addresses.js';

// Rows in the package's numeric format: inclusive ranges, sorted; names quoted when they hold a
// comma or a quote (doubled), UTF-8.
const V4 = [
  '16777216,16777471,13335,"Cloudflare, Inc."',
  '134744064,134744319,15169,Google LLC',
  '134744320,134744575,64500,"The ""Quoted"" Net"',
  // Overlaps the next row's start: the later, more specific range keeps the overlap.
  '3596550144,3607166975,749,United States Department of Defense (DoD)',
  '3607101440,3607167999,721,DoD Network Information Center',
  '3758096128,3758096383,64501,Ünïcødé Telecom',
].join('\n');
const V6 = [
  // 2001:4860::/32
  '42541956101370907050197289607612071936,42541956180599069564461627201156022271,15169,Google LLC',
  // 2a00:1450::/32
  '55827987809411540836515382960316219392,55827987888639703350779720553860169727,15169,Google LLC',
].join('\r\n');

const lookup = (table: AsnTable, address: string) => table.lookup(parseAddress(address)!.toByteArray());

test('a table built from the CSVs answers per range, IPv4 and IPv6, with names as written', () => {
  const table = AsnTable.read(buildAsnTable(Buffer.from(V4), Buffer.from(V6), '@ip-location-db/asn@test'));
  assert.equal(table.label, '@ip-location-db/asn@test');
  assert.deepEqual(table.size, { ipv4: 6, ipv6: 2, organisations: 6 });
  assert.deepEqual(lookup(table, '8.8.8.8'), { asn: 15169, name: 'Google LLC' });
  assert.deepEqual(lookup(table, '8.8.8.0'), { asn: 15169, name: 'Google LLC' });
  assert.deepEqual(lookup(table, '8.8.8.255'), { asn: 15169, name: 'Google LLC' });
  assert.deepEqual(lookup(table, '8.8.9.1'), { asn: 64500, name: 'The "Quoted" Net' });
  assert.deepEqual(lookup(table, '1.0.0.1'), { asn: 13335, name: 'Cloudflare, Inc.' });
  assert.deepEqual(lookup(table, '223.255.255.1'), { asn: 64501, name: 'Ünïcødé Telecom' });
  assert.equal(lookup(table, '1.0.1.0'), null, 'between ranges');
  assert.equal(lookup(table, '0.0.0.1'), null, 'before the first range');
  assert.equal(lookup(table, '255.255.255.255'), null, 'after the last range');
  assert.equal(lookup(table, '214.95.255.255')?.asn, 749);
  assert.equal(lookup(table, '215.0.0.0')?.asn, 721, 'the overlapping row wins its overlap');
  assert.equal(lookup(table, '215.0.255.0')?.asn, 721);
  assert.deepEqual(lookup(table, '2001:4860:4860::8888'), { asn: 15169, name: 'Google LLC' });
  assert.equal(lookup(table, '2a00:1450:4001::1')?.asn, 15169);
  assert.equal(lookup(table, '2001:4861::1'), null);
});

test('a table survives a copy at any byte offset; bad bytes and bad CSV are refused with a reason', () => {
  const bytes = buildAsnTable(Buffer.from(V4), Buffer.from(V6), 'x');
  const shifted = Buffer.alloc(bytes.length + 1);
  bytes.copy(shifted, 1);
  assert.equal(lookup(AsnTable.read(shifted.subarray(1)), '8.8.8.8')?.asn, 15169);
  assert.throws(() => AsnTable.read(Buffer.from('not a table at all, not at all')), AsnTableError);
  assert.throws(() => AsnTable.read(bytes.subarray(0, bytes.length - 1)), /truncated/);
  assert.throws(() => buildAsnTable(Buffer.from('2,1,5,x'), Buffer.alloc(0), 'x'), /line 1: range start after its end/);
  assert.throws(() => buildAsnTable(Buffer.from('5,6,1,a\n1,2,1,b'), Buffer.alloc(0), 'x'), /line 2: rows not sorted/);
  assert.throws(() => buildAsnTable(Buffer.from('1,2,x,a'), Buffer.alloc(0), 'x'), /AS number/);
  assert.throws(() => buildAsnTable(Buffer.from('1,2,3,"open'), Buffer.alloc(0), 'x'), /unterminated/);
});

test('a table file is searched where it lies, with the answers of the table in memory; a bad file is refused', () => {
  const bytes = buildAsnTable(Buffer.from(V4), Buffer.from(V6), '@ip-location-db/asn@test');
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-asn-'));
  const path = join(dir, 'asn.table');
  writeFileSync(path, bytes);
  const inFile = AsnTable.open(path);
  const inMemory = AsnTable.read(bytes);
  assert.equal(inFile.label, inMemory.label);
  assert.deepEqual(inFile.size, inMemory.size);
  for (const address of [
    '8.8.8.8',
    '8.8.9.1',
    '1.0.0.1',
    '223.255.255.1',
    '1.0.1.0',
    '0.0.0.1',
    '255.255.255.255',
    '215.0.0.0',
    '2001:4860:4860::8888',
    '2001:4861::1',
  ])
    assert.deepEqual(lookup(inFile, address), lookup(inMemory, address), address);
  writeFileSync(join(dir, 'cut.table'), bytes.subarray(0, bytes.length - 1));
  assert.throws(() => AsnTable.open(join(dir, 'cut.table')), /truncated/);
  writeFileSync(join(dir, 'junk.table'), 'not a table at all, not at all');
  assert.throws(() => AsnTable.open(join(dir, 'junk.table')), AsnTableError);
  rmSync(dir, { recursive: true, force: true });
});
