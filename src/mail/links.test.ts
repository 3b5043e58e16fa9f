import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractLinks, pickMainLink, type MailLink } from './links.js';

const byText = (links: MailLink[], text: string) => links.find((link) => link.text === text);

test('anchors: visible text collapsed, entities decoded, image alt for image-only anchors', () => {
  const links = extractLinks({
    html: `<p><a href="https://a.example/x?a=1&amp;b=2">  Read&nbsp;the
      <b>full</b>   story </a></p><a href="https://b.example/"><img src="b.png" alt="Summer sale"></a>`,
  });
  assert.deepEqual(
    links.map((l) => [l.url, l.text, l.kind, l.part]),
    [
      ['https://a.example/x?a=1&b=2', 'Read the full story', 'href', 'html'],
      ['https://b.example/', 'Summer sale', 'href', 'html'],
    ],
  );
});

test('area, form actions, <base href> resolution; fragment-only hrefs skipped, empty ones listed', () => {
  const links = extractLinks({
    html: `<base href="https://shop.example/deals/"><a href="offer?id=1">Offer</a><a href="#top">Top</a><a href="">x</a>
      <map><area href="/map" alt="Area"></map><form action="submit.php"><input type="submit" value="Send"></form>`,
  });
  assert.deepEqual(
    links.map((l) => [l.kind, l.url, l.text]),
    [
      ['href', 'https://shop.example/deals/offer?id=1', 'Offer'],
      ['href', 'https://shop.example/deals/', 'x'],
      ['area', 'https://shop.example/map', 'Area'],
      ['form', 'https://shop.example/deals/submit.php', 'Send'],
    ],
  );
});

test('plain text URLs in the text part and in visible HTML text', () => {
  const links = extractLinks({ html: '<p>Go to https://visible.example/path.</p>', text: 'Hi\nhttps://text.example/a%2\nFb\n' });
  assert.deepEqual(
    links.map((l) => [l.kind, l.part, l.url]),
    [
      ['text', 'html', 'https://visible.example/path'],
      ['text', 'text', 'https://text.example/a%2Fb'],
    ],
  );
});

test('duplicates merge, but each distinct anchor text is kept', () => {
  const links = extractLinks({
    html: '<a href="https://x.example/">Buy</a><a href="https://x.example/">Buy</a><a href="https://x.example/">Shop now</a>',
  });
  assert.deepEqual(
    links.map((l) => [l.text, l.occurrences]),
    [
      ['Buy', 2],
      ['Shop now', 1],
    ],
  );
});

test('mismatch: the visible text shows another registrable domain than the href', () => {
  const links = extractLinks({
    html: `<a href="https://evil-login.example/paypal">https://www.paypal.com/signin</a>
      <a href="https://sub.paypal.com/x">www.paypal.com</a>
      <a href="https://evil.example/">Log in to PayPal.com now</a>
      <a href="https://evil.example/">support@paypal.com</a>
      <a href="https://evil.example/">Read more</a>`,
  });
  assert.deepEqual(byText(links, 'https://www.paypal.com/signin')?.mismatch, {
    shownDomain: 'paypal.com',
    hrefDomain: 'evil-login.example',
  });
  assert.equal(byText(links, 'www.paypal.com')?.mismatch, null);
  assert.deepEqual(byText(links, 'Log in to PayPal.com now')?.mismatch, { shownDomain: 'paypal.com', hrefDomain: 'evil.example' });
  assert.equal(byText(links, 'support@paypal.com')?.mismatch, null);
  assert.equal(byText(links, 'Read more')?.mismatch, null);
});

test('unsubscribe: by text in several languages, by URL, by sentence, by List-Unsubscribe', () => {
  const links = extractLinks({
    html: `<a href="https://a.example/1">Unsubscribe</a> <a href="https://a.example/2">Newsletter abmelden</a>
      <a href="https://a.example/3">Se désabonner</a> <a href="https://a.example/optout?u=1">here</a>
      <p>To stop receiving these e-mails, click <a href="https://a.example/5">here</a>.</p>
      <p>Um sich abzumelden, klicken Sie bitte auf <a href="https://a.example/6">Hier</a> oder schreiben Sie uns.</p>
      <p>Click <a href="https://a.example/7">here</a> to view your statement.</p>
      <a href="https://a.example/8">x</a>`,
    listUnsubscribe: ['mailto:u@a.example', 'https://a.example/8'],
  });
  const unsubscribed = links.filter((l) => l.unsubscribe).map((l) => l.url);
  assert.deepEqual(unsubscribed, [
    'https://a.example/1',
    'https://a.example/2',
    'https://a.example/3',
    'https://a.example/optout?u=1',
    'https://a.example/5',
    'https://a.example/6',
    'https://a.example/8',
    'mailto:u@a.example',
    'https://a.example/8',
  ]);
  const header = links.filter((l) => l.kind === 'list-unsubscribe');
  assert.deepEqual(
    header.map((l) => [l.part, l.prominence]),
    [
      ['header', 0],
      ['header', 0],
    ],
  );
});

test('pickMainLink: the button-like call-to-action wins over footer, social, pixel, mailto and privacy links', () => {
  const links = extractLinks({
    html: `<a href="https://t.example/view">View in browser</a>
      <a href="https://t.example/logo"><img src="logo.png" alt="Brand" width="180"></a>
      <p style="font-size:14px">Our new plans are here. <a href="https://t.example/plans">Compare plans</a></p>
      <table><tr><td bgcolor="#e20074" style="border-radius:4px">
        <a href="https://t.example/cta" style="display:inline-block;padding:14px 32px;font-size:18px;font-weight:bold;color:#fff">Find out more</a>
      </td></tr></table>
      <a href="mailto:help@t.example">Contact us</a> <a href="tel:+100">Call</a>
      <a href="https://www.facebook.com/brand"><img src="fb.png" width="24" alt="Facebook"></a>
      <a href="https://t.example/privacy">Privacy policy</a> <a href="https://t.example/u">Unsubscribe</a>
      <a href="https://t.example/px"><img src="px.gif" width="1" height="1"></a>`,
  });
  assert.equal(pickMainLink(links)?.url, 'https://t.example/cta');
  for (const excluded of [
    'mailto:help@t.example',
    'tel:+100',
    'https://www.facebook.com/brand',
    'https://t.example/privacy',
    'https://t.example/u',
    'https://t.example/px',
  ]) {
    assert.equal(links.find((l) => l.url === excluded)?.prominence, 0, excluded);
  }
});

test('pickMainLink: call-to-action words beat plain links; repeated hrefs count; nothing eligible gives null', () => {
  const words = extractLinks({
    html: '<a href="https://x.example/about">About us</a> <a href="https://x.example/login">Verify your account</a>',
  });
  assert.equal(pickMainLink(words)?.url, 'https://x.example/login');
  const repeated = extractLinks({
    html: '<a href="https://x.example/a">Offer A</a> <a href="https://x.example/b">Offer B</a> <a href="https://x.example/b">Offer B again</a>',
  });
  assert.equal(pickMainLink(repeated)?.url, 'https://x.example/b');
  assert.equal(
    pickMainLink(extractLinks({ html: '<a href="mailto:a@x.example">Mail</a>', listUnsubscribe: ['https://x.example/u'] })),
    null,
  );
  assert.equal(pickMainLink([]), null);
});

test('text-part links get a prominence, social hosts included (no icon there)', () => {
  const links = extractLinks({ text: 'New jobs: https://www.linkedin.com/comm/jobs/view/123' });
  assert.ok(links[0].prominence > 0);
  assert.equal(pickMainLink(links)?.url, 'https://www.linkedin.com/comm/jobs/view/123');
});

test('links found in an attachment carry its label', () => {
  const [link] = extractLinks({ html: '<a href="https://x.example/">x</a>', attachment: 'statement.html' });
  assert.equal(link.attachment, 'statement.html');
});

test('hidden anchors and hidden text URLs are never the main link', () => {
  const links = extractLinks({
    html: `<a href="https://x.example/real"><img src="banner.png"></a>
      <a href="https://x.example/a" style="display: none">About the service</a>
      <div style="visibility:hidden"><a href="https://x.example/b">Click here</a> https://x.example/c</div>
      <div hidden><a href="https://x.example/d">Verify now</a></div>
      <span style="font-size:0">salt <a href="https://x.example/e">Login</a></span>
      <td style="font-size:0;line-height:0"><a href="https://x.example/f"><img src="cta.png" alt="Shop now"></a></td>`,
  });
  const prominence = Object.fromEntries(links.map((l) => [l.url.slice(-1), l.prominence]));
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e'].map((key) => prominence[key]),
    [0, 0, 0, 0, 0],
  );
  assert.ok(prominence.l > 0 && prominence.f > 0);
  assert.equal(pickMainLink(links)?.url, 'https://x.example/f');
});

test('anchor text is what the reader sees: hidden salting inside the anchor is left out', () => {
  const [link] = extractLinks({
    html: `<td style="font-size:0px"><a class="button" href="https://x.example/pay"><span style="font-size:16px">Pagar</span>
      <span style="visibility: hidden; position: absolute; font-size: 0;">Como <span>Acabava ele</span> de voltar</span>
      <span style="font-size:16px">Agora</span><span style="display:none">f0zpnu50</span></a></td>`,
  });
  assert.equal(link.text, 'Pagar Agora');
  assert.ok(link.prominence > 0);
});

test('unsubscribe by URL: only when the URL names the action in words of its own, never by letters in a token or a longer word', () => {
  const cta = (href: string) => `<a href="${href}" style="font-size:20px;padding:12px 24px;background:#06c">Claim your offer</a>`;
  const refused = [
    'https://shop.example/unsubscribe',
    'https://shop.example/unsubscribe.php?u=1',
    'https://shop.example/lists/UnsubscribeHandler.aspx?id=9',
    'https://shop.example/newsletter_unsubscribe/confirm',
    'https://shop.example/opt-out?u=1',
    'https://shop.example/optOut',
    'https://shop.example/r?action=unsubscribe&u=1',
    'https://shop.example/r?optout=1',
    'https://unsubscribe.esp.example/c/8f7a',
    'https://esp.example/r?url=https%3A%2F%2Fshop.example%2Funsubscribe%3Fu%3D1',
    'https://shop.example/email-preferences',
    'https://shop.example/newsletter/abmelden',
    'https://shop.example/fr/d%C3%A9sabonnement',
  ];
  for (const href of refused) {
    const [link] = extractLinks({ html: cta(href) });
    assert.equal(link.unsubscribe, true, href);
    assert.equal(pickMainLink([link]), null, href);
  }
  const chosen = [
    'https://shop.example/offers/unsubscribed-users-offer',
    'https://trk.esp.example/c/AbX9unsubscribeQz7Lm2',
    'https://trk.esp.example/c?t=eyJ1bnN1YnNjcmliZSI6ZmFsc2V9optout0x3d',
    'https://trk.esp.example/ls/click?upn=k2OPTOUTz9Wq1-2Bunsubscri7Rt5',
    'https://shop.example/adoptout-pets',
    'https://shop.example/p/opt-outdoor-gear',
  ];
  for (const href of chosen) {
    const [link] = extractLinks({ html: cta(href) });
    assert.equal(link.unsubscribe, false, href);
    assert.equal(pickMainLink([link])?.url, href);
  }
  // What the reader is told still refuses a link whatever its URL: its text, its sentence, the header.
  const told = extractLinks({
    html: `<a href="https://trk.esp.example/c/AbX9Qz7Lm2">Unsubscribe</a>
      <p>To stop receiving these e-mails, click <a href="https://trk.esp.example/c/Zz81Kq">here</a>.</p>
      ${cta('https://trk.esp.example/c/Lu55Vv')}`,
    listUnsubscribe: ['https://trk.esp.example/c/Lu55Vv'],
  });
  assert.deepEqual(
    told.filter((l) => l.part !== 'header').map((l) => [l.url, l.unsubscribe]),
    [
      ['https://trk.esp.example/c/AbX9Qz7Lm2', true],
      ['https://trk.esp.example/c/Zz81Kq', true],
      ['https://trk.esp.example/c/Lu55Vv', true],
    ],
  );
});

test('unsubscribe in plain text: told by the words on its line, or the line above a URL alone on its line', () => {
  const links = extractLinks({
    text:
      'To stop receiving these e-mails, go to https://trk.esp.example/c/Zy9Kq2\n\n' +
      'Our offer: https://trk.esp.example/c/Qx7Lm4 (or reply to opt out: mailto:u@esp.example)\n\n' +
      'To be removed from our list, follow the link below:\n\nhttps://trk.esp.example/c/Rm3Tt8\n' +
      'https://trk.esp.example/c/Pp5Ww1 shows the offer online\n',
  });
  assert.deepEqual(
    links.map((l) => [l.url, l.unsubscribe]),
    [
      ['https://trk.esp.example/c/Zy9Kq2', true],
      ['https://trk.esp.example/c/Qx7Lm4', false],
      ['https://trk.esp.example/c/Rm3Tt8', true],
      ['https://trk.esp.example/c/Pp5Ww1', false],
    ],
  );
  assert.equal(pickMainLink(links)?.url, 'https://trk.esp.example/c/Qx7Lm4');
});

test('a URL the HTML part calls an opt-out is one in the plain-text part too (never traced by --trace all)', () => {
  const links = extractLinks({
    html: '<p><a href="https://trk.esp.example/c/Qx7Lm4">Shop now</a></p><p><a href="https://trk.esp.example/c/Zy9Kq2#u">Unsubscribe</a></p>',
    text: 'Shop now: https://trk.esp.example/c/Qx7Lm4\n\nhttps://trk.esp.example/c/Zy9Kq2\n',
  });
  assert.deepEqual(
    links.map((l) => [l.part, l.url, l.unsubscribe]),
    [
      ['html', 'https://trk.esp.example/c/Qx7Lm4', false],
      ['html', 'https://trk.esp.example/c/Zy9Kq2#u', true],
      ['text', 'https://trk.esp.example/c/Qx7Lm4', false],
      ['text', 'https://trk.esp.example/c/Zy9Kq2', true],
    ],
  );
});

test('plain text: a "View online" URL is not the main link; its line says what it is', () => {
  const links = extractLinks({
    text: 'View online: https://esp.example/v/Ab12Cd34\n\nHi, see our deal at https://esp.example/c/Ef56Gh78\n',
  });
  assert.equal(pickMainLink(links)?.url, 'https://esp.example/c/Ef56Gh78');
});

test('phishing mail pointing every link at one page, its "Unsubscribe" too: the page is still the main link', () => {
  const lure = 'https://secure-login.phish.example/verify?id=8812';
  const links = extractLinks({
    html: `<p><a href="${lure}">Verify your account</a></p><p><small><a href="${lure}">Unsubscribe</a></small></p>`,
    text: `Verify your account: ${lure}\n\nUnsubscribe: ${lure}\n`,
  });
  assert.deepEqual(
    links.map((l) => [l.part, l.text, l.unsubscribe]),
    [
      ['html', 'Verify your account', false],
      ['html', 'Unsubscribe', true],
      // Both plain-text places are one link (the same URL, no words of its own); one says opt-out.
      ['text', null, true],
    ],
  );
  assert.equal(pickMainLink(links)?.url, lure);
});

test('main link: a short anchor answering "Trouble viewing?" is the web version, not the call-to-action', () => {
  const links = extractLinks({
    html: `<p style="font-size:11px">Wird diese E-Mail nicht korrekt angezeigt? <a href="https://shop.example/web">Hier klicken</a></p>
      <p><a href="https://shop.example/"><img src="logo.png" width="150" alt="Shop"></a></p>
      <p><a href="https://click.example/c/1">Zum Angebot</a></p>`,
  });
  assert.equal(pickMainLink(links)?.url, 'https://click.example/c/1');
  assert.equal(byText(links, 'Hier klicken')?.prominence, 1);
});

test('main link: "To unsubscribe: click here" is an opt-out, read across the colon', () => {
  const links = extractLinks({ html: `<p>To unsubscribe: <a href="https://shop.example/x?u=1">click here</a></p>` });
  assert.equal(links[0].unsubscribe, true);
});

test('main link: a tel: button can be the call-to-action; a mailto: in the fine print never is', () => {
  const links = extractLinks({
    html: `<p><a href="tel:+18005550199" style="background:#0b6e4f;padding:14px">Call 1-800-555-0199</a></p>
      <p>Write to <a href="mailto:a@shop.example">a@shop.example</a> or see <a href="https://shop.example/">shop.example</a></p>
      <p><a href="mailto:?subject=Deal" style="background:#333;padding:8px">Forward to a friend</a></p>`,
  });
  assert.equal(pickMainLink(links)?.url, 'tel:+18005550199');
  assert.equal(byText(links, 'a@shop.example')?.prominence, 0);
  assert.equal(byText(links, 'Forward to a friend')?.prominence, 0);
});

test('main link: a plain-text URL under "Claim your discount here:" beats a URL above it', () => {
  const links = extractLinks({
    text: 'Read our story at https://shop.example/about\n\nClaim your discount here:\nhttps://click.example/c/2\n',
  });
  assert.equal(pickMainLink(links)?.url, 'https://click.example/c/2');
});

test('main link: an Outlook-only VML button is a link, and a button', () => {
  const links = extractLinks({
    html: `<a href="https://shop.example/"><img src="logo.png" width="140" alt="Shop"></a>
      <!--[if mso]><v:roundrect href="https://click.example/c/3?a=1&amp;b=2" fillcolor="#3b5bdb"><center>Start free trial</center></v:roundrect><![endif]-->
      <!-- a plain comment <v:roundrect href="https://not.example/">x</v:roundrect> -->`,
  });
  assert.deepEqual(
    links.map((l) => [l.url, l.text]),
    [
      ['https://shop.example/', 'Shop'],
      ['https://click.example/c/3?a=1&b=2', 'Start free trial'],
    ],
  );
  assert.equal(pickMainLink(links)?.url, 'https://click.example/c/3?a=1&b=2');
});
