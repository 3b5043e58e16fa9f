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

/** Questions answered per page, at most (each a click or a key). */
const MAX_ANSWERED = 5;

/**
 * Runs in the isolated world, in page code: whether a `<select>` is still on its placeholder (its
 * option chosen has an empty value or is disabled, or none is chosen) with a real option after it,
 * and whether it asks for personal data (a card's, a birth date's, an account's: by its name, id
 * or autocomplete hint). Shared with the page read (explore.ts), which counts such a list as a
 * choice to make rather than typing.
 */
export const SELECT_PLACEHOLDER_SCRIPT = `{
  onPlaceholder: (select) => {
    if (select.multiple || select.disabled) return false;
    const chosen = select.selectedOptions[0] || null;
    const real = [...select.options].some((o) => o !== chosen && !o.disabled && o.value !== '');
    return real && (!chosen || chosen.value === '' || chosen.disabled);
  },
  personal: (select) =>
    /e-?mail|user|login|phone|mobile|passw|account|card|cc-|birth|bday|dob|ssn|tax|iban/i.test(
      (select.getAttribute('name') || '') + ' ' + select.id + ' ' + (select.getAttribute('autocomplete') || ''),
    ),
}`;

/**
 * Runs in the isolated world: the next question a person sees left unanswered, scrolled into view.
 * The first choice of the first group of radio buttons (by form and name) with none chosen: its
 * words and the point where a click reaches it (its label's centre, else its own). Else a native
 * list on its placeholder, focused: the words of the option the arrow key down moves to (`key`).
 * Else a styled list's toggle whose options show none chosen: the point of the toggle (`opens`; it
 * is remembered for FIRST_OPTION_SCRIPT). Null when there is none. Choices all hidden, disabled or
 * in a cookie / consent notice are no question of the page's; a list beside a text field left empty
 * (a form that asks for typing) or asking for personal data is not picked. Each list is tried once.
 */
export const FIRST_UNANSWERED_SCRIPT = `(() => {
  const SELECT = ${SELECT_PLACEHOLDER_SCRIPT};
  const tried = (globalThis.__clicktraceTriedLists = globalThis.__clicktraceTriedLists || new WeakSet());
  const IN_NOTICE = ${IN_NOTICE_SCRIPT};
  const norm = (s) => (s || '').replace(/[\\s\\u00a0]+/g, ' ').trim();
  const visible = (el) => {
    if (!el || (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, opacityProperty: true }))) return false;
    const r = el.getBoundingClientRect();
    return r.width >= 4 && r.height >= 4;
  };
  const groups = new Map();
  for (const radio of document.querySelectorAll('input[type=radio]')) {
    if (!radio.name || radio.disabled) continue;
    const key = (radio.form ? 'f' + [...document.forms].indexOf(radio.form) : 'd') + ':' + radio.name;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(radio);
    if (groups.size > 50) break;
  }
  for (const radios of groups.values()) {
    if (radios.some((r) => r.checked)) continue;
    for (const radio of radios) {
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
  }
  // Fields left to type into around a list (its form, else its nearest block): a form that asks for more than a choice.
  const TYPED = /^(text|email|tel|password|number|search|url|date|datetime-local|month|week|time)$/;
  const asksTyping = (el) => {
    const around = el.parentElement && el.parentElement.parentElement;
    const fields = el.form ? [...el.form.elements] : around ? [...around.querySelectorAll('input, textarea')] : [];
    return fields.some((f) => !f.disabled && !f.readOnly && f.value === '' && visible(f) &&
      (f.tagName === 'TEXTAREA' || (f.tagName === 'INPUT' && TYPED.test(f.type))));
  };
  const question = (el) => !tried.has(el) && visible(el) && !IN_NOTICE(el, true) && !el.closest('[inert]') && !asksTyping(el);
  for (const select of [...document.querySelectorAll('select')].slice(0, 50)) {
    if (!question(select) || !SELECT.onPlaceholder(select) || SELECT.personal(select)) continue;
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
  const TOGGLES = '[aria-haspopup=listbox], [role=combobox], div.select, div.custom-select, div.dropdown-select';
  for (const toggle of [...document.querySelectorAll(TOGGLES)].slice(0, 50)) {
    if (!question(toggle) || toggle.closest('select') || toggle.matches('input, textarea') && !toggle.readOnly) continue;
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

/** How long a styled list is given to show its options once its toggle was clicked, in ms. */
const LIST_OPENS_MS = 300;

/**
 * Picks the first choice of each question on the page left unanswered (groups of radio buttons,
 * lists on their placeholder, styled lists), with trusted input (told to `clicked` with the words
 * of each choice as it is made); returns the words of the choices picked (none: no question was left).
 */
export async function answerQuestions(
  observer: PageObserver,
  pointer: Pointer,
  timeoutMs: number,
  clicked: (text: string) => void,
): Promise<string[]> {
  const answered: string[] = [];
  for (let i = 0; i < MAX_ANSWERED && !observer.closed; i++) {
    const question = (await observer.evaluate(FIRST_UNANSWERED_SCRIPT, 'isolated', timeoutMs, 250)) as Question | null;
    if (question && 'key' in question && question.key === 'ArrowDown' && typeof question.text === 'string') {
      clicked(question.text);
      await pressArrowDown(observer);
      answered.push(question.text);
      continue;
    }
    if (!isPoint(question)) break;
    if ('opens' in question && question.opens) {
      await trustedClick(observer, question.x, question.y, pointer);
      await new Promise((resolve) => setTimeout(resolve, LIST_OPENS_MS));
      const option = await observer.evaluate(FIRST_OPTION_SCRIPT, 'isolated', timeoutMs, 250);
      if (!isPoint(option)) continue;
      clicked(option.text);
      await trustedClick(observer, option.x, option.y, pointer);
      answered.push(option.text);
      continue;
    }
    clicked(question.text);
    await trustedClick(observer, question.x, question.y, pointer);
    answered.push(question.text);
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
