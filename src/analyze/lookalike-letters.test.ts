import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldLookalikeLetters } from './lookalike-letters.js';

test('styled alphabets read as their letters: mathematical bold, fullwidth, circled, small capitals', () => {
  assert.equal(foldLookalikeLetters('𝐂𝐥𝐚𝐢𝐦 𝐍𝐨𝐰'), 'Claim Now');
  assert.equal(foldLookalikeLetters('ＳＨＯＰ ＮＯＷ'), 'SHOP NOW');
  assert.equal(foldLookalikeLetters('Ⓒⓛⓐⓘⓜ'), 'Claim');
  assert.equal(foldLookalikeLetters('ᴄʟᴀɪᴍ ɴᴏᴡ'), 'claim now');
  assert.equal(foldLookalikeLetters('ｸﾞﾙﾒ'), 'グルメ');
});

test('a word mixing scripts is read in the script most of it is in; words of one script stay', () => {
  assert.equal(foldLookalikeLetters('Сlaim now'), 'claim now', 'a Cyrillic С in a Latin word');
  assert.equal(foldLookalikeLetters('Unsubscrіbe'), 'Unsubscribe', 'a Ukrainian і');
  assert.equal(foldLookalikeLetters('Oтписаться'), 'Отписаться', 'a Latin O in a Cyrillic word');
  assert.equal(foldLookalikeLetters('Отписаться от рассылки'), 'Отписаться от рассылки');
  assert.equal(foldLookalikeLetters('Αγοράστε τώρα'), 'Αγοράστε τώρα');
});

test('what a person reads as a word end is kept: a trade mark sign is not letters', () => {
  assert.equal(foldLookalikeLetters('Free Trial™'), 'Free Trial™');
  assert.equal(foldLookalikeLetters('Shop now →'), 'Shop now →');
});
