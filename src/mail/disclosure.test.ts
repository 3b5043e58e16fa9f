// Where the address leaked: the recipient map (parsing, matching), per-message disclosures from
// headers and from recipient tokens in link and pixel URLs (plain, hashed), tags without a map,
// and the per-address aggregate the feed report uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { analyzeMessage, emptyAnalysis, type MailAnalysis } from './parse.js';
import { disclosureSource, messageRecord } from './message-case.js';
import { aggregateByGivenAddress, messageDisclosures } from './disclosure.js';
import { compareWithMapDate, exactAddresses, loadRecipientMap, matchEntry, parseRecipientMap, RecipientMapError } from './recipient-map.js';
import { projectPath } from '../project-root.js';

const MAP = loadRecipientMap(projectPath('test', 'fixtures', 'mail', 'recipients.json'));
const fixture = (path: string) => readFileSync(projectPath('test', 'fixtures', 'mail', ...path.split('/')));
const analyze = (path: string, lookFor = exactAddresses(MAP)) => analyzeMessage(fixture(path), path, { lookFor });

test('the recipient map: parsed and checked, every problem reported at once', () => {
  assert.equal(MAP.entries.length, 4);
  assert.deepEqual(MAP.entries[0], {
    address: 'old-registrant+domain@mydomain.example',
    given: 'only for a domain registration',
    givenOn: '2012',
    retiredOn: '2016',
  });
  assert.throws(
    () => parseRecipientMap('{"recipients": [{"address": "nope"}, {"address": "a@b.example", "spamtrap": "yes", "colour": 1}, 3]}'),
    (err: Error) =>
      err instanceof RecipientMapError &&
      err.message ===
        [
          'recipients[0]: "address" must be an address or a pattern like *@domain',
          'recipients[1]: unknown field "colour"',
          'recipients[1]: "spamtrap" must be true or false',
          'recipients[2]: expected an object',
        ].join('\n'),
  );
  assert.throws(() => parseRecipientMap('[]'), /expected \{ "recipients"/);
  assert.throws(() => parseRecipientMap('{'), /not valid JSON/);
  assert.throws(() => loadRecipientMap('/nonexistent/recipients.json'), /cannot read .*ENOENT/);
});

test('matching: an exact address wins, then the most literal pattern; the wildcard is the tag', () => {
  const map = parseRecipientMap(
    JSON.stringify({
      recipients: [{ address: '*@mydomain.example' }, { address: 'jane+*@mydomain.example' }, { address: 'jane+shop@mydomain.example' }],
    }),
  );
  assert.deepEqual(matchEntry(map, 'Jane+Shop@MyDomain.example'), { entry: map.entries[2], wildcard: null });
  assert.deepEqual(matchEntry(map, 'jane+bank@mydomain.example'), { entry: map.entries[1], wildcard: 'bank' });
  assert.deepEqual(matchEntry(map, 'acme@mydomain.example'), { entry: map.entries[0], wildcard: 'acme' });
  assert.equal(matchEntry(map, 'jane@other.example'), null);
  assert.equal(matchEntry(null, 'jane@mydomain.example'), null);
  assert.deepEqual(
    [
      compareWithMapDate('2024-03-12T08:15:00.000Z', '2016'),
      compareWithMapDate('2016-05-01T00:00:00.000Z', '2016-05'),
      compareWithMapDate('2011-01-01T00:00:00.000Z', '2012-03-01'),
    ],
    [1, 0, -1],
  );
  assert.equal(compareWithMapDate('2024-03-12T08:15:00.000Z', 'spring 2016'), null);
});

test('a retired address given for one purpose only, reached in the headers and as a SHA-256 token in a link', async () => {
  const mail = await analyze('repair/seed-qp-soft-break.eml');
  const digest = createHash('sha256').update('old-registrant+domain@mydomain.example').digest('hex');
  assert.deepEqual(mail.recipientTokens, [
    { address: 'old-registrant+domain@mydomain.example', link: 1, resource: null, field: 'path (sha256)', value: digest },
  ]);
  const record = messageRecord(mail, { recipientMap: MAP });
  const [d] = record.disclosures;
  assert.deepEqual(d.where, ['To', 'Delivered-To', 'Received for (hop 1)', 'link 1: path (sha256)']);
  assert.deepEqual(
    [d.entry?.address, d.afterRetirement, d.beforeGiven, d.telling],
    ['old-registrant+domain@mydomain.example', true, false, true],
  );
  assert.equal(
    d.text,
    'sent to old-registrant+domain@mydomain.example, given only for a domain registration in 2012, retired in 2016 (this message came later)',
  );
  assert.equal(record.disclosure, d.text);
});

test('without a map: plus tags are still shown; addresses that tell nothing are not "telling"', async () => {
  const mail = await analyzeMessage(fixture('repair/qp-break-before-query.eml'), 'x');
  const [tagged] = messageDisclosures(mail, null);
  assert.deepEqual(
    [tagged.tag, tagged.tagKind, tagged.text],
    ['shop', 'plus', 'sent to jane+shop@mydomain.example, tagged recipient: shop'],
  );
  const seed = messageRecord(await analyzeMessage(fixture('seed.eml'), 'seed.eml'));
  assert.deepEqual(
    seed.disclosures.map((x) => [x.address, x.telling]),
    [['jane.doe@recipient.example', false]],
  );
  assert.equal(seed.disclosure, null);
  // A local part that is itself a site's name is the catch-all convention.
  const site = messageDisclosures(
    { ...emptyAnalysis('x', 0, []), recipients: [{ address: 'shop.com@mydomain.example', where: ['To'] }] },
    null,
  );
  assert.deepEqual([site[0].tag, site[0].tagKind], ['shop.com', 'site-name']);
});

test('a catch-all pattern names the local part; a spamtrap says so first', async () => {
  const catchAll = messageRecord(await analyze('repair/base64-breaks.eml'), { recipientMap: MAP });
  assert.equal(
    catchAll.disclosure,
    'sent to catchall-shop.example@catchall.example, tagged recipient: catchall-shop.example, catch-all domain: the local part names the site',
  );
  const trap = messageRecord(await analyze('repair/flowed.eml'), { recipientMap: MAP });
  assert.equal(
    trap.disclosure,
    'sent to trap-7@traps.example, a spamtrap (published only in a hidden link on www.traps.example in 2019-03)',
  );
  assert.equal(trap.disclosures[0].entry?.spamtrap, true);
});

test("recipient tokens: the map's addresses are searched even when the headers do not name them; pixels too", async () => {
  const digest = createHash('md5').update('trap-7@traps.example').digest('hex');
  const offer = `<a href="https://click.esp.example/c?u=${digest}">Offer</a>`;
  const pixel = '<img src="https://open.esp.example/o?e=trap-7%40traps.example" width="1" height="1">';
  const html = offer + pixel;
  const raw = Buffer.from(
    `From: a@esp.example\r\nTo: undisclosed-recipients:;\r\nSubject: x\r\nDate: Mon, 1 Jul 2024 10:00:00 +0000\r\nContent-Type: text/html\r\n\r\n${html}\r\n`,
  );
  const mail = await analyzeMessage(raw, 'x', { lookFor: exactAddresses(MAP) });
  assert.deepEqual(
    mail.recipientTokens.map((t) => [t.address, t.link, t.resource, t.field]),
    [
      ['trap-7@traps.example', 1, null, 'u (md5)'],
      ['trap-7@traps.example', null, 1, 'e (url-encoded)'],
    ],
  );
  const record = messageRecord(mail, { recipientMap: MAP });
  assert.deepEqual(record.disclosures[0].where, ['link 1: u (md5)', 'resource 1: e (url-encoded)']);
  assert.match(record.disclosure!, /^sent to trap-7@traps\.example, a spamtrap/);
});

test('the feed aggregate: per given-out address, senders, platforms, advertisers, first and last seen', async () => {
  const seedLike = messageRecord(await analyze('repair/seed-qp-soft-break.eml'), { recipientMap: MAP });
  seedLike.case = '20260101T000000Z-aaaaaa-mail';
  const tagged = messageRecord(await analyze('repair/qp-break-before-query.eml'), { recipientMap: MAP });
  const trap = messageRecord(await analyze('repair/flowed.eml'), { recipientMap: MAP });
  const untelling = messageRecord(await analyzeMessage(fixture('seed.eml'), 'seed.eml'), { recipientMap: MAP });
  const later: MailAnalysis = {
    ...seedLike.analysis,
    date: '2025-01-05T10:00:00.000Z',
    from: { name: '', address: 'Offers@Broker.example' },
  };
  const second = messageRecord(later, { recipientMap: MAP });
  const summaries = aggregateByGivenAddress([
    disclosureSource(seedLike, ['business.t-mobile.example']),
    disclosureSource(second, ['business.t-mobile.example']),
    disclosureSource(tagged),
    disclosureSource(trap),
    disclosureSource(untelling),
  ]);
  assert.deepEqual(
    summaries.map((s) => [s.key, s.messages]),
    [
      ['old-registrant+domain@mydomain.example', 2],
      ['jane+*@mydomain.example', 1],
      ['trap-7@traps.example', 1],
    ],
  );
  const old = summaries[0];
  assert.deepEqual([old.firstSeen, old.lastSeen, old.afterRetirement], ['2024-03-12T08:15:00.000Z', '2025-01-05T10:00:00.000Z', 2]);
  assert.deepEqual(old.senders, [
    { value: 'business@news.t-mobile.example', messages: 1 },
    { value: 'offers@broker.example', messages: 1 },
  ]);
  assert.deepEqual(old.platforms, [{ value: 'Selligent', messages: 2 }]);
  assert.deepEqual(old.advertisers, [{ value: 'business.t-mobile.example', messages: 2 }]);
  assert.deepEqual(old.cases, ['20260101T000000Z-aaaaaa-mail']);
  assert.deepEqual([summaries[1].addresses, summaries[1].tags], [['jane+shop@mydomain.example'], ['shop']]);
});
