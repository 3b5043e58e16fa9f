import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectPlatforms, type MailHeaderLike } from './esp.js';

const h = (key: string, value: string): MailHeaderLike => ({ key: key.toLowerCase(), originalKey: key, value });
const names = (headers: MailHeaderLike[]) => detectPlatforms(headers).map((p) => p.name);

test('header-name fingerprints: X-SES-*, X-Mailgun-*, X-SG-EID, X-MC-User, X-SFMC-Stack', () => {
  assert.deepEqual(names([h('X-SES-Outgoing', '2024.06.18-54.240.73.34')]), ['Amazon SES']);
  assert.deepEqual(names([h('X-Mailgun-Sid', 'WyJmNjAyZCJd')]), ['Mailgun']);
  assert.deepEqual(names([h('X-SG-EID', 'u001.abc')]), ['SendGrid']);
  assert.deepEqual(names([h('X-MC-User', '49f9b64427a60f2ee6aa39eec')]), ['Mailchimp']);
  assert.deepEqual(names([h('X-SFMC-Stack', '11')]), ['Salesforce Marketing Cloud (ExactTarget)']);
});

test('header-value fingerprints: Feedback-ID, X-Mailer, X-Campaign, Selligent List-Unsubscribe path', () => {
  assert.deepEqual(names([h('Feedback-ID', '::1.us-east-1.MVmH78pK=:AmazonSES')]), ['Amazon SES']);
  assert.deepEqual(names([h('X-Mailer', 'PHPMailer 6.9.3 (https://github.com/PHPMailer/PHPMailer)')]), ['PHPMailer']);
  assert.deepEqual(names([h('X-Campaign', 'mailchimp49f9b64427a60f2ee6aa39eec.e620f85fd2')]), ['Mailchimp']);
  assert.deepEqual(names([h('List-Unsubscribe', '<http://news.brand.example/optiext/optiextension.dll?ID=abc>')]), ['Selligent']);
  // Proton Mail's X-Pm-* headers are not Postmark
  assert.deepEqual(names([h('X-Pm-Spam', '0'), h('X-Pm-Origin', 'internal')]), ['Proton Mail']);
  // "external": a message from elsewhere, delivered to a Proton mailbox (phishing-pot sample-1250, sent from a VPS)
  assert.deepEqual(names([h('X-Pm-Spam', '0'), h('X-Pm-Origin', 'external')]), []);
});

test('domain fingerprints in Received, Return-Path, Message-ID and DKIM d= (not other DKIM tags)', () => {
  assert.deepEqual(names([h('Received', 'from a4-14.smtp-out.eu-west-1.amazonses.com (54.240.4.14) by mx.example')]), ['Amazon SES']);
  assert.deepEqual(names([h('Return-Path', '<bounce@bf01x.hubspotemail.net>')]), ['HubSpot']);
  assert.deepEqual(names([h('Message-ID', '<abc@mail.emsecure.net>')]), ['Selligent']);
  assert.deepEqual(names([h('DKIM-Signature', 'v=1; d=mcsv.net; s=k1; h=from:to')]), ['Mailchimp']);
  assert.deepEqual(names([h('DKIM-Signature', 'v=1; d=brand.example; s=k1; i=@mcsv.net')]), []);
  assert.deepEqual(names([h('Subject', 'mail from amazonses.com')]), []);
  assert.deepEqual(names([h('Received', 'from notamazonses.com.example by mx')]), []);
});

test("a Received header's by- and for-clauses are the receiving side: an inbound-parse or forwarding service is no sending platform", () => {
  // The recipient's domain receives through SendGrid Inbound Parse / a Mailgun route: the spam came from elsewhere.
  assert.deepEqual(
    names([
      h(
        'Received',
        'from mxa.relay.example (mxa.relay.example [192.0.2.9]) by mx.recipient.example with ESMTPS id 1; Mon, 7 Dec 2026 10:00:01 +0000',
      ),
      h(
        'Received',
        'from mail.spam-sender.example ([198.51.100.7]) by mx.sendgrid.net with ESMTP id q for <abuse@parse.sendgrid.net>; Mon, 7 Dec 2026',
      ),
      h('Received', 'from mail.spam-sender.example ([198.51.100.7]) by mxa.mailgun.org with ESMTP id r; Mon, 7 Dec 2026 09:59:59 +0000'),
    ]),
    [],
  );
  // The host the message came from still names the platform, in its words or the reverse-DNS comment.
  assert.deepEqual(names([h('Received', 'from o1.ptr1234.sendgrid.net by mx.recipient.example; Mon, 7 Dec 2026 10:00:00 +0000')]), [
    'SendGrid',
  ]);
  assert.deepEqual(names([h('Received', 'from helo.example (so254-9.mailgun.net [198.61.254.9]) by mx.recipient.example')]), ['Mailgun']);
});

test("the recipient's address in a VERP bounce address or an unsubscribe link is no sending platform (an ESP's abuse desk receiving spam)", () => {
  assert.deepEqual(names([h('Return-Path', '<b-7731-ab12-abuse=brevo.com@bounce.spam-sender.example>')]), []);
  assert.deepEqual(names([h('Errors-To', 'Bounces <bounce-abuse=klaviyo.com@spam-sender.example>')]), []);
  assert.deepEqual(names([h('Sender', '"abuse@mailchimp.com via list" <list-abuse=mailchimp.com@lists.spam-sender.example>')]), []);
  assert.deepEqual(
    names([
      h(
        'List-Unsubscribe',
        '<https://spam-sender.example/u?email=abuse@sendgrid.com>, <mailto:u-abuse=sendgrid.com@spam-sender.example?subject=x>',
      ),
    ]),
    [],
  );
  assert.deepEqual(names([h('Message-ID', '<20261207.a1b2.abuse=brevo.com@mail.spam-sender.example>')]), []);
  assert.deepEqual(names([h('List-Id', '"Offers for abuse@sendgrid.com" <offers.spam-sender.example>')]), []);
  // The address's domain and the link's host still name the platform.
  assert.deepEqual(names([h('Return-Path', '<0100018c-abuse=brevo.com-000000@amazonses.com>')]), ['Amazon SES']);
  assert.deepEqual(names([h('Sender', 'News <news@em.sendgrid.net>')]), ['SendGrid']);
  assert.deepEqual(names([h('List-Unsubscribe', '<mailto:unsub@list.mcsv.net?subject=x>')]), ['Mailchimp']);
  assert.deepEqual(names([h('List-Id', 'Offers <a1b2.list-id.mcsv.net>')]), ['Mailchimp']);
  // A bare address, without mailto: (phishing-pot sample-6275, sent through Alchemer).
  assert.deepEqual(
    detectPlatforms([h('List-Unsubscribe', '<unsub-action_cid551024_sid8559009_qid3@alchemer.com>')]).map((p) => [
      p.name,
      p.evidence.length,
    ]),
    [['Alchemer', 1]],
  );
  assert.deepEqual(names([h('List-Unsubscribe', '<https://u123.ct.sendgrid.net/wf/x?email=abuse@brevo.com>')]), ['SendGrid']);
});

test('Gmail is a sending platform when the message was submitted through it, not when it was delivered to a Gmail mailbox', () => {
  // phishing-pot sample-250: sent from Hotmail to a Gmail address, which added its own X-Google-Smtp-Source and X-Received.
  const delivered = [
    h('Delivered-To', 'phish.me.again@gmail.com'),
    h('Received', 'by 2002:a05:612c:711:b0:381:73ac:3a65 with SMTP id ft17csp1639579vqb'),
    h('X-Google-Smtp-Source', 'AMrXdXvRkyGrGslADfvvKQGV4w+xQ5gZgMSgqg3tXl9hP3y1UWcgN0m92hbBQav9X1lt0zSMLSax'),
    h('X-Received', 'by 2002:aa7:d789:0:b0:497:4f53:ee8f with SMTP id s9-20020aa7d789000000b004974f53ee8fmr33786304edq.39'),
    h(
      'Received',
      'from NAM10-MW2-obe.outbound.protection.outlook.com (mail-mw2nam10olkn2046.outbound.protection.outlook.com. [40.92.42.46])',
    ),
    h('DKIM-Signature', 'v=1; a=rsa-sha256; c=relaxed/relaxed; d=hotmail.com; s=selector1'),
  ];
  assert.deepEqual(names(delivered), []);
  assert.deepEqual(names([...delivered, h('X-Gm-Message-State', 'AC+VfDzGEsJhZ8CDH5iXTCjXyvuFpHI2TKDSMf2xlAEiub8kupnn')]), [
    'Gmail / Google Workspace',
  ]);
});

test('evidence lists each matching header once, shortened; platforms ordered by evidence', () => {
  const found = detectPlatforms([
    h('X-SES-Outgoing', '2024.06.18-54.240.73.34'),
    h('Feedback-ID', '1.us-east-1.x=:AmazonSES'),
    h('X-Gm-Message-State', 'A'.repeat(400)),
  ]);
  assert.deepEqual(
    found.map((p) => [p.name, p.kind, p.evidence.length]),
    [
      ['Amazon SES', 'esp', 2],
      ['Gmail / Google Workspace', 'provider', 1],
    ],
  );
  assert.equal(found[0].evidence[0], 'X-SES-Outgoing: 2024.06.18-54.240.73.34');
  assert.ok(found[1].evidence[0].length <= 160);
});
