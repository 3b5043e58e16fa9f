// The web layer's pure parts: escaping by construction, multipart parsing, the security rules,
// case file resolution, the job queue, body previews.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import { tempDir } from './helpers.js';
import { clean } from '../src/terminal-text.js';
import { appUrl, escapeHtml, html, join as joinHtml } from '../src/web/html.js';
import { formFromParts, parseMultipart, BodyError } from '../src/web/request-body.js';
import { assertSafeBind, hostAllowed, isLoopbackHost, parseCookies, sameOriginOrToken } from '../src/web/security.js';
import { caseFileKind, resolveCaseFile } from '../src/web/case-files.js';
import { bodyPreview } from '../src/web/exchange-view.js';

test('html: every interpolated value is escaped, template output is not escaped twice', () => {
  const hostile = `<script>alert("x")</script><img src=x onerror='y'>\``;
  const inner = html`<b>${hostile}</b>`;
  const page = String(html`<p title="${hostile}">${inner}${[hostile, 1, null, false, undefined]}</p>`);
  assert.ok(!page.includes('<script>'));
  assert.ok(!page.includes('<img'));
  assert.ok(page.includes('<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.equal(escapeHtml(`'&\``), '&#39;&amp;&#96;');
  assert.equal(String(joinHtml(['<a>', html`<i>b</i>`], ', ')), '&lt;a&gt;, <i>b</i>');
});

test('html: control characters and bidi overrides become visible, as in the terminal', () => {
  const hostile = 'a\x1b[31mb\x07\u202ec\td\ne\r';
  assert.equal(escapeHtml(hostile), 'a\\x1b[31mb\\x07\\u202ec\\x09d\\x0ae\\x0d');
  assert.equal(escapeHtml(hostile), clean(hostile));
  // Text shown as lines keeps its tabs and newlines, and only those.
  assert.equal(escapeHtml(hostile, { keepLines: true }), 'a\\x1b[31mb\\x07\\u202ec\td\ne\\x0d');
  assert.equal(String(html`<pre class="head">${hostile}</pre>`), '<pre class="head">a\\x1b[31mb\\x07\\u202ec\td\ne\\x0d</pre>');
  assert.equal(String(html`<textarea>${'one\ntwo'}</textarea>`), '<textarea>one\ntwo</textarea>');
  assert.equal(String(html`<p class="evidence">${hostile}</p>`), '<p class="evidence">a\\x1b[31mb\\x07\\u202ec\\x09d\\x0ae\\x0d</p>');
});

test('html: values where escaping is not enough are refused when the template is first used', () => {
  const v = 'x';
  assert.throws(() => html`<a href=${v}></a>`, /not inside a quoted attribute/);
  assert.throws(() => html`<p onclick="${v}"></p>`, /onclick attribute/);
  assert.throws(() => html`<div style="${v}"></div>`, /style attribute/);
  assert.throws(
    () =>
      html`<script>
        ${v};
      </script>`,
    /script or style element/,
  );
  assert.throws(() => html`<${v}></${v}>`, /not inside a quoted attribute/);
  assert.doesNotThrow(() => html`<p title="${v}" class="${v}">a=${v} <i>${v}</i></p>`);
});

test('html: URL attributes take only app-relative values', () => {
  for (const bad of ['javascript:alert(1)', 'https://evil.example/', '//evil.example/', '/\\evil.example', ' javascript:x']) {
    assert.throws(() => html`<a href="${bad}">x</a>`, /app-relative/, bad);
  }
  assert.equal(String(html`<a href="${appUrl('/cases', { domain: 'a&b', q: '' })}">x</a>`), '<a href="/cases?domain=a%26b">x</a>');
  assert.doesNotThrow(() => html`<img src="${'/cases/x/files/a.png'}" alt="${'javascript:ok as text'}" /><a href="${'#hop-1'}"></a>`);
});

test('multipart: fields and files, with the exact bytes of a file', () => {
  const eml = Buffer.from('From: a@b\r\n\r\nbody\r\n--not-the-boundary\r\n');
  const body = Buffer.concat([
    Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://a.example/\r\n'),
    Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="click"\r\n\r\nFind out more\r\n'),
    Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="message"; filename="m.eml"\r\nContent-Type: message/rfc822\r\n\r\n'),
    eml,
    Buffer.from('\r\n--XyZ--\r\n'),
  ]);
  const form = formFromParts(parseMultipart(body, 'multipart/form-data; boundary=XyZ'));
  assert.deepEqual(form.fields.get('url'), ['https://a.example/']);
  assert.deepEqual(form.fields.get('click'), ['Find out more']);
  assert.equal(form.files[0].filename, 'm.eml');
  assert.ok(form.files[0].data.equals(eml));
  assert.throws(() => parseMultipart(body.subarray(0, 60), 'multipart/form-data; boundary=XyZ'), BodyError);
  assert.throws(() => parseMultipart(body, 'multipart/form-data'), /boundary/);
});

function fakeRequest(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

test('security: loopback binds, token rules, Host and Origin checks', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.org']) assert.ok(!isLoopbackHost(h), h);
  assert.throws(() => assertSafeBind('::', undefined), /without --token/);
  assert.throws(() => assertSafeBind('0.0.0.0', 'short'), /at least 16/);
  assert.ok(hostAllowed('127.0.0.1:8200', true));
  assert.ok(hostAllowed('localhost:8200', true));
  assert.ok(!hostAllowed('evil.example:8200', true), 'DNS rebinding');
  assert.ok(!hostAllowed(undefined, true));
  assert.ok(hostAllowed('analysis.internal:8200', false));
  assert.ok(sameOriginOrToken(fakeRequest({ host: '127.0.0.1:8200', origin: 'http://127.0.0.1:8200' }), false));
  assert.ok(!sameOriginOrToken(fakeRequest({ host: '127.0.0.1:8200', origin: 'http://evil.example' }), false));
  assert.ok(
    sameOriginOrToken(fakeRequest({ host: '127.0.0.1:8200', origin: 'http://evil.example' }), true),
    'a token header cannot come from a cross-site form',
  );
  assert.ok(!sameOriginOrToken(fakeRequest({ host: '127.0.0.1:8200', origin: 'null', 'sec-fetch-site': 'cross-site' }), false));
  assert.ok(!sameOriginOrToken(fakeRequest({ host: '127.0.0.1:8200', 'sec-fetch-site': 'cross-site' }), false));
  assert.ok(sameOriginOrToken(fakeRequest({ host: '127.0.0.1:8200' }), false), 'curl and other non-browser clients');
  assert.deepEqual(
    [...parseCookies('a=1; clicktrace_token=x%20y; bad; =z')],
    [
      ['a', '1'],
      ['clicktrace_token', 'x y'],
    ],
  );
});

test('case files: only names of the case layout, never outside the folder, no symlinks', () => {
  const cases = tempDir('files-');
  const id = '20261126T100000Z-abcdef';
  mkdirSync(join(cases, id, 'screenshots'), { recursive: true });
  mkdirSync(join(cases, id, 'dom'));
  writeFileSync(join(cases, id, 'report.json'), '{}');
  writeFileSync(join(cases, id, 'screenshots', '01-a.example.png'), 'png');
  writeFileSync(join(cases, id, 'dom', '01.html'), '<script>');
  writeFileSync(join(cases, 'secret.txt'), 'secret');
  symlinkSync(join(cases, 'secret.txt'), join(cases, id, 'screenshots', '02-link.png'));
  assert.equal(resolveCaseFile(cases, id, 'report.json')?.kind.contentType, 'application/json; charset=utf-8');
  assert.equal(resolveCaseFile(cases, id, 'screenshots/01-a.example.png')?.kind.contentType, 'image/png');
  assert.equal(resolveCaseFile(cases, id, 'dom/01.html')?.kind.contentType, 'text/plain; charset=utf-8', 'captured HTML is text');
  assert.equal(resolveCaseFile(cases, id, 'screenshots/02-link.png'), null, 'symlink refused');
  for (const path of [
    '../secret.txt',
    'screenshots/../../secret.txt',
    '/etc/passwd',
    'dom/01.html/..',
    'PARTIAL',
    'capture.warc',
    'screenshots/01-a.example.png\0',
  ]) {
    assert.equal(resolveCaseFile(cases, id, path), null, path);
  }
  assert.equal(resolveCaseFile(cases, '..', 'report.json'), null);
  assert.equal(resolveCaseFile(cases, `../${id}`, 'report.json'), null);
  assert.equal(caseFileKind('capture.warc.gz')?.contentType, 'application/gzip');
});

test('body preview: decoded text, binary left out, long text cut', () => {
  const text = bodyPreview(
    gzipSync('<h1>hi</h1>\r\n'),
    [
      ['Content-Type', 'text/html'],
      ['Content-Encoding', 'gzip'],
    ],
    false,
  )!;
  assert.equal(text.text, '<h1>hi</h1>\n');
  const binary = bodyPreview(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), [['Content-Type', 'image/png']], false)!;
  assert.equal(binary.text, null);
  assert.match(binary.note!, /binary body \(image\/png\)/);
  const long = bodyPreview(Buffer.alloc(10_000, 'a'), [['Content-Type', 'text/plain']], false)!;
  assert.equal(long.text!.length, 4000);
  assert.ok(long.cut);
  assert.equal(bodyPreview(Buffer.alloc(0), [], false), null);
});

test('a hop shows its IP, network and certificate with pivots on each, and its party', async () => {
  const { hopItem } = await import('../src/web/views/chain-section.js');
  const item = hopItem({
    index: 2,
    url: 'https://www.advertiser.example/land',
    method: 'GET',
    status: 200,
    via: 'http-302',
    evidence: { detail: 'HTTP 302, Location: https://www.advertiser.example/land' },
    ip: '203.0.113.7',
    tls: {
      protocol: 'TLSv1.3',
      authorized: true,
      error: null,
      cert: {
        subject: 'CN=www.advertiser.example',
        issuer: 'CN=Example CA',
        validFrom: '2026-01-01T00:00:00Z',
        validTo: '2027-01-01T00:00:00Z',
        sans: ['www.advertiser.example', 'advertiser.example'],
        sha256: 'ab'.repeat(32),
      },
    },
    contentType: 'text/html',
    timing: { startedAt: '2026-12-01T10:00:00Z', ms: 20 },
    exchange: 'x0002',
    error: null,
    party: { name: 'Advertiser Inc', role: 'advertiser', rule: null, registrableDomain: 'advertiser.example' },
    network: { asn: 64500, name: 'EXAMPLE-NET', country: 'NL', source: 'test', sourceDate: null },
  }).toString();
  assert.match(item, /href="\/cases\?ip=203\.0\.113\.7"/);
  assert.match(item, /class="pivot pivot-asn" href="\/cases\?asn=AS64500"/);
  assert.match(item, /href="\/cases\?cert=(ab){32}"/);
  assert.match(item, /class="cert-summary"[^]*CN=www\.advertiser\.example[^]*for www\.advertiser\.example, advertiser\.example/);
  assert.match(item, /href="\/cases\?party=Advertiser\+Inc"/);
});
