// What a recorded DOM snapshot says to a reader at a glance: the fields of its forms that ask for
// a password or a payment card, and its visible text. Read with the mail module's tokenizer (one
// linear pass, never throws): the snapshot is hostile markup and only needs start tags and text.
import { parseAttributes, tokenizeHtml } from '../mail/html-tokenizer.js';

export interface SecretField {
  kind: 'password' | 'card';
  /** The field's name, id or autocomplete token, as written. */
  name: string;
  /** The action of the form it sits in ("" for the page itself), or null outside a form. */
  formAction: string | null;
}

const CARD_AUTOCOMPLETE = /^cc-(number|csc|exp|exp-month|exp-year)$/;
const CARD_NAME = /card.?(num|no\b|number)|cc.?(num|no\b)|\bcvv|\bcvc|\bcsc\b|security.?code|exp(iry|iration)?.?(date|month|year)/i;
const PASSWORD_AUTOCOMPLETE = /(^|\s)(current-password|new-password)$/;

/** Fields asking for a password or card details, in document order. */
export function secretFields(html: string): SecretField[] {
  const fields: SecretField[] = [];
  let formAction: string | null = null;
  tokenizeHtml(html, {
    startTag(name, source, start, end) {
      if (name === 'form') {
        formAction = parseAttributes(source, start, end).action ?? '';
        return;
      }
      if (name !== 'input') return;
      const attrs = parseAttributes(source, start, end);
      const type = (attrs.type ?? 'text').toLowerCase();
      if (type === 'hidden') return;
      const autocomplete = (attrs.autocomplete ?? '').toLowerCase().trim();
      const label = attrs.name || attrs.id || autocomplete || type;
      if (type === 'password' || PASSWORD_AUTOCOMPLETE.test(autocomplete)) fields.push({ kind: 'password', name: label, formAction });
      else if (CARD_AUTOCOMPLETE.test(autocomplete.split(/\s+/).at(-1) ?? '') || CARD_NAME.test(`${attrs.name ?? ''} ${attrs.id ?? ''}`))
        fields.push({ kind: 'card', name: label, formAction });
    },
    endTag(name) {
      if (name === 'form') formAction = null;
    },
    text() {},
  });
  return fields;
}

/** The text a reader sees (no script, style or markup), whitespace collapsed, up to `limit` characters. */
export function visibleText(html: string, limit = 20_000): string {
  const parts: string[] = [];
  let size = 0;
  tokenizeHtml(html, {
    startTag() {},
    endTag() {},
    text(source, start, end) {
      if (size > limit) return;
      const text = source.slice(start, end);
      parts.push(text);
      size += text.length;
    },
  });
  return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, limit);
}
