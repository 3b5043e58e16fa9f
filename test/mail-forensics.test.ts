// E-mail forensics end to end: the built CLI on the seed-like message whose text link a soft
// break cut, to a retired plus-tagged address of the recipient map; traces against the lab carry
// the disclosure into their report; --fetch-pixels traces the open pixel once; the web UI shows
// it all and edits the recipient map.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { tempDir } from './helpers.js';
import { cli } from './support/cli.js';
import { startLab, type Lab, SEED_CONTACT_URL, landingUrl, labMailbox, SINGLE_USE_PREFIX } from '../src/lab/index.js';
import { projectPath } from '../src/project-root.js';
import { startServe, type ServeHandle } from '../src/cli/serve-command.js';
import { analyzeMessage } from '../src/mail/parse.js';
import { messageRecord, writeMessageCase, messageCaseName } from '../src/mail/message-case.js';
import { loadRecipientMap } from '../src/mail/recipient-map.js';

const MESSAGE = projectPath('test', 'fixtures', 'mail', 'repair', 'seed-qp-soft-break.eml');
const MAP = projectPath('test', 'fixtures', 'mail', 'recipients.json');
const ADDRESS = 'old-registrant+domain@mydomain.example';
const DISCLOSURE = `sent to ${ADDRESS}, given only for a domain registration in 2012, retired in 2016 (this message came later)`;
const SEED_MAIN =
  'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1iJ6kL8mN0pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI';
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let lab: Lab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

test('mail on the seed-like message lists the repaired text link with its full ID, the pixel, and the disclosure', async () => {
  // Text and JSON at once (each its own process, neither writes): the file's wall time, not a requirement.
  const [{ code, stdout, stderr }, json] = await Promise.all([
    cli(['mail', MESSAGE, '--no-visit', '--recipients', MAP]),
    cli(['mail', MESSAGE, '--no-visit', '--json', '--recipients', MAP]),
  ]);
  assert.equal(code, 0, stderr);
  assert.ok(!CONTROL.test(stdout));
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.includes('[REPAIRED'));
  assert.ok(at > 0, stdout);
  assert.equal(lines[at + 1], `      rebuilt: ${SEED_MAIN}`, 'the full ID');
  assert.match(
    stdout,
    /as written: "http:\/\/news\.t-mobile\.emsecure\.test\/optiext\/optiextension\.dll\? ID=Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1iJ6\\nkL8/,
  );
  assert.match(stdout, new RegExp(`Recipient: ${DISCLOSURE.replace(/[.+()?]/g, '\\$&')}`));
  assert.match(stdout, /R1 +img 1x1 .*\[PIXEL: 1x1; esp-tracker: Selligent\]/);

  const [message] = JSON.parse(json.stdout).messages;
  const text = message.links.find((l: { part: string }) => l.part === 'text');
  assert.deepEqual([text.url, text.repaired], [SEED_MAIN, true]);
  assert.equal(message.disclosure, DISCLOSURE);
  assert.equal(message.resources[0].pixel.rules[0], '1x1');
});

test('a traced link of the message: the report names where the address leaked, and sent via Selligent for the advertiser', async () => {
  const out = tempDir('forensics-');
  const { code, stdout } = await cli([
    'mail',
    MESSAGE,
    '--trace',
    'main',
    '--click',
    'Find out more',
    '--recipients',
    MAP,
    '--json',
    '--out',
    out,
    ...lab.traceArgs,
  ]);
  assert.equal(code, 0, stdout.slice(0, 500));
  const [message] = JSON.parse(stdout).messages;
  assert.equal(message.traces.length, 1);
  assert.equal(message.traces[0].final, SEED_CONTACT_URL);
  const report = JSON.parse(readFileSync(join(out, message.traces[0].case, 'report.json'), 'utf8'));
  assert.match(
    report.summary.text,
    new RegExp(
      `^Sent to ${ADDRESS.replace(/[.+]/g, '\\$&')}, given only for a domain registration in 2012, retired in 2016` +
        ' \\(this message came later\\); sent via Selligent .* -> advertiser business\\.t-mobile\\.example',
    ),
  );
  assert.deepEqual(report.disclosures, [{ address: ADDRESS, text: DISCLOSURE, hops: [] }]);
  assert.equal(report.summary.claims[0].text, `Recipient: ${DISCLOSURE} (from the message headers and the recipient map)`);
});

test('a per-recipient link: the SHA-256 of the address found in the traced hops; --fetch-pixels traces the pixel once', async () => {
  const out = tempDir('forensics-');
  const pixelUrl = 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=Op3nPx%2F7rT9uW2yZ5bN8mK1jH3g';
  const before = lab.hits(pixelUrl);
  const { code, stdout } = await cli([
    'mail',
    MESSAGE,
    '--trace',
    '1',
    '--fetch-pixels',
    '--recipients',
    MAP,
    '--json',
    '--out',
    out,
    ...lab.traceArgs,
  ]);
  assert.equal(code, 0, stdout.slice(0, 500));
  const [message] = JSON.parse(stdout).messages;
  assert.deepEqual(
    message.traces.map((t: { link: number | null; resource?: number }) => [t.link, t.resource]),
    [
      [1, undefined],
      [null, 1],
    ],
  );
  const digest = createHash('sha256').update(ADDRESS).digest('hex');
  const report = JSON.parse(readFileSync(join(out, message.traces[0].case, 'report.json'), 'utf8'));
  assert.deepEqual(
    report.tokens
      .filter((t: { kind: string }) => t.kind === 'recipient')
      .map((t: { name: string; value: string; hops: number[]; address: string }) => [t.name, t.value, t.hops, t.address]),
    [
      ['path (sha256)', digest, [1], ADDRESS],
      ['h (sha256)', digest, [2], ADDRESS],
    ],
  );
  assert.deepEqual(report.disclosures[0].hops, [1, 2]);
  assert.ok(
    report.summary.claims.some(
      (c: { text: string; hop: number }) => c.hop === 2 && c.text === `Hop 2 carries ${ADDRESS} in its URL (h (sha256))`,
    ),
  );
  const pixelReport = JSON.parse(readFileSync(join(out, message.traces[1].case, 'report.json'), 'utf8'));
  assert.equal(pixelReport.url, pixelUrl);
  assert.deepEqual(pixelReport.message, {
    case: message.case,
    subject: 'Your business deserves 5G',
    from: 'business@news.t-mobile.example',
    link: null,
    resource: 1,
  });
  assert.equal(lab.hits(pixelUrl) - before, 1, 'the pixel was requested exactly once');
});

test('mail: --fetch-pixels and --no-visit exclude each other; a broken recipient map is a one-line error', async () => {
  const both = await cli(['mail', MESSAGE, '--no-visit', '--fetch-pixels']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--no-visit and --fetch-pixels exclude each other/);
  const dir = tempDir('forensics-');
  writeFileSync(join(dir, 'bad.json'), '{"recipients": [{"address": "x"}, {"address": "a@b.example", "retiredOn": 2016}]}');
  const bad = await cli(['mail', MESSAGE, '--no-visit', '--recipients', join(dir, 'bad.json')]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /recipient map: .*recipients\[0\]: "address" must be .*; recipients\[1\]: "retiredOn" must be text/);
  // The cases folder's map is used when no --recipients is given.
  writeFileSync(join(dir, 'recipients.json'), readFileSync(MAP));
  const fromCases = await cli(['mail', MESSAGE, '--no-visit', '--json', '--out', dir]);
  assert.equal(JSON.parse(fromCases.stdout).messages[0].disclosure, DISCLOSURE);
});

let serve: ServeHandle | null = null;
after(async () => {
  await serve?.close();
});

test('web: the message case shows repaired links, remote content with pixels and the disclosure; the Recipients page edits the map', async () => {
  const cases = tempDir('forensics-web-');
  const raw = readFileSync(MESSAGE);
  const record = messageRecord(await analyzeMessage(raw, 'seed-qp-soft-break.eml'), { recipientMap: loadRecipientMap(MAP) });
  const id = messageCaseName();
  record.case = id;
  writeMessageCase(cases, id, raw, record, { keyDir: null });
  serve = await startServe(['--port', '0', '--cases', cases], () => undefined);
  const base = serve!.server.url;
  const page = await (await fetch(`${base}/cases/${id}`)).text();
  assert.match(page, /Where the address leaked/);
  assert.ok(page.includes(DISCLOSURE.replace('(', '(')), 'the disclosure sentence');
  assert.match(page, /<span class="flag">repaired<\/span>/);
  assert.match(page, /Remote content \(1, 1 tracking pixel; never fetched unless asked\)/);
  assert.match(page, /<td>R1<\/td>/);

  const empty = await (await fetch(`${base}/recipients`)).text();
  assert.match(empty, /No recipient map yet/);
  const post = (map: string) =>
    fetch(`${base}/recipients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
      body: new URLSearchParams({ map }).toString(),
    });
  const refused = await post('{"recipients": [{"address": "<script>"}]}');
  assert.equal(refused.status, 400);
  const refusedPage = await refused.text();
  assert.match(refusedPage, /&quot;address&quot; must be an address/);
  assert.ok(!refusedPage.includes('<script>'), 'what was submitted comes back escaped');
  assert.ok(!existsSync(join(cases, 'recipients.json')), 'nothing saved');
  const saved = await post(readFileSync(MAP, 'utf8'));
  assert.equal(saved.status, 200);
  assert.match(await saved.text(), /Saved\.[\s\S]*old-registrant\+domain@mydomain\.example/);
  assert.deepEqual(loadRecipientMap(join(cases, 'recipients.json')), loadRecipientMap(MAP));
  const crossOrigin = await fetch(`${base}/recipients`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' },
    body: 'map=%7B%7D',
  });
  assert.equal(crossOrigin.status, 403);
});

test('mail --trace on a message with nothing to trace says so; --trace N on a tel: link says why', async () => {
  const dir = tempDir('forensics-');
  const file = join(dir, 'call.eml');
  writeFileSync(
    file,
    'From: Shop <news@shop.example>\nSubject: Call us\nMessage-ID: <call@shop.example>\nContent-Type: text/html\n\n' +
      '<a href="tel:+15551234" style="font-size:24px">Call now</a>\n',
  );
  const out = join(dir, 'cases');
  const main = await cli(['mail', file, '--trace', 'main', '--out', out]);
  assert.equal(main.code, 0, main.stderr);
  assert.match(main.stdout, /\nNothing traced: its call-to-action is link 1, tel:\+15551234: not http\(s\), nothing to trace\n/);
  const byNumber = await cli(['mail', file, '--trace', '1', '--out', out]);
  assert.equal(byNumber.code, 1);
  assert.match(byNumber.stdout, /error: --trace 1: link 1 is not http\(s\) \(tel:\+15551234\); nothing traced/);
  // --trace all leaves unsubscribe links: a message with only those (and a mailto:) says so, not "no http(s) links".
  const unsubscribe = join(dir, 'unsubscribe.eml');
  writeFileSync(
    unsubscribe,
    'From: Shop <news@shop.example>\nSubject: Bye\nMessage-ID: <bye@shop.example>\nContent-Type: text/html\n\n' +
      '<a href="mailto:help@shop.example">Write to us</a> <a href="https://shop.example/unsubscribe?u=9">Unsubscribe</a>\n',
  );
  const all = await cli(['mail', unsubscribe, '--trace', 'all', '--out', out]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /\nNothing traced: only unsubscribe links, which --trace all leaves \(--trace N traces one by its number\)\n/);
});

test('a message read with a warning (unknown charset) is not a failure; one that cannot be read is, listed with its position and reason', async () => {
  const dir = tempDir('forensics-');
  const out = join(dir, 'cases');
  const token = `warned-${Date.now()}`;
  const link = `${SINGLE_USE_PREFIX}${token}`;
  const warned = labMailbox([link]).replace('charset=utf-8', 'charset=x-klingon-7');
  const unreadable =
    'From someone@else.example Mon Mar  4 10:00:00 2024\nJust some prose, no header lines at all,\n' +
    'nothing a mail client would show as a message.\n';
  const onlyWarned = join(dir, 'warned.mbox');
  writeFileSync(onlyWarned, warned);
  const mixed = join(dir, 'mixed.mbox');
  writeFileSync(mixed, `${warned}\n${unreadable}`);
  const summaryOf = (stdout: string) => JSON.parse(stdout.trimEnd().split('\n').pop()!);

  const plain = await cli(['mail', onlyWarned]);
  assert.equal(plain.code, 0, plain.stdout);
  assert.match(plain.stdout, /\nwarning: unknown charset "x-klingon-7": that part was decoded as windows-1252/);
  assert.doesNotMatch(plain.stdout, /\nerror:/);
  const json = await cli(['mail', onlyWarned, '--json']);
  assert.equal(json.code, 0);
  const [record] = json.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual([record.analysis.errors, record.analysis.warnings.length], [[], 1]);
  const quiet = summaryOf(json.stdout);
  assert.deepEqual(
    [quiet.counts.messages, quiet.counts.messageErrors, quiet.counts.messageWarnings, quiet.failures],
    [1, undefined, 1, []],
  );

  // Static and traced alike: the exit status, the counts and the listed failures agree.
  for (const args of [
    ['mail', mixed, '--json'],
    ['mail', mixed, '--trace', 'main', '--no-explore', '--json', '--out', out, ...lab.traceArgs],
  ]) {
    const run = await cli(args);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    const summary = summaryOf(run.stdout);
    assert.deepEqual([summary.counts.messages, summary.counts.messageErrors, summary.counts.messageWarnings], [2, 1, 1]);
    assert.equal(summary.failures.length, 1, JSON.stringify(summary.failures));
    assert.equal(summary.failures[0].source, `${mixed}#2`);
    assert.match(summary.failures[0].error, /not an RFC 822 message/);
  }
  assert.equal(lab.hits(`/once/${token}`), 1, 'the warned message was traced, once');
  const table = await cli(['mail', mixed, '--trace', 'main', '--no-explore', '--out', out, ...lab.traceArgs]);
  assert.equal(table.code, 1);
  assert.match(table.stdout, /1 read with warnings/);
  assert.match(table.stdout, /Failures:\n {2}\S*mixed\.mbox#2 {2}message: not an RFC 822 message/);
});

test('mail on an empty mailbox: no messages, exit 0, no fake failure; an empty .eml or a folder of no mail is bad input', async () => {
  const dir = tempDir('forensics-');
  const out = join(dir, 'cases');
  const fixture = (name: string) => projectPath('test', 'fixtures', 'mail', name);
  for (const name of ['empty.mbox', 'blank.mbox']) {
    const file = fixture(name);
    const plain = await cli(['mail', file]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, '');
    assert.equal(plain.stderr, `clicktrace: mail: ${file}: no messages (empty mailbox)\n`);
    const json = await cli(['mail', file, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, 'the summary line alone');
    const summary = JSON.parse(lines[0]);
    assert.equal(summary.kind, 'summary');
    assert.equal(summary.counts.messages, 0);
    assert.equal(summary.counts.messageErrors, undefined);
    const traced = await cli(['mail', file, '--trace', 'main', '--out', out, ...lab.traceArgs]);
    assert.equal(traced.code, 0, traced.stderr);
    assert.match(traced.stdout, /^\nSummary: 0 traced, 0 message\(s\);/);
    assert.match(traced.stderr, /no messages \(empty mailbox\)/);
    assert.ok(!existsSync(out), 'nothing to trace: no cases folder made');
    // Its summary says the traces at once --trace would have run (static: none).
    const tracedJson = await cli(['mail', file, '--trace', 'main', '--concurrency', '3', '--json', '--out', out, ...lab.traceArgs]);
    assert.deepEqual([JSON.parse(tracedJson.stdout).concurrency, summary.concurrency], [3, 0]);
  }
  const stdin = await cli(['mail', '-', '--json'], '\n\n');
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.equal(JSON.parse(stdin.stdout).counts.messages, 0);

  const trailing = await cli(['mail', fixture('trailing-separator.mbox'), '--json']);
  assert.equal(trailing.code, 0, trailing.stderr);
  const [message, summary] = trailing.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(message.analysis.subject, 'Spring sale');
  assert.deepEqual([summary.counts.messages, summary.counts.messageErrors], [1, undefined]);

  const emptyEml = await cli(['mail', fixture('empty.eml'), '--json']);
  assert.equal(emptyEml.code, 2);
  assert.equal(emptyEml.stdout, '');
  assert.equal(emptyEml.stderr.trim(), `clicktrace: mail: ${fixture('empty.eml')}: empty file: no message in it`);
  const notMail = await cli(['mail', projectPath('test', 'fixtures', 'import')]);
  assert.equal(notMail.code, 2);
  assert.match(notMail.stderr, /not a Maildir \(no cur\/ or new\/\) and no \.eml files\n$/);
  assert.equal(notMail.stderr.split('\n').length, 2, 'one line');
});

test('mail: a call-to-action whose URL merely holds unsubscribe-like letters is the main link; real opt-out links are refused', async () => {
  const file = projectPath('test', 'fixtures', 'mail', 'cta-unsubscribe-letters.eml');
  const { code, stdout, stderr } = await cli(['mail', file, '--no-visit', '--json']);
  assert.equal(code, 0, stderr);
  const [record] = JSON.parse(stdout).messages;
  const links = record.links.map((l: { index: number; text: string | null; main: boolean; unsubscribe: boolean }) => [
    l.index,
    l.text,
    l.main,
    l.unsubscribe,
  ]);
  assert.deepEqual(links, [
    [1, 'Shop the offer', true, false],
    [2, 'Unsubscribe', false, true],
    [3, 'Manage e-mails', false, true],
    [4, null, false, true],
    [5, null, false, true],
  ]);
});

test('mail --trace all never requests an opt-out link: its plain-text copy, nor a plain-text one told by its line', async () => {
  const dir = tempDir('forensics-');
  const [offer, optOut, textOptOut] = ['letter-offer', 'letter-b', 'letter-c'].map((name) => landingUrl(name));
  const file = join(dir, 'alternative.eml');
  writeFileSync(
    file,
    'From: Shop <news@shop.example>\nSubject: Offer\nMessage-ID: <optout@shop.example>\nMIME-Version: 1.0\n' +
      'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain\n\n' +
      `Our offer: ${offer}\n\n${optOut}\n\nTo stop receiving these e-mails, go to ${textOptOut}\n` +
      `--b\nContent-Type: text/html\n\n<p><a href="${offer}">Shop now</a></p><p><a href="${optOut}">Unsubscribe</a></p>\n--b--\n`,
  );
  const { code, stdout, stderr } = await cli([
    'mail',
    file,
    '--trace',
    'all',
    '--no-explore',
    '--out',
    join(dir, 'cases'),
    ...lab.traceArgs,
  ]);
  assert.equal(code, 0, stderr);
  const requested = lab.requests.map((r) => r.url);
  assert.ok(requested.includes(offer), stdout);
  assert.deepEqual(
    requested.filter((url) => url === optOut || url === textOptOut),
    [],
    'an opt-out link was requested',
  );
});

test('mail --trace main on messages of new shapes: each trace ends at the advertiser or the phishing page; a tel: button says so', async () => {
  const box = join(tempDir('main-link-'), 'box');
  mkdirSync(box);
  const finals: Record<string, string> = {
    'esp-newsletter.eml': landingUrl('http-302'),
    'vml-only.eml': landingUrl('http-308'),
    'image-map.eml': landingUrl('http-303'),
    'japanese-text.eml': landingUrl('http-302'),
    'calendar-invite.eml': landingUrl('meta-refresh'),
    'phish-brand-links.eml': 'https://business.t-rnobile.example/signin',
    'css-background-button.eml': landingUrl('http-302'),
    // Quishing (the link only in a QR code: an inline PNG, an attached JPEG) and a PDF-only lure.
    'qr-inline-mfa.eml': landingUrl('http-302'),
    'qr-attached-jpeg.eml': landingUrl('http-303'),
    'pdf-invoice.eml': landingUrl('meta-refresh'),
  };
  for (const name of [...Object.keys(finals), 'tel-only.eml']) {
    copyFileSync(projectPath('test', 'fixtures', 'mail', 'main-link', name), join(box, name));
  }
  const out = tempDir('main-link-cases-');
  const { code, stdout } = await cli(['mail', box, '--trace', 'main', '--no-explore', '--json', '--out', out, ...lab.traceArgs]);
  assert.equal(code, 0, stdout.slice(0, 500));
  const messages = stdout
    .split('\n')
    .filter((line) => line.startsWith('{"kind":"message"'))
    .map((line) => JSON.parse(line));
  const byName = new Map(messages.map((m) => [m.analysis.source.split('/').pop(), m]));
  for (const [name, final] of Object.entries(finals)) {
    assert.deepEqual(
      byName.get(name).traces.map((t: { final: string }) => t.final),
      [final],
      name,
    );
  }
  const qr = byName.get('qr-inline-mfa.eml');
  const traced = qr.links.find((l: { index: number }) => l.index === qr.traces[0].link);
  assert.deepEqual([traced.kind, traced.origin, traced.main], ['qr-code', 'inline image cid:mfa-qr@m365-security.example (qr.png)', true]);
  const listed = await cli(['mail', join(box, 'pdf-invoice.eml'), '--no-visit']);
  assert.match(
    listed.stdout,
    /^ {3}1 {2}http:\/\/track\.broker-net\.test\/t\/meta-refresh\?inv=pdf1 {2}\[MAIN; PDF link in INV-4411\.pdf\]$/m,
  );
  const tel = byName.get('tel-only.eml');
  assert.deepEqual(tel.traces, []);
  assert.equal(tel.notTraced, 'its call-to-action is link 1, tel:+18005550199: not http(s), nothing to trace');
});
