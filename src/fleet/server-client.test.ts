import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimAnswer, failAnswer, heartbeatAnswer, ServerError, uploadAnswer } from './server-client.js';

const refusal = (code: string, message: string) => ({ error: { code, message } });

function thrown(f: () => unknown): ServerError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof ServerError);
    return err;
  }
  assert.fail('expected a ServerError');
}

test("a claim's answer: granted or refused (409, 404) is an answer; anything else is a ServerError, transient or not", () => {
  const granted = { ok: true, caseId: '20261206T233918Z-683a7a', url: 'http://example.test/' };
  assert.deepEqual(claimAnswer({ status: 200, body: granted }), granted);
  const taken = { ok: false, code: 'claimed', reason: 'job j1 is claimed by another worker' };
  assert.deepEqual(claimAnswer({ status: 409, body: taken }), taken);
  assert.deepEqual(claimAnswer({ status: 404, body: { ok: false, code: 'unknown', reason: 'no job j2' } }).ok, false);
  const internal = thrown(() => claimAnswer({ status: 500, body: refusal('internal', 'internal error (see the server log)') }));
  assert.equal(internal.message, 'internal error (see the server log)');
  assert.equal(internal.transient, true);
  const token = thrown(() => claimAnswer({ status: 401, body: refusal('unauthorized', 'no token') }));
  assert.equal(token.code, 'unauthorized');
  assert.equal(token.transient, false);
});

test('an upload is taken, refused (422, 404, 409, 400) with its message, final when its case is refused, or to be tried again', () => {
  assert.deepEqual(uploadAnswer({ status: 200, body: { case: 'c', outcome: 'ingested' } }), {
    kind: 'taken',
    response: { case: 'c', outcome: 'ingested' },
  });
  assert.deepEqual(uploadAnswer({ status: 422, body: refusal('refused', 'refused: manifest.json: SHA-256 differs') }), {
    kind: 'refused',
    status: 422,
    message: 'refused: manifest.json: SHA-256 differs',
    final: false,
  });
  // Whole, and not the job's link: sending it again cannot change the answer.
  const mismatch = 'refused: case c: it traced "http://a.test/", not the job\'s http://b.test/; nothing was kept';
  assert.deepEqual(uploadAnswer({ status: 422, body: refusal('case-refused', mismatch) }), {
    kind: 'refused',
    status: 422,
    message: mismatch,
    final: true,
  });
  assert.deepEqual(uploadAnswer({ status: 409, body: {} }), { kind: 'refused', status: 409, message: 'HTTP 409', final: false });
  assert.equal(thrown(() => uploadAnswer({ status: 503, body: {} })).transient, true);
});

test('a failure report ends with 200, 409 (not yours) or 404; a heartbeat needs a 2xx', () => {
  assert.equal(failAnswer({ status: 409, body: refusal('not-claimed', 'job j1 is not claimed by this worker') }), undefined);
  assert.equal(thrown(() => failAnswer({ status: 500, body: {} })).transient, true);
  assert.deepEqual(heartbeatAnswer({ status: 200, body: { heartbeatMs: 1000, workerTimeoutMs: 30_000 } }), {
    heartbeatMs: 1000,
    workerTimeoutMs: 30_000,
  });
  assert.equal(thrown(() => heartbeatAnswer({ status: 401, body: refusal('unauthorized', 'wrong token') })).status, 401);
});
