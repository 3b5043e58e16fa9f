// Text links cut apart, as real MTAs and ESPs encode them (test/fixtures/mail/repair/): each
// shape is rebuilt from the decoded text with its raw form kept, or kept as two readings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeMessage } from './parse.js';
import { projectPath } from '../project-root.js';
import type { MailLink } from './links.js';

const analyze = (name: string) => analyzeMessage(readFileSync(projectPath('test', 'fixtures', 'mail', 'repair', name)), name);
const textLinks = async (name: string): Promise<MailLink[]> => (await analyze(name)).links.filter((l) => l.part === 'text');

const SEED_MAIN =
  'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1iJ6kL8mN0pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI';

test('the seed shape (QP): a soft break right after "?" leaves "? ID=…", the token goes on after a hard break', async () => {
  const raw = readFileSync(projectPath('test', 'fixtures', 'mail', 'repair', 'seed-qp-soft-break.eml'), 'latin1');
  assert.match(raw, /optiextension\.dll\?=\r\n ID=3DUe0V8Z/, 'the fixture is encoded with the soft break after "?"');
  const mail = await analyze('seed-qp-soft-break.eml');
  const [text] = mail.links.filter((l) => l.part === 'text');
  assert.equal(text.url, SEED_MAIN, 'the full ID, as in the HTML button');
  assert.equal(text.repaired, true);
  assert.equal(
    text.raw,
    'http://news.t-mobile.emsecure.test/optiext/optiextension.dll? ID=Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1iJ6\nkL8mN0pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI',
  );
  assert.ok(mail.links.some((l) => l.part === 'html' && l.url === SEED_MAIN && l.text === 'Find out more'));
  assert.equal(mail.links.find((l) => l.part === 'html' && l.url === SEED_MAIN)?.repaired, undefined, 'HTML links are not repairs');
});

test('QP, a client that hard-wrapped the text: break before "?" and before "&"', async () => {
  const [link] = await textLinks('qp-break-before-query.eml');
  assert.equal(
    link.url,
    'http://click.mailer-esp.test/optiext/optiextension.dll?ID=Q7w%2BeR4tY6uI8oP0aS2dF4gH6jK8lZ0xC2vB4nM6&CMP=spring24',
  );
  assert.equal(link.repaired, true);
  assert.equal(
    link.raw,
    'http://click.mailer-esp.test/optiext/optiextension.dll\n?ID=Q7w%2BeR4tY6uI8oP0aS2dF4gH6jK8lZ0xC2vB4nM6\n&CMP=spring24',
  );
});

test('QP, a soft break padded with whitespace by a relay, inside "%2B": decoded as a soft break, nothing to repair', async () => {
  const raw = readFileSync(projectPath('test', 'fixtures', 'mail', 'repair', 'qp-padded-soft-break.eml'), 'latin1');
  assert.match(raw, /%2= {2}\r\nBcD34%2Fef56=\t\r\ngh78/);
  const [link] = await textLinks('qp-padded-soft-break.eml');
  assert.equal(link.url, 'https://pay.invoices.example/inv?t=Ab12%2BcD34%2Fef56gh78');
  assert.equal(link.repaired, undefined);
});

test('base64 of a wrapped text part: break right after "=", and inside "%2B"', async () => {
  const links = await textLinks('base64-breaks.eml');
  assert.deepEqual(
    links.map((l) => [l.url, l.repaired]),
    [
      ['https://links.esp.example/ctt?kn=3&ms=MTIzNDU2Nzg5MA%2BxYzAbC12&r=NDU2Nzg5&b=0&j=MTE4&mt=1&rt=0', true],
      ['https://links.esp.example/confirm?token=Zx9%2BYw8Vu7Ts6Rq5%2FPo4Nm3', true],
    ],
  );
  assert.equal(links[1].raw, 'https://links.esp.example/confirm?token=Zx9%2\r\nBYw8Vu7Ts6Rq5%2FPo4Nm3');
});

test('format=flowed: a DelSp=yes break inside a token is joined by decoding; a hard break after "=" is repaired', async () => {
  const links = await textLinks('flowed.eml');
  assert.deepEqual(
    links.map((l) => [l.url, l.repaired ?? false]),
    [
      ['https://secure.bank.example/review?session=Kq8%2BzT5nW3%2FmP1&lang=en', false],
      ['https://secure.bank.example/ref?id=77Hg3Kd9Lm2Pq', true],
    ],
  );
});

test('ambiguous: a token cut at a line end and a word alone on the next line are listed with both readings', async () => {
  const [link] = await textLinks('ambiguous.eml');
  assert.equal(link.url, 'https://track.shop.example/p?id=Ab12Cd34Ef56');
  assert.deepEqual(link.readings, ['https://track.shop.example/p?id=Ab12Cd34Ef56', 'https://track.shop.example/p?id=Ab12Cd34Ef56xyzw']);
  assert.equal(link.repaired, undefined);
});
