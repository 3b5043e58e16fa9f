import { test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTIAL_FILE } from '../case/case-layout.js';
import type { Hop, PartyRef, Report } from '../report.js';
import type { CaseEvidence } from '../export/case-evidence.js';
import { analyzeMessage } from '../mail/parse.js';
import { messageRecord } from '../mail/message-case.js';
import { loadPartyRules } from '../analyze/parties-rules.js';
import { abuseContactsFromHeaders, recipientFor, PLACEHOLDER_ADDRESS, type NetworkLookup } from './recipients.js';
import { responsibleParties, ruleForPlatform, type ResponsibleParty } from './responsible.js';
import { composeEml, draftAbuseReports, embeddableAsMessage } from './draft.js';

const PUBLIC_IP = '93.184.215.14';

function hop(index: number, url: string, party: PartyRef, ip: string | null = '127.0.0.1'): Hop {
  return {
    index,
    url,
    method: 'GET',
    status: 200,
    via: index === 1 ? 'start' : 'http-302',
    evidence: { detail: index === 1 ? 'the link as given' : `HTTP 302, Location: ${url}` },
    ip,
    tls: null,
    contentType: 'text/html',
    timing: { startedAt: '2026-05-01T10:00:00.000Z', ms: 5 },
    exchange: `x000${index}`,
    error: null,
    party,
  };
}

function report(hops: Hop[]): Report {
  return {
    tool: { name: 'clicktrace', version: 'test' },
    url: hops[0].url,
    mode: 'trace',
    startedAt: '2026-05-01T10:00:00.000Z',
    endedAt: '2026-05-01T10:00:03.000Z',
    elapsedMs: 3000,
    identity: null,
    hops,
    final: { url: hops.at(-1)!.url, status: 200, title: 'Shop' },
    pages: [],
    events: [],
    case: '20260501T100000Z-abcdef',
    error: null,
    partial: false,
    tokens: [{ name: 'awc', value: '1234_5678', kind: 'affiliate', hops: [2] }],
  };
}

const party = (role: PartyRef['role'], name: string | null, rule: string | null, registrableDomain: string | null): PartyRef => ({
  role,
  name,
  rule,
  registrableDomain,
});

const CHAIN = [
  hop(1, 'https://spgo.io/f/a/abc~~/AAAAAQA~/def~~/', party('esp-tracker', 'SparkPost', 'sparkpost:host:spgo.io', 'spgo.io')),
  hop(2, 'https://www.awin1.com/cread.php?awc=1234_5678', party('affiliate-network', 'Awin', 'awin:host:awin1.com', 'awin1.com')),
  hop(3, 'https://go.shop.example/r', party('unknown', null, null, 'shop.example')),
  hop(4, 'https://www.shop.example/sale', party('advertiser', 'shop.example', 'final landing page', 'shop.example'), PUBLIC_IP),
];

function message(lineEnd: '\r\n' | '\n', extraHeaders: string[] = []): Buffer {
  return Buffer.from(
    [
      'Return-Path: <bounce@mail.sender.example>',
      'From: "Shop Deals" <deals@sender.example>',
      'To: <victim@recipient.example>',
      'Subject: Big sale',
      'Date: Fri, 01 May 2026 09:59:00 +0000',
      'Message-ID: <abc@sender.example>',
      'X-MSYS-API: {"campaign_id":"sale"}',
      ...extraHeaders,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Buy now: https://spgo.io/f/a/abc~~/AAAAAQA~/def~~/',
      '',
    ].join(lineEnd),
  );
}

async function evidence(raw: Buffer): Promise<CaseEvidence> {
  const record = messageRecord(await analyzeMessage(raw, 'test.eml'));
  const headers = (await PostalMime.parse(raw)).headers.map((h) => ({ name: h.originalKey || h.key, value: h.value }));
  return {
    id: '20260501T095900Z-123456-mail',
    dir: '/nonexistent/20260501T095900Z-123456-mail',
    kind: 'mail',
    message: {
      id: '20260501T095900Z-123456-mail',
      dir: '/nonexistent/20260501T095900Z-123456-mail',
      facts: { analysis: record.analysis, links: record.links, traces: [] },
      raw,
      headers,
      manifestSha256: null,
    },
    chains: [{ id: '20260501T100000Z-abcdef', dir: '/nonexistent/20260501T100000Z-abcdef', report: report(CHAIN), manifestSha256: null }],
  };
}

test('abuse headers of a message name mailboxes and web forms', () => {
  assert.deepEqual(
    abuseContactsFromHeaders([
      { name: 'X-Report-Abuse', value: 'Please report abuse here: https://esp.example/abuse?id=42' },
      { name: 'X-Abuse-Reports-To', value: '<mailto:abuse@esp.example>' },
      { name: 'X-CSA-Complaints', value: 'csa-complaints@eco.de' },
      { name: 'List-Unsubscribe', value: '<mailto:unsub@esp.example>' },
      { name: 'X-Report-Abuse', value: 'nothing useful' },
    ]),
    [
      { header: 'X-Report-Abuse', address: null, web: 'https://esp.example/abuse?id=42' },
      { header: 'X-Abuse-Reports-To', address: 'abuse@esp.example', web: null },
      { header: 'X-CSA-Complaints', address: 'csa-complaints@eco.de', web: null },
    ],
  );
});

test('a sending platform named by the mail header rules maps to its parties.json rule', () => {
  assert.equal(ruleForPlatform('SparkPost')?.id, 'sparkpost');
  assert.equal(ruleForPlatform('SendGrid')?.id, 'sendgrid');
  assert.equal(ruleForPlatform('Selligent')?.id, 'selligent');
  assert.equal(ruleForPlatform('Proton Mail'), null);
  // The ESP, not the company's shortener whose name its own begins.
  assert.equal(ruleForPlatform('HubSpot')?.name, 'HubSpot Marketing Hub');
});

test('one report per responsible party: platform and tracker merge, brokers, advertiser with its own redirect, hosting network', async () => {
  const parties = responsibleParties(await evidence(message('\r\n')));
  assert.deepEqual(
    parties.map((p) => [p.name, p.roles]),
    [
      ['SparkPost', ['sending platform', 'click tracker']],
      ['Awin', ['broker']],
      ['shop.example', ['advertiser']],
      [`the network hosting ${PUBLIC_IP}`, ['hosting network']],
    ],
  );
  const sparkpost = parties[0];
  assert.match(sparkpost.why[0], /sent through SparkPost \(X-MSYS-API/);
  assert.match(
    sparkpost.why[1],
    /^Hop 1 of case 20260501T100000Z-abcdef \(https:\/\/spgo\.io\/.*\) is SparkPost's click tracker \(clicktrace rule sparkpost:host:spgo\.io\)/,
  );
  assert.match(parties[2].why[0], /^Hops 3 and 4 of case/);
});

test('a chain that stopped short of a landing page (a short link gone, HTTP 404) names no advertiser: the host it stopped at is said so', async () => {
  const base = await evidence(message('\r\n'));
  const unknown = (domain: string) => party('unknown', null, null, domain);
  const hops = [
    CHAIN[0],
    hop(2, 'https://s.short.example/Zx9', unknown('short.example')),
    { ...hop(3, 'https://short.example/gone', unknown('short.example'), PUBLIC_IP), status: 404 },
  ];
  const stoppedReport = { ...report(hops), final: { url: hops[2].url, status: 404, title: 'Link not found' } };
  const parties = responsibleParties({ ...base, chains: [{ ...base.chains[0], report: stoppedReport }] });
  assert.ok(!parties.some((p) => p.roles.includes('advertiser')), JSON.stringify(parties.map((p) => [p.name, p.roles])));
  const short = parties.find((p) => p.name === 'short.example');
  assert.deepEqual(short?.roles, ['broker']);
  assert.match(short?.why.join(' ') ?? '', /^Hop 2 of case .* passed the click on to the next hop/);
  assert.match(
    short?.why.join(' ') ?? '',
    /Hop 3 of case .*\(https:\/\/short\.example\/gone\) is where the chain stopped, short of any landing page \(HTTP 404\)/,
  );
});

test('a draft says how far its evidence goes: a trace cut off, a case never closed, the error it ended with', async () => {
  const base = await evidence(message('\r\n'));
  const whole = draftAbuseReports(base)[0];
  assert.doesNotMatch(whole.text, /cut off|never closed|ended with/);
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-draft-'));
  try {
    writeFileSync(join(dir, PARTIAL_FILE), 'open\n');
    const cut = { ...report(CHAIN), partial: true, error: 'interrupted (SIGINT).' };
    const drafts = draftAbuseReports({ ...base, chains: [{ ...base.chains[0], dir, report: cut }] });
    for (const draft of drafts) {
      assert.match(
        draft.text,
        /^ {2}The trace was cut off before the chain ended: this is what was recorded up to then, and the chain may go on\. /m,
      );
      assert.match(
        draft.text,
        / The recording of this case was never closed: its files are as far as they were written, and no manifest seals them\. /,
      );
      assert.match(draft.text, / The trace ended with: interrupted \(SIGINT\)\.$/m);
    }
    const chainFile = drafts[0].attachments.find((a) => a.filename === 'chain.txt')!.content.toString('utf8');
    assert.match(chainFile, /^Partial: the trace was cut off before the chain ended\r?$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function partyWith(fields: Partial<ResponsibleParty>): ResponsibleParty {
  return { key: 'k', name: 'Example ESP', roles: ['sending platform'], why: [], hops: [], rule: null, ips: [], ...fields };
}

test("recipients: the rules file first, then the message's abuse headers, then network data, else a placeholder", () => {
  const headers = [{ name: 'X-Report-Abuse', value: 'Report abuse: <mailto:abuse@esp.example>' }];
  const sparkpost = loadPartyRules().find((r) => r.id === 'sparkpost')!;
  const fromRules = recipientFor(partyWith({ name: 'SparkPost', rule: sparkpost }), headers);
  assert.deepEqual(fromRules.to, { name: 'SparkPost abuse desk', address: 'abuse@sparkpost.com' });
  assert.match(fromRules.source, /^clicktrace's rules \(rules\/parties\.json\), from https:\/\/bird\.com/);

  const fromHeader = recipientFor(partyWith({}), headers);
  assert.equal(fromHeader.to.address, 'abuse@esp.example');
  assert.equal(fromHeader.source, "the message's X-Report-Abuse header");
  // A broker is not the sender: the message's headers say nothing about it.
  assert.equal(recipientFor(partyWith({ roles: ['broker'] }), headers).placeholder, true);

  const networks: NetworkLookup = (ip) =>
    ip === PUBLIC_IP ? { asn: 64500, name: 'Example Hosting', abuse: 'abuse@hosting.example', source: 'test data' } : null;
  const fromNetwork = recipientFor(partyWith({ name: 'shop.example', roles: ['advertiser'], ips: [PUBLIC_IP] }), [], networks);
  assert.equal(fromNetwork.to.address, 'abuse@hosting.example');
  assert.match(fromNetwork.source, /Example Hosting \(AS64500\), which hosts 93\.184\.215\.14 \(test data\)/);

  const sendgrid = loadPartyRules().find((r) => r.id === 'sendgrid')!;
  const placeholder = recipientFor(partyWith({ name: 'Twilio SendGrid', rule: sendgrid, roles: ['click tracker'] }), []);
  assert.equal(placeholder.placeholder, true);
  assert.equal(placeholder.to.address, PLACEHOLDER_ADDRESS);
  assert.equal(placeholder.web, 'https://sendgrid.com/report-spam');
  assert.match(placeholder.source, /Twilio SendGrid takes reports at https:\/\/sendgrid\.com\/report-spam/);
});

test('message/rfc822 only for a message that travels unchanged: CRLF lines of at most 998 octets, no NUL', () => {
  assert.equal(embeddableAsMessage(message('\r\n')), true);
  assert.equal(embeddableAsMessage(message('\n')), false);
  assert.equal(embeddableAsMessage(Buffer.from(`Subject: x\r\n\r\n${'a'.repeat(999)}\r\n`)), false);
  assert.equal(embeddableAsMessage(Buffer.from(`Subject: x\r\n\r\n${'a'.repeat(998)}\r\n`)), true);
  assert.equal(embeddableAsMessage(Buffer.from('Subject: x\r\n\r\nbare\rCR\r\n')), false);
  assert.equal(embeddableAsMessage(Buffer.from('Subject: x\r\n\r\nnul\0\r\n')), false);
});

test('a draft is an RFC 5322 message: recipient, subject, text, and the original byte for byte', async () => {
  for (const lineEnd of ['\r\n', '\n'] as const) {
    const raw = message(lineEnd, ['X-Report-Abuse: <mailto:abuse@sparkpost.example>']);
    const drafts = draftAbuseReports(await evidence(raw));
    const sparkpost = drafts[0];
    assert.equal(sparkpost.fileName, 'abuse-01-sparkpost.eml');
    assert.equal(sparkpost.recipient.to.address, 'abuse@sparkpost.com', 'the rules file wins over the header');
    assert.match(sparkpost.text, /Tracking values in the chain: awc=1234_5678 \(affiliate, hop 2\)/);
    const eml = await composeEml(sparkpost, 'Analyst <analyst@desk.example>', new Date('2026-05-02T08:00:00Z'));
    const parsed = await PostalMime.parse(eml);
    assert.equal(parsed.from?.address, 'analyst@desk.example');
    assert.equal(parsed.to?.[0]?.address, 'abuse@sparkpost.com');
    assert.equal(parsed.subject, sparkpost.subject);
    assert.equal(parsed.date, '2026-05-02T08:00:00.000Z');
    assert.equal(parsed.text?.trim(), sparkpost.text.trim());
    const original = parsed.attachments.find((a) => a.filename === 'original-message.eml')!;
    if (lineEnd === '\r\n') {
      assert.equal(original.mimeType, 'message/rfc822');
      assert.ok(eml.includes(raw), 'carried unencoded, byte for byte');
    } else {
      // LF line ends cannot travel unchanged as message/rfc822: a plain file, base64, exact.
      assert.equal(original.mimeType, 'application/octet-stream');
      assert.ok(Buffer.from(original.content as ArrayBuffer).equals(raw));
      assert.match(sparkpost.text, /attached as a plain file because its line endings/);
    }
    assert.equal(parsed.attachments.find((a) => a.filename === 'chain.txt')?.mimeType, 'text/plain');
  }
});

test('without a From address, the draft carries a placeholder at a reserved domain', async () => {
  const [first] = draftAbuseReports(await evidence(message('\r\n')));
  const parsed = await PostalMime.parse(await composeEml(first));
  assert.equal(parsed.from?.address, 'your-address@fill-in.invalid');
});

test("the hosting network is named by the hop's AS from the report's offline network data, with its source", async () => {
  const withNetwork = await evidence(message('\r\n'));
  const hops = withNetwork.chains[0].report.hops.map((h) => ({ ...h }));
  withNetwork.chains[0].report = { ...withNetwork.chains[0].report, hops };
  hops.at(-1)!.network = {
    asn: 64500,
    name: 'Example Hosting',
    country: 'NL',
    source: '@ip-location-db/asn@2.3',
    sourceDate: '2026-06-17',
  };
  const hosting = responsibleParties(withNetwork).find((p) => p.roles.includes('hosting network'))!;
  assert.equal(hosting.name, 'AS64500 Example Hosting');
  assert.match(
    hosting.why[0],
    /served from 93\.184\.215\.14, an address of your network \(AS64500, NL, according to @ip-location-db\/asn@2\.3 of 2026-06-17\)\./,
  );
});
