import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { openMailSource, readMailSource, splitMbox, type MailSourceItem } from './mailbox.js';
import { analyzeMessage } from './parse.js';
import { projectPath } from '../project-root.js';

const fixture = (...parts: string[]) => projectPath('test', 'fixtures', 'mail', ...parts);

async function collect(items: AsyncIterable<MailSourceItem>): Promise<MailSourceItem[]> {
  const out: MailSourceItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const text = (item: MailSourceItem) => ('raw' in item ? item.raw.toString('latin1') : `ERROR ${item.error}`);

test('a single .eml is one message', async () => {
  const items = await collect(readMailSource(fixture('seed.eml')));
  assert.equal(items.length, 1);
  assert.equal(items[0].source, fixture('seed.eml'));
  assert.ok('raw' in items[0] && items[0].raw.length > 1000);
});

test('mbox: three messages despite a date-less separator, a missing blank line, CRLF and unescaped "From " body text', async () => {
  const items = await collect(readMailSource(fixture('three.mbox')));
  assert.deepEqual(
    items.map((item) => item.source),
    [1, 2, 3].map((n) => `${fixture('three.mbox')}#${n}`),
  );
  const [first, second, third] = items.map(text);
  assert.match(first, /^From: Alice/);
  assert.match(first, /\n\nFrom the desk of Alice/);
  assert.match(first, /\nFrom here on, the quoted line/);
  assert.match(first, /\n>From a doubly quoted line\.\n$/);
  assert.match(second, /^From: Mallory <mallory@mbox\.example>\r\n/);
  assert.match(second, /verify\?u=bob\r\n$/);
  assert.match(third, /^From: Carol/);
  const analyses = await Promise.all(items.map((item) => analyzeMessage((item as { raw: Buffer }).raw, item.source)));
  assert.deepEqual(
    analyses.map((a) => [a.subject, a.links.map((l) => l.url)]),
    [
      ['First message', ['https://first.mbox.example/agenda']],
      ['Second message', ['https://second.mbox.example/verify?u=bob']],
      ['Third message', ['https://third.mbox.example/slides']],
    ],
  );
});

test('mbox: an empty message between separators is a per-message error, the others survive', async () => {
  const mbox =
    'From a@x Mon Mar  4 10:00:00 2024\nSubject: one\n\nbody one\n\n' +
    'From b@x Mon Mar  4 10:00:01 2024\n\n' +
    'From c@x Mon Mar  4 10:00:02 2024\nSubject: three\n\nbody three\n';
  const items = await collect(splitMbox(Readable.from([Buffer.from(mbox)]), 'box'));
  assert.deepEqual(
    items.map((item) => [item.source, 'error' in item ? item.error : 'ok']),
    [
      ['box#1', 'ok'],
      ['box#2', 'empty message between mbox separators'],
      ['box#3', 'ok'],
    ],
  );
});

test('mbox split is independent of how the input is chunked', async () => {
  const whole = await collect(readMailSource(fixture('three.mbox')));
  const bytes = Buffer.concat(whole.map((item) => ('raw' in item ? item.raw : Buffer.alloc(0))));
  const source = (await import('node:fs')).readFileSync(fixture('three.mbox'));
  const oneByteChunks = Readable.from([...source].map((byte) => Buffer.from([byte])));
  const split = await collect(splitMbox(oneByteChunks, 'x'));
  assert.deepEqual(Buffer.concat(split.map((item) => ('raw' in item ? item.raw : Buffer.alloc(0)))), bytes);
});

test('Maildir: messages of new/ then cur/, tmp/ and dotfiles ignored', async () => {
  const items = await collect(readMailSource(fixture('maildir')));
  assert.deepEqual(
    items.map((item) => item.source),
    [fixture('maildir', 'new', '1709550000.M2P200.mailhost'), fixture('maildir', 'cur', '1709546400.M1P100.mailhost:2,S')],
  );

  const dir = await mkdtemp(join(tmpdir(), 'clicktrace-maildir-'));
  try {
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dir, sub));
    await copyFile(fixture('maildir', 'new', '1709550000.M2P200.mailhost'), join(dir, 'new', '1.eml'));
    await writeFile(join(dir, 'tmp', 'partial'), 'From: half');
    await writeFile(join(dir, 'cur', '.hidden'), 'x');
    await writeFile(join(dir, 'cur', '2:2,S'), '');
    const made = await collect(readMailSource(dir));
    assert.deepEqual(
      made.map((item) => [item.source, 'error' in item ? item.error : 'ok']),
      [
        [join(dir, 'new', '1.eml'), 'ok'],
        [join(dir, 'cur', '2:2,S'), 'empty file'],
      ],
    );
    await rm(join(dir, 'new', '1.eml'));
    await rm(join(dir, 'cur', '2:2,S'));
    const empty = await openMailSource(dir);
    assert.deepEqual([empty.kind, empty.empty, empty.unusable], ['folder', true, null], 'an empty Maildir is a mailbox without messages');
    assert.deepEqual(await collect(empty.items), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder of .eml files is read file by file, bad ones reported', async () => {
  const items = await collect(readMailSource(projectPath('test', 'fixtures', 'mail')));
  const bySource = new Map(items.map((item) => [item.source.split('/').pop(), item]));
  assert.ok(bySource.has('seed.eml') && 'raw' in bySource.get('seed.eml')!);
  assert.deepEqual(bySource.get('empty.eml'), { source: fixture('empty.eml'), error: 'empty file' });
  assert.ok(!bySource.has('three.mbox') && !bySource.has('garbage.bin'));
});

test('stdin ("-"): a single message or an mbox', async () => {
  const single = await collect(readMailSource('-', { stdin: createReadStream(fixture('seed.eml')) }));
  assert.equal(single.length, 1);
  assert.equal(single[0].source, '-');
  const mbox = await collect(readMailSource('-', { stdin: createReadStream(fixture('three.mbox')) }));
  assert.deepEqual(
    mbox.map((item) => item.source),
    ['-#1', '-#2', '-#3'],
  );
  assert.deepEqual(await collect(readMailSource('-', { stdin: Readable.from([]) })), [], 'empty input: no messages');
});

test('an empty or blank mailbox has no messages (no error); an empty .eml or a folder of no mail is unusable', async () => {
  const opened = async (path: string, stdin?: AsyncIterable<Buffer | string>) => {
    const source = await openMailSource(path, stdin ? { stdin } : {});
    return { kind: source.kind, empty: source.empty, unusable: source.unusable, items: await collect(source.items) };
  };
  for (const name of ['empty.mbox', 'blank.mbox'])
    assert.deepEqual(await opened(fixture(name)), { kind: 'mbox', empty: true, unusable: null, items: [] }, name);
  assert.deepEqual(await opened('-', Readable.from(['\n', '  \r\n'])), { kind: 'mbox', empty: true, unusable: null, items: [] });
  const dir = await mkdtemp(join(tmpdir(), 'clicktrace-mailbox-'));
  try {
    // No name to go by (/var/mail/user with nothing in it): a mailbox, empty.
    await writeFile(join(dir, 'inbox'), '');
    assert.deepEqual(await opened(join(dir, 'inbox')), { kind: 'mbox', empty: true, unusable: null, items: [] });
    // More whitespace than one read looks at is still nothing.
    await writeFile(join(dir, 'spaces'), ' '.repeat(3 << 20) + '\n');
    assert.deepEqual(await opened(join(dir, 'spaces')), { kind: 'mbox', empty: true, unusable: null, items: [] });
    await writeFile(join(dir, 'blank.eml'), '\n\n');
    assert.deepEqual(await opened(join(dir, 'blank.eml')), {
      kind: 'message',
      empty: false,
      unusable: 'empty file (only whitespace): no message in it',
      items: [{ source: join(dir, 'blank.eml'), error: 'empty file (only whitespace)' }],
    });
    await mkdir(join(dir, 'notes'));
    await writeFile(join(dir, 'notes', 'a.txt'), 'hello');
    const notes = await opened(join(dir, 'notes'));
    assert.equal(notes.unusable, 'not a Maildir (no cur/ or new/) and no .eml files');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal((await opened(fixture('empty.eml'))).unusable, 'empty file: no message in it');
  assert.match((await opened(fixture('no-such-file.eml'))).unusable ?? '', /^cannot read: ENOENT/);
});

test('mbox: a trailing separator with nothing after it is not a message; a message without a From_ line is one', async () => {
  const items = await collect(readMailSource(fixture('trailing-separator.mbox')));
  assert.deepEqual(
    items.map((item) => [item.source, 'raw' in item ? 'ok' : item.error]),
    [[`${fixture('trailing-separator.mbox')}#1`, 'ok']],
  );
  assert.match(text(items[0]), /See https:\/\/shop\.example\/sale\n$/);
  const bare = await collect(splitMbox(Readable.from([Buffer.from('From: a@b.example\nSubject: x\n\nbody\n')]), 'box'));
  assert.deepEqual(
    bare.map((item) => [item.source, text(item)]),
    [['box#1', 'From: a@b.example\nSubject: x\n\nbody\n']],
  );
});

test('openMailSource tells an mbox by its From_ line whatever its name (stdin too), before reading a message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'clicktrace-mailbox-'));
  try {
    await copyFile(fixture('three.mbox'), join(dir, 'inbox'));
    await copyFile(fixture('seed.eml'), join(dir, 'message'));
    await writeFile(join(dir, 'one.mbox'), 'From: a@b.example\nSubject: x\n\nbody\n');
    const kinds = async (path: string, stdin?: string) => {
      const source = await openMailSource(path, stdin ? { stdin: createReadStream(stdin) } : {});
      return [source.kind, (await collect(source.items)).length];
    };
    assert.deepEqual(await kinds(join(dir, 'inbox')), ['mbox', 3]);
    assert.deepEqual(await kinds('-', fixture('three.mbox')), ['mbox', 3]);
    assert.deepEqual(await kinds(join(dir, 'message')), ['message', 1]);
    assert.deepEqual(await kinds('-', fixture('seed.eml')), ['message', 1]);
    assert.deepEqual(await kinds(join(dir, 'one.mbox')), ['mbox', 1], 'named as a mailbox: treated as one');
    assert.deepEqual(await kinds(fixture('maildir')), ['folder', 2]);
    assert.deepEqual(await kinds(join(dir, 'missing')), ['message', 1], 'the one item is the error');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('empty file, whitespace-only file, missing path, binary garbage', async () => {
  assert.deepEqual(await collect(readMailSource(fixture('empty.eml'))), [{ source: fixture('empty.eml'), error: 'empty file' }]);
  const dir = await mkdtemp(join(tmpdir(), 'clicktrace-mailbox-'));
  try {
    await writeFile(join(dir, 'blank.eml'), '\r\n \n');
    assert.deepEqual(await collect(readMailSource(join(dir, 'blank.eml'))), [
      { source: join(dir, 'blank.eml'), error: 'empty file (only whitespace)' },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const missing = await collect(readMailSource(fixture('no-such-file.eml')));
  assert.equal(missing.length, 1);
  assert.match((missing[0] as { error: string }).error, /^cannot read: ENOENT/);
  const garbage = await collect(readMailSource(fixture('garbage.bin')));
  assert.equal(garbage.length, 1);
  assert.ok('raw' in garbage[0] && garbage[0].raw.length === 4096);
});

/** `promise`, or a rejection saying what it waited for once `ms` have passed (the old code waited for ever). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting: ${what}`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

test('stdin still open (a feed written as it arrives): told from its first line, each message out once the next begins, ended by an abort', async () => {
  const stdin = new PassThrough();
  const message = (n: number) => `From a@b.example Mon Mar  4 10:00:0${n} 2024\nSubject: m${n}\n\nbody ${n}\n\n`;
  stdin.write(message(1));
  const reading = new AbortController();
  const source = await within(openMailSource('-', { stdin, signal: reading.signal }), 2000, 'the kind of a source of 60 bytes');
  assert.equal(source.kind, 'mbox');
  const items = source.items[Symbol.asyncIterator]();
  stdin.write(message(2));
  const first = await within(items.next(), 2000, 'message 1, once message 2 began');
  assert.equal(first.done ? null : text(first.value), 'Subject: m1\n\nbody 1\n');
  // Ctrl-C: the pipe is read no further (it may never end); what came is the input, and the stream is let go.
  reading.abort();
  const second = await within(items.next(), 2000, 'the end after the abort');
  assert.equal(second.done ? null : second.value.source, '-#2', 'the last message read is still given (to be reported)');
  assert.equal((await within(items.next(), 2000, 'the end')).done, true);
  assert.ok(stdin.destroyed, 'stdin is let go');
});

test('a gzip mailbox (inbox.mbox.gz, stdin, a Maildir kept compressed) is read through; xz, bzip2 and zstd are refused in words', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'clicktrace-mailbox-gz-'));
  try {
    const mbox = await readFile(fixture('three.mbox'));
    await writeFile(join(dir, 'inbox.mbox.gz'), gzipSync(mbox));
    const plain = (await collect(readMailSource(fixture('three.mbox')))).map(text);
    const fromFile = await openMailSource(join(dir, 'inbox.mbox.gz'));
    assert.equal(fromFile.kind, 'mbox');
    assert.deepEqual((await collect(fromFile.items)).map(text), plain);
    const fromStdin = await openMailSource('-', { stdin: Readable.from([gzipSync(mbox)]) });
    assert.deepEqual((await collect(fromStdin.items)).map(text), plain);
    await mkdir(join(dir, 'Maildir', 'cur'), { recursive: true });
    await writeFile(join(dir, 'Maildir', 'cur', '1700000000.M1P1.host:2,S'), gzipSync(await readFile(fixture('seed.eml'))));
    const [seed] = await collect(readMailSource(join(dir, 'Maildir')));
    assert.equal(text(seed), (await readFile(fixture('seed.eml'))).toString('latin1'));
    await writeFile(join(dir, 'inbox.mbox.xz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0, 0, 0, 0, 0]));
    const xz = await openMailSource(join(dir, 'inbox.mbox.xz'));
    assert.match(xz.unusable ?? '', /^compressed with xz: decompress it first/);
    const zstd = await openMailSource('-', { stdin: Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0, 0, 0, 0])]) });
    assert.match(zstd.unusable ?? '', /^compressed with zstd/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('mbox: an unescaped "From " body line after a blank line, then a line like a header ("Regards: Bob"), stays in its message', async () => {
  const mbox =
    'From a@b.example Mon Mar  4 10:00:00 2024\nFrom: a@b.example\nSubject: one\nContent-Length: 60\n\n' +
    'Hello\n\nFrom the team\nRegards: Bob\nNote: see https://one.example/x\n\n' +
    'From - Tue Mar 05 09:00:00 2024\nFrom: c@d.example\nSubject: two\n\nbody two\n\n' +
    'From bounce@b.example\nReturn-Path: <bounce@b.example>\nSubject: three\n\nbody three\n';
  const items = await collect(splitMbox(Readable.from([Buffer.from(mbox)]), 'box'));
  assert.deepEqual(
    items.map((item) => [item.source, /^Subject: (\w+)/m.exec(text(item))?.[1]]),
    [
      ['box#1', 'one'],
      ['box#2', 'two'],
      ['box#3', 'three'],
    ],
  );
  assert.match(text(items[0]), /\n\nFrom the team\nRegards: Bob\nNote: see https:\/\/one\.example\/x\n$/);
});
