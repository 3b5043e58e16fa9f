import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExploreEvent, PageControl } from '../model.js';
import {
  MIN_SCORE,
  chooseCallToAction,
  consentAnswer,
  consentDismissals,
  normalizeWords,
  pointingSentence,
  popupClosers,
  refusesConsent,
  scoreControl,
  scoreControls,
  targetOf,
} from './call-to-action.js';
import { markedBox, markedScreenshotPath } from './explore-steps.js';
import { testControl } from './test-control.js';

const PAGE = { url: 'https://promo.example/landing', viewport: { width: 1280, height: 720 } };

/** A plain in-content link above the fold, as the page script reads one. */
const control = testControl;

const button = (fields: Partial<PageControl> = {}) =>
  control({
    look: { background: 'rgb(0, 187, 85)', padding: [10, 20], radius: 4, fontSize: 16 },
    box: { x: 400, y: 300, width: 180, height: 44 },
    ...fields,
  });

describe('call-to-action wording', () => {
  const wording: [string, string][] = [
    ['en', 'Shop now'],
    ['en', 'Find out more'],
    ['de', 'Jetzt kaufen'],
    ['de', 'Mehr erfahren'],
    ['fr', 'En savoir plus'],
    ['fr', 'Découvrez l’offre'],
    ['es', 'Más información'],
    ['it', 'Scopri di più'],
    ['nl', 'Bekijk de aanbieding'],
    ['pt', 'Saiba mais'],
    ['pl', 'Kup teraz'],
    ['pl', 'Dowiedz się więcej'],
    ['ru', 'Купить сейчас'],
    ['ru', 'Подробнее'],
    ['ja', '今すぐ購入する'],
    ['ja', '詳しくはこちら'],
    ['zh', '立即购买'],
    ['en', 'Create your free account'],
    ['fr', 'Commander maintenant'],
    ['es', 'Comprar ahora'],
    ['it', 'Acquista ora'],
    ['nl', 'Nu bestellen'],
    ['ru', 'Заказать'],
    ['ja', '今すぐ購入'],
    ['ko', '지금 구매'],
    ['ko', '자세히 보기'],
    ['zh', '立即領取優惠'],
    ['zh', '立即註冊'],
    ['es', 'Ver la oferta'],
    ['es', '¡Quiero mi descuento!'],
    ['fr', "Je découvre l'offre"],
    // Sweepstakes, shops and prize pages (explore hunt 2).
    ['de', 'Gewinn abholen'],
    ['de', 'Jetzt teilnehmen'],
    ['fr', 'Je participe'],
    ['fr', 'Réclamer mon cadeau'],
    ['es', 'Reclamar mi premio'],
    ['es', 'Participar ahora'],
    ['it', 'Partecipa ora'],
    ['it', 'Riscatta il premio'],
    ['it', 'Ottieni lo sconto'],
    ['nl', 'Doe mee'],
    ['pt', 'Resgatar prêmio'],
    ['pt', 'Garantir minha vaga'],
    ['pl', 'Odbierz nagrodę'],
    ['pl', 'Weź udział'],
    ['ru', 'Забрать приз'],
    ['ja', '今すぐチェック'],
    ['ja', '受け取る'],
    ['zh', '马上抢购'],
    ['zh', '领取奖品'],
    ['ar', 'احصل على جائزتك'],
    ['en', 'Add to cart'],
    ['en', 'Proceed to checkout'],
    // Turkish, Vietnamese and Indonesian (explore hunt 5).
    ['tr', 'Hemen satın alın'],
    ['tr', 'SATIN AL'],
    ['tr', 'Fırsatı yakala'],
    ['tr', 'Sepete ekle'],
    ['vi', 'Mua ngay'],
    ['vi', 'Đăng ký ngay'],
    ['vi', 'Nhận ưu đãi'],
    ['id', 'Beli sekarang'],
    ['id', 'Klaim hadiah'],
    ['id', 'Lihat penawaran'],
    ['sv', 'Köp nu'],
    ['da', 'Køb nu'],
    ['no', 'Kjøp nå'],
    ['fi', 'Lue lisää'],
    ['ro', 'Cumpără acum'],
    ['hu', 'Tudj meg többet'],
    ['el', 'Αγοράστε τώρα'],
    ['el', 'ΑΓΟΡΑΣΤΕ ΤΩΡΑ'],
    ['uk', 'Купити зараз'],
    ['cs', 'Koupit nyní'],
    ['th', 'ซื้อเลย'],
    ['th', 'คลิกที่นี่เพื่อรับสิทธิ์'],
    // Styled alphabets and mixed scripts spam writes its words in (lookalike-letters.ts).
    ['en', '𝐂𝐥𝐚𝐢𝐦 𝐍𝐨𝐰'],
    ['en', 'ＳＨＯＰ ＮＯＷ'],
    ['en', 'Сlaim now'],
    ['en', 'С\u200blaim now'],
    // Funnel steps and requests (explore hunt 7).
    ['de', 'Jetzt gratis anfordern'],
    ['de', "Los geht's"],
    ['fr', 'Je valide'],
    ['fr', "Accéder à l'offre"],
    ['es', 'Solicitar ahora'],
    ['es', 'Únete ahora'],
    ['pt', 'Ver detalhes'],
    ['pt', 'Solicitar agora'],
    ['it', "Vai all'offerta"],
    ['nl', 'Nu aanvragen'],
    ['nl', 'Start nu'],
    ['pl', 'Zacznij teraz'],
    ['pl', 'Przejdź do oferty'],
    ['tr', 'Hemen başla'],
    ['tr', 'Devam'],
  ];
  for (const [lang, text] of wording) {
    test(`"${text}" (${lang}) is a call-to-action`, () => {
      const { score, reasons, refused } = scoreControl(control({ text }), PAGE);
      assert.equal(refused, null);
      assert.ok(
        reasons.some((r) => r.includes('call-to-action wording') && r.endsWith(`(${lang})`)),
        reasons.join('; '),
      );
      assert.ok(score >= MIN_SCORE, `${score}: ${reasons.join('; ')}`);
    });
  }

  test('matches whole words, case and accents aside', () => {
    assert.equal(normalizeWords('  MÁS   Información '), 'mas informacion');
    // Turkish: a capital I lower-cases to i, so dotless ı is read as i ("SATIN AL" is "Satın al"); İ loses its dot.
    assert.equal(normalizeWords('Satın al'), normalizeWords('SATIN AL'));
    assert.equal(normalizeWords('İNDİRİM'), 'indirim');
    assert.equal(normalizeWords('Strona główna'), 'strona glowna');
    assert.ok(scoreControl(control({ text: 'Strona główna' }), PAGE).reasons.includes('-15 navigation link'));
    assert.ok(scoreControl(control({ text: 'CLAIM your prize' }), PAGE).reasons.some((r) => r.includes('"claim your"')));
    assert.ok(!scoreControl(control({ text: 'Reclaimed wood tables' }), PAGE).reasons.some((r) => r.includes('wording')));
  });

  test('a control of thousands of letters is read whole: wording at its end still counts', () => {
    // A hostile page's 5,000-letter link once took seconds per read, its phrases tried one by one at every letter.
    const long = `${'x'.repeat(20000)} ${'lorem ipsum '.repeat(2000)}`;
    assert.ok(scoreControl(control({ text: `${long} unsubscribe` }), PAGE).refused);
    assert.ok(scoreControl(control({ text: `${long} shop now` }), PAGE).reasons.some((r) => r.includes('"shop now"')));
    assert.equal(
      scoreControl(control({ text: `${long}xshop now` }), PAGE).reasons.some((r) => r.includes('"shop now"')),
      false,
    );
  });

  test('words of unspaced scripts match inside a longer run; spaced ones only as whole words', () => {
    assert.ok(scoreControl(control({ text: 'สั่งซื้อเลยวันนี้' }), PAGE).reasons.some((r) => r.includes('"สั่งซื้อเลย" (th)')));
    assert.ok(scoreControl(control({ text: 'こちらから今すぐ購入できます' }), PAGE).reasons.some((r) => r.includes('"今すぐ購入" (ja)')));
    assert.ok(!scoreControl(control({ text: 'Купитьсейчас' }), PAGE).reasons.some((r) => r.includes('wording')));
  });

  test('"Sign in", "Log in" and the like are navigation, "Sign up" is not', () => {
    for (const text of ['Sign in', 'Log in', 'Einloggen', 'Se connecter', 'Iniciar sesión', 'Zaloguj się', 'Войти', 'ログイン'])
      assert.ok(scoreControl(button({ text }), PAGE).reasons.includes('-15 navigation link'), text);
    assert.ok(!scoreControl(button({ text: 'Sign up' }), PAGE).reasons.includes('-15 navigation link'));
  });

  test('a short name earns more than the same words inside a sentence', () => {
    const short = scoreControl(control({ text: 'Learn more' }), PAGE).score;
    const sentence = scoreControl(
      control({ text: 'If you would like to learn more about the history of our company, see here' }),
      PAGE,
    ).score;
    assert.ok(short > sentence, `${short} vs ${sentence}`);
  });
});

describe('what a person sees', () => {
  test('a styled button outscores a plain link with the same words', () => {
    const plain = scoreControl(control({ text: 'Get started' }), PAGE);
    const styled = scoreControl(button({ text: 'Get started' }), PAGE);
    assert.ok(styled.score > plain.score);
    for (const part of ['coloured background', 'button padding', 'rounded corners'])
      assert.ok(
        styled.reasons.some((r) => r.includes(part)),
        part,
      );
    const element = scoreControl(button({ tag: 'button', href: null, rawHref: null, text: 'Get started' }), PAGE);
    assert.ok(element.score > styled.score);
    assert.ok(element.reasons.some((r) => r.includes('<button>')));
  });

  test('above the fold beats far below it; navigation and footer links lose', () => {
    const above = scoreControl(control({ text: 'Shop now' }), PAGE).score;
    const below = scoreControl(control({ text: 'Shop now', box: { x: 400, y: 2500, width: 120, height: 18 } }), PAGE).score;
    assert.ok(above > below);
    const nav = scoreControl(control({ text: 'About us', landmark: 'nav' }), PAGE);
    assert.ok(nav.score < 0, nav.reasons.join('; '));
    assert.ok(nav.reasons.some((r) => r.includes('navigation link')));
    assert.ok(scoreControl(control({ landmark: 'footer' }), PAGE).score < scoreControl(control(), PAGE).score);
  });

  test("a page's own widgets are not calls-to-action, however they look", () => {
    const scriptButton = (fields: Partial<PageControl>) => button({ tag: 'button', href: null, rawHref: null, ...fields });
    for (const widget of [
      scriptButton({ text: '›' }),
      scriptButton({ text: '×' }),
      scriptButton({ text: 'Next slide' }),
      scriptButton({ text: 'Play video' }),
      scriptButton({ text: 'Overview', widget: 'aria-expanded' }),
      scriptButton({ text: 'Reviews', tag: 'span', role: 'tab', widget: 'role=tab' }),
      scriptButton({ text: 'Close' }),
    ]) {
      const { score, reasons } = scoreControl(widget, PAGE);
      assert.ok(score < MIN_SCORE, `${widget.text}: ${score} ${reasons.join('; ')}`);
    }
    const offer = scoreControl(scriptButton({ text: 'Get your discount' }), PAGE);
    assert.ok(offer.score >= MIN_SCORE, offer.reasons.join('; '));
    const silent = scoreControl(scriptButton({ text: 'Go' }), PAGE);
    assert.ok(silent.reasons.includes('-15 no call-to-action wording and no link'), silent.reasons.join('; '));
  });

  test('another site and a known tracker count; a social network does not', () => {
    const same = scoreControl(control({ text: 'Shop now' }), PAGE).score;
    const other = scoreControl(control({ text: 'Shop now', href: 'https://shop.example.org/deal' }), PAGE);
    assert.ok(other.reasons.includes('+10 leads to another site (example.org)'), other.reasons.join('; '));
    const tracked = scoreControl(control({ text: 'Shop now', href: 'https://click.brand.example/ls/click?upn=abc' }), PAGE);
    assert.ok(
      tracked.reasons.some((r) => r.startsWith('+10 known tracker (Twilio SendGrid)')),
      tracked.reasons.join('; '),
    );
    assert.ok(tracked.score > other.score && other.score > same);
    const social = scoreControl(control({ text: 'Facebook', href: 'https://www.facebook.com/brand' }), PAGE);
    assert.ok(social.reasons.some((r) => r.includes('social network')));
  });
});

describe('never followed', () => {
  const refusals: [string, Partial<PageControl>, RegExp][] = [
    ['display:none', { text: 'Shop now', hidden: 'display:none' }, /^hidden \(display:none\)$/],
    ['mailto:', { text: 'Email us now', href: 'mailto:a@promo.example', rawHref: 'mailto:a@promo.example' }, /^mailto: link$/],
    ['tel:', { text: 'Call now', href: 'tel:+15555550123', rawHref: 'tel:+15555550123' }, /^tel: link$/],
    ['sms:', { text: 'Text us', href: 'sms:+15555550123', rawHref: 'sms:+15555550123' }, /^sms: link$/],
    ['javascript:', { text: 'Claim', href: 'javascript:void(0)', rawHref: 'javascript:void(0)' }, /^javascript: link$/],
    [
      'other schemes',
      { text: 'Open', href: 'whatsapp://send?text=hi', rawHref: 'whatsapp://send?text=hi' },
      /^not a web link \(whatsapp:\)$/,
    ],
    ['a #fragment', { text: 'Learn more', href: `${PAGE.url}#details`, rawHref: '#details' }, /^same-page anchor$/],
    [
      'this page with a fragment',
      { text: 'Learn more', href: `${PAGE.url}#details`, rawHref: `${PAGE.url}#details` },
      /^same-page anchor$/,
    ],
    ['the download attribute', { text: 'Get the app', download: true }, /^download link \(download attribute\)$/],
    ['a .pdf', { text: 'Download your voucher', href: 'https://promo.example/files/voucher.pdf' }, /^download link \(\.pdf\)$/],
    ['an .exe', { text: 'Install now', href: 'https://promo.example/setup.EXE' }, /^download link \(\.exe\)$/],
    ['unsubscribe text', { text: 'Unsubscribe from all mailings' }, /^unsubscribe/],
    ['opt-out text (de)', { text: 'Newsletter abbestellen' }, /^unsubscribe/],
    ['unsubscribe URL', { text: 'Click here', href: 'https://promo.example/email/unsubscribe?u=1' }, /^unsubscribe/],
    ['manage preferences', { text: 'Manage preferences' }, /^unsubscribe/],
    ...['Cancelar assinatura', 'Sair da lista', 'Отписка', 'Zrezygnuj z newslettera', 'Je ne souhaite plus recevoir ces e-mails']
      .concat(['Keine Mails mehr erhalten', 'Abonelikten çık', 'Odhlásit se'])
      .concat(['Abonelikten çıkın', 'ABONELİKTEN ÇIKMAK İÇİN TIKLAYIN', 'Aboneliğinizi iptal edin', 'Hủy đăng ký', 'Huỷ đăng ký'])
      .concat(['Ngừng nhận email', 'Berhenti berlangganan', 'Batalkan langganan'])
      .concat(['Avsluta prenumerationen', 'Afmeld nyhedsbrev', 'Meld deg av', 'Peruuta tilaus', 'Dezabonează-te', 'Leiratkozás'])
      .concat(['ΑΠΕΓΓΡΑΦΗ', 'Κατάργηση εγγραφής', 'Відписатися', 'Odjavite se'])
      .concat(['ยกเลิกการสมัครรับข่าวสาร', 'หากไม่ต้องการรับอีเมลนี้'])
      .concat(['Ｕｎｓｕｂｓｃｒｉｂｅ', '𝐔𝐧𝐬𝐮𝐛𝐬𝐜𝐫𝐢𝐛𝐞', 'Unsubscrіbe', 'ᴜɴꜱᴜʙꜱᴄʀɪʙᴇ', 'Oтписаться'])
      .concat(['Email settings', 'Subscription settings', 'Change email frequency', 'Newsletter-Einstellungen', 'Abo verwalten'])
      // Back on the list (an unsubscribed page's offer to undo it): list management too.
      .concat(['Resubscribe', 'Re-subscribe', 'Subscribe again', 'Erneut abonnieren', 'Se réabonner', 'Volver a suscribirse'])
      .concat(['Stop emails', 'Remove my email', 'Leave this list', 'Newsletter kündigen', 'Anular mi suscripción'])
      .concat(['No quiero recibir más correos', 'Não quero receber estes e-mails', 'Non voglio più ricevere e-mail'])
      .concat(['E-posta listesinden çık', 'Aboneliği sonlandır'])
      .map((text): [string, Partial<PageControl>, RegExp] => [`"${text}"`, { text }, /^unsubscribe/]),
    ['preferences URL', { text: 'Update', href: 'https://promo.example/preference-center?id=1' }, /^unsubscribe/],
    ['resubscribe URL', { text: 'Yes, keep me posted', href: 'https://promo.example/list/resubscribe?u=1' }, /^unsubscribe/],
    ['privacy', { text: 'Privacy policy' }, /^privacy/],
    ['terms URL', { text: 'Read', href: 'https://promo.example/terms?lang=en' }, /^privacy/],
    ['Datenschutz', { text: 'Datenschutz' }, /^privacy/],
    ['a cookie banner', { text: 'Accept all', tag: 'button', href: null, rawHref: null }, /^cookie banner$/],
    ['a button in a consent banner', { text: 'Accept', tag: 'button', href: null, rawHref: null, cookieBanner: true }, /^cookie banner$/],
    [
      'a form that needs typing',
      { text: 'Get started', tag: 'button', type: 'submit', form: { typing: 1 } },
      /^submits a form that needs typing$/,
    ],
    ['a reset button', { text: 'Start over', tag: 'input', type: 'reset', href: null, rawHref: null }, /^resets a form$/],
    [
      'a form with a required box not ticked',
      { text: 'Continue', tag: 'button', type: 'submit', form: { typing: 0, required: 1 } },
      /^submits a form with required fields left empty$/,
    ],
    // What a phone or PC installs or runs when opened: an iOS profile, ClickOnce, Java Web Start, App Installer, scripts, shortcuts.
    ...['wifi.mobileconfig', 'Reward.application', 'start.jnlp', 'update.appinstaller', 'run.vbe', 'tool.cpl', 'offer.url', 'invoice.xlam']
      .concat(['search.search-ms', 'setup.scf', 'macro.dotm', 'split.apks'])
      .map((file): [string, Partial<PageControl>, RegExp] => [
        `a .${file.split('.')[1]}`,
        { text: 'Get started', href: `https://promo.example/get/${file}?v=2` },
        new RegExp(`^download link \\(\\.${file.split('.')[1].toLowerCase()}\\)$`),
      ]),
    [
      'a .pdf with a query',
      { text: 'Read the report', href: 'https://promo.example/files/report.pdf?utm_source=mail' },
      /^download link \(\.pdf\)$/,
    ],
    [
      'a .zip encoded in the path',
      { text: 'Get it', href: 'https://promo.example/get/brand%2Ezip;jsessionid=1' },
      /^download link \(\.zip\)$/,
    ],
    [
      'a known wrapper whose target is a download',
      { text: 'Get it', href: 'https://www.google.com/url?q=https%3A%2F%2Fcdn.example%2Fvoucher.pdf%3Fx%3D1' },
      /^download link \(\.pdf\)$/,
    ],
    [
      'the download attribute on a link whose path names no file',
      { text: 'View the offer', href: 'https://promo.example/view?doc=offer', download: true },
      /^download link \(download attribute\)$/,
    ],
    ['an .msix', { text: 'Get it now', href: 'https://promo.example/brand.msix' }, /^download link \(\.msix\)$/],
    ['an .xapk', { text: 'Get it now', href: 'https://promo.example/brand.xapk' }, /^download link \(\.xapk\)$/],
  ];
  const unsubscribe = [
    'Darme de baja',
    'Annulla l’iscrizione',
    'Cancelar a inscrição',
    'Me désinscrire',
    'Отписаться от рассылки',
    '配信停止はこちら',
    'Manage your subscription',
    '取消订阅',
  ];
  for (const text of unsubscribe) refusals.push([`"${text}"`, { text }, /^unsubscribe/]);
  for (const path of ['/baja?id=1', '/nl/afmelden', '/it/disiscrizione', '/pt/descadastrar', '/otpiska?u=1'])
    refusals.push([`unsubscribe URL ${path}`, { text: 'Click here', href: `https://promo.example${path}` }, /^unsubscribe/]);
  // An e-mail's footer matter on a page: a complaint to the sender's abuse desk, and why the mail came.
  for (const text of ['Report abuse', 'Mark as spam', 'Als Spam melden', 'Signaler un abus', 'Zgłoś nadużycie', 'Сообщить о спаме'])
    refusals.push([`"${text}"`, { text }, /^abuse \/ spam report link$/]);
  refusals.push(['an abuse report URL', { text: 'Go', href: 'https://esp.example/report-abuse?m=1' }, /^abuse \/ spam report link$/]);
  refusals.push([
    'a "click here" whose sentence reports spam',
    { text: 'click here', context: 'To report this message as spam, click here.', href: 'https://esp.example/r?m=1' },
    /^abuse \/ spam report link \(its sentence says "report this message"\)$/,
  ]);
  refusals.push(['"Why did I get this?"', { text: 'Why did I get this?' }, /^unsubscribe/]);
  for (const [name, fields, reason] of refusals) {
    test(name, () => {
      const scored = scoreControl(button(fields), PAGE);
      assert.match(scored.refused ?? '(not refused)', reason);
    });
  }

  test('a link to "#" or "javascript:void(0)" with an onclick attribute is a button; without one it does nothing', () => {
    for (const rawHref of ['#', 'javascript:void(0)', 'javascript:;', 'JavaScript: void 0;']) {
      const href = rawHref === '#' ? `${PAGE.url}#` : rawHref;
      const acting = scoreControl(button({ text: 'Get the offer', href, rawHref, onclick: true }), PAGE);
      assert.equal(acting.refused, null, rawHref);
      assert.ok(acting.reasons.includes('+0 a script button (onclick; its href goes nowhere)'), acting.reasons.join('; '));
      assert.ok(acting.score >= MIN_SCORE);
      assert.notEqual(scoreControl(button({ text: 'Get the offer', href, rawHref }), PAGE).refused, null, rawHref);
    }
    assert.notEqual(
      scoreControl(button({ text: 'Get the offer', rawHref: '#details', href: `${PAGE.url}#details`, onclick: true }), PAGE).refused,
      null,
    );
  });

  test("a footer's legal and site links styled as buttons are no call-to-action", () => {
    const big = { look: { background: 'rgb(228, 0, 43)', padding: [14, 32] as [number, number], radius: 6, fontSize: 18 } };
    assert.match(
      scoreControl(button({ text: 'Do Not Sell or Share My Personal Information', href: 'https://promo.example/dnsmpi' }), PAGE).refused ??
        '',
      /^privacy/,
    );
    for (const text of ['Sitemap', 'Accessibility', 'AdChoices', 'Not you?', 'View in browser', 'View this email in your browser']) {
      const scored = scoreControl(button({ text, href: 'https://promo.example/x', ...big }), PAGE);
      assert.ok(scored.score < MIN_SCORE, `${text}: ${scored.reasons.join('; ')}`);
    }
  });

  test('a report or a spam-free promise is no abuse report', () => {
    for (const text of ['Get the full report', 'Read our 2026 report', 'Spam-free newsletter: sign up', 'Report card'])
      assert.equal(scoreControl(button({ text, href: 'https://promo.example/report-2026' }), PAGE).refused, null, text);
  });

  test('a lure that asks to accept new terms is not taken for footer matter', () => {
    assert.equal(
      scoreControl(button({ text: 'Review and accept the new terms', tag: 'button', href: null, rawHref: null }), PAGE).refused,
      null,
    );
  });

  test('an offer whose address starts a segment with a legal word is no footer matter; legal pages are', () => {
    for (const href of [
      'https://insurer.example/legal-protection-insurance/quote',
      'https://shop.example/cookies-and-cream/buy',
      'https://shop.example/privacy-screen-protector?sku=1',
      'https://promo.example/offers/terms-box-prize/claim',
      'https://lawyers.example/legal_services/start',
    ])
      assert.equal(scoreControl(button({ text: 'Get a quote', href }), PAGE).refused, null, href);
    for (const href of [
      'https://promo.example/privacy',
      'https://promo.example/privacy-policy',
      'https://promo.example/terms-of-use?x=1',
      'https://promo.example/terms-and-conditions.html',
      'https://promo.example/legal/imprint',
      'https://promo.example/cookie-policy',
      'https://promo.example/de/datenschutz/',
      'https://promo.example/datenschutzerklaerung',
      'https://promo.example/privacy_notice',
      'https://promo.example/agb.html',
    ])
      assert.equal(scoreControl(button({ text: 'Read', href }), PAGE).refused, 'privacy / terms link', href);
  });

  test("a server program in the path is no download: an ISAPI .dll answers pages (Epsilon's optiextension.dll)", () => {
    const href = 'http://news.brand.example/optiext/optiextension.dll?ID=Ue0V8Z%2BbT4oKj2yWm9LrQx';
    assert.equal(scoreControl(button({ text: 'Find out more', href }), PAGE).refused, null);
  });

  test('a file of a download type named by a query value or any path segment is a download, however it is encoded', () => {
    for (const [path, ext] of [
      ['/dl?file=Setup.exe', 'exe'],
      ['/download.php?f=invoice.zip', 'zip'],
      ['/get?name=app.apk&x=1', 'apk'],
      ['/get?app.apk', 'apk'],
      ['/go?file=report.pdf', 'pdf'],
      ['/dl?file=BrandSetup.exe&v=2', 'exe'],
      ['/files/Report.pdf.exe?dl=1', 'exe'],
      ['/dl?f=Report.pdf.exe', 'exe'],
      ['/dl/Setup.exe;jsessionid=A1B2C3', 'exe'],
      ['/dl?f=Setup.exe;jsessionid=A1B2C3', 'exe'],
      ['/dl/Setup%2Eexe', 'exe'],
      ['/dl?f=Setup%252Eexe', 'exe'],
      ['/dl/Setup.exe.', 'exe'],
      ['/projects/brand/files/setup.exe/download', 'exe'],
      ['/get/app.apk/', 'apk'],
      ['/fetch?path=%2Ffiles%2Fbrand-installer.msi', 'msi'],
      ['/fetch?path=files%5Cbrand.scr', 'scr'],
      ['/c?u=https%3A%2F%2Fcdn.example%2Fvoucher.pdf', 'pdf'],
      ['/c?u=https%3A%2F%2Fcdn.example%2Fget%3Ffile%3Dsetup.exe', 'exe'],
      ['/r/https://cdn.example/files/setup.exe', 'exe'],
      // A viewer shows a document, never a program.
      ['/view?doc=Setup.exe', 'exe'],
      ['/viewer?file=macro.docm', 'docm'],
    ]) {
      const href = `https://promo.example${path}`;
      assert.equal(scoreControl(button({ text: 'See the offer', href }), PAGE).refused, `download link (.${ext})`, href);
    }
  });

  test("landing pages stay followed: no file named, a tracking parameter's label, an address, a viewer's document", () => {
    for (const href of [
      'https://promo.example/offer?ref=setup',
      'https://promo.example/product.html?sku=exe-200',
      'https://promo.example/offer.html?utm_content=banner.zip#x.exe',
      'https://promo.example/lp?utm_source=mail&cmpid=spring.zip&gclid=a.exe',
      'https://promo.example/offer?v=2.0.1&step=1.5',
      'https://promo.example/claim?email=jane%40brand.sh',
      'https://promo.example/go?u=https%3A%2F%2Fbrand.zip%2Foffer',
      'https://promo.example/r/https://brand.sh/offer',
      'https://offer.example/view?doc=x.pdf',
      'https://offer.example/pdfjs/web/viewer.html?file=%2Fdocs%2Fbrochure.pdf',
      'https://docs.example/viewer?url=https%3A%2F%2Fcdn.example%2Freport.docx',
      'https://promo.example/optiext/optiextension.dll?ID=x.y',
    ])
      assert.equal(scoreControl(button({ text: 'See the offer', href }), PAGE).refused, null, href);
  });

  test("a site's name in a query value is no file though .zip, .mov and .sh are top-level domains; a parameter named for a file still names one", () => {
    for (const path of ['/go?site=brand.zip', '/lp?ref=promo.mov&src=www.shop.zip', '/c?domain=brand.sh&id=7', '/o?partner=deals.zip'])
      assert.equal(scoreControl(button({ text: 'See the offer', href: `https://promo.example${path}` }), PAGE).refused, null, path);
    for (const [path, ext] of [
      ['/download.php?f=invoice.zip', 'zip'],
      ['/get?file=brand.zip', 'zip'],
      ['/dl?filename=statement.zip', 'zip'],
      ['/x?attachment=docs.zip', 'zip'],
      ['/x?name=brand.zip', 'zip'],
      ['/x?site=Invoice_2291.zip', 'zip'],
      ['/x?site=Setup.exe', 'exe'],
      ['/get?brand.zip', 'zip'],
      ['/files/brand.zip', 'zip'],
    ]) {
      const href = `https://promo.example${path}`;
      assert.equal(scoreControl(button({ text: 'See the offer', href }), PAGE).refused, `download link (.${ext})`, href);
    }
  });

  test('a box with no link whose click a script receives is judged by the address in its data attribute too', () => {
    const box = { tag: 'div', text: 'Get your invoice now', href: null, rawHref: null, lookalike: true };
    const zip = 'https://files.example/invoice.zip';
    for (const by of [{ delegatedListener: 'the document' }, { clickListener: true }, { onclick: true }])
      assert.equal(
        scoreControl(button({ ...box, ...by, dataHref: zip }), PAGE).refused,
        'download link (.zip) (where its data attribute says it leads)',
        JSON.stringify(by),
      );
    assert.equal(
      scoreControl(button({ ...box, delegatedListener: 'the document', dataHref: 'https://promo.example/u/unsubscribe?id=1' }), PAGE)
        .refused,
      'unsubscribe / opt-out / preferences link (where its data attribute says it leads)',
    );
    assert.equal(
      scoreControl(button({ ...box, delegatedListener: 'the document', dataHref: 'https://offer.example/deal' }), PAGE).refused,
      null,
    );
    // A "#" link whose listener's plain navigation says where it leads is judged by that, not by its data attribute.
    const link = { ...box, tag: 'a', rawHref: '#', href: `${PAGE.url}#`, delegatedListener: '<div id=root>', dataHref: zip };
    assert.equal(scoreControl(button({ ...link, onclickHref: 'https://offer.example/deal' }), PAGE).refused, null);
  });

  test('a link whose click a listener around it receives is judged by the other address in its data attribute too', () => {
    const link = { tag: 'a', text: 'Download your statement', href: 'https://offer.example/deal', rawHref: 'https://offer.example/deal' };
    for (const dataHref of ['https://files.example/statement.zip', 'mailto:a@b.example', 'https://promo.example/u/unsubscribe?id=1'])
      assert.match(
        scoreControl(button({ ...link, delegatedListener: 'the document', dataHref }), PAGE).refused ?? '',
        / \(where its data attribute says it leads\)$/,
        dataHref,
      );
    const zip = 'https://files.example/statement.zip';
    assert.equal(scoreControl(button({ ...link, dataHref: zip }), PAGE).refused, null, 'no listener receives its click');
    assert.equal(scoreControl(button({ ...link, delegatedListener: 'the document', dataHref: link.href }), PAGE).refused, null);
  });

  test('the same rule judges where an onclick leads and what a GET or POST form requests', () => {
    const div = { tag: 'div', role: 'button', href: null, rawHref: null, onclick: true };
    assert.equal(
      scoreControl(button({ ...div, text: 'Get it', onclickHref: 'https://promo.example/dl?file=Setup.exe' }), PAGE).refused,
      'download link (.exe)',
    );
    for (const method of ['get', 'post'] as const)
      assert.equal(
        scoreControl(
          button({
            tag: 'button',
            type: 'submit',
            text: 'Continue',
            href: 'https://promo.example/download.php?f=invoice.zip',
            form: { typing: 0, method },
          }),
          PAGE,
        ).refused,
        'download link (.zip)',
        method,
      );
  });

  test('a link whose query only carries a page address is followed', () => {
    assert.equal(
      scoreControl(button({ text: 'Shop now', href: 'https://click.example/c?u=https%3A%2F%2Fshop.example%2Fsale.html' }), PAGE).refused,
      null,
    );
  });

  test('a submit button of a form with nothing to type is followed', () => {
    assert.equal(scoreControl(button({ text: 'Continue', tag: 'button', type: 'submit', form: { typing: 0 } }), PAGE).refused, null);
  });
});

describe('the choice', () => {
  test('the best control that is not refused, if it scores enough', () => {
    const scored = scoreControls(
      [
        control({ text: 'Home', landmark: 'nav' }),
        button({ text: 'Unsubscribe', box: { x: 0, y: 100, width: 900, height: 200 } }),
        control({ text: 'Our story' }),
        button({ text: 'Shop now' }),
        control({
          text: 'Shop now',
          hidden: 'off-screen',
          look: { background: 'rgb(255, 0, 0)', padding: [30, 60], radius: 8, fontSize: 30 },
        }),
      ],
      PAGE,
    );
    assert.equal(chooseCallToAction(scored), 3);
    assert.ok(scored[1].score > 0 && scored[1].refused);
  });

  test('nothing when only weak or refused controls are left', () => {
    const scored = scoreControls(
      [control({ text: 'Home', landmark: 'nav' }), control({ text: 'Our story' }), button({ text: 'Unsubscribe' })],
      PAGE,
    );
    assert.ok(scored.every((c) => c.refused || c.score < MIN_SCORE));
    assert.equal(chooseCallToAction(scored), null);
  });

  test('a tie goes to the first in the page', () => {
    const scored = scoreControls([button({ text: 'Shop now' }), button({ text: 'Shop now' })], PAGE);
    assert.equal(scored[0].score, scored[1].score);
    assert.equal(chooseCallToAction(scored), 0);
  });
});

describe('a consent notice told by its wording', () => {
  const notices: [string, string, string][] = [
    ['Accept', 'We and our partners use cookies to personalise ads. Accept OK', 'cookies'],
    [
      'OK',
      'We and our 312 partners store and access information on your device to show personalised ads.',
      'access information on your device',
    ],
    ['Got it!', 'This site uses tracking technologies. Got it!', 'tracking technologies'],
    ['I agree', 'By using this site you accept our privacy policy.', 'privacy policy'],
    ['Akzeptieren', 'Wir verwenden Daten für personalisierte Werbung (Einwilligung nach DSGVO).', 'personalisierte werbung'],
    ['Zustimmen', 'Wir und unsere Partner verarbeiten personenbezogene Daten.', 'personenbezogene daten'],
    ['J’accepte', 'Nous utilisons des traceurs pour mesurer l’audience.', 'traceurs'],
    ['Aceptar', 'Utilizamos datos personales para analizar el tráfico.', 'datos personales'],
    ['Accetto', 'Usiamo i cookie per la pubblicità personalizzata.', 'cookie'],
    ['Akkoord', 'Wij gebruiken persoonsgegevens voor advertenties.', 'persoonsgegevens'],
    ['Zgadzam się', 'Używamy plików cookies i przetwarzamy dane osobowe.', 'cookies'],
    ['Принять', 'Мы используем файлы cookie и обрабатываем персональные данные.', 'cookie'],
    ['同意する', '当サイトはクッキーを使用し、個人情報を取り扱います。', 'クッキー'],
    ['我知道了', '本网站使用cookie以改善您的隐私体验。', 'cookie'],
    ['Kabul et', 'Size daha iyi bir deneyim sunmak için çerezler kullanıyoruz.', 'cerezler'],
    ['Đồng ý', 'Chúng tôi sử dụng cookie để cải thiện trải nghiệm của bạn.', 'cookie'],
    ['Setuju', 'Kami menggunakan cookie untuk meningkatkan pengalaman Anda.', 'cookie'],
    ['ยอมรับทั้งหมด', 'เว็บไซต์นี้ใช้คุกกี้เพื่อมอบประสบการณ์ที่ดีที่สุด', 'คุกกี้'],
    ['모두 동의', '이 웹사이트는 쿠키를 사용합니다.', '쿠키를'],
  ];
  for (const [text, context, words] of notices) {
    test(`"${text}" beside "${context.slice(0, 40)}…" is a consent answer`, () => {
      assert.equal(consentAnswer({ text, context }), words);
      const scored = scoreControl(button({ tag: 'button', href: null, rawHref: null, text, context }), PAGE);
      assert.match(scored.refused ?? '', /^cookie banner \(its text speaks of "/);
    });
  }

  test('an offer\'s "Accept offer" and "Claim" are not answers, whatever is written around them', () => {
    for (const text of ['Accept offer', 'Accept your reward', 'Claim', 'Continue', 'Verify now']) {
      assert.equal(consentAnswer({ text, context: 'We use cookies and respect your privacy. ' + text }), null, text);
    }
  });

  test('an "Accept" or "OK" with no consent wording around it stays a call-to-action', () => {
    const context = 'Congratulations! You have been selected for a $500 gift card. Accept to claim your reward.';
    assert.equal(consentAnswer({ text: 'Accept', context }), null);
    const scored = scoreControl(button({ text: 'Accept', context, href: 'https://prize.example/claim' }), PAGE);
    assert.equal(scored.refused, null);
    assert.ok(scored.score >= MIN_SCORE, String(scored.score));
  });

  test('no context (older cases, long controls): not a consent answer by wording', () => {
    assert.equal(consentAnswer({ text: 'Accept' }), null);
    assert.equal(consentAnswer({ text: 'Accept', context: null }), null);
  });

  test('the offer link wins over a notice\'s bigger "Accept" button above it', () => {
    const notice = 'We and our partners use cookies and similar tracking technologies to personalise ads.';
    const scored = scoreControls(
      [
        button({
          tag: 'button',
          text: 'Accept',
          href: null,
          rawHref: null,
          context: notice,
          box: { x: 24, y: 90, width: 120, height: 48 },
        }),
        control({ text: 'See the offer', href: 'https://shop.example/offer', box: { x: 24, y: 300, width: 90, height: 18 } }),
      ],
      PAGE,
    );
    assert.equal(chooseCallToAction(scored), 1);
  });
});

describe("site chrome and other sites' controls", () => {
  test('"Register" or "Log in" in the header loses to the offer; in the content it is still a call-to-action', () => {
    const header = scoreControl(button({ text: 'Register', landmark: 'header', href: 'https://promo.example/register' }), PAGE);
    assert.ok(
      header.reasons.some((r) => r.startsWith('-30 site account ("register")')),
      header.reasons.join(', '),
    );
    const offer = scoreControl(control({ text: 'Click here to get your voucher', href: 'https://shop.example/voucher' }), PAGE);
    assert.ok(offer.score > header.score, `${offer.score} vs ${header.score}`);
    const content = scoreControl(button({ text: 'Register', href: 'https://promo.example/register' }), PAGE);
    assert.ok(content.score >= MIN_SCORE && !content.reasons.some((r) => r.includes('site account')));
  });

  test('"Continue with Facebook" is not an offer; a look-alike leading to another host is judged as any button', () => {
    const script = scoreControl(button({ tag: 'button', text: 'Continue with Facebook', href: null, rawHref: null }), PAGE);
    assert.ok(script.score < MIN_SCORE, String(script.score));
    const provider = scoreControl(button({ text: 'Sign in with Google', href: 'https://accounts.google.com/o/oauth2/auth' }), PAGE);
    assert.ok(
      provider.reasons.some((r) => r.startsWith('-45 signs in with')),
      provider.reasons.join(', '),
    );
    const lure = scoreControl(button({ text: 'Sign in with Microsoft', href: 'https://secure-login.phish.example/m' }), PAGE);
    assert.ok(!lure.reasons.some((r) => r.includes('signs in with')), lure.reasons.join(', '));
  });

  test("a control in a display ad's frame is penalised", () => {
    const scored = scoreControl(button({ text: 'Shop now', frame: 'https://ads.example/ad', frameAd: '300×250 slot' }), PAGE);
    assert.ok(scored.reasons.includes("-40 in a display ad's frame (300×250 slot)"), scored.reasons.join(', '));
    // A frame served by an ad server is an ad whatever its size.
    const served = scoreControl(button({ text: 'Shop now', frame: 'https://tpc.googlesyndication.com/simgad/1' }), PAGE);
    assert.ok(served.reasons.includes("-40 in a display ad's frame (ad server googlesyndication.com)"), served.reasons.join(', '));
  });

  test("an ad-sized frame of the page's own site, or that is all the page offers, is not an ad; a labelled one is", () => {
    const own = button({ text: 'Claim your reward', frame: 'https://offers.promo.example/box', frameAd: '300×250 slot' });
    assert.ok(!scoreControl(own, PAGE).reasons.some((r) => /display ad/.test(r)));
    const alone = button({ text: 'Claim your reward', frame: 'https://network.example/box', frameAd: '300×250 slot' });
    const [scored] = scoreControls([alone, control({ text: 'Privacy', landmark: 'footer' })], PAGE);
    assert.ok(
      scored.reasons.includes('+0 an ad-sized frame (300×250 slot) that is all the page offers: not taken for an ad'),
      scored.reasons.join(),
    );
    // Beside the page's own content it is an ad; labelled "Advertisement", it is one even alone.
    assert.ok(scoreControls([alone, control()], PAGE)[0].reasons.some((r) => r.startsWith("-40 in a display ad's frame")));
    const labelled = { ...own, frameAd: 'labelled "Advertisement"' };
    assert.ok(scoreControls([labelled], PAGE)[0].reasons.some((r) => r.startsWith("-40 in a display ad's frame")));
  });

  test('out of view in a scroll box: less, not refused', () => {
    const shown = scoreControl(button({ text: 'Shop now' }), PAGE);
    const away = scoreControl(button({ text: 'Shop now', outOfView: 'scrolled out of view in a scroll box' }), PAGE);
    assert.equal(away.refused, null);
    assert.equal(away.score, shown.score - 15);
  });

  test('a chat widget is navigation', () => {
    assert.ok(scoreControl(button({ text: 'Chat with us', href: null }), PAGE).reasons.includes('-15 navigation link'));
  });
});

describe('closing a pop-up that covers the call-to-action', () => {
  test('its close or reject control first, then a "No thanks" that leads nowhere; never a link or a form it sends', () => {
    const noLink = { href: null, rawHref: null, tag: 'button' };
    const controls = [
      button({ text: 'Nein danke', href: 'https://promo.example/other-offer', rawHref: '/other-offer' }),
      button({ text: 'No thanks', ...noLink }),
      button({ text: 'Subscribe', ...noLink, form: { typing: 1, method: 'post' } }),
      button({ text: 'Schließen', ...noLink }),
      button({ text: '✕', ...noLink, form: { typing: 1, script: true } }),
      button({ text: 'Close', ...noLink, onclickHref: 'https://promo.example/upsell' }),
    ];
    const scored = scoreControls(controls, PAGE);
    assert.deepEqual(popupClosers(scored, [0, 1, 2, 3, 4, 5]), [3, 4, 1]);
    assert.deepEqual(popupClosers(scored, [0, 2]), [], 'only controls of the pop-up are looked at');
  });

  test('"Kapat", "Đóng", "Tutup" close it; "Hayır, teşekkürler" turns it down', () => {
    const noLink = { href: null, rawHref: null, tag: 'button' };
    const texts = ['Hayır, teşekkürler', 'Kapat', 'Đóng', 'Tutup', 'Không, cảm ơn', 'Tidak, terima kasih'];
    const scored = scoreControls(
      texts.map((text) => button({ text, ...noLink })),
      PAGE,
    );
    assert.deepEqual(popupClosers(scored, [0, 1, 2, 3, 4, 5]), [1, 2, 3, 0, 4, 5]);
  });
});

describe('a bar fixed to the window', () => {
  test("a strip's sign-up loses to the page's own offer of a plainer look; alone it is still chosen", () => {
    const bar = button({ text: 'Sign up for our newsletter', href: 'https://promo.example/newsletter', stickyBar: 'bottom' });
    const offer = button({ text: 'Shop the collection', href: 'https://shop.example/sale' });
    const scored = scoreControls([bar, offer], PAGE);
    assert.ok(scored[0].reasons.includes('-15 in a bar fixed to the bottom of the window'), scored[0].reasons.join('; '));
    assert.equal(chooseCallToAction(scored), 1);
    assert.equal(chooseCallToAction(scoreControls([bar], PAGE)), 0);
  });
});

describe('controls in frames', () => {
  test("a same-page anchor is judged against the frame's URL, not the top page's", () => {
    const frame = 'https://ads.example/creative';
    assert.equal(scoreControl(control({ href: `${frame}#terms`, rawHref: `${frame}#terms`, frame }), PAGE).refused, 'same-page anchor');
    assert.equal(scoreControl(control({ href: `${PAGE.url}#x`, rawHref: `${PAGE.url}#x`, frame }), PAGE).refused, null);
  });
});

describe('the marked screenshot', () => {
  const event = (box: PageControl['box'], scroll = { x: 0, y: 0 }): ExploreEvent => ({
    type: 'explore',
    at: '2026-01-01T00:00:00.000Z',
    pageId: 'p1',
    url: PAGE.url,
    depth: 1,
    snapshot: 1,
    viewport: PAGE.viewport,
    scroll,
    total: 1,
    controls: [{ ...button({ box }), score: 50, reasons: [], refused: null }],
    chosen: 0,
  });

  test('the box in the viewport, cut to it', () => {
    assert.deepEqual(markedBox(event({ x: 100, y: 200, width: 50, height: 20 })), { x: 100, y: 200, width: 50, height: 20 });
    assert.deepEqual(markedBox(event({ x: 100, y: 700, width: 50, height: 40 })), { x: 100, y: 700, width: 50, height: 20 });
    assert.deepEqual(markedBox(event({ x: 100, y: 900, width: 50, height: 20 }, { x: 0, y: 800 })), {
      x: 100,
      y: 100,
      width: 50,
      height: 20,
    });
    assert.equal(markedBox(event({ x: 100, y: 2000, width: 50, height: 20 })), null);
    assert.equal(markedBox({ ...event({ x: 1, y: 1, width: 5, height: 5 }), chosen: null }), null);
  });

  test('named after the screenshot', () => {
    assert.equal(markedScreenshotPath('screenshots/01-promo.example.png'), 'screenshots/01-promo.example-explore.png');
  });
});

describe('where a control leads', () => {
  test("an onclick's plain navigation is its target: judged by it (another site, unsubscribe, download)", () => {
    const div = { tag: 'div', role: 'button', href: null, rawHref: null, onclick: true };
    assert.equal(targetOf(control({ ...div, onclickHref: 'https://shop.example/buy' })), 'https://shop.example/buy');
    const elsewhere = scoreControl(button({ ...div, text: 'Continue', onclickHref: 'https://shop.example/buy' }), PAGE);
    assert.ok(elsewhere.reasons.includes('+10 leads to another site (shop.example)'), elsewhere.reasons.join());
    assert.match(
      scoreControl(button({ ...div, text: 'Continue', onclickHref: 'https://promo.example/unsubscribe?id=1' }), PAGE).refused ?? '',
      /unsubscribe/,
    );
    assert.match(
      scoreControl(button({ ...div, text: 'Get it', onclickHref: 'https://promo.example/get/setup.exe' }), PAGE).refused ?? '',
      /download/,
    );
    // A link to "#" with an onclick that says where it goes.
    assert.equal(
      targetOf(control({ href: `${PAGE.url}#`, rawHref: '#', onclick: true, onclickHref: 'https://shop.example/' })),
      'https://shop.example/',
    );
  });

  test('a link whose onclick leads elsewhere than its href is judged by both: a download, an unsubscribe or an app there is refused', () => {
    const link = { text: 'Get the offer', href: 'https://promo.example/offer', rawHref: '/offer', onclick: true };
    for (const [onclickHref, reason] of [
      ['https://promo.example/dl?file=Setup.exe', 'download link (.exe) (where its script sends the click)'],
      ['https://promo.example/email/unsubscribe?u=1', 'unsubscribe / opt-out / preferences link (where its script sends the click)'],
      ['whatsapp://send?text=hi', 'not a web link (whatsapp:) (where its script sends the click)'],
    ])
      assert.equal(scoreControl(button({ ...link, onclickHref }), PAGE).refused, reason, onclickHref);
    // An onclick that only scrolls this page, or leads to another page, leaves the link as it is.
    for (const onclickHref of [`${PAGE.url}#`, 'https://shop.example/buy'])
      assert.equal(scoreControl(button({ ...link, onclickHref }), PAGE).refused, null, onclickHref);
  });

  test("the page's only followable link, to another site, is its call-to-action; not when there are others", () => {
    const here = control({ text: 'here', href: 'https://click.tracker.example/c/1', box: { x: 300, y: 200, width: 30, height: 16 } });
    const privacy = control({ text: 'Privacy policy', href: 'https://promo.example/privacy', landmark: 'footer' });
    const [alone] = scoreControls([here, privacy], PAGE);
    assert.ok(alone.reasons.includes("+15 the page's only link a person could follow"), alone.reasons.join());
    assert.equal(chooseCallToAction(scoreControls([here, privacy], PAGE)), 0);
    const [crowded] = scoreControls([here, control({ text: 'About us', href: 'https://promo.example/about', landmark: 'footer' })], PAGE);
    assert.ok(!crowded.reasons.some((r) => /only link/.test(r)));
  });
});

describe('words a person does not see', () => {
  test('soft hyphens, zero-width and bidi marks, Arabic vowel and hamza marks, tatweel and Hebrew points are dropped', () => {
    assert.equal(normalizeWords('Un\u00adsub\u200bscribe'), 'unsubscribe');
    assert.equal(normalizeWords('\u200fإلغاءُ الاشـتراك\u200f'), normalizeWords('الغاء الاشتراك'));
    assert.equal(normalizeWords('לְהַסָרָה'), 'להסרה');
    assert.match(
      scoreControl(button({ text: 'Un\u00adsubscribe', href: 'https://promo.example/m?id=1' }), PAGE).refused ?? '',
      /unsubscribe/,
    );
  });
});

describe('links whose sentence says what they do', () => {
  const link = (text: string, context: string) => control({ text, context, href: 'https://promo.example/r?id=1' });

  test('"click here" / "hier" / "cliquez ici" in a sentence about unsubscribing is refused; elsewhere it is not', () => {
    for (const [text, context] of [
      ['click here', 'Great deals every week. To stop receiving these offers, click here. Thanks for reading!'],
      ['hier', 'Wenn Sie keine weiteren E-Mails von uns erhalten möchten, klicken Sie hier.'],
      ['cliquez ici', 'Pour ne plus recevoir nos offres, cliquez ici.'],
      ['haga clic aquí', 'Si no desea recibir más correos, haga clic aquí.'],
    ]) {
      assert.match(scoreControl(link(text, context), PAGE).refused ?? '', /^unsubscribe .*its sentence says/, text);
    }
    // Another sentence of the same block speaks of unsubscribing: not this link's.
    const offer = link('click here', 'To claim your voucher, click here. You can unsubscribe at any time.');
    assert.equal(pointingSentence(offer), 'to claim your voucher, click here');
    assert.equal(scoreControl(offer, PAGE).refused, null);
    // A control with words of its own is judged by them.
    assert.equal(pointingSentence(link('Shop now', 'Shop now, and unsubscribe at any time.')), null);
  });

  test('"I no longer wish to receive these e-mails" is an unsubscribe link by its words', () => {
    assert.match(scoreControl(button({ text: 'I no longer wish to receive these e-mails' }), PAGE).refused ?? '', /unsubscribe/);
  });
});

describe('controls that lead nowhere or act on fields', () => {
  test("a <form method=dialog>'s button closes a pop-up: refused", () => {
    const closes = button({ tag: 'button', text: 'Weiter', href: null, rawHref: null, form: { typing: 0, required: 0, method: 'dialog' } });
    assert.match(scoreControl(closes, PAGE).refused ?? '', /closes a dialog/);
  });

  test('disabled when read: scored as it is (explore waits for it), the reason says so', () => {
    const waiting = scoreControl(button({ tag: 'button', text: 'Continue', disabled: true }), PAGE);
    assert.equal(waiting.refused, null);
    assert.ok(waiting.reasons.includes('+0 disabled when read: a person waits for it to be enabled'), waiting.reasons.join());
  });

  test('a script button on fields to fill is refused', () => {
    const verify = button({
      tag: 'div',
      role: 'button',
      text: 'Verify',
      href: null,
      rawHref: null,
      form: { typing: 2, required: 0, script: true },
    });
    assert.match(scoreControl(verify, PAGE).refused ?? '', /script button on fields that need typing/);
  });
});

describe('closing a cookie notice that covers the call-to-action', () => {
  const notice = (text: string, fields: Partial<PageControl> = {}) =>
    button({ tag: 'button', text, href: null, rawHref: null, cookieBanner: true, ...fields });

  test("with the notice's control that rejects or closes and leads nowhere, never one that accepts", () => {
    const scored = scoreControls(
      [
        notice('Accept all'),
        notice('Manage options', { tag: 'a', href: 'https://promo.example/consent', rawHref: '/consent' }),
        notice('Tout refuser'),
        notice('×'),
        notice('Reject all', { hidden: 'display:none' }),
        notice('Reject all', { href: 'https://promo.example/reject', rawHref: '/reject', tag: 'a' }),
        button({ tag: 'button', text: 'Close', href: null, rawHref: null }),
        button({ tag: 'button', text: 'Shop now', href: 'https://shop.example/' }),
      ],
      PAGE,
    );
    assert.deepEqual(consentDismissals(scored), [2, 3]);
  });

  test('a cookie notice in a <dialog> whose answers close it (form method=dialog) is closed with its reject answer', () => {
    const dialog = { typing: 0, required: 0, method: 'dialog' as const };
    const scored = scoreControls([notice('Alle akzeptieren', { form: dialog }), notice('Nur notwendige', { form: dialog })], PAGE);
    assert.deepEqual(
      scored.map((c) => c.refused),
      ['cookie banner', 'cookie banner'],
    );
    assert.deepEqual(consentDismissals(scored), [1]);
  });

  test('"Odrzuć wszystkie" (pl, the plural a consent platform writes) closes a notice; "Akceptuję wszystkie" is an answer that accepts', () => {
    const scored = scoreControls([notice('Akceptuję wszystkie'), notice('Odrzuć wszystkie')], PAGE);
    assert.deepEqual(consentDismissals(scored), [1]);
    assert.ok(consentAnswer({ text: 'Akceptuję wszystkie', context: 'Używamy plików cookie, aby dopasować reklamy.' }));
  });

  test('an answer that begins with a rejection or keeps to necessary cookies closes it; one that accepts anything does not', () => {
    const rejecting = ['Reject non-essential cookies', 'Reject additional cookies', 'Decline optional cookies', 'Disagree and close']
      .concat(['Only allow essential cookies', 'Use essential cookies only', 'Ablehnen und schließen', 'Nur notwendige Cookies erlauben'])
      .concat(['Nur essenzielle Cookies akzeptieren', 'Tout rejeter', 'Refuser les cookies', "N'accepter que les cookies nécessaires"])
      .concat(['Rechazar todas las cookies', 'Solo cookies necesarias', 'Rifiuta tutti i cookie', 'Alleen functionele cookies'])
      .concat(['Alle weigeren', 'Alle Cookies ablehnen', 'Recusar cookies', 'Отказаться от cookie', '必要なCookieのみ許可']);
    const accepting = ['Accept all cookies', 'Accept essential and analytics cookies', 'Essential cookies', 'Cookie settings'];
    for (const text of rejecting) assert.ok(refusesConsent(text), text);
    for (const text of accepting) assert.ok(!refusesConsent(text), text);
    const scored = scoreControls([notice('Accept all cookies'), notice('Reject non-essential cookies')], PAGE);
    assert.deepEqual(consentDismissals(scored), [1]);
  });

  test('Turkish, Vietnamese and Indonesian notices are closed with their reject answer, never their accept', () => {
    const scored = scoreControls(
      [
        notice('Tümünü kabul et'),
        notice('Tümünü reddet'),
        notice('Chấp nhận tất cả'),
        notice('Từ chối tất cả'),
        notice('Terima semua'),
        notice('Tolak semua'),
      ],
      PAGE,
    );
    assert.deepEqual(consentDismissals(scored), [1, 3, 5]);
    // Their accept answers are refused by their words alone, outside a notice known as one.
    for (const text of ['Tümünü kabul et', 'Chấp nhận tất cả', 'Terima semua'])
      assert.equal(scoreControl(button({ tag: 'button', text, href: null, rawHref: null }), PAGE).refused, 'cookie banner', text);
  });
});

describe('buttons made by script', () => {
  test('a javascript: link whose script does something is a script button, led where its script says when it says', () => {
    const go = scoreControl(
      button({ text: '¡Quiero mi descuento!', href: 'javascript:irAOferta()', rawHref: 'javascript:irAOferta()' }),
      PAGE,
    );
    assert.equal(go.refused, null);
    assert.ok(go.reasons.includes('+0 a script button (a javascript: link that runs script)'), go.reasons.join('; '));
    assert.ok(go.score >= MIN_SCORE, go.reasons.join('; '));
    const raw = 'javascript:location.href="https://evil.example/unsubscribe?id=1"';
    const said = button({ text: 'Continue', href: raw, rawHref: raw, onclickHref: 'https://evil.example/unsubscribe?id=1' });
    assert.equal(targetOf(said), 'https://evil.example/unsubscribe?id=1');
    assert.match(scoreControl(said, PAGE).refused ?? '', /^unsubscribe/, 'judged by where its script leads');
    for (const rawHref of ['javascript:void(0)', 'javascript:;'])
      assert.match(scoreControl(button({ text: 'Claim', href: rawHref, rawHref }), PAGE).refused ?? '', /^javascript: link$/);
  });

  test('a link to "#" with a click listener from script is a button; a bare "#" is a same-page anchor', () => {
    const base = { text: 'Acquista ora', href: `${PAGE.url}#`, rawHref: '#' };
    const listened = scoreControl(button({ ...base, clickListener: true }), PAGE);
    assert.equal(listened.refused, null);
    assert.ok(listened.reasons.includes('+0 a script button (a click listener; its href goes nowhere)'), listened.reasons.join('; '));
    assert.equal(scoreControl(button(base), PAGE).refused, 'same-page anchor');
    const leaving = button({ ...base, clickListener: true, onclickHref: 'https://promo.example/unsubscribe?id=3' });
    assert.match(scoreControl(leaving, PAGE).refused ?? '', /^unsubscribe/, 'judged by where its listener leads');
  });

  test('a named anchor ("#order") whose onclick or listener navigates elsewhere leads there; one that only scrolls stays an anchor', () => {
    const base = { text: 'Order now', href: `${PAGE.url}#order`, rawHref: '#order' };
    const onclick = scoreControl(button({ ...base, onclick: true, onclickHref: 'https://shop.example/checkout' }), PAGE);
    assert.equal(onclick.refused, null);
    assert.ok(onclick.reasons.includes('+0 a script button (onclick; its href is a same-page anchor)'), onclick.reasons.join('; '));
    assert.equal(
      targetOf(button({ ...base, clickListener: true, onclickHref: 'https://shop.example/checkout' })),
      'https://shop.example/checkout',
    );
    assert.equal(scoreControl(button({ ...base, clickListener: true }), PAGE).refused, 'same-page anchor', 'a listener that only scrolls');
    const scrolls = button({ ...base, onclick: true, onclickHref: `${PAGE.url}#` });
    assert.equal(scoreControl(scrolls, PAGE).refused, 'same-page anchor', 'an onclick that only scrolls');
  });

  test('a link to "#" inside an element with a click listener (a delegated one) is a button, judged by its words', () => {
    const base = { text: 'Claim my reward', href: `${PAGE.url}#`, rawHref: '#' };
    const delegated = scoreControl(button({ ...base, delegatedListener: '<div id=root>' }), PAGE);
    assert.equal(delegated.refused, null);
    assert.ok(
      delegated.reasons.includes('+0 a script button (a click listener on <div id=root> around it; its href goes nowhere)'),
      delegated.reasons.join('; '),
    );
    assert.ok(delegated.score >= MIN_SCORE);
    const anchor = { text: 'Read the FAQ', href: `${PAGE.url}#faq`, rawHref: '#faq', delegatedListener: 'the document' };
    assert.equal(scoreControl(button(anchor), PAGE).refused, 'same-page anchor', 'a named anchor is still one');
    assert.match(
      scoreControl(button({ ...base, text: 'Unsubscribe', delegatedListener: 'the document' }), PAGE).refused ?? '',
      /^unsubscribe/,
    );
  });

  test('a box that only looks like a button, its click a listener around it receives, is judged by its words and look', () => {
    const look = { background: 'rgb(228, 0, 43)', padding: [16, 40] as [number, number], radius: 8, fontSize: 22 };
    const base = { tag: 'span', text: 'Claim your reward', href: null, rawHref: null, lookalike: true, look };
    const scored = scoreControl(button({ ...base, delegatedListener: 'the window' }), PAGE);
    assert.equal(scored.refused, null);
    assert.ok(
      scored.reasons.includes('+0 looks like a button (no link, role or pointer cursor); a click listener on the window around it'),
    );
    assert.ok(scored.score >= MIN_SCORE, scored.reasons.join('; '));
    const own = scoreControl(button({ ...base, clickListener: true }), PAGE);
    assert.ok(own.reasons.includes('+0 looks like a button (no link, role or pointer cursor); a click listener on it'));
  });

  test('a submit whose listener stops its form leads nowhere by itself: not refused as the page requested again', () => {
    const stopped = scoreControl(
      button({
        tag: 'button',
        type: 'submit',
        text: 'Get my quote',
        href: null,
        rawHref: null,
        form: { typing: 0, method: 'get', stopped: true },
      }),
      PAGE,
    );
    assert.equal(stopped.refused, null);
    assert.ok(stopped.reasons.includes('+0 a click or submit listener stops its form (the form is not sent)'), stopped.reasons.join('; '));
  });
});

describe('answers', () => {
  test('"No", "No thanks" and a refusal before a comma turn the offer down; "Yes" beside them wins', () => {
    for (const text of ['No', 'No thanks', 'Nein, ich bin unter 18', 'Non merci', 'Nee', 'いいえ', 'Нет'])
      assert.ok(
        scoreControl(button({ text }), PAGE).reasons.some((r) => r.startsWith('-25 declines')),
        text,
      );
    for (const text of ['Not available in stores: order now', 'Nothing to lose', 'Yes', 'Nonstop deals'])
      assert.ok(!scoreControl(button({ text }), PAGE).reasons.some((r) => r.includes('declines')), text);
    const context = 'Are you 21 or older? You must be of legal drinking age. No Yes';
    const [no, yes] = scoreControls([button({ text: 'No', context }), button({ text: 'Yes', context })], PAGE);
    assert.ok(yes.score > no.score, `${yes.score} vs ${no.score}`);
    assert.equal(chooseCallToAction([no, yes]), 1);
  });

  test('an answer that confirms an unsubscription is refused; the same answer to another question is not', () => {
    const asked = 'Are you sure you want to unsubscribe from our newsletter? Yes No';
    for (const text of ['Yes', 'Confirm', 'OK', 'Weiter'])
      assert.match(
        scoreControl(button({ text, context: asked }), PAGE).refused ?? '',
        /^unsubscribe .*an answer; its text speaks of "unsubscribe"/,
        text,
      );
    assert.equal(scoreControl(button({ text: 'Yes', context: 'Are you 21 or older? Yes No' }), PAGE).refused, null);
    assert.equal(
      scoreControl(button({ text: 'Shop now', context: asked }), PAGE).refused,
      null,
      'not an answer: its own words say what it does',
    );
  });

  test("an answer beside the page's own unsubscribe link does not confirm it: that link's words are no question", () => {
    const yes = button({ text: 'Yes', href: null, rawHref: null, context: '2. Do you shop online? Yes No Unsubscribe' });
    const unsubscribe = control({ text: 'Unsubscribe', href: 'https://promo.example/u?id=1' });
    const no = button({ text: 'No', href: null, rawHref: null });
    assert.equal(scoreControl(yes, PAGE, [yes, no, unsubscribe]).refused, null);
    // The question asked in words is still one, whatever links say the same beside it.
    const asked = button({ text: 'Yes', context: 'Unsubscribe from our list? Yes No Unsubscribe' });
    assert.match(scoreControl(asked, PAGE, [asked, no, unsubscribe]).refused ?? '', /an answer; its text speaks of "unsubscribe"/);
  });
});

describe('banners', () => {
  test('a banner-sized picture link earns what a button does; a small picture does not', () => {
    const banner = scoreControl(
      control({
        text: 'Summer collection',
        href: 'https://shop.example/summer',
        picture: true,
        banner: true,
        box: { x: 24, y: 80, width: 720, height: 300 },
      }),
      PAGE,
    );
    assert.ok(banner.reasons.includes('+30 a banner (a picture link of at least 300×120)'), banner.reasons.join('; '));
    const learnMore = scoreControl(
      control({ text: 'Learn more', href: 'https://elsewhere.example/more', box: { x: 24, y: 400, width: 80, height: 16 } }),
      PAGE,
    );
    assert.ok(banner.score > learnMore.score, `${banner.score} vs ${learnMore.score}`);
    const icon = scoreControl(control({ text: 'Summer collection', picture: true, box: { x: 24, y: 80, width: 120, height: 60 } }), PAGE);
    assert.ok(!icon.reasons.some((r) => r.includes('banner')));
  });

  test('a picture link with no words the size of a button is the offer; a smaller one, or one with words, is judged as before', () => {
    const imageButton = (width: number, height: number, text = '') =>
      scoreControl(control({ text, href: 'https://shop.example/sale', picture: true, box: { x: 24, y: 200, width, height } }), PAGE);
    const shopNow = imageButton(220, 60);
    assert.ok(
      shopNow.reasons.includes('+12 a picture the size of a button (no words: the picture is its look)'),
      shopNow.reasons.join('; '),
    );
    assert.ok(shopNow.score >= MIN_SCORE, `${shopNow.score}: ${shopNow.reasons.join('; ')}`);
    assert.ok(imageButton(100, 40).reasons.includes('+0 a picture (no text)'), 'an icon');
    assert.ok(!imageButton(220, 60, 'Shop now').reasons.some((r) => r.includes('size of a button')), 'its words judge it');
    // The site's logo in its header, to its home page, stays under the line.
    const logo = scoreControl(
      control({
        text: '',
        href: 'https://promo.example/',
        picture: true,
        landmark: 'header',
        box: { x: 24, y: 10, width: 180, height: 50 },
      }),
      PAGE,
    );
    assert.ok(logo.score < MIN_SCORE, `${logo.score}: ${logo.reasons.join('; ')}`);
  });
});
