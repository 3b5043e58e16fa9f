// Landing pages written the way real ones are, for auditing `--explore` beyond the tidy pages of
// explore.ts: their own styles (not the lab's button style), calls-to-action in ten languages as
// links, CSS-styled <button>s, an <input type=submit> outside any form, a <div role=button>, an
// image-only link, an SVG icon button; distractors a person ignores (consent banners without a
// telltale class, "Sign in", hero images, social and footer links) and controls explore must never
// follow (unsubscribe wording in many languages, downloads by a path or attribute a person may overlook, anchors,
// no-op javascript: links, forms that need input, controls hidden in ways a person cannot see or
// covered by an overlay). Each page names the control a person would click, or null when there is
// none; everything else points at /explore/pages/refused/..., which must stay unrequested.
import { HOSTS } from '../hosts.js';
import { escapeHtml, jsString } from '../pages.js';
import type { LabExchange, Route } from '../exchange.js';
import { defineScenario, landingUrl, type ScenarioDefinition } from './common.js';
import { exploreTrackerUrl } from './explore.js';
import { cutResponse, longPage } from './hostile-evidence.js';

const PROMO = `http://${HOSTS.brokerPromo}`;
const ELSEWHERE = `http://${HOSTS.brokerTrack}`;

/** Where a page's call-to-action leads (the lab's advertiser landing page). */
export function explorePageTarget(name: string): string {
  return landingUrl(`explore-page-${name}`);
}

/** A target that must never be requested (the lab serves it, so a wrong click would show as a hit, not an error). */
function refused(name: string, what: string): string {
  return `${ELSEWHERE}/explore/pages/refused/${name}/${what}`;
}

const STYLE = `<style>
body{margin:0;font-family:system-ui,sans-serif;background:#fafafa;color:#222}
.top{display:flex;justify-content:space-between;align-items:center;padding:12px 24px;background:#fff;border-bottom:1px solid #e5e5e5}
.top a{color:#333;text-decoration:none;margin-left:18px;font-size:15px}
.hero{max-width:960px;margin:0 auto;padding:32px 24px}
.btn-primary{display:inline-block;background:#e4002b;color:#fff;padding:14px 32px;border-radius:6px;
font-size:18px;font-weight:600;text-decoration:none;border:0;cursor:pointer}
.btn-ghost{display:inline-block;color:#333;padding:8px 16px;border:1px solid #999;border-radius:4px;text-decoration:none;background:transparent}
.site-footer{margin-top:40px;padding:16px 24px;font-size:12px;color:#777;border-top:1px solid #e5e5e5}
.site-footer a{color:#777;margin-right:12px}
.bar{position:fixed;left:0;right:0;bottom:0;background:#222;color:#eee;padding:16px 24px;display:flex;gap:16px;align-items:center;z-index:10}
.bar button{background:#4caf50;color:#fff;border:0;border-radius:4px;padding:12px 28px;font-size:18px;cursor:pointer}
</style>`;

function doc(lang: string, title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="${lang}">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(title)}</title>\n${STYLE}\n</head>\n` +
    `<body>\n${body}\n</body>\n</html>\n`
  );
}

const a = (href: string, text: string, attributes = '') => `<a href="${escapeHtml(href)}"${attributes}>${escapeHtml(text)}</a>`;
const go = (href: string) => `location.href=${escapeHtml(jsString(href))}`;

/** A header with the brand, three menu links and a "Sign in" button; a footer with legal and social links. */
function frame(name: string, lang: string, main: string, words: { menu: string[]; signIn: string; legal: string[]; tail?: string }) {
  const menu = words.menu.map((text, i) => a(refused(name, `menu-${i}`), text)).join('');
  const legal = words.legal.map((text, i) => a(refused(name, `legal-${i}`), text)).join('');
  return (
    `<header class="top"><strong>Brand</strong><nav>${menu}${a(refused(name, 'sign-in'), words.signIn, ' class="btn-ghost"')}</nav></header>\n` +
    `<main class="hero">\n${main}\n</main>\n` +
    `<footer class="site-footer">${legal}${a('https://www.facebook.com/brand.example', 'Facebook')}${a('https://www.instagram.com/brand.example', 'Instagram')}</footer>` +
    (words.tail ?? '')
  );
}

/** Origins the pages' iframes come from: another site (an affiliate network's) and another host of the same site. */
const FRAME_SITE = `http://${HOSTS.relayHub}`;
const FRAME_SAME_SITE = `http://${HOSTS.brokerTrack}`;
const FRAME_SAME_ORIGIN = PROMO;

/** How the lab answers each path the pages' iframes load (served on every frame origin). */
const FRAME_DOCS: Record<string, (x: LabExchange) => void> = {};

const frameUrl = (origin: string, page: string, part: string) => `${origin}/explore/frames/${page}/${part}`;

/** A frame document at `/explore/frames/<page>/<part>` of `origin` (`status`: 200 unless given); returns its URL. */
function frameDoc(origin: string, page: string, part: string, html: () => string, status = 200): string {
  return frameAnswer(origin, page, part, (x) => x.html(status, html()));
}

/** Any answer (a redirect, a cut body) at `/explore/frames/<page>/<part>` of `origin`; returns its URL. */
function frameAnswer(origin: string, page: string, part: string, handle: (x: LabExchange) => void): string {
  FRAME_DOCS[`/explore/frames/${page}/${part}`] = handle;
  return frameUrl(origin, page, part);
}

/**
 * A host nothing listens for: the tests map it (--connect-to) to a loopback port that refuses
 * connections, so a document requested there fails as a site that is down does.
 */
export const EXPLORE_OFFLINE_HOST = 'offline.affiliate-hub.test';
/** Where the frame of 'iframe-fail-scheme' is redirected: an app's scheme a browser does not load. */
export const EXPLORE_APP_SCHEME_URL = 'prizeapp://claim/reward?id=8812';
/** How much of the body of 'iframe-fail-reset's frame document comes before its connection is reset. */
export const EXPLORE_FRAME_RESET_SENT = 9_876;

/** A bare document for inside an iframe, with the pages' styles. */
const inner = (body: string, title?: string) =>
  `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n${title ? `<title>${escapeHtml(title)}</title>\n` : ''}` +
  `${STYLE}\n<style>body{background:#fff}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;

/**
 * A page whose offer is a creative in a cross-site iframe: its button, a link with target=_self
 * to `href`, moves only the frame. With `late`, the creative tells the page of the click
 * (postMessage) and the page then sets a timer, due in 15 s, that requests `refused(name, 'late')`:
 * work the page has pending, which settling waits for (within --settle) unless the trace ends
 * first, as it must when the frame's document fails.
 */
function framedOffer(name: string, title: string, heading: string, button: string, href: string, late = false): string {
  const tell = late
    ? `<script>document.querySelector('a').addEventListener('click', function () { parent.postMessage('clicked', '*'); });</script>`
    : '';
  const creative = frameDoc(FRAME_SITE, name, 'creative', () =>
    inner(
      `<div style="padding:24px;text-align:center"><h2>${escapeHtml(heading)}</h2><p>${a(href, button, ' class="btn-primary" target="_self"')}</p></div>` +
        tell,
    ),
  );
  const timer = late
    ? `<script>addEventListener('message', function (e) { if (e.data === 'clicked') setTimeout(function () { ` +
      `new Image().src = ${jsString(refused(name, 'late'))}; }, 15000); });</script>`
    : '';
  return doc(
    'en',
    title,
    frame(
      name,
      'en',
      `<h1>${escapeHtml(title)}</h1><iframe src="${escapeHtml(creative)}" title="offer" style="width:640px;height:240px;border:0"></iframe>`,
      { menu: ['Home', 'Help'], signIn: 'Sign in', legal: ['Privacy', 'Terms'], tail: timer },
    ),
  );
}

export interface ExplorePage {
  url: string;
  lang: string;
  /** What the page tests, in a few words. */
  about: string;
  /** The text of the control a person would click, or null when explore must stop. */
  cta: string | null;
  /** The URL of the frame the call-to-action is in, when it is in one. */
  frame?: string;
  /** The text of the cookie notice's control explore clicks first to uncover the call-to-action, when it must. */
  dismissed?: string;
  /**
   * The cookie notice's control explore clicks on a page where nothing is to click while the notice
   * shows (a cookie wall): the page is then read again, and the step that chooses comes after.
   */
  noticeClosedFirst?: string;
  /**
   * The controls explore clicks first, in order, whose click loads no new document (led nowhere, or
   * showed the page's next step: a quiz's next question); the page is then explored again without them.
   */
  ledNowhere?: string[];
  /** The choices explore picks, in order, of questions a "Next" waits on (no typing), when it must; exactly these (`[]`: none). */
  answered?: string[];
  /** The text of the pop-up's close control explore clicks first to uncover the call-to-action, when it must (not a consent notice's). */
  closedPopup?: string;
  /** The call-to-action explore leaves unclicked because a consent notice that offers only accept covers it (then `cta` is null). */
  consentBlocked?: string;
  /** Why each frame explore passed over was left out, in frame-tree order, when the page has such frames. */
  framesSkipped?: string[];
  /** The display-ad label of each frame read, in frame-tree order (null: not an ad), when the test checks them. */
  frameAds?: (string | null)[];
  /** Where the click ends when not at explorePageTarget(name) (a GET form adds its fields). */
  final?: string;
  /** The final page's HTTP status, when the test checks it and it is not 200 (an error page shown in a frame). */
  finalStatus?: number;
  /**
   * Frame documents (URL prefixes) that fail while the call-to-action is clicked, none of them
   * followed: the evidence shows them requested, and the chain is as if they had not failed.
   */
  failingFrames?: string[];
  /** A control (by its text) whose reasons must match, or must not match (absent). */
  reasons?: { text: string; match: RegExp; absent?: boolean }[];
  /**
   * How each hop was reached, as the chain shows it (report.ts viaLabel), when the test checks it:
   * a click that moved only a frame goes on in the frame ("click (in a frame)").
   */
  vias?: string[];
  /**
   * The call-to-action (its text) under a layer a person does not see: explore's first click, aimed
   * at it, lands on that layer; the page is then read again and the step that chooses comes after.
   */
  layerFirst?: string;
  /** Explore found nothing at first and scrolled down the page to find the call-to-action (the step records it). */
  scrolled?: boolean;
  /** --settle for this page, when its frames keep it busy (an ad that reloads itself). */
  settleMs?: number;
  /**
   * The final page shown in the frame, when the test checks what its own snapshot holds: words of
   * its visible text, and the names of the secret fields (password, card) its form asks for.
   */
  finalFrame?: { text: RegExp; secretFields: string[] };
  /**
   * The cause the trace ends with when the document the click loaded in the frame fails (said of
   * the frame's document); such a page has no landing page, so the checks of the others do not apply.
   */
  frameFailure?: RegExp;
  html: () => string;
}

type PageSpec = Omit<ExplorePage, 'url'>;

/** A data: URL of a plain SVG picture (a banner, a button's image). */
const picture = (width: number, height: number, fill = '%23e4002b') =>
  `data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27 width=%27${width}%27 height=%27${height}%27%3E` +
  `%3Crect width=%27${width}%27 height=%27${height}%27 rx=%276%27 fill=%27${fill}%27/%3E%3C/svg%3E`;

/** Lines of filler text (terms a person scrolls past). */
const filler = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `<p>Clause ${i + 1}. The offer is subject to availability.</p>`).join('');

/** A <span> or <div> drawn as a button: a colour of its own, padding, big words (no cursor, role or link). */
const LOOKALIKE = 'display:inline-block;background:#e4002b;color:#fff;padding:16px 40px;border-radius:8px;font-size:22px;font-weight:700';

/** A sentinel at the end of a page and the script that adds a "Get your offer" link above it once it comes into view (an IntersectionObserver). */
const offerAtTheEnd = (name: string) =>
  `<p id="slot"></p><div id="sentinel" style="height:1px"></div>` +
  `<script>new IntersectionObserver(function (entries, io) { ` +
  `if (!entries.some(function (e) { return e.isIntersecting; })) return; io.disconnect(); ` +
  `document.getElementById('slot').innerHTML = ${jsString(a(explorePageTarget(name), 'Get your offer', ' class="btn-primary"'))}; })` +
  `.observe(document.getElementById('sentinel'));</script>`;

const EN = { menu: ['Home', 'Products', 'About us'], signIn: 'Sign in', legal: ['Privacy policy', 'Terms of use', 'Imprint'] };

/** A sale page whose offer is a picture link with no words, `link(href)`, among the site's header and footer links. */
const pictureButtonPage = (name: string, about: string, link: (href: string) => string): PageSpec => ({
  lang: 'en',
  about,
  cta: '',
  reasons: [{ text: '', match: /\+12 a picture the size of a button/ }],
  html: () =>
    doc(
      'en',
      'Sale',
      frame(name, 'en', `<h1>Weekend sale</h1><p>Up to 50% off everything.</p><p>${link(explorePageTarget(name))}</p>`, EN),
    ),
});

/** Files of 'profile-installers' that install or run something when opened, and their buttons' words. */
const INSTALLERS: [file: string, text: string][] = [
  ['wifi.mobileconfig', 'Install profile'],
  ['Reward.application', 'Launch now'],
  ['start.jnlp?u=1', 'Start now'],
  ['app.appinstaller', 'Get started'],
  ['claim.vbe', 'Claim now'],
  ['tool.cpl', 'Activate'],
];

/** The reason an unsubscribe, opt-out or preferences control is refused with, at its end. */
const LEAVE_REFUSAL = /unsubscribe \/ opt-out \/ preferences link$/;

/** Big buttons (`btn-primary` links), one a paragraph, each to a target of `name`'s that must never be requested. */
const bigRefusedLinks = (name: string, links: [what: string, text: string][]) =>
  links.map(([what, text]) => `<p>${a(refused(name, what), text, ' class="btn-primary"')}</p>`).join('');

const SPECS: Record<string, PageSpec> = {
  // A consent bar with no tell-tale class or id, first in the page, with a big "Accept" button.
  'consent-bar': {
    lang: 'en',
    about: 'consent bar without a telltale class vs a link styled as a button',
    cta: 'See the offer',
    html: () =>
      doc(
        'en',
        'Spring sale',
        `<div class="bar" role="region"><span>We use cookies to give you the best experience on our website.</span>` +
          `<button type="button" onclick="this.parentNode.remove()">Accept</button>` +
          `<button type="button" onclick="this.parentNode.remove()">Settings</button></div>\n` +
          frame(
            'consent-bar',
            'en',
            `<h1>Spring sale: 40% off</h1><p>Only this week.</p><p>${a(explorePageTarget('consent-bar'), 'See the offer', ' class="btn-primary"')}</p>`,
            EN,
          ),
      ),
  },
  // German: a CSS-styled <button> that navigates from script; a consent dialog saying "Akzeptieren".
  'de-button': {
    lang: 'de',
    about: 'CSS-styled <button> (de), consent dialog "Akzeptieren"',
    cta: 'Jetzt bestellen',
    html: () =>
      doc(
        'de',
        'Angebot',
        frame(
          'de-button',
          'de',
          `<h1>Nur heute: 30 % Rabatt</h1><p>Solange der Vorrat reicht.</p><p>` +
            `<button class="btn-primary" onclick="${go(explorePageTarget('de-button'))}">Jetzt bestellen</button></p>`,
          {
            menu: ['Startseite', 'Produkte', 'Über uns'],
            signIn: 'Einloggen',
            legal: ['Datenschutz', 'Impressum', 'AGB', 'Vom Newsletter abmelden'],
            tail:
              `<div class="bar" role="dialog" aria-label="Datenschutzeinstellungen">` +
              `<span>Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.</span>` +
              `<button onclick="this.parentNode.remove()">Akzeptieren</button><button onclick="this.parentNode.remove()">Ablehnen</button></div>`,
          },
        ),
      ),
  },
  // French: <input type=submit> outside any form, navigating from script.
  'fr-input': {
    lang: 'fr',
    about: '<input type=submit> outside a form (fr)',
    cta: "J'en profite",
    html: () =>
      doc(
        'fr',
        'Offre',
        frame(
          'fr-input',
          'fr',
          `<h1>Votre offre exclusive</h1><p>Profitez de -50 % sur votre première commande.</p><p>` +
            `<input type="submit" class="btn-primary" value="J'en profite" onclick="${go(explorePageTarget('fr-input'))}"></p>`,
          {
            menu: ['Accueil', 'Nos produits', 'Qui sommes-nous'],
            signIn: 'Se connecter',
            legal: ['Mentions légales', 'Politique de confidentialité', 'Se désinscrire'],
          },
        ),
      ),
  },
  // Spanish: a <div role=button onclick>.
  'es-div': {
    lang: 'es',
    about: '<div role=button onclick> (es)',
    cta: 'Comprar ahora',
    html: () =>
      doc(
        'es',
        'Oferta',
        frame(
          'es-div',
          'es',
          `<h1>Oferta de primavera</h1><p>Envío gratis en todos los pedidos.</p>` +
            `<div role="button" tabindex="0" class="btn-primary" style="width:max-content" onclick="${go(explorePageTarget('es-div'))}">Comprar ahora</div>`,
          {
            menu: ['Inicio', 'Productos', 'Quiénes somos'],
            signIn: 'Iniciar sesión',
            legal: ['Aviso legal', 'Privacidad', 'Darme de baja'],
          },
        ),
      ),
  },
  // Italian: a link that holds only an image with alt text (the banner is the call-to-action).
  'it-image': {
    lang: 'it',
    about: 'link wrapping only an image with alt text (it)',
    cta: "Scopri l'offerta",
    html: () =>
      doc(
        'it',
        'Offerta',
        frame(
          'it-image',
          'it',
          `<h1>Offerta speciale</h1>` +
            `<p>Solo per i nostri iscritti.</p>\n<a href="${escapeHtml(explorePageTarget('it-image'))}">\n  <img alt="Scopri l'offerta" width="320" height="60" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='320' height='60'%3E%3Crect width='320' height='60' rx='8' fill='%23e4002b'/%3E%3C/svg%3E">\n</a>`,
          { menu: ['Home', 'Prodotti', 'Chi siamo'], signIn: 'Accedi', legal: ['Note legali', 'Privacy', "Annulla l'iscrizione"] },
        ),
      ),
  },
  // Dutch: an SVG icon button named only by aria-label, next to "Inloggen".
  'nl-svg': {
    lang: 'nl',
    about: 'SVG icon button with aria-label (nl)',
    cta: 'Bekijk aanbieding',
    html: () =>
      doc(
        'nl',
        'Aanbieding',
        frame(
          'nl-svg',
          'nl',
          `<h1>Zomeraanbieding</h1><p>Alleen deze week.</p>` +
            `<button class="btn-primary" aria-label="Bekijk aanbieding" onclick="${go(explorePageTarget('nl-svg'))}">` +
            `<svg width="28" height="28" viewBox="0 0 10 10" aria-hidden="true"><path d="M2 1l6 4-6 4z" fill="#fff"/></svg></button>`,
          { menu: ['Home', 'Producten', 'Over ons'], signIn: 'Inloggen', legal: ['Privacybeleid', 'Algemene voorwaarden', 'Uitschrijven'] },
        ),
      ),
  },
  // Portuguese: a plain-looking link with call-to-action wording; "Entrar" (sign in) is the only button.
  'pt-link': {
    lang: 'pt',
    about: 'link with wording (pt) vs a "sign in" button',
    cta: 'Compre agora',
    html: () =>
      doc(
        'pt',
        'Oferta',
        frame(
          'pt-link',
          'pt',
          `<h1>Promoção de verão</h1>` +
            `<p>Descontos de até 60%. ${a(explorePageTarget('pt-link'), 'Compre agora', ' style="font-size:20px;font-weight:600"')}</p>`,
          { menu: ['Início', 'Produtos', 'Quem somos'], signIn: 'Entrar', legal: ['Termos de uso', 'Privacidade', 'Cancelar a inscrição'] },
        ),
      ),
  },
  // Polish: a huge hero image link to the brand's own home page above the fold, the offer button below it.
  'pl-below-fold': {
    lang: 'pl',
    about: 'hero image link above the fold vs a button below it (pl)',
    cta: 'Zamów teraz',
    html: () =>
      doc(
        'pl',
        'Oferta',
        frame(
          'pl-below-fold',
          'pl',
          `<a href="${escapeHtml(refused('pl-below-fold', 'hero'))}">` +
            `<img alt="" width="900" height="600" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='900' height='600'%3E%3Crect width='900' height='600' fill='%2399c'/%3E%3C/svg%3E">` +
            `</a>` +
            `<p>Nowa kolekcja już dostępna.</p><p>${a(explorePageTarget('pl-below-fold'), 'Zamów teraz', ' class="btn-primary"')}</p>`,
          {
            menu: ['Strona główna', 'Produkty', 'O nas'],
            signIn: 'Zaloguj się',
            legal: ['Regulamin', 'Polityka prywatności', 'Wypisz się'],
          },
        ),
      ),
  },
  // Russian and Japanese: wording in other scripts (Japanese has no spaces between words).
  ru: {
    lang: 'ru',
    about: 'wording in Cyrillic',
    cta: 'Купить сейчас',
    html: () =>
      doc(
        'ru',
        'Предложение',
        frame(
          'ru',
          'ru',
          `<h1>Весенняя распродажа</h1><p>${a(refused('ru', 'story'), 'Наша история', ' style="font-size:18px"')}</p>` +
            `<p>${a(explorePageTarget('ru'), 'Купить сейчас', ' style="font-size:18px"')}</p>`,
          { menu: ['Главная', 'Каталог', 'О нас'], signIn: 'Войти', legal: ['Политика конфиденциальности', 'Отписаться от рассылки'] },
        ),
      ),
  },
  ja: {
    lang: 'ja',
    about: 'wording in Japanese (no spaces between words)',
    cta: '今すぐ購入する',
    html: () =>
      doc(
        'ja',
        'キャンペーン',
        frame(
          'ja',
          'ja',
          `<h1>春のキャンペーン</h1><p>${a(refused('ja', 'story'), '私たちの歴史', ' style="font-size:18px"')}</p>` +
            `<p>${a(explorePageTarget('ja'), '今すぐ購入する', ' style="font-size:18px"')}</p>`,
          { menu: ['ホーム', '商品一覧', '会社概要'], signIn: 'ログイン', legal: ['プライバシーポリシー', '利用規約', '配信停止'] },
        ),
      ),
  },
  // "Sign in" styled as the only button; the offer is a sign-up link.
  'sign-in': {
    lang: 'en',
    about: '"Sign in" button vs "Create your free account" link',
    cta: 'Create your free account',
    html: () =>
      doc(
        'en',
        'Welcome',
        `<header class="top"><strong>Brand</strong><nav>${a(refused('sign-in', 'log-in'), 'Log in', ' class="btn-primary"')}</nav></header>\n` +
          `<main class="hero"><h1>Welcome to Brand</h1><p>Everything you need in one place.</p>` +
          `<p>${a(explorePageTarget('sign-in'), 'Create your free account', ' style="font-size:18px"')}</p></main>`,
      ),
  },
  // A modal covers the page: its backdrop takes any click on the offer below; the modal's own button is what a person clicks.
  overlay: {
    lang: 'en',
    about: 'an offer covered by a modal backdrop; the modal button is clickable',
    cta: 'Continue',
    html: () =>
      doc(
        'en',
        'Offer',
        frame('overlay', 'en', `<h1>Exclusive deal</h1><p>${a(refused('overlay', 'covered'), 'Shop now', ' class="btn-primary"')}</p>`, {
          ...EN,
          tail:
            `<div style="position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:20"></div>` +
            `<div style="position:fixed;top:30%;left:50%;transform:translateX(-50%);background:#fff;padding:32px;z-index:21;width:360px">` +
            `<p>Are you 18 or older?</p>` +
            `<button onclick="${go(explorePageTarget('overlay'))}">Continue</button></div>`,
        }),
      ),
  },
  // A page of widgets and no offer: carousel arrows, a menu toggle, a language picker, a close button, a video's play button.
  'ui-buttons': {
    lang: 'en',
    about: 'carousel arrows, menu toggle, language picker, close and play buttons: no call-to-action',
    cta: null,
    html: () =>
      doc(
        'en',
        'Gallery',
        `<header class="top"><strong>Brand</strong><button class="btn-primary" aria-expanded="false" aria-controls="menu">Menu</button>` +
          `<button class="btn-primary" aria-haspopup="listbox">English ▾</button></header>\n` +
          `<main class="hero"><div style="position:relative;height:300px;background:#ccd">` +
          `<button class="btn-primary" aria-label="Previous slide" onclick="void 0">‹</button>` +
          `<button class="btn-primary" aria-label="Next slide" onclick="void 0">›</button></div>` +
          `<p>Our spring collection. <button class="btn-primary" onclick="void 0">Play video</button></p>` +
          `<div style="background:#ffd;padding:8px">Free shipping this week <button class="btn-primary" onclick="this.parentNode.remove()">×</button></div>` +
          `<div role="tablist"><span role="tab" aria-selected="true" class="btn-primary" onclick="void 0">Details</span>` +
          `<span role="tab" class="btn-primary" onclick="void 0">Reviews</span></div></main>`,
      ),
  },
  // A call-to-action made clickable by script alone: an onclick attribute on a <div>, no role.
  'div-onclick': {
    lang: 'en',
    about: 'a <div onclick> with no role (script-only button)',
    cta: 'Get the deal',
    html: () =>
      doc(
        'en',
        'Deal',
        frame(
          'div-onclick',
          'en',
          `<h1>Today only</h1><div class="btn-primary" style="width:max-content" onclick="${go(explorePageTarget('div-onclick'))}">Get the deal</div>`,
          EN,
        ),
      ),
  },
  // The same with a listener added from script and a pointer cursor (what frameworks produce).
  'div-listener': {
    lang: 'en',
    about: 'a <div> with a pointer cursor and a click listener from script',
    cta: 'Claim your discount',
    html: () =>
      doc(
        'en',
        'Deal',
        frame(
          'div-listener',
          'en',
          `<h1>Today only</h1><div id="cta" class="btn-primary" style="width:max-content"><span>Claim your discount</span></div>` +
            `<script>const go = ${jsString(explorePageTarget('div-listener'))};\n` +
            `document.getElementById('cta').addEventListener('click', () => { location.href = go; });</script>`,
          EN,
        ),
      ),
  },
  // A call-to-action that opens in a new tab.
  'new-tab': {
    lang: 'en',
    about: 'a call-to-action with target=_blank',
    cta: 'Shop now',
    html: () =>
      doc(
        'en',
        'Deal',
        frame(
          'new-tab',
          'en',
          `<h1>Today only</h1><p>${a(explorePageTarget('new-tab'), 'Shop now', ' class="btn-primary" target="_blank" rel="noopener"')}</p>`,
          EN,
        ),
      ),
  },
  // An image map: the banner's clickable region is an <area> with alt text.
  'image-map': {
    lang: 'en',
    about: 'an image map whose <area> is the call-to-action',
    cta: 'Shop the sale',
    html: () =>
      doc(
        'en',
        'Sale',
        `<main class="hero"><h1>Sale</h1><img usemap="#m" alt="" width="600" height="200" ` +
          `src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='600' height='200'%3E%3Crect width='600' height='200' fill='%23e4002b'/%3E%3C/svg%3E">` +
          `<map name="m"><area shape="rect" coords="0,0,600,200" href="${escapeHtml(explorePageTarget('image-map'))}" alt="Shop the sale"></map></main>`,
      ),
  },
  // A call-to-action inside a web component's (open) shadow root.
  shadow: {
    lang: 'en',
    about: 'a call-to-action inside an open shadow root',
    cta: 'Shop now',
    html: () =>
      doc(
        'en',
        'Deal',
        `<main class="hero"><h1>Today only</h1><promo-card></promo-card></main><script>` +
          `const root = document.querySelector('promo-card').attachShadow({ mode: 'open' });` +
          `root.innerHTML = '<style>a{display:inline-block;background:#e4002b;color:#fff;padding:14px 32px;border-radius:6px;font-size:18px}</style>' +` +
          `'<a href=' + ${jsString(JSON.stringify(explorePageTarget('shadow')))} + '>Shop now</a>';</script>`,
      ),
  },
  // The offer is in a cross-site iframe (an affiliate network's creative); hidden, 1×1 and
  // off-screen iframes hold bigger "offers" that a person never sees.
  'iframe-offer': {
    lang: 'en',
    about: 'the call-to-action inside a cross-site iframe; hidden, 1×1 and off-screen iframes ignored',
    cta: 'Claim your reward',
    frame: frameUrl(FRAME_SITE, 'iframe-offer', 'creative'),
    framesSkipped: ['display:none', 'zero size', 'off-screen', 'nearly transparent'],
    html: () => {
      const creative = frameDoc(FRAME_SITE, 'iframe-offer', 'creative', () =>
        inner(
          `<div style="padding:24px;text-align:center"><h2>Your $500 reward is waiting</h2>` +
            `<p>${a(explorePageTarget('iframe-offer'), 'Claim your reward', ' class="btn-primary" target="_top"')}</p>` +
            `<p style="font-size:11px">${a(refused('iframe-offer', 'unsubscribe'), 'Unsubscribe', ' target="_top"')}</p></div>`,
        ),
      );
      const decoy = (part: string) =>
        frameDoc(FRAME_SITE, 'iframe-offer', part, () =>
          inner(
            `<p style="padding:20px">` +
              a(
                refused('iframe-offer', part),
                'Claim your prize now',
                ' class="btn-primary" style="font-size:28px;padding:40px 80px" target="_top"',
              ) +
              `</p>`,
          ),
        );
      return doc(
        'en',
        'Reward',
        frame(
          'iframe-offer',
          'en',
          `<h1>Thank you for being a loyal customer</h1><p>We picked a reward for you.</p>` +
            `<iframe src="${escapeHtml(creative)}" title="offer" style="width:600px;height:260px;border:1px solid #ddd"></iframe>` +
            `<iframe src="${escapeHtml(decoy('hidden'))}" style="display:none;width:600px;height:300px"></iframe>` +
            `<iframe src="${escapeHtml(decoy('pixel'))}" width="1" height="1" style="border:0"></iframe>` +
            `<iframe src="${escapeHtml(decoy('offscreen'))}" style="position:absolute;left:-9000px;top:0;width:600px;height:300px"></iframe>` +
            `<iframe src="${escapeHtml(decoy('invisible'))}" ` +
            `style="opacity:0;position:absolute;top:0;left:0;width:600px;height:300px;pointer-events:none"></iframe>`,
          EN,
        ),
      );
    },
  },
  // A same-site iframe holding a cross-site one: the button is two frames deep. The inner frame is
  // 160 px high and does not scroll: a bigger button further down in it is cut off.
  // The offer button is a plain link (no target) in a frame of the page's own origin: the click
  // moves only the frame, through a tracker's 302 to the advertiser, shown inside the page.
  'iframe-self-link': {
    lang: 'en',
    about: 'a plain link in a same-origin iframe: the frame goes on through a tracker (302) to the advertiser',
    cta: 'Get my quote',
    frame: frameUrl(FRAME_SAME_ORIGIN, 'iframe-self-link', 'offer'),
    vias: ['start', 'click (in a frame)', 'http-302 (in a frame)'],
    html: () => {
      const offer = frameDoc(FRAME_SAME_ORIGIN, 'iframe-self-link', 'offer', () =>
        inner(
          `<div style="padding:24px;text-align:center"><h2>Compare and save up to 40%</h2>` +
            `<p>${a(exploreTrackerUrl('explore-page-iframe-self-link'), 'Get my quote', ' class="btn-primary"')}</p></div>`,
        ),
      );
      return doc(
        'en',
        'Insurance quotes',
        frame(
          'iframe-self-link',
          'en',
          `<h1>Car insurance made simple</h1>` +
            `<iframe src="${escapeHtml(offer)}" title="quote" style="width:640px;height:240px;border:0"></iframe>`,
          { menu: ['Home', 'Blog'], signIn: 'Sign in', legal: ['Privacy', 'Terms'] },
        ),
      );
    },
  },
  // A creative of another site (an affiliate network's) whose button is a link with target=_self.
  'iframe-cross-link': {
    lang: 'en',
    about: 'a link with target=_self in a cross-site iframe: the frame goes on to the advertiser',
    cta: 'Start your free trial',
    frame: frameUrl(FRAME_SITE, 'iframe-cross-link', 'creative'),
    vias: ['start', 'click (in a frame)'],
    html: () => {
      const creative = frameDoc(FRAME_SITE, 'iframe-cross-link', 'creative', () =>
        inner(
          `<div style="padding:24px;text-align:center"><h2>30 days free</h2>` +
            `<p>${a(explorePageTarget('iframe-cross-link'), 'Start your free trial', ' class="btn-primary" target="_self"')}</p></div>`,
        ),
      );
      return doc(
        'en',
        'Streaming deals',
        frame(
          'iframe-cross-link',
          'en',
          `<h1>The best streaming deals this week</h1>` +
            `<iframe src="${escapeHtml(creative)}" title="deal" style="width:640px;height:240px;border:0"></iframe>`,
          { menu: ['Deals', 'Guides'], signIn: 'Log in', legal: ['Privacy', 'Imprint'] },
        ),
      );
    },
  },
  // The frame's button sets the frame's own location from its click handler (a tracker, then the advertiser).
  'iframe-script-self': {
    lang: 'en',
    about: "a <button> in a cross-site iframe whose click handler sets the frame's own location: followed in the frame",
    cta: 'Continue',
    frame: frameUrl(FRAME_SITE, 'iframe-script-self', 'creative'),
    vias: ['start', 'click (in a frame)', 'http-302 (in a frame)'],
    html: () => {
      const creative = frameDoc(FRAME_SITE, 'iframe-script-self', 'creative', () =>
        inner(
          `<div style="padding:24px;text-align:center"><h2>You qualify for a discount</h2>` +
            `<p><button id="go" type="button" class="btn-primary">Continue</button></p></div>` +
            `<script>document.getElementById('go').addEventListener('click', function () { ` +
            `location.href = ${jsString(exploreTrackerUrl('explore-page-iframe-script-self'))}; });</script>`,
        ),
      );
      return doc(
        'en',
        'Discount check',
        frame(
          'iframe-script-self',
          'en',
          `<h1>Check your discount</h1>` +
            `<iframe src="${escapeHtml(creative)}" title="check" style="width:640px;height:240px;border:0"></iframe>`,
          { menu: ['How it works', 'FAQ'], signIn: 'Sign in', legal: ['Privacy', 'Terms'] },
        ),
      );
    },
  },
  // The page's own call-to-action is a link that targets its iframe by name: the frame goes on.
  'link-to-frame': {
    lang: 'en',
    about: "a link of the page with target=<an iframe's name>: the named frame goes on through a tracker to the advertiser",
    cta: 'Show me the price',
    vias: ['start', 'click (in a frame)', 'http-302 (in a frame)'],
    html: () => {
      const panel = frameDoc(FRAME_SAME_SITE, 'link-to-frame', 'panel', () =>
        inner(`<p style="padding:16px">Your price appears here.</p>`),
      );
      return doc(
        'en',
        'Price check',
        frame(
          'link-to-frame',
          'en',
          `<h1>What would you pay?</h1>` +
            `<p>${a(exploreTrackerUrl('explore-page-link-to-frame'), 'Show me the price', ' class="btn-primary" target="pricepanel"')}</p>` +
            `<iframe name="pricepanel" src="${escapeHtml(panel)}" title="price" style="width:640px;height:200px;border:1px solid #ddd"></iframe>`,
          { menu: ['Plans', 'Help'], signIn: 'Sign in', legal: ['Privacy', 'Terms'] },
        ),
      );
    },
  },
  // The chain goes on in the frame (a link, then the frame's meta refresh), and the frame's last
  // document sends the top on (top.location): from then on the chain is the top's again.
  'iframe-then-top': {
    lang: 'en',
    about: "a plain link in an iframe, then the frame's meta refresh, then the frame navigates the top (through a tracker)",
    cta: 'See the offer',
    frame: frameUrl(FRAME_SAME_ORIGIN, 'iframe-then-top', 'offer'),
    vias: ['start', 'click (in a frame)', 'meta-refresh (in a frame)', 'frame-top', 'http-302'],
    html: () => {
      const escape = frameDoc(FRAME_SAME_ORIGIN, 'iframe-then-top', 'escape', () =>
        inner(`<p>Opening…</p><script>top.location.href = ${jsString(exploreTrackerUrl('explore-page-iframe-then-top'))};</script>`),
      );
      const step = frameDoc(FRAME_SAME_ORIGIN, 'iframe-then-top', 'step', () =>
        inner(`<meta http-equiv="refresh" content="0;url=${escapeHtml(escape)}"><p>One moment…</p>`),
      );
      const offer = frameDoc(FRAME_SAME_ORIGIN, 'iframe-then-top', 'offer', () =>
        inner(
          `<div style="padding:24px;text-align:center"><h2>Members save 25%</h2><p>${a(step, 'See the offer', ' class="btn-primary"')}</p></div>`,
        ),
      );
      return doc(
        'en',
        'Members',
        frame(
          'iframe-then-top',
          'en',
          `<h1>Member benefits</h1><iframe src="${escapeHtml(offer)}" title="offer" style="width:640px;height:240px;border:0"></iframe>`,
          { menu: ['Benefits', 'Help'], signIn: 'Sign in', legal: ['Privacy', 'Terms'] },
        ),
      );
    },
  },
  // The creative's button (target=_self) opens a look-alike sign-in page in the frame, of another
  // site than the page's: the final page is that frame's document, with its own snapshot.
  'iframe-final-signin': {
    lang: 'en',
    about: "a cross-site iframe's button opens a sign-in form in the frame: the frame's document is the final page's evidence",
    cta: 'Check my parcel',
    frame: frameUrl(FRAME_SITE, 'iframe-final-signin', 'creative'),
    vias: ['start', 'click (in a frame)'],
    final: frameUrl(FRAME_SITE, 'iframe-final-signin', 'signin'),
    finalFrame: { text: /Your parcel is on hold\. Sign in to release it/, secretFields: ['passwd'] },
    html: () => {
      const signin = frameDoc(FRAME_SITE, 'iframe-final-signin', 'signin', () =>
        inner(
          `<div style="padding:16px"><h2>Your parcel is on hold. Sign in to release it.</h2>` +
            `<form method="post" action="/explore/frames/iframe-final-signin/collect">` +
            `<p><input name="login" type="email" placeholder="E-mail"></p><p><input name="passwd" type="password" placeholder="Password"></p>` +
            `<p><button type="submit" class="btn-primary">Sign in</button></p></form></div>`,
          'Parcel Service | Sign in',
        ),
      );
      return framedOffer('iframe-final-signin', 'Deliveries', 'Track your delivery', 'Check my parcel', signin);
    },
  },
  // The frame's next document is a 503 page: an answer, shown in the frame, not a failure.
  'iframe-5xx': {
    lang: 'en',
    about: "a cross-site iframe's button loads a 503 page in the frame: the chain ends on that page, no failure",
    cta: 'Get the coupon',
    frame: frameUrl(FRAME_SITE, 'iframe-5xx', 'creative'),
    vias: ['start', 'click (in a frame)'],
    final: frameUrl(FRAME_SITE, 'iframe-5xx', 'busy'),
    finalStatus: 503,
    html: () => {
      const busy = frameDoc(
        FRAME_SITE,
        'iframe-5xx',
        'busy',
        () => inner(`<h2>We are busy. Please try again later.</h2>`, 'Service unavailable'),
        503,
      );
      return framedOffer('iframe-5xx', 'Coupons', 'Coupons of the week', 'Get the coupon', busy);
    },
  },
  // The documents the click loads in the frame fail, each as a top document can: the trace ends
  // at once with the cause, said of the frame's document.
  'iframe-fail-refused': {
    lang: 'en',
    about: "a cross-site iframe's button loads a site that refuses the connection, in the frame",
    cta: 'Claim your voucher',
    frame: frameUrl(FRAME_SITE, 'iframe-fail-refused', 'creative'),
    frameFailure: new RegExp(`^connection refused by ${EXPLORE_OFFLINE_HOST.replace(/\./g, '\\.')} \\(127\\.0\\.0\\.1:\\d+\\)`),
    html: () =>
      framedOffer('iframe-fail-refused', 'Vouchers', 'Vouchers', 'Claim your voucher', `http://${EXPLORE_OFFLINE_HOST}/claim?v=77`, true),
  },
  'iframe-fail-scheme': {
    lang: 'en',
    about: "a cross-site iframe's button is redirected (302) to an app's scheme, in the frame",
    cta: 'Open in the app',
    frame: frameUrl(FRAME_SITE, 'iframe-fail-scheme', 'creative'),
    frameFailure: /^redirect to unsupported scheme prizeapp:/,
    html: () => {
      const go = frameAnswer(FRAME_SITE, 'iframe-fail-scheme', 'go', (x) => x.redirect(302, EXPLORE_APP_SCHEME_URL));
      return framedOffer('iframe-fail-scheme', 'Rewards', 'Your reward is waiting', 'Open in the app', go, true);
    },
  },
  'iframe-fail-reset': {
    lang: 'en',
    about: "a cross-site iframe's button loads a page whose connection is reset midway, in the frame",
    cta: 'See the full offer',
    frame: frameUrl(FRAME_SITE, 'iframe-fail-reset', 'creative'),
    frameFailure: new RegExp(`^connection reset after ${EXPLORE_FRAME_RESET_SENT.toLocaleString('en-US')} bytes`),
    html: () => {
      const body = longPage('The offer in full');
      const cut = frameAnswer(FRAME_SITE, 'iframe-fail-reset', 'details', (x) => cutResponse(x, body, EXPLORE_FRAME_RESET_SENT, 'reset'));
      return framedOffer('iframe-fail-reset', 'Offer', 'The offer in detail', 'See the full offer', cut, true);
    },
  },
  // The top's call-to-action is clicked while two ad frames fail: one whose site refuses the
  // connection, one that keeps sending itself to an app's scheme. No frame is followed: nothing changes.
  'ad-fail': {
    lang: 'en',
    about: 'ad iframes failing (a refused connection, redirects to an app scheme) while the top-level call-to-action is clicked: no effect',
    cta: 'Order now',
    vias: ['start', 'click'],
    settleMs: 1000,
    failingFrames: [frameUrl(FRAME_SITE, 'ad-fail', 'go'), `http://${EXPLORE_OFFLINE_HOST}/ad/`],
    html: () => {
      const go = frameAnswer(FRAME_SITE, 'ad-fail', 'go', (x) => x.redirect(302, EXPLORE_APP_SCHEME_URL));
      const ad = frameDoc(FRAME_SITE, 'ad-fail', 'ad', () =>
        inner(
          `<div style="padding:8px;background:#eee;height:230px">Advertisement<br>Install our app</div>` +
            `<script>setInterval(function () { location.href = ${jsString(go)} + '?n=' + Date.now(); }, 200);</script>`,
        ),
      );
      return doc(
        'en',
        'Pizza',
        frame(
          'ad-fail',
          'en',
          `<h1>Pizza tonight?</h1>` +
            `<p><button id="order" type="button" class="btn-primary">Order now</button></p>` +
            `<aside><iframe src="${escapeHtml(ad)}" title="Advertisement" width="300" height="250" style="border:0"></iframe>` +
            `<iframe src="${escapeHtml(`http://${EXPLORE_OFFLINE_HOST}/ad/slot2`)}" title="Advertisement" width="300" height="250" style="border:0"></iframe></aside>` +
            `<script>document.getElementById('order').addEventListener('click', function () { ` +
            `setTimeout(function () { location.href = ${jsString(explorePageTarget('ad-fail'))}; }, 500); });</script>`,
          { menu: ['Menu', 'Delivery'], signIn: 'Sign in', legal: ['Privacy', 'Terms'] },
        ),
      );
    },
  },
  // The call-to-action is the top document's (its click navigates the top a moment later), while
  // an ad slot beside it reloads itself on a timer: the ad's reloads are none of the chain's.
  'ad-reload': {
    lang: 'en',
    about: 'an ad iframe reloading itself on a timer while the top-level call-to-action is clicked: no chain step',
    cta: 'Book your table',
    vias: ['start', 'click'],
    settleMs: 1000,
    html: () => {
      const ad = frameDoc(FRAME_SITE, 'ad-reload', 'ad', () =>
        inner(
          `<div style="padding:8px;background:#eee;height:230px">Advertisement<br>Sale at the corner shop</div>` +
            `<script>setTimeout(function () { location.replace(location.pathname + '?n=' + Date.now()); }, 250);</script>`,
        ),
      );
      return doc(
        'en',
        'Restaurant',
        frame(
          'ad-reload',
          'en',
          `<h1>Dinner tonight?</h1>` +
            `<p><button id="book" type="button" class="btn-primary">Book your table</button></p>` +
            `<aside><iframe src="${escapeHtml(ad)}" title="Advertisement" width="300" height="250" style="border:0"></iframe></aside>` +
            `<script>document.getElementById('book').addEventListener('click', function () { ` +
            `setTimeout(function () { location.href = ${jsString(explorePageTarget('ad-reload'))}; }, 500); });</script>`,
          { menu: ['Menu', 'Location'], signIn: 'Sign in', legal: ['Privacy', 'Terms'] },
        ),
      );
    },
  },
  'iframe-nested': {
    lang: 'en',
    about: "the call-to-action two iframes deep; a button below the inner frame's visible part ignored",
    cta: 'Continue to the offer',
    frame: frameUrl(FRAME_SITE, 'iframe-nested', 'inner'),
    html: () => {
      const innerFrame = frameDoc(FRAME_SITE, 'iframe-nested', 'inner', () =>
        inner(
          `<div style="padding:16px">${a(explorePageTarget('iframe-nested'), 'Continue to the offer', ' class="btn-primary" target="_top"')}</div>` +
            `<div style="margin-top:400px;padding:16px">` +
            a(
              refused('iframe-nested', 'cut-off'),
              'Claim your prize now',
              ' class="btn-primary" style="font-size:30px;padding:40px 90px" target="_top"',
            ) +
            `</div>`,
        ),
      );
      const outer = frameDoc(FRAME_SAME_SITE, 'iframe-nested', 'outer', () =>
        inner(
          `<div style="padding:12px"><p>Sponsored</p>` +
            `<iframe src="${escapeHtml(innerFrame)}" scrolling="no" style="width:520px;height:160px;border:0;overflow:hidden"></iframe></div>`,
        ),
      );
      return doc(
        'en',
        'Offer',
        `<main class="hero"><h1>One more step</h1><p>Your offer is ready.</p>` +
          `<iframe src="${escapeHtml(outer)}" style="width:580px;height:240px;border:0"></iframe>` +
          `<p>${a(refused('iframe-nested', 'faq'), 'Questions? Read the FAQ')}</p></main>`,
      );
    },
  },
  // The offer iframe is covered by a full-page transparent layer that leads elsewhere: nothing a person could click there is the button.
  'iframe-covered': {
    lang: 'en',
    about: 'a call-to-action in an iframe under a transparent full-page link: not clicked',
    cta: null,
    html: () => {
      const creative = frameDoc(FRAME_SITE, 'iframe-covered', 'creative', () =>
        inner(
          `<p style="padding:20px">${a(refused('iframe-covered', 'button'), 'Get the deal', ' class="btn-primary" target="_top"')}</p>`,
        ),
      );
      return doc(
        'en',
        'Deal',
        `<main class="hero"><h1>Exclusive deal</h1><iframe src="${escapeHtml(creative)}" style="width:500px;height:160px;border:0"></iframe></main>` +
          `<a href="${escapeHtml(refused('iframe-covered', 'overlay'))}" style="position:fixed;inset:0;z-index:30"></a>`,
      );
    },
  },
  // A closed shadow root holds the offer; the button checks that attachShadow is still the
  // browser's own (a cloaking page's test of a patched API) and leads elsewhere when it is not.
  'closed-shadow': {
    lang: 'en',
    about: 'a call-to-action inside a closed shadow root, read without patching attachShadow',
    cta: 'Get my discount',
    html: () =>
      doc(
        'en',
        'Discount',
        `<main class="hero"><h1>Members save 25%</h1><p>${a(refused('closed-shadow', 'terms'), 'offer terms')}</p><promo-box></promo-box></main><script>` +
          `const host = document.querySelector('promo-box');` +
          `const root = host.attachShadow({ mode: 'closed' });` +
          `root.innerHTML = '<style>button{background:#e4002b;color:#fff;border:0;padding:14px 32px;' +` +
          `'border-radius:6px;font-size:18px;cursor:pointer}</style>' +` +
          `'<button type="button">Get my discount</button>';` +
          `const native = String(Element.prototype.attachShadow).includes('[native code]') &&` +
          ` !Object.getOwnPropertyDescriptor(Element.prototype, 'attachShadow').get;` +
          `root.querySelector('button').addEventListener('click', () => {` +
          ` location.href = native ? ${jsString(explorePageTarget('closed-shadow'))} : ${jsString(refused('closed-shadow', 'patched'))}; });` +
          `</script>`,
      ),
  },
  // A consent notice that neither floats nor names itself: a plain block at the top of the page
  // with big "Accept" and "OK" buttons; only its wording says what it is.
  'consent-inline': {
    lang: 'en',
    about: 'an unnamed, non-floating cookie notice with "Accept" / "OK" vs the offer link',
    cta: 'See the offer',
    html: () =>
      doc(
        'en',
        'Spring sale',
        `<div class="notice" style="background:#f1f1f1;padding:16px 24px;font-size:14px">` +
          `<p>We and our 312 partners store and access information on your device, such as unique identifiers, ` +
          `to show personalised ads and measure how our site is used. ` +
          `You can change your choices at any time.</p>` +
          `<button class="btn-primary" onclick="${go(refused('consent-inline', 'accept'))}">Accept</button> ` +
          `<button class="btn-primary" onclick="${go(refused('consent-inline', 'ok'))}">OK</button> ` +
          `<a class="btn-ghost" href="${escapeHtml(refused('consent-inline', 'manage'))}">Manage options</a></div>\n` +
          frame(
            'consent-inline',
            'en',
            `<h1>Spring sale: 40% off</h1><p>Only this week.</p><p>${a(explorePageTarget('consent-inline'), 'See the offer')}</p>`,
            EN,
          ),
      ),
  },
  // The same in French and German, the notices above the offer.
  'consent-inline-fr': {
    lang: 'fr',
    about: 'unnamed, non-floating consent notices in French and German: "J\'accepte", "Tout accepter", "Zustimmen"',
    cta: "Voir l'offre",
    html: () =>
      doc(
        'fr',
        'Offre',
        `<section style="padding:12px 24px;background:#eee"><h3>Vos données, vos choix</h3><p>Nous utilisons des traceurs pour mesurer l'audience et ` +
          `vous proposer des publicités personnalisées, conformément à notre politique de confidentialité.</p>` +
          `<p><button class="btn-primary" onclick="${go(refused('consent-inline-fr', 'accept'))}">J'accepte</button> ` +
          `<button class="btn-primary" onclick="${go(refused('consent-inline-fr', 'all'))}">Tout accepter</button></p></section>` +
          `<section style="padding:12px 24px"><p>Wir und unsere Partner verarbeiten personenbezogene Daten, um Inhalte und Werbung zu personalisieren.</p>` +
          `<p><button class="btn-primary" onclick="${go(refused('consent-inline-fr', 'zustimmen'))}">Zustimmen</button></p></section>` +
          `<main class="hero"><h1>Votre offre exclusive</h1><p>${a(explorePageTarget('consent-inline-fr'), "Voir l'offre")}</p></main>`,
      ),
  },
  // A real landing page whose button says only "Accept" (and another "Accept offer"), near no
  // consent wording; its footer has a cookie settings link. "Accept offer" must win.
  'accept-offer': {
    lang: 'en',
    about: 'a real "Accept offer" button on a landing page with a cookie link in its footer',
    cta: 'Accept offer',
    html: () =>
      doc(
        'en',
        'Your offer',
        frame(
          'accept-offer',
          'en',
          `<h1>Congratulations, you have been pre-approved</h1><p>A credit line of $2,500 at 0% for 12 months.</p>` +
            `<p><button class="btn-primary" onclick="${go(explorePageTarget('accept-offer'))}">Accept offer</button></p>`,
          { ...EN, legal: [...EN.legal, 'Cookie settings'] },
        ),
      ),
  },
  // Controls a person passes over on an offer page: a coloured "Log in" button in the header, a
  // language switcher, "Back" and "Close" buttons, share links.
  distractions: {
    lang: 'en',
    about: 'a coloured "Log in" header button, a language switcher, Back/Close, share links vs the offer',
    cta: 'Get 50% off',
    html: () =>
      doc(
        'en',
        'Offer',
        `<header class="top"><strong>Brand</strong><div>` +
          `${a(refused('distractions', 'lang-de'), 'Deutsch')} ${a(refused('distractions', 'lang-fr'), 'Français')} ` +
          `${a(refused('distractions', 'login'), 'Log in', ' class="btn-primary" style="font-size:15px;padding:10px 22px"')}</div></header>` +
          `<main class="hero"><p><button class="btn-ghost" onclick="${go(refused('distractions', 'back'))}">← Back</button></p>` +
          `<h1>Half price on your first box</h1><p>${a(explorePageTarget('distractions'), 'Get 50% off', ' class="btn-primary"')}</p>` +
          `<p>${a('https://www.facebook.com/sharer/sharer.php?u=x', 'Share on Facebook', ' class="btn-ghost"')} ` +
          `${a('https://twitter.com/intent/tweet?url=x', 'Tweet', ' class="btn-ghost"')}</p>` +
          `<p><button class="btn-primary" onclick="${go(refused('distractions', 'close'))}">Close</button></p></main>`,
      ),
  },
  // An advertorial: the offer in the article, a display ad in a sidebar iframe with its own "Shop now" button.
  'iframe-ad-aside': {
    lang: 'en',
    about: 'the article\'s offer vs a display ad\'s "Shop now" in a sidebar iframe',
    cta: 'Order now',
    html: () => {
      const ad = frameDoc(FRAME_SITE, 'iframe-ad-aside', 'ad', () =>
        inner(
          `<div style="padding:16px;background:#fff3e0;height:218px"><h3>Summer shoes</h3><p>Up to 70% off.</p>` +
            `<p>${a(refused('iframe-ad-aside', 'ad'), 'Shop now', ' class="btn-primary" target="_top"')}</p></div>`,
        ),
      );
      return doc(
        'en',
        'How I lost 10 kg',
        `<div style="display:flex;gap:24px;max-width:1100px;margin:0 auto;padding:24px">` +
          `<article style="flex:1"><h1>How I lost 10 kg in a month</h1><p>Doctors hate this simple trick.</p>` +
          `<p>${a(explorePageTarget('iframe-ad-aside'), 'Order now', ' class="btn-ghost"')} while the discount lasts.</p></article>` +
          `<aside style="width:300px"><p style="font-size:11px;color:#777">Advertisement</p>` +
          `<iframe src="${escapeHtml(ad)}" style="width:300px;height:250px;border:0"></iframe></aside></div>`,
      );
    },
  },
  // More of what a person passes over: a "Register" header button, language links, app store
  // badges, a fixed "Chat with us" button, "Continue with Facebook", share buttons to WhatsApp and LinkedIn.
  'distractions-more': {
    lang: 'en',
    about: 'register/language/app-badge/chat/social-login/share controls vs a plain offer link',
    cta: 'Click here to get your voucher',
    html: () =>
      doc(
        'en',
        'Voucher',
        `<header class="top"><strong>Brand</strong><div>` +
          `${a(refused('distractions-more', 'en'), 'EN', ' hreflang="en"')} ${a(refused('distractions-more', 'de'), 'DE', ' hreflang="de"')} ` +
          `${a(refused('distractions-more', 'register'), 'Register', ' class="btn-primary" style="font-size:15px;padding:10px 22px"')}</div></header>` +
          `<main class="hero"><h1>Your €50 voucher</h1><p>${a(explorePageTarget('distractions-more'), 'Click here to get your voucher')}</p>` +
          `<p><button class="btn-primary" style="background:#1877f2" onclick="${go('https://www.facebook.com/dialog/oauth?client_id=1')}">` +
          `Continue with Facebook</button></p>` +
          `<p>${a('https://api.whatsapp.com/send?text=voucher', 'Share on WhatsApp', ' class="btn-primary" style="background:#25d366"')} ` +
          `${a('https://www.linkedin.com/sharing/share-offsite/?url=x', 'Share on LinkedIn', ' class="btn-primary" style="background:#0a66c2"')}</p>` +
          `<p>${a(refused('distractions-more', 'app-store'), '', ' style="display:inline-block"').replace('></a>', '><img alt="Download on the App Store" width="160" height="54" src="data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27 width=%27160%27 height=%2754%27%3E%3Crect width=%27160%27 height=%2754%27 rx=%278%27/%3E%3C/svg%3E"></a>')}</p></main>` +
          `<button class="btn-primary" style="position:fixed;right:24px;bottom:24px;border-radius:24px" ` +
          `onclick="${go(refused('distractions-more', 'chat'))}">` +
          `Chat with us</button>`,
      ),
  },
  // Links that go nowhere by their href but act by their onclick attribute (a button made of a link); a bare "#" link beside them does nothing.
  'hash-onclick': {
    lang: 'en',
    about: 'an <a href="#" onclick> and an <a href="javascript:void(0)" onclick> are buttons; a bare "#" is not',
    cta: 'Get the offer',
    html: () =>
      doc(
        'en',
        'Offer',
        frame(
          'hash-onclick',
          'en',
          `<h1>Today only</h1><p>${a('#', 'Learn more', ' class="btn-ghost"')}</p>` +
            `<p><a href="#" class="btn-primary" onclick="${go(explorePageTarget('hash-onclick'))}; return false;">Get the offer</a></p>` +
            `<p><a href="javascript:void(0)" onclick="${go(refused('hash-onclick', 'second'))}">see the terms of the offer</a></p>`,
          EN,
        ),
      ),
  },
  // A control whose aria-label says one thing and whose text another: a person reads the text.
  'aria-spoof': {
    lang: 'en',
    about: 'an "Unsubscribe" button labelled "Shop now" for screen readers',
    cta: 'See the offer',
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Today only</h1>` +
          `<p>${a(`${PROMO}/explore/pages/refused/aria-spoof/m?id=8842`, 'Unsubscribe', ' class="btn-primary" aria-label="Shop now"')}</p>` +
          `<p>${a(explorePageTarget('aria-spoof'), 'See the offer')}</p></main>`,
      ),
  },
  // An invisible link laid over the whole page on top of the real button (clickjacking): the button is covered.
  clickjack: {
    lang: 'en',
    about: 'a transparent full-page link over the offer button',
    cta: null,
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Exclusive deal</h1><p>` +
          `<button class="btn-primary" onclick="${go(refused('clickjack', 'button'))}">Get the deal</button></p></main>` +
          `<a href="${escapeHtml(refused('clickjack', 'overlay'))}" style="position:fixed;inset:0;z-index:30"></a>`,
      ),
  },
  // Hidden in ways the simple checks miss: near-zero opacity, transparent text, clipped by its own clip-path.
  'hidden-more': {
    lang: 'en',
    about: 'near-zero opacity, transparent text, own clip-path: never chosen',
    cta: 'continue to your order',
    html: () =>
      doc(
        'en',
        'Order',
        `<main class="hero"><h1>Your order</h1>` +
          `<p style="opacity:0.01">${a(refused('hidden-more', 'faint'), 'Claim your prize', ' class="btn-primary"')}</p>` +
          `<p>${a(refused('hidden-more', 'transparent-text'), 'Claim your prize', ' style="color:transparent;font-size:24px"')}</p>` +
          `<p>${a(refused('hidden-more', 'clip-path'), 'Claim your prize', ' class="btn-primary" style="clip-path:inset(50%)"')}</p>` +
          `<p>Almost done: ${a(explorePageTarget('hidden-more'), 'continue to your order')}.</p></main>`,
      ),
  },
  // A preferences page in several languages: no button may be clicked (their URLs say nothing, the words do).
  'leave-list': {
    lang: 'es',
    about: 'unsubscribe buttons in es, it, pt, fr, ru, ja wording not all in the rules before',
    cta: null,
    html: () =>
      doc(
        'es',
        'Baja',
        `<main class="hero"><h1>Preferencias de correo</h1>` +
          [
            ['es', 'Darme de baja'],
            ['it', "Annulla l'iscrizione"],
            ['pt', 'Cancelar a inscrição'],
            ['fr', 'Me désinscrire'],
            ['ru', 'Отписаться'],
            ['ja', '配信停止'],
            ['en', 'Manage your subscription'],
          ]
            .map(
              ([code, text]) =>
                `<p>${a(`${PROMO}/explore/pages/refused/leave-list/m?l=${code}&id=8842`, text, ' class="btn-primary"')}</p>`,
            )
            .join('') +
          `</main>`,
      ),
  },
  // Downloads told by the link's path (a .pdf with a query of its own, less common extensions) or
  // its download attribute, all bigger than the offer; the offer's own link names a .pdf only to a
  // document viewer's page, and in a tracking parameter: it is followed, not taken for a download.
  downloads: {
    lang: 'en',
    about: 'downloads by path (.pdf?…, .msix, .xapk) or download attribute refused; "/view?doc=report.pdf" (a viewer) followed',
    cta: 'View your report',
    final: `${explorePageTarget('downloads')}/view?doc=report.pdf&utm_content=banner.zip`,
    reasons: [
      { text: 'Get started', match: /, download link \(\.pdf\)$/ },
      { text: 'Get it now', match: /, download link \(download attribute\)$/ },
      { text: 'Get it now for Windows', match: /, download link \(\.msix\)$/ },
      { text: 'View your report', match: /download/, absent: true },
    ],
    html: () =>
      doc(
        'en',
        'Download',
        `<main class="hero"><h1>Your report is ready</h1>` +
          `<p>${a(refused('downloads', 'files/report.pdf?utm_source=mail'), 'Get started', ' class="btn-primary" style="font-size:26px"')}</p>` +
          `<p>${a(refused('downloads', 'get?name=brand-installer'), 'Get it now', ' class="btn-primary" style="font-size:26px" download')}</p>` +
          `<p>${a(refused('downloads', 'brand.msix'), 'Get it now for Windows', ' class="btn-primary" style="font-size:26px"')}</p>` +
          `<p>${a(refused('downloads', 'brand.xapk'), 'Get it now for Android', ' class="btn-primary" style="font-size:26px"')}</p>` +
          `<p>${a(`${explorePageTarget('downloads')}/view?doc=report.pdf&utm_content=banner.zip`, 'View your report', ' class="btn-primary"')}</p></main>`,
      ),
  },
  // Script-only links that do nothing, and a submit of a form whose required box is not ticked.
  'js-and-forms': {
    lang: 'en',
    about: 'javascript:; and #-links without handlers, a form with a required checkbox',
    cta: null,
    html: () =>
      doc(
        'en',
        'Confirm',
        `<main class="hero"><h1>Confirm your entry</h1>` +
          `<p>${a('javascript:;', 'Claim now', ' class="btn-primary"')} ${a('#', 'Learn more', ' class="btn-primary"')}</p>` +
          `<form method="post" action="${escapeHtml(refused('js-and-forms', 'submit'))}"><label>` +
          `<input type="checkbox" name="agree" required> I agree to the rules</label>` +
          `<button class="btn-primary" type="submit">Continue</button></form></main>`,
      ),
  },
  // No call-to-action at all: an article with navigation, in-text links to other sites and a big headline link.
  article: {
    lang: 'en',
    about: 'an article page with no call-to-action: explore stops',
    cta: null,
    html: () =>
      doc(
        'en',
        'News',
        frame(
          'article',
          'en',
          `<h1 style="font-size:32px">${a(refused('article', 'headline'), 'City council approves the new budget for 2027 after long debate')}</h1>` +
            `<p style="font-size:18px">The vote followed ` +
            `${a(refused('article', 'source'), 'a report by the regional newspaper', ' style="font-size:18px"')} and weeks of hearings.</p>` +
            `<p style="font-size:18px">${a(refused('article', 'related'), 'Related: schools get new funding', ' style="font-size:20px"')}</p>`,
          EN,
        ),
      ),
  },
  // A terms box that scrolls (overflow:auto) with the button at its end, out of view; a box that
  // does not scroll (overflow:hidden) hides a bigger button below its edge.
  'scroll-box': {
    lang: 'en',
    about: 'the call-to-action scrolled out of view in an overflow:auto box; one cut off in an overflow:hidden box',
    cta: 'Continue to the offer',
    reasons: [{ text: 'Continue to the offer', match: /scrolled out of view in a scroll box/ }],
    html: () =>
      doc(
        'en',
        'Terms',
        frame(
          'scroll-box',
          'en',
          `<h1>Almost there</h1><div style="height:160px;overflow:auto;border:1px solid #ccc;padding:8px">${filler(20)}` +
            `<p>${a(explorePageTarget('scroll-box'), 'Continue to the offer', ' class="btn-primary"')}</p></div>` +
            `<div style="height:90px;overflow:hidden;margin-top:12px"><p>Winners are drawn every day.</p><div style="height:200px"></div>` +
            `${a(refused('scroll-box', 'cut-off'), 'Claim your prize now', ' class="btn-primary" style="font-size:28px"')}</div>`,
          EN,
        ),
      ),
  },
  // A cross-site iframe that scrolls: its button is below the frame's view.
  'iframe-scroll': {
    lang: 'en',
    about: 'the call-to-action below the view of a scrollable iframe',
    cta: 'Get your voucher',
    frame: frameUrl(FRAME_SITE, 'iframe-scroll', 'creative'),
    reasons: [{ text: 'Get your voucher', match: /scrolled out of view in its frame/ }],
    html: () => {
      const creative = frameDoc(FRAME_SITE, 'iframe-scroll', 'creative', () =>
        inner(
          `<div style="padding:16px"><h2>Your voucher</h2>${filler(30)}` +
            `<p>${a(explorePageTarget('iframe-scroll'), 'Get your voucher', ' class="btn-primary" target="_top"')}</p></div>`,
        ),
      );
      return doc(
        'en',
        'Voucher',
        `<main class="hero"><h1>One more step</h1>` +
          `<iframe src="${escapeHtml(creative)}" style="width:560px;height:200px;border:1px solid #ddd"></iframe></main>`,
      );
    },
  },
  // Display ads in the page's main column, no label above them: a 300×250 slot (with an AdChoices
  // link) and an odd-sized frame known by its ad-serving markup. Their big buttons lose to the page's plain link.
  'ad-frames': {
    lang: 'en',
    about: "a 300×250 ad and an <ins class=adsbygoogle> ad in the main column vs the page's plain offer link",
    cta: 'Get the offer',
    frameAds: ['300×250 slot', 'ad-serving markup <ins>'],
    reasons: [
      { text: 'Shop now', match: /display ad's frame \(300×250 slot\)/ },
      { text: 'Buy now', match: /display ad's frame \(ad-serving markup <ins>\)/ },
    ],
    html: () => {
      const slot = frameDoc(FRAME_SITE, 'ad-frames', 'slot', () =>
        inner(
          `<div style="padding:16px;background:#fff3e0;height:218px"><h3>Summer shoes</h3>` +
            `<p>${a(refused('ad-frames', 'slot'), 'Shop now', ' class="btn-primary" target="_top"')}</p>` +
            `<p style="font-size:10px">${a(refused('ad-frames', 'adchoices'), 'AdChoices', ' target="_blank"')}</p></div>`,
        ),
      );
      const unit = frameDoc(FRAME_SITE, 'ad-frames', 'unit', () =>
        inner(
          `<ins class="adsbygoogle" style="display:block;padding:12px;background:#e3f2fd"><strong>Cheap flights</strong> ` +
            `${a(refused('ad-frames', 'unit'), 'Buy now', ' class="btn-primary" target="_top"')}</ins>`,
        ),
      );
      return doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Your personal offer</h1><p>${a(explorePageTarget('ad-frames'), 'Get the offer')}</p>` +
          `<iframe src="${escapeHtml(slot)}" style="width:300px;height:250px;border:0"></iframe>` +
          `<iframe src="${escapeHtml(unit)}" style="width:640px;height:110px;border:0"></iframe></main>`,
      );
    },
  },
  // The advertiser's own offer in a 300×250 frame of its own site: not an ad (it beats the page's "Learn more").
  'ad-sized-own': {
    lang: 'en',
    about: "a 300×250 frame of the page's own site holding the offer: not penalised as an ad",
    cta: 'Claim your reward',
    frame: frameUrl(FRAME_SAME_SITE, 'ad-sized-own', 'offer'),
    frameAds: [null],
    reasons: [
      { text: 'Claim your reward', match: /of the page's own site: not taken for an ad/ },
      { text: 'Claim your reward', match: /display ad's frame/, absent: true },
    ],
    html: () => {
      const offer = frameDoc(FRAME_SAME_SITE, 'ad-sized-own', 'offer', () =>
        inner(
          `<div style="padding:16px;height:218px"><h3>$500 reward</h3>` +
            `<p>${a(explorePageTarget('ad-sized-own'), 'Claim your reward', ' class="btn-primary" target="_top"')}</p></div>`,
        ),
      );
      return doc(
        'en',
        'Reward',
        frame(
          'ad-sized-own',
          'en',
          `<h1>Thank you</h1><p>${a(refused('ad-sized-own', 'more'), 'Learn more', ' class="btn-ghost"')}</p>` +
            `<iframe src="${escapeHtml(offer)}" style="width:300px;height:250px;border:0"></iframe>`,
          EN,
        ),
      );
    },
  },
  // A page that is nothing but a 300×250 frame of another site: the offer, not an ad beside one.
  'ad-sized-only': {
    lang: 'en',
    about: "a cross-site 300×250 frame that is the page's only content: not penalised as an ad",
    cta: 'Claim your reward',
    frame: frameUrl(FRAME_SITE, 'ad-sized-only', 'offer'),
    reasons: [{ text: 'Claim your reward', match: /that is all the page offers: not taken for an ad/ }],
    html: () => {
      const offer = frameDoc(FRAME_SITE, 'ad-sized-only', 'offer', () =>
        inner(
          `<div style="padding:16px;height:218px"><h3>$500 reward</h3>` +
            `<p>${a(explorePageTarget('ad-sized-only'), 'Claim your reward', ' class="btn-primary" target="_top"')}</p>` +
            `<p style="font-size:10px">${a(refused('ad-sized-only', 'unsubscribe'), 'Unsubscribe', ' target="_top"')}</p></div>`,
        ),
      );
      return doc('en', 'Reward', `<iframe src="${escapeHtml(offer)}" style="width:300px;height:250px;border:0;margin:24px"></iframe>`);
    },
  },
  // An image map whose offer is a U-shaped polygon: the centre of its box lies in an earlier "Unsubscribe" rectangle.
  'image-map-poly': {
    lang: 'en',
    about: "a polygon <area> whose box centre is another area's (unsubscribe): clicked inside its own shape",
    cta: 'Shop the sale',
    html: () =>
      doc(
        'en',
        'Sale',
        `<main class="hero"><h1>Sale</h1><img usemap="#m" alt="" width="600" height="200" src="${picture(600, 200)}">` +
          `<map name="m"><area shape="rect" coords="250,80,350,120" href="${escapeHtml(refused('image-map-poly', 'm?id=4'))}" alt="Unsubscribe">` +
          `<area shape="poly" coords="0,0,600,0,600,200,400,200,400,60,200,60,200,200,0,200" ` +
          `href="${escapeHtml(explorePageTarget('image-map-poly'))}" alt="Shop the sale"></map></main>`,
      ),
  },
  // An SVG banner: its link written the old way (xlink:href); an SVG "Unsubscribe" link beside it.
  'svg-link': {
    lang: 'en',
    about: 'an SVG <a xlink:href> banner link; an SVG unsubscribe link refused',
    cta: 'Get your gift',
    html: () =>
      doc(
        'en',
        'Gift',
        `<main class="hero"><h1>A gift for you</h1>` +
          `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="420" height="160">` +
          `<a xlink:href="${escapeHtml(explorePageTarget('svg-link'))}"><rect x="10" y="10" width="300" height="70" rx="8" fill="#e4002b"/>` +
          `<text x="40" y="55" font-size="24" fill="#fff">Get your gift</text></a>` +
          `<a href="${escapeHtml(refused('svg-link', 'm?id=5'))}"><text x="10" y="140" font-size="22" fill="#333">Unsubscribe</text></a></svg></main>`,
      ),
  },
  // Buttons that go where their onclick says: a <div role=button onclick="location='…'">; bigger
  // buttons whose onclick leads to an unsubscribe URL or a download are refused by that URL.
  'onclick-location': {
    lang: 'en',
    about: 'a <div role=button onclick="location=\'…\'">; onclick targets that unsubscribe or download refused',
    cta: 'Continue',
    reasons: [{ text: 'Continue', match: /leads where its onclick says/ }],
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Your order is waiting</h1>` +
          `<p><button class="btn-primary" style="font-size:24px" ` +
          `onclick="location.href='${escapeHtml(`${PROMO}/explore/pages/refused/onclick-location/unsubscribe?id=8`)}'">` +
          `Yes, continue now</button></p>` +
          `<p><span class="btn-primary" onclick="window.open('${escapeHtml(refused('onclick-location', 'get/Setup.exe'))}')">Get it now</span></p>` +
          `<div role="button" class="btn-ghost" style="width:max-content" onclick="location='${escapeHtml(explorePageTarget('onclick-location'))}'">` +
          `Continue</div></main>`,
      ),
  },
  // Forms: a GET form with only hidden fields and a submit (followed, its fields in the URL); a
  // bigger GET form whose hidden field says unsubscribe; a form that needs an e-mail address.
  'form-get': {
    lang: 'en',
    about: 'a GET form of hidden fields and one submit followed; its unsubscribe twin and a typing form refused',
    cta: 'Continue',
    final: `${explorePageTarget('form-get')}?offer=42`,
    reasons: [{ text: 'Continue', match: /sends a form \(GET\) with nothing to type/ }],
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Your offer</h1>` +
          `<form method="post" action="${escapeHtml(refused('form-get', 'signup'))}"><input type="email" name="email" placeholder="E-mail">` +
          `<button class="btn-primary" style="font-size:26px">Get started</button></form>` +
          `<form method="get" action="${escapeHtml(refused('form-get', 'list'))}"><input type="hidden" name="action" value="unsubscribe">` +
          `<button class="btn-primary" style="font-size:24px">Continue to the list</button></form>` +
          `<form method="get" action="${escapeHtml(explorePageTarget('form-get'))}"><input type="hidden" name="offer" value="42">` +
          `<button class="btn-ghost">Continue</button></form></main>`,
      ),
  },
  // A modal <dialog> (showModal): the page under it cannot be clicked; a closed dialog's button cannot be seen.
  'dialog-modal': {
    lang: 'en',
    about: 'a modal <dialog> over the offer page: its button clicked; the page below and a closed dialog not',
    cta: 'I am over 18, continue',
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Exclusive deal</h1>` +
          `<p>${a(refused('dialog-modal', 'under'), 'Shop now', ' class="btn-primary" style="font-size:28px"')}</p></main>` +
          `<dialog id="later">${a(refused('dialog-modal', 'closed'), 'Claim your prize now', ' class="btn-primary"')}</dialog>` +
          `<dialog id="age"><p>This offer is for adults.</p>${a(explorePageTarget('dialog-modal'), 'I am over 18, continue', ' class="btn-ghost"')}</dialog>` +
          `<script>document.getElementById('age').showModal();</script>`,
      ),
  },
  // Buttons whose words are an image's alt text.
  'image-buttons': {
    lang: 'en',
    about: 'a <button> whose text is an <img alt>; an unsubscribe image link and an <input type=image> of a typing form refused',
    cta: 'Get your gift',
    html: () =>
      doc(
        'en',
        'Present',
        `<main class="hero"><h1>Your present is waiting</h1>` +
          `<p><a href="${escapeHtml(refused('image-buttons', 'm?id=6'))}">` +
          `<img alt="Unsubscribe from these e-mails" width="420" height="90" src="${picture(420, 90)}"></a></p>` +
          `<form method="post" action="${escapeHtml(refused('image-buttons', 'form'))}"><input type="email" name="email">` +
          `<input type="image" alt="Claim your prize" width="300" height="80" src="${picture(300, 80)}"></form>` +
          `<p><button style="border:0;background:none;padding:0;cursor:pointer" onclick="${go(explorePageTarget('image-buttons'))}">` +
          `<img alt="Get your gift" width="260" height="70" src="${picture(260, 70, '%232e7d32')}"></button></p></main>`,
      ),
  },
  // Arabic, right to left: the unsubscribe button is written with a hamza, a tatweel and a vowel mark; its URL says nothing.
  'ar-rtl': {
    lang: 'ar',
    about: 'Arabic right-to-left page: "اشتر الآن" chosen, "إلغاء الاشـتراك" (tatweel, marks) refused by its words',
    cta: 'اشتر الآن',
    html: () =>
      doc(
        'ar',
        'عرض',
        `<div dir="rtl">` +
          frame(
            'ar-rtl',
            'ar',
            `<h1>عرض الربيع: خصم 40٪</h1><p>${a(refused('ar-rtl', 'm?id=7'), 'إلغاءُ الاشـتراك', ' class="btn-primary" style="font-size:26px"')}</p>` +
              `<p>${a(explorePageTarget('ar-rtl'), 'اشتر الآن', ' class="btn-ghost"')}</p>`,
            { menu: ['الرئيسية', 'المنتجات', 'من نحن'], signIn: 'تسجيل الدخول', legal: ['سياسة الخصوصية', 'الشروط والأحكام'] },
          ) +
          `</div>`,
      ),
  },
  // Hebrew, right to left, with the removal link Israeli law asks of ads ("להסרה") as its biggest
  // button, and an English "Unsubscribe" with a soft hyphen inside the word.
  'he-rtl': {
    lang: 'he',
    about: 'Hebrew right-to-left page: "לחצו כאן" chosen; "להסרה" and a soft-hyphenated "Unsub­scribe" refused',
    cta: 'לחצו כאן',
    html: () =>
      doc(
        'he',
        'הצעה',
        `<main class="hero" dir="rtl"><h1>הטבה בלעדית</h1>` +
          `<p>${a(refused('he-rtl', 'r?id=9'), 'להסרה', ' class="btn-primary" style="font-size:26px"')}</p>` +
          `<p>${a(refused('he-rtl', 's?id=9'), 'Unsub\u00adscribe', ' class="btn-primary" style="font-size:26px"')}</p>` +
          `<p>${a(explorePageTarget('he-rtl'), 'לחצו כאן')} למימוש ההטבה</p></main>`,
      ),
  },
  // A bare spam page whose one followable link is a tracker's "here"; its footer's links are refused.
  'tracker-only': {
    lang: 'en',
    about: 'a page whose only followable link is a small "here" to a tracker on another host',
    cta: 'here',
    reasons: [{ text: 'here', match: /the page's only link a person could follow/ }],
    html: () =>
      doc(
        'en',
        'Delivery',
        `<main style="padding:24px;font-size:13px"><p>Your parcel could not be delivered. To schedule a new delivery go ` +
          `${a(exploreTrackerUrl(`explore-page-tracker-only`), 'here')}.</p></main>` +
          `<footer class="site-footer">${a(refused('tracker-only', 'privacy'), 'Privacy policy')}` +
          `${a(refused('tracker-only', 'optout'), 'Unsubscribe')}</footer>`,
      ),
  },
  // A consent platform's modal over the whole page: a dark backdrop takes every click, "Accept
  // all" is the biggest button. The consent controls are never the call-to-action; a person
  // closes the notice (explore with "Reject all", never accepting for the analyst) and clicks the offer under it.
  'cookie-modal': {
    lang: 'en',
    about: 'a consent modal and backdrop over the offer: dismissed with "Reject all", never accepted; the offer under it clicked',
    cta: 'Shop now',
    dismissed: 'Reject all',
    reasons: [{ text: 'Accept all', match: /cookie banner/ }],
    html: () =>
      doc(
        'en',
        'Summer sale',
        frame(
          'cookie-modal',
          'en',
          `<h1>Summer sale: up to 60% off</h1><p>Only until Sunday.</p><p>${a(explorePageTarget('cookie-modal'), 'Shop now', ' class="btn-primary"')}</p>`,
          {
            ...EN,
            tail:
              `<div class="pv-backdrop" style="position:fixed;inset:0;background:rgba(0,0,0,.55);z-index:900"></div>` +
              `<div class="pv-box" role="dialog" aria-modal="true" aria-labelledby="pv-title" ` +
              `style="position:fixed;left:50%;top:40%;transform:translate(-50%,-50%);width:520px;background:#fff;padding:28px;z-index:901">` +
              `<h2 id="pv-title">We value your privacy</h2><p>We and our 842 partners use cookies and similar technologies to store and ` +
              `access information on your device, to personalise ads and content and to measure audiences.</p>` +
              `<p><button class="btn-primary" style="background:#1b8a3c" onclick="document.cookie='pv=all';closePv()">Accept all</button> ` +
              `<button class="btn-ghost" onclick="document.cookie='pv=none';closePv()">Reject all</button> ` +
              `${a(refused('cookie-modal', 'manage'), 'Manage options')}</p></div>` +
              `<script>function closePv(){for(const e of document.querySelectorAll('.pv-backdrop,.pv-box'))e.remove();}</script>`,
          },
        ),
      ),
  },
  // A newsletter pop-up as a <dialog open> whose big "Weiter" button closes it (a form with
  // method=dialog): it leads nowhere, so it is not the call-to-action.
  'dialog-form': {
    lang: 'de',
    about: 'a pop-up <dialog> whose "Weiter" button only closes it (form method=dialog) vs "Jetzt kaufen"',
    cta: 'Jetzt kaufen',
    reasons: [{ text: 'Weiter', match: /dialog/ }],
    html: () =>
      doc(
        'de',
        'Angebot',
        frame(
          'dialog-form',
          'de',
          `<h1>Winterschlussverkauf</h1><p>Bis zu 50 % auf alles.</p>` +
            `<p>${a(explorePageTarget('dialog-form'), 'Jetzt kaufen', ' style="font-size:18px"')}</p>`,
          {
            menu: ['Startseite', 'Produkte', 'Über uns'],
            signIn: 'Einloggen',
            legal: ['Datenschutz', 'Impressum'],
            tail:
              `<dialog open style="position:fixed;right:24px;bottom:24px;left:auto;top:auto;margin:0;width:340px;border:0;` +
              `box-shadow:0 4px 24px rgba(0,0,0,.3);padding:24px"><h3>10 % Rabatt für Ihre erste Bestellung</h3>` +
              `<form method="dialog"><button class="btn-primary" style="font-size:26px;padding:16px 60px">Weiter</button></form></dialog>`,
          },
        ),
      ),
  },
  // The button's words are CSS generated content (::before): a person reads them, innerText does not.
  'css-label': {
    lang: 'fr',
    about: 'the call-to-action\'s words only in CSS ::before content (fr) vs a plain "En savoir plus" link',
    cta: 'Commander maintenant',
    html: () =>
      doc(
        'fr',
        'Offre',
        `<style>.cta-label::before{content:"Commander maintenant"}</style>` +
          frame(
            'css-label',
            'fr',
            `<h1>Votre offre exclusive</h1><p>-40 % jusqu'à dimanche. ${a(refused('css-label', 'more'), 'En savoir plus')}</p>` +
              `<p><a class="btn-primary cta-label" href="${escapeHtml(explorePageTarget('css-label'))}"></a></p>`,
            { menu: ['Accueil', 'Nos produits', 'Qui sommes-nous'], signIn: 'Se connecter', legal: ['Mentions légales', 'Se désinscrire'] },
          ),
      ),
  },
  // A phishing kit's sign-in: the fields are in a form but the "Verify" button is a <div role=button>
  // that submits it from script; a second step's "Continue" sits beside a code field with no form at all.
  'phish-login': {
    lang: 'en',
    about: 'phishing sign-in: a <div role=button> submitting a password form, a form-less "Continue" beside a code field: nothing clicked',
    cta: null,
    reasons: [
      { text: 'Verify', match: /script button on fields that need typing/ },
      { text: 'Continue', match: /script button on fields that need typing/ },
    ],
    html: () =>
      doc(
        'en',
        'Sign in to your account',
        `<main class="hero" style="max-width:420px"><h1>Sign in to view the shared document</h1>` +
          `<form method="post" action="${escapeHtml(refused('phish-login', 'login'))}">` +
          `<p><input type="email" name="login" placeholder="Email, phone, or Skype" style="width:100%;padding:8px"></p>` +
          `<p><input type="password" name="passwd" placeholder="Password" style="width:100%;padding:8px"></p>` +
          `<div role="button" tabindex="0" class="btn-primary" style="width:max-content" onclick="this.closest('form').submit()">Verify</div></form>` +
          `<p>${a(refused('phish-login', 'forgot'), 'Forgot my password')}</p>` +
          `<div style="margin-top:24px"><p>Enter the code we sent to your phone.</p>` +
          `<input type="text" inputmode="numeric" id="otp" placeholder="Code" style="padding:8px"> ` +
          `<button class="btn-primary" style="font-size:22px" onclick="${go(refused('phish-login', 'otp'))}">Continue</button></div></main>`,
      ),
  },
  // Unsubscribe links that do not say so: "click here" / "hier" whose sentence says what they do, a
  // button "I no longer wish to receive these e-mails"; their URLs say nothing.
  'removal-sentence': {
    lang: 'en',
    about: 'unsubscribe links disguised as "click here" (en, de, fr, es, it) and "I no longer wish to receive…" vs the plain offer link',
    cta: 'See the offer',
    reasons: [{ text: 'click here', match: /unsubscribe/ }],
    html: () =>
      doc(
        'en',
        'Your offer',
        `<main class="hero"><h1>Your personal offer is ready</h1><p>${a(explorePageTarget('removal-sentence'), 'See the offer')}</p>` +
          `<p style="font-size:20px">To stop receiving these offers, ${a(refused('removal-sentence', 'r?id=1'), 'click here', ' class="btn-primary"')}.</p>` +
          `<p>${a(refused('removal-sentence', 'r?id=2'), 'I no longer wish to receive these e-mails', ' class="btn-primary"')}</p>` +
          `<p>Wenn Sie keine weiteren E-Mails von uns erhalten möchten, klicken Sie ` +
          `${a(refused('removal-sentence', 'r?id=3'), 'hier', ' class="btn-primary"')}.</p>` +
          `<p>Pour ne plus recevoir nos offres, ${a(refused('removal-sentence', 'r?id=4'), 'cliquez ici', ' class="btn-primary"')}.</p>` +
          `<p>Si no desea recibir más correos, ${a(refused('removal-sentence', 'r?id=5'), 'haga clic aquí', ' class="btn-primary"')}.</p>` +
          `<p>Per non ricevere più le nostre email ${a(refused('removal-sentence', 'r?id=6'), 'clicca qui', ' class="btn-primary"')}.</p></main>`,
      ),
  },
  // Long-form sales page: the "Order now" buttons at the top only scroll to the order box (an
  // onclick that scrolls); the order box's "Buy now" leads to the shop.
  'scroll-buttons': {
    lang: 'en',
    about: 'an <a href="#" onclick> that only scrolls to the order box vs the box\'s "Buy now" below the fold',
    cta: 'Buy now',
    html: () =>
      doc(
        'en',
        'The secret',
        `<main class="hero"><h1>The one trick doctors do not want you to know</h1>` +
          `<p><a href="#" class="btn-primary" style="font-size:26px" ` +
          `onclick="document.getElementById('order').scrollIntoView({behavior:'smooth'});return false;">Order now</a></p>` +
          `${filler(40)}<div id="order" style="padding:24px;border:2px dashed #e4002b"><h2>Choose your package</h2>` +
          `<p>${a(explorePageTarget('scroll-buttons'), 'Buy now', ' class="btn-primary"')}</p></div></main>`,
      ),
  },
  // A fake file-share page: "Continue to document" leads on (to the kit's next page); the PDF
  // download, the "Report abuse" mail link and the help line are refused.
  'file-share': {
    lang: 'en',
    about: 'fake file-share page: "Continue to document" followed; download, mailto and tel refused',
    cta: 'Continue to document',
    html: () =>
      doc(
        'en',
        'Shared file',
        `<main class="hero" style="text-align:center"><p style="font-size:13px;color:#555">SecureShare · Encrypted file transfer</p>` +
          `<h1>You have received 1 document</h1><p>Remittance_Advice_0412.pdf · 245 KB · shared by accounts@partner-example</p>` +
          `<p>${a(refused('file-share', 'Remittance_Advice_0412.pdf'), 'Download', ' class="btn-primary" style="font-size:24px;background:#0b5cad"')}</p>` +
          `<p>${a(`${PROMO}/explore/pages/refused/file-share/view?id=0412`, 'Preview', ' class="btn-ghost" download')}</p>` +
          `<p>${a(explorePageTarget('file-share'), 'Continue to document', ' class="btn-ghost"')}</p>` +
          `<p style="font-size:12px">${a('mailto:abuse@secureshare.example', 'Report abuse')} · ${a('tel:+15555550100', 'Call support')} · ` +
          `${a('sms:+15555550100', 'Text us')} · ${a('javascript:void(0)', 'Help')}</p></main>`,
      ),
  },
  // A "please wait" page: the "Continue" button is disabled until a countdown ends (8 s after
  // load, past the 6 s settle limit); a person waits for it. A disabled "Skip ad" stays disabled.
  countdown: {
    lang: 'en',
    about: 'a "Continue" button disabled until an 8-second countdown ends: waited for and clicked',
    cta: 'Continue',
    html: () =>
      doc(
        'en',
        'Preparing your link',
        `<main class="hero"><h1>Your link is being prepared</h1><p>Please wait <span id="n">8</span> seconds…</p>` +
          `<p><button id="go" class="btn-primary" disabled onclick="${go(explorePageTarget('countdown'))}">Continue</button></p>` +
          `<p><button class="btn-ghost" disabled onclick="${go(refused('countdown', 'skip'))}">Skip ad</button></p></main>` +
          `<script>let n = 8; const t = setInterval(() => { n--; document.getElementById('n').textContent = n;` +
          ` if (n <= 0) { clearInterval(t); document.getElementById('go').disabled = false; } }, 1000);</script>`,
      ),
  },
  // A short countdown before "Continue", beside an unticked "Remember me" box that holds nothing:
  // the button is waited for, not refused as one waiting on a box to tick.
  'countdown-remember-box': {
    lang: 'en',
    about: 'a "Continue" disabled for a 3-second countdown beside an unticked "Remember me" box: waited for and clicked',
    cta: 'Continue',
    // Read while the countdown still runs.
    settleMs: 1000,
    html: () =>
      doc(
        'en',
        'Preparing your link',
        `<main class="hero"><h1>Your link is being prepared</h1><p>Please wait <span id="n">3</span> seconds…</p>` +
          `<div><label><input type="checkbox" name="remember"> Remember me on this device</label>` +
          `<p><button id="go" class="btn-primary" disabled onclick="${go(explorePageTarget('countdown-remember-box'))}">Continue</button></p></div></main>` +
          `<script>let n = 3; const t = setInterval(() => { n--; document.getElementById('n').textContent = n;` +
          ` if (n <= 0) { clearInterval(t); document.getElementById('go').disabled = false; } }, 1000);</script>`,
      ),
  },
  // A consent platform's message in a full-page iframe of its own (as TCF platforms show it): the
  // frame covers the offer; its "Reject all" asks the page to remove the frame.
  'cookie-frame': {
    lang: 'en',
    about: 'a consent message in a full-page iframe over the offer: closed with the frame\'s "Reject all"; the offer clicked',
    cta: 'Get the deal',
    dismissed: 'Reject all',
    html: () => {
      const message = frameDoc(FRAME_SITE, 'cookie-frame', 'message', () =>
        inner(
          `<style>body{background:rgba(0,0,0,.5)}</style><div style="margin:120px auto;width:520px;background:#fff;padding:24px">` +
            `<h2>Your privacy choices</h2><p>We and our partners use cookies to store and access personal data on your device ` +
            `for personalised ads and content, ad and content measurement and audience insights.</p>` +
            `<p><button class="btn-primary" onclick="parent.postMessage('consent:all','*')">Accept all</button> ` +
            `<button class="btn-ghost" onclick="parent.postMessage('consent:none','*')">Reject all</button></p></div>`,
        ),
      );
      return doc(
        'en',
        'Deal',
        frame(
          'cookie-frame',
          'en',
          `<h1>Today only: 2 for 1</h1><p>${a(explorePageTarget('cookie-frame'), 'Get the deal', ' class="btn-primary"')}</p>`,
          {
            ...EN,
            tail:
              `<iframe id="cmp-message" src="${escapeHtml(message)}" title="Privacy message" ` +
              `style="position:fixed;inset:0;width:100%;height:100%;border:0;z-index:1000"></iframe>` +
              `<script>addEventListener('message', (e) => { if (String(e.data).startsWith('consent:'))` +
              ` document.getElementById('cmp-message').remove(); });</script>`,
          },
        ),
      );
    },
  },
  // A cookie notice that offers only "Accept all" (no reject, no close), a box over the offer: explore
  // never consents for the analyst, nor clicks the next best control the notice leaves in view ("View
  // all offers"): it ends there and says why. Its "Accept all" would lead to a refused target.
  'consent-accept-only': {
    lang: 'en',
    about: 'a cookie box offering only "Accept all" over the offer: nothing clicked, the step says why',
    cta: null,
    consentBlocked: 'Shop now',
    reasons: [
      { text: 'Accept all', match: /cookie banner/ },
      { text: 'Shop now', match: /, covered by a consent notice that offers only accept; not clicked$/ },
    ],
    html: () =>
      doc(
        'en',
        'Summer sale',
        frame(
          'consent-accept-only',
          'en',
          `<h1>Summer sale: up to 60% off</h1><p>Only until Sunday.</p>` +
            `<p style="margin-top:40px">${a(explorePageTarget('consent-accept-only'), 'Shop now', ' class="btn-primary"')}</p>` +
            `<p style="margin-top:260px">${a(refused('consent-accept-only', 'offers'), 'View all offers', ' class="btn-primary"')}</p>`,
          {
            ...EN,
            tail:
              `<div style="position:fixed;left:0;right:0;top:90px;height:260px;background:#fff;box-shadow:0 4px 24px rgba(0,0,0,.3);` +
              `padding:24px;z-index:900"><p>This site uses cookies to improve your experience and to show you personalised ads.</p>` +
              `<p><button class="btn-primary" style="background:#1b8a3c" onclick="${go(refused('consent-accept-only', 'accept'))}">` +
              `Accept all</button></p></div>`,
          },
        ),
      ),
  },
  // The same with a dimmed backdrop beside the notice's box (a consent platform's modal) and "I agree".
  'consent-agree-modal': {
    lang: 'en',
    about: 'a consent modal and backdrop offering only "I agree": nothing clicked, the step says why',
    cta: null,
    consentBlocked: 'Get the deal',
    html: () =>
      doc(
        'en',
        'Deal',
        frame(
          'consent-agree-modal',
          'en',
          `<h1>Today only: 2 for 1</h1><p>${a(explorePageTarget('consent-agree-modal'), 'Get the deal', ' class="btn-primary"')}</p>`,
          {
            ...EN,
            tail:
              `<div style="position:fixed;inset:0;background:rgba(0,0,0,.55);z-index:900"></div>` +
              `<div role="dialog" aria-modal="true" style="position:fixed;left:50%;bottom:40px;transform:translateX(-50%);width:520px;` +
              `background:#fff;padding:28px;z-index:901"><p>We and our partners use cookies and similar technologies on this site.</p>` +
              `<p><button class="btn-primary" onclick="${go(refused('consent-agree-modal', 'agree'))}">I agree</button></p></div>`,
          },
        ),
      ),
  },
  // An accept-only consent message in a full-page iframe of its own, unnamed: the frame covers the offer.
  'consent-accept-frame': {
    lang: 'en',
    about: 'an accept-only consent message in an unnamed full-page iframe over the offer: nothing clicked',
    cta: null,
    consentBlocked: 'Get the deal',
    html: () => {
      const message = frameDoc(FRAME_SITE, 'consent-accept-frame', 'message', () =>
        inner(
          `<style>body{background:rgba(0,0,0,.5)}</style><div style="margin:120px auto;width:520px;background:#fff;padding:24px">` +
            `<h2>Your privacy choices</h2><p>We and our partners use cookies to store and access personal data on your device ` +
            `for personalised ads and content, ad and content measurement and audience insights.</p>` +
            `<p><button class="btn-primary" onclick="top.location.href=${escapeHtml(jsString(refused('consent-accept-frame', 'accept')))}">` +
            `Accept all</button></p></div>`,
        ),
      );
      return doc(
        'en',
        'Deal',
        frame(
          'consent-accept-frame',
          'en',
          `<h1>Today only: 2 for 1</h1><p>${a(explorePageTarget('consent-accept-frame'), 'Get the deal', ' class="btn-primary"')}</p>`,
          {
            ...EN,
            tail:
              `<iframe src="${escapeHtml(message)}" title="Message" ` +
              `style="position:fixed;inset:0;width:100%;height:100%;border:0;z-index:1000"></iframe>`,
          },
        ),
      );
    },
  },
  // A cookie bar offering only "Accept" over the lower part of the offer, in a page that does not
  // scroll: a person clicks the part of the button the bar leaves in view; so does explore, never "Accept".
  'consent-accept-partial': {
    lang: 'en',
    about: 'an accept-only cookie bar over the lower part of the offer: the offer clicked where it shows',
    cta: 'Shop now',
    reasons: [
      { text: 'Shop now', match: /partly covered by a consent notice: clicked where it shows/ },
      { text: 'Accept', match: /cookie banner/ },
    ],
    html: () =>
      doc(
        'en',
        'Summer sale',
        `<style>html,body{height:100%;overflow:hidden}</style><main class="hero"><h1>Summer sale: up to 60% off</h1><p>Only until Sunday.</p></main>` +
          `<p style="position:absolute;left:40px;bottom:45px;margin:0">` +
          `${a(explorePageTarget('consent-accept-partial'), 'Shop now', ' class="btn-primary"')}</p>` +
          `<div class="bar" style="height:48px"><span>We use cookies to give you the best experience on our website.</span>` +
          `<button onclick="${go(refused('consent-accept-partial', 'accept'))}">Accept</button></div>`,
      ),
  },
  // Hostile text in the call-to-action: terminal escapes, a right-to-left override, a very long name.
  // A banner that is a link and nothing else (<a><img alt=""></a>, inline: the link's own box is
  // one line of text high), and a small text link to another page of the site below it.
  'banner-link': {
    lang: 'en',
    about: 'an inline link holding only a 480×200 banner (no alt text) beats a small text link: its box is the picture',
    cta: '',
    reasons: [{ text: '', match: /a picture \(no text\).*size 480×\d{3}/ }],
    html: () =>
      doc(
        'en',
        'Spring sale',
        `<main class="hero"><a href="${escapeHtml(explorePageTarget('banner-link'))}"><img alt="" width="480" height="200" src="${picture(480, 200)}"></a>` +
          `<p style="font-size:12px">${a(refused('banner-link', 'details'), 'details')}</p></main>`,
      ),
  },
  // A big coloured block without a call-to-action's words, and a "Learn more" in 9-pixel print
  // (not in a <footer>) leading to another site: the fine print loses.
  'fine-print': {
    lang: 'en',
    about: 'a big coloured block beats a 9px "Learn more" to another site',
    cta: 'Save 50% on every plan',
    reasons: [{ text: 'Learn more', match: /small print \(9px\)/ }],
    html: () =>
      doc(
        'en',
        'Plans',
        `<main class="hero"><h1>Plans</h1>` +
          `<a href="${escapeHtml(explorePageTarget('fine-print'))}" style="display:block;width:520px;padding:24px 0;background:#0a58ca;` +
          `color:#fff;font-size:28px;text-align:center;text-decoration:none">Save 50% on every plan</a>` +
          `<p style="margin-top:80px;font-size:9px">Prices include VAT. ${a(frameUrl(FRAME_SITE, 'fine-print', 'more'), 'Learn more')}</p></main>`,
      ),
  },
  // A <button> in a form that sends nothing: its onsubmit stops the submission and navigates (the
  // form has no action, so sending it would request this very page again).
  'form-onsubmit': {
    lang: 'en',
    about: 'a <button> in a form whose onsubmit prevents the submission and sets location: followed there',
    cta: 'Claim now',
    reasons: [{ text: 'Claim now', match: /leads where its form's onsubmit says/ }],
    html: () =>
      doc(
        'en',
        'Claim',
        `<main class="hero"><h1>Your reward</h1>` +
          `<form onsubmit="event.preventDefault(); ${go(explorePageTarget('form-onsubmit'))}"><button class="btn-primary">Claim now</button></form></main>`,
      ),
  },
  // The button's look on a <span> inside the link (white link text, the span's green background
  // behind it, on a white page: the link's own colour is its backdrop's), and a plain "En savoir
  // plus" to another site.
  'span-button': {
    lang: 'fr',
    about: "a link whose button is the <span> in it (white text on the span's colour) is seen, styled and chosen",
    cta: 'Réserver',
    reasons: [{ text: 'Réserver', match: /coloured background rgb\(46, 125, 50\).*button padding.*large text \(22px\).*size \d{3}×\d{2}/ }],
    html: () =>
      doc(
        'fr',
        'Séjour',
        `<main class="hero" style="background:#fff"><h1>Votre séjour</h1><p>${a(frameUrl(FRAME_SITE, 'span-button', 'more'), 'En savoir plus')}</p>` +
          `<p><a href="${escapeHtml(explorePageTarget('span-button'))}" style="color:#fff;text-decoration:none">` +
          `<span style="display:inline-block;background:#2e7d32;padding:14px 36px;border-radius:6px;font-size:22px">Réserver</span></a></p></main>`,
      ),
  },
  // ---- Landing pages added by the explore hunt: each one a shape of real advertiser or phishing
  // pages the pages above do not cover. ----
  // A POST form of hidden fields whose only control is <input type=submit value="Jetzt kaufen">:
  // sending it types nothing (the fields are the page's own), so it is clicked as a person would;
  // the newsletter form beside it, bigger, needs an e-mail address and is refused.
  'submit-hidden-post': {
    lang: 'de',
    about: '<input type=submit value="Jetzt kaufen"> in a POST form of hidden fields followed; a bigger newsletter form refused',
    cta: 'Jetzt kaufen',
    reasons: [
      { text: 'Jetzt kaufen', match: /sends a form \(POST\) with nothing to type/ },
      { text: 'Anmelden', match: /submits a form that needs typing/ },
    ],
    html: () =>
      doc(
        'de',
        'Angebot',
        `<main class="hero"><h1>Ihr Angebot: 2 für 1</h1>` +
          `<form method="post" action="${escapeHtml(refused('submit-hidden-post', 'newsletter'))}" style="background:#eee;padding:24px">` +
          `<p>Newsletter abonnieren und 10 % sparen</p><input type="email" name="email" placeholder="E-Mail-Adresse">` +
          `<button class="btn-primary" style="font-size:26px">Anmelden</button></form>` +
          `<form method="post" action="${escapeHtml(explorePageTarget('submit-hidden-post'))}">` +
          `<input type="hidden" name="sku" value="A-2231"><input type="hidden" name="qty" value="1">` +
          `<input type="submit" class="btn-primary" value="Jetzt kaufen"></form></main>`,
      ),
  },
  // A <button> in a form with nothing in it and no action (sending it would request this very page
  // again), made to navigate by a click listener from script that stops the submission.
  'form-button-listener': {
    lang: 'en',
    about: 'a <button> in an empty form without action whose click listener navigates',
    cta: 'Get my quote',
    reasons: [{ text: 'Get my quote', match: /a click or submit listener stops its form/ }],
    html: () =>
      doc(
        'en',
        'Quote',
        `<main class="hero"><h1>Insurance from $9 a month</h1><p>${a(frameUrl(FRAME_SITE, 'form-button-listener', 'about'), 'About this insurer')}</p>` +
          `<form id="f"><button id="go" class="btn-primary">Get my quote</button></form></main>` +
          `<script>document.getElementById('go').addEventListener('click', function (e) { e.preventDefault(); ` +
          `location.href = ${jsString(explorePageTarget('form-button-listener'))}; });</script>`,
      ),
  },
  // Portuguese: a <span role=button> whose onclick calls a function of the page (its target is not
  // in the markup), beside a plain link to another site.
  'pt-span-function': {
    lang: 'pt',
    about: '<span role=button onclick="abrirOferta()"> with "Garanta o seu desconto" (pt) vs a plain link',
    cta: 'Garanta o seu desconto',
    html: () =>
      doc(
        'pt',
        'Oferta',
        `<main class="hero"><h1>Black Friday antecipada</h1><p>${a(refused('pt-span-function', 'historia'), 'Nossa história', ' style="font-size:18px"')}</p>` +
          `<p><span role="button" tabindex="0" class="btn-primary" onclick="abrirOferta()">Garanta o seu desconto</span></p></main>` +
          `<script>function abrirOferta() { location.href = ${jsString(explorePageTarget('pt-span-function'))}; }</script>`,
      ),
  },
  // A hero banner drawn by CSS (a background image, no <img>, no words: named by aria-label) vs a
  // small "Learn more" text link to another site.
  'css-banner': {
    lang: 'en',
    about: 'a 720×300 CSS background-image banner link named by aria-label vs a small "Learn more" link to another site',
    cta: 'Summer collection',
    reasons: [{ text: 'Summer collection', match: /\+30 a banner/ }],
    html: () =>
      doc(
        'en',
        'Summer',
        `<main class="hero"><a href="${escapeHtml(explorePageTarget('css-banner'))}" aria-label="Summer collection" ` +
          `style="display:block;width:720px;height:300px;background:url(&quot;${picture(720, 300, '%23f4a300')}&quot;) center/cover no-repeat"></a>` +
          `<p style="font-size:14px">New arrivals every week. ${a(frameUrl(FRAME_SITE, 'css-banner', 'learn'), 'Learn more')}</p></main>`,
      ),
  },
  // French: the call-to-action opens the offer in a pop-up window of its own size (window.open with
  // features): the pop-up is followed.
  'fr-popup-window': {
    lang: 'fr',
    about: '<button onclick="window.open(url, name, \'width=…\')"> "Je découvre l\'offre" (fr): the pop-up window followed',
    cta: "Je découvre l'offre",
    html: () =>
      doc(
        'fr',
        'Offre',
        `<main class="hero"><h1>Jusqu'à -70 % sur les vols</h1>` +
          `<p>${a(refused('fr-popup-window', 'histoire'), 'Notre histoire', ' style="font-size:18px"')}</p>` +
          `<p><button class="btn-primary" ` +
          `onclick="window.open(${escapeHtml(jsString(explorePageTarget('fr-popup-window')))}, 'offre', 'width=600,height=500')">` +
          `Je découvre l'offre</button></p></main>`,
      ),
  },
  // Spanish: the call-to-action is a javascript: link that calls the page's function (a person
  // clicks it and is taken there); a javascript:void(0) "Ver más" beside it does nothing.
  'es-javascript-href': {
    lang: 'es',
    about: 'a javascript:irAOferta() link "¡Quiero mi descuento!" (es) followed; javascript:void(0) without a handler not',
    cta: '¡Quiero mi descuento!',
    reasons: [
      { text: '¡Quiero mi descuento!', match: /a script button \(a javascript: link that runs script\)/ },
      { text: 'Ver más', match: /javascript: link$/ },
    ],
    html: () =>
      doc(
        'es',
        'Oferta',
        `<main class="hero"><h1>Rebajas de invierno</h1><p>${a('javascript:void(0)', 'Ver más', ' class="btn-ghost"')}</p>` +
          `<p>${a('javascript:irAOferta()', '¡Quiero mi descuento!', ' class="btn-primary"')}</p></main>` +
          `<script>function irAOferta() { location.href = ${jsString(explorePageTarget('es-javascript-href'))}; }</script>`,
      ),
  },
  // Italian: an <a href="#"> whose click listener (added by script, no onclick attribute) navigates;
  // a bare "#" link beside it, as big, does nothing.
  'it-hash-listener': {
    lang: 'it',
    about:
      'an <a href="#"> with a click listener from script "Acquista ora" (it) followed, where its listener says; a bare "#" not; ' +
      'a bigger one whose listener leads to an unsubscribe URL refused',
    cta: 'Acquista ora',
    reasons: [
      { text: 'Acquista ora', match: /a script button \(a click listener; its href goes nowhere\), \+0 leads where its onclick says/ },
      { text: 'Dettagli', match: /same-page anchor$/ },
      { text: 'Continua', match: /, unsubscribe \/ opt-out \/ preferences link$/ },
    ],
    html: () =>
      doc(
        'it',
        'Offerta',
        `<main class="hero"><h1>Saldi di primavera</h1><p>${a('#', 'Dettagli', ' class="btn-primary"')}</p>` +
          `<p>${a('#', 'Continua', ' id="more" class="btn-primary" style="font-size:30px"')}</p>` +
          `<p>${a('#', 'Acquista ora', ' id="cta" class="btn-primary"')}</p></main>` +
          `<script>document.getElementById('cta').addEventListener('click', function (e) { e.preventDefault(); ` +
          `location.href = ${jsString(explorePageTarget('it-hash-listener'))}; });\n` +
          `document.getElementById('more').addEventListener('click', (e) => { e.preventDefault(); ` +
          `location.assign(${jsString(refused('it-hash-listener', 'unsubscribe?id=3'))}); });</script>`,
      ),
  },
  // An age gate: two buttons of one size and style, "No" first; "Yes" is what leads on to the offer.
  'yes-no-gate': {
    lang: 'en',
    about: 'age gate with equal "No" and "Yes" buttons ("No" first), both to other sites: "Yes" chosen',
    cta: 'Yes',
    html: () =>
      doc(
        'en',
        'Age check',
        `<main class="hero" style="text-align:center"><h1>Are you 21 or older?</h1><p>You must be of legal drinking age to enter this site.</p>` +
          `<p><button class="btn-primary" style="width:160px" onclick="${go(frameUrl(FRAME_SITE, 'yes-no-gate', 'underage'))}">No</button> ` +
          `<button class="btn-primary" style="width:160px" onclick="${go(explorePageTarget('yes-no-gate'))}">Yes</button></p></main>`,
      ),
  },
  // Polish: the biggest buttons call (tel:, also from an onclick) or fetch a PDF; the offer is a smaller link.
  'pl-call-pdf': {
    lang: 'pl',
    about: 'big "Zadzwoń teraz" (tel:, also by onclick) and "Pobierz PDF" buttons vs a smaller "Sprawdź ofertę" (pl)',
    cta: 'Sprawdź ofertę',
    html: () =>
      doc(
        'pl',
        'Oferta',
        `<main class="hero"><h1>Kredyt bez BIK</h1>` +
          `<p>${a('tel:+48221234567', 'Zadzwoń teraz', ' class="btn-primary" style="font-size:30px;padding:24px 60px"')}</p>` +
          `<p><button class="btn-primary" style="font-size:30px;padding:24px 60px" onclick="location.href='tel:+48221234567'">Zadzwoń do doradcy</button></p>` +
          `<p><button class="btn-primary" style="font-size:28px;padding:20px 50px" ` +
          `onclick="window.open('${escapeHtml(refused('pl-call-pdf', 'ulotka.pdf'))}')">Pobierz PDF</button></p>` +
          `<p>${a(explorePageTarget('pl-call-pdf'), 'Sprawdź ofertę', ' class="btn-ghost"')}</p></main>`,
      ),
  },
  // Russian: the call-to-action in a web component inside another web component (open shadow roots, nested).
  'ru-nested-shadow': {
    lang: 'ru',
    about: 'a button two open shadow roots deep, "Получить предложение" (ru), navigating by its listener',
    cta: 'Получить предложение',
    html: () =>
      doc(
        'ru',
        'Предложение',
        `<main class="hero"><h1>Скидка 30 %</h1><p>${a(refused('ru-nested-shadow', 'about'), 'О компании', ' style="font-size:18px"')}</p>` +
          `<offer-card></offer-card></main><script>` +
          `customElements.define('offer-button', class extends HTMLElement { connectedCallback() { const r = this.attachShadow({ mode: 'open' });` +
          ` r.innerHTML = '<style>button{background:#e4002b;color:#fff;border:0;border-radius:6px;padding:14px 32px;font-size:18px}</style>` +
          `<button>Получить предложение</button>';` +
          ` r.querySelector('button').addEventListener('click', () => { location.href = ${jsString(explorePageTarget('ru-nested-shadow'))}; }); } });` +
          `customElements.define('offer-card', class extends HTMLElement { connectedCallback() { const r = this.attachShadow({ mode: 'open' });` +
          ` r.innerHTML = '<div style="padding:24px;border:1px solid #ddd"><p>Только сегодня</p><offer-button></offer-button></div>'; } });</script>`,
      ),
  },
  // Japanese: the call-to-action in an <iframe srcdoc> (a frame whose document is about:srcdoc), its link targeting the top.
  'ja-srcdoc': {
    lang: 'ja',
    about: 'the call-to-action "今すぐ申し込む" (ja) in an <iframe srcdoc> with target=_top',
    cta: '今すぐ申し込む',
    frame: 'about:srcdoc',
    html: () =>
      doc(
        'ja',
        'キャンペーン',
        `<main class="hero"><h1>夏のキャンペーン</h1><p>${a(refused('ja-srcdoc', 'company'), '会社概要', ' style="font-size:18px"')}</p>` +
          `<iframe title="offer" style="width:600px;height:160px;border:0" srcdoc="${escapeHtml(
            inner(
              `<div style="padding:24px">${a(explorePageTarget('ja-srcdoc'), '今すぐ申し込む', ' class="btn-primary" target="_top"')}</div>`,
            ),
          )}"></iframe></main>`,
      ),
  },
  // Chinese in traditional characters: two links of one size, only the words tell them apart.
  'zh-traditional': {
    lang: 'zh-Hant',
    about: 'traditional Chinese "立即領取優惠" vs "品牌故事", links of one style',
    cta: '立即領取優惠',
    html: () =>
      doc(
        'zh-Hant',
        '優惠活動',
        `<main class="hero"><h1>週年慶</h1><p>${a(refused('zh-traditional', 'story'), '品牌故事', ' style="font-size:18px"')}</p>` +
          `<p>${a(explorePageTarget('zh-traditional'), '立即領取優惠', ' style="font-size:18px"')}</p></main>`,
      ),
  },
  // A Polish consent platform's modal with its backdrop over the offer: "Odrzuć wszystkie" closes it without consent.
  'pl-consent-reject': {
    lang: 'pl',
    about: 'a Polish consent modal over the offer: dismissed with "Odrzuć wszystkie", never "Akceptuję wszystkie"',
    cta: 'Sprawdź ofertę',
    dismissed: 'Odrzuć wszystkie',
    html: () =>
      doc(
        'pl',
        'Oferta',
        `<main class="hero"><h1>Wyprzedaż</h1><p>${a(explorePageTarget('pl-consent-reject'), 'Sprawdź ofertę', ' class="btn-primary"')}</p></main>` +
          `<div id="bd" style="position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:40"></div>` +
          `<div id="box" style="position:fixed;top:20%;left:50%;transform:translateX(-50%);width:520px;background:#fff;padding:24px;z-index:41">` +
          `<p>Używamy plików cookie i podobnych technologii, aby dopasować reklamy do Twoich zainteresowań.</p>` +
          `<button class="btn-primary" onclick="document.getElementById('bd').remove(); this.parentNode.remove()">Akceptuję wszystkie</button> ` +
          `<button class="btn-ghost" onclick="document.getElementById('bd').remove(); this.parentNode.remove()">Odrzuć wszystkie</button></div>`,
      ),
  },
  // A long software page: the trial button far below the fold, a "Watch the demo" button above it
  // that plays a video on this page, and plain menu links in the header.
  'below-fold-trial': {
    lang: 'en',
    about: '"Start my free trial" far below the fold vs a "Watch the demo" video button and menu links above it',
    cta: 'Start my free trial',
    html: () =>
      doc(
        'en',
        'Acme CRM',
        `<header class="top"><strong>Acme</strong><nav>${a(refused('below-fold-trial', 'features'), 'Features')}` +
          `${a(refused('below-fold-trial', 'pricing'), 'Pricing')}${a(refused('below-fold-trial', 'customers'), 'Customers')}</nav></header>` +
          `<main class="hero"><h1>The CRM your team will actually use</h1><p>Close more deals with less busywork.</p>` +
          `<p><button class="btn-primary" onclick="document.getElementById('v').style.display='block'">Watch the demo</button></p>` +
          `<div id="v" style="display:none">(video)</div>${filler(60)}` +
          `<section style="padding:32px;background:#f0f4ff"><h2>Ready?</h2>` +
          `<p>${a(explorePageTarget('below-fold-trial'), 'Start my free trial', ' class="btn-primary"')}</p></section></main>`,
      ),
  },
  // Traps a person cannot see, each bigger and wordier than the real link: filter:opacity(0), text
  // 3% opaque, text the colour of its coloured section, a link pushed off by transform, one scaled
  // to nothing, an inert one, one under an opaque box; the real link is a plain sentence's.
  'hidden-traps': {
    lang: 'en',
    about:
      'filter:opacity(0), 3%-opaque text, text the colour of its section, translated off, scaled down, inert, covered, ' +
      'display:none, opacity:0, 1×1, off-screen: never chosen',
    cta: 'continue to checkout',
    html: () =>
      doc(
        'en',
        'Checkout',
        `<main class="hero"><h1>Your basket</h1>` +
          `<p style="filter:opacity(0)">${a(refused('hidden-traps', 'filter'), 'Claim your prize', ' class="btn-primary"')}</p>` +
          `<p>${a(refused('hidden-traps', 'faint-text'), 'Claim your prize', ' style="color:rgba(0,0,0,0.03);font-size:28px"')}</p>` +
          `<div style="background:#0a58ca;padding:16px">` +
          `${a(refused('hidden-traps', 'same-colour'), 'Claim your prize', ' style="color:#0a58ca;font-size:28px"')}</div>` +
          `<p>${a(refused('hidden-traps', 'display-none'), 'Claim your prize', ' class="btn-primary" style="display:none"')}</p>` +
          `<p>${a(refused('hidden-traps', 'opacity'), 'Claim your prize', ' class="btn-primary" style="opacity:0"')}</p>` +
          `<p>${a(refused('hidden-traps', 'one-pixel'), 'Claim your prize', ' style="display:inline-block;width:1px;height:1px;overflow:hidden"')}</p>` +
          `<p>${a(refused('hidden-traps', 'off-screen'), 'Claim your prize', ' class="btn-primary" style="position:absolute;left:-9999px"')}</p>` +
          `<p>${a(refused('hidden-traps', 'translated'), 'Claim your prize', ' class="btn-primary" style="transform:translateX(-3000px)"')}</p>` +
          `<p>${a(refused('hidden-traps', 'scaled'), 'Claim your prize', ' class="btn-primary" style="transform:scale(0.01)"')}</p>` +
          `<p inert>${a(refused('hidden-traps', 'inert'), 'Claim your prize', ' class="btn-primary"')}</p>` +
          `<div style="position:relative">${a(refused('hidden-traps', 'covered'), 'Claim your prize', ' class="btn-primary"')}` +
          `<div style="position:absolute;inset:-8px;background:#fafafa"></div></div>` +
          `<p>Everything is ready: ${a(explorePageTarget('hidden-traps'), 'continue to checkout')}.</p></main>`,
      ),
  },
  // A sign-in page (a phishing kit's first page): an e-mail field and "Next", "Create one!",
  // "Can't access your account?", a grey "Sign-in options" button: nothing is an offer to follow.
  'login-page': {
    lang: 'en',
    about: 'a sign-in page: "Next" needs typing; "Create one!", "Can\'t access your account?", "Sign-in options": nothing clicked',
    cta: null,
    reasons: [
      { text: 'Sign-in options', match: /coloured background/, absent: true },
      { text: 'Next', match: /submits a form that needs typing/ },
    ],
    html: () =>
      doc(
        'en',
        'Sign in to your account',
        `<main class="hero" style="max-width:440px;background:#fff;margin-top:40px;box-shadow:0 2px 6px rgba(0,0,0,.2)">` +
          `<h1 style="font-size:24px">Sign in</h1>` +
          `<form method="post" action="${escapeHtml(refused('login-page', 'login'))}">` +
          `<p><input type="email" name="loginfmt" placeholder="Email, phone, or Skype" style="width:100%;padding:8px"></p>` +
          `<p style="font-size:13px">No account? ${a(refused('login-page', 'signup'), 'Create one!')}</p>` +
          `<p style="font-size:13px">${a(refused('login-page', 'recover'), "Can't access your account?")}</p>` +
          `<p style="text-align:right"><input type="submit" class="btn-primary" style="background:#0067b8;border-radius:0" value="Next"></p></form></main>` +
          `<div style="max-width:440px;margin:16px auto"><button type="button" ` +
          `style="width:100%;background:#fff;border:1px solid #ccc;padding:12px 16px;font-size:15px;text-align:left;cursor:pointer" ` +
          `onclick="document.getElementById('opts').hidden=false">Sign-in options</button><div id="opts" hidden>Sign in with a security key</div></div>` +
          `<footer class="site-footer">${a(refused('login-page', 'terms'), 'Terms of use')}` +
          `${a(refused('login-page', 'privacy'), 'Privacy & cookies')}</footer>`,
      ),
  },
  // Spanish: the biggest buttons unsubscribe ("Cancelar mi suscripción", "Darse de baja") by their
  // words alone (their URLs say nothing); the offer is a smaller "Ver la oferta".
  'es-leave-biggest': {
    lang: 'es',
    about: 'the biggest buttons say "Cancelar mi suscripción" / "Darse de baja" (es); "Ver la oferta" is smaller',
    cta: 'Ver la oferta',
    html: () =>
      doc(
        'es',
        'Oferta',
        `<main class="hero"><h1>Tu oferta personal</h1>` +
          `<p>${a(refused('es-leave-biggest', 'm?id=11'), 'Cancelar mi suscripción', ' class="btn-primary" style="font-size:30px;padding:24px 60px"')}</p>` +
          `<p>${a(refused('es-leave-biggest', 'm?id=12'), 'Darse de baja', ' class="btn-primary" style="font-size:30px;padding:24px 60px"')}</p>` +
          `<p>${a(explorePageTarget('es-leave-biggest'), 'Ver la oferta', ' class="btn-ghost"')}</p></main>`,
      ),
  },
  // Dutch: the call-to-action is a <a target=_blank> opening in a new tab, its words "Bekijk de deal".
  'nl-new-tab': {
    lang: 'nl',
    about: '"Bekijk de deal" (nl) opens in a new tab (target=_blank, no rel): the new tab followed',
    cta: 'Bekijk de deal',
    html: () =>
      doc(
        'nl',
        'Aanbieding',
        `<main class="hero"><h1>Zomerdeal</h1><p>${a(refused('nl-new-tab', 'verhaal'), 'Ons verhaal', ' style="font-size:18px"')}</p>` +
          `<p>${a(explorePageTarget('nl-new-tab'), 'Bekijk de deal', ' class="btn-primary" target="_blank"')}</p></main>`,
      ),
  },
  // German age gate made of links, the refusal first and saying more: "Nein, ich bin unter 18" / "Ja, ich bin 18 oder älter".
  'de-age-links': {
    lang: 'de',
    about: 'age gate of two links styled alike (de), "Nein, ich bin unter 18" first: "Ja, ich bin 18 oder älter" chosen',
    cta: 'Ja, ich bin 18 oder älter',
    reasons: [{ text: 'Nein, ich bin unter 18', match: /declines \("nein"\)/ }],
    html: () =>
      doc(
        'de',
        'Altersprüfung',
        `<main class="hero" style="text-align:center"><h1>Bist du volljährig?</h1>` +
          `<p>${a(frameUrl(FRAME_SITE, 'de-age-links', 'unter-18'), 'Nein, ich bin unter 18', ' class="btn-primary"')} ` +
          `${a(explorePageTarget('de-age-links'), 'Ja, ich bin 18 oder älter', ' class="btn-primary"')}</p></main>`,
      ),
  },
  // The page an unsubscribe link opens: "Are you sure?" with "Yes" and "No": never confirmed.
  'leave-confirm': {
    lang: 'en',
    about: 'an unsubscribe confirmation ("Are you sure you want to unsubscribe?") with "Yes" / "Confirm" buttons: nothing clicked',
    cta: null,
    reasons: [
      { text: 'Yes', match: /, unsubscribe .*\(an answer; its text speaks of "unsubscribe"\)$/ },
      { text: 'Confirm', match: /, unsubscribe .*\(an answer; its text speaks of "keine weiteren e-mails"\)$/ },
    ],
    html: () =>
      doc(
        'en',
        'Newsletter',
        `<main class="hero" style="text-align:center"><h1>Promo Weekly</h1>` +
          `<div><p>Are you sure you want to unsubscribe from our newsletter?</p>` +
          `<p><button class="btn-primary" onclick="${go(refused('leave-confirm', 'yes'))}">Yes</button> ` +
          `<button class="btn-ghost" onclick="${go(refused('leave-confirm', 'no'))}">No</button></p></div>` +
          `<form method="post" action="${escapeHtml(refused('leave-confirm', 'form'))}" style="margin-top:32px">` +
          `<p>Sie erhalten keine weiteren E-Mails mehr von uns, wenn Sie bestätigen.</p><input type="hidden" name="id" value="8842">` +
          `<button class="btn-primary" style="font-size:24px">Confirm</button></form></main>`,
      ),
  },
  // A form of hidden fields and a <select> the page has set (the country): sent as the page set
  // it, nothing chosen or typed; the GET URL carries the select's value.
  'select-default': {
    lang: 'de',
    about: 'a GET form of a preset <select> and hidden fields with "Weiter": followed with the preset value',
    cta: 'Weiter',
    final: `${explorePageTarget('select-default')}?land=de&ref=mail`,
    html: () =>
      doc(
        'de',
        'Versand',
        `<main class="hero"><h1>Lieferung</h1><form method="get" action="${escapeHtml(explorePageTarget('select-default'))}">` +
          `<label>Land <select name="land"><option value="de" selected>Deutschland</option><option value="at">Österreich</option></select></label>` +
          `<input type="hidden" name="ref" value="mail"> <button class="btn-primary">Weiter</button></form></main>`,
      ),
  },
  // A cookie box over the offer with only "Accept all cookies" and "Cookie settings": no way to
  // close it without consenting in one click, so nothing is clicked (the settings open a panel).
  'consent-settings-only': {
    lang: 'en',
    about: 'a cookie box over the offer with "Accept all cookies" and "Cookie settings" only: nothing clicked',
    cta: null,
    consentBlocked: 'Order now',
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Half price this week</h1><p>${a(explorePageTarget('consent-settings-only'), 'Order now', ' class="btn-primary"')}</p></main>` +
          `<div style="position:fixed;inset:0;background:rgba(0,0,0,.55);z-index:50"></div>` +
          `<div style="position:fixed;top:15%;left:50%;transform:translateX(-50%);width:560px;background:#fff;padding:24px;z-index:51">` +
          `<h2>We value your privacy</h2><p>We use cookies to personalise content and ads and to analyse our traffic.</p>` +
          `<button class="btn-primary">Accept all cookies</button> <button class="btn-ghost" onclick="void 0">Cookie settings</button></div>`,
      ),
  },
  // The only call-to-action is a phone number ("Call now to claim", tel:) and an e-mail link: nothing a browser follows.
  'call-only': {
    lang: 'en',
    about: 'the only calls-to-action are "Call now to claim" (tel:) and "Email us" (mailto:): nothing clicked',
    cta: null,
    reasons: [
      { text: 'Call now to claim', match: /, tel: link$/ },
      { text: 'Email us', match: /, mailto: link$/ },
    ],
    html: () =>
      doc(
        'en',
        'Claim',
        `<main class="hero"><h1>You have won a cruise!</h1><p>Our agents are waiting.</p>` +
          `<p>${a('tel:+15555550199', 'Call now to claim', ' class="btn-primary" style="font-size:32px;padding:24px 64px"')}</p>` +
          `<p>${a('mailto:claims@cruise.example', 'Email us', ' class="btn-primary"')}</p></main>`,
      ),
  },
  // A POST form of hidden fields that opens its answer in a new window (target=_blank): the pop-up is followed, the form sent once.
  'form-target-blank': {
    lang: 'de',
    about: 'a POST form of hidden fields with target=_blank, "Weiter zur Bestellung": the pop-up followed, the form sent once',
    cta: 'Weiter zur Bestellung',
    html: () =>
      doc(
        'de',
        'Bestellung',
        `<main class="hero"><h1>Ihr Warenkorb</h1><p>${a(refused('form-target-blank', 'about'), 'Mehr über uns', ' style="font-size:18px"')}</p>` +
          `<form method="post" target="_blank" action="${escapeHtml(explorePageTarget('form-target-blank'))}">` +
          `<input type="hidden" name="cart" value="c-7781"><button class="btn-primary">Weiter zur Bestellung</button></form></main>`,
      ),
  },
  // An <input type=image> whose alt text is the call-to-action, in a POST form of hidden fields
  // only (nothing to type); a bigger image link beside it leads to the brand's story.
  'input-image-hidden': {
    lang: 'it',
    about: '<input type=image alt="Ordina subito"> in a POST form of hidden fields (it) followed',
    cta: 'Ordina subito',
    html: () =>
      doc(
        'it',
        'Offerta',
        `<main class="hero"><h1>Offerta lampo</h1>` +
          `<form method="post" action="${escapeHtml(explorePageTarget('input-image-hidden'))}"><input type="hidden" name="p" value="99">` +
          `<input type="image" alt="Ordina subito" width="280" height="70" src="${picture(280, 70, '%232e7d32')}"></form>` +
          `<p>${a(refused('input-image-hidden', 'storia'), 'La nostra storia', ' style="font-size:16px"')}</p></main>`,
      ),
  },
  // A German consent platform whose answers are text links to "#" that script makes act (click
  // listeners): "Alle ablehnen" closes it without consent; the offer under its backdrop is then clicked.
  'de-consent-links': {
    lang: 'de',
    about: 'a consent box whose answers are "#" links with click listeners: closed with "Alle ablehnen", never "Alle akzeptieren"',
    cta: 'Zum Angebot',
    dismissed: 'Alle ablehnen',
    html: () =>
      doc(
        'de',
        'Angebot',
        `<main class="hero"><h1>Sommerschlussverkauf</h1><p>${a(explorePageTarget('de-consent-links'), 'Zum Angebot', ' class="btn-primary"')}</p></main>` +
          `<div id="bd" style="position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:40"></div>` +
          `<div id="box" style="position:fixed;top:20%;left:50%;transform:translateX(-50%);width:520px;background:#fff;padding:24px;z-index:41">` +
          `<p>Wir nutzen Cookies und ähnliche Technologien, um Inhalte und Werbung zu personalisieren.</p>` +
          `<p>${a('#', 'Alle akzeptieren', ' id="yes" class="btn-primary"')} ${a('#', 'Alle ablehnen', ' id="no" style="font-size:13px"')}</p></div>` +
          `<script>for (const id of ['yes', 'no']) document.getElementById(id).addEventListener('click', (e) => { e.preventDefault();` +
          ` document.getElementById('bd').remove(); document.getElementById('box').remove(); });</script>`,
      ),
  },
  // The offer in a sandboxed cross-site iframe (scripts and pop-ups allowed, no top navigation): its
  // target=_blank link opens a pop-up, which is followed.
  'iframe-sandbox-popup': {
    lang: 'en',
    about: 'a target=_blank link in a sandboxed cross-site iframe (allow-popups): the pop-up followed',
    cta: 'Claim your bonus',
    frame: frameUrl(FRAME_SITE, 'iframe-sandbox-popup', 'creative'),
    html: () => {
      const creative = frameDoc(FRAME_SITE, 'iframe-sandbox-popup', 'creative', () =>
        inner(
          `<div style="padding:24px">${a(explorePageTarget('iframe-sandbox-popup'), 'Claim your bonus', ' class="btn-primary" target="_blank"')}</div>`,
        ),
      );
      return doc(
        'en',
        'Bonus',
        `<main class="hero"><h1>Welcome bonus</h1><p>${a(refused('iframe-sandbox-popup', 'about'), 'About us', ' style="font-size:16px"')}</p>` +
          `<iframe sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" src="${escapeHtml(creative)}" title="offer" ` +
          `style="width:600px;height:140px;border:0"></iframe></main>`,
      );
    },
  },
  // ---- Explore hunt 2. ----
  // A React-style page: one click listener on the app's root element acts for every control in it
  // (delegation); the call-to-action is an <a href="#"> with no listener of its own.
  'react-root-delegated': {
    lang: 'en',
    about: 'an <a href="#"> call-to-action whose click listener is on the root element around it (React-style delegation) followed',
    cta: 'Claim my reward',
    reasons: [
      { text: 'Claim my reward', match: /a script button \(a click listener on <div id=root> around it; its href goes nowhere\)/ },
      { text: 'Read the FAQ', match: /same-page anchor$/ },
    ],
    html: () =>
      doc(
        'en',
        'Your reward',
        `<div id="root"><main class="hero"><h1>You have been selected</h1><p>${a('#faq', 'Read the FAQ')}</p>` +
          `<p>${a('#', 'Claim my reward', ` class="btn-primary" data-href="${escapeHtml(explorePageTarget('react-root-delegated'))}"`)}</p>` +
          `<h2 id="faq">FAQ</h2><p>Rewards are limited.</p></main></div>` +
          `<script>document.getElementById('root').addEventListener('click', function (e) { ` +
          `var el = e.target.closest('[data-href]'); if (!el) return; e.preventDefault(); location.href = el.getAttribute('data-href'); });</script>`,
      ),
  },
  // A newsletter strip fixed to the bottom of the window, its green "Sign up" button bigger and
  // worded, over the page's own offer: the offer is what the page is about.
  'sticky-newsletter-bar': {
    lang: 'en',
    about: 'a "Sign up for our newsletter" button in a bar fixed to the bottom of the window vs the page\'s "Shop the collection"',
    cta: 'Shop the collection',
    reasons: [{ text: 'Sign up for our newsletter', match: /-15 in a bar fixed to the bottom of the window/ }],
    html: () =>
      doc(
        'en',
        'Winter sale',
        frame(
          'sticky-newsletter-bar',
          'en',
          `<h1>Winter sale: up to 70% off</h1><p>All coats and boots.</p>` +
            `<p>${a(explorePageTarget('sticky-newsletter-bar'), 'Shop the collection', ' class="btn-primary"')}</p><div style="height:1200px"></div>`,
          {
            ...EN,
            tail:
              `<div class="bar"><span>Get 10% off your first order!</span>` +
              a(
                refused('sticky-newsletter-bar', 'newsletter'),
                'Sign up for our newsletter',
                ' class="btn-primary" style="background:#2e7d32;font-size:20px"',
              ) +
              '</div>',
          },
        ),
      ),
  },
  // A fake shop's product form: a size chosen and a quantity of 1 filled in by the page; sending
  // it types nothing. The newsletter form above it has the address filled in: an identity is
  // still the person's to send.
  'shop-quantity': {
    lang: 'en',
    about: 'a POST form with a preset size and a quantity of 1 followed; a newsletter form with the e-mail address filled in refused',
    cta: 'Buy now',
    reasons: [
      { text: 'Buy now', match: /sends a form \(POST\) with nothing to type/ },
      { text: 'Subscribe', match: /submits a form that needs typing/ },
      { text: 'Confirm my account', match: /submits a form that needs typing/ },
    ],
    html: () =>
      doc(
        'en',
        'Air Max -80%',
        `<main class="hero"><h1>Air Max: $29.99 <s>$149.99</s></h1>` +
          `<form method="post" action="${escapeHtml(refused('shop-quantity', 'newsletter'))}" style="background:#eee;padding:24px">` +
          `<p>Our deals by e-mail</p><input type="email" name="email" value="jane.doe@example.com">` +
          `<button class="btn-primary" style="font-size:26px">Subscribe</button></form>` +
          `<form method="post" action="${escapeHtml(refused('shop-quantity', 'account'))}">` +
          `<input type="text" name="login" value="jane.doe"> <button class="btn-primary">Confirm my account</button></form>` +
          `<form method="post" action="${escapeHtml(explorePageTarget('shop-quantity'))}">` +
          `<label>Size <select name="size"><option>42</option><option>43</option></select></label> ` +
          `<label>Quantity <input type="number" name="qty" value="1" min="1" style="width:50px"></label> ` +
          `<button class="btn-primary">Buy now</button></form></main>`,
      ),
  },
  // A <button> whose click listener (not an onclick attribute) leads to an unsubscribe URL: read
  // over CDP, it is judged by where it leads and refused, not clicked blind.
  'button-listener-leave': {
    lang: 'en',
    about: 'a big "Continue" <button> whose click listener leads to an unsubscribe URL refused; the plainer "See the offer" followed',
    cta: 'See the offer',
    reasons: [{ text: 'Continue', match: /\+0 leads where its onclick says.*, unsubscribe \/ opt-out \/ preferences link$/ }],
    html: () =>
      doc(
        'en',
        'Account update',
        `<main class="hero"><h1>Your account update</h1><p><button id="go" class="btn-primary" style="font-size:28px">Continue</button></p>` +
          `<p>${a(explorePageTarget('button-listener-leave'), 'See the offer')}</p></main>` +
          `<script>document.getElementById('go').addEventListener('click', function () { ` +
          `location.href = ${jsString(refused('button-listener-leave', 'unsubscribe?u=9'))}; });</script>`,
      ),
  },
  // A discount pop-up over the shop (not a consent notice): its "×" (labelled "Schließen"); its
  // "Nein danke" is a link to another page and its "Rabatt sichern" needs an e-mail address.
  'popup-newsletter-de': {
    lang: 'de',
    about: 'a discount pop-up over the offer (de): closed with its "×", not its "Nein danke" link; "Jetzt shoppen" clicked',
    cta: 'Jetzt shoppen',
    closedPopup: '×',
    html: () =>
      doc(
        'de',
        'Sommer-Sale',
        frame(
          'popup-newsletter-de',
          'de',
          `<h1>Sommer-Sale: bis zu 60 %</h1><p>${a(explorePageTarget('popup-newsletter-de'), 'Jetzt shoppen', ' class="btn-primary"')}</p>`,
          {
            menu: ['Start', 'Damen', 'Herren'],
            signIn: 'Anmelden',
            legal: ['Datenschutz', 'Impressum'],
            tail:
              `<div id="nl" style="position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:50;display:flex;align-items:center;justify-content:center">` +
              `<div style="background:#fff;padding:28px;width:440px;position:relative">` +
              `<button type="button" aria-label="Schließen" onclick="document.getElementById('nl').remove()" ` +
              `style="position:absolute;right:8px;top:8px;border:0;background:none;font-size:22px;cursor:pointer">×</button>` +
              `<h2>10 % Rabatt auf Ihre erste Bestellung</h2>` +
              `<form method="post" action="${escapeHtml(refused('popup-newsletter-de', 'subscribe'))}">` +
              `<input type="email" name="email" placeholder="E-Mail-Adresse"> <button class="btn-primary">Rabatt sichern</button></form>` +
              `<p>${a(refused('popup-newsletter-de', 'no-thanks'), 'Nein danke')}</p></div></div>`,
          },
        ),
      ),
  },
  // A React-style page whose big "Get started" is a dead "#" link (the root's listener only stops
  // it): its click leads nowhere, so the page is explored again without it and its plain link is followed.
  'dead-hash-retry': {
    lang: 'en',
    about:
      'a big "#" button that a root listener makes do nothing: clicked, it leads nowhere; the page explored again, "See the offer" followed',
    cta: 'See the offer',
    ledNowhere: ['Get started'],
    reasons: [{ text: 'Get started', match: /, clicked already on this page: the click led nowhere$/ }],
    html: () =>
      doc(
        'en',
        'Deals',
        `<div id="root"><main class="hero"><h1>Deals of the week</h1><p>${a('#', 'Get started', ' class="btn-primary"')}</p>` +
          `<p>${a(explorePageTarget('dead-hash-retry'), 'See the offer')}</p></main></div>` +
          `<script>document.getElementById('root').addEventListener('click', function (e) { ` +
          `if (e.target.closest('a[href="#"]')) e.preventDefault(); });</script>`,
      ),
  },
  // German: the order button is a named anchor ("#bestellen") whose click listener navigates to the
  // shop; "Details" is one whose listener only scrolls to its section, "FAQ" one whose onclick does.
  'de-named-anchor-listener': {
    lang: 'de',
    about:
      'a "#bestellen" link whose click listener navigates followed; "#details" (listener scrolls) and "#faq" (onclick scrolls) refused',
    cta: 'Jetzt bestellen',
    reasons: [
      {
        text: 'Jetzt bestellen',
        match: /a script button \(a click listener; its href is a same-page anchor\), \+0 leads where its onclick says/,
      },
      { text: 'Details', match: /same-page anchor$/ },
      { text: 'FAQ', match: /same-page anchor$/ },
    ],
    html: () =>
      doc(
        'de',
        'Angebot',
        `<main class="hero"><h1>Keto-Kapseln: 50 % Rabatt</h1><p>${a('#bestellen', 'Jetzt bestellen', ' id="order" class="btn-primary"')}</p>` +
          `<p>${a('#details', 'Details', ' id="more"')} ${a('#faq', 'FAQ', ` onclick="document.getElementById('faq').scrollIntoView(); return false;"`)}</p>` +
          `<div style="height:1400px"></div><h2 id="details">Details</h2><h2 id="faq">FAQ</h2><h2 id="bestellen">Bestellen</h2></main>` +
          `<script>document.getElementById('order').addEventListener('click', function (e) { e.preventDefault(); ` +
          `location.href = ${jsString(explorePageTarget('de-named-anchor-listener'))}; });\n` +
          `document.getElementById('more').addEventListener('click', function (e) { e.preventDefault(); ` +
          `document.getElementById('details').scrollIntoView({ behavior: 'smooth' }); });</script>`,
      ),
  },
  // Italian: the discount pop-up is a web component's, in an open shadow root of an unnamed host
  // (the document's hit test names only the host); closed with its "Chiudi".
  'popup-shadow-it': {
    lang: 'it',
    about: 'a discount pop-up inside an open shadow root over the offer (it): closed with its "Chiudi"; "Acquista ora" clicked',
    cta: 'Acquista ora',
    closedPopup: 'Chiudi',
    html: () =>
      doc(
        'it',
        'Saldi',
        `<main class="hero"><h1>Saldi di fine stagione</h1><p>${a(explorePageTarget('popup-shadow-it'), 'Acquista ora', ' class="btn-primary"')}</p></main>` +
          `<div id="w"></div><script>const root = document.getElementById('w').attachShadow({ mode: 'open' });\n` +
          `root.innerHTML = '<div style="position:fixed;inset:0;background:rgba(0,0,0,.5);display:flex;align-items:center;justify-content:center">' +\n` +
          `'<div style="background:#fff;padding:24px;width:400px"><button id="c">Chiudi</button><h2>Sconto del 15%</h2>' +\n` +
          `'<input type="email" placeholder="Email"> <button>Ricevi il codice</button></div></div>';\n` +
          `root.getElementById('c').addEventListener('click', function () { document.getElementById('w').remove(); });</script>`,
      ),
  },
  // ---- Explore hunt 3. ----
  // The call-to-action is an <a href="#"> that a click listener on the window acts on (delegation
  // at the window, as a landing-page builder's `window.addEventListener('click', …)` does).
  'window-delegated': {
    lang: 'en',
    about: 'an <a href="#" class="cta"> whose click listener is on the window (delegation) followed; "#faq" not',
    cta: 'Get my offer',
    reasons: [
      { text: 'Get my offer', match: /a script button \(a click listener on the window around it; its href goes nowhere\)/ },
      { text: 'Read the FAQ', match: /same-page anchor$/ },
    ],
    html: () =>
      doc(
        'en',
        'Your offer',
        `<main class="hero"><h1>Congratulations!</h1><p>${a('#faq', 'Read the FAQ')}</p>` +
          `<p>${a('#', 'Get my offer', ' class="btn-primary cta"')}</p><h2 id="faq">FAQ</h2><p>Offer limited.</p></main>` +
          `<script>window.addEventListener('click', function (e) { var el = e.target.closest('.cta'); if (!el) return; ` +
          `e.preventDefault(); location.href = ${jsString(explorePageTarget('window-delegated'))}; });</script>`,
      ),
  },
  // A "checking availability" page whose button a timer puts in 1.5 s after it loads.
  'delayed-cta': {
    lang: 'en',
    about: 'the call-to-action put in the page by a 1.5-second timer',
    cta: 'Continue to offer',
    html: () =>
      doc(
        'en',
        'Loading',
        `<main class="hero"><h1>Checking availability…</h1><p id="slot"></p></main>` +
          `<script>setTimeout(function () { document.getElementById('slot').innerHTML = ` +
          `${jsString(a(explorePageTarget('delayed-cta'), 'Continue to offer', ' class="btn-primary"'))}; }, 1500);</script>`,
      ),
  },
  // The button is made from a slow offer API's answer (4 s: settling takes such a request for
  // hung after 1.5 s and the page for at rest); nothing is to click before it comes.
  'slow-offer-api': {
    lang: 'en',
    about: 'the call-to-action rendered from a fetch() answered after 4 s: waited for, the page read and snapshotted again',
    cta: 'Claim your discount',
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Loading your offer…</h1><p id="slot"></p></main>` +
          `<script>fetch(${jsString(
            frameAnswer(PROMO, 'slow-offer-api', 'config', (x) => {
              const body = JSON.stringify({ url: explorePageTarget('slow-offer-api') });
              setTimeout(() => x.send(200, body, { 'Content-Type': 'application/json' }), 4000);
            }),
          )}).then(function (r) { return r.json(); }).then(function (c) {\n` +
          `var link = document.createElement('a'); link.href = c.url; link.className = 'btn-primary'; link.textContent = 'Claim your discount';\n` +
          `document.getElementById('slot').appendChild(link); });</script>`,
      ),
  },
  // A quiz funnel's "analysing your answers" bar, drawn by animation frames for 4 s, ends in the
  // button (settling takes a loop of frames for an animation that never ends, and the page for at rest).
  'quiz-progress': {
    lang: 'en',
    about: 'the call-to-action shown when a 4-second progress bar drawn by requestAnimationFrame ends: waited for, the page read again',
    cta: 'See my results',
    html: () =>
      doc(
        'en',
        'Analyzing',
        `<main class="hero"><h1>Analyzing your answers…</h1><div style="width:400px;height:12px;background:#ddd">` +
          `<div id="bar" style="height:12px;width:0;background:#e4002b"></div></div><p id="slot"></p></main>` +
          `<script>var start = performance.now();\nfunction step(now) { var done = Math.min(1, (now - start) / 4000); ` +
          `document.getElementById('bar').style.width = done * 400 + 'px';\nif (done < 1) requestAnimationFrame(step); ` +
          `else document.getElementById('slot').innerHTML = ${jsString(a(explorePageTarget('quiz-progress'), 'See my results', ' class="btn-primary"'))}; }\n` +
          `requestAnimationFrame(step);</script>`,
      ),
  },
  // A cookie wall: the offer is shown only once the notice is answered, either way. Nothing is to
  // click while it shows, so it is closed with "Reject all" and the page read again.
  'consent-then-cta': {
    lang: 'en',
    about: 'the call-to-action shown only once a cookie wall is answered: closed with "Reject all", the page read again',
    cta: 'See the deal',
    noticeClosedFirst: 'Reject all',
    html: () =>
      doc(
        'en',
        'Deal',
        `<main class="hero"><h1>Today's deal</h1><p id="offer" style="display:none">` +
          `${a(explorePageTarget('consent-then-cta'), 'See the deal', ' class="btn-primary"')}</p></main>` +
          `<div id="cc" style="position:fixed;inset:0;background:rgba(0,0,0,.6);display:flex;align-items:center;justify-content:center;z-index:9">` +
          `<div style="background:#fff;padding:24px;width:420px"><p>We use cookies to improve your experience.</p>` +
          `<button onclick="answered()">Accept all</button> <button onclick="answered()">Reject all</button></div></div>` +
          `<script>function answered() { document.getElementById('cc').remove(); document.getElementById('offer').style.display = 'block'; }</script>`,
      ),
  },
  // German: the cookie wall is a modal <dialog> whose answers close it (form method=dialog); the
  // voucher shows once it is closed, either way.
  'dialog-consent-wall-de': {
    lang: 'de',
    about: 'a cookie wall in a modal <dialog> (form method=dialog), the offer shown once it closes: closed with "Nur notwendige"',
    cta: 'Gutschein sichern',
    noticeClosedFirst: 'Nur notwendige',
    html: () =>
      doc(
        'de',
        'Angebot',
        `<main class="hero" id="offer" hidden><h1>Ihr Gutschein</h1>` +
          `<p>${a(explorePageTarget('dialog-consent-wall-de'), 'Gutschein sichern', ' class="btn-primary"')}</p></main>` +
          `<dialog id="cc"><p>Wir verwenden Cookies, um unsere Website zu verbessern.</p><form method="dialog">` +
          `<button value="all">Alle akzeptieren</button> <button value="none">Nur notwendige</button></form></dialog>` +
          `<script>const cc = document.getElementById('cc');\n` +
          `cc.addEventListener('close', function () { document.getElementById('offer').hidden = false; });\ncc.showModal();</script>`,
      ),
  },
  // What is left of a mailing's page: legal links, leave links in several languages, and an
  // e-mail footer's "Report abuse" / "Report spam" / "Why did I get this?", a "Do Not Sell…" and
  // site links styled as big buttons.
  'footer-only': {
    lang: 'en',
    about: 'only legal, site, leave (several languages) and abuse-report links, some styled as big buttons: nothing clicked',
    cta: null,
    reasons: [
      { text: 'Report abuse', match: /abuse \/ spam report link$/ },
      { text: 'Report spam', match: /abuse \/ spam report link$/ },
      { text: 'Why did I get this?', match: /unsubscribe \/ opt-out \/ preferences link$/ },
      { text: 'Gérer mes préférences', match: /unsubscribe \/ opt-out \/ preferences link$/ },
      { text: 'Do Not Sell or Share My Personal Information', match: /privacy \/ terms link$/ },
      { text: 'Sitemap', match: /-15 navigation link/ },
    ],
    html: () => {
      const link = (what: string, text: string, attributes = '') => a(refused('footer-only', what), text, attributes);
      const big = (what: string, text: string) => `<p>${link(what, text, ' class="btn-primary"')}</p>`;
      return doc(
        'en',
        'Notice',
        `<main class="hero"><h1>This message was sent to you by Example Ltd.</h1><p>You are receiving it because you signed up.</p>` +
          big('abuse', 'Report abuse') +
          big('spam', 'Report spam') +
          big('why', 'Why did I get this?') +
          big('prefs-fr', 'Gérer mes préférences') +
          big('ccpa', 'Do Not Sell or Share My Personal Information') +
          big('sitemap', 'Sitemap') +
          big('a11y', 'Accessibility') +
          `<p style="font-size:16px">${link('privacy', 'Privacy')} · ${link('terms', 'Terms')} · ${link('prefs', 'Manage preferences')} · ` +
          [
            ['u1', 'Unsubscribe'],
            ['u2', 'Se désinscrire'],
            ['u3', 'Abmelden'],
            ['u4', 'Darse de baja'],
            ['u5', 'Cancella iscrizione'],
            ['u6', 'Uitschrijven'],
            ['u7', 'Descadastrar'],
            ['u8', 'Wypisz się'],
            ['u9', 'Отписаться'],
            ['u10', '配信停止'],
          ]
            .map(([what, text]) => link(what, text))
            .join(' · ') +
          ` · ${link('imprint', 'Impressum')}</p></main>`,
      );
    },
  },
  // Big buttons that hand off to another program or download an installer, with call-to-action
  // words; the page's one web offer is a plain link.
  'app-schemes': {
    lang: 'en',
    about:
      'big WhatsApp, SMS, intent: and installer (.exe, .apk, .msi, .dmg, .zip) buttons refused; a plain "View the offer" link followed',
    cta: 'View the offer',
    reasons: [
      { text: 'Claim on WhatsApp', match: /not a web link \(whatsapp:\)$/ },
      { text: 'Claim now by SMS', match: /sms: link$/ },
      { text: 'Open in the app', match: /not a web link \(intent:\)$/ },
      { text: 'Install now', match: /download link \(\.exe\)$/ },
      { text: 'Get the app', match: /download link \(\.apk\)$/ },
      { text: 'Download now', match: /download link \(\.msi\)$/ },
      { text: 'Get started', match: /download link \(\.dmg\)$/ },
      { text: 'Claim your coupon', match: /download link \(\.zip\)$/ },
    ],
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Exclusive offer</h1>` +
          `<p>${a('whatsapp://send?text=claim', 'Claim on WhatsApp', ' class="btn-primary"')}</p>` +
          `<p>${a('sms:+15551234567?body=CLAIM', 'Claim now by SMS', ' class="btn-primary"')}</p>` +
          `<p>${a('intent://claim#Intent;scheme=prize;package=com.prize.app;end', 'Open in the app', ' class="btn-primary"')}</p>` +
          bigRefusedLinks('app-schemes', [
            ['setup.exe', 'Install now'],
            ['prize.apk', 'Get the app'],
            ['Setup.MSI', 'Download now'],
            ['player.dmg?v=2', 'Get started'],
            ['coupon.zip#x', 'Claim your coupon'],
          ]) +
          `<p>${a(explorePageTarget('app-schemes'), 'View the offer')}</p></main>`,
      ),
  },
  // ---- Explore hunt 4. ----
  // A <span> drawn as a button (its own colour, padding, big words) with no link, role or pointer
  // cursor: the click is the window's listener's (`e.target.closest('.cta')`). The highlighted
  // words of the sentence above it are no button.
  'span-window-lookalike': {
    lang: 'en',
    about: 'a <span> that looks like a button (no href, role or pointer cursor) whose click a window listener handles',
    cta: 'Claim your reward',
    reasons: [
      { text: 'Claim your reward', match: /\+0 looks like a button \(no link, role or pointer cursor\); a click listener on the window/ },
    ],
    html: () =>
      doc(
        'en',
        'Your reward',
        frame(
          'span-window-lookalike',
          'en',
          `<h1>Congratulations, you won!</h1><p>Your <span style="background:#fff3c4;padding:0 2px">loyalty reward</span> is waiting. ` +
            `Read ${a('#terms', 'the terms')} first.</p>` +
            `<p><span class="cta" style="${LOOKALIKE}">Claim your reward</span></p>` +
            `<h2 id="terms">Terms</h2><p>One reward per household.</p>` +
            `<script>window.addEventListener('click', function (e) { ` +
            `if (e.target.closest('.cta')) location = ${jsString(explorePageTarget('span-window-lookalike'))}; });</script>`,
          EN,
        ),
      ),
  },
  // German: a <div> with a gradient and padding, its click the document's listener's (data-go);
  // a small "Neu" badge beside it that the same listener receives is too small to be the offer.
  'de-div-document-lookalike': {
    lang: 'de',
    about: 'a <div> with a gradient that looks like a button, its click handled by a listener on the document; a badge beside it not',
    cta: 'Jetzt Gutschein sichern',
    reasons: [{ text: 'Jetzt Gutschein sichern', match: /a click listener on the document around it/ }],
    html: () =>
      doc(
        'de',
        'Gutschein',
        frame(
          'de-div-document-lookalike',
          'de',
          `<h1>Ihr Gutschein über 50 €</h1><p><span style="background:#ffd54f;padding:4px 10px;border-radius:10px;font-size:12px">Neu</span> ` +
            `Nur heute für Bestandskunden.</p>` +
            `<div data-go="${escapeHtml(explorePageTarget('de-div-document-lookalike'))}" ` +
            `style="width:max-content;background:linear-gradient(#43a047,#2e7d32);` +
            `color:#fff;padding:14px 36px;border-radius:6px;font-size:20px">Jetzt Gutschein sichern</div>` +
            `<script>document.addEventListener('click', function (e) { var el = e.target.closest('[data-go]'); ` +
            `if (el) location.href = el.getAttribute('data-go'); });</script>`,
          { menu: ['Start', 'Angebote', 'Über uns'], signIn: 'Anmelden', legal: ['Datenschutz', 'Impressum'] },
        ),
      ),
  },
  // Spanish: an offer card as narrow as a phone's screen, its "button" a block <div> as wide as the
  // card (a phone layout), its click the window's listener's; the title bar across the page above is no button.
  'es-card-block-lookalike': {
    lang: 'es',
    about: "a block <div> drawn as a button filling a narrow card, its click a window listener's; a coloured title bar across the page not",
    cta: 'Reclamar mi premio',
    html: () =>
      doc(
        'es',
        'Premio',
        frame(
          'es-card-block-lookalike',
          'es',
          `<div style="background:#1e88e5;color:#fff;padding:16px 24px;border-radius:4px;font-size:30px">¡Enhorabuena!</div>` +
            `<div style="width:380px;margin-top:24px;padding:16px;border:1px solid #ddd;background:#fff"><p>Ha sido seleccionado.</p>` +
            `<div class="cta" style="background:#e4002b;color:#fff;padding:14px 16px;text-align:center;border-radius:6px;font-size:20px">` +
            `Reclamar mi premio</div></div>` +
            `<script>window.addEventListener('click', function (e) { ` +
            `if (e.target.closest('.cta')) location.href = ${jsString(explorePageTarget('es-card-block-lookalike'))}; });</script>`,
          { menu: ['Inicio', 'Ofertas'], signIn: 'Iniciar sesión', legal: ['Privacidad', 'Aviso legal'] },
        ),
      ),
  },
  // The same look with no listener anywhere: nothing would take its click, so nothing is clicked.
  'lookalike-no-listener': {
    lang: 'en',
    about: 'a <span> that looks like a button but that no click listener can receive: not read as a control, nothing clicked',
    cta: null,
    html: () =>
      doc(
        'en',
        'Your reward',
        frame(
          'lookalike-no-listener',
          'en',
          `<h1>Congratulations!</h1><p>Your reward is waiting.</p>` + `<p><span style="${LOOKALIKE}">Claim your reward</span></p>`,
          EN,
        ),
      ),
  },
  // An analytics listener on the document receives every click: a coloured title bar across the
  // page, badges and highlighted words are still no buttons; the page's link is the offer.
  'analytics-listener-bars': {
    lang: 'en',
    about:
      'a document-wide analytics click listener: a full-width coloured title bar and badges are not taken for buttons; the offer link is',
    cta: 'Shop the sale',
    html: () =>
      doc(
        'en',
        'Sale',
        frame(
          'analytics-listener-bars',
          'en',
          `<div style="background:#1e88e5;color:#fff;padding:16px 24px;border-radius:4px;font-size:30px;font-weight:700">Summer Sale</div>` +
            `<p><span style="background:#ffd54f;padding:4px 10px;border-radius:10px">New</span> ` +
            `<span style="background:#e53935;color:#fff;padding:4px 10px">-50%</span> ` +
            `Everything must go.</p><p>${a(explorePageTarget('analytics-listener-bars'), 'Shop the sale')}</p>` +
            `<script>var seen = []; document.addEventListener('click', function (e) { seen.push(e.target.tagName); });</script>`,
          EN,
        ),
      ),
  },
  // The offer is put in the page only when a sentinel at the end of a long page comes into view
  // (an IntersectionObserver): a person scrolls down to it; so does explore, when it finds nothing.
  'lazy-sentinel': {
    lang: 'en',
    about: 'the call-to-action added by an IntersectionObserver when the end of a long page is scrolled into view',
    cta: 'Get your offer',
    scrolled: true,
    html: () =>
      doc(
        'en',
        'Offer',
        frame(
          'lazy-sentinel',
          'en',
          `<h1>Your personal offer</h1><p>Read on to see what we picked for you.</p>${filler(40)}${offerAtTheEnd('lazy-sentinel')}`,
          EN,
        ),
      ),
  },
  // Arabic, right to left: sections rendered as each comes into view (a lazy page builder); the
  // offer is in the third, far down.
  'ar-lazy-sections': {
    lang: 'ar',
    about: 'a right-to-left page whose sections are rendered only as they come into view; the offer in the last',
    cta: 'احصل على العرض',
    scrolled: true,
    html: () =>
      doc(
        'ar',
        'عرض خاص',
        `<div dir="rtl">` +
          frame(
            'ar-lazy-sections',
            'ar',
            `<h1>عرض خاص لك</h1>` +
              [1, 2, 3].map((n) => `<section data-lazy="${n}" style="min-height:900px"></section>`).join('') +
              `<script>var parts = { 1: '<h2>المزايا</h2><p>شحن مجاني.</p>', 2: '<h2>الآراء</h2><p>عملاء سعداء.</p>', ` +
              `3: ${jsString(`<h2>العرض</h2><p>${a(explorePageTarget('ar-lazy-sections'), 'احصل على العرض', ' class="btn-primary"')}</p>`)} };\n` +
              `var io = new IntersectionObserver(function (entries) { entries.forEach(function (e) { if (!e.isIntersecting) return; ` +
              `io.unobserve(e.target); e.target.innerHTML = parts[e.target.getAttribute('data-lazy')]; }); });\n` +
              `document.querySelectorAll('[data-lazy]').forEach(function (s) { io.observe(s); });</script>`,
            { menu: ['الرئيسية', 'المنتجات'], signIn: 'تسجيل الدخول', legal: ['الخصوصية', 'الشروط'] },
          ) +
          `</div>`,
      ),
  },
  // A web component's button: a <div> with a pointer cursor and a click listener of its own, inside
  // the component's open shadow root (script-made controls are looked for there too).
  'shadow-pointer-div': {
    lang: 'en',
    about: 'a <div> with a pointer cursor and its own click listener inside an open shadow root',
    cta: 'Claim your prize',
    html: () =>
      doc(
        'en',
        'Prize',
        frame(
          'shadow-pointer-div',
          'en',
          `<h1>Winner!</h1><prize-box></prize-box><script>customElements.define('prize-box', class extends HTMLElement { connectedCallback() { ` +
            `const root = this.attachShadow({ mode: 'open' }); ` +
            `root.innerHTML = '<div id="b" style="cursor:pointer;${LOOKALIKE}">Claim your prize</div>'; ` +
            `root.getElementById('b').addEventListener('click', () => { ` +
            `location.href = ${jsString(explorePageTarget('shadow-pointer-div'))}; }); } });</script>`,
          EN,
        ),
      ),
  },
  // A transparent layer over the whole page that removes itself on the first click (a "click
  // anywhere" trap): a person's click on the offer lands on it, then they click the offer.
  'unseen-layer': {
    lang: 'en',
    about:
      'a layer a person does not see over the page that goes away on the first click: that click lands on it, the offer is clicked next',
    cta: 'Get the deal',
    layerFirst: 'Get the deal',
    html: () =>
      doc(
        'en',
        'Deal',
        frame(
          'unseen-layer',
          'en',
          `<h1>Deal of the day</h1><p>${a(explorePageTarget('unseen-layer'), 'Get the deal', ' class="btn-primary"')}</p>` +
            `<div id="layer" style="position:fixed;inset:0;z-index:99;background:rgba(0,0,0,0.01)"></div>` +
            `<script>document.getElementById('layer').addEventListener('click', function () { this.remove(); });</script>`,
          EN,
        ),
      ),
  },
  // The same layer, but it stays: the one click a person would make lands on it, and the offer
  // under it is then taken for covered, not clicked through (no click is sent past a layer).
  'unseen-layer-stays': {
    lang: 'en',
    about: 'a layer a person does not see over the offer that stays after a click: clicked once, then the offer is covered',
    cta: null,
    layerFirst: 'Get the deal',
    reasons: [{ text: 'Get the deal', match: /, hidden \(covered by <div>\)$/ }],
    html: () =>
      doc(
        'en',
        'Deal',
        frame(
          'unseen-layer-stays',
          'en',
          `<h1>Deal of the day</h1><p>${a(refused('unseen-layer-stays', 'covered'), 'Get the deal', ' class="btn-primary"')}</p>` +
            `<div style="position:fixed;inset:0;z-index:99"></div>`,
          EN,
        ),
      ),
  },
  // An <svg> drawn as a button (a rounded rectangle and its words), a pointer cursor and a click
  // listener of its own, no link: a control like any element script makes clickable.
  'svg-button-listener': {
    lang: 'en',
    about: 'an <svg> button with a pointer cursor and a click listener, no link',
    cta: 'Claim your prize',
    html: () =>
      doc(
        'en',
        'Prize',
        frame(
          'svg-button-listener',
          'en',
          `<h1>Winner</h1><svg id="cta" width="300" height="80" style="cursor:pointer" role="img" aria-label="Claim your prize">` +
            `<rect width="300" height="80" rx="8" fill="#e4002b"/>` +
            `<text x="150" y="50" text-anchor="middle" fill="#fff" font-size="24">Claim your prize</text></svg>` +
            `<script>document.getElementById('cta').addEventListener('click', function () { ` +
            `location.href = ${jsString(explorePageTarget('svg-button-listener'))}; });</script>`,
          EN,
        ),
      ),
  },
  // A same-origin iframe: a badge drawn as a button that nothing listens for (left out), then the
  // offer drawn so, its click the listener of the element around it; the frame's controls kept are
  // clicked by their own place in the frame.
  'iframe-lookalike': {
    lang: 'en',
    about:
      'in a same-origin iframe, a <span> drawn as a button whose click a listener around it handles; a badge no listener takes left out',
    cta: 'Claim your reward',
    frame: frameUrl(FRAME_SAME_ORIGIN, 'iframe-lookalike', 'offer'),
    html: () =>
      doc(
        'en',
        'Reward',
        frame(
          'iframe-lookalike',
          'en',
          `<h1>Reward</h1><iframe style="width:600px;height:240px;border:0" src="${escapeHtml(
            frameDoc(FRAME_SAME_ORIGIN, 'iframe-lookalike', 'offer', () =>
              inner(
                `<p><span style="background:#ffd54f;padding:6px 14px;border-radius:10px">Limited</span></p>` +
                  `<div id="app"><p><span class="cta" style="${LOOKALIKE}">Claim your reward</span></p></div>` +
                  `<script>document.getElementById('app').addEventListener('click', function (e) { ` +
                  `if (e.target.closest('.cta')) top.location = ${jsString(explorePageTarget('iframe-lookalike'))}; });</script>`,
              ),
            ),
          )}"></iframe>`,
          EN,
        ),
      ),
  },
  // An app shell: the window does not scroll (overflow:hidden), a box filling it does; the offer is
  // added when the end of that box comes into view. A person scrolls the box.
  'inner-scroller-lazy': {
    lang: 'en',
    about: 'the page scrolls in a box filling the window (the window does not): the box scrolled down, the offer its end adds clicked',
    cta: 'Get your offer',
    scrolled: true,
    html: () =>
      doc(
        'en',
        'Offer',
        `<style>html,body{height:100%;overflow:hidden}</style><div id="scroller" style="height:100%;overflow-y:auto">` +
          frame(
            'inner-scroller-lazy',
            'en',
            `<h1>Your personal offer</h1><p>Read on.</p>${filler(40)}${offerAtTheEnd('inner-scroller-lazy')}`,
            EN,
          ) +
          `</div>`,
      ),
  },
  // ---- Explore hunt 5. ----
  // Turkish: the offer is a plain link in the text (no button look), beside a plain link to the
  // brand's story; the footer's unsubscribe is written "Abonelikten çıkın" (polite imperative).
  'tr-plain-link': {
    lang: 'tr',
    about: 'Turkish: the call-to-action a plain link ("Hemen satın alın") beside another plain link; "Abonelikten çıkın" refused',
    cta: 'Hemen satın alın',
    reasons: [{ text: 'Abonelikten çıkın', match: LEAVE_REFUSAL }],
    html: () =>
      doc(
        'tr',
        'Kampanya',
        `<main class="hero"><h1>Yaz indirimi: %50</h1><p>Sadece bu hafta geçerli. ` +
          `${a(explorePageTarget('tr-plain-link'), 'Hemen satın alın')}</p>` +
          `<p>${a(refused('tr-plain-link', 'story'), 'Markamızın hikayesi')}</p></main>` +
          `<footer class="site-footer">${a(refused('tr-plain-link', 'u/8812'), 'Abonelikten çıkın')}` +
          `${a(refused('tr-plain-link', 'privacy'), 'Gizlilik politikası')}</footer>`,
      ),
  },
  // Vietnamese: an unsubscribe confirmation page whose one big button says "Hủy đăng ký" (its URL a bare token).
  'vi-leave-button': {
    lang: 'vi',
    about: 'Vietnamese unsubscribe confirmation: a big "Hủy đăng ký" button (URL a bare token) refused; nothing clicked',
    cta: null,
    reasons: [{ text: 'Hủy đăng ký', match: LEAVE_REFUSAL }],
    html: () =>
      doc(
        'vi',
        'Bản tin',
        `<main class="hero" style="text-align:center"><h1>Bản tin khuyến mãi</h1>` +
          `<p>Bạn sẽ không nhận được email từ chúng tôi nữa.</p>` +
          `<p>${a(refused('vi-leave-button', 't/a91c'), 'Hủy đăng ký', ' class="btn-primary"')}</p></main>`,
      ),
  },
  // Indonesian: the same, "Berhenti berlangganan" as a <button> whose onclick goes to a token URL.
  'id-leave-button': {
    lang: 'id',
    about: 'Indonesian unsubscribe page: a big "Berhenti berlangganan" button refused; nothing clicked',
    cta: null,
    reasons: [{ text: 'Berhenti berlangganan', match: LEAVE_REFUSAL }],
    html: () =>
      doc(
        'id',
        'Buletin',
        `<main class="hero" style="text-align:center"><h1>Buletin promo</h1>` +
          `<p><button class="btn-primary" onclick="${go(refused('id-leave-button', 'x/77'))}">Berhenti berlangganan</button></p></main>`,
      ),
  },
  // Turkish consent bar (no telltale class: "çerez" is Turkish for cookie) with a big green "Kabul et".
  'tr-cookie-bar': {
    lang: 'tr',
    about: 'Turkish cookie bar ("çerez", no telltale class) with a big "Tümünü kabul et" and "Devam": never chosen; the offer is',
    cta: 'Fırsatı yakala',
    reasons: [
      { text: 'Tümünü kabul et', match: /, cookie banner$/ },
      // Known as the notice's by the bar that speaks of "çerezler" alone: "Devam" is no consent answer.
      { text: 'Devam', match: /, cookie banner$/ },
    ],
    html: () =>
      doc(
        'tr',
        'Fırsat',
        `<main class="hero"><h1>Bugüne özel fırsat</h1><p>${a(explorePageTarget('tr-cookie-bar'), 'Fırsatı yakala', ' style="font-size:17px"')}</p></main>` +
          `<div class="bar"><span>Size daha iyi bir deneyim sunmak için çerezler kullanıyoruz.</span>` +
          `<button type="button" onclick="this.parentNode.remove()">Tümünü kabul et</button>` +
          `<button type="button" onclick="this.parentNode.remove()">Devam</button></div>`,
      ),
  },
  // Indonesian consent modal over the offer: closed with "Tolak semua", never "Terima semua".
  'id-consent-modal': {
    lang: 'id',
    about: 'Indonesian consent modal over the offer: dismissed with "Tolak semua", never accepted',
    cta: 'Beli sekarang',
    dismissed: 'Tolak semua',
    html: () =>
      doc(
        'id',
        'Promo',
        `<main class="hero"><h1>Promo akhir pekan</h1><p>${a(explorePageTarget('id-consent-modal'), 'Beli sekarang', ' class="btn-primary"')}</p></main>` +
          `<div class="cc-backdrop" style="position:fixed;inset:0;background:rgba(0,0,0,.55);z-index:900"></div>` +
          `<div class="cc-box" role="dialog" aria-modal="true" ` +
          `style="position:fixed;left:50%;top:40%;transform:translate(-50%,-50%);width:520px;background:#fff;padding:28px;z-index:901">` +
          `<p>Kami menggunakan cookie untuk meningkatkan pengalaman Anda.</p>` +
          `<button class="btn-primary" onclick="closeCc()">Terima semua</button> <button class="btn-ghost" onclick="closeCc()">Tolak semua</button></div>` +
          `<script>function closeCc(){for(const e of document.querySelectorAll('.cc-backdrop,.cc-box'))e.remove();}</script>`,
      ),
  },
  // Vietnamese newsletter pop-up over the offer, closed with its "Đóng" button.
  'vi-popup': {
    lang: 'vi',
    about: 'Vietnamese newsletter pop-up over the offer: closed with "Đóng"; "Mua ngay" clicked',
    cta: 'Mua ngay',
    closedPopup: 'Đóng',
    html: () =>
      doc(
        'vi',
        'Khuyến mãi',
        `<main class="hero"><h1>Giảm giá mùa hè</h1><p>${a(explorePageTarget('vi-popup'), 'Mua ngay', ' class="btn-primary"')}</p></main>` +
          `<div id="nl" style="position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:50;display:flex;align-items:center;justify-content:center">` +
          `<div style="background:#fff;padding:28px;width:440px">` +
          `<h2>Giảm 10% cho đơn hàng đầu tiên</h2>` +
          `<form method="post" action="${escapeHtml(refused('vi-popup', 'subscribe'))}">` +
          `<input type="email" name="email" placeholder="Email"> <button class="btn-primary">Nhận mã</button></form>` +
          `<p><button type="button" onclick="document.getElementById('nl').remove()">Đóng</button></p></div></div>`,
      ),
  },
  // Installers and profiles a phone or PC opens: a .mobileconfig, a ClickOnce .application, a
  // .jnlp, an .appinstaller, script and control-panel files; the page's web offer is a plain link.
  'profile-installers': {
    lang: 'en',
    about: '.mobileconfig, .application, .jnlp, .appinstaller, .vbe, .cpl buttons refused; a plain "View the offer" link followed',
    cta: 'View the offer',
    reasons: INSTALLERS.map(([file, text]) => ({
      text,
      match: new RegExp(`download link \\(\\.${file.replace(/\?.*/, '').split('.').pop()!.toLowerCase()}\\)$`),
    })),
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Your reward</h1>` +
          bigRefusedLinks('profile-installers', INSTALLERS) +
          `<p>${a(explorePageTarget('profile-installers'), 'View the offer')}</p></main>`,
      ),
  },
  // An image button with no alt text (an e-mail builder's "Shop now" picture, 220×60), among footer links.
  'image-button-no-alt': pictureButtonPage(
    'image-button-no-alt',
    'a 220×60 picture link with no alt text as the offer, among footer and social links',
    (href) => `<a href="${escapeHtml(href)}"><img src="${picture(220, 60)}" width="220" height="60"></a>`,
  ),
  // A link drawn only by its CSS background picture (no text, no <img>), 240×64.
  'bg-image-button': pictureButtonPage(
    'bg-image-button',
    'a 240×64 link drawn only by a CSS background picture (no words) as the offer',
    (href) =>
      `<a href="${escapeHtml(href)}" style="display:inline-block;width:240px;height:64px;` +
      `background:url(&quot;${picture(240, 64)}&quot;) no-repeat"></a>`,
  ),
  // A consent modal over the offer whose refusal is worded as GOV.UK's and Facebook's are: "Reject
  // non-essential cookies" beside "Accept all cookies". It offers a refusal: closed with it.
  'consent-reject-nonessential': {
    lang: 'en',
    about: 'a consent modal over the offer: "Reject non-essential cookies" (not a stock phrase) closes it, never "Accept all cookies"',
    cta: 'Order now',
    dismissed: 'Reject non-essential cookies',
    html: () =>
      doc(
        'en',
        'Meal kits',
        frame(
          'consent-reject-nonessential',
          'en',
          `<h1>Meal kits: your first box free</h1><p>${a(explorePageTarget('consent-reject-nonessential'), 'Order now', ' class="btn-primary"')}</p>`,
          {
            ...EN,
            tail:
              `<div id="cm" style="position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:900;display:flex;align-items:center;justify-content:center">` +
              `<div role="dialog" aria-modal="true" style="background:#fff;padding:28px;width:520px">` +
              `<h2>Cookies on Meal Kits</h2><p>We use some essential cookies to make this site work. We would like to set ` +
              `additional cookies to understand how you use the site and to show you relevant ads.</p>` +
              `<p><button class="btn-primary" onclick="document.getElementById('cm').remove()">Accept all cookies</button> ` +
              `<button class="btn-ghost" onclick="document.getElementById('cm').remove()">Reject non-essential cookies</button></p></div></div>`,
          },
        ),
      ),
  },
  // The page an unsubscribe link lands on: done, with big buttons that would put the address back on
  // the list or change what it is sent: list management, not an offer.
  'list-management': {
    lang: 'en',
    about:
      'an "unsubscribed" page: big "Resubscribe", "Subscribe again", "Email settings", "Subscription settings", "Change email frequency": none clicked',
    cta: null,
    reasons: ['Resubscribe', 'Subscribe again', 'Email settings', 'Subscription settings', 'Change email frequency'].map((text) => ({
      text,
      match: LEAVE_REFUSAL,
    })),
    html: () =>
      doc(
        'en',
        'Unsubscribed',
        `<main class="hero" style="text-align:center"><h1>You have been unsubscribed</h1>` +
          `<p>You will no longer receive Promo Weekly. Changed your mind?</p>` +
          bigRefusedLinks('list-management', [
            ['r/51', 'Resubscribe'],
            ['r/52', 'Subscribe again'],
            ['s/1', 'Email settings'],
            ['s/2', 'Subscription settings'],
            ['s/3', 'Change email frequency'],
          ]) +
          `</main>`,
      ),
  },
  // Swedish: the offer a plain link, the footer's unsubscribe in Swedish. Then a Romanian unsubscribe page's big button.
  'sv-plain-link': {
    lang: 'sv',
    about: 'Swedish: the call-to-action a plain link ("Köp nu") beside another plain link; "Avsluta prenumerationen" refused',
    cta: 'Köp nu',
    reasons: [{ text: 'Avsluta prenumerationen', match: LEAVE_REFUSAL }],
    html: () =>
      doc(
        'sv',
        'Rea',
        `<main class="hero"><h1>Sommarrea: 50 %</h1><p>Bara denna vecka. ${a(explorePageTarget('sv-plain-link'), 'Köp nu')}</p>` +
          `<p>${a(refused('sv-plain-link', 'story'), 'Vår historia')}</p></main>` +
          `<footer class="site-footer">${a(refused('sv-plain-link', 'x/1'), 'Avsluta prenumerationen')}</footer>`,
      ),
  },
  'ro-leave-button': {
    lang: 'ro',
    about: 'Romanian unsubscribe page: a big "Dezabonează-te" button refused; nothing clicked',
    cta: null,
    reasons: [{ text: 'Dezabonează-te', match: LEAVE_REFUSAL }],
    html: () =>
      doc(
        'ro',
        'Newsletter',
        `<main class="hero" style="text-align:center"><h1>Newsletter</h1>` +
          `<p>${a(refused('ro-leave-button', 'x/1'), 'Dezabonează-te', ' class="btn-primary"')}</p></main>`,
      ),
  },
  // Spam's styled letters: the offer a plain link in mathematical bold; big unsubscribe buttons in
  // fullwidth letters and with a Cyrillic і. A person reads "Claim your prize" and "Unsubscribe".
  'styled-letters': {
    lang: 'en',
    about:
      'a plain "𝐂𝐥𝐚𝐢𝐦 𝐲𝐨𝐮𝐫 𝐩𝐫𝐢𝐳𝐞" link (mathematical bold) followed; big "Ｕｎｓｕｂｓｃｒｉｂｅ" and "Unsubscrіbe" (Cyrillic і) refused',
    cta: '𝐂𝐥𝐚𝐢𝐦 𝐲𝐨𝐮𝐫 𝐩𝐫𝐢𝐳𝐞',
    reasons: [
      { text: 'Ｕｎｓｕｂｓｃｒｉｂｅ', match: LEAVE_REFUSAL },
      { text: 'Unsubscr\u0456be', match: LEAVE_REFUSAL },
    ],
    html: () =>
      doc(
        'en',
        'Winner',
        `<main class="hero"><h1>You have won</h1><p>${a(explorePageTarget('styled-letters'), '𝐂𝐥𝐚𝐢𝐦 𝐲𝐨𝐮𝐫 𝐩𝐫𝐢𝐳𝐞')}</p>` +
          `<p>${a(refused('styled-letters', 'story'), 'Our story')}</p>` +
          `<p>${a(refused('styled-letters', 'u/1'), 'Ｕｎｓｕｂｓｃｒｉｂｅ', ' class="btn-primary"')}</p>` +
          `<p>${a(refused('styled-letters', 'u/2'), 'Unsubscr\u0456be', ' class="btn-primary"')}</p></main>`,
      ),
  },
  // A page of 320 visible links (a link farm's or a shop's full category list) before the offer in
  // the DOM; CSS shows the offer first. Only 300 controls are kept per page.
  'many-links-first': {
    lang: 'en',
    about: '320 visible category links before the offer in the DOM (the offer shown first by CSS): the offer still read and clicked',
    cta: 'Shop the sale',
    html: () => {
      const links = Array.from({ length: 320 }, (_, i) => a(refused('many-links-first', `c/${i}`), `Category ${i + 1}`)).join(' ');
      return doc(
        'en',
        'Sale',
        `<div style="display:flex;flex-direction:column"><nav style="order:2;font-size:12px;columns:6">${links}</nav>` +
          `<main class="hero" style="order:1"><h1>Sale</h1>` +
          `<p>${a(explorePageTarget('many-links-first'), 'Shop the sale', ' class="btn-primary"')}</p></main></div>`,
      );
    },
  },
  // Thai, written without spaces between words: the offer a plain link ("ซื้อเลย") beside another
  // plain link; the footer's unsubscribe inside a longer run of words.
  'th-plain-link': {
    lang: 'th',
    about: 'Thai (no spaces between words): the call-to-action a plain link ("ซื้อเลย"); "ยกเลิกการสมัครรับข่าวสาร" refused',
    cta: 'ซื้อเลย',
    reasons: [{ text: 'ยกเลิกการสมัครรับข่าวสาร', match: LEAVE_REFUSAL }],
    html: () =>
      doc(
        'th',
        'โปรโมชั่น',
        `<main class="hero"><h1>ลดราคา 50%</h1><p>เฉพาะสัปดาห์นี้ ${a(explorePageTarget('th-plain-link'), 'ซื้อเลย')}</p>` +
          `<p>${a(refused('th-plain-link', 'story'), 'เรื่องราวของเรา')}</p></main>` +
          `<footer class="site-footer">${a(refused('th-plain-link', 'x/1'), 'ยกเลิกการสมัครรับข่าวสาร')}</footer>`,
      ),
  },
  // A Thai cookie bar (no telltale class: "คุกกี้" is Thai for cookie) whose button says "Continue".
  'th-cookie-bar': {
    lang: 'th',
    about: 'a Thai cookie bar ("คุกกี้", no telltale class) with a big "ดำเนินการต่อ" (continue): the notice\'s, never chosen',
    cta: 'ซื้อเลย',
    reasons: [{ text: 'ดำเนินการต่อ', match: /, cookie banner$/ }],
    html: () =>
      doc(
        'th',
        'โปรโมชั่น',
        `<main class="hero"><h1>ลดราคา 50%</h1><p>${a(explorePageTarget('th-cookie-bar'), 'ซื้อเลย', ' style="font-size:17px"')}</p></main>` +
          `<div class="bar"><span>เว็บไซต์นี้ใช้คุกกี้เพื่อมอบประสบการณ์ที่ดีที่สุดให้กับคุณ</span>` +
          `<button type="button" onclick="this.parentNode.remove()">ดำเนินการต่อ</button></div>`,
      ),
  },
  // Downloads known only by the shape of their URL: a file named in the query (a download script's
  // `?file=`), in a path segment before `;jsessionid`, percent-encoded; a button, a GET form, a
  // link's onclick and a link's click listener leading to one (ten: all of them in the report; the
  // biggest, the link whose listener leads to one, is chosen first, then refused once it is asked).
  // All bigger than the offer, whose URL names no file (`?ref=setup`, `sku=exe-200`) but in a
  // tracking parameter's label.
  'download-shapes': {
    lang: 'en',
    about: 'downloads named by a query value (?file=Setup.exe, ?f=invoice.zip) or path shape, by a button, form or onclick: refused',
    cta: 'See the offer',
    final: `${explorePageTarget('download-shapes')}?ref=setup&sku=exe-200&utm_content=banner.zip`,
    reasons: [
      { text: 'Get it now', match: /, download link \(\.exe\)$/ },
      { text: 'Get your invoice', match: /, download link \(\.zip\)$/ },
      { text: 'Install the app', match: /, download link \(\.apk\)$/ },
      { text: 'Start now', match: /, download link \(\.exe\)$/ },
      { text: 'Claim now', match: /, download link \(\.exe\)$/ },
      { text: 'Claim your bonus', match: /, download link \(\.apk\)$/ },
      { text: 'Continue', match: /, download link \(\.exe\)$/ },
      { text: 'Get started', match: /, download link \(\.exe\) \(where its script sends the click\)$/ },
      { text: 'Install now', match: /, download link \(\.apk\)$/ },
      { text: 'Get the app', match: /, download link \(\.exe\) \(where its script sends the click\)$/ },
      { text: 'See the offer', match: /download/, absent: true },
    ],
    html: () => {
      const onclickGo = go(refused('download-shapes', 'dl?file=Setup.exe&from=onclick'));
      return doc(
        'en',
        'Your download',
        `<main class="hero"><h1>Your file is ready</h1>` +
          `<p>${a(refused('download-shapes', 'app'), 'Get the app', ' id="listened" class="btn-primary" style="font-size:30px"')}</p>` +
          bigRefusedLinks('download-shapes', [
            ['dl?file=Setup.exe', 'Get it now'],
            ['download.php?f=invoice.zip', 'Get your invoice'],
            ['get?name=app.apk&x=1', 'Install the app'],
            ['dl/Setup.exe;jsessionid=8F2A61C0', 'Start now'],
            ['dl/Setup%2Eexe', 'Claim now'],
          ]) +
          `<p><button class="btn-primary" onclick="${go(refused('download-shapes', 'get?file=brand.apk'))}">Claim your bonus</button></p>` +
          `<form method="get" action="${escapeHtml(refused('download-shapes', 'dl'))}"><input type="hidden" name="file" value="Setup.exe">` +
          `<button class="btn-primary">Continue</button></form>` +
          `<p>${a(refused('download-shapes', 'offer'), 'Get started', ` class="btn-primary" onclick="${onclickGo}; return false"`)}</p>` +
          `<p><button id="listener" class="btn-primary">Install now</button></p>` +
          `<p>${a(`${explorePageTarget('download-shapes')}?ref=setup&sku=exe-200&utm_content=banner.zip`, 'See the offer')}</p></main>` +
          `<script>document.getElementById('listener').addEventListener('click', function () { ` +
          `location.href = ${jsString(refused('download-shapes', 'get?file=brand.apk&from=listener'))}; });\n` +
          `document.getElementById('listened').addEventListener('click', function (e) { e.preventDefault(); ` +
          `location.href = ${jsString(refused('download-shapes', 'get?file=brand.exe&from=link-listener'))}; });</script>`,
      );
    },
  },
  // A "Download" button that is the offer (its link a landing page) beside a real download of the
  // same look: words do not make a download, where it leads does.
  'download-label': {
    lang: 'en',
    about: 'a "Download now" button to the offer page followed; a "Get the guide" button to a .pdf refused',
    cta: 'Download now',
    reasons: [{ text: 'Get the guide', match: /, download link \(\.pdf\)$/ }],
    html: () =>
      doc(
        'en',
        'Free guide',
        `<main class="hero"><h1>The 2026 savings guide</h1>` +
          `<p>${a(refused('download-label', 'files/guide.pdf'), 'Get the guide', ' class="btn-primary" style="font-size:26px"')}</p>` +
          `<p>${a(explorePageTarget('download-label'), 'Download now', ' class="btn-primary"')}</p></main>`,
      ),
  },
  // Forms that ask the person to fill something in, each bigger than the offer, in shapes a count of
  // typed fields by their type attribute missed: an input of a type the browser does not know
  // ("e-mail": a text field), a list still on "Choose…" beside a name to type or asking for a card's
  // expiry (personal data: a list that asks for nothing personal is a choice explore makes, see
  // select-continue), a file to attach behind a styled label, a
  // link that sends its form by script (href="#", javascript:), an e-mail box outside the form its
  // script fills. None is sent.
  'form-asks': {
    lang: 'en',
    about:
      'forms that ask for typing (type="e-mail", a "Choose…" list beside a name or of a card expiry, a file, ' +
      'a #/javascript: link sending it, a box beside it): refused',
    cta: 'See the offer',
    reasons: [
      ...['Get my bonus', 'Continue to the offer', 'Pay now', 'Claim now', 'Join now'].map((text) => ({
        text,
        match: /, submits a form that needs typing$/,
      })),
      ...['Sign up now', 'Start now'].map((text) => ({ text, match: /, a script button on fields that need typing$/ })),
    ],
    html: () =>
      doc(
        'en',
        'Bonus',
        `<main class="hero"><h1>Claim your bonus</h1>` +
          `<form method="post" action="${escapeHtml(refused('form-asks', 'mail'))}"><input type="e-mail" name="e" placeholder="E-mail">` +
          `<button class="btn-primary" style="font-size:26px">Get my bonus</button></form>` +
          `<form method="get" action="${escapeHtml(refused('form-asks', 'country'))}"><input name="n" placeholder="Full name"> ` +
          `<select name="c"><option value="">Choose your country</option>` +
          `<option value="de">Deutschland</option><option value="fr">France</option></select>` +
          `<button class="btn-primary" style="font-size:26px">Continue to the offer</button></form>` +
          `<form method="post" action="${escapeHtml(refused('form-asks', 'card'))}"><select name="cc-exp-month"><option value="">Expiry month</option>` +
          `<option>01</option><option>02</option></select> <button class="btn-primary" style="font-size:26px">Pay now</button></form>` +
          `<form method="post" enctype="multipart/form-data" action="${escapeHtml(refused('form-asks', 'upload'))}">` +
          `<label class="btn-ghost">Attach your ID <input type="file" name="id" style="display:none"></label> ` +
          `<button class="btn-primary" style="font-size:26px">Claim now</button></form>` +
          `<form id="f4" method="post" action="${escapeHtml(refused('form-asks', 'signup'))}"><input type="email" name="u" placeholder="E-mail"> ` +
          `<a href="#" class="btn-primary" style="font-size:26px" onclick="document.getElementById('f4').submit(); return false">Sign up now</a></form>` +
          `<form name="f5" method="post" action="${escapeHtml(refused('form-asks', 'phone'))}"><input type="phone" name="p" placeholder="Phone"> ` +
          `<a href="javascript:document.forms.f5.submit()" class="btn-primary" style="font-size:26px">Start now</a></form>` +
          `<div><input type="email" id="em" placeholder="Your e-mail"> <form method="post" style="display:inline" ` +
          `action="${escapeHtml(refused('form-asks', 'beside'))}" onsubmit="this.e.value = document.getElementById('em').value">` +
          `<input type="hidden" name="e"><button class="btn-primary" style="font-size:26px">Join now</button></form></div>` +
          `<p>${a(explorePageTarget('form-asks'), 'See the offer')}</p></main>`,
      ),
  },
  // An affiliate funnel's redirect form: hidden fields, and honeypot fields for bots that a person
  // never sees (off-screen, transparent, one pixel): nothing to type, its "Get the offer" is clicked.
  'form-honeypot': {
    lang: 'en',
    about: 'a GET form of hidden fields and honeypot text fields a person does not see: its "Get the offer" followed',
    cta: 'Get the offer',
    final: `${explorePageTarget('form-honeypot')}?aff=77&website=&fax=&nick=`,
    reasons: [{ text: 'Get the offer', match: /sends a form \(GET\) with nothing to type/ }],
    html: () =>
      doc(
        'en',
        'Your offer',
        `<main class="hero"><h1>One last step</h1><form method="get" action="${escapeHtml(explorePageTarget('form-honeypot'))}">` +
          `<input type="hidden" name="aff" value="77">` +
          `<input type="text" name="website" tabindex="-1" autocomplete="off" style="position:absolute;left:-9999px">` +
          `<input type="text" name="fax" tabindex="-1" autocomplete="off" style="opacity:0;position:absolute;top:0;right:0">` +
          `<input type="text" name="nick" tabindex="-1" autocomplete="off" style="width:1px;height:1px;padding:0;border:0">` +
          `<button class="btn-primary">Get the offer</button></form>` +
          `<p>${a(refused('form-honeypot', 'about'), 'About us')}</p></main>`,
      ),
  },
  // ---- Explore hunt 7. ----
  // Script that sends a click elsewhere from around the control: a wrapper's listener that sends
  // every click in it to an installer, and a body listener delegating to `[data-url]` boxes, one of
  // which names an archive. Both are judged before the click; the plain link is followed.
  'listeners-around': {
    lang: 'en',
    about:
      "a link whose wrapper's listener sends it to an .exe, a delegated [data-url] box naming a .zip: refused; the plain link followed",
    cta: 'See the schedule',
    reasons: [
      { text: 'Watch now', match: /download link \(\.exe\) \(where its script sends the click\)$/ },
      { text: 'Get your invoice now', match: /download link \(\.zip\) \(where its data attribute says it leads\)$/ },
    ],
    html: () =>
      doc(
        'en',
        'Live stream',
        `<main class="hero"><h1>The match is live</h1>` +
          `<div id="player">${a(refused('listeners-around', 'watch'), 'Watch now', ' class="btn-primary"')}</div>` +
          `<p><span class="btn-primary" style="cursor:auto" data-url="${escapeHtml(refused('listeners-around', 'invoice.zip'))}">` +
          `Get your invoice now</span></p>` +
          `<p>${a(explorePageTarget('listeners-around'), 'See the schedule', ' class="btn-ghost"')}</p></main>` +
          `<script>document.getElementById('player').addEventListener('click', function (e) { e.preventDefault(); ` +
          `location.href = ${jsString(refused('listeners-around', 'Player_Setup.exe'))}; });\n` +
          `document.body.addEventListener('click', function (e) { var el = e.target.closest('[data-url]'); if (el) location = el.dataset.url; });</script>`,
      ),
  },
  // A survey funnel: three questions of answer buttons, one shown at a time by script (no new
  // document), then the reward. A person answers each; the clicks load nothing, but each shows the next step.
  'quiz-three-steps': {
    lang: 'en',
    about: 'three questions answered with buttons, each shown by script in the same document, then "Claim your reward" followed',
    cta: 'Claim your reward',
    ledNowhere: ['18-29', 'Yes', 'A new phone'],
    html: () =>
      doc(
        'en',
        'Survey',
        `<main class="hero"><h1>Answer 3 quick questions to claim your reward</h1>` +
          `<div id="q1"><p>1. How old are you?</p><button class="btn-primary">18-29</button> <button class="btn-primary">30-49</button></div>` +
          `<div id="q2" style="display:none"><p>2. Do you shop online?</p><button class="btn-primary">Yes</button> ` +
          `<button class="btn-primary">No</button></div>` +
          `<div id="q3" style="display:none"><p>3. Which gift do you prefer?</p><button class="btn-primary">A new phone</button> ` +
          `<button class="btn-primary">A tablet</button></div>` +
          `<div id="q4" style="display:none"><p>Congratulations!</p>` +
          `${a(explorePageTarget('quiz-three-steps'), 'Claim your reward', ' class="btn-primary"')}</div>` +
          `<p>${a(refused('quiz-three-steps', 'unsubscribe'), 'Unsubscribe')}</p></main>` +
          `<script>var step = 1; document.querySelectorAll('main button').forEach(function (b) { b.addEventListener('click', function () { ` +
          `document.getElementById('q' + step).style.display = 'none'; step++; document.getElementById('q' + step).style.display = 'block'; }); });</script>`,
      ),
  },
  // A question of radio buttons with a "Next" that does nothing until one is chosen (it only says
  // "Please choose an answer"): a person picks one and clicks "Next" again; the quote link it shows is followed.
  'radio-question-next': {
    lang: 'en',
    about: 'a "Next" that does nothing while no radio answer is chosen: the first answer picked (no typing), "Next" again, then the link',
    cta: 'See my quote',
    ledNowhere: ['Next', 'Next'],
    answered: ['18-34'],
    html: () =>
      doc(
        'en',
        'Do you qualify?',
        `<main class="hero"><h1>Check if you qualify</h1><div id="step"><p>What is your age?</p>` +
          ['18-34', '35-54', '55+']
            .map((age) => `<label style="display:block;padding:8px"><input type="radio" name="age"> ${age}</label>`)
            .join('') +
          `<button class="btn-primary" id="next">Next</button><p id="error"></p></div>` +
          `<p id="done" style="display:none">${a(explorePageTarget('radio-question-next'), 'See my quote', ' class="btn-primary"')}</p></main>` +
          `<script>document.getElementById('next').addEventListener('click', function () { ` +
          `if (!document.querySelector('input[name=age]:checked')) { document.getElementById('error').textContent = 'Please choose an answer'; return; } ` +
          `document.getElementById('step').style.display = 'none'; document.getElementById('done').style.display = 'block'; });</script>`,
      ),
  },
  // Bait links whose href is rewritten as the mouse button goes down (an onmousedown attribute, a
  // mousedown listener): the browser follows the href as it is when the click ends, an installer.
  'href-rewritten-on-press': {
    lang: 'en',
    about: 'links whose onmousedown / mousedown listener rewrites the href to an .exe: refused; the plain link followed',
    cta: 'Read the release notes',
    reasons: ['Update now', 'Install the player'].map((text) => ({
      text,
      match: /, download link \(\.exe\) \(where its script sends the click\)$/,
    })),
    html: () => {
      const swap = escapeHtml(jsString(refused('href-rewritten-on-press', 'FlashUpdate.exe')));
      return doc(
        'en',
        'Update required',
        `<main class="hero"><h1>Your player is out of date</h1>` +
          `<p>${a(refused('href-rewritten-on-press', 'update'), 'Update now', ` class="btn-primary" onmousedown="this.href=${swap}"`)}</p>` +
          `<p>${a(refused('href-rewritten-on-press', 'player'), 'Install the player', ' id="player" class="btn-primary"')}</p>` +
          `<p>${a(explorePageTarget('href-rewritten-on-press'), 'Read the release notes', ' class="btn-ghost"')}</p></main>` +
          `<script>document.getElementById('player').addEventListener('mousedown', function () { ` +
          `this.href = ${jsString(refused('href-rewritten-on-press', 'Player_Setup.exe'))}; });</script>`,
      );
    },
  },
  // ---- Explore hunt 8. ----
  // Links with a real href whose click a listener on the document sends to their data-url instead
  // (`location = a.dataset.url`): an archive, a mail app, an unsubscribe. Each is judged by where it
  // is sent, not by its href; the plain link is followed.
  'data-url-links': {
    lang: 'en',
    about:
      'links with a plain href that a document listener sends to their data-url (.zip, mailto:, unsubscribe): refused; the plain link followed',
    cta: 'See the offer',
    reasons: [
      { text: 'Get your statement', match: /, download link \(\.zip\) \(where its data attribute says it leads\)$/ },
      { text: 'Contact your adviser', match: /mailto.* \(where its data attribute says it leads\)$/ },
      { text: 'Manage my plan', match: /, unsubscribe .* \(where its data attribute says it leads\)$/ },
    ],
    html: () =>
      doc(
        'en',
        'Your account',
        `<main class="hero"><h1>Your statement is ready</h1>` +
          [
            ['statement', 'Get your statement', refused('data-url-links', 'statement.zip')],
            ['adviser', 'Contact your adviser', 'mailto:adviser@bank.example'],
            ['plan', 'Manage my plan', refused('data-url-links', 'unsubscribe?id=7')],
          ]
            .map(([path, text, to]) => {
              const attributes = ` class="btn-primary" style="font-size:24px" data-url="${escapeHtml(to)}"`;
              return `<p>${a(refused('data-url-links', path), text, attributes)}</p>`;
            })
            .join('') +
          `<p>${a(explorePageTarget('data-url-links'), 'See the offer', ' class="btn-ghost"')}</p></main>` +
          `<script>document.addEventListener('click', function (e) { var link = e.target.closest('a[data-url]'); ` +
          `if (link) { e.preventDefault(); location = link.dataset.url; } });</script>`,
      ),
  },
  // A step that asks only for a choice from a list left on its placeholder: a form whose "Continue"
  // waits on an age range (required, "Choose…" of an empty value), and a script "Next" that waits on
  // a country (its placeholder a disabled option). A person picks an option, no typing: the first
  // real one is picked (the arrow key on the focused list), then the step goes on.
  'select-continue': {
    lang: 'en',
    about:
      'a form whose "Continue" waits on a list left on "Choose…" (nothing personal): its first option picked (no typing), the form sent',
    cta: 'Continue',
    final: `${explorePageTarget('select-continue')}?age=18-34`,
    answered: ['18-34'],
    html: () =>
      doc(
        'en',
        'One question',
        `<main class="hero"><h1>One quick question</h1><form method="get" action="${escapeHtml(explorePageTarget('select-continue'))}">` +
          `<label>Your age <select name="age" required><option value="">Choose your age range</option>` +
          `<option>18-34</option><option>35-54</option><option>55+</option></select></label> ` +
          `<button class="btn-primary">Continue</button></form>` +
          `<p>${a(refused('select-continue', 'unsubscribe'), 'Unsubscribe')}</p></main>`,
      ),
  },
  'select-next-script': {
    lang: 'en',
    about:
      'a script "Next" that does nothing while a list shows its disabled "Choose…": its first country picked (no typing), "Next" again, then the link',
    cta: 'See my offer',
    ledNowhere: ['Next', 'Next'],
    answered: ['Germany'],
    html: () =>
      doc(
        'en',
        'Where are you?',
        `<main class="hero"><h1>Check the offers in your country</h1><div id="step"><p>Where do you live?</p>` +
          `<select id="country"><option disabled selected>Choose…</option><option value="de">Germany</option><option value="fr">France</option></select> ` +
          `<button class="btn-primary" id="next">Next</button><p id="error"></p></div>` +
          `<p id="done" style="display:none">${a(explorePageTarget('select-next-script'), 'See my offer', ' class="btn-primary"')}</p></main>` +
          `<script>document.getElementById('next').addEventListener('click', function () { ` +
          `if (document.getElementById('country').selectedIndex < 1) { ` +
          `document.getElementById('error').textContent = 'Please choose your country'; return; } ` +
          `document.getElementById('step').style.display = 'none'; document.getElementById('done').style.display = 'block'; });</script>`,
      ),
  },
  // Styled lists a "Continue" waits on: a button toggle (aria-haspopup=listbox) for its listbox, and
  // a <div class="select"> whose role=option items show once it is clicked. A person opens each and
  // picks an option: the first of each is picked with clicks, then "Continue" again, then the link.
  'listbox-continue': {
    lang: 'en',
    about:
      'a "Continue" that waits on two styled lists (aria-haspopup=listbox, div.select): each opened, its first option picked, "Continue" again',
    cta: 'See my offer',
    ledNowhere: ['Continue', 'Continue'],
    answered: ['Germany', 'A friend'],
    html: () =>
      doc(
        'en',
        'Almost there',
        `<main class="hero"><h1>Almost there</h1><div id="step">` +
          `<p>Country <button type="button" class="toggle" aria-haspopup="listbox" aria-expanded="false" aria-controls="countries">` +
          `Select your country</button></p>` +
          `<ul id="countries" role="listbox" hidden><li role="option" style="padding:8px">Germany</li><li role="option" style="padding:8px">France</li></ul>` +
          `<p>How did you hear of us?</p><div class="select" style="cursor:pointer;padding:8px;border:1px solid #999;width:240px">` +
          `<span class="shown">Choose…</span><div class="options" style="display:none">` +
          `<div role="option" style="padding:8px">A friend</div><div role="option" style="padding:8px">An advert</div></div></div>` +
          `<p><button class="btn-primary" id="go">Continue</button></p><p id="error"></p></div>` +
          `<p id="done" style="display:none">${a(explorePageTarget('listbox-continue'), 'See my offer', ' class="btn-primary"')}</p>` +
          `<p>${a(refused('listbox-continue', 'unsubscribe'), 'Unsubscribe')}</p></main>` +
          `<script>var toggle = document.querySelector('.toggle'), list = document.getElementById('countries'), box = document.querySelector('.select');\n` +
          `toggle.addEventListener('click', function () { list.hidden = !list.hidden; toggle.setAttribute('aria-expanded', String(!list.hidden)); });\n` +
          `list.querySelectorAll('[role=option]').forEach(function (o) { o.addEventListener('click', function () { ` +
          `o.setAttribute('aria-selected', 'true'); toggle.textContent = o.textContent; list.hidden = true; }); });\n` +
          `box.addEventListener('click', function (e) { var o = e.target.closest('[role=option]'); var options = box.querySelector('.options'); ` +
          `if (o) { o.setAttribute('aria-selected', 'true'); box.querySelector('.shown').textContent = o.textContent; options.style.display = 'none'; } ` +
          `else options.style.display = options.style.display === 'none' ? 'block' : 'none'; });\n` +
          `document.getElementById('go').addEventListener('click', function () { ` +
          `if (document.querySelectorAll('[aria-selected=true]').length < 2) { ` +
          `document.getElementById('error').textContent = 'Please answer both questions'; return; } ` +
          `document.getElementById('step').style.display = 'none'; document.getElementById('done').style.display = 'block'; });</script>`,
      ),
  },
  // Probes of hunt 8. A web component's open shadow root holding a bigger app download, an
  // unsubscribe link and the offer as a script <button>: the download and unsubscribe are refused
  // inside the root too, the button clicked.
  'shadow-script-button': {
    lang: 'en',
    about: 'an open shadow root with an .apk link and an unsubscribe link (refused) and a script <button> (clicked)',
    cta: 'Claim my discount',
    reasons: [
      { text: 'Get the app', match: /, download link \(\.apk\)$/ },
      { text: 'Unsubscribe', match: /, unsubscribe / },
    ],
    html: () =>
      doc(
        'en',
        'Your discount',
        `<main class="hero"><h1>20% off today</h1><offer-card></offer-card></main><script>` +
          `const root = document.querySelector('offer-card').attachShadow({ mode: 'open' });\n` +
          `root.innerHTML = '<style>.b{display:inline-block;background:#e4002b;color:#fff;border:0;padding:14px 32px;' +\n` +
          `'border-radius:6px;cursor:pointer}</style>' +\n` +
          `'<p><a class="b" style="font-size:28px" href=' + ${jsString(JSON.stringify(refused('shadow-script-button', 'app.apk')))} + ` +
          `'>Get the app</a></p>' +\n` +
          `'<p><button class="b" style="font-size:20px" id="claim">Claim my discount</button></p>' +\n` +
          `'<p><a href=' + ${jsString(JSON.stringify(refused('shadow-script-button', 'unsubscribe')))} + '>Unsubscribe</a></p>';\n` +
          `root.getElementById('claim').addEventListener('click', function () { location.href = ${jsString(explorePageTarget('shadow-script-button'))}; });` +
          `</script>`,
      ),
  },
  // An image map whose biggest region names an installer and a smaller one the offer: the region
  // to the installer is refused, the offer's clicked.
  'image-map-download': {
    lang: 'en',
    about: 'an image map: its big <area> to an .exe refused, the small one to the offer clicked',
    cta: 'Continue to the sale',
    reasons: [{ text: 'Download the catalogue', match: /, download link \(\.exe\)$/ }],
    html: () =>
      doc(
        'en',
        'Sale',
        `<main class="hero"><h1>Sale</h1><img usemap="#m" alt="" width="600" height="200" ` +
          `src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='600' height='200'%3E` +
          `%3Crect width='600' height='200' fill='%23e4002b'/%3E%3C/svg%3E">` +
          `<map name="m"><area shape="rect" coords="0,0,600,150" href="${escapeHtml(refused('image-map-download', 'Catalogue_Setup.exe'))}" ` +
          `alt="Download the catalogue"><area shape="rect" coords="0,150,600,200" ` +
          `href="${escapeHtml(explorePageTarget('image-map-download'))}" alt="Continue to the sale"></map></main>`,
      ),
  },
  // A page whose only button opens a modal with the offer in it: the button shows the modal (no new
  // document), then the modal's link is followed.
  'modal-opener': {
    lang: 'en',
    about: 'the only button opens a modal whose link is the offer: the button, then the link in the modal',
    cta: 'Claim the offer',
    ledNowhere: ['See my offer'],
    html: () =>
      doc(
        'en',
        'You have a gift',
        `<main class="hero"><h1>A gift is waiting for you</h1><p><button class="btn-primary" id="open">See my offer</button></p></main>` +
          `<div id="modal" role="dialog" aria-modal="true" style="display:none;position:fixed;inset:0;background:rgba(0,0,0,.6)">` +
          `<div style="background:#fff;max-width:420px;margin:80px auto;padding:24px"><p>Your gift: a free month.</p>` +
          `${a(explorePageTarget('modal-opener'), 'Claim the offer', ' class="btn-primary"')}</div></div>` +
          `<script>document.getElementById('open').addEventListener('click', function () { ` +
          `document.getElementById('modal').style.display = 'block'; });</script>`,
      ),
  },
  // ---- Explore hunt 9. ----
  // A "Next" that waits on one question ("How did you hear of us?") on a page with other lists left
  // on their placeholder: a region filter of the offers list above it, whose change loads another
  // page, a language switcher (a styled list of languages) in the header, and a currency list beside
  // the question, and a privacy choice of radio buttons in the footer. Only the question of the step
  // the "Next" belongs to is answered; no switcher, no list of another part of the page.
  'question-scope': {
    lang: 'en',
    about:
      'a "Next" that waits on a list: only its step\'s question is picked, not a filter above it, a language or currency switcher, nor a footer choice',
    cta: 'See my offer',
    ledNowhere: ['Next', 'Next'],
    answered: ['A friend'],
    html: () =>
      doc(
        'en',
        'Almost there',
        `<header class="top" role="banner"><strong>Brand</strong><div class="select" role="combobox" aria-haspopup="listbox" ` +
          `style="padding:6px;border:1px solid #999;cursor:pointer"><span>🌐</span><div class="options" style="display:none">` +
          `<div role="option" data-href="${escapeHtml(refused('question-scope', 'de'))}">Deutsch</div>` +
          `<div role="option" data-href="${escapeHtml(refused('question-scope', 'fr'))}">Français</div></div></div></header>` +
          `<main class="hero"><section><h2>Offers near you</h2><select id="region"><option value="">Any region</option>` +
          `<option value="north">North</option><option value="south">South</option></select></section>` +
          `<section id="step"><h1>One last question</h1><p>How did you hear of us?</p>` +
          `<select id="heard"><option value="">Choose…</option><option>A friend</option><option>An advert</option></select> ` +
          `<select name="currency"><option value="">Currency</option><option>EUR</option><option>USD</option><option>GBP</option></select>` +
          `<p><button class="btn-primary" id="next">Next</button></p><p id="error"></p></section>` +
          `<p id="done" style="display:none">${a(explorePageTarget('question-scope'), 'See my offer', ' class="btn-primary"')}</p></main>` +
          `<footer class="site-footer"><form><p>Personalised adverts: <label><input type="radio" name="ads" value="on"> On</label> ` +
          `<label><input type="radio" name="ads" value="off"> Off</label></p></form>${a(refused('question-scope', 'unsubscribe'), 'Unsubscribe')}</footer>` +
          `<script>var box = document.querySelector('.select');\n` +
          `box.addEventListener('click', function (e) { var o = e.target.closest('[role=option]'); ` +
          `if (o) location = o.dataset.href; else box.querySelector('.options').style.display = 'block'; });\n` +
          `document.getElementById('region').addEventListener('change', function () { ` +
          `location = ${jsString(refused('question-scope', 'region'))} + '?r=' + this.value; });\n` +
          `document.querySelector('[name=currency]').addEventListener('change', function () { ` +
          `location = ${jsString(refused('question-scope', 'currency'))}; });\n` +
          `document.querySelectorAll('[name=ads]').forEach(function (r) { r.addEventListener('change', function () { ` +
          `new Image().src = ${jsString(refused('question-scope', 'ads'))}; }); });\n` +
          `document.getElementById('next').addEventListener('click', function () { ` +
          `if (!document.getElementById('heard').value) { document.getElementById('error').textContent = 'Please answer the question'; return; } ` +
          `document.getElementById('step').style.display = 'none'; document.getElementById('done').style.display = 'block'; });</script>`,
      ),
  },
  // A "Next" that waits on questions asking for personal data, known only by the words a person
  // reads (their names say nothing): a label "Your country of birth", an aria-label "Kartentyp", a
  // placeholder "Geburtsjahr", a styled list "Select your bank", radio buttons under "Card type".
  // They are the person's to answer: none is picked, and "Next" is a script button beside fields to
  // fill (refused); the page's other way on is taken.
  'question-personal': {
    lang: 'en',
    about:
      'a "Next" beside lists asking personal data by their words only (birth country, Kartentyp, Geburtsjahr, bank, card type): refused, none picked',
    cta: 'Skip this step',
    answered: [],
    reasons: [{ text: 'Next', match: /, a script button on fields that need typing$/ }],
    html: () =>
      doc(
        'en',
        'Verify your details',
        `<main class="hero"><h1>Verify your details to receive your reward</h1><div id="step">` +
          `<p><label for="q1">Your country of birth</label> <select id="q1" name="q1"><option value="">Choose…</option>` +
          `<option>Germany</option><option>France</option></select></p>` +
          `<p><select name="q2" aria-label="Kartentyp"><option value="" disabled selected>—</option>` +
          `<option>Visa</option><option>Mastercard</option></select></p>` +
          `<p><select name="q3"><option value="">Geburtsjahr</option><option>1990</option><option>1991</option></select></p>` +
          `<p><button type="button" class="toggle" aria-haspopup="listbox" aria-controls="banks">Select your bank</button></p>` +
          `<ul id="banks" role="listbox" hidden><li role="option">Sparkasse</li><li role="option">Deutsche Bank</li></ul>` +
          `<fieldset><legend>Card type</legend><label><input type="radio" name="q5"> Debit</label> ` +
          `<label><input type="radio" name="q5"> Credit</label></fieldset>` +
          `<p><button class="btn-primary" id="next">Next</button></p><p id="error"></p></div>` +
          `<p id="done" style="display:none">${a(refused('question-personal', 'details'), 'Claim your reward', ' class="btn-primary"')}</p>` +
          `<p>${a(explorePageTarget('question-personal'), 'Skip this step', ' class="btn-ghost"')}</p>` +
          `<p>${a(refused('question-personal', 'unsubscribe'), 'Unsubscribe')}</p></main>` +
          `<script>var toggle = document.querySelector('.toggle'), list = document.getElementById('banks');\n` +
          `toggle.addEventListener('click', function () { list.hidden = !list.hidden; });\n` +
          `list.querySelectorAll('[role=option]').forEach(function (o) { o.addEventListener('click', function () { ` +
          `o.setAttribute('aria-selected', 'true'); toggle.textContent = o.textContent; list.hidden = true; }); });\n` +
          `document.getElementById('next').addEventListener('click', function () { ` +
          `var answered = ['q1', 'q2', 'q3'].every(function (n) { return document.querySelector('[name=' + n + ']').selectedIndex > 0; }) && ` +
          `document.querySelector('[aria-selected=true]') && document.querySelector('[name=q5]:checked'); ` +
          `if (!answered) { document.getElementById('error').textContent = 'Please answer every question'; return; } ` +
          `document.getElementById('step').style.display = 'none'; document.getElementById('done').style.display = 'block'; });</script>`,
      ),
  },
  // A lander that is only a full-page iframe of the affiliate's offer page (another site): a quiz
  // whose "Next" waits on a question of radio buttons and a list. They are answered inside the
  // frame (its first choices, with trusted input at their place in the page), then "Next" again,
  // then the link it shows, which sends the top page on.
  'iframe-quiz-cross': {
    lang: 'en',
    about:
      'a full-page cross-site iframe whose "Next" waits on radio buttons and a list: answered in the frame, "Next" again, its link followed',
    cta: 'See my offer',
    frame: frameUrl(FRAME_SITE, 'iframe-quiz-cross', 'quiz'),
    ledNowhere: ['Next', 'Next'],
    answered: ['18-34', 'A friend'],
    html: () => {
      const quiz = frameDoc(FRAME_SITE, 'iframe-quiz-cross', 'quiz', () =>
        inner(
          `<main class="hero"><h1>Check if you qualify</h1><div id="step"><p>What is your age?</p>` +
            ['18-34', '35-54']
              .map((age) => `<label style="display:block;padding:8px"><input type="radio" name="age"> ${age}</label>`)
              .join('') +
            `<p>How did you hear of us?</p><select id="heard"><option value="">Choose…</option><option>A friend</option><option>An advert</option></select>` +
            `<p><button class="btn-primary" id="next">Next</button></p><p id="error"></p></div>` +
            `<p id="done" style="display:none">${a(explorePageTarget('iframe-quiz-cross'), 'See my offer', ' class="btn-primary" target="_top"')}</p>` +
            `<p>${a(refused('iframe-quiz-cross', 'unsubscribe'), 'Unsubscribe', ' target="_top"')}</p></main>` +
            `<script>document.getElementById('next').addEventListener('click', function () { ` +
            `if (!document.querySelector('input[name=age]:checked') || !document.getElementById('heard').value) { ` +
            `document.getElementById('error').textContent = 'Please answer both questions'; return; } ` +
            `document.getElementById('step').style.display = 'none'; document.getElementById('done').style.display = 'block'; });</script>`,
          'Check if you qualify',
        ),
      );
      return (
        `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Offer</title>` +
        `<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%}</style></head>` +
        `<body><iframe src="${escapeHtml(quiz)}"></iframe></body></html>\n`
      );
    },
  },
  // An offer in a same-origin iframe of an article: a GET form whose "Continue" waits only on a
  // plan left on "Choose…" (the page's own "Sort by" list of comments above is no question of it).
  // The plan is picked in the frame, the form sent there: the chain goes on in the frame.
  'iframe-form-same': {
    lang: 'en',
    about:
      'a same-origin iframe\'s GET form whose "Continue" waits on a list: picked in the frame (not the page\'s "Sort by"), the form sent in the frame',
    cta: 'Continue',
    frame: frameUrl(FRAME_SAME_ORIGIN, 'iframe-form-same', 'form'),
    final: `${explorePageTarget('iframe-form-same')}?plan=monthly`,
    answered: ['monthly'],
    html: () => {
      const form = frameDoc(FRAME_SAME_ORIGIN, 'iframe-form-same', 'form', () =>
        inner(
          `<div style="padding:16px"><h2>Try it free</h2><form method="get" action="${escapeHtml(explorePageTarget('iframe-form-same'))}">` +
            `<label>Your plan <select name="plan" required><option value="">Choose…</option><option>monthly</option><option>yearly</option></select></label> ` +
            `<button class="btn-primary">Continue</button></form></div>`,
        ),
      );
      return doc(
        'en',
        'Review',
        `<main class="hero"><h1>Our review</h1><p>Comments <select id="sort"><option value="">Sort by</option><option>Newest</option>` +
          `<option>Oldest</option></select></p><iframe src="${escapeHtml(form)}" title="offer" style="width:640px;height:200px;border:0"></iframe>` +
          `<p>${a(refused('iframe-form-same', 'unsubscribe'), 'Unsubscribe')}</p></main>` +
          `<script>document.getElementById('sort').addEventListener('change', function () { ` +
          `location = ${jsString(refused('iframe-form-same', 'sort'))}; });</script>`,
      );
    },
  },
  // ---- Probes of hunt 9 that held, kept as regression tests: a sticky bottom "Continue" on a
  // profile, wording in Russian and Chinese beside the site's own coloured login buttons, a tracker
  // link beside a bigger same-page anchor, an Arabic age gate, a <canvas> banner link. ----
  // An insurer's offer whose address starts a path segment with a legal word ("/legal-protection-…"):
  // it is no privacy or terms page (those are the footer's "Privacy policy" and "Terms of use").
  'legal-word-offer': {
    lang: 'en',
    about: "the offer's address is /landing/legal-protection-insurance: followed, not taken for a terms page by its path",
    cta: 'Get a quote',
    final: landingUrl('legal-protection-insurance'),
    html: () =>
      doc(
        'en',
        'Legal protection',
        frame(
          'legal-word-offer',
          'en',
          `<h1>Legal protection from 9 € a month</h1><p>${a(landingUrl('legal-protection-insurance'), 'Get a quote', ' class="btn-primary"')}</p>`,
          { ...EN, legal: ['Privacy policy', 'Terms of use'] },
        ),
      ),
  },
  // A survey step whose "Continue" stays disabled until an answer is chosen (answer cards: labels
  // around radio buttons a person does not see). A person picks one; the button is then enabled.
  'disabled-until-answered': {
    lang: 'en',
    about: 'a "Continue" disabled until one of its radio answers is chosen: the first answer picked (no typing), then "Continue" clicked',
    cta: 'Continue',
    answered: ['Less than 100 €'],
    reasons: [{ text: 'Continue', match: /\+0 disabled until a question of its step is answered: its first choice is picked/ }],
    html: () =>
      doc(
        'en',
        'Your energy bill',
        `<main class="hero"><h1>Compare and save</h1><form id="step"><p>How much is your monthly energy bill?</p>` +
          ['Less than 100 €', '100 € to 200 €', 'More than 200 €']
            .map(
              (answer) =>
                `<label style="display:block;padding:12px;margin:6px 0;border:1px solid #999;border-radius:6px;cursor:pointer">` +
                `<input type="radio" name="bill" style="opacity:0;position:absolute"> ${answer}</label>`,
            )
            .join('') +
          `<p><button type="button" class="btn-primary" id="go" disabled>Continue</button></p></form>` +
          `<p>${a(refused('disabled-until-answered', 'unsubscribe'), 'Unsubscribe')}</p></main>` +
          `<script>document.querySelectorAll('[name=bill]').forEach(function (r) { r.addEventListener('change', function () { ` +
          `document.getElementById('go').disabled = false; }); });\n` +
          `document.getElementById('go').addEventListener('click', function () { location = ${jsString(explorePageTarget('disabled-until-answered'))}; });` +
          `</script>`,
      ),
  },
  // A long form: its list left on "Choose…" at the top, its "Get my quote" a screen and more below.
  // Picking the option scrolls the list into view; the button is found again where it then is.
  'select-far-above': {
    lang: 'en',
    about:
      'a GET form whose list on "Choose…" is far above its submit: picked (the page scrolls to it), then the submit found again and clicked',
    cta: 'Get my quote',
    final: `${explorePageTarget('select-far-above')}?cover=basic`,
    answered: ['basic'],
    html: () =>
      doc(
        'en',
        'Your quote',
        `<main class="hero"><h1>Your quote in one step</h1><form method="get" action="${escapeHtml(explorePageTarget('select-far-above'))}">` +
          `<label>Cover <select name="cover" required><option value="">Choose…</option><option>basic</option><option>full</option></select></label>` +
          `${filler(60)}<p><button class="btn-primary">Get my quote</button></p></form>` +
          `<p>${a(refused('select-far-above', 'unsubscribe'), 'Unsubscribe')}</p></main>`,
      ),
  },
  // A cross-site iframe's GET form whose "Get started" waits only on a list left on "Choose…", and
  // a quiz whose answers speak of credit: the list is picked in the frame before the form is sent
  // (the page has not been clicked yet), and an answer's words are no question of personal data.
  'iframe-form-cross': {
    lang: 'en',
    about:
      "a cross-site iframe's GET form waiting on a list and a radio question whose answers name credit cards: both picked in the frame, the form sent",
    cta: 'Get started',
    frame: frameUrl(FRAME_SITE, 'iframe-form-cross', 'form'),
    final: `${explorePageTarget('iframe-form-cross')}?debt=yes&amount=under-5000`,
    answered: ['Yes, credit card debt', 'under-5000'],
    html: () => {
      const form = frameDoc(FRAME_SITE, 'iframe-form-cross', 'form', () =>
        inner(
          `<div style="padding:16px"><h2>Get out of debt</h2><form method="get" action="${escapeHtml(explorePageTarget('iframe-form-cross'))}">` +
            `<p>Do you have debt?</p><label><input type="radio" name="debt" value="yes" required> Yes, credit card debt</label> ` +
            `<label><input type="radio" name="debt" value="no"> No</label>` +
            `<p><label>How much? <select name="amount" required><option value="">Choose…</option><option>under-5000</option>` +
            `<option>over-5000</option></select></label></p><button class="btn-primary">Get started</button></form></div>`,
        ),
      );
      return doc(
        'en',
        'Debt relief',
        `<main class="hero"><h1>Debt relief programs</h1><iframe src="${escapeHtml(form)}" title="offer" style="width:640px;height:320px;border:0"></iframe>` +
          `<p>${a(refused('iframe-form-cross', 'unsubscribe'), 'Unsubscribe')}</p></main>`,
      );
    },
  },
  'agree-box-disabled': {
    lang: 'en',
    about: 'a "Continue" disabled until an "I agree to the terms" box is ticked: refused at once (explore ticks nothing), not waited for',
    cta: null,
    reasons: [
      { text: 'Continue', match: /, disabled until a box is ticked \("I agree to the terms and conditions"\): explore ticks nothing$/ },
    ],
    html: () =>
      doc(
        'en',
        'Confirm',
        `<main class="hero"><h1>Claim your prize</h1><form method="get" action="${escapeHtml(refused('agree-box-disabled', 'claim'))}">` +
          `<label><input type="checkbox" id="agree"> I agree to the terms and conditions</label>` +
          `<p><button class="btn-primary" id="go" disabled>Continue</button></p></form>` +
          `<p>${a(refused('agree-box-disabled', 'unsubscribe'), 'Unsubscribe')}</p></main>` +
          `<script>document.getElementById('agree').addEventListener('change', function () { ` +
          `document.getElementById('go').disabled = !this.checked; });</script>`,
      ),
  },
  // A prize form whose "I agree to the terms" box comes ticked: its "Continue" is the offer's, not a
  // cookie notice's answer, though the words around it speak of terms.
  'agree-box-ticked': {
    lang: 'en',
    about: 'a GET form with an "I agree to the terms" box ticked already and a "Continue": followed (not taken for a consent answer)',
    cta: 'Continue',
    final: `${explorePageTarget('agree-box-ticked')}?agree=on`,
    html: () =>
      doc(
        'en',
        'Confirm',
        `<main class="hero"><h1>Claim your prize</h1><form method="get" action="${escapeHtml(explorePageTarget('agree-box-ticked'))}">` +
          `<label><input type="checkbox" name="agree" checked> I agree to the terms and conditions</label>` +
          `<p><button class="btn-primary">Continue</button></p></form>` +
          `<p>${a(refused('agree-box-ticked', 'unsubscribe'), 'Unsubscribe')}</p></main>`,
      ),
  },
  'sticky-continue-bar': {
    lang: 'en',
    about: 'a profile page whose only call-to-action is a sticky bottom "Continue" bar; a "Log in" button in the header',
    cta: 'Continue',
    html: () =>
      doc(
        'en',
        'Anna, 27',
        `<header class="top"><strong>Dating</strong>` +
          `${a(refused('sticky-continue-bar', 'login'), 'Log in', ' class="btn-primary" style="font-size:15px;padding:8px 16px"')}</header>` +
          `<main class="hero"><h1>Anna, 27</h1><p>Lives 3 km from you. Online now.</p>${filler(30)}</main>` +
          `<div style="position:fixed;left:0;right:0;bottom:0;padding:12px;background:#fff;box-shadow:0 -2px 8px #0003">` +
          `${a(explorePageTarget('sticky-continue-bar'), 'Continue', ' class="btn-primary" style="display:block;text-align:center"')}</div>`,
      ),
  },
  'ru-more-vs-login': {
    lang: 'ru',
    about: '"Подробнее" to the advertiser vs a coloured "Войти" to the same site',
    cta: 'Подробнее',
    html: () =>
      doc(
        'ru',
        'Акция',
        `<header class="top"><strong>Бренд</strong><a class="btn-primary" href="${escapeHtml(refused('ru-more-vs-login', 'login'))}">Войти</a></header>` +
          `<main class="hero"><h1>Скидка 50% только сегодня</h1><p>${a(explorePageTarget('ru-more-vs-login'), 'Подробнее', ' class="btn-primary"')}</p>` +
          `<p>${a(refused('ru-more-vs-login', 'unsubscribe'), 'Отписаться от рассылки')}</p></main>`,
      ),
  },
  'zh-claim-vs-login': {
    lang: 'zh',
    about: '"立即领取" (zh) to the advertiser vs the site\'s own coloured "登录" and "会员中心" in the header',
    cta: '立即领取',
    html: () =>
      doc(
        'zh',
        '优惠',
        `<header class="top"><strong>品牌</strong><nav><a class="btn-primary" href="${escapeHtml(refused('zh-claim-vs-login', 'login'))}">登录</a> ` +
          `<a class="btn-primary" href="${escapeHtml(refused('zh-claim-vs-login', 'member'))}">会员中心</a></nav></header>` +
          `<main class="hero"><h1>新用户专享</h1><p>${a(explorePageTarget('zh-claim-vs-login'), '立即领取', ' class="btn-primary"')}</p></main>`,
      ),
  },
  'tracker-vs-anchor': {
    lang: 'en',
    about: 'a big "Learn more" that scrolls to #details vs a smaller "Get started" to a tracker on another host',
    cta: 'Get started',
    final: landingUrl('tracker-vs-anchor'),
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Save on energy</h1><p>${a('#details', 'Learn more', ' class="btn-primary" style="font-size:26px;padding:20px 48px"')}</p>` +
          `<p>${a(exploreTrackerUrl('tracker-vs-anchor'), 'Get started', ' class="btn-ghost"')}</p>` +
          `${filler(20)}<h2 id="details">Details</h2>${filler(10)}</main>`,
      ),
  },
  'ar-age-gate': {
    lang: 'ar',
    about: 'an Arabic age gate, "نعم" (yes) to the offer and "لا" (no) out',
    cta: 'نعم',
    html: () =>
      doc(
        'ar',
        'تحقق',
        `<main class="hero" dir="rtl"><h1>هل عمرك 18 عامًا أو أكثر؟</h1>` +
          `<p>${a(refused('ar-age-gate', 'no'), 'لا', ' class="btn-primary"')} ` +
          `${a(explorePageTarget('ar-age-gate'), 'نعم', ' class="btn-primary"')}</p></main>`,
      ),
  },
  'canvas-banner': {
    lang: 'en',
    about: 'the offer is a link around a 600×200 <canvas> the script draws, no words; the header has links',
    cta: '',
    html: () =>
      doc(
        'en',
        'Sale',
        frame(
          'canvas-banner',
          'en',
          `<h1>Weekend sale</h1><p><a href="${escapeHtml(explorePageTarget('canvas-banner'))}"><canvas width="600" height="200"></canvas></a></p>` +
            `<script>var c = document.querySelector('canvas').getContext('2d'); c.fillStyle = '#e4002b'; c.fillRect(0, 0, 600, 200); ` +
            `c.fillStyle = '#fff'; c.font = '40px sans-serif'; c.fillText('SHOP THE SALE', 150, 115);</script>`,
          EN,
        ),
      ),
  },
  'hostile-text': {
    lang: 'en',
    about: 'control characters, RTL override and 5,000 characters in the chosen control',
    cta: null, // checked by its own test: the text is cleaned and bounded
    html: () =>
      doc(
        'en',
        'Offer',
        `<main class="hero"><h1>Offer</h1><p>${a(explorePageTarget('hostile-text'), 'Shop now', ' id="cta" class="btn-primary"')}</p>` +
          `<p><button id="big" type="button">decoy</button></p></main>` +
          `<script>const big = document.getElementById('big');\n` +
          `big.setAttribute('type', 'x'.repeat(100000)); big.setAttribute('role', 'y'.repeat(100000));</script>` +
          `<script>document.getElementById('cta').textContent = 'Shop now \\u001b[2J\\u001b]0;owned\\u0007 \\u202egnp.exe' + 'x'.repeat(5000);</script>`,
      ),
  },
};

export const EXPLORE_PAGES: Record<string, ExplorePage> = Object.fromEntries(
  Object.entries(SPECS).map(([name, spec]) => [name, { ...spec, url: `${PROMO}/explore/pages/${name}` }]),
);

/** Targets of the pages' controls other than their call-to-action: each must stay unrequested. */
export const EXPLORE_PAGES_REFUSED_PREFIXES = [`${ELSEWHERE}/explore/pages/refused/`, `${PROMO}/explore/pages/refused/`];

const nothingHere = (x: LabExchange) => x.html(200, '<!DOCTYPE html><title>Nothing</title><p>Nothing here.</p>');

export function explorePageScenarios(): ScenarioDefinition[] {
  const routes: Route[] = [
    ...Object.entries(EXPLORE_PAGES).map(([name, p]): Route => ({
      host: HOSTS.brokerPromo,
      path: `/explore/pages/${name}`,
      handle: (x) => x.html(200, p.html()),
    })),
    { host: HOSTS.brokerTrack, path: '/explore/pages/refused/*', handle: nothingHere, methods: ['GET', 'POST'] },
    ...[HOSTS.relayHub, HOSTS.brokerTrack, HOSTS.brokerPromo].map((host): Route => ({
      host,
      path: '/explore/frames/*',
      handle: (x) => (FRAME_DOCS[x.url.pathname] ?? nothingHere)(x),
    })),
    { host: HOSTS.brokerPromo, path: '/explore/pages/refused/*', handle: nothingHere, methods: ['GET', 'POST'] },
  ];
  const first = EXPLORE_PAGES['consent-bar'];
  return [
    defineScenario(
      {
        name: 'explore-pages',
        url: first.url,
        description: `Landing pages written like real ones for --explore (/explore/pages/<name>): ${Object.keys(EXPLORE_PAGES).join(', ')}.`,
        expectedVias: ['start'],
        finalUrl: first.url,
        finalTitle: null,
      },
      routes,
    ),
  ];
}
