import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWhere, dateBound, escapeLike, normalizeFilters, pivotFilters, QueryError, searchSql, DEFAULT_LIMIT } from './search-query.js';

test('no filter: no WHERE, newest first, default page', () => {
  const sql = searchSql(normalizeFilters({}));
  assert.doesNotMatch(sql.list, /WHERE/);
  assert.match(sql.list, /ORDER BY c\.started_at DESC, c\.id DESC LIMIT \? OFFSET \?$/);
  assert.deepEqual(sql.listParams, [DEFAULT_LIMIT, 0]);
});

test('every value is a bound parameter, never SQL text', () => {
  const hostile = `x' OR 1=1; DROP TABLE cases; --`;
  const where = buildWhere({ q: hostile, domain: hostile, party: hostile, ip: hostile, token: hostile, message: hostile });
  assert.ok(!where.sql.includes(hostile));
  assert.ok(!where.sql.includes('DROP'));
  assert.ok(where.params.some((p) => String(p).includes('DROP TABLE')));
});

test('free text matches with LIKE, wildcards in the input are literal', () => {
  assert.equal(escapeLike('50%_off\\'), '50\\%\\_off\\\\');
  const where = buildWhere({ q: '100%' });
  assert.ok(where.params.every((p) => p === '%100\\%%'));
  assert.match(where.sql, /ESCAPE '\\'/);
});

test('domain matches the registrable domain or the exact host, lowercased', () => {
  const where = buildWhere({ domain: 'EMSecure.test.' });
  assert.match(where.sql, /x\.domain = \? OR x\.host = \?/);
  assert.deepEqual(where.params, ['emsecure.test', 'emsecure.test']);
});

test('status: ok, error, partial, an HTTP status or a class', () => {
  assert.match(buildWhere({ status: 'ok' }).sql, /c\.error IS NULL AND c\.partial = 0/);
  assert.match(buildWhere({ status: 'error' }).sql, /c\.error IS NOT NULL/);
  assert.deepEqual(buildWhere({ status: '404' }).params, [404]);
  assert.deepEqual(buildWhere({ status: '4xx' }).params, [400, 499]);
  assert.throws(() => normalizeFilters({ status: 'weird' }), QueryError);
});

test('dates: a bare "to" date covers the whole day; bad dates are refused', () => {
  const where = buildWhere(normalizeFilters({ from: '2026-11-26', to: '2026-11-26' }));
  assert.match(where.sql, /c\.started_at >= \? AND c\.started_at < \?/);
  assert.deepEqual(where.params, ['2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z']);
  assert.deepEqual(buildWhere({ to: '2026-11-26T12:00:00Z' }).params, ['2026-11-26T12:00:00.000Z']);
  assert.throws(() => normalizeFilters({ from: 'yesterday' }), /from: expected a date/);
});

test('dates: strict ISO forms only; days that do not exist and trailing text are refused', () => {
  assert.equal(dateBound('2026-12-05', 'since'), '2026-12-05T00:00:00.000Z');
  assert.equal(dateBound('2026-12-05T07:35:50+01:00', 'since'), '2026-12-05T06:35:50.000Z');
  assert.equal(dateBound('2026-12-05T07:35:50.5+0100', 'since'), '2026-12-05T06:35:50.500Z');
  assert.equal(dateBound('2026-12-05 07:35Z', 'since'), '2026-12-05T07:35:00.000Z');
  assert.equal(dateBound('2024-02-29', 'since'), '2024-02-29T00:00:00.000Z');
  assert.equal(dateBound('2999-01-01', 'since'), '2999-01-01T00:00:00.000Z');
  // Years before 100 and RFC 3339's lowercase separators are dates too.
  assert.equal(dateBound('0000-01-01', 'since'), '0000-01-01T00:00:00.000Z');
  assert.equal(dateBound('0099-02-28', 'to'), '0099-03-01T00:00:00.000Z');
  assert.equal(dateBound('2026-12-05t07:35:50z', 'since'), '2026-12-05T07:35:50.000Z');
  assert.throws(() => dateBound('0099-02-29', 'since'), /expected a date/);
  // Past the last four-digit year by its offset (or the day after 9999-12-31): the last instant, which
  // every recorded time precedes, not "+010000-..." that sorts before them all.
  assert.equal(dateBound('9999-12-31T23:59:59-12:00', 'since'), '9999-12-31T23:59:59.999Z');
  assert.equal(dateBound('9999-12-31', 'to'), '9999-12-31T23:59:59.999Z');
  assert.ok(dateBound('9999-12-31T23:59:59-12:00', 'since') > '2026-12-05T00:00:00.000Z');
  for (const bad of [
    '2026-02-30',
    '2026-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-12-05junk 12:00',
    '2026-12-05T25:00Z',
    '2026-12-05T07:35:50+01',
    '7d',
    '',
    ' 2026-12-05',
  ])
    assert.throws(() => dateBound(bad, 'since'), /since: expected a date/, bad);
});

test('certificate: colons ignored, full hash exact, short hash a prefix, non-hex refused', () => {
  const full = 'AB:'.repeat(31) + 'AB';
  assert.deepEqual(buildWhere({ cert: full }).params, ['ab'.repeat(32)]);
  assert.deepEqual(buildWhere({ cert: '57d555ba' }).params, ['57d555ba%']);
  assert.throws(() => normalizeFilters({ cert: 'zz' }), /cert: expected a SHA-256/);
});

test('token: name=value or a bare value', () => {
  assert.deepEqual(buildWhere({ token: 'cmpid=DMA_EM' }).params, ['cmpid', 'DMA_EM']);
  assert.deepEqual(buildWhere({ token: 'DMA_EM' }).params, ['DMA_EM']);
});

test('normalizeFilters: trims, drops empty values, takes the first of repeated ones, checks the page', () => {
  assert.deepEqual(normalizeFilters({ q: '  seed ', domain: '', party: ['Selligent', 'x'], limit: '10', offset: '20' }), {
    q: 'seed',
    party: 'Selligent',
    limit: 10,
    offset: 20,
  });
  assert.throws(() => normalizeFilters({ limit: '0' }), /limit/);
  assert.throws(() => normalizeFilters({ limit: '100000' }), /limit/);
  assert.throws(() => normalizeFilters({ kind: 'zip' }), /kind/);
});

test('pivots are plain filters, combined with AND', () => {
  assert.deepEqual(pivotFilters('party', 'Selligent'), { party: 'Selligent' });
  const where = buildWhere({ party: 'Selligent', ip: '127.0.0.1', status: '200' });
  assert.equal(where.sql.split(' AND ').length >= 3, true);
  assert.deepEqual(where.params, ['Selligent', 'selligent', '127.0.0.1', 200]);
});

test('asn and file: an AS number with or without "AS", a full SHA-256; anything else refused', () => {
  assert.deepEqual(buildWhere({ asn: 'AS15169' }).params, [15169]);
  assert.deepEqual(buildWhere({ asn: '64500' }).params, [64500]);
  assert.throws(() => normalizeFilters({ asn: 'AS-1' }), QueryError);
  assert.throws(() => normalizeFilters({ asn: 'AS99999999999' }), QueryError);
  const sha = 'AB'.repeat(32);
  assert.deepEqual(buildWhere({ file: sha }).params, [sha.toLowerCase()]);
  assert.match(buildWhere({ file: sha }).sql, /case_files/);
  assert.throws(() => normalizeFilters({ file: 'abcd' }), /file: expected the SHA-256 of a file/);
  assert.deepEqual(pivotFilters('asn', 'AS15169'), { asn: 'AS15169' });
});
