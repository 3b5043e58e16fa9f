import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { createCertificateAuthority } from '../tls/certs.js';
import { buildUpstream } from './upstream.js';

test('--cacert: a file the TLS layer could not use is bad input, not a silent "cert not trusted" later', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-cacert-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = createCertificateAuthority('upstream test CA');
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const good = write('good.pem', `# our CA\n${ca.certPem}`);
  assert.deepEqual(buildUpstream({ cacert: [good] }).extraCaPems, [`# our CA\n${ca.certPem}`]);
  // Two certificates in one file (a bundle) are fine.
  assert.equal(buildUpstream({ cacert: [write('bundle.pem', ca.certPem + ca.certPem)] }).extraCaPems.length, 1);

  const noCert = write('passwd', 'root:x:0:0:root:/root:/bin/bash\n');
  assert.throws(
    () => buildUpstream({ cacert: [noCert] }),
    (err: Error) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, `--cacert: ${noCert} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      return true;
    },
  );
  const lines = ca.certPem.split('\n');
  lines[3] = lines[3].replace(/^..../, '!!!!');
  const broken = write('broken.pem', ca.certPem + lines.join('\n'));
  assert.throws(
    () => buildUpstream({ cacert: [good, broken] }),
    (err: Error) => err instanceof UsageError && err.message === `--cacert: ${broken}: certificate 2 of 2 is not a valid PEM certificate`,
  );
  assert.throws(() => buildUpstream({ cacert: [join(dir, 'missing.pem')] }), /--cacert: cannot read /);
});
