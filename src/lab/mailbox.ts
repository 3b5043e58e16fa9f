// A lab mailbox: an mbox of HTML messages, each with one call-to-action (the link given) and an
// unsubscribe link, for tracing many messages (tests, the benchmark).
export function labMailbox(links: string[]): string {
  return links
    .map(
      (link, i) => `From news@shop.example Mon Mar  4 10:00:00 2024
From: Shop News <news@shop.example>
To: reader@recipient.example
Subject: Offer ${i + 1}
Message-ID: <offer-${i + 1}@shop.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><h1>Offer ${i + 1}</h1><p><a href="${link}" style="font-size:20px;padding:12px">Shop now</a></p>
<p><a href="http://click.mailer-esp.test/unsubscribe?m=${i}">Unsubscribe</a></p></body></html>
`,
    )
    .join('\n');
}
