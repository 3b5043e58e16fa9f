import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { writeSampleCase } from '../../test/support/test-capture.js';
import { packCase } from '../case/case-bundle.js';
import { initSigningKey } from '../case/signing.js';
import { checkOwnBundle, removeLeftChecks } from './own-bundle.js';

test("a worker's own bundle: intact, damaged, another case, another key; nothing of the check is left", async () => {
  const root = tempDir('own-bundle-');
  const keyDir = join(root, 'keys');
  const key = await initSigningKey(keyDir);
  const other = await initSigningKey(join(root, 'other-keys'));
  const written = await writeSampleCase(join(root, 'cases'), { keyDir });
  const caseId = written.dir.split('/').pop()!;
  const bundle = join(root, `${caseId}.case.zip`);
  packCase(written.dir, bundle);
  const scratch = join(root, 'sealing');
  const own = { signingKey: key.publicKeyPem, tsaCaFile: null };

  assert.equal(await checkOwnBundle(caseId, bundle, scratch, own), null);
  assert.equal(await checkOwnBundle(caseId, bundle, scratch, { signingKey: null, tsaCaFile: null }), null);
  assert.match((await checkOwnBundle('20990101T000000Z-abcdef', bundle, scratch, own)) ?? '', /holds case .*, not 20990101T000000Z-abcdef/);
  assert.match(
    (await checkOwnBundle(caseId, bundle, scratch, { signingKey: other.publicKeyPem, tsaCaFile: null })) ?? '',
    /not signed by a trusted key|does not verify/,
  );
  const damaged = readFileSync(bundle);
  damaged[Math.floor(damaged.length / 2)] ^= 0x20;
  const damagedPath = join(root, 'damaged.case.zip');
  writeFileSync(damagedPath, damaged);
  assert.match((await checkOwnBundle(caseId, damagedPath, scratch, own)) ?? '', /refused|damaged/);
  assert.deepEqual(readdirSync(scratch), [], 'each check removes its scratch folder');

  // A worker killed mid-check leaves one: the spool's next holder removes it.
  mkdirSync(join(scratch, 'check-left'));
  mkdirSync(join(scratch, '20261207T000000Z-abcdef'));
  removeLeftChecks(scratch);
  assert.deepEqual(readdirSync(scratch), ['20261207T000000Z-abcdef']);
  removeLeftChecks(join(root, 'none'));
  assert.ok(!existsSync(join(root, 'none')));
});
