// Writes test/fixtures/mail/attachments/encrypted/*.pdf: one small PDF page with a "View invoice"
// link annotation (/URI) and a mailto: link, encrypted by qpdf (a real PDF writer, not our own
// code) the ways "secured" PDFs are: an owner password only (the empty user password every viewer
// opens without asking) in RC4 40 and 128 bits, AES-128 and AES-256 (revisions 5 and 6), the link
// annotations in encrypted object streams for some; and two that need a user password. Run once by
// hand (qpdf 11: `apt-get install qpdf`), `node scripts/make-encrypted-pdf-fixtures.mjs`; the PDFs
// are committed, so tests need none of this. qpdf draws a new /ID and AES IVs each run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'mail', 'attachments', 'encrypted');

/** A one-page PDF 1.4 with a correct cross-reference table, so qpdf rewrites it without repairing. */
function plainPdf() {
  const content = 'BT /F1 14 Tf 72 700 Td (Invoice INV-7730 is overdue. View invoice) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Annots [6 0 R 7 0 R] >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Annot /Subtype /Link /Rect [72 690 400 716] /Border [0 0 0] /A << /S /URI /URI (http://track.broker-net.test/t/meta-refresh?inv=pdf-secured) >> >>',
    '<< /Type /Annot /Subtype /Link /Rect [72 660 300 676] /Border [0 0 0] /A << /S /URI /URI (mailto:billing@invoices-portal.example) >> >>',
  ];
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets = objects.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

const variants = {
  'rc4-40.pdf': ['--allow-weak-crypto', '--encrypt', '', 'owner', '40', '--'],
  'rc4-128.pdf': ['--allow-weak-crypto', '--encrypt', '', 'owner', '128', '--use-aes=n', '--'],
  'rc4-128-v4-objstm.pdf': [
    '--allow-weak-crypto',
    '--object-streams=generate',
    '--encrypt',
    '',
    'owner',
    '128',
    '--use-aes=n',
    '--force-V4',
    '--',
  ],
  'aes-128-objstm.pdf': ['--object-streams=generate', '--encrypt', '', 'owner', '128', '--use-aes=y', '--cleartext-metadata', '--'],
  'aes-256-r5.pdf': ['--allow-weak-crypto', '--encrypt', '', 'owner', '256', '--force-R5', '--'],
  'aes-256-objstm.pdf': ['--object-streams=generate', '--encrypt', '', 'owner', '256', '--'],
  'user-password-rc4.pdf': ['--allow-weak-crypto', '--encrypt', 'secret', 'owner', '128', '--use-aes=n', '--'],
  'user-password-aes-256.pdf': ['--encrypt', 'secret', 'owner', '256', '--'],
};

mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'encrypted-pdf-'));
try {
  const plain = join(work, 'plain.pdf');
  writeFileSync(plain, plainPdf());
  for (const [name, args] of Object.entries(variants)) execFileSync('qpdf', [plain, ...args, join(out, name)], { stdio: 'inherit' });
} finally {
  rmSync(work, { recursive: true, force: true });
}
