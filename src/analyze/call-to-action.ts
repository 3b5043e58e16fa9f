// Which link or button of a landing page is its call-to-action: the control a person would click,
// judged from what they see (size, place above the fold, button styling, wording in several
// languages) and where it leads (another site, a known tracker). Some controls are never followed
// whatever their score: hidden ones, unsubscribe / preference / abuse-report / privacy / cookie-banner controls,
// mailto:, tel:, sms: and javascript: links, downloads, same-page anchors, submits of forms
// that need typing, script buttons on fields to fill and buttons that only close a dialog. Pure:
// the controls come from src/capture/explore.ts, the words from rules/call-to-action.json,
// trackers from rules/parties.json and the unwrap rules.
import type { PageControl } from '../model.js';
import { readRulesJson } from './parties-rules.js';
import { registrableDomainOf } from './parties-match.js';
import { hostOf } from '../http/host.js';
import { unwrap } from './unwrap/unwrap.js';
import { downloadNamed, type DownloadTypes } from './download-target.js';
import { withoutFragment } from '../http/url-key.js';
import { foldLookalikeLetters } from './lookalike-letters.js';

/** What a control scored: the total, each part of it ("+30 wording …"), and why it is never followed. */
export interface ControlScore {
  score: number;
  reasons: string[];
  refused: string | null;
}

export interface ScoredControl extends PageControl, ControlScore {}

export interface ScoringPage {
  /** The page's URL (tells same-page anchors and other sites apart). */
  url: string;
  /** Viewport in CSS pixels: its height is the fold. */
  viewport: { width: number; height: number };
}

/** Below this a control is not a call-to-action: a plain in-text link or a bare navigation item. */
export const MIN_SCORE = 30;

const WORDING = { exact: 35, within: 20 };
const BUTTON = { element: 10, background: 12, padding: 5, radius: 3 };
const ABOVE_FOLD = 10;
const MAX_BELOW_FOLD_PENALTY = 20;
const MAX_SIZE = 12;
const LARGE_TEXT = 4;
/** Text under 11 CSS pixels: the fine print of a page (terms, a footer's links), not what it asks a person to click. */
const SMALL_PRINT = { below: 11, points: -15 };
const OTHER_SITE = 10;
const TRACKER = 10;
const NAVIGATION = -15;
/** "No", "No thanks": an answer that turns the offer down (an age gate's "No" beside its "Yes"). */
const DECLINE = -25;
/** A menu toggle, carousel arrow or tab: it changes this page, it does not lead on. */
const WIDGET = -25;
/** In a strip fixed to the window's edge ("Get 10% off: sign up"): it stays over the content, beside the page's own offer. */
const STICKY_BAR = -15;
const LANDMARK: Record<string, number> = { nav: -15, footer: -15, header: -5, aside: -5 };
const SOCIAL = -25;
/** A control in a display ad's frame: an advertiser's, not the page's own offer (it must lose to the page's own plainer link). */
const AD_FRAME = -40;
/** Out of view in a box or frame a person must scroll: less prominent, not invisible. */
const OUT_OF_VIEW = -15;
/** The one link on the page a person could follow, and it leads to another site (a tracker's "click here"). */
const ONLY_LINK = 15;
/** "Register", "Log in" in the page's header or navigation: the site's account, not the offer. */
const ACCOUNT_IN_HEADER = -30;
/** "Continue with Facebook": signing in with another site's account. */
const SOCIAL_SIGN_IN = -45;
/** A picture link the size of a banner: a hero image stands out as a button's look does (background, padding, corners, a <button>). */
const BANNER = 30;
/**
 * A picture link with no words the size of a button (at least 120×32, smaller than a banner): an
 * e-mail builder's "Shop now" image with no alt text, a link drawn by its CSS background picture.
 * Its picture is its look, as a coloured background is a button's.
 */
const PICTURE_BUTTON = { points: 12, width: 120, height: 32 };
const NO_TEXT = -10;
const SYMBOLS_ONLY = -20;
const SILENT = -15;
const LONG_TEXT = -10;

interface Phrase {
  lang: string;
  text: string;
}

/** Phrases in several languages, matched as whole words by one regular expression. */
interface PhraseList {
  pattern: RegExp;
  langOf: Map<string, string>;
}

interface RefuseRule {
  label: string;
  phrases: PhraseList;
  urlPatterns: RegExp[];
}

interface CtaRules {
  callToAction: PhraseList;
  refuse: { unsubscribe: RefuseRule; report: RefuseRule; privacy: RefuseRule; cookies: RefuseRule };
  consentNotice: {
    answers: Set<string>;
    context: PhraseList;
    dismiss: Set<string>;
    rejectStarts: PhraseList;
    necessaryOnly: { necessary: PhraseList; only: PhraseList };
  };
  /** Link texts that only point ("here", "click here"): their sentence says what they do. */
  pointing: Set<string>;
  /** Whole texts that answer a question: "Yes"/"Confirm" (refused beside unsubscribe wording), "No"/"No thanks" (turn the offer down). */
  answers: { confirm: Set<string>; decline: Set<string> };
  navigation: Set<string>;
  account: PhraseList;
  socialSignIn: { phrases: PhraseList; providerDomains: Set<string> };
  download: DownloadTypes;
  socialDomains: Set<string>;
  adHosts: Set<string>;
}

interface CtaRulesFile {
  callToAction: Record<string, string[]>;
  refuse: Record<
    'unsubscribe' | 'report' | 'privacy' | 'cookies',
    { label: string; phrases: Record<string, string[]>; urlPatterns: string[] }
  >;
  consentNotice: {
    answers: Record<string, string[]>;
    context: Record<string, string[]>;
    dismiss: Record<string, string[]>;
    rejectStarts: Record<string, string[]>;
    necessaryOnly: { necessary: Record<string, string[]>; only: Record<string, string[]> };
  };
  pointing: { phrases: Record<string, string[]> };
  answers: { confirm: Record<string, string[]>; decline: Record<string, string[]> };
  account: { phrases: Record<string, string[]> };
  socialSignIn: { verbs: Record<string, string[]>; providers: string[]; providerDomains: string[] };
  navigation: Record<string, string[]>;
  downloadExtensions: string[];
  viewedDocuments: string[];
  socialDomains: string[];
  adHosts: string[];
}

/**
 * Letters that are not a base letter plus an accent, so NFD leaves them alone. Turkish dotless ı
 * is i: "SATIN AL" lower-cases to "satin al", "Satın al" must read the same.
 */
const PLAIN_LETTERS: Record<string, string> = { ł: 'l', Ł: 'l', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i' };

/**
 * Lower case, letters drawn as others read as those (lookalike-letters.ts: "𝐂𝐥𝐚𝐢𝐦", "Сlaim" with a
 * Cyrillic С), accents of Latin and Greek letters dropped (Greek capitals are written without
 * them: "ΑΓΟΡΑΣΤΕ" is "Αγοράστε"), typographic apostrophes plain, whitespace collapsed.
 * Marks on other scripts are part of the letter (Japanese ぐ is not く, Russian й is not и).
 */
export function normalizeWords(text: string): string {
  // Format characters go first: a zero-width space inside "С\u200blaim" must not split the word whose letters are folded.
  return foldLookalikeLetters(text.replace(/\p{Cf}/gu, ''))
    .normalize('NFD')
    .replace(INVISIBLE, '')
    .replace(/([\p{Script=Latin}\p{Script=Greek}])\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/[łŁøØđĐßæœı]/g, (c) => PLAIN_LETTERS[c])
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

/**
 * Dropped before words are compared: format characters a person does not see (a soft hyphen or a
 * zero-width space inside "Unsub\u00adscribe", bidi marks around right-to-left text), Arabic
 * vowel marks, hamza marks (after NFD: "إلغاء" is "الغاء") and tatweel, and Hebrew points, which everyday text leaves out.
 */
const INVISIBLE = /[\p{Cf}\u0640]|(?=\p{M})[\p{scx=Arabic}\p{scx=Hebrew}]/gu;

/** Scripts written without spaces between words (Han, Hiragana, Katakana, Thai). */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** A letter or digit that continues a word: Han, Hiragana, Katakana and Thai do not (a Chinese text writes "使用cookie以"). */
const WORD_CHAR = '(?:(?![\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}])[\\p{L}\\p{N}])';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function phrases(byLanguage: Record<string, string[]>): PhraseList {
  const langOf = new Map<string, string>();
  for (const [lang, list] of Object.entries(byLanguage))
    for (const raw of list) if (!langOf.has(normalizeWords(raw))) langOf.set(normalizeWords(raw), lang);
  // Longest first, so that where several match at one place the longest is the one reported
  // ("find out more", not "more"). Whole words: "weiter" is not "weiterlesen", "claim" is in "Claim your prize".
  // Chinese, Japanese and Thai write words without spaces: there a phrase is matched anywhere.
  // The word-boundary checks are made once per place, around all spaced phrases together, not
  // once per phrase: per phrase, a control of 5,000 letters took seconds to score.
  const sorted = [...langOf.keys()].sort((a, b) => b.length - a.length);
  const spaced = sorted.filter((phrase) => !UNSPACED.test(phrase)).map(escapeRegExp);
  const unspaced = sorted.filter((phrase) => UNSPACED.test(phrase)).map(escapeRegExp);
  const groups = [
    ...(spaced.length ? [`(?<!${WORD_CHAR})(?:${spaced.join('|')})(?!${WORD_CHAR})`] : []),
    ...(unspaced.length ? [`(?:${unspaced.join('|')})`] : []),
  ];
  return { pattern: new RegExp(`(${groups.join('|') || '(?!)'})`, 'u'), langOf };
}

let rules: CtaRules | null = null;

function ctaRules(): CtaRules {
  if (rules) return rules;
  const file = readRulesJson('call-to-action.json') as CtaRulesFile;
  const refuse = (key: 'unsubscribe' | 'report' | 'privacy' | 'cookies'): RefuseRule => ({
    label: file.refuse[key].label,
    phrases: phrases(file.refuse[key].phrases),
    urlPatterns: file.refuse[key].urlPatterns.map((p) => new RegExp(p, 'i')),
  });
  rules = {
    callToAction: phrases(file.callToAction),
    refuse: { unsubscribe: refuse('unsubscribe'), report: refuse('report'), privacy: refuse('privacy'), cookies: refuse('cookies') },
    consentNotice: {
      answers: new Set(Object.values(file.consentNotice.answers).flat().map(answerWords)),
      context: phrases(file.consentNotice.context),
      dismiss: new Set(Object.values(file.consentNotice.dismiss).flat().map(dismissWords)),
      rejectStarts: phrases(file.consentNotice.rejectStarts),
      necessaryOnly: {
        necessary: phrases(file.consentNotice.necessaryOnly.necessary),
        only: phrases(file.consentNotice.necessaryOnly.only),
      },
    },
    pointing: new Set(Object.values(file.pointing.phrases).flat().map(answerWords)),
    answers: {
      confirm: new Set(Object.values(file.answers.confirm).flat().map(answerWords)),
      decline: new Set(Object.values(file.answers.decline).flat().map(answerWords)),
    },
    navigation: new Set(Object.values(file.navigation).flat().map(normalizeWords)),
    account: phrases(file.account.phrases),
    socialSignIn: {
      phrases: phrases(
        Object.fromEntries(
          Object.entries(file.socialSignIn.verbs).map(([lang, verbs]) => [
            lang,
            verbs.flatMap((verb) => file.socialSignIn.providers.map((provider) => `${verb} ${provider}`)),
          ]),
        ),
      ),
      providerDomains: new Set(file.socialSignIn.providerDomains),
    },
    download: {
      extensions: new Set(file.downloadExtensions.map((e) => e.toLowerCase())),
      viewed: new Set(file.viewedDocuments.map((e) => e.toLowerCase())),
    },
    socialDomains: new Set(file.socialDomains),
    adHosts: new Set(file.adHosts),
  };
  return rules;
}

/** A notice's answer as compared with the dismiss list: its words, or a close symbol ("×") as it is. */
function dismissWords(text: string): string {
  return answerWords(text) || normalizeWords(text);
}

/** A control's words as an answer: punctuation, arrows and ticks dropped ("OK ✓" is "ok", "Accept & close" keeps its "&"). */
function answerWords(text: string): string {
  return normalizeWords(text)
    .replace(/[^\p{L}\p{N}'&\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A consent notice's answer, told by wording when its box neither floats nor names itself: the
 * control says only "Accept", "OK", "Agree"… and the text around it speaks of cookies, privacy,
 * consent or tracking. An offer's "Accept offer" says more than an answer; an "Accept" beside an
 * offer's text has no such words near it. Returns the words that gave it away, or null.
 */
export function consentAnswer(control: Pick<PageControl, 'text' | 'context'>): string | null {
  const r = ctaRules();
  if (!control.context || !r.consentNotice.answers.has(answerWords(control.text))) return null;
  return firstMatch(r.consentNotice.context, normalizeWords(control.context))?.text ?? null;
}

/** Where a sentence ends: its stop mark (Latin, CJK, Arabic, Devanagari) or a line break. */
const SENTENCE_END = /[.!?;\u3002\uff01\uff1f\uff1b\u061f\u06d4\u0964\n]/u;

/**
 * The sentence around a link that only points ("To stop receiving these offers, click here."),
 * from the text of the block it sits in; null for a control with words of its own, or when its
 * text is not found in the block (the block's first 600 characters).
 */
export function pointingSentence(control: Pick<PageControl, 'text' | 'context'>): string | null {
  if (!control.context || !ctaRules().pointing.has(answerWords(control.text))) return null;
  const block = normalizeWords(control.context);
  const text = normalizeWords(control.text);
  const at = block.indexOf(text);
  if (at < 0) return null;
  const before = block.slice(0, at);
  let start = before.length;
  while (start > 0 && !SENTENCE_END.test(before[start - 1])) start--;
  const after = block.slice(at + text.length);
  const end = after.search(SENTENCE_END);
  return (before.slice(start) + text + (end < 0 ? after : after.slice(0, end))).trim();
}

/**
 * An answer that confirms what the text around it asks ("Yes", "Confirm", "Weiter") when that
 * text speaks of unsubscribing ("Are you sure you want to unsubscribe?"): the words that say so, or
 * null. The words of the page's other controls (`others`) are no question it answers: a quiz's "Yes"
 * in the block that also holds the page's "Unsubscribe" link does not confirm that link.
 */
export function confirmsUnsubscribe(
  control: Pick<PageControl, 'text' | 'context'>,
  others: readonly Pick<PageControl, 'text'>[] = [],
): string | null {
  const r = ctaRules();
  if (!control.context || !r.answers.confirm.has(answerWords(control.text))) return null;
  let asked = normalizeWords(control.context);
  const said = firstMatch(r.refuse.unsubscribe.phrases, asked);
  if (!said) return null;
  for (const other of others) {
    const words = other !== control && other.text.length >= 3 ? normalizeWords(other.text) : '';
    // One occurrence per control: the question may say the same words as the link beside it.
    if (words && words.length >= said.text.length) asked = asked.replace(words, ' | ');
  }
  return firstMatch(r.refuse.unsubscribe.phrases, asked)?.text ?? null;
}

/** The answer a control turns the offer down with ("No", "No thanks", "Nein, ich bin unter 18": its words before a comma), or null. */
export function declines(text: string): string | null {
  const decline = ctaRules().answers.decline;
  const whole = answerWords(text);
  if (decline.has(whole)) return whole;
  const first = normalizeWords(text).split(/[,\uff0c\u3001]/)[0];
  return first !== normalizeWords(text) && decline.has(answerWords(first)) ? answerWords(first) : null;
}

function firstMatch(list: PhraseList, words: string): Phrase | null {
  const text = words ? list.pattern.exec(words)?.[1] : undefined;
  return text === undefined ? null : { text, lang: list.langOf.get(text)! };
}

function pathAndQuery(url: string): string {
  try {
    const u = new URL(url);
    return decodeURIComponentSafe(u.pathname + u.search);
  } catch {
    return url;
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function schemeOf(url: string): string | null {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1].toLowerCase() ?? null;
}

/**
 * The download type a link names a file of (download-target.ts), or that the link a known wrapper
 * (the unwrap rules) decodes it to names: the server's answer (its Content-Disposition) is known only
 * after the request, so the URL is what can be judged.
 */
function downloadExtension(url: string, types: DownloadTypes): string | null {
  const destination = unwrap(url).destination;
  return downloadNamed(url, types) ?? (destination ? downloadNamed(destination, types) : null);
}

/** Why a URL of another scheme than the web's is not followed ("mailto: link", "not a web link (whatsapp:)"), or null. */
function otherScheme(url: string): string | null {
  const scheme = schemeOf(url);
  if (!scheme || scheme === 'http' || scheme === 'https') return null;
  return ['mailto', 'tel', 'sms', 'javascript'].includes(scheme) ? `${scheme}: link` : `not a web link (${scheme}:)`;
}

/**
 * Why explore never goes where a URL leads, told by the URL alone (another program's scheme, a
 * download, an unsubscribe, abuse-report or legal page), or null.
 */
function targetRefusal(url: string): string | null {
  const r = ctaRules();
  const ext = downloadExtension(url, r.download);
  const path = pathAndQuery(url);
  const rule = [r.refuse.unsubscribe, r.refuse.report, r.refuse.privacy].find((rule) => rule.urlPatterns.some((p) => p.test(path)));
  return otherScheme(url) ?? (ext ? `download link (.${ext})` : (rule?.label ?? null));
}

/** Why explore never follows this control, or null. */
function refusal(
  control: PageControl,
  page: ScoringPage,
  words: string,
  hasCtaWording: boolean,
  others: readonly PageControl[],
): string | null {
  const r = ctaRules();
  if (control.hidden) return `hidden (${control.hidden})`;
  if (control.type === 'reset') return 'resets a form';
  // A cookie notice's answers are the notice's (its "Reject all" closes it, never consenting) whatever closes the dialog they are in.
  if (control.form?.method === 'dialog' && !control.cookieBanner) return 'closes a dialog (form method=dialog): it leads nowhere';
  if (control.form?.script && control.form.typing > 0) return 'a script button on fields that need typing';
  if (control.form && control.form.typing > 0) return 'submits a form that needs typing';
  if (control.form && (control.form.required ?? 0) > 0) return 'submits a form with required fields left empty';
  const raw = (control.rawHref ?? '').trim();
  if (raw.startsWith('#')) return 'same-page anchor';
  const href = control.href;
  if (href) {
    const other = otherScheme(href);
    if (other) return other;
    if (href.includes('#') && withoutFragment(href) === withoutFragment(control.frame ?? page.url)) return 'same-page anchor';
  }
  if (control.download) return 'download link (download attribute)';
  const ext = href ? downloadExtension(href, r.download) : null;
  if (ext) return `download link (.${ext})`;
  const url = href ? pathAndQuery(href) : '';
  const unsubscribe = r.refuse.unsubscribe;
  if (firstMatch(unsubscribe.phrases, words) || unsubscribe.urlPatterns.some((p) => p.test(url))) return unsubscribe.label;
  // "To stop receiving these offers, click here": the link's own words only point.
  const sentence = pointingSentence(control);
  const says = sentence ? firstMatch(unsubscribe.phrases, sentence) : null;
  if (says) return `${unsubscribe.label} (its sentence says "${says.text}")`;
  // "Are you sure you want to unsubscribe? [Yes]": the answer confirms it.
  const confirmed = confirmsUnsubscribe(control, others);
  if (confirmed) return `${unsubscribe.label} (an answer; its text speaks of "${confirmed}")`;
  // "Report abuse", "Mark as spam": a complaint to the sender's or its mailer's abuse desk, which may end the mailing too.
  const report = r.refuse.report;
  if (firstMatch(report.phrases, words) || report.urlPatterns.some((p) => p.test(url))) return report.label;
  const reports = sentence ? firstMatch(report.phrases, sentence) : null;
  if (reports) return `${report.label} (its sentence says "${reports.text}")`;
  // "Privacy policy" is footer matter; "Review and accept the new terms" may be a lure's button.
  const privacy = r.refuse.privacy;
  if ((!hasCtaWording && firstMatch(privacy.phrases, words)) || privacy.urlPatterns.some((p) => p.test(url))) return privacy.label;
  const cookies = r.refuse.cookies;
  if (control.cookieBanner || firstMatch(cookies.phrases, words) || cookies.urlPatterns.some((p) => p.test(url))) return cookies.label;
  const notice = consentAnswer(control);
  if (notice) return `${cookies.label} (its text speaks of "${notice}")`;
  return null;
}

function isButtonElement(control: PageControl): boolean {
  if (control.tag === 'button' || control.role === 'button') return true;
  return control.tag === 'input' && ['submit', 'button', 'image'].includes(control.type ?? '');
}

/** A `javascript:` URL that does nothing ("javascript:;", "javascript:void(0)"). */
const NO_OP_SCRIPT = /^javascript:\s*(?:void\s*\(?\s*0\s*\)?|return\s+false|)\s*;?\s*$/;

/**
 * A button made of a link, judged as a button: a link whose href goes nowhere ("#",
 * "javascript:void(0)") but whose onclick attribute or click listener acts on the click (without
 * one it does nothing; a listener of an element around it, a framework's delegated one, may), or
 * a `javascript:` link whose script does something ("javascript:go()": a click runs it, as a
 * button's onclick; where it leads, when it says, is its `onclickHref`).
 */
function scriptLink(control: PageControl): boolean {
  const raw = (control.rawHref ?? '').trim().toLowerCase();
  if (raw.startsWith('javascript:') && !NO_OP_SCRIPT.test(raw)) return true;
  // A named anchor ("#order") whose onclick or listener is a plain navigation elsewhere leads there
  // (one that only scrolls is given this page as its target, and so is still a same-page anchor).
  if (raw.startsWith('#') && control.onclickHref && (control.onclick || control.clickListener)) return true;
  if (!control.onclick && !control.clickListener && !control.delegatedListener) return false;
  return raw === '#' || raw === '#!' || NO_OP_SCRIPT.test(raw);
}

function scriptLinkReason(control: PageControl): string {
  const raw = (control.rawHref ?? '').trim().toLowerCase();
  if (raw.startsWith('javascript:') && !NO_OP_SCRIPT.test(raw)) return '+0 a script button (a javascript: link that runs script)';
  const by = control.onclick
    ? 'onclick'
    : control.clickListener
      ? 'a click listener'
      : `a click listener on ${control.delegatedListener} around it`;
  const href = raw === '#' || raw === '#!' || raw.startsWith('javascript:') ? 'its href goes nowhere' : 'its href is a same-page anchor';
  return `+0 a script button (${by}; ${href})`;
}

/** The score of one control on a page, with its reasons; refused controls are scored too (the report shows what was passed over). */
export function scoreControl(read: PageControl, page: ScoringPage, all?: readonly PageControl[]): ControlScore {
  const r = ctaRules();
  const reasons: string[] = [];
  let score = 0;
  const add = (points: number, why: string) => {
    if (points === 0) return;
    score += points;
    reasons.push(`${points > 0 ? '+' : ''}${points} ${why}`);
  };
  const asButton = scriptLink(read);
  if (asButton) reasons.push(scriptLinkReason(read));
  if (read.lookalike) {
    const by = read.clickListener ? 'a click listener on it' : `a click listener on ${read.delegatedListener ?? 'nothing'} around it`;
    reasons.push(`+0 looks like a button (no link, role or pointer cursor); ${by}`);
  }
  const control: PageControl = { ...read, href: targetOf(read), rawHref: asButton ? null : read.rawHref };
  if (control.href && control.href !== read.href) reasons.push('+0 leads where its onclick says');
  const words = normalizeWords(control.text);
  const wording = firstMatch(r.callToAction, words);
  if (wording) {
    const exact = words.length <= wording.text.length + 12;
    add(exact ? WORDING.exact : WORDING.within, `call-to-action wording "${wording.text}" (${wording.lang})`);
  }
  if (control.banner) add(BANNER, 'a banner (a picture link of at least 300×120)');
  const { width, height, y } = control.box;
  if (!words && control.picture && !control.banner && width >= PICTURE_BUTTON.width && height >= PICTURE_BUTTON.height)
    add(PICTURE_BUTTON.points, 'a picture the size of a button (no words: the picture is its look)');
  else if (!words && control.picture) reasons.push('+0 a picture (no text)');
  else if (!words) add(NO_TEXT, 'no text');
  else if (!/[\p{L}\p{N}]/u.test(words)) add(SYMBOLS_ONLY, 'no words (only symbols)');
  else if (words.length > 80) add(LONG_TEXT, 'long text');
  if (r.navigation.has(words)) add(NAVIGATION, 'navigation link');
  const declined = declines(control.text);
  if (declined) add(DECLINE, `declines ("${declined}")`);
  if (control.widget) add(WIDGET, `works this page (${control.widget})`);

  if (isButtonElement(control))
    add(
      BUTTON.element,
      `a ${control.tag === 'input' ? `<input type=${control.type}>` : control.tag === 'button' ? '<button>' : 'role=button element'}`,
    );
  if (control.look.background) add(BUTTON.background, `coloured background ${control.look.background}`);
  if (control.look.padding[0] >= 6 && control.look.padding[1] >= 12) add(BUTTON.padding, 'button padding');
  if (control.look.radius >= 2) add(BUTTON.radius, 'rounded corners');
  if (control.look.fontSize >= 18) add(LARGE_TEXT, `large text (${Math.round(control.look.fontSize)}px)`);
  else if (words && control.look.fontSize > 0 && control.look.fontSize < SMALL_PRINT.below)
    add(SMALL_PRINT.points, `small print (${Math.round(control.look.fontSize * 10) / 10}px)`);

  const area = Math.max(0, width) * Math.max(0, height);
  add(Math.min(MAX_SIZE, Math.floor(Math.sqrt(area) / 12)), `size ${Math.round(width)}×${Math.round(height)}`);
  const fold = Math.max(1, page.viewport.height);
  if (y < fold) add(ABOVE_FOLD, 'above the fold');
  else add(-Math.min(MAX_BELOW_FOLD_PENALTY, Math.ceil(((y - fold) / fold) * 10) + 5), 'below the fold');
  if (control.stickyBar) add(STICKY_BAR, `in a bar fixed to the ${control.stickyBar} of the window`);
  if (control.landmark && LANDMARK[control.landmark]) add(LANDMARK[control.landmark], `in the page's <${control.landmark}>`);
  if (control.landmark === 'header' || control.landmark === 'nav') {
    const account = firstMatch(r.account, words);
    if (account) add(ACCOUNT_IN_HEADER, `site account ("${account.text}") in the page's <${control.landmark}>`);
  }
  const ad = adFrame(control, page, all);
  if (ad) add(AD_FRAME, `in a display ad's frame (${ad})`);
  else if (control.frameAd) {
    const own = control.frame && siteOf(control.frame) === siteOf(page.url);
    reasons.push(
      `+0 an ad-sized frame (${control.frameAd}) ${own ? "of the page's own site" : 'that is all the page offers'}: not taken for an ad`,
    );
  }
  if (control.outOfView) add(OUT_OF_VIEW, `${control.outOfView}: a person scrolls to it`);
  if (control.disabled) reasons.push('+0 disabled when read: a person waits for it to be enabled');
  if (control.form?.onsubmit) reasons.push("+0 leads where its form's onsubmit says (the form is not sent)");
  else if (control.form?.stopped) reasons.push('+0 a click or submit listener stops its form (the form is not sent)');
  else if (control.form?.method === 'get' || control.form?.method === 'post')
    reasons.push(`+0 sends a form (${control.form.method.toUpperCase()}) with nothing to type`);

  const href = control.href;
  const scheme = href ? schemeOf(href) : null;
  // A script button (a slider arrow, "Play video") shows neither where it leads nor that it is an offer.
  if (!wording && !href) add(SILENT, 'no call-to-action wording and no link');
  const signIn = firstMatch(r.socialSignIn.phrases, words);
  const hrefSite = href && (scheme === 'http' || scheme === 'https') ? (registrableDomainOf(hostOf(href)) ?? hostOf(href)) : null;
  // A phishing kit's "Sign in with Microsoft" leads to its own form on its own host: that one is judged as any other.
  if (signIn && (!href || (hrefSite && r.socialSignIn.providerDomains.has(hrefSite))))
    add(SOCIAL_SIGN_IN, `signs in with another site's account ("${signIn.text}")`);
  if (href && (scheme === 'http' || scheme === 'https')) {
    const host = hostOf(href);
    const site = hrefSite ?? host;
    const pageSite = registrableDomainOf(hostOf(page.url)) ?? hostOf(page.url);
    if (site && r.socialDomains.has(site)) add(SOCIAL, `social network (${site})`);
    else if (site && site !== pageSite) add(OTHER_SITE, `leads to another site (${site})`);
    const layer = unwrap(href).layers[0];
    if (layer && layer.party !== 'unknown') add(TRACKER, `known tracker (${layer.party})`);
  }
  // A link whose onclick or click listener sends the click elsewhere than its href says (`<a
  // href="/offer" onclick="location='/dl?file=Setup.exe'; return false">`) goes there: judged by both.
  const byScript = read.onclickHref && read.onclickHref !== control.href ? targetRefusal(read.onclickHref) : null;
  // A control whose click a script receives, and an address in a data attribute other than its href
  // (`<div class="cta" data-url="/files/invoice.zip">`, `<a href="/offer" data-url="/dl/setup.exe">` of
  // a delegated listener that sends clicks to `[data-url]`): judged by it too, unless its script
  // says plainly where it sends the click.
  const byData =
    read.dataHref && read.dataHref !== control.href && !read.onclickHref && (read.onclick || read.clickListener || read.delegatedListener)
      ? targetRefusal(read.dataHref)
      : null;
  const refused =
    refusal(
      control,
      page,
      words,
      wording !== null,
      (all ?? []).filter((other) => other !== read),
    ) ??
    (byScript ? `${byScript} (where its script sends the click)` : null) ??
    (byData ? `${byData} (where its data attribute says it leads)` : null);
  return { score, reasons, refused };
}

export function scoreControls(controls: PageControl[], page: ScoringPage): ScoredControl[] {
  const scored = controls.map((control) => ({ ...control, ...scoreControl(control, page, controls) }));
  // The page's one link a person could follow (words or a picture on it), leading to another site: where the page sends them.
  const followable = scored.filter((c) => !c.hidden && !c.refused && (/[\p{L}\p{N}]/u.test(c.text) || c.picture));
  const only = followable.length === 1 ? followable[0] : null;
  if (only && !only.landmark && leadsElsewhere(only, page)) {
    only.score += ONLY_LINK;
    only.reasons.push(`+${ONLY_LINK} the page's only link a person could follow`);
  }
  return scored;
}

/** Where a control leads: its href (not a script link's "#"), else where its onclick says. */
export function targetOf(control: PageControl): string | null {
  return (scriptLink(control) ? null : control.href) ?? control.onclickHref ?? null;
}

function siteOf(url: string): string | null {
  const host = hostOf(url);
  return registrableDomainOf(host) ?? host;
}

function leadsElsewhere(control: PageControl, page: ScoringPage): boolean {
  const target = targetOf(control);
  const scheme = target ? schemeOf(target) : null;
  return !!target && (scheme === 'http' || scheme === 'https') && siteOf(target) !== siteOf(page.url);
}

/**
 * Whether a control's frame is a display ad, and what shows it: its slot (a standard ad size, a
 * name, a label), its markup (an AdChoices link), or an ad server's host (rules/call-to-action.json
 * "adHosts"). A frame known by its size alone is not an ad when it is of the page's own site or
 * is all the page offers (no other control a person could follow outside a landmark): an
 * advertiser's offer is often a 300×250 box of its own.
 */
export function adFrame(control: PageControl, page: ScoringPage, all?: readonly PageControl[]): string | null {
  if (!control.frame) return control.frameAd ?? null;
  const frameSite = siteOf(control.frame);
  if (frameSite && ctaRules().adHosts.has(frameSite))
    return control.frameAd ? `${control.frameAd}, ad server ${frameSite}` : `ad server ${frameSite}`;
  if (!control.frameAd) return null;
  if (!/^\d+×\d+ slot$/.test(control.frameAd)) return control.frameAd;
  if (frameSite === siteOf(page.url)) return null;
  const elsewhere = (all ?? []).some((c) => c.frame !== control.frame && !c.hidden && !c.landmark && /[\p{L}\p{N}]/u.test(c.text));
  return all && !elsewhere ? null : control.frameAd;
}

/**
 * Whether a consent notice's answer closes it without consenting: a close or reject answer of the
 * dismiss list as a whole ("Reject all", "×"), one that begins with a rejection ("Reject
 * non-essential cookies", "Ablehnen und schließen", "Disagree and close"), or one that keeps to
 * necessary cookies only ("Only allow essential cookies", "Nur notwendige Cookies erlauben").
 */
export function refusesConsent(text: string): boolean {
  const notice = ctaRules().consentNotice;
  if (notice.dismiss.has(dismissWords(text))) return true;
  const words = answerWords(text);
  if (notice.rejectStarts.pattern.exec(words)?.index === 0) return true;
  return firstMatch(notice.necessaryOnly.necessary, words) !== null && firstMatch(notice.necessaryOnly.only, words) !== null;
}

/**
 * The controls a person closes a cookie / consent notice with, without consenting ("Reject all",
 * "Only necessary", "×", refusesConsent), best first: refused as the notice's, visible, and leading nowhere (no
 * link, no declared navigation, no form sent). Explore clicks one when the notice covers the
 * call-to-action; it never accepts on the analyst's behalf.
 */
export function consentDismissals(scored: readonly ScoredControl[]): number[] {
  return scored
    .map((control, index) => ({ control, index }))
    .filter(
      ({ control }) =>
        consentControl(control) &&
        refusesConsent(control.text) &&
        targetOf(control) === null &&
        (!control.form || control.form.method === 'dialog'),
    )
    .map(({ index }) => index);
}

/**
 * The controls among `indexes` (those of a pop-up that covers the call-to-action) that close it
 * without taking it up, best first: visible, leading nowhere (no link, no declared navigation, no
 * form sent), and saying so: a close or reject answer ("×", "Close", "Schließen") before one that
 * turns the offer down ("No thanks", "Non merci").
 */
export function popupClosers(scored: readonly ScoredControl[], indexes: readonly number[]): number[] {
  const r = ctaRules();
  // A close button beside the box's e-mail field is taken for a script button on it (form.script): it sends nothing.
  const leadsNowhere = (c: ScoredControl) =>
    !c.hidden && targetOf(c) === null && (!c.form || c.form.method === 'dialog' || !!c.form.script);
  const closes = indexes.filter((i) => scored[i] && leadsNowhere(scored[i]) && r.consentNotice.dismiss.has(dismissWords(scored[i].text)));
  const declines = indexes.filter(
    (i) => scored[i] && leadsNowhere(scored[i]) && !closes.includes(i) && r.answers.decline.has(answerWords(scored[i].text)),
  );
  return [...closes, ...declines];
}

/** A control a person sees on a cookie / consent notice (refused as the notice's: "Accept", "Reject all", "×"…). */
export function consentControl(control: Pick<ScoredControl, 'hidden' | 'refused'>): boolean {
  return !control.hidden && !!control.refused?.startsWith(ctaRules().refuse.cookies.label);
}

/** Index of the call-to-action: the best control not refused and scoring at least MIN_SCORE (the first in the page wins a tie). */
export function chooseCallToAction(scored: readonly ControlScore[]): number | null {
  let best: number | null = null;
  scored.forEach((control, i) => {
    if (control.refused || control.score < MIN_SCORE) return;
    if (best === null || control.score > scored[best].score) best = i;
  });
  return best;
}

/** Indexes ordered by score, best first; document order breaks ties. */
export function byScore(scored: readonly ControlScore[], keep: (control: ControlScore, index: number) => boolean): number[] {
  return scored
    .map((control, index) => ({ control, index }))
    .filter(({ control, index }) => keep(control, index))
    .sort((a, b) => b.control.score - a.control.score || a.index - b.index)
    .map(({ index }) => index);
}
