// Letters drawn to look like others, read as the letters a person reads: spam writes its words in
// styled alphabets to slip past filters ("𝐂𝐥𝐚𝐢𝐦 𝐍𝐨𝐰", "ＳＨＯＰ ＮＯＷ", "ᴄʟᴀɪᴍ ɴᴏᴡ") and mixes Cyrillic
// letters into Latin words ("Сlaim" with a Cyrillic С). A person reads "Claim now" in all of them.

/**
 * Styled alphabets Unicode gives compatibility forms for: fullwidth ASCII and halfwidth katakana,
 * circled and parenthesised letters, mathematical bold/italic/script/… letters and digits, squared
 * and negative-circled capitals. Only these runs are NFKC-folded: elsewhere NFKC would change what a
 * person reads as a word's end ("Free Trial™" is not "free trialtm").
 */
const STYLED = /[\uff01-\uff5e\uff61-\uff9f\u2460-\u24ff\u{1d400}-\u{1d7ff}\u{1f110}-\u{1f189}]+/gu;

/** Latin small capitals (and the IPA letters drawn as them), written for a "small caps font": the letter they show. */
const SMALL_CAPITALS: Record<string, string> = {
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ꜰ: 'f',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ᴊ: 'j',
  ᴋ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ǫ: 'q',
  ʀ: 'r',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ʏ: 'y',
  ᴢ: 'z',
};
const SMALL_CAPITAL = new RegExp(`[${Object.keys(SMALL_CAPITALS).join('')}]`, 'gu');

/** Cyrillic and Greek letters drawn as a Latin one (by their shape as written: capital В is B, lower-case в is not). */
const LATIN_LOOK: Record<string, string> = {
  А: 'a',
  а: 'a',
  В: 'b',
  С: 'c',
  с: 'c',
  Е: 'e',
  е: 'e',
  Н: 'h',
  һ: 'h',
  І: 'i',
  і: 'i',
  Ј: 'j',
  ј: 'j',
  К: 'k',
  М: 'm',
  О: 'o',
  о: 'o',
  Р: 'p',
  р: 'p',
  Ѕ: 's',
  ѕ: 's',
  Т: 't',
  Х: 'x',
  х: 'x',
  У: 'y',
  у: 'y',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  Α: 'a',
  Β: 'b',
  Ε: 'e',
  Ζ: 'z',
  Η: 'h',
  Ι: 'i',
  ι: 'i',
  Κ: 'k',
  Μ: 'm',
  Ν: 'n',
  ν: 'v',
  Ο: 'o',
  ο: 'o',
  Ρ: 'p',
  ρ: 'p',
  Τ: 't',
  Χ: 'x',
  Υ: 'y',
};
/** Latin letters drawn as a Cyrillic one: in a Cyrillic word they are read as it ("Oтписаться" with a Latin O). */
const CYRILLIC_LOOK: Record<string, string> = {
  a: 'а',
  A: 'А',
  B: 'В',
  c: 'с',
  C: 'С',
  e: 'е',
  E: 'Е',
  H: 'Н',
  i: 'і',
  I: 'І',
  K: 'К',
  M: 'М',
  o: 'о',
  O: 'О',
  p: 'р',
  P: 'Р',
  T: 'Т',
  x: 'х',
  X: 'Х',
  y: 'у',
  Y: 'У',
};

const LATIN = /\p{Script=Latin}/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const GREEK = /\p{Script=Greek}/u;

/**
 * The text with styled alphabets as plain letters, small capitals as lower-case letters, and each
 * word that mixes Latin with Cyrillic or Greek letters in the script most of its letters are in
 * (where a letter of the other looks like one of it). Words of one script are left as they are.
 */
export function foldLookalikeLetters(text: string): string {
  return text
    .replace(STYLED, (run) => run.normalize('NFKC'))
    .replace(SMALL_CAPITAL, (c) => SMALL_CAPITALS[c])
    .replace(/\p{L}+/gu, (word) => {
      const letters = [...word];
      const latin = letters.filter((c) => LATIN.test(c)).length;
      const cyrillic = letters.filter((c) => CYRILLIC.test(c)).length;
      const greek = letters.filter((c) => GREEK.test(c)).length;
      if (latin === 0 || cyrillic + greek === 0) return word;
      if (latin >= cyrillic + greek) return letters.map((c) => LATIN_LOOK[c] ?? c).join('');
      return cyrillic > greek ? letters.map((c) => CYRILLIC_LOOK[c] ?? c).join('') : word;
    });
}
