import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from '../../http/checksums.js';
import { readZipDirectory, readZipEntry, StoredZipWriter } from './zip.js';

test('files of every size around the copy buffer come back byte for byte, with their CRC-32, in one writer', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-zip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Small after large and large after small: the writer's one copy buffer grows and is reused.
  const sizes = [0, 1, 70_000, (1 << 20) + 3, 12, 3 * (1 << 20) - 1, 65_536];
  const contents = sizes.map((size) => randomBytes(size));
  contents.forEach((data, i) => writeFileSync(join(dir, `f${i}`), data));
  const zipPath = join(dir, 'out.zip');
  const zip = new StoredZipWriter(zipPath);
  zip.addBuffer('header.json', Buffer.from('{}\n'));
  contents.forEach((data, i) =>
    i % 2 ? zip.addFile(`f${i}`, join(dir, `f${i}`)) : zip.addFile(`f${i}`, join(dir, `f${i}`), { size: data.length, crc32: crc32(data) }),
  );
  const { bytes, sha256 } = zip.finish();

  const written = readFileSync(zipPath);
  assert.equal(written.length, bytes);
  assert.equal(createHash('sha256').update(written).digest('hex'), sha256);
  const entries = readZipDirectory(written);
  assert.deepEqual(
    entries.map((e) => e.name),
    ['header.json', ...sizes.map((_, i) => `f${i}`)],
  );
  contents.forEach((data, i) => {
    const entry = entries[i + 1];
    assert.equal(entry.size, data.length);
    assert.equal(entry.crc32, crc32(data));
    assert.ok(readZipEntry(written, entry).equals(data), `f${i} (${data.length} bytes) differs`);
  });
  try {
    execFileSync('unzip', ['-tq', zipPath], { stdio: 'pipe' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
});
