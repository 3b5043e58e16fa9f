// Landing pages for `--explore`: a page has to be read the way a person reads it. One obvious
// call-to-action among navigation and footer links; a styled <button> that opens a tracker link
// from script; calls-to-action in seven more languages; and pages whose only prominent controls
// explore must refuse: an unsubscribe button, downloads, mailto:/tel:/sms:/javascript: links, a
// same-page anchor, a form that needs typing, and hidden decoys with tempting wording. The lab
// logs every request, so a test can prove a refused target was never requested.
import { HOSTS } from '../hosts.js';
import { escapeHtml, jsString, page } from '../pages.js';
import type { LabExchange, Route } from '../exchange.js';
import { defineScenario, landingUrl, type ScenarioDefinition } from './common.js';

const PROMO = `http://${HOSTS.brokerPromo}`;
const TRACKER = `http://${HOSTS.espClick}`;

/** A SendGrid-style click-tracking link (rules/parties.json knows `/ls/click?upn=`) that 302s to the advertiser. */
export function exploreTrackerUrl(name: string): string {
  return `${TRACKER}/ls/click?upn=${encodeURIComponent(name)}`;
}

export const EXPLORE_URLS = {
  obvious: `${PROMO}/explore/obvious`,
  button: `${PROMO}/explore/button`,
  unsubscribe: `${PROMO}/explore/unsubscribe`,
  download: `${PROMO}/explore/download`,
  mailto: `${PROMO}/explore/mailto`,
  anchor: `${PROMO}/explore/anchor`,
  decoy: `${PROMO}/explore/decoy`,
  form: `${PROMO}/explore/form`,
} as const;

/** Where the refused controls of the refusal pages point (each must stay unrequested). */
export const EXPLORE_REFUSED_TARGETS = {
  unsubscribe: [`${PROMO}/explore/unsubscribe/confirm?list=promo-weekly`, `${PROMO}/explore/preferences`],
  download: [`${PROMO}/explore/files/voucher.pdf`, `${PROMO}/explore/files/promo-app`],
  decoy: ['display', 'offscreen', 'zero', 'clipped', 'opacity', 'visibility'].map(
    (kind) => `http://${HOSTS.brokerTrack}/explore/decoy/${kind}`,
  ),
  form: [`${PROMO}/explore/form/submit`],
};

/** Multilingual landing pages: the call-to-action's text in each language and where it leads. */
export const EXPLORE_LANGUAGES: Record<string, { url: string; cta: string; other: string; nav: string[]; footer: string[] }> = {
  de: {
    url: `${PROMO}/explore/lang/de`,
    cta: 'Jetzt kaufen',
    other: 'Unsere Geschichte',
    nav: ['Startseite', 'Über uns', 'Kontakt'],
    footer: ['Datenschutz', 'Impressum', 'Abmelden'],
  },
  fr: {
    url: `${PROMO}/explore/lang/fr`,
    cta: 'En savoir plus',
    other: 'Notre histoire',
    nav: ['Accueil', 'À propos', 'Contact'],
    footer: ['Confidentialité', 'Mentions légales', 'Se désabonner'],
  },
  es: {
    url: `${PROMO}/explore/lang/es`,
    cta: 'Más información',
    other: 'Nuestra historia',
    nav: ['Inicio', 'Sobre nosotros', 'Contacto'],
    footer: ['Privacidad', 'Aviso legal', 'Darse de baja'],
  },
  it: {
    url: `${PROMO}/explore/lang/it`,
    cta: 'Scopri l’offerta',
    other: 'La nostra storia',
    nav: ['Home', 'Chi siamo', 'Contatti'],
    footer: ['Privacy', 'Note legali', 'Annulla iscrizione'],
  },
  nl: {
    url: `${PROMO}/explore/lang/nl`,
    cta: 'Bekijk de aanbieding',
    other: 'Ons verhaal',
    nav: ['Home', 'Over ons', 'Contact'],
    footer: ['Privacybeleid', 'Algemene voorwaarden', 'Afmelden'],
  },
  pt: {
    url: `${PROMO}/explore/lang/pt`,
    cta: 'Saiba mais',
    other: 'A nossa história',
    nav: ['Início', 'Quem somos', 'Contato'],
    footer: ['Privacidade', 'Termos de uso', 'Descadastrar'],
  },
  pl: {
    url: `${PROMO}/explore/lang/pl`,
    cta: 'Kup teraz',
    other: 'Nasza historia',
    nav: ['Strona główna', 'O nas', 'Kontakt'],
    footer: ['Polityka prywatności', 'Regulamin', 'Wypisz się'],
  },
};

const SITE_STYLE =
  '<style>header{display:flex;gap:1.5rem;align-items:center;padding:.8rem 1.5rem;border-bottom:1px solid #ddd}' +
  'header nav a{color:#333;text-decoration:none;font-size:.95rem}' +
  'footer{margin-top:3rem;padding:1rem 1.5rem;border-top:1px solid #ddd;font-size:.8rem;color:#666}' +
  'footer a{color:#666;margin-right:1rem}.cta{font-size:1.2rem;padding:.9rem 2rem}</style>\n';

function link(href: string, text: string, attributes = ''): string {
  return `<a href="${escapeHtml(href)}"${attributes}>${escapeHtml(text)}</a>`;
}

/** A promo site page: header navigation, main content, footer links. */
function site(options: {
  title: string;
  lang?: string;
  nav?: [string, string][];
  main: string;
  footer?: [string, string][];
  tail?: string;
}): string {
  const nav = (options.nav ?? []).map(([href, text]) => link(href, text)).join('\n');
  const footer = (options.footer ?? []).map(([href, text]) => link(href, text)).join('\n');
  return page({
    title: options.title,
    lang: options.lang ?? 'en',
    head: SITE_STYLE,
    body:
      `<header><strong>Promo Weekly</strong><nav>\n${nav}\n</nav></header>\n<main>\n${options.main}\n</main>\n` +
      `<footer>\n${footer}\n</footer>${options.tail ?? ''}`,
  });
}

const NAV: [string, string][] = [
  ['/', 'Home'],
  ['/explore/offers', 'Offers'],
  ['/explore/about', 'About us'],
  ['/explore/contact', 'Contact'],
];
const FOOTER: [string, string][] = [
  ['/explore/privacy', 'Privacy policy'],
  ['/explore/terms', 'Terms of use'],
  ['https://www.facebook.com/promo-weekly.example', 'Facebook'],
];

function obviousPage(): string {
  return site({
    title: 'Spring deals | Promo Weekly',
    nav: NAV,
    main:
      `<h1>This week's spring deals</h1>\n<p>Hand-picked offers from our partners, updated every Monday. ` +
      `Read ${link('/explore/reviews', 'what our readers say')} about last week's picks.</p>\n` +
      `<p>${link(exploreTrackerUrl('explore-obvious'), 'Shop now', ' class="button cta"')}</p>\n` +
      `<p>Offers are valid while stocks last.</p>`,
    footer: [...FOOTER, [`${PROMO}/explore/unsubscribe/confirm?list=promo-weekly`, 'Unsubscribe']],
    // A consent banner whose big button closes it: clicking it would lead nowhere.
    tail:
      `\n<div id="cookie-consent" style="position:fixed;bottom:0;left:0;right:0;background:#333;color:#fff;padding:1rem">` +
      `We use cookies. <button type="button" class="cta" onclick="this.parentNode.remove()">Accept</button></div>`,
  });
}

function buttonPage(): string {
  return site({
    title: 'Your discount | Promo Weekly',
    nav: NAV,
    main:
      `<h1>Your 20% discount is waiting</h1>\n<p>One click and the code is applied to your basket.</p>\n` +
      `<p><button id="cta" type="button" class="cta">Get your discount</button></p>\n` +
      `<p>${link('/explore/blog', 'Read our blog')}</p>`,
    footer: FOOTER,
    // The way on is in script only: no link a crawler could read off the page.
    tail: [
      '',
      '<script>',
      `var go = ${jsString(exploreTrackerUrl('explore-button'))};`,
      "document.getElementById('cta').addEventListener('click', function () { location.assign(go); });",
      '</script>',
    ].join('\n'),
  });
}

function languagePage(code: string): string {
  const l = EXPLORE_LANGUAGES[code];
  const plain = ' style="font-size:1.1rem"';
  return site({
    title: `Promo Weekly (${code})`,
    lang: code,
    nav: l.nav.map((text, i): [string, string] => [`/explore/lang/${code}/nav/${i}`, text]),
    // Two links alike in every way a person sees but their words: the wording decides.
    main:
      `<h1>Promo Weekly</h1>\n<p>${link(landingUrl(`explore-lang-${code}-story`), l.other, plain)}</p>\n` +
      `<p>${link(landingUrl(`explore-lang-${code}`), l.cta, plain)}</p>`,
    footer: l.footer.map((text, i): [string, string] => [`/explore/lang/${code}/footer/${i}`, text]),
  });
}

function unsubscribePage(): string {
  const [confirm, preferences] = EXPLORE_REFUSED_TARGETS.unsubscribe;
  return site({
    title: 'Your subscription | Promo Weekly',
    main:
      `<h1>You are subscribed to Promo Weekly</h1>\n<p>We send one e-mail a week with the best offers.</p>\n` +
      `<p>${link(confirm, 'Unsubscribe from all mailings', ' class="button cta" style="font-size:1.6rem;padding:1.5rem 3rem"')}</p>\n` +
      `<p>${link(preferences, 'Manage preferences', ' class="button"')}</p>`,
    footer: [['/explore/privacy', 'Privacy policy']],
  });
}

function downloadPage(): string {
  const [pdf, app] = EXPLORE_REFUSED_TARGETS.download;
  return site({
    title: 'Your voucher | Promo Weekly',
    main:
      `<h1>Your voucher is ready</h1>\n<p>${link(pdf, 'Download your voucher', ' class="button cta"')}</p>\n` +
      `<p>${link(app, 'Get the app', ' class="button" download')}</p>`,
  });
}

function mailtoPage(): string {
  return site({
    title: 'Talk to us | Promo Weekly',
    main:
      `<h1>Get your personal offer</h1>\n` +
      `<p>${link('mailto:offers@promo-weekly.example?subject=Offer', 'Email us now', ' class="button cta"')}</p>\n` +
      `<p>${link('tel:+15555550123', 'Call now', ' class="button"')} ${link('sms:+15555550123', 'Text us', ' class="button"')}</p>\n` +
      `<p>${link('javascript:void(0)', 'Claim your offer', ' class="button"')}</p>`,
  });
}

function anchorPage(): string {
  return site({
    title: 'How it works | Promo Weekly',
    main:
      `<h1>How it works</h1>\n<p>${link('#details', 'Learn more', ' class="button cta"')}</p>\n` +
      `<div style="height:1600px"></div>\n<section id="details"><h2>Details</h2><p>Everything you need to know.</p></section>`,
  });
}

function decoyPage(): string {
  const [display, offscreen, zero, clipped, opacity, visibility] = EXPLORE_REFUSED_TARGETS.decoy;
  const decoy = (href: string, style: string) => `<p>${link(href, 'Claim your prize now', ` class="button cta" style="${style}"`)}</p>`;
  return site({
    title: 'Almost there | Promo Weekly',
    main:
      `<h1>Almost there</h1>\n` +
      decoy(display, 'display:none') +
      decoy(offscreen, 'position:absolute;left:-9999px;top:0') +
      `<div style="width:0;height:0;overflow:hidden">${decoy(zero, '')}</div>` +
      `<div style="position:relative;height:1px;overflow:hidden">${decoy(clipped, 'position:absolute;top:10px')}</div>` +
      decoy(opacity, 'opacity:0') +
      decoy(visibility, 'visibility:hidden') +
      `\n<p>Your offer is one step away: ${link(landingUrl('explore-decoy'), 'continue to the offer')}.</p>`,
  });
}

function formPage(): string {
  const [submit] = EXPLORE_REFUSED_TARGETS.form;
  return site({
    title: 'Join Promo Weekly',
    main:
      `<h1>Join Promo Weekly</h1>\n<form method="post" action="${escapeHtml(submit)}">\n` +
      `<label>E-mail <input name="email" type="email"></label>\n<button type="submit" class="cta">Get started</button>\n</form>`,
    footer: [['/explore/privacy', 'Privacy policy']],
  });
}

function scenario(name: string, url: string, description: string, routes: Route[]): ScenarioDefinition {
  return defineScenario({ name, url, description, expectedVias: ['start'], finalUrl: url, finalTitle: null }, routes);
}

const served = (html: () => string) => (x: LabExchange) => x.html(200, html());
const nothingHere = (x: LabExchange) => x.html(200, page({ title: 'Promo Weekly', body: '<main><p>…</p></main>' }));

export function exploreScenarios(): ScenarioDefinition[] {
  const promo = (path: string, handle: Route['handle'], methods?: string[]): Route => ({
    host: HOSTS.brokerPromo,
    path,
    handle,
    ...(methods ? { methods } : {}),
  });
  const tracker: Route = {
    host: HOSTS.espClick,
    path: '/ls/click',
    handle: (x) => x.redirect(302, landingUrl(x.url.searchParams.get('upn') ?? 'explore')),
  };
  return [
    scenario(
      'explore-obvious',
      EXPLORE_URLS.obvious,
      'Promo page with one obvious call-to-action ("Shop now", a styled tracker link) among navigation, an in-text link and footer links.',
      [promo('/explore/obvious', served(obviousPage)), tracker],
    ),
    scenario(
      'explore-button',
      EXPLORE_URLS.button,
      'Promo page whose call-to-action is a styled <button> that opens a tracker link from script (location.assign).',
      [promo('/explore/button', served(buttonPage))],
    ),
    scenario(
      'explore-multilingual',
      EXPLORE_LANGUAGES.de.url,
      'Promo pages in de, fr, es, it, nl, pt and pl (/explore/lang/<code>): two links alike but for their words, one a call-to-action.',
      Object.keys(EXPLORE_LANGUAGES).map((code) =>
        promo(
          `/explore/lang/${code}`,
          served(() => languagePage(code)),
        ),
      ),
    ),
    scenario(
      'explore-unsubscribe',
      EXPLORE_URLS.unsubscribe,
      'Subscription page whose biggest control is an unsubscribe button, next to "Manage preferences" and a privacy link: nothing to explore.',
      [promo('/explore/unsubscribe', served(unsubscribePage))],
    ),
    scenario(
      'explore-download',
      EXPLORE_URLS.download,
      'Voucher page whose only controls are downloads (a .pdf link, a link with the download attribute): nothing to explore.',
      [promo('/explore/download', served(downloadPage))],
    ),
    scenario(
      'explore-mailto',
      EXPLORE_URLS.mailto,
      'Contact page whose only controls are mailto:, tel:, sms: and javascript: links: nothing to explore.',
      [promo('/explore/mailto', served(mailtoPage))],
    ),
    scenario(
      'explore-anchor',
      EXPLORE_URLS.anchor,
      'Page whose "Learn more" button is a same-page anchor (#details): nothing to explore.',
      [promo('/explore/anchor', served(anchorPage))],
    ),
    scenario(
      'explore-decoy',
      EXPLORE_URLS.decoy,
      'Page with hidden "Claim your prize now" decoys (display:none, off-screen, zero-size, clipped, transparent) and one visible plain link.',
      [promo('/explore/decoy', served(decoyPage)), { host: HOSTS.brokerTrack, path: '/explore/decoy/*', handle: nothingHere }],
    ),
    scenario(
      'explore-form',
      EXPLORE_URLS.form,
      'Sign-up page whose only call-to-action submits a form that needs an e-mail address typed in: never submitted.',
      [promo('/explore/form', served(formPage)), promo('/explore/form/submit', nothingHere, ['POST'])],
    ),
  ];
}
