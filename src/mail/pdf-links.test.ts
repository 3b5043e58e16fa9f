// The PDF link scanner on a real PDF (Chromium's print of an invoice page, a fixture), on PDFs
// built here the way PDF 1.5 writers build them (link annotations in a Flate-compressed object
// stream, a /URI given by reference, hex and UTF-16 strings), on PDFs encrypted by qpdf
// (scripts/make-encrypted-pdf-fixtures.mjs), and on hostile files: none throws, each limit is said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { isPdfFile, MAX_PDF_BYTES, pdfLinkUris } from './pdf-links.js';
import { hexString, literalString } from './pdf-strings.js';
import { projectPath } from '../project-root.js';

const INVOICE = readFileSync(projectPath('test', 'fixtures', 'mail', 'attachments', 'invoice.pdf'));

/** A minimal PDF: objects as given (number → body), a classic xref-less trailer (readers repair it; we never need it). */
function pdf(objects: Record<number, string | Buffer>, version = '1.7'): Buffer {
  const parts: Buffer[] = [Buffer.from(`%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  for (const [number, body] of Object.entries(objects)) {
    parts.push(Buffer.from(`${number} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n'));
  }
  parts.push(Buffer.from('trailer << /Root 1 0 R >>\n%%EOF\n'));
  return Buffer.concat(parts);
}

/** An object stream (PDF 1.5) holding `objects`, Flate-compressed, as object `number`. */
function objectStream(objects: Record<number, string>): Buffer {
  const bodies = Object.entries(objects);
  let offset = 0;
  const header: string[] = [];
  for (const [number, body] of bodies) {
    header.push(`${number} ${offset}`);
    offset += body.length + 1;
  }
  const head = `${header.join(' ')} `;
  const content = head + bodies.map(([, body]) => body).join(' ');
  const data = deflateSync(Buffer.from(content, 'latin1'));
  return Buffer.concat([
    Buffer.from(`<< /Type /ObjStm /N ${bodies.length} /First ${head.length} /Length ${data.length} /Filter /FlateDecode >>\nstream\n`),
    data,
    Buffer.from('\nendstream'),
  ]);
}

test("a real PDF (Chromium's print of an invoice): the View invoice button's URI and the mailto: link, in order", () => {
  assert.ok(isPdfFile('application/octet-stream', 'scan', INVOICE));
  assert.deepEqual(pdfLinkUris(INVOICE), {
    uris: ['http://track.broker-net.test/t/meta-refresh?inv=pdf1', 'mailto:billing@invoices-portal.example'],
    warnings: [],
  });
});

test('link annotations inside a Flate-compressed object stream are read, a /URI by reference too', () => {
  const file = pdf(
    {
      1: '<< /Type /Catalog /Pages 2 0 R >>',
      7: objectStream({
        4: '<< /Type /Annot /Subtype /Link /Rect [72 600 200 620] /A << /S /URI /URI (https://invoice-view.phish.example/inv/4411?a=1&b=\\(2\\)) >> >>',
        5: '<< /Type /Annot /Subtype /Link /A << /S /URI /URI 6 0 R >> >>',
        6: '(https://by-reference.phish.example/r)',
      }),
      8: '<< /Type /Annot /Subtype /Link /A << /S /URI /URI 9 0 R >> >>',
      9: '<68747470733a2f2f6865782e7068697368 2e6578616d706c652f>',
    },
    '1.5',
  );
  assert.deepEqual(pdfLinkUris(file), {
    uris: ['https://invoice-view.phish.example/inv/4411?a=1&b=(2)', 'https://hex.phish.example/', 'https://by-reference.phish.example/r'],
    warnings: [],
  });
});

test('PDF strings: escapes, octal, line continuations, balanced parentheses, UTF-16BE, a repeated URI listed once', () => {
  assert.equal(literalString('a\\(b\\)\\101\\\nc (d) e) tail', 0), 'a(b)Ac (d) e');
  assert.equal(literalString('never closed (', 0), null);
  assert.equal(hexString('48 69 7>', 0), 'Hip');
  assert.equal(hexString('zz>', 0), null);
  const utf16 = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('https://utf16.example/é', 'utf16le').swap16()]);
  const file = pdf({
    1: `<< /A << /S /URI /URI <${utf16.toString('hex')}> >> >>`,
    2: '<< /A << /S /URI /URI (https://twice.example/) >> >>',
    3: '<< /A << /S /URI /URI (https://twice.example/) >> >>',
    4: '<< /URI << /Base (https://base.example/) >> >>',
  });
  assert.deepEqual(pdfLinkUris(file).uris, ['https://utf16.example/é', 'https://twice.example/']);
});

/** `rounds` copies of `file`, each with `flips` bits flipped at places drawn from `seed` (the same on every run). */
function* bitFlipped(file: Buffer, rounds: number, flips: number, seed: number): Generator<Buffer> {
  for (let round = 0; round < rounds; round++) {
    const copy = Buffer.from(file);
    for (let flip = 0; flip < flips; flip++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      copy[seed % copy.length] ^= 1 << (seed >>> 29);
    }
    yield copy;
  }
}

const encrypted = (name: string) => readFileSync(projectPath('test', 'fixtures', 'mail', 'attachments', 'encrypted', name));

test('PDFs encrypted with only an owner password (RC4 40/128, AES-128, AES-256 R5/R6, in object streams too) give their links', () => {
  const names = ['rc4-40.pdf', 'rc4-128.pdf', 'rc4-128-v4-objstm.pdf', 'aes-128-objstm.pdf', 'aes-256-r5.pdf', 'aes-256-objstm.pdf'];
  for (const name of names) {
    assert.deepEqual(
      pdfLinkUris(encrypted(name)),
      { uris: ['http://track.broker-net.test/t/meta-refresh?inv=pdf-secured', 'mailto:billing@invoices-portal.example'], warnings: [] },
      name,
    );
  }
});

test('a PDF that needs a user password, or another security handler, is said so by name', () => {
  for (const name of ['user-password-rc4.pdf', 'user-password-aes-256.pdf']) {
    assert.deepEqual(pdfLinkUris(encrypted(name)), {
      uris: [],
      warnings: ['encrypted PDF that needs a password to open (a user password): its links are not readable'],
    });
  }
  const certificates = pdf({ 1: '<< /A << /S /URI /URI (x) >> >>', 5: '<< /Filter /Adobe.PubSec /V 4 /R 4 >>' });
  assert.deepEqual(pdfLinkUris(Buffer.concat([certificates, Buffer.from('trailer << /Encrypt 5 0 R >>')])).warnings, [
    'encrypted PDF with the Adobe.PubSec security handler: its links are not readable',
  ]);
  // Every truncation and a run of bit flips of encrypted files: never a throw. (A file cut before
  // its encryption dictionary reads as unencrypted, its strings ciphertext, as to any reader.)
  for (const name of ['aes-256-objstm.pdf', 'rc4-128-v4-objstm.pdf', 'aes-256-r5.pdf']) {
    const file = encrypted(name);
    for (let cut = 0; cut < file.length; cut += 13) assert.doesNotThrow(() => pdfLinkUris(file.subarray(0, cut)), name);
    for (const copy of bitFlipped(file, 100, 8, 11)) assert.doesNotThrow(() => pdfLinkUris(copy), name);
  }
  // A V4 file whose crypt filter says AESV3 (AES-256) over a 16-byte key: nothing read, nothing thrown.
  const mixed = Buffer.from(encrypted('aes-128-objstm.pdf').toString('latin1').replace('/AESV2', '/AESV3'), 'latin1');
  assert.doesNotThrow(() => pdfLinkUris(mixed));
});

test("a PDF cut before its trailer's /Encrypt is known encrypted by its encryption dictionary, and said cut", () => {
  const links = ['http://track.broker-net.test/t/meta-refresh?inv=pdf-secured', 'mailto:billing@invoices-portal.example'];
  const cutWarning = 'encrypted PDF cut before its trailer: opened by its encryption dictionary; links past the cut are lost';
  const cut = (name: string, before: RegExp) => {
    const file = encrypted(name);
    const at = file.toString('latin1').search(before);
    assert.ok(at > 0, `${name}: ${String(before)}`);
    return file.subarray(0, at);
  };
  // Cut just before /Encrypt, its identifier (/ID) kept: each opens as whole, with its links.
  const names = ['rc4-40.pdf', 'rc4-128.pdf', 'rc4-128-v4-objstm.pdf', 'aes-128-objstm.pdf', 'aes-256-r5.pdf', 'aes-256-objstm.pdf'];
  for (const name of names) assert.deepEqual(pdfLinkUris(cut(name, /\/Encrypt \d+ 0 R/)), { uris: links, warnings: [cutWarning] }, name);
  // Cut before the trailer or the cross-reference stream: AES-256 needs no identifier, the others do.
  const trailer = /trailer|\d+ 0 obj\s*<< \/Type \/XRef/;
  for (const name of ['aes-256-r5.pdf', 'aes-256-objstm.pdf']) {
    assert.deepEqual(pdfLinkUris(cut(name, trailer)), { uris: links, warnings: [cutWarning] }, name);
  }
  for (const name of ['rc4-40.pdf', 'rc4-128-v4-objstm.pdf', 'aes-128-objstm.pdf']) {
    assert.deepEqual(pdfLinkUris(cut(name, trailer)).warnings, [
      'encrypted PDF cut before its trailer, whose file identifier (part of its RC4 or AES-128 key) is lost with it: its links are not readable',
    ]);
  }
  const locked = cut('user-password-aes-256.pdf', trailer);
  assert.deepEqual(pdfLinkUris(locked), {
    uris: [],
    warnings: ['encrypted PDF (cut before its trailer) that needs a password to open (a user password): its links are not readable'],
  });
  assert.deepEqual(pdfLinkUris(locked, ['secret']).warnings, [
    'encrypted PDF opened with the password the message gives ("secret")',
    cutWarning,
  ]);
  // Every cut past the encryption dictionary: the true links or none, never ciphertext read as a URI.
  for (const name of [...names, 'user-password-rc4.pdf']) {
    const file = encrypted(name);
    const text = file.toString('latin1');
    const from = text.indexOf('endobj', text.indexOf('/Filter /Standard'));
    for (let end = from; end < file.length; end += 3) {
      const found = pdfLinkUris(file.subarray(0, end));
      assert.ok(
        found.uris.every((uri) => links.includes(uri)),
        `${name} cut at ${end}: ${JSON.stringify(found)}`,
      );
    }
  }
  // An unencrypted file whose stream filters are named is not taken for an encrypted one.
  assert.deepEqual(pdfLinkUris(pdf({ 1: '<< /Filter /FlateDecode /A << /S /URI /URI (https://plain.example/) >> >>' })), {
    uris: ['https://plain.example/'],
    warnings: [],
  });
});

test('a PDF locked with a user password opens with the password its message gives, and says so', async () => {
  const { givenPasswords, analyzeMessage } = await import('./parse.js');
  assert.deepEqual(givenPasswords('Mais informações em anexo | Senha PDF: 123\nProtocolo: 35'), ['123']);
  assert.deepEqual(givenPasswords('The invoice is attached. PDF password: "secret".'), ['secret']);
  for (const name of ['user-password-rc4.pdf', 'user-password-aes-256.pdf']) {
    assert.deepEqual(pdfLinkUris(encrypted(name), ['wrong', 'secret']), {
      uris: ['http://track.broker-net.test/t/meta-refresh?inv=pdf-secured', 'mailto:billing@invoices-portal.example'],
      warnings: ['encrypted PDF opened with the password the message gives ("secret")'],
    });
    assert.match(
      pdfLinkUris(encrypted(name), ['wrong']).warnings[0],
      /needs a password to open \(a user password \(none the message gives/,
    );
  }
  const message = Buffer.from(
    'From: billing@invoices-portal.example\nSubject: Invoice\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n' +
      '--b\nContent-Type: text/plain\n\nYour invoice is attached. PDF password: secret\n' +
      '--b\nContent-Type: application/pdf; name="INV.pdf"\nContent-Transfer-Encoding: base64\n\n' +
      `${encrypted('user-password-aes-256.pdf').toString('base64')}\n--b--\n`,
  );
  const mail = await analyzeMessage(message, 'locked.eml');
  assert.deepEqual(
    mail.links.filter((link) => link.kind === 'pdf').map((link) => link.url),
    ['http://track.broker-net.test/t/meta-refresh?inv=pdf-secured', 'mailto:billing@invoices-portal.example'],
  );
  assert.ok(
    mail.warnings.includes('INV.pdf: encrypted PDF opened with the password the message gives ("secret")'),
    mail.warnings.join('; '),
  );
});

test('hostile PDFs: encrypted, over the size limit, an inflate bomb, a corrupt stream, garbage and truncations never throw', () => {
  assert.deepEqual(pdfLinkUris(pdf({ 1: '<< /A << /S /URI /URI (x) >> >>' }).subarray(0, 0)).warnings, [
    'not a PDF file (no %PDF- header)',
  ]);
  const encrypted = Buffer.concat([pdf({ 1: '<< /A << /S /URI /URI (\x8f\x03\x91) >> >>' }), Buffer.from('trailer << /Encrypt 5 0 R >>')]);
  assert.deepEqual(pdfLinkUris(encrypted), {
    uris: [],
    warnings: ['encrypted PDF whose encryption dictionary is unreadable: its links are not readable'],
  });
  assert.match(pdfLinkUris(Buffer.alloc(MAX_PDF_BYTES + 1)).warnings[0], /not read for links/);

  const bomb = Buffer.concat([
    Buffer.from('%PDF-1.5\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n'),
    deflateSync(Buffer.alloc(40 * 1024 * 1024, 0x20)),
    Buffer.from('\nendstream\nendobj\n'),
  ]);
  assert.deepEqual(pdfLinkUris(bomb).warnings, ['an object stream was not read: inflates past 33554432 bytes']);
  const corrupt = pdf({ 5: '<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\nnot zlib at all\nendstream' });
  assert.deepEqual(pdfLinkUris(corrupt).warnings, ['an object stream was not read: corrupt']);

  // Every truncation and a run of bit flips of the real PDF: never a throw, never a made-up link.
  const expected = new Set(pdfLinkUris(INVOICE).uris);
  for (let cut = 0; cut < INVOICE.length; cut += 97) {
    for (const uri of pdfLinkUris(INVOICE.subarray(0, cut)).uris) assert.ok(expected.has(uri), uri);
  }
  for (const copy of bitFlipped(INVOICE, 200, 20, 7)) assert.doesNotThrow(() => pdfLinkUris(copy));
  // Many "stream" keywords with no object around them cost one pass, not one pass each.
  assert.deepEqual(pdfLinkUris(Buffer.from(`%PDF-1.7\n${'stream\n'.repeat(200_000)}`)).uris, []);
});
