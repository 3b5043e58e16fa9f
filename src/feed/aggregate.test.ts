import { test } from 'node:test';
import assert from 'node:assert/strict';
import { feedAggregate, type FeedCase, type FeedHop, type FeedRow } from './aggregate.js';
import { formatFeedCsv } from './format-csv.js';
import { formatFeedText } from './format-text.js';

const SOURCE = 'ip-location-db asn 2026-06-17';

function hop(idx: number, domain: string, role: string | null, name: string | null, network: Partial<FeedHop> = {}): FeedHop {
  return {
    idx,
    domain,
    partyName: name,
    partyRole: role,
    ip: '203.0.113.1',
    asn: null,
    asName: null,
    asCountry: null,
    special: null,
    source: null,
    ...network,
  };
}

const google = { asn: 15169, asName: 'Google LLC', asCountry: 'US', source: SOURCE };
const hetzner = { asn: 24940, asName: 'Hetzner Online GmbH', asCountry: 'DE', source: SOURCE };

function trace(id: string, at: string, fields: Partial<FeedCase>): FeedCase {
  return {
    id,
    kind: 'trace',
    startedAt: at,
    messageCases: [],
    platforms: [],
    endedOnPage: true,
    finalDomain: 'shop.example',
    advertiser: 'shop.example',
    error: null,
    hops: [],
    ...fields,
  };
}

/** A message case sent through `platform` (an ESP). */
function message(id: string, at: string, platform: string): FeedCase {
  return {
    ...trace(id, at, {}),
    kind: 'mail',
    platforms: [{ name: platform, kind: 'esp' }],
    endedOnPage: false,
    finalDomain: null,
    advertiser: null,
  };
}

const CASES: FeedCase[] = [
  {
    ...trace('20260301T100000Z-aaaaaa-mail', '2026-03-01T10:00:00.000Z', {}),
    kind: 'mail',
    platforms: [{ name: 'Amazon SES', kind: 'esp' }],
    endedOnPage: false,
    finalDomain: null,
    advertiser: null,
  },
  trace('20260301T100001Z-aaaaa1', '2026-03-01T10:00:01.000Z', {
    messageCases: ['20260301T100000Z-aaaaaa-mail'],
    hops: [
      hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google),
      hop(2, 'affnet.example', 'affiliate-network', 'CAKE', hetzner),
      hop(3, 'bit.example', 'shortener', 'Bitly', google),
      hop(4, 'shop.example', 'advertiser', 'shop.example', hetzner),
    ],
  }),
  {
    ...trace('20260302T090000Z-bbbbbb-mail', '2026-03-02T09:00:00.000Z', {}),
    kind: 'mail',
    platforms: [
      { name: 'Amazon SES', kind: 'esp' },
      { name: 'PHPMailer', kind: 'mailer' },
    ],
    endedOnPage: false,
    finalDomain: null,
    advertiser: null,
  },
  trace('20260302T090001Z-bbbbb1', '2026-03-02T09:00:01.000Z', {
    messageCases: ['20260302T090000Z-bbbbbb-mail'],
    hops: [hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google), hop(2, 'shop.example', 'advertiser', 'shop.example', google)],
  }),
  // A loop: it never rested on a page, so no advertiser; its final domain is listed apart.
  trace('20260303T120000Z-cccccc', '2026-03-03T12:00:00.000Z', {
    endedOnPage: false,
    finalDomain: 'loop.example',
    advertiser: 'loop.example',
    error: 'redirect loop',
    hops: [
      hop(1, 'relay.example', 'unknown', null, { special: 'loopback' }),
      hop(2, 'loop.example', 'unknown', null, { special: 'loopback' }),
    ],
  }),
  // Ended on a page with no advertiser party named: the final domain stands in, said so.
  trace('20260304T120000Z-dddddd', '2026-03-04T12:00:00.000Z', {
    advertiser: null,
    finalDomain: 'landing.example',
    hops: [hop(1, 'landing.example', 'unknown', null, { ip: '8.8.8.8', source: SOURCE, asCountry: 'US' })],
  }),
  // An old report with no network: the IP is listed as unknown, not guessed.
  trace('20260305T120000Z-eeeeee', '2026-03-05T12:00:00.000Z', {
    hops: [hop(1, 'shop.example', 'advertiser', 'shop.example', { ip: '93.184.215.14' })],
  }),
];

/** The example is a case that shows the row: a message naming it, or a trace with it at a hop or as its ending. */
function provesRow(r: FeedRow, id: string, cases: readonly FeedCase[] = CASES): boolean {
  const c = cases.find((x) => x.id === id);
  if (!c) return false;
  const spelled = (s: string | null | undefined) => s !== null && s !== undefined && r.spellings.includes(s);
  switch (r.dimension) {
    case 'platform':
      return c.platforms.some((p) => spelled(p.name));
    case 'open-tracker':
      return (c.openTrackers ?? []).some(spelled);
    case 'recipient':
      return (c.recipients ?? []).some((x) => spelled(x.givenKey ?? x.address));
    case 'network':
      return c.hops.some((h) => h.ip !== null && (h.special === r.key || `AS${h.asn}` === r.key || (h.asn === null && !h.special)));
    case 'advertiser':
    case 'final-domain':
      return spelled(c.advertiser) || spelled(c.finalDomain);
    default:
      return c.hops.some((h) => spelled(h.partyName ?? h.domain));
  }
}

const row = (rows: FeedRow[], dimension: string, key: string) => {
  const found = rows.find((r) => r.dimension === dimension && r.key === key);
  assert.ok(found, `${dimension} ${key} in ${rows.map((r) => `${r.dimension}:${r.key}`).join(' ')}`);
  return found;
};

test('counts messages and traces per platform, tracker, broker, intermediary, advertiser, final domain and network', () => {
  const agg = feedAggregate(CASES);
  assert.deepEqual(
    { cases: agg.cases, messages: agg.messages, traces: agg.traces, firstSeen: agg.firstSeen, lastSeen: agg.lastSeen, since: agg.since },
    { cases: 7, messages: 2, traces: 5, firstSeen: '2026-03-01T10:00:00.000Z', lastSeen: '2026-03-05T12:00:00.000Z', since: null },
  );
  const ses = row(agg.rows, 'platform', 'Amazon SES');
  assert.deepEqual(
    [ses.messages, ses.traces, ses.detail, ses.firstSeen, ses.lastSeen],
    [2, 2, 'esp', '2026-03-01T10:00:00.000Z', '2026-03-02T09:00:00.000Z'],
  );
  // The headers are in the message cases: they are the examples, and their times when the platform was seen.
  assert.deepEqual(ses.examples, ['20260302T090000Z-bbbbbb-mail', '20260301T100000Z-aaaaaa-mail']);
  assert.deepEqual([row(agg.rows, 'platform', 'PHPMailer').messages, row(agg.rows, 'platform', 'PHPMailer').traces], [1, 1]);

  const selligent = row(agg.rows, 'tracker', 'Selligent');
  assert.deepEqual([selligent.messages, selligent.traces, selligent.detail], [2, 2, 'esp-tracker']);
  assert.deepEqual(selligent.examples, ['20260302T090001Z-bbbbb1', '20260301T100001Z-aaaaa1']);
  // A name the catalogue does not know: its key folded, its label as written.
  const cake = row(agg.rows, 'broker', 'cake');
  assert.deepEqual([cake.label, cake.spellings, cake.traces, cake.detail], ['CAKE', ['CAKE'], 1, 'affiliate-network']);
  assert.equal(row(agg.rows, 'intermediary', 'Bitly').detail, 'shortener');
  assert.equal(row(agg.rows, 'intermediary', 'relay.example').detail, 'unattributed');
  assert.ok(!agg.rows.some((r) => r.dimension === 'intermediary' && r.key === 'loop.example'), 'the last hop is the final domain');

  const shop = row(agg.rows, 'advertiser', 'shop.example');
  assert.deepEqual([shop.messages, shop.traces, shop.detail], [2, 3, 'advertiser party']);
  assert.equal(row(agg.rows, 'advertiser', 'landing.example').detail, 'final domain (no advertiser party named)');
  assert.ok(!agg.rows.some((r) => r.dimension === 'advertiser' && r.key === 'loop.example'), 'a loop makes no advertiser');
  assert.deepEqual(
    [row(agg.rows, 'final-domain', 'loop.example').traces, row(agg.rows, 'final-domain', 'loop.example').detail],
    [1, 'did not end on a page'],
  );

  const as15169 = row(agg.rows, 'network', 'AS15169');
  assert.deepEqual(
    [as15169.label, as15169.detail, as15169.source, as15169.traces, as15169.messages],
    ['AS15169 Google LLC', 'US', SOURCE, 2, 2],
  );
  assert.equal(row(agg.rows, 'network', 'AS24940').detail, 'DE');
  assert.deepEqual(
    [row(agg.rows, 'network', 'loopback').traces, row(agg.rows, 'network', 'loopback').detail],
    [1, 'special-purpose address'],
  );
  assert.equal(row(agg.rows, 'network', 'no-as').source, SOURCE);
  assert.equal(row(agg.rows, 'network', 'unknown').traces, 1);
  for (const r of agg.rows) for (const id of r.examples) assert.ok(provesRow(r, id), `${r.dimension} ${r.key}: example ${id}`);

  // Dimensions in a fixed order; within one, the busiest first.
  const order = agg.rows.map((r) => r.dimension);
  assert.deepEqual([...new Set(order)], ['platform', 'tracker', 'broker', 'intermediary', 'advertiser', 'final-domain', 'network']);
  assert.equal(agg.rows.filter((r) => r.dimension === 'network')[0].key, 'AS15169');
});

test('since leaves out older cases; a message recorded before the cut-off but traced after it counts, its platforms with it', () => {
  const agg = feedAggregate(CASES, { since: '2026-03-02T09:00:00.500Z' });
  assert.equal(agg.since, '2026-03-02T09:00:00.500Z');
  assert.equal(agg.cases, 4);
  assert.equal(agg.traces, 4);
  assert.equal(agg.messages, 1, 'the message of the included trace is counted');
  // Its platforms count with it, on the trace that brought it in (the only case in the window); the
  // message case shows them (the example), recorded before the window (first and last seen).
  for (const name of ['Amazon SES', 'PHPMailer']) {
    const platform = row(agg.rows, 'platform', name);
    assert.deepEqual(
      [platform.messages, platform.traces, platform.examples, platform.firstSeen, platform.lastSeen],
      [1, 1, ['20260302T090000Z-bbbbbb-mail'], '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z'],
      name,
    );
  }
  assert.deepEqual(row(agg.rows, 'tracker', 'Selligent').examples, ['20260302T090001Z-bbbbb1']);
  // The message case is the same whether the index gave it among the cases or apart (feedMessageContext).
  const apart = feedAggregate(
    CASES.filter((c) => c.id !== '20260302T090000Z-bbbbbb-mail'),
    { since: '2026-03-02T09:00:00.500Z', context: CASES.filter((c) => c.id === '20260302T090000Z-bbbbbb-mail') },
  );
  assert.deepEqual(apart, agg);
  // A message case nowhere to be read (its folder gone): no message to count, no platform to name.
  const unknown = feedAggregate(
    CASES.filter((c) => c.kind !== 'mail'),
    { since: '2026-03-02T09:00:00.500Z' },
  );
  assert.deepEqual([unknown.messages, unknown.rows.some((r) => r.dimension === 'platform')], [0, false]);
  assert.deepEqual(feedAggregate([]).rows, []);
});

test('CSV: RFC 4180 quoting, one row per line, formulas defused; the text table escapes control characters', () => {
  const hostile: FeedCase = trace('20260306T000000Z-ffffff', '2026-03-06T00:00:00.000Z', {
    advertiser: 'evil,"corp"\r\n\u001b[31m',
    hops: [hop(1, 'x.example', 'esp-tracker', '=cmd|calc', google)],
  });
  const agg = feedAggregate([hostile]);
  const csv = formatFeedCsv(agg);
  assert.ok(csv.endsWith('\r\n'));
  const lines = csv.split('\r\n');
  assert.equal(
    lines[0],
    'dimension,key,label,detail,messages,traces,first_seen,last_seen,examples,source,imported,compared,cloaked,single_use,signals,spellings',
  );
  assert.equal(lines[1], 'total,all,all cases,1 case,0,1,2026-03-06T00:00:00.000Z,2026-03-06T00:00:00.000Z,,,0,0,,,,');
  assert.ok(csv.includes(`tracker,'=cmd|calc,'=cmd|calc,esp-tracker,0,1,`));
  // CR and ESC written out (the CSV goes to stdout, often a terminal); the line break stays, quoted.
  assert.ok(csv.includes(',"evil,""corp""\\x0d\n\\x1b[31m",advertiser party,'), csv);
  assert.ok(
    !/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(csv.replace(/\r\n/g, '')),
    'no control character but the line breaks',
  );
  const text = formatFeedText(agg);
  assert.ok(!/\u001b/.test(text), 'no escape character reaches the terminal');
  assert.ok(text.includes('\\x1b[31m'));
});

test('open trackers per message, and per given-out address: who reached it, via which platform, for which advertiser', () => {
  const message: FeedCase = {
    ...trace('20260401T100000Z-bbbbbb-mail', '2026-04-01T10:00:00.000Z', {}),
    kind: 'mail',
    platforms: [{ name: 'Selligent', kind: 'esp' }],
    openTrackers: ['Selligent', 'Selligent'],
    recipients: [
      {
        address: 'old+registrar@example.org',
        givenKey: 'old+registrar@example.org',
        tag: 'registrar',
        spamtrap: false,
        afterRetirement: true,
      },
      { address: 'plain@example.org', givenKey: null, tag: null, spamtrap: false, afterRetirement: false },
      { address: 'me+shop@example.org', givenKey: null, tag: 'shop', spamtrap: false, afterRetirement: false },
    ],
    endedOnPage: false,
    finalDomain: null,
    advertiser: null,
  };
  const traced = trace('20260401T100005Z-bbbbb1', '2026-04-01T10:00:05.000Z', {
    messageCases: [message.id],
    advertiser: 't-mobile.example',
  });
  const rows = feedAggregate([message, traced]).rows;
  const given = rows.find((r) => r.dimension === 'recipient' && r.key === 'old+registrar@example.org')!;
  assert.equal(given.messages, 1);
  assert.equal(given.traces, 1);
  assert.equal(given.detail, 'after retirement, for t-mobile.example, via Selligent');
  assert.deepEqual(given.examples, [message.id], 'the message case names the address');
  const tagged = rows.find((r) => r.dimension === 'recipient' && r.key === 'me+shop@example.org')!;
  assert.match(tagged.detail!, /tag shop/);
  assert.ok(!rows.some((r) => r.key === 'plain@example.org'), 'an address neither mapped nor tagged is not a given-out address');
  const pixel = rows.find((r) => r.dimension === 'open-tracker')!;
  // As a platform line: the messages that carry it, and the traces of their links.
  assert.deepEqual([pixel.key, pixel.messages, pixel.traces, pixel.examples], ['Selligent', 1, 1, [message.id]]);
});

test('imported captures are counted apart on every line and in the totals; traces that stopped with an error too', () => {
  const imported = trace('20260307T000000Z-aaaaaa', '2026-03-07T00:00:00.000Z', {
    kind: 'import',
    hops: [hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google), hop(2, 'shop.example', 'advertiser', 'shop.example', google)],
  });
  const failed = trace('20260307T000001Z-bbbbbb', '2026-03-07T00:00:01.000Z', {
    endedOnPage: false,
    advertiser: null,
    error: 'timeout: no response for http://emsecure.test/c within 60 s',
    hops: [hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google)],
  });
  const agg = feedAggregate([imported, failed]);
  assert.deepEqual([agg.traces, agg.imported, agg.failed], [2, 1, 1]);
  const selligent = row(agg.rows, 'tracker', 'Selligent');
  assert.deepEqual([selligent.traces, selligent.imported], [2, 1]);
  assert.deepEqual([row(agg.rows, 'advertiser', 'shop.example').imported, row(agg.rows, 'final-domain', 'shop.example').imported], [1, 0]);
  const text = formatFeedText(agg);
  assert.match(text, /^2 case\(s\): 0 message\(s\), 2 trace\(s\) \(1 imported, 1 stopped with an error\)/);
  assert.match(text, /Selligent\s+esp-tracker\s+0\s+2 \(1 imported\)\s/);
  const csv = formatFeedCsv(agg).split('\r\n');
  assert.ok(
    csv.some((l) => l.startsWith('tracker,Selligent,') && l.endsWith(',1,0,,,,Selligent')),
    csv.join('\n'),
  );
  assert.equal(formatFeedText(feedAggregate([])).split('\n')[0], '0 case(s): 0 message(s), 0 trace(s)');
});

test('the same link in two messages is traced once: the trace counts for both messages, each platform for its own', () => {
  const first = message('20260501T100000Z-aaaaaa-mail', '2026-05-01T10:00:00.000Z', 'Amazon SES');
  const second = message('20260501T100001Z-bbbbbb-mail', '2026-05-01T10:00:01.000Z', 'Mailgun');
  const shared = trace('20260501T100002Z-cccccc', '2026-05-01T10:00:02.000Z', {
    messageCases: [first.id, second.id],
    hops: [hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google), hop(2, 'shop.example', 'advertiser', 'shop.example', google)],
  });
  const agg = feedAggregate([first, second, shared]);
  assert.deepEqual([agg.messages, agg.traces], [2, 1]);
  for (const [dimension, key] of [
    ['tracker', 'Selligent'],
    ['advertiser', 'shop.example'],
    ['network', 'AS15169'],
  ])
    assert.deepEqual([row(agg.rows, dimension, key).messages, row(agg.rows, dimension, key).traces], [2, 1], `${dimension} ${key}`);
  assert.deepEqual([row(agg.rows, 'platform', 'Amazon SES').messages, row(agg.rows, 'platform', 'Amazon SES').traces], [1, 1]);
  assert.deepEqual([row(agg.rows, 'platform', 'Mailgun').messages, row(agg.rows, 'platform', 'Mailgun').traces], [1, 1]);
  assert.deepEqual(row(agg.rows, 'platform', 'Mailgun').examples, [second.id]);
});

test("a batch counts its own messages: a trace it reused counts for them, not for an earlier run's messages", () => {
  const earlier = message('20260501T100000Z-aaaaaa-mail', '2026-05-01T10:00:00.000Z', 'Amazon SES');
  const shared = trace('20260501T100002Z-cccccc', '2026-05-01T10:00:02.000Z', {
    messageCases: [earlier.id, '20260502T100000Z-bbbbbb-mail'],
    hops: [hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google), hop(2, 'shop.example', 'advertiser', 'shop.example', google)],
  });
  // The next day's batch: one message, whose link was traced before (already traced: that case).
  const batch = feedAggregate([message('20260502T100000Z-bbbbbb-mail', '2026-05-02T10:00:00.000Z', 'Mailgun'), shared]);
  assert.deepEqual([batch.cases, batch.messages, batch.traces], [2, 1, 1]);
  assert.equal(row(batch.rows, 'tracker', 'Selligent').messages, 1);
  assert.ok(!batch.rows.some((r) => r.key === 'Amazon SES'), "the earlier run's sender is not this batch's");
  assert.deepEqual([row(batch.rows, 'platform', 'Mailgun').messages, row(batch.rows, 'platform', 'Mailgun').traces], [1, 1]);
});

test('an AS line seen with two releases of the IP data names both', () => {
  const later = 'ip-location-db asn 2026-09-01';
  const agg = feedAggregate([
    trace('20260601T000000Z-aaaaaa', '2026-06-01T00:00:00.000Z', { hops: [hop(1, 'shop.example', 'advertiser', 'shop.example', google)] }),
    trace('20260901T000000Z-bbbbbb', '2026-09-02T00:00:00.000Z', {
      hops: [hop(1, 'shop.example', 'advertiser', 'shop.example', { ...google, source: later })],
    }),
  ]);
  assert.equal(row(agg.rows, 'network', 'AS15169').source, `${SOURCE}, ${later}`);
});

test("the terminal names each AS line's data and its date in full, however many countries its detail lists", () => {
  const later = 'ip-location-db asn 2026-09-01';
  const agg = feedAggregate(
    ['US', 'DE', 'FR', 'NL'].map((country, i) =>
      trace(`2026060${i + 1}T000000Z-aaaaa${i}`, `2026-06-0${i + 1}T00:00:00.000Z`, {
        hops: [hop(1, 'shop.example', 'advertiser', 'shop.example', { ...google, asCountry: country, source: i ? SOURCE : later })],
      }),
    ),
  );
  const line = formatFeedText(agg)
    .split('\n')
    .find((l) => l.includes('AS15169 Google LLC'));
  assert.ok(line);
  assert.ok(line.endsWith(`  ${SOURCE}, ${later}`), line);
  assert.match(line, /DE \(1 of 4 cases\), FR \(1 of 4 cases\)/);
  // The other tables have no such column; a network line with no data (a special block) says "-".
  const text = formatFeedText(
    feedAggregate([
      trace('20260601T000000Z-bbbbbb', '2026-06-01T00:00:00.000Z', { hops: [hop(1, 'a.example', null, null, { ip: '127.0.0.1' })] }),
      ...CASES,
    ]),
  );
  assert.match(text, /\n {2}loopback +special-purpose address .* -\n/);
  assert.doesNotMatch(text, /Advertisers[^\n]*\n[^\n]* data\n/);
});

test('the visitors of a compare run are counted apart: one link, one trace per profile', () => {
  const visitor = (id: string, profileAdvertiser: string) =>
    trace(id, '2026-06-01T00:00:00.000Z', {
      comparison: '20260601T000000Z-cccccc-compare',
      advertiser: profileAdvertiser,
      hops: [
        hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google),
        hop(2, profileAdvertiser, 'advertiser', profileAdvertiser, google),
      ],
    });
  const plain = trace('20260601T000010Z-dddddd', '2026-06-01T00:00:10.000Z', {
    hops: [hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google)],
  });
  const agg = feedAggregate([
    visitor('20260601T000000Z-aaaaaa', 'phish.example'),
    visitor('20260601T000001Z-bbbbbb', 'garden.example'),
    plain,
  ]);
  assert.deepEqual([agg.traces, agg.compared], [3, 2]);
  const selligent = row(agg.rows, 'tracker', 'Selligent');
  assert.deepEqual([selligent.traces, selligent.compared], [3, 2]);
  assert.equal(row(agg.rows, 'advertiser', 'phish.example').compared, 1);
  const text = formatFeedText(agg);
  assert.match(text, /3 trace\(s\) \(2 visitors of clicktrace compare\)/);
  assert.match(text, /Selligent\s+esp-tracker\s+0\s+3 \(2 compared\)\s/);
});

test('the cloaking of a cases folder is in the text and the CSV, with first and last seen', () => {
  const agg = {
    ...feedAggregate([trace('20260601T000000Z-aaaaaa', '2026-06-01T00:00:00.000Z', { error: 'timeout' })], {
      since: '2026-05-01T00:00:00.000Z',
    }),
    cloaking: [
      {
        party: 'phish.example',
        compared: 2,
        cloaked: 1,
        singleUse: 0,
        signals: ['user-agent', 'referrer'],
        firstSeen: '2026-06-01T00:00:00.000Z',
        lastSeen: '2026-06-02T00:00:00.000Z',
        examples: ['20260602T000000Z-bbbbbb-compare', '20260601T000000Z-cccccc-compare'],
      },
    ],
  };
  const csv = formatFeedCsv(agg).split('\r\n');
  assert.equal(
    csv[1],
    'total,all,all cases,"1 case, 1 stopped with an error, since 2026-05-01T00:00:00.000Z",0,1,2026-06-01T00:00:00.000Z,2026-06-01T00:00:00.000Z,,,0,0,,,,',
  );
  assert.equal(
    csv.at(-2),
    'cloaking,phish.example,phish.example,,,,2026-06-01T00:00:00.000Z,2026-06-02T00:00:00.000Z,' +
      '20260602T000000Z-bbbbbb-compare 20260601T000000Z-cccccc-compare,,,2,1,0,"user-agent, referrer",',
  );
  const text = formatFeedText(agg);
  assert.match(
    text,
    /\nCloaking \(links compared as several visitors with clicktrace compare\):\n\s+party\s+compared\s+cloaked\s+single-use\s+signals\s+first seen\s+last seen\s+examples\n/,
  );
  assert.match(
    text,
    /phish\.example\s+2\s+1\s+0\s+user-agent, referrer\s+2026-06-01 00:00Z\s+2026-06-02 00:00Z\s+20260602T000000Z-bbbbbb-compare 20260601T/,
  );
  // A batch's summary has no cloaking: no table for it.
  assert.ok(!formatFeedText(feedAggregate([])).includes('Cloaking'));
  assert.ok(
    formatFeedText({ ...feedAggregate([]), cloaking: [] }).endsWith(
      'Cloaking (links compared as several visitors with clicktrace compare):\n  (none)',
    ),
  );
});

test("a chain that rested on a tracker's own page reached no landing page: its domain is no advertiser", () => {
  const message: FeedCase = {
    ...trace('20260701T000000Z-aaaaaa-mail', '2026-07-01T00:00:00.000Z', {}),
    kind: 'mail',
    recipients: [{ address: 'me+shop@example.org', givenKey: null, tag: 'shop', spamtrap: false, afterRetirement: false }],
    endedOnPage: false,
    finalDomain: null,
    advertiser: null,
  };
  // The seed link without its click: the Selligent tracker serves the offer page itself.
  const offerPage = trace('20260701T000001Z-bbbbbb', '2026-07-01T00:00:01.000Z', {
    messageCases: [message.id],
    advertiser: null,
    finalDomain: 'emsecure.test',
    hops: [hop(1, 'news.emsecure.test', 'esp-tracker', 'Selligent', google)],
  });
  const agg = feedAggregate([message, offerPage]);
  assert.ok(!agg.rows.some((r) => r.dimension === 'advertiser'), JSON.stringify(agg.rows));
  const final = row(agg.rows, 'final-domain', 'emsecure.test');
  assert.deepEqual([final.detail, final.traces, final.messages], ['ended on a page of Selligent (esp-tracker), not a landing page', 1, 1]);
  assert.equal(row(agg.rows, 'tracker', 'Selligent').traces, 1);
  assert.ok(!row(agg.rows, 'recipient', 'me+shop@example.org').detail!.includes('for '), 'no advertiser named for the address');
});

test('one row per party whatever the spelling: header, catalogue name, domain, id; advertisers by registrable domain', () => {
  const mail = (id: string, at: string, platform: string, pixel: string): FeedCase => ({
    ...message(id, at, platform),
    openTrackers: [pixel],
  });
  const m1 = mail('20260801T000000Z-aaaaaa-mail', '2026-08-01T00:00:00.000Z', 'SendGrid', 'sendgrid');
  const m2 = mail('20260801T000100Z-bbbbbb-mail', '2026-08-01T00:01:00.000Z', 'Twilio SendGrid', 'Twilio SendGrid');
  const t1 = trace('20260801T000001Z-aaaaa1', '2026-08-01T00:00:01.000Z', {
    messageCases: [m1.id],
    advertiser: 'WWW.Bücher.DE.',
    finalDomain: 'bücher.de',
    hops: [hop(1, 'sendgrid.net', 'esp-tracker', 'Twilio SendGrid', google), hop(2, 'xn--bcher-kva.de', 'advertiser', 'bücher.de', google)],
  });
  // Recorded before the rule: the tracker hop unattributed, named by its domain only.
  const t2 = trace('20260801T000101Z-bbbbb1', '2026-08-01T00:01:01.000Z', {
    messageCases: [m2.id],
    advertiser: 'xn--bcher-kva.de',
    finalDomain: 'xn--bcher-kva.de',
    hops: [hop(1, 'SendGrid.net.', 'unknown', null, google), hop(2, 'www.xn--bcher-kva.de', 'advertiser', 'xn--bcher-kva.de', google)],
  });
  const loops = ['Loop.Example.', 'www.loop.example'].map((domain, i) =>
    trace(`20260801T00020${i}Z-cccccc`, `2026-08-01T00:02:0${i}.000Z`, {
      endedOnPage: false,
      advertiser: null,
      finalDomain: domain,
      error: 'redirect loop',
      hops: [hop(1, domain, 'unknown', null, google)],
    }),
  );
  const cases = [m1, m2, t1, t2, ...loops];
  const agg = feedAggregate(cases);
  const of = (dimension: string) => agg.rows.filter((r) => r.dimension === dimension);
  assert.deepEqual(
    of('tracker').map((r) => [r.key, r.label, r.spellings, r.traces, r.messages, r.detail]),
    [
      [
        'Twilio SendGrid',
        'Twilio SendGrid',
        ['SendGrid.net.', 'Twilio SendGrid'],
        2,
        2,
        'esp-tracker (1 of 2 cases), esp-tracker (by its domain in the catalogue) (1 of 2 cases)',
      ],
    ],
  );
  assert.deepEqual(
    of('platform').map((r) => [r.key, r.spellings, r.messages, r.examples]),
    [['Twilio SendGrid', ['SendGrid', 'Twilio SendGrid'], 2, [m2.id, m1.id]]],
  );
  assert.deepEqual(
    of('open-tracker').map((r) => [r.key, r.spellings]),
    [['Twilio SendGrid', ['Twilio SendGrid', 'sendgrid']]],
  );
  assert.deepEqual(of('intermediary'), [], 'the unattributed tracker hop is the tracker, not a hop of its own');
  assert.deepEqual(
    of('advertiser').map((r) => [r.key, r.label, r.spellings, r.traces]),
    [['xn--bcher-kva.de', 'xn--bcher-kva.de', ['WWW.Bücher.DE.', 'xn--bcher-kva.de'], 2]],
  );
  assert.deepEqual(
    of('final-domain').map((r) => [r.key, r.spellings, r.traces]),
    [['loop.example', ['Loop.Example.', 'www.loop.example'], 2]],
  );
  for (const r of agg.rows) for (const id of r.examples) assert.ok(provesRow(r, id, cases), `${r.dimension} ${r.key}: example ${id}`);
  // The text, CSV and HTML say the other spellings; JSON has them all.
  assert.match(formatFeedText(agg), /Twilio SendGrid\s+esp; also written: SendGrid\s/);
  assert.ok(
    formatFeedCsv(agg).includes(',"WWW.Bücher.DE. | xn--bcher-kva.de"\r\n') ||
      formatFeedCsv(agg).includes(',WWW.Bücher.DE. | xn--bcher-kva.de\r\n'),
  );
});

test('a batch that reuses an earlier trace: the tracker was seen when the trace was made, the platform when the message came', () => {
  const old = message('20260901T000000Z-aaaaaa-mail', '2026-09-01T00:00:00.000Z', 'Mailgun');
  const fresh = message('20261001T000000Z-bbbbbb-mail', '2026-10-01T00:00:00.000Z', 'Amazon SES');
  const reused = trace('20260901T000001Z-aaaaa1', '2026-09-01T00:00:01.000Z', {
    messageCases: [old.id, fresh.id],
    hops: [hop(1, 'emsecure.test', 'esp-tracker', 'Selligent', google), hop(2, 'shop.example', 'advertiser', 'shop.example', google)],
  });
  // The batch's cases: its message and the trace it pointed at (already traced).
  const batch = feedAggregate([fresh, reused]);
  const tracker = row(batch.rows, 'tracker', 'Selligent');
  assert.deepEqual(
    [tracker.firstSeen, tracker.lastSeen, tracker.messages, tracker.examples],
    [reused.startedAt, reused.startedAt, 1, [reused.id]],
  );
  const platform = row(batch.rows, 'platform', 'Amazon SES');
  assert.deepEqual(
    [platform.firstSeen, platform.lastSeen, platform.traces, platform.examples],
    [fresh.startedAt, fresh.startedAt, 1, [fresh.id]],
  );
  // The same cases folder, --since the batch: the reused trace is older than the window; the message is in it.
  const window = feedAggregate([old, reused, fresh], { since: '2026-10-01T00:00:00.000Z' });
  assert.deepEqual([window.cases, window.messages, window.traces], [1, 1, 0]);
  assert.deepEqual(
    window.rows.map((r) => `${r.dimension}:${r.key}`),
    ['platform:Amazon SES'],
  );
});

test('hosting networks: a private or loopback address with no network in its report is labelled as such, never unknown', () => {
  const agg = feedAggregate([
    trace('20261101T000000Z-aaaaaa', '2026-11-01T00:00:00.000Z', {
      hops: [
        hop(1, 'intranet.example', 'unknown', null, { ip: '10.1.2.3' }),
        hop(2, 'mapped.example', 'unknown', null, { ip: '::ffff:127.0.0.1' }),
        hop(3, 'shop.example', 'advertiser', 'shop.example', { ip: '93.184.215.14' }),
      ],
    }),
  ]);
  const networks = agg.rows.filter((r) => r.dimension === 'network').map((r) => [r.key, r.label, r.detail]);
  assert.deepEqual(networks, [
    ['loopback', 'loopback', 'special-purpose address'],
    ['private', 'private', 'special-purpose address'],
    ['unknown', 'unknown (the report has no network for this IP)', null],
  ]);
});

test("a tab-under: the chain's own hops name the parties and the advertiser; the first tab's hops have their own table, their networks count", () => {
  // The popup is the chain (broker -> advertiser); the first tab went on to an ad network whose page failed.
  const c = trace('20260310T100000Z-ffffff', '2026-03-10T10:00:00.000Z', {
    advertiser: 'shop.example',
    finalDomain: 'shop.example',
    hops: [
      hop(1, 'broker.example', 'unknown', null, google),
      hop(2, 'shop.example', 'advertiser', 'shop.example', google),
      { ...hop(3, 'adnet.example', 'ad-network', 'AdNet', hetzner), otherTab: true },
      { ...hop(4, 'gone.example', 'unknown', null, hetzner), otherTab: true },
    ],
  });
  const agg = feedAggregate([c]);
  const of = (dimension: string) => agg.rows.filter((r) => r.dimension === dimension).map((r) => [r.key, r.detail]);
  assert.deepEqual(of('advertiser'), [['shop.example', 'advertiser party']]);
  assert.deepEqual(of('final-domain'), []);
  assert.deepEqual(of('broker'), [], "another tab's ad network is not the chain's broker");
  assert.deepEqual(of('intermediary'), [['broker.example', 'unattributed']]);
  assert.deepEqual(of('other-tab'), [
    ['adnet', 'ad-network'],
    ['gone.example', 'unattributed'],
  ]);
  assert.deepEqual(of('network'), [
    ['AS15169', 'US'],
    ['AS24940', "DE, another tab's hop"],
  ]);
  // Ending on a look-alike page is read from the chain's last hop too, not from the other tab's.
  const lookalike = feedAggregate([{ ...c, advertiser: null, hops: [{ ...c.hops[1], partyRole: 'destination' }, { ...c.hops[2] }] }]);
  assert.deepEqual(
    lookalike.rows.filter((r) => r.dimension === 'final-domain').map((r) => r.detail),
    ["a look-alike domain's page: no one's advertising"],
  );
});

test("a superseded navigation's hops (a decoy the page sent itself to, then left) are no party on the way; their networks count", () => {
  const superseded = 'superseded: the page navigated elsewhere before this answer (HTTP 200) was shown (net::ERR_ABORTED)';
  const c = trace('20260311T100000Z-eeeeee', '2026-03-11T10:00:00.000Z', {
    hops: [
      { ...hop(1, 'broker.example', 'unknown', null, google), via: 'start', error: null },
      { ...hop(2, 'decoy-tracker.example', 'esp-tracker', 'DecoyESP', hetzner), via: 'javascript', error: null },
      { ...hop(3, 'benign.example', 'unknown', null, hetzner), via: 'http-302', error: superseded },
      { ...hop(4, 'shop.example', 'advertiser', 'shop.example', google), via: 'javascript', error: null },
    ],
  });
  const agg = feedAggregate([c]);
  const of = (dimension: string) => agg.rows.filter((r) => r.dimension === dimension).map((r) => r.key);
  assert.deepEqual(of('tracker'), []);
  assert.deepEqual(of('intermediary'), ['broker.example']);
  assert.deepEqual(of('advertiser'), ['shop.example']);
  assert.deepEqual(of('network').sort(), ['AS15169', 'AS24940']);
});

test("a final domain's ways of ending short of a page are said after one 'did not end on a page'", () => {
  const short = (id: string, ending: string): FeedCase =>
    trace(id, '2026-03-01T10:00:00.000Z', {
      endedOnPage: false,
      finalDomain: 'gone.example',
      advertiser: null,
      ending,
      hops: [hop(1, 'gone.example', 'unknown', null)],
    });
  const agg = feedAggregate([
    short('20260301T100000Z-000001', 'HTTP 404'),
    short('20260301T100000Z-000002', 'timeout'),
    short('20260301T100000Z-000003', 'HTTP 404'),
  ]);
  assert.equal(
    row(agg.rows, 'final-domain', 'gone.example').detail,
    'did not end on a page: HTTP 404 (2 of 3 cases), timeout (1 of 3 cases)',
  );
});
