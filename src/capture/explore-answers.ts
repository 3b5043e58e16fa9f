// A question left unanswered: a "Next" or "Continue" that does nothing while a choice a person sees
// is still to make. A group of radio buttons with none chosen ("What is your age? ○ 18-34 ○ 35-54
// ○ 55+"), a list still on its placeholder ("Choose…": an empty value or a disabled option), a
// styled list of options (a toggle with `aria-haspopup=listbox`, `role=combobox` or a `<div
// class="select">` whose `role=option` items show once it is opened). A person picks an answer and
// clicks again; explore picks the first choice of each with trusted input: a click on a radio's
// label, the arrow key down on a native list (focused; it moves to the first real option), a click
// on the toggle then on its first option. Choosing is no typing: no text is entered. A list that
// asks for personal data (a card's expiry, a birth date) or sits beside a field left to type into
// is the person's to fill; a choice in a cookie notice or one already made is left alone.
import type { PageObserver } from './page-observer.js';
import { trustedClick, type Pointer } from './click.js';
import { IN_NOTICE_SCRIPT } from './notice-script.js';
import { placeAgain, scrollFrameIntoView, type FrameView } from './explore-frames.js';

/** Questions answered per page, at most (each a click or a key). */
const MAX_ANSWERED = 5;

/**
 * Runs in the isolated world, in page code: whether a `<select>` is still on its placeholder (its
 * option chosen has an empty value or is disabled, or none is chosen) with a real option after it;
 * the words a person reads as a control's question (its labels, `aria-label`, `aria-labelledby`,
 * `title`, a list's placeholder option or a toggle's own words, its fieldset's legend, the words
 * just before it); and whether a question asks for personal data: by the control's name, id or
 * autocomplete hint, or by those words, in several languages ("Your country of birth", "Select
 * your bank", "Card type", "Geburtsjahr", "Date de naissance"). Shared with the page read
 * (explore.ts), which counts a list that asks for nothing personal as a choice to make rather than typing.
 */
export const SELECT_PLACEHOLDER_SCRIPT = `(() => {
  const fold = (s) => (s || '').normalize('NFD').replace(/\\p{M}/gu, '').replace(/[\\s\\u00a0]+/g, ' ').trim().toLowerCase();
  const PERSONAL_NAME = /e-?mail|user|login|phone|mobile|passw|account|card|cc-|birth|bday|dob|ssn|tax|iban/i;
  const PERSONAL_WORDS = new RegExp([
    'birth', '\\\\bborn\\\\b', '\\\\bdob\\\\b', 'geburt', 'naissance', 'nacimiento', 'nascita', 'geboorte', 'urodzen', 'nascimento',
    'рожден', '生年', '出生', '생년', 'dogum',
    '\\\\bbank', 'banque', 'banco', '\\\\bbanca\\\\b', 'bankow', 'банк', '銀行', '银行', '은행', 'iban', 'sort code', 'routing number',
    '(?<!gift[ -]?)\\\\bcards?\\\\b', 'kreditkarte', 'kartentyp', 'karteninhaber', 'carte bancaire', 'carte de credit', 'type de carte',
    'tarjeta de', 'tipo de tarjeta', 'carta di credito', 'tipo di carta', 'creditcard', 'karta kredyt', 'банковск', 'кредитн', 'カード', '信用卡', '银行卡', '카드',
    'credit', 'debit', 'expir', 'ablaufdatum', 'gultig bis', 'valid (thru|until)', 'vencimiento', 'scadenza',
    'nationalit', 'nazionalit', 'obywatelstw', 'citizenship', 'staatsangeh', 'nacionalidad', 'cittadinanza', 'гражданств', '国籍',
    'passport', 'reisepass', 'passeport', 'pasaporte', 'passaporto', '\\\\bssn\\\\b', 'social security', 'tax id', 'steuer',
    'gender', 'geschlecht', '\\\\bsexe\\\\b', '\\\\bgenero\\\\b', '\\\\bsesso\\\\b', 'marital', 'familienstand',
    'income', 'salary', 'einkommen', 'gehalt', 'salaire', 'revenu', 'ingresos', 'salario', 'reddito', 'доход', '収入', '收入',
  ].join('|'), 'u');
  // An element's words without those of the controls it holds (a <label> around its list).
  const ownText = (node) => {
    if (!node || !node.cloneNode) return '';
    const copy = node.cloneNode(true);
    for (const c of copy.querySelectorAll('select, option, [role=listbox], [role=option], input, textarea, script, style')) c.remove();
    return copy.textContent || '';
  };
  const attr = (el, name) => (el.getAttribute && el.getAttribute(name)) || '';
  const question = (el) => {
    const parts = [attr(el, 'aria-label'), attr(el, 'title'), attr(el, 'placeholder'), attr(el, 'data-placeholder')];
    const doc = el.ownerDocument;
    for (const id of attr(el, 'aria-labelledby').split(/\\s+/)) {
      const label = id && doc ? doc.getElementById(id) : null;
      if (label) parts.push(ownText(label));
    }
    // A radio button's or a box's label is its answer, not the question.
    if (el.tagName !== 'INPUT') for (const label of el.labels || []) parts.push(ownText(label));
    if (el.tagName === 'SELECT') {
      const first = el.options && el.options[0];
      if (first && (first.value === '' || first.disabled)) parts.push(first.text);
    } else if (el.tagName !== 'INPUT') parts.push(ownText(el));
    const set = el.closest ? el.closest('fieldset, [role=radiogroup], [role=group]') : null;
    if (set) {
      const legend = set.querySelector('legend');
      parts.push(attr(set, 'aria-label'), legend ? legend.textContent : '');
    }
    // The words just before it (its own node's, or its label's or wrapper's, a few levels up).
    let before = '';
    for (let a = el, up = 0; a && a.parentNode && up < 3 && !before; a = a.parentNode, up++) {
      for (let node = a.previousSibling, n = 0; node && n < 4 && !before; node = node.previousSibling, n++) {
        if (node.nodeType === 1 && node.querySelector && node.querySelector('select, input, textarea, button, [role=option]')) break;
        before = (node.nodeType === 1 ? ownText(node) : node.nodeType === 3 ? node.textContent : '').trim();
      }
    }
    parts.push(before.slice(0, 200));
    return parts.filter(Boolean).join(' | ');
  };
  const personalWords = (text) => PERSONAL_WORDS.test(fold(text));
  return {
    onPlaceholder: (select) => {
      if (select.multiple || select.disabled) return false;
      const chosen = select.selectedOptions[0] || null;
      const real = [...select.options].some((o) => o !== chosen && !o.disabled && o.value !== '');
      return real && (!chosen || chosen.value === '' || chosen.disabled);
    },
    fold,
    question,
    personalWords,
    personal: (el) =>
      PERSONAL_NAME.test(attr(el, 'name') + ' ' + (el.id || '') + ' ' + attr(el, 'autocomplete')) || personalWords(question(el)),
  };
})()`;

/**
 * Runs in the isolated world: the next question a person sees left unanswered, scrolled into view,
 * among those of the control pressed (`__clicktraceControls[index]`, the "Next" that waits on it):
 * its form's when the form holds one, else those in the nearest block around it that holds one
 * (none when it is gone or hidden now: its click moved the step on). Never a switcher of the site's
 * (language, currency, country, "Sort by": named so, its options languages or currencies or
 * addresses, or a change that navigates) nor a question in the header, navigation or footer when
 * the control is not. The first choice of the first group of radio buttons (by form and name) with
 * none chosen: its words and the point where a click reaches it (its label's centre, else its own).
 * Else a native list on its placeholder, focused: the words of the option the arrow key down moves
 * to (`key`). Else a styled list's toggle whose options show none chosen: the point of the toggle
 * (`opens`; it is remembered for FIRST_OPTION_SCRIPT). Null when there is none. Choices all hidden,
 * disabled or in a cookie / consent notice are no question of the page's; a list beside a text field
 * left empty (a form that asks for typing) or a question asking for personal data is not picked.
 * Each list is tried once.
 */
export const firstUnansweredScript = (index: number | null, peek = false) => `(() => {
  const SELECT = ${SELECT_PLACEHOLDER_SCRIPT};
  const tried = (globalThis.__clicktraceTriedLists = globalThis.__clicktraceTriedLists || new WeakSet());
  const IN_NOTICE = ${IN_NOTICE_SCRIPT};
  const anchor = ${index === null ? 'null' : `(globalThis.__clicktraceControls || [])[${index}] || null`};
  const norm = (s) => (s || '').replace(/[\\s\\u00a0]+/g, ' ').trim();
  const visible = (el) => {
    if (!el || (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, opacityProperty: true }))) return false;
    const r = el.getBoundingClientRect();
    return r.width >= 4 && r.height >= 4;
  };
  // The control pressed is gone or hidden: its click moved the step on, no question of it is left.
  if (${index === null ? 'false' : 'true'} && !(anchor && anchor.isConnected && visible(anchor))) return null;
  // A control of the site rather than a question of the step: it switches the language, currency or
  // country, sorts a list, or jumps elsewhere.
  const SWITCHER = new RegExp('(^|[^a-z])(' + [
    'lang|language|languages|locale|hl|sprache|langue|idioma|lingua|taal|jezyk|язык|言語|语言',
    'currency|currencies|curr|waehrung|wahrung|devise|moneda|valuta',
    'sort|sortby|sort-by|orderby|order-by|per-?page|jump',
    '(country|region|site)-?(switch(er)?|select(or)?|picker)',
  ].join('|') + ')([^a-z]|$)');
  const ENDONYMS = new RegExp('^(' + [
    'english|deutsch|francais|espanol|italiano|nederlands|portugues|polski|русский|українська|turkce|svenska|dansk|norsk|suomi',
    'cestina|magyar|romana|ελληνικα|日本語|中文|简体中文|繁體中文|한국어|العربية|עברית|فارسی|ไทย|tieng viet|bahasa indonesia',
  ].join('|') + ')\\\\b');
  const CURRENCY = /^([€$£¥₽₹₩]|(usd|eur|gbp|chf|jpy|cny|rub|inr|cad|aud|pln|sek|nok|dkk|czk|huf|try|brl|mxn)\\b)/;
  const switcher = (el) => {
    const className = typeof el.className === 'string' ? el.className : '';
    const names = SELECT.fold([el.getAttribute('name'), el.id, className, el.getAttribute('aria-label'), el.getAttribute('data-role')].join(' '));
    if (SWITCHER.test(names) || SWITCHER.test(SELECT.fold(SELECT.question(el)).replace(/ /g, '-'))) return true;
    if (/location|submit\\(|window\\.open/.test(el.getAttribute('onchange') || '')) return true;
    const options = el.tagName === 'SELECT' ? [...el.options] : [...el.querySelectorAll('[role=option]')];
    const words = options.map((o) => SELECT.fold(o.label || o.innerText || o.textContent));
    const count = (re) => words.filter((w) => re.test(w)).length;
    if (count(ENDONYMS) >= 2 || count(CURRENCY) >= 2) return true;
    return el.tagName === 'SELECT' && options.filter((o) => /^(https?:|\\/)/.test(o.value)).length >= 2;
  };
  const LANDMARK = 'header, nav, footer, [role=banner], [role=navigation], [role=contentinfo], [role=search]';
  const outOfPlace = (el) => {
    const landmark = el.closest(LANDMARK);
    return !!landmark && !(anchor && landmark.contains(anchor));
  };
  const question = (el) => !tried.has(el) && visible(el) && !IN_NOTICE(el, true) && !el.closest('[inert]') && !outOfPlace(el);
  // Fields left to type into around a list (its form, else its nearest block): a form that asks for more than a choice.
  const TYPED = /^(text|email|tel|password|number|search|url|date|datetime-local|month|week|time)$/;
  const asksTyping = (el) => {
    const around = el.parentElement && el.parentElement.parentElement;
    const fields = el.form ? [...el.form.elements] : around ? [...around.querySelectorAll('input, textarea')] : [];
    return fields.some((f) => !f.disabled && !f.readOnly && f.value === '' && visible(f) &&
      (f.tagName === 'TEXTAREA' || (f.tagName === 'INPUT' && TYPED.test(f.type))));
  };
  // Every question left unanswered (found), and every question of the page's own whether answered or not (asked).
  const found = [];
  const asked = [];
  const groups = new Map();
  for (const radio of document.querySelectorAll('input[type=radio]')) {
    if (!radio.name || radio.disabled) continue;
    const key = (radio.form ? 'f' + [...document.forms].indexOf(radio.form) : 'd') + ':' + radio.name;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(radio);
    if (groups.size > 50) break;
  }
  for (const radios of groups.values()) {
    if (!radios.some((r) => visible(r) || visible(r.labels && r.labels[0])) || outOfPlace(radios[0]) || switcher(radios[0])) continue;
    asked.push({ el: radios[0], radios });
    if (radios.some((r) => r.checked) || SELECT.personal(radios[0])) continue;
    found.push({ kind: 'radio', el: radios[0], radios });
  }
  for (const select of [...document.querySelectorAll('select')].slice(0, 50)) {
    if (!visible(select) || outOfPlace(select) || switcher(select)) continue;
    asked.push({ el: select });
    if (!question(select) || !SELECT.onPlaceholder(select) || SELECT.personal(select) || asksTyping(select)) continue;
    found.push({ kind: 'select', el: select });
  }
  const TOGGLES = '[aria-haspopup=listbox], [role=combobox], div.select, div.custom-select, div.dropdown-select';
  for (const toggle of [...document.querySelectorAll(TOGGLES)].slice(0, 50)) {
    if (!visible(toggle) || outOfPlace(toggle) || toggle.closest('select') || toggle.matches('input, textarea') && !toggle.readOnly) continue;
    if (switcher(toggle)) continue;
    asked.push({ el: toggle });
    if (!question(toggle) || SELECT.personal(toggle) || asksTyping(toggle)) continue;
    found.push({ kind: 'toggle', el: toggle });
  }
  // Those of the control pressed: its form's, else the nearest block around it holding a question
  // (answered or not: once its step's questions are answered, those of another part are not its).
  const holds = (region, q) => (q.radios || [q.el]).some((el) => region.contains(el) || (el.form && el.form === region));
  let mine = found;
  if (anchor) {
    const form = anchor.form || anchor.closest('form');
    // A question of another form (a newsletter's beside the funnel's) is never the pressed control's.
    const notOthers = (q) => !form || (q.radios || [q.el]).every((el) => !el.form || el.form === form);
    const near = asked.filter(notOthers);
    let region = form && near.some((q) => holds(form, q)) ? form : null;
    for (let a = anchor.parentElement; !region && a; a = a.parentElement) if (near.some((q) => holds(a, q))) region = a;
    mine = region ? found.filter((q) => notOthers(q) && holds(region, q)) : [];
  }
  if (${peek}) return mine.length > 0;
  mine.sort((p, q) => (p.el.compareDocumentPosition(q.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  const kinds = ['radio', 'select', 'toggle'];
  mine.sort((p, q) => kinds.indexOf(p.kind) - kinds.indexOf(q.kind));
  for (const q of mine) {
    if (q.kind === 'radio') {
      for (const radio of q.radios) {
        const label = radio.labels && radio.labels[0];
        const target = visible(label) ? label : visible(radio) ? radio : null;
        if (!target || IN_NOTICE(target, true) || radio.closest('[inert]')) continue;
        target.scrollIntoView({ block: 'center', inline: 'center' });
        const r = target.getBoundingClientRect();
        const x = r.left + Math.min(r.width / 2, 40), y = r.top + r.height / 2;
        const hit = document.elementFromPoint(x, y);
        if (!hit || !(hit === target || target.contains(hit) || hit === radio)) continue;
        return { text: norm(label ? label.innerText : radio.value).slice(0, 200), x, y };
      }
      continue;
    }
    if (q.kind === 'select') {
      const select = q.el;
      tried.add(select);
      select.scrollIntoView({ block: 'center', inline: 'center' });
      select.focus({ preventScroll: true });
      if (document.activeElement !== select) continue;
      const chosen = select.selectedOptions[0] || null;
      const next = [...select.options].find((o) => o.index > (chosen ? chosen.index : -1) && !o.disabled);
      if (!next) continue;
      return { key: 'ArrowDown', text: norm(next.label || next.text).slice(0, 200) };
    }
    // A styled list: its options are those of the listbox it controls, else those inside it or its box.
    const toggle = q.el;
    const owned = document.getElementById(toggle.getAttribute('aria-controls') || toggle.getAttribute('aria-owns') || '');
    const box = owned || (toggle.querySelector('[role=option]') ? toggle : toggle.parentElement);
    const options = box ? [...box.querySelectorAll('[role=option]')] : [];
    if (options.length === 0 || options.some((o) => o.getAttribute('aria-selected') === 'true')) continue;
    tried.add(toggle);
    globalThis.__clicktraceOpenedList = box;
    toggle.scrollIntoView({ block: 'center', inline: 'center' });
    const r = toggle.getBoundingClientRect();
    const x = r.left + Math.min(r.width / 2, 40), y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === toggle || toggle.contains(hit))) continue;
    return { opens: true, text: norm(toggle.innerText).slice(0, 200), x, y };
  }
  return null;
})()`;

/**
 * Runs in the isolated world once a styled list's toggle was clicked: the first option of it a
 * person sees and may choose (not `aria-disabled`), scrolled into view: its words and the point of
 * its centre; null when none shows.
 */
export const FIRST_OPTION_SCRIPT = `(() => {
  const norm = (s) => (s || '').replace(/[\\s\\u00a0]+/g, ' ').trim();
  const box = globalThis.__clicktraceOpenedList;
  globalThis.__clicktraceOpenedList = null;
  if (!box || !box.isConnected) return null;
  for (const option of [...box.querySelectorAll('[role=option]')].slice(0, 100)) {
    if (option.getAttribute('aria-disabled') === 'true') continue;
    if (option.checkVisibility && !option.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    option.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    const r = option.getBoundingClientRect();
    if (r.width < 4 || r.height < 4) continue;
    const x = r.left + Math.min(r.width / 2, 40), y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === option || option.contains(hit))) continue;
    return { text: norm(option.innerText).slice(0, 200), x, y };
  }
  return null;
})()`;

type Point = { text: string; x: number; y: number };
type Question = (Point & { opens?: true }) | { key: 'ArrowDown'; text: string };

const isPoint = (v: unknown): v is Point => {
  const p = v as Partial<Point> | null;
  return !!p && typeof p.x === 'number' && typeof p.y === 'number' && typeof p.text === 'string';
};

/** Whether a question the control `pressed` waits on is left unanswered (a disabled "Continue" of a survey step), nothing changed on the page. */
export async function questionLeft(observer: PageObserver, pressed: PressedControl, timeoutMs: number): Promise<boolean> {
  const left = await observer.evaluate(firstUnansweredScript(pressed.index, true), 'isolated', timeoutMs, 250, pressed.frame?.frameId);
  return left === true;
}

/** How long a styled list is given to show its options once its toggle was clicked, in ms. */
const LIST_OPENS_MS = 300;

/**
 * The control whose click waits on questions: its index among the controls read in its document,
 * and the frame that document is in (null: the top document), with the page's frames to place it.
 */
export interface PressedControl {
  index: number;
  frame: FrameView | null;
  frames: readonly FrameView[];
}

/**
 * Picks the first choice of each question left unanswered around the control pressed (groups of
 * radio buttons, lists on their placeholder, styled lists), in its document (a frame's too), with
 * trusted input (told to `clicked` with the words of each choice as it is made); returns the words
 * of the choices picked (none: no question was left). `pressed` null: any question of the top document.
 */
export async function answerQuestions(
  observer: PageObserver,
  pointer: Pointer,
  timeoutMs: number,
  pressed: PressedControl | null,
  clicked: (text: string) => void,
): Promise<string[]> {
  const answered: string[] = [];
  const frameId = pressed?.frame?.frameId;
  const run = (script: string) => observer.evaluate(script, 'isolated', timeoutMs, 250, frameId);
  // A point of the control's document, in the top page's viewport (its frame placed again: answering scrolls it); null when it does not show there.
  const onPage = async (point: Point): Promise<Point | null> => {
    if (!pressed?.frame) return point;
    const place = await placeAgain(observer, pressed.frame, pressed.frames, timeoutMs);
    if ('hidden' in place) return null;
    const [x, y] = [point.x + place.origin.x, point.y + place.origin.y];
    const { clip } = place;
    return x >= clip.left && x < clip.right && y >= clip.top && y < clip.bottom ? { ...point, x, y } : null;
  };
  for (let i = 0; i < MAX_ANSWERED && !observer.closed; i++) {
    if (pressed?.frame) await scrollFrameIntoView(observer, pressed.frame, pressed.frames, timeoutMs);
    const question = (await run(firstUnansweredScript(pressed ? pressed.index : null))) as Question | null;
    if (question && 'key' in question && question.key === 'ArrowDown' && typeof question.text === 'string') {
      clicked(question.text);
      await pressArrowDown(observer);
      answered.push(question.text);
      continue;
    }
    if (!isPoint(question)) break;
    const at = await onPage(question);
    if (!at) continue;
    if ('opens' in question && question.opens) {
      await trustedClick(observer, at.x, at.y, pointer);
      await new Promise((resolve) => setTimeout(resolve, LIST_OPENS_MS));
      const option = await run(FIRST_OPTION_SCRIPT);
      const there = isPoint(option) ? await onPage(option) : null;
      if (!there) continue;
      clicked(there.text);
      await trustedClick(observer, there.x, there.y, pointer);
      answered.push(there.text);
      continue;
    }
    clicked(at.text);
    await trustedClick(observer, at.x, at.y, pointer);
    answered.push(at.text);
  }
  return answered;
}

/** The arrow key down, pressed and released on what has the focus (a native list: it moves to the next option and tells the page it changed). */
async function pressArrowDown(observer: PageObserver): Promise<void> {
  const key = { key: 'ArrowDown', code: 'ArrowDown', windowsVirtualKeyCode: 40, nativeVirtualKeyCode: 40 };
  try {
    await observer.session.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key });
    await observer.session.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key });
  } catch {
    // The page went away: settling reports what happened.
  }
}
