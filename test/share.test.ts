// Evidence to share and act on, end to end against the lab: RFC 3161 timestamps from a real TSA
// (openssl ts behind loopback HTTP), MISP / STIX / CSV exports checked against MISP's templates
// and the OASIS STIX 2.1 schemas, abuse drafts parsed back with postal-mime, and the web UI's
// case page offering both (Chromium through playwright-core).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { chromium, type Browser } from 'playwright-core';
import { tempDir, UI_CHROMIUM } from './helpers.js';
import { cli } from './support/cli.js';
import { startLab, type Lab } from '../src/lab/index.js';
import { projectPath } from '../src/project-root.js';
import { startServe, type ServeHandle } from '../src/cli/serve-command.js';
import { MANIFEST_FILE, MESSAGE_EML_FILE, TIMESTAMP_FAILURE_FILE, TIMESTAMP_FILE } from '../src/case/case-layout.js';
import { deadTsaUrl, startTestTsa, type TestTsa } from './support/tsa-server.js';
import { stixProblems } from './support/stix-validator.js';
import { mispProblems } from './support/misp-validator.js';

const SEED_EML = projectPath('test', 'fixtures', 'lab', 'seed-tmobile.eml');

let lab: Lab;
let tsa: TestTsa;
let cases: string;
const dirs: string[] = [];

/** The seed message traced by `clicktrace mail`: its message case and the trace of its main link. */
let seedMessage = '';
let seedTrace = '';
/** The five-hop chain (302, meta refresh, JavaScript, 301; four hosts; http and https). */
let fiveHop = '';

const caseFolders = () => readdirSync(cases).filter((n) => /^\d{8}T\d{6}Z-[0-9a-f]{6}(-mail)?$/.test(n));

before(async () => {
  [lab, tsa] = await Promise.all([startLab(), startTestTsa()]);
  cases = tempDir('share-cases-');
  dirs.push(cases);
});

after(async () => {
  await tsa?.close();
  await lab?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('mail --trace main with the TSA of the home config: both cases carry a token, verify names the attested time', async () => {
  // The TSA comes from ~/.clicktrace/config.json (CLICKTRACE_HOME of this test run).
  const configPath = join(process.env.CLICKTRACE_HOME!, 'config.json');
  writeFileSync(configPath, JSON.stringify({ tsa: { url: tsa.url, ca: tsa.caFile } }));
  try {
    const before = Date.now();
    const { code, stdout, stderr } = await cli([
      'mail',
      SEED_EML,
      '--trace',
      'main',
      '--click',
      'Find out more',
      '--out',
      cases,
      ...lab.traceArgs,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Timestamp: \S+ from http:\/\/127\.0\.0\.1:\d+\/tsr \(CN=clicktrace test TSA/);
    seedMessage = caseFolders().find((n) => n.endsWith('-mail'))!;
    seedTrace = caseFolders().find((n) => !n.endsWith('-mail'))!;
    assert.ok(seedMessage && seedTrace, caseFolders().join(' '));
    // The CA file of the config is the default trust for verify (both cases verified at once: verify only reads).
    const verifies = await Promise.all([seedMessage, seedTrace].map((id) => cli(['verify', join(cases, id)])));
    for (const [i, id] of [seedMessage, seedTrace].entries()) {
      const failure = existsSync(join(cases, id, TIMESTAMP_FAILURE_FILE))
        ? readFileSync(join(cases, id, TIMESTAMP_FAILURE_FILE), 'utf8')
        : stderr;
      assert.ok(existsSync(join(cases, id, TIMESTAMP_FILE)), `${id} has ${TIMESTAMP_FILE}: ${failure}`);
      const verified = verifies[i];
      assert.equal(verified.code, 0, verified.stdout);
      assert.match(verified.stdout, /timestamp valid/);
      const time = /^Timestamp: (\S+) by CN=clicktrace test TSA/m.exec(verified.stdout)?.[1];
      assert.ok(time, verified.stdout);
      assert.ok(Math.abs(Date.parse(time) - before) < 10 * 60_000, `attested ${time}`);
    }
  } finally {
    rmSync(configPath, { force: true });
  }
  // Without the config, the TSA's CA must be named: the system store does not know the test CA.
  const [untrusted, trusted] = await Promise.all([
    cli(['verify', join(cases, seedTrace), '--json']),
    cli(['verify', join(cases, seedTrace), '--tsa-ca', tsa.caFile]),
  ]);
  assert.equal(untrusted.code, 1);
  const result = JSON.parse(untrusted.stdout) as { checked: { timestamp: string }; problems: string[] };
  assert.equal(result.checked.timestamp, 'invalid');
  assert.equal(trusted.code, 0, trusted.stdout);
});

test('trace --tsa with a TSA that is down: the case is sealed and verifies, the failure is stated', async () => {
  const url = await deadTsaUrl();
  const { code, stdout, stderr } = await cli(['trace', lab.scenarios['five-hop'].url, '--tsa', url, '--out', cases, ...lab.traceArgs]);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /Timestamp: FAILED \(cannot reach http:\/\/127\.0\.0\.1:\d+\/tsr: ECONNREFUSED\); the case is sealed without one/);
  fiveHop = /^Case: .*\/(\S+)$/m.exec(stdout)![1];
  assert.ok(existsSync(join(cases, fiveHop, MANIFEST_FILE)));
  assert.ok(!existsSync(join(cases, fiveHop, TIMESTAMP_FILE)));
  assert.ok(existsSync(join(cases, fiveHop, TIMESTAMP_FAILURE_FILE)));
  const verified = await cli(['verify', join(cases, fiveHop)]);
  assert.equal(verified.code, 0, verified.stdout);
  assert.match(verified.stdout, /timestamp absent/);
  assert.match(verified.stdout, /^Timestamp: none; sealing asked http:\/\/127\.0\.0\.1:\d+\/tsr at \S+ and it failed: cannot reach/m);
});

test('--tsa takes a URL or none', async () => {
  const { code, stderr } = await cli(['trace', 'http://example.invalid/', '--tsa', 'ftp://tsa.example/']);
  assert.equal(code, 2);
  assert.match(stderr, /^clicktrace: --tsa: expected an http or https URL, got "ftp:\/\/tsa\.example\/"\n$/);
});

interface ExportedEvent {
  Event: {
    Object: { name: string; Attribute: { object_relation: string; value: string }[]; ObjectReference: { relationship_type: string }[] }[];
  };
}

test('export and abuse: --help, and bad input is one line with exit 2', async () => {
  // Every command at once (each its own process, none writes): the file's wall time, not a requirement.
  const helps = await Promise.all(['export', 'abuse'].map((command) => cli([command, '--help'])));
  for (const [i, command] of ['export', 'abuse'].entries()) {
    assert.equal(helps[i].code, 0);
    assert.match(helps[i].stdout, new RegExp(`^usage: clicktrace ${command}`));
  }
  const notACase = tempDir('not-a-case-');
  dirs.push(notACase);
  const cases_ = [
    [['export'], /^clicktrace: export: --format is required \(misp, stix, csv\)\n$/],
    [['export', '--format', 'pdf', '.'], /^clicktrace: export: --format: expected misp, stix, csv, got "pdf"\n$/],
    [['export', '--format', 'csv', '/nonexistent-case'], /^clicktrace: export: \/nonexistent-case: no such case folder\n$/],
    [
      ['export', '--format', 'csv', '--tlp', 'purple', '.'],
      /^clicktrace: export: --tlp: expected clear, green, amber, red, got "purple"\n$/,
    ],
    [['export', '--format', 'csv', notACase], /^clicktrace: \/.*: not a readable case \(not a case folder name\)\n$/],
    [['abuse'], /^clicktrace: abuse: a case folder is required \(see --help\)\n$/],
    [['abuse', '/nonexistent-case'], /^clicktrace: abuse: \/nonexistent-case: no such case folder\n$/],
  ] as const;
  const runs = await Promise.all(cases_.map(([args]) => cli([...args])));
  for (const [i, [args, message]] of cases_.entries()) {
    const { code, stderr } = runs[i];
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message);
  }
});

function exportOf(format: string, ...args: string[]) {
  return cli(['export', '--format', format, ...args]);
}

test("MISP events of the seed message, its trace and the five-hop chain follow MISP's object templates", async () => {
  // The exports of one case each only read it: all at once, for the file's wall time.
  const ids = [seedMessage, seedTrace, fiveHop];
  const exports = await Promise.all(ids.map((id) => exportOf('misp', join(cases, id))));
  for (const [i, id] of ids.entries()) {
    const { code, stdout, stderr } = exports[i];
    assert.equal(code, 0, stderr);
    const event = JSON.parse(stdout) as ExportedEvent;
    const used = new Set<string>();
    assert.deepEqual(mispProblems(event, used), [], id);
    const objects = event.Event.Object;
    const urls = objects.filter((o) => o.name === 'url');
    const redirects = objects.flatMap((o) => o.ObjectReference).filter((r) => r.relationship_type === 'redirects-to');
    if (id === fiveHop) {
      assert.equal(urls.length, 5);
      assert.equal(redirects.length, 4, 'the chain is four redirects-to references');
      assert.deepEqual([...used].sort(), ['domain-ip', 'url', 'x509']);
    } else {
      assert.equal(urls.length, 3);
      assert.deepEqual([...used].sort(), ['domain-ip', 'email', 'url', 'x509']);
      const email = objects.find((o) => o.name === 'email')!;
      assert.ok(email.Attribute.some((a) => a.object_relation === 'from' && a.value === 't-mobile@news.t-mobile.emsecure.test'));
      assert.ok(email.ObjectReference.some((r) => r.relationship_type === 'contains'));
    }
  }
  // Exported twice, the same event: ids are derived, not random.
  const [a, b] = await Promise.all([exportOf('misp', join(cases, fiveHop)), exportOf('misp', join(cases, fiveHop))]);
  assert.equal(a.stdout, b.stdout);
});

test('STIX bundles of the seed and the five-hop chain validate against the OASIS STIX 2.1 schemas', async () => {
  const ids = [seedMessage, seedTrace, fiveHop];
  const [plain, ...exports] = await Promise.all([
    exportOf('stix', join(cases, fiveHop)),
    ...ids.map((id) => exportOf('stix', join(cases, id), '--tlp', 'green')),
  ]);
  for (const [i, id] of ids.entries()) {
    const { code, stdout, stderr } = exports[i];
    assert.equal(code, 0, stderr);
    const bundle = JSON.parse(stdout) as {
      type: string;
      objects: { type: string; id: string; relationship_type?: string; value?: string }[];
    };
    assert.deepEqual(stixProblems(bundle), [], id);
    const types = new Set(bundle.objects.map((o) => o.type));
    for (const type of ['url', 'domain-name', 'ipv4-addr', 'indicator', 'relationship', 'observed-data', 'report', 'marking-definition'])
      assert.ok(types.has(type), `${id}: ${type}`);
    assert.equal(types.has('email-message'), id !== fiveHop);
    const redirects = bundle.objects.filter((o) => o.relationship_type === 'redirects-to');
    assert.equal(redirects.length, id === fiveHop ? 4 : 2, 'one relationship per hop after the first');
  }
  // STIX 2.1 section 2.9: an SCO's id is UUIDv5 of its value, the same in every export.
  const bundle = JSON.parse(plain.stdout) as { objects: { type: string; id: string; value?: string }[] };
  const landing = bundle.objects.find((o) => o.type === 'domain-name' && o.value === 'www.advertiser.example');
  assert.ok(landing);
});

test('export --query selects through the case index; the IOC CSV lists every hop', async () => {
  const bundle = await exportOf('stix', '--query', 'party=Selligent', '--cases', cases);
  assert.equal(bundle.code, 0, bundle.stderr);
  const parsed = JSON.parse(bundle.stdout) as { objects: { type: string; name?: string }[] };
  assert.deepEqual(stixProblems(parsed), []);
  const reports = parsed.objects.filter((o) => o.type === 'report').map((o) => o.name);
  // The message case brings its trace along; the trace is not exported a second time, and nothing reads as left out.
  assert.deepEqual(reports, [`clicktrace case ${seedMessage}`]);
  assert.match(bundle.stderr, /2 cases match; 1 of them are in the export with their message case/);
  assert.doesNotMatch(bundle.stderr, /\d+ exported/);

  const csv = await exportOf('csv', '--query', 'kind=trace', '--cases', cases);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trimEnd().split('\r\n');
  assert.equal(lines[0], 'case,hop,type,value,role,party,context,seen');
  const urls = lines.filter((l) => l.split(',')[2] === 'url');
  assert.equal(urls.length, 3 + 5);
  assert.ok(
    lines.some(
      (l) => l.startsWith(`${seedTrace},1,url,http://news.t-mobile.emsecure.test/optiext/`) && l.includes(',esp-tracker,Selligent,'),
    ),
  );

  const bad = await exportOf('csv', '--query', 'colour=red', '--cases', cases);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown filter "colour"/);
});

test('abuse drafts for the seed message parse back with postal-mime and carry the original message byte for byte', async () => {
  const out = tempDir('share-abuse-');
  dirs.push(out);
  const { code, stdout, stderr } = await cli([
    'abuse',
    join(cases, seedMessage),
    '--out',
    out,
    '--from',
    'Abuse desk <desk@analyst.example>',
    '--json',
  ]);
  assert.equal(code, 0, stderr);
  const listing = JSON.parse(stdout) as { drafts: { file: string; party: string; roles: string[]; placeholder: boolean }[] };
  assert.deepEqual(
    listing.drafts.map((d) => [d.party, d.roles]),
    [
      ['Selligent', ['sending platform', 'click tracker']],
      ['t-mobile.example', ['advertiser']],
    ],
  );
  const original = readFileSync(join(cases, seedMessage, MESSAGE_EML_FILE));
  for (const draft of listing.drafts) {
    const eml = readFileSync(draft.file);
    const email = await PostalMime.parse(eml);
    assert.equal(email.from?.address, 'desk@analyst.example');
    assert.equal(email.to?.[0]?.address, 'abuse-contact@fill-in.invalid', 'no abuse address is known for the lab parties: a placeholder');
    assert.match(email.subject ?? '', new RegExp(`^Abuse report: ${draft.party.replace(/\./g, '\\.')} \\(`));
    assert.ok(email.headers.some((h) => h.key === 'x-unsent' && h.value === '1'));
    assert.match(email.text ?? '', /Why we write to you/);
    assert.match(email.text ?? '', /Your business deserves 5G/);
    assert.deepEqual(
      email.attachments.map((a) => `${a.filename} ${a.mimeType}`),
      [
        'original-message.eml message/rfc822',
        'chain.txt text/plain',
        `manifest-${seedMessage}.json application/json`,
        `manifest-${seedMessage}.tsr application/timestamp-reply`,
        `manifest-${seedTrace}.json application/json`,
        `manifest-${seedTrace}.tsr application/timestamp-reply`,
      ],
    );
    const manifest = email.attachments.find((a) => a.filename === `manifest-${seedTrace}.json`)!;
    assert.deepEqual(Buffer.from(manifest.content as ArrayBuffer), readFileSync(join(cases, seedTrace, MANIFEST_FILE)));

    // The message/rfc822 part travels unencoded (RFC 2046 5.2.1): its body in the .eml is the
    // original, byte for byte. postal-mime hands such a part out with LF line ends, so the bytes
    // are checked in the MIME structure itself, and the parsed part is checked to be that message.
    const part = rfc822PartBody(eml);
    assert.ok(part.equals(original), 'the message/rfc822 part is the message as received');
    const attached = email.attachments.find((a) => a.mimeType === 'message/rfc822')!;
    const reparsed = await PostalMime.parse(Buffer.from(attached.content as ArrayBuffer));
    assert.equal(reparsed.messageId, '<20260915140209.88213.4471@news.t-mobile.emsecure.test>');
    assert.equal(
      Buffer.from(attached.content as ArrayBuffer).toString('latin1'),
      `${original.toString('latin1').replace(/\r\n/g, '\n')}\n`,
    );
  }
});

/** The body of the .eml's message/rfc822 part, cut out by its boundary. */
function rfc822PartBody(eml: Buffer): Buffer {
  const text = eml.toString('latin1');
  const boundary = /^Content-Type: multipart\/mixed;\s*boundary="([^"]+)"/im.exec(text)![1];
  const parts = text.split(`\r\n--${boundary}`);
  const part = parts.find((p) => /^\r?\n?Content-Type: message\/rfc822/im.test(p.replace(/^--[^\r\n]*\r\n/, '')))!;
  const body = part.slice(part.indexOf('\r\n\r\n') + 4);
  return Buffer.from(body, 'latin1');
}

let serve: ServeHandle;
let browser: Browser;

test('the web UI offers exports and abuse drafts on the case page', async () => {
  [serve, browser] = await Promise.all([
    startServe(['--port', '0', '--cases', cases, ...lab.traceArgs], () => undefined).then((h) => h!),
    chromium.launch({ executablePath: UI_CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const cspViolations: string[] = [];
    context.on('console', (m) => {
      if (/Content Security Policy|Failed to load/i.test(m.text())) cspViolations.push(m.text());
    });
    const page = await context.newPage();
    await page.goto(`${serve.server.url}/cases/${seedMessage}`);
    const share = page.locator('#share');
    assert.deepEqual(await share.locator('a.download').evaluateAll((as) => as.map((a) => a.textContent)), [
      'MISP event (JSON)',
      'STIX 2.1 bundle',
      'IOC list (CSV)',
    ]);
    const [stix] = await Promise.all([page.waitForEvent('download'), share.locator('a.export-stix').click()]);
    assert.equal(stix.suggestedFilename(), `${seedMessage}.stix.json`);
    assert.deepEqual(stixProblems(JSON.parse(readFileSync(await stix.path(), 'utf8')) as { objects: [] }), []);
    const [misp] = await Promise.all([page.waitForEvent('download'), share.locator('a.export-misp').click()]);
    assert.deepEqual(mispProblems(JSON.parse(readFileSync(await misp.path(), 'utf8')) as object), []);

    await Promise.all([page.waitForURL(/\/abuse$/), page.click('#abuse-drafts-link')]);
    const drafts = page.locator('section.abuse-draft');
    assert.equal(await drafts.count(), 2);
    assert.equal(await drafts.first().locator('.party-name').innerText(), 'Selligent');
    assert.match(await drafts.first().locator('dd.recipient').innerText(), /fill in/);
    await drafts.first().locator('details.draft-text summary').click();
    assert.match(await drafts.first().locator('details.draft-text pre').innerText(), /Selligent's click tracker/);
    const [eml] = await Promise.all([page.waitForEvent('download'), drafts.first().locator('a.eml-download').click()]);
    assert.equal(eml.suggestedFilename(), `${seedMessage}-abuse-01-selligent.eml`);
    const bytes = readFileSync(await eml.path());
    const parsed = await PostalMime.parse(bytes);
    assert.match(parsed.subject ?? '', /^Abuse report: Selligent/);
    assert.ok(rfc822PartBody(bytes).equals(readFileSync(join(cases, seedMessage, MESSAGE_EML_FILE))));

    // The trace case offers the same, and the API lists the drafts.
    await page.goto(`${serve.server.url}/cases/${fiveHop}`);
    assert.equal(await page.locator('#share a.download').count(), 3);
    const api = (await (await fetch(`${serve.server.url}/api/cases/${fiveHop}/abuse`)).json()) as {
      drafts: { party: string; roles: string[] }[];
    };
    assert.deepEqual(
      api.drafts.map((d) => [d.party, d.roles]),
      [
        ['mailer-esp.test', ['broker']],
        ['broker-net.test', ['broker']],
        ['advertiser.example', ['advertiser']],
      ],
    );
    const missing = await fetch(`${serve.server.url}/cases/${fiveHop}/export/pdf`);
    assert.equal(missing.status, 404);
    assert.deepEqual(cspViolations, []);
    await context.close();
  } finally {
    await browser?.close();
    await serve?.close();
  }
});
