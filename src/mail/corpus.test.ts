// Every message of the public phishing-pot sample must parse and give up its links: the 31 that
// ship with the project always, all 316 when ../shared/corpus is beside the clone. The messages
// hold live phishing links: they are only read here, never visited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeMessage, type MailAnalysis } from './parse.js';
import { pickMainLink } from './links.js';
import { emlFiles, FIXTURE_CORPUS, NEEDS_SHARED_CORPUS, SHARED_CORPUS } from '../../test/support/corpus.js';

const analyses = new Map<string, MailAnalysis>();
async function analysis(name: string, dir = FIXTURE_CORPUS): Promise<MailAnalysis> {
  const path = join(dir, name);
  if (!analyses.has(path)) analyses.set(path, await analyzeMessage(readFileSync(path), name));
  return analyses.get(path)!;
}

/** Every message of `dir` parses cleanly; how many yielded links, and how many links. */
async function parseAll(dir: string): Promise<{ files: number; withLinks: number; links: number }> {
  const files = emlFiles(dir);
  let withLinks = 0;
  let links = 0;
  for (const name of files) {
    const mail = await analysis(name, dir);
    assert.ok(!mail.errors.some((e) => /analysis failed|MIME decoding failed/.test(e)), `${name}: ${mail.errors.join('; ')}`);
    assert.ok(mail.from || mail.subject !== null, `${name}: no From and no Subject`);
    for (const link of mail.links) {
      assert.ok(!/[\t\r\n]/.test(link.url), `${name}: bad url ${JSON.stringify(link.url)}`);
      assert.ok(link.url.trim().length > 0 || link.unfollowable === 'empty href', `${name}: empty url of a followable link`);
    }
    if (mail.links.length > 0) withLinks++;
    links += mail.links.length;
  }
  return { files: files.length, withLinks, links };
}

test('every shipped phishing-pot message parses without a decoding failure and yields its links', async () => {
  const { files, withLinks, links } = await parseAll(FIXTURE_CORPUS);
  assert.equal(files, 31);
  // One carries no link at all (a text-only scam); every other one must, the PDF-only lure's
  // from its PDF.
  assert.equal(withLinks, 30);
  assert.ok(links >= 250, `only ${links} links in total`);
});

test('every phishing-pot message parses without a decoding failure and most yield links', { skip: NEEDS_SHARED_CORPUS }, async () => {
  const { files, withLinks, links } = await parseAll(SHARED_CORPUS!);
  assert.equal(files, 316);
  // 24 messages carried no link before PDFs were read (text-only scams, PDF-only lures).
  assert.ok(withLinks >= 290, `only ${withLinks} of ${files} messages yielded links`);
  assert.ok(links >= 1500, `only ${links} links in total`);
});

test(
  'hand-checked: a PDF locked with the password its text gives ("Senha PDF: 123") yields its link',
  { skip: NEEDS_SHARED_CORPUS },
  async () => {
    const mail = await analysis('sample-1975.eml', SHARED_CORPUS!);
    assert.deepEqual(
      mail.links.map((l) => [l.url, l.kind, l.origin]),
      [['http://gov.auto-atendimento.link/', 'pdf', 'NlpYZCgrb0C8961.pdf']],
    );
    assert.deepEqual(mail.warnings, ['NlpYZCgrb0C8961.pdf: encrypted PDF opened with the password the message gives ("123")']);
  },
);

test(
  'hand-checked: a message delivered to a Gmail or Proton mailbox was not sent through Gmail or Proton; one sent through Gmail was',
  { skip: NEEDS_SHARED_CORPUS },
  async () => {
    assert.deepEqual((await analysis('sample-250.eml', SHARED_CORPUS!)).esp, []);
    // Sent from a VPS to a Proton mailbox, which marked it "X-Pm-Origin: external".
    assert.deepEqual((await analysis('sample-1250.eml')).esp, []);
    assert.deepEqual(
      (await analysis('sample-650.eml')).esp.map((p) => p.name),
      ['Gmail / Google Workspace'],
    );
  },
);

test('hand-checked: a Proton-themed credential phish has exactly one link, its button', async () => {
  const mail = await analysis('sample-1175.eml');
  assert.deepEqual(
    mail.links.map((l) => [l.url, l.text, l.kind]),
    [['https://danielcacereslopez.com/Mlo4bThmN0sxRzY4NlI=', 'Login to your Proton Account Now', 'href']],
  );
  assert.equal(pickMainLink(mail.links)?.url, 'https://danielcacereslopez.com/Mlo4bThmN0sxRzY4NlI=');
});

test("hand-checked: a PDF-only crypto lure's link is its PDF's link annotation, the main link", async () => {
  const mail = await analysis('sample-650.eml');
  const pdfName = 'Active__mining__balance__0.7495__BTCEZRaB209oAl0H3ZLUPTOdXaO9U2B5L.pdf';
  assert.deepEqual(
    mail.links.map((l) => [l.url, l.kind, l.origin]),
    [['https://cutt.us/4EdABU3V', 'pdf', pdfName]],
  );
  assert.equal(pickMainLink(mail.links)?.url, 'https://cutt.us/4EdABU3V');
});

test('hand-checked: a Correios-themed payment lure (base64 HTML) has its "Efetuar Pagamento" link', async () => {
  const mail = await analysis('sample-3950.eml');
  assert.deepEqual(
    mail.links.map((l) => [l.url, l.text]),
    [['https://cliente-rastreamentocorreios.co.ua/', 'Efetuar Pagamento']],
  );
  assert.deepEqual(
    mail.esp.map((p) => p.name),
    ['PHPMailer'],
  );
});

test('hand-checked: a Symantec-wrapped link whose text shows another domain is flagged', async () => {
  const mail = await analysis('sample-2025.eml');
  const wrapped = mail.links.find((l) => l.url.startsWith('https://clicktime.symantec.com/'));
  assert.equal(wrapped?.text, 'www.pyramidci.com');
  assert.deepEqual(wrapped?.mismatch, { shownDomain: 'pyramidci.com', hrefDomain: 'symantec.com' });
  assert.ok(mail.links.some((l) => l.url === 'http://www.pyramidci.com/' && l.mismatch === null));
});

test('hand-checked: a Mailchimp campaign: main link, unsubscribe and privacy links, ESP and TLS hop', async () => {
  const mail = await analysis('sample-450.eml');
  const main = pickMainLink(mail.links);
  assert.equal(main?.text, 'Apply now to study Digital Marketing');
  assert.equal(main?.url, 'https://itmasters.us6.list-manage.com/track/click?u=49f9b64427a60f2ee6aa39eec&id=4f87aa62c0&e=84f7ed0062');
  assert.deepEqual(
    mail.links.filter((l) => l.unsubscribe && l.part === 'html').map((l) => l.text),
    ['UNSUBSCRIBE'],
  );
  assert.equal(mail.links.find((l) => l.text === 'PRIVACY POLICY')?.prominence, 0);
  assert.deepEqual(
    mail.esp.map((p) => p.name),
    ['Mailchimp'],
  );
  const esphop = mail.received.find((hop) => hop.from?.endsWith('.mcdlv.net'));
  assert.deepEqual([esphop?.tls, esphop?.tlsVersion, esphop?.fromIp], [true, 'TLS1.2', '198.2.139.78']);
});

test('hand-checked: "Um sich abzumelden, klicken Sie bitte auf Hier" marks that link as unsubscribe', async () => {
  const mail = await analysis('sample-2275.eml');
  const hier = mail.links.find((l) => l.text === 'Hier');
  assert.equal(hier?.unsubscribe, true);
  // an empty anchor whose host is written as a short IP form: nothing to click, and malformed
  const empty = mail.links.find((l) => l.raw === 'http://1.2.3');
  assert.equal(empty?.prominence, 0);
  assert.deepEqual([empty?.url, empty?.malformed], ['http://1.2.0.3/', true]);
});

test('ESP fingerprints found across the corpus', async () => {
  const expected: [string, string][] = [
    ['sample-75.eml', 'Mailgun'],
    ['sample-775.eml', 'Amazon SES'],
    ['sample-950.eml', 'HubSpot'],
    ['sample-1525.eml', 'SendGrid'],
    ['sample-2450.eml', 'ActiveCampaign'],
    ['sample-2500.eml', 'Postmark'],
    ['sample-2900.eml', 'Salesforce Marketing Cloud (ExactTarget)'],
    ['sample-3450.eml', 'Adobe Marketo Engage'],
    ['sample-4675.eml', 'SparkPost'],
    ['sample-4775.eml', 'MailWizz'],
  ];
  for (const [name, esp] of expected) {
    const mail = await analysis(name);
    assert.ok(
      mail.esp.some((p) => p.name === esp),
      `${name}: expected ${esp}, got ${mail.esp.map((p) => p.name).join(', ')}`,
    );
  }
});
