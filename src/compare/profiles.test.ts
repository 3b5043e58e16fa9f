import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROFILES, parseLanguage, parseProfile, parseProfiles, signalsOf, WEBMAIL_REFERRER } from './profiles.js';

test('base profiles: each differs from desktop in what it is named for', () => {
  const desktop = parseProfile('desktop');
  assert.deepEqual(
    { name: desktop.name, device: desktop.device, headless: desktop.headless, javascript: desktop.javascript, referrer: desktop.referrer },
    { name: 'desktop', device: 'desktop', headless: false, javascript: true, referrer: null },
  );
  assert.deepEqual(desktop.languages, ['en-US', 'en']);
  assert.equal(parseProfile('mobile').device, 'mobile');
  assert.equal(parseProfile('headless').headless, true);
  assert.equal(parseProfile('scanner').javascript, false);
  assert.equal(parseProfile('webmail').referrer, WEBMAIL_REFERRER);
});

test('lang=xx-YY: Accept-Language list, locale and the time zone of the region', () => {
  const de = parseProfile('lang=de-DE');
  assert.equal(de.name, 'lang=de-DE');
  assert.deepEqual(de.languages, ['de-DE', 'de', 'en-US', 'en']);
  assert.equal(de.timezone, 'Europe/Berlin');
  assert.equal(parseLanguage('fr-fr').tag, 'fr-FR');
  assert.equal(parseLanguage('fr-FR').timezone, 'Europe/Paris');
  assert.equal(parseLanguage('en-US').timezone, 'America/New_York');
  assert.deepEqual(parseLanguage('en-GB').languages, ['en-GB', 'en']);
  assert.equal(parseLanguage('pt-BR').timezone, 'America/Sao_Paulo');
  assert.equal(parseLanguage('es-ES').timezone, 'Europe/Madrid');
  assert.equal(parseLanguage('ja').timezone, 'Asia/Tokyo');
});

test('combinations have one canonical name, in a fixed order', () => {
  const v = parseProfile('lang=fr-FR+mobile');
  assert.equal(v.name, 'mobile+lang=fr-FR');
  assert.equal(v.device, 'mobile');
  assert.equal(v.locale, 'fr-FR');
  assert.equal(parseProfile('desktop+webmail').name, 'webmail');
  assert.equal(parseProfile('webmail+scanner').name, 'scanner+webmail');
});

test('--as lists, all, and the errors a user can act on', () => {
  assert.deepEqual(
    parseProfiles('all').map((v) => v.name),
    [...ALL_PROFILES],
  );
  assert.deepEqual(
    parseProfiles('desktop, mobile+lang=fr-FR').map((v) => v.name),
    ['desktop', 'mobile+lang=fr-FR'],
  );
  assert.throws(() => parseProfiles(''), /no profile/);
  assert.throws(() => parseProfiles('desktop,tablet'), /unknown profile "tablet"/);
  // Given again: a control visitor, the same once more.
  assert.deepEqual(
    parseProfiles('desktop,mobile,desktop').map((v) => v.name),
    ['desktop', 'mobile', 'desktop#2'],
  );
  assert.deepEqual(parseProfiles('all,mobile').at(-1), { ...parseProfile('mobile'), name: 'mobile#2' });
  assert.throws(() => parseProfiles('lang=de-DE+lang=fr-FR'), /two languages/);
  assert.throws(() => parseProfiles('lang=!!'), /not a language tag/);
  assert.throws(() => parseProfiles('headless+scanner'), /no browser/);
});

test('signals: the scanner differs from desktop in JavaScript only, mobile in device only, headless in user agent and webdriver', () => {
  const diff = (a: string, b: string) => {
    const x = signalsOf(parseProfile(a));
    const y = signalsOf(parseProfile(b));
    return Object.keys(x).filter((k) => x[k as keyof typeof x] !== y[k as keyof typeof y]);
  };
  assert.deepEqual(diff('desktop', 'scanner'), ['javascript']);
  assert.deepEqual(diff('desktop', 'mobile'), ['device']);
  assert.deepEqual(diff('desktop', 'headless'), ['user-agent', 'webdriver']);
  assert.deepEqual(diff('desktop', 'webmail'), ['referrer']);
  assert.deepEqual(diff('desktop', 'lang=de-DE'), ['language']);
});
