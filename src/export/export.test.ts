import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleCase } from '../../test/support/test-capture.js';
import { stixProblems } from '../../test/support/stix-validator.js';
import { mispProblems } from '../../test/support/misp-validator.js';
import { REPORT_FILE } from '../case/case-layout.js';
import type { CertInfo } from '../model.js';
import { canonicalJson, stixScoId, uuidv5 } from './ids.js';
import { toIocCsv } from './ioc-csv.js';
import { stixString, toStixBundle } from './stix.js';
import { toMispEvent } from './misp.js';
import { loadCaseEvidence, type CaseEvidence } from './case-evidence.js';
import { renderExport } from './export.js';

let tmp: string;
let sample: CaseEvidence;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-export-'));
  const written = await writeSampleCase(join(tmp, 'cases'), { keyDir: null });
  // The sample report with what the analysis adds: parties and DNS.
  const report = {
    ...written.report,
    hops: written.report.hops.map((h, i) => ({
      ...h,
      tls: h.tls && { ...h.tls, cert: leafOf(written.capture.exchanges.find((x) => x.id === h.exchange)?.tls?.chain[0]) },
      party:
        i === 0
          ? { role: 'esp-tracker', name: 'Mailer', rule: 'mailer:host:mailer.test', registrableDomain: 'mailer.test' }
          : { role: 'unknown', name: null, rule: null, registrableDomain: null },
    })),
    dns: written.capture.dns.map((d) => ({
      host: d.host,
      addresses: d.addresses,
      cnames: d.cnames,
      baseDomain: null,
      baseDomainResolves: null,
    })),
  };
  writeFileSync(join(written.dir, REPORT_FILE), JSON.stringify(report));
  sample = await loadCaseEvidence(written.dir);
});

after(() => rmSync(tmp, { recursive: true, force: true }));

function leafOf(cert: CertInfo | undefined) {
  return cert
    ? { subject: cert.subject, issuer: cert.issuer, sans: cert.sans, validFrom: cert.validFrom, validTo: cert.validTo, sha256: cert.sha256 }
    : null;
}

test('UUIDv5 matches RFC 9562 and STIX 2.1 deterministic ids', () => {
  // RFC 9562 appendix A.4 (namespace DNS, "www.example.com").
  assert.equal(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  // The STIX 2.1 id of domain-name "example.com", as the stix2 reference library computes it.
  assert.equal(stixScoId('domain-name', { value: 'example.com' }), 'domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7');
  // Cross-checked with Python's uuid.uuid5 over json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False).
  assert.equal(stixScoId('url', { value: 'https://example.com/' }), 'url--be22e93a-5e33-5678-b19f-8b4ea06df0bd');
  assert.equal(stixScoId('email-addr', { value: 'jöhn@exämple.com' }), 'email-addr--d6712295-0e42-524c-aacf-380ca7ea108b');
});

test('canonical JSON sorts keys at every level and drops undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: 'x', c: [true, null] }, e: undefined }), '{"a":{"c":[true,null],"d":"x"},"b":1}');
});

test('STIX pattern strings escape backslash and quote', () => {
  assert.equal(stixString("http://x.test/a'b\\c"), "http://x.test/a\\'b\\\\c");
});

test('the sample case exports to a valid STIX bundle and MISP event, the same every time', () => {
  const bundle = toStixBundle([sample]);
  assert.deepEqual(stixProblems(bundle), []);
  const types = bundle.objects.map((o) => o.type);
  assert.ok(types.includes('x509-certificate'), 'the HTTPS hop brings its certificate');
  assert.ok(types.includes('identity'), 'the attributed party is an identity');
  assert.equal(bundle.objects.filter((o) => o.relationship_type === 'redirects-to').length, sample.chains[0].report.hops.length - 1);
  assert.deepEqual(toStixBundle([sample]), bundle);

  const event = toMispEvent(sample, { tlp: 'red' });
  assert.deepEqual(mispProblems(event), []);
  assert.deepEqual(event.Event.Tag, [{ name: 'tlp:red' }, { name: 'clicktrace' }]);
  assert.deepEqual(toMispEvent(sample, { tlp: 'red' }), event);
  assert.equal(
    event.Event.Object.flatMap((o) => o.ObjectReference).filter((r) => r.relationship_type === 'redirects-to').length,
    sample.chains[0].report.hops.length - 1,
  );
});

test('a MISP export of several cases is a response list; the CSV has a header and CRLF lines', () => {
  const misp = JSON.parse(renderExport([sample, sample], 'misp').toString('utf8')) as { response: unknown[] };
  assert.equal(misp.response.length, 2);
  const csv = toIocCsv([sample]);
  assert.ok(csv.startsWith('case,hop,type,value,role,party,context,seen\r\n'));
  assert.ok(csv.endsWith('\r\n'));
  assert.ok(csv.includes(',1,url,http://click.mailer.test/c/8f3a?u=alice%40example.org,esp-tracker,Mailer,'));
});

test('loading a folder that is not a case is a one-line evidence error', async () => {
  await assert.rejects(loadCaseEvidence(tmp), /not a readable case \(not a case folder name\)/);
});
