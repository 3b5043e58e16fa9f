import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  messageIdDomain,
  parseAuthenticationResults,
  parseDkimSignature,
  parseListUnsubscribe,
  parseReceived,
  receivedChain,
  tlsVersionOf,
} from './headers.js';

test('Received: Postfix with "using TLSv1.3" and ESMTPS', () => {
  const hop = parseReceived(
    'from mta3.emsecure.test (mta3.emsecure.test [192.0.2.53]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))' +
      ' by mx.recipient.example (Postfix) with ESMTPS id 4TvB2k1xYzz9sQ for <jane@recipient.example>;' +
      ' Tue, 12 Mar 2024 09:15:03 +0100 (CET)',
  );
  assert.equal(hop.from, 'mta3.emsecure.test');
  assert.equal(hop.fromIp, '192.0.2.53');
  assert.equal(hop.by, 'mx.recipient.example');
  assert.equal(hop.with, 'ESMTPS');
  assert.equal(hop.id, '4TvB2k1xYzz9sQ');
  assert.equal(hop.for, 'jane@recipient.example');
  assert.equal(hop.tls, true);
  assert.equal(hop.tlsVersion, 'TLS1.3');
  assert.equal(hop.date, '2024-03-12T08:15:03.000Z');
});

test('Received: Sendmail/Google "(version=TLS1_2 ...)", Microsoft SMTP Server, Exim "(TLS1.3)"', () => {
  const google = parseReceived(
    'from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id a1sor;' +
      ' (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128); Mon, 04 Mar 2024 10:00:00 -0800 (PST)',
  );
  assert.deepEqual([google.tls, google.tlsVersion, google.with, google.fromIp], [true, 'TLS1.2', 'SMTPS', '209.85.220.41']);
  const microsoft = parseReceived(
    'from m43-11.mailgun.net (69.72.43.11) by VI1EUR05FT031.mail.protection.outlook.com (10.233.242.170)' +
      ' with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)' +
      ' id 15.20.6699.22 via Frontend Transport; Mon, 4 Sep 2023 18:01:46 +0000',
  );
  assert.deepEqual(
    [microsoft.tls, microsoft.tlsVersion, microsoft.with, microsoft.fromIp],
    [true, 'TLS1.2', 'Microsoft SMTP Server', '69.72.43.11'],
  );
  const exim = parseReceived(
    'from [203.0.113.9] (helo=client) by mail.example with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) id 1abc-000; Mon, 4 Mar 2024 10:00:00 +0000',
  );
  assert.deepEqual([exim.tls, exim.tlsVersion, exim.fromIp], [true, 'TLS1.3', '203.0.113.9']);
});

test('Received: plain SMTP and LMTP are not TLS; ESMTPSA is; IPv6 in brackets', () => {
  assert.equal(parseReceived('from localhost (localhost [127.0.0.1]) by app with SMTP id q8; Tue, 12 Mar 2024 08:15:00 +0000').tls, false);
  assert.equal(parseReceived('from mx by imap (Dovecot) with LMTP id 7H; Tue, 12 Mar 2024 08:15:00 +0000').tls, false);
  const submission = parseReceived('from [IPv6:2001:db8::1] by smtp.example with ESMTPSA id x; Tue, 12 Mar 2024 08:15:00 +0000');
  assert.deepEqual([submission.tls, submission.tlsVersion, submission.fromIp], [true, null, '2001:db8::1']);
});

test('Received: garbage in, nulls out, no throw', () => {
  const hop = parseReceived('((( unbalanced ; not a date');
  assert.deepEqual([hop.from, hop.by, hop.date, hop.tls], [null, null, null, false]);
});

test('receivedChain numbers hops from the oldest (bottom) header', () => {
  const chain = receivedChain(['from b by c; Tue, 12 Mar 2024 08:15:02 +0000', 'from a by b; Tue, 12 Mar 2024 08:15:01 +0000']);
  assert.deepEqual(
    chain.map((hop) => [hop.hop, hop.from]),
    [
      [2, 'b'],
      [1, 'a'],
    ],
  );
});

test('TLS version spellings', () => {
  assert.deepEqual(['TLSv1.2', 'TLS1_3', 'version=TLS1_0', 'TLSv1 ', 'SSLv3', 'no tls here'].map(tlsVersionOf), [
    'TLS1.2',
    'TLS1.3',
    'TLS1.0',
    'TLS1.0',
    'SSL3',
    null,
  ]);
});

test('DKIM-Signature d= and s= with folding whitespace', () => {
  assert.deepEqual(parseDkimSignature('v=1; a=rsa-sha256; d=T-Mobile.Example;\r\n\ts=sel2024; h=from:to; b=abc\r\n def'), {
    d: 't-mobile.example',
    s: 'sel2024',
  });
  assert.deepEqual(parseDkimSignature('garbage'), { d: null, s: null });
});

test('Authentication-Results: methods, results and properties, comments dropped', () => {
  const results = parseAuthenticationResults(
    'mx.google.com;' +
      ' dkim=pass header.i=@x.example header.s=s1 header.b=abc;' +
      ' spf=softfail (google.com: domain of a@b transitions) smtp.mailfrom=b.example;' +
      ' dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=x.example',
  );
  assert.deepEqual(
    results.map((r) => [r.authservId, r.method, r.result]),
    [
      ['mx.google.com', 'dkim', 'pass'],
      ['mx.google.com', 'spf', 'softfail'],
      ['mx.google.com', 'dmarc', 'fail'],
    ],
  );
  assert.equal(results[1].props['smtp.mailfrom'], 'b.example');
  assert.deepEqual(parseAuthenticationResults('spf.example; none'), []);
});

test('Message-ID domain and List-Unsubscribe URIs', () => {
  assert.equal(messageIdDomain('<20240312.4711@News.T-Mobile.emsecure.test>'), 'news.t-mobile.emsecure.test');
  assert.equal(messageIdDomain('no-at-sign'), null);
  assert.equal(messageIdDomain(null), null);
  assert.deepEqual(parseListUnsubscribe('<mailto:u@x.example?subject=unsub>,\r\n <https://x.example/u?id=1\r\n 2>'), [
    'mailto:u@x.example?subject=unsub',
    'https://x.example/u?id=12',
  ]);
  assert.deepEqual(parseListUnsubscribe('https://x.example/u, mailto:u@x.example'), ['https://x.example/u', 'mailto:u@x.example']);
});
