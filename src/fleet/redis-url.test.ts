import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRedis, parseRedisUrl, QueueUrlError } from './redis-url.js';

test('redis:// URLs: host, port (6379 by default), database, credentials; the password never shown', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6390/2'), { host: '127.0.0.1', port: 6390, db: 2 });
  assert.deepEqual(parseRedisUrl('redis://queue.internal'), { host: 'queue.internal', port: 6379, db: 0 });
  assert.deepEqual(parseRedisUrl('redis://[::1]:7000/'), { host: '::1', port: 7000, db: 0 });
  const withAuth = parseRedisUrl('redis://ops:s%40cret@10.0.0.5:6379/1');
  assert.deepEqual(withAuth, { host: '10.0.0.5', port: 6379, db: 1, username: 'ops', password: 's@cret' });
  assert.equal(describeRedis(withAuth), 'redis://ops@10.0.0.5:6379/1');
  assert.equal(describeRedis(parseRedisUrl('redis://[::1]:7000')), 'redis://[::1]:7000/0');
});

test('anything else is refused with one line', () => {
  for (const [input, pattern] of [
    ['localhost:6379', /expected a redis:\/\/ URL/],
    ['http://localhost:6379', /expected a redis:\/\/ URL/],
    ['rediss://localhost:6379', /TLS\) is not supported/],
    ['redis://localhost:6379/abc', /database is a number/],
    ['redis://localhost:6379/0?x=1', /no query/],
    ['not a url', /expected redis:\/\/HOST:PORT/],
  ] as const) {
    assert.throws(
      () => parseRedisUrl(input),
      (err: Error) => err instanceof QueueUrlError && pattern.test(err.message),
      input,
    );
  }
});
