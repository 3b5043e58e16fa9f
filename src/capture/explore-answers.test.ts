import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SELECT_PLACEHOLDER_SCRIPT } from './explore-answers.js';

interface Rule {
  onPlaceholder: (select: unknown) => boolean;
  personal: (select: unknown) => boolean;
  personalWords: (text: string) => boolean;
}
const rule = (0, eval)(`(${SELECT_PLACEHOLDER_SCRIPT})`) as Rule;

/** A list as the page's DOM has it: its options (value, disabled), the one chosen, its name. */
function list(options: [string, boolean?][], chosen: number, attributes: Record<string, string> = {}) {
  const made = options.map(([value, disabled = false]) => ({ value, disabled }));
  return {
    tagName: 'SELECT',
    multiple: false,
    disabled: false,
    id: attributes.id ?? '',
    options: made,
    selectedOptions: chosen < 0 ? [] : [made[chosen]],
    getAttribute: (name: string) => attributes[name] ?? null,
  };
}

test('a list on "Choose…" (an empty value, a disabled option, none chosen) with a real option after it is on its placeholder', () => {
  assert.ok(rule.onPlaceholder(list([[''], ['18-34'], ['35-54']], 0)));
  assert.ok(rule.onPlaceholder(list([['Choose…', true], ['de'], ['fr']], 0)));
  assert.ok(rule.onPlaceholder(list([['de'], ['fr']], -1)));
  assert.ok(!rule.onPlaceholder(list([[''], ['18-34']], 1)), 'an option chosen already');
  assert.ok(!rule.onPlaceholder(list([['de'], ['fr']], 0)), 'a first real option chosen by default');
  assert.ok(!rule.onPlaceholder(list([[''], ['', true]], 0)), 'no real option to pick');
  assert.ok(!rule.onPlaceholder({ ...list([[''], ['de']], 0), multiple: true }), 'a list of many choices');
});

test('a list that asks for personal data (a card, a birth date, an account) is not a choice explore makes', () => {
  const personal: Record<string, string>[] = [
    { name: 'cc-exp-month' },
    { autocomplete: 'bday-year' },
    { id: 'card_type' },
    { name: 'dob_day' },
  ];
  for (const attributes of personal) assert.ok(rule.personal(list([[''], ['01']], 0, attributes)), JSON.stringify(attributes));
  const other: Record<string, string>[] = [{ name: 'age' }, { autocomplete: 'country' }, { id: 'heard-from' }];
  for (const attributes of other) assert.ok(!rule.personal(list([[''], ['de']], 0, attributes)), JSON.stringify(attributes));
});

test('a question is personal by the words a person reads, in several languages; an age range, a country to live in or a gift card is not', () => {
  const personal = [
    'Your country of birth',
    'Select your bank',
    'Card type',
    'Geburtsjahr',
    'Kartentyp',
    'Date de naissance',
    'Año de nacimiento',
    'Nazionalità',
    'Gender',
    'Annual income',
    'Дата рождения',
    'Выберите банк',
    '生年月日',
    '出生日期',
    'Expiry month',
    'Staatsangehörigkeit',
  ];
  for (const text of personal) assert.ok(rule.personalWords(text), text);
  const other = [
    'What is your age?',
    'Where do you live?',
    'How did you hear of us?',
    'Which gift card would you like?',
    'Choose…',
    'Your age range',
  ];
  for (const text of other) assert.ok(!rule.personalWords(text), text);
});

test('a list is personal by its placeholder option or aria-label, whatever its name', () => {
  const years = list([[''], ['1990']], 0, { name: 'q3' });
  years.options[0] = Object.assign(years.options[0], { text: 'Geburtsjahr' });
  assert.ok(rule.personal(years));
  assert.ok(rule.personal(list([[''], ['visa']], 0, { name: 'q2', 'aria-label': 'Card type' })));
  assert.ok(!rule.personal(list([[''], ['de']], 0, { name: 'q4', 'aria-label': 'Where do you live?' })));
});
