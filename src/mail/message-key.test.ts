import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageKey } from './message-key.js';

const MESSAGE = [
  'From: Prize Desk <scam@prize.example>',
  'Subject: You won',
  'Content-Type: text/plain',
  '',
  'From now on, claim it.',
  'Reply with your bank details.',
  '',
].join('\n');

test('one message however a mailbox stores it: CRLF, a From_ line, >From quoting, BOM, trailing blank lines, store flags', () => {
  const key = messageKey(Buffer.from(MESSAGE));
  const crlf = MESSAGE.replace(/\n/g, '\r\n');
  const stored = [
    crlf,
    `From scam@prize.example Mon Mar  4 11:00:00 2024\n${MESSAGE}\n\n`,
    `\ufeff${MESSAGE}`,
    MESSAGE.replace('\nFrom now', '\n>From now'),
    MESSAGE.replace('Subject: You won\n', 'Subject: You won\nStatus: RO\nX-Mozilla-Status: 0001\nX-Keywords: a,\n b\n'),
  ];
  for (const copy of stored) assert.equal(messageKey(Buffer.from(copy)), key, JSON.stringify(copy.slice(0, 80)));
});

test('anything the sender wrote tells two messages apart: a Message-ID shared by two bodies, a header, a space', () => {
  const withId = (body: string) => `Message-ID: <same@prize.example>\n${MESSAGE.replace('bank details', body)}`;
  const keys = [
    messageKey(Buffer.from(MESSAGE)),
    messageKey(Buffer.from(withId('bank details'))),
    messageKey(Buffer.from(withId('card number'))),
    messageKey(Buffer.from(MESSAGE.replace('You won', 'You  won'))),
    messageKey(Buffer.from(MESSAGE.replace('Subject: You won\n', 'Subject: You won\nReceived: from mx.example\n'))),
    // A store flag in the body is the sender's text.
    messageKey(Buffer.from(`${MESSAGE}Status: RO\n`)),
  ];
  assert.equal(new Set(keys).size, keys.length);
  // Bytes that are not UTF-8 are kept as they are.
  assert.notEqual(messageKey(Buffer.from([0x53, 0x3a, 0x20, 0xe9])), messageKey(Buffer.from([0x53, 0x3a, 0x20, 0xe8])));
});
