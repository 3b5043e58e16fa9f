// A quiz's question left unanswered: a "Next" or "Continue" that does nothing while a group of
// radio buttons a person sees has none chosen ("What is your age? ○ 18-34 ○ 35-54 ○ 55+"). A
// person picks an answer and clicks again; explore picks the first choice of each such group with a
// trusted click on it (its label, as a person clicks a styled choice). Choosing is no typing: no
// text is entered, and a choice in a cookie notice or a group already answered is left alone.
import type { PageObserver } from './page-observer.js';
import { trustedClick, type Pointer } from './click.js';
import { IN_NOTICE_SCRIPT } from './notice-script.js';

/** Groups answered per page, at most (each a click). */
const MAX_ANSWERED = 5;

/**
 * Runs in the isolated world: the first choice of the first group of radio buttons (by form and
 * name) a person sees with none chosen, scrolled into view: its words and the point where a click
 * reaches it (its label's centre, else its own); null when there is none. Groups whose choices are
 * all hidden, disabled or in a cookie / consent notice are no question of the page's.
 */
export const FIRST_UNANSWERED_SCRIPT = `(() => {
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
  return null;
})()`;

/**
 * Picks the first choice of each group of radio buttons on the page left unanswered, with trusted
 * clicks (told to `clicked` as each is made); returns the words of the choices picked (none: no question was left).
 */
export async function answerQuestions(
  observer: PageObserver,
  pointer: Pointer,
  timeoutMs: number,
  clicked: (text: string) => void,
): Promise<string[]> {
  const answered: string[] = [];
  for (let i = 0; i < MAX_ANSWERED && !observer.closed; i++) {
    const choice = (await observer.evaluate(FIRST_UNANSWERED_SCRIPT, 'isolated', timeoutMs, 250)) as {
      text: string;
      x: number;
      y: number;
    } | null;
    if (!choice || typeof choice.x !== 'number' || typeof choice.y !== 'number' || typeof choice.text !== 'string') break;
    clicked(choice.text);
    await trustedClick(observer, choice.x, choice.y, pointer);
    answered.push(choice.text);
  }
  return answered;
}
