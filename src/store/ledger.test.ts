import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from './case-store.js';
import { databasePath } from './paths.js';
import { CaseWriter } from '../case/case-writer.js';
import type { CaptureInfo } from '../model.js';
import { TOOL } from '../version.js';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function casesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-ledger-'));
  roots.push(dir);
  return dir;
}

const URL_A = 'http://click.example.test/once/a';

test('a URL is claimed once: attached to its case, refused after, traced anew only with again', () => {
  const store = CaseStore.open(casesDir());
  try {
    const claim = store.ledger.claim(URL_A);
    assert.ok(claim.ok);
    // While the claim waits for its case, this live process holds it.
    assert.deepEqual(store.ledger.claim(URL_A), { ok: false, caseId: null, inProgress: true });
    store.ledger.attach(claim.id, '20261201T000000Z-aaaaaa');
    assert.deepEqual(store.ledger.claim(URL_A), { ok: false, caseId: '20261201T000000Z-aaaaaa', inProgress: false });
    assert.equal(store.ledger.lookup(URL_A)?.caseId, '20261201T000000Z-aaaaaa');
    const again = store.ledger.claim(URL_A, { again: true });
    assert.ok(again.ok);
    store.ledger.attach(again.id, '20261201T000001Z-bbbbbb');
    assert.equal(store.ledger.lookup(URL_A)?.caseId, '20261201T000001Z-bbbbbb', 'the latest case answers');
    assert.equal(store.ledger.count(), 2);
    // A claim given up before its case existed requested nothing: the URL is free again.
    const other = store.ledger.claim('http://click.example.test/other');
    assert.ok(other.ok);
    store.ledger.release(other.id);
    assert.ok(store.ledger.claim('http://click.example.test/other').ok);
    assert.throws(() => store.ledger.attach(other.id, '20261201T000002Z-cccccc'), /claim on this URL was lost/);
  } finally {
    store.close();
  }
});

test('a claim left by a dead process (no case yet: nothing requested) is dropped; the ledger outlives a schema rebuild', () => {
  const dir = casesDir();
  const store = CaseStore.open(dir);
  try {
    store.db
      .prepare('INSERT INTO requested_urls (url, case_id, claimed_at, claimant) VALUES (?, NULL, ?, ?)')
      .run(URL_A, new Date().toISOString(), `${hostname()} 2147483646`);
    const claim = store.ledger.claim(URL_A);
    assert.ok(claim.ok, 'the dead claim was released');
    store.ledger.attach(claim.id, '20261201T000000Z-aaaaaa');
    store.db.pragma('user_version = 0');
  } finally {
    store.close();
  }
  // An older schema version drops the derived tables, never the ledger.
  const reopened = CaseStore.open(dir);
  try {
    assert.equal(reopened.ledger.lookup(URL_A)?.caseId, '20261201T000000Z-aaaaaa');
  } finally {
    reopened.close();
  }
});

test('a claim a process left under a pid that is now another live process (this one included) is no live claim', () => {
  const store = CaseStore.open(casesDir());
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
  try {
    // As a restarted container leaves them: the claimants' pids are alive again, in processes started after the claims.
    const before = (ms: number) => new Date(performance.timeOrigin - ms).toISOString();
    const insert = store.db.prepare('INSERT INTO requested_urls (url, case_id, claimed_at, claimant) VALUES (?, NULL, ?, ?)');
    insert.run(URL_A, before(5_000), `${hostname()} ${process.pid}`);
    insert.run(`${URL_A}b`, before(5_000), `${hostname()} ${child.pid}`);
    assert.ok(store.ledger.claim(URL_A).ok, 'a claim of this pid from before this process started was an earlier process');
    assert.ok(store.ledger.claim(`${URL_A}b`).ok, 'a claim of a pid from before that process started was another process');
    // A live claimant still holds its claim: one made since it started.
    insert.run(`${URL_A}c`, new Date().toISOString(), `${hostname()} ${child.pid}`);
    assert.deepEqual(store.ledger.claim(`${URL_A}c`), { ok: false, caseId: null, inProgress: true });
  } finally {
    child.kill();
    store.close();
  }
});

function info(url: string, mode: CaptureInfo['mode']): CaptureInfo {
  return {
    tool: TOOL,
    browser: null,
    identity: null,
    url,
    mode,
    commandLine: ['clicktrace', 'trace', url],
    resolver: { overrides: [], dnsServer: null },
    clicks: [],
    startedAt: new Date().toISOString(),
    endedAt: null,
    error: null,
    partial: true,
  };
}

test('reindex rebuilds the ledger from the case folders: a trace cut off before its report still names its URL', async () => {
  const dir = casesDir();
  // A trace killed right after its case was created (before any response): PARTIAL, a WARC of one warcinfo.
  const cut = await CaseWriter.create(dir, info(URL_A, 'trace'), { keyDir: null });
  // Proxy captures are the user's browser's requests, not ours.
  await CaseWriter.create(dir, info('http://proxy.example.test/', 'proxy'), { keyDir: null });
  rmSync(databasePath(dir), { force: true });
  const store = CaseStore.open(dir);
  try {
    assert.equal(store.ledger.lookup(URL_A), null);
    const result = store.reindex();
    assert.equal(result.indexed, 0, 'cut-off cases have no report to index');
    assert.equal(store.ledger.lookup(URL_A)?.caseId, cut.name);
    assert.equal(store.ledger.lookup('http://proxy.example.test/'), null);
    assert.deepEqual(store.ledger.claim(URL_A), { ok: false, caseId: cut.name, inProgress: false });
    // Indexing again adds nothing twice.
    store.reindex();
    assert.equal(store.ledger.count(), 1);
  } finally {
    store.close();
  }
});

test('a URL that differs only in its #fragment is the same request: refused, also against rows recorded with a fragment', () => {
  const store = CaseStore.open(casesDir());
  try {
    const claim = store.ledger.claim(`${URL_A}#victim@example.test`);
    assert.ok(claim.ok);
    assert.deepEqual(store.ledger.claim(`${URL_A}#other`), { ok: false, caseId: null, inProgress: true }, 'while it runs');
    store.ledger.attach(claim.id, '20261201T000000Z-aaaaaa');
    for (const url of [URL_A, `${URL_A}#`, `${URL_A}#other`]) {
      assert.deepEqual(store.ledger.claim(url), { ok: false, caseId: '20261201T000000Z-aaaaaa', inProgress: false }, url);
    }
    assert.equal(store.ledger.lookup(`${URL_A}#x`)?.url, URL_A, 'recorded without its fragment');
    // Not the same request: a longer path, another query.
    assert.ok(store.ledger.claim(`${URL_A}b`).ok);
    assert.ok(store.ledger.claim(`${URL_A}?q=1`).ok);

    // A row as an older version wrote it (its fragment kept), and one recorded from a case folder.
    const B = 'http://click.example.test/once/b';
    store.db
      .prepare('INSERT INTO requested_urls (url, case_id, claimed_at, claimant) VALUES (?, ?, ?, NULL)')
      .run(`${B}#old`, '20261201T000001Z-bbbbbb', new Date().toISOString());
    assert.deepEqual(store.ledger.claim(B), { ok: false, caseId: '20261201T000001Z-bbbbbb', inProgress: false });
    assert.deepEqual(store.ledger.claim(`${B}#new`), { ok: false, caseId: '20261201T000001Z-bbbbbb', inProgress: false });
    const C = 'http://click.example.test/once/c';
    assert.ok(store.ledger.record(`${C}#from-folder`, '20261201T000002Z-cccccc', new Date().toISOString()));
    assert.equal(store.ledger.lookup(C)?.caseId, '20261201T000002Z-cccccc');
  } finally {
    store.close();
  }
});

test('rows recorded before keys folded percent-encoding still stop a rerun, under either spelling', () => {
  const dir = casesDir();
  const store = CaseStore.open(dir);
  try {
    // As an older clicktrace wrote them: the href as parsed (lower-case hex, %7E kept), one with a fragment.
    const insert = store.db.prepare('INSERT INTO requested_urls (url, case_id, claimed_at, claimant) VALUES (?, ?, ?, NULL)');
    insert.run('http://click.example.test/r/%2fa%7e?u=%3d', '20261201T000000Z-aaaaaa', new Date().toISOString());
    insert.run('http://click.example.test/old#frag', '20261201T000001Z-bbbbbb', new Date().toISOString());
    insert.run('http://paypal.example@click.example.test/once/u', '20261201T000002Z-cccccc', new Date().toISOString());
    insert.run('http://click.example.test./once/dot', '20261201T000003Z-dddddd', new Date().toISOString());
    store.db.prepare('DELETE FROM meta WHERE key = ?').run('ledger_keys');
  } finally {
    store.close();
  }
  const reopened = CaseStore.open(dir);
  try {
    for (const url of ['http://click.example.test/r/%2fa%7e?u=%3d', 'http://click.example.test/r/%2Fa~?u=%3D']) {
      assert.deepEqual(reopened.ledger.claim(url), { ok: false, caseId: '20261201T000000Z-aaaaaa', inProgress: false }, url);
    }
    assert.equal(reopened.ledger.lookup('http://click.example.test/old')?.caseId, '20261201T000001Z-bbbbbb');
    // A row kept with its userinfo (never sent) stops the link under any decoy, or none.
    for (const url of ['http://click.example.test/once/u', 'http://amazon.example@click.example.test/once/u']) {
      assert.deepEqual(reopened.ledger.claim(url), { ok: false, caseId: '20261201T000002Z-cccccc', inProgress: false }, url);
    }
    // A row kept with its host's trailing dot stops the link with or without it.
    for (const url of ['http://click.example.test/once/dot', 'http://click.example.test./once/dot']) {
      assert.deepEqual(reopened.ledger.claim(url), { ok: false, caseId: '20261201T000003Z-dddddd', inProgress: false }, url);
    }
    const rows = reopened.db.prepare('SELECT url FROM requested_urls ORDER BY id').all() as { url: string }[];
    assert.deepEqual(
      rows.map((r) => r.url),
      [
        'http://click.example.test/r/%2Fa~?u=%3D',
        'http://click.example.test/old',
        'http://click.example.test/once/u',
        'http://click.example.test/once/dot',
      ],
    );
  } finally {
    reopened.close();
  }
  // Opening again changes nothing (the rewrite ran once; a key's key is itself).
  const again = CaseStore.open(dir);
  try {
    assert.equal(again.ledger.count(), 4);
    assert.equal(again.ledger.lookup('http://click.example.test/r/%2FA%7E?u=%3d')?.caseId, undefined, 'path case still matters');
  } finally {
    again.close();
  }
});
