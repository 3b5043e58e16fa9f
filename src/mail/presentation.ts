// How an HTML element presents its content, as far as picking the main call-to-action needs:
// button-like box, font size, weight, heading, and whether it is rendered at all.

import { parseAttributes } from './html-tokenizer.js';

export interface Presentation {
  button: boolean;
  /** CSS pixels; 0 hides text (but not images); null when the element does not set it. */
  fontSize: number | null;
  bold: boolean;
  heading: boolean;
  /** Not rendered: display:none, visibility:hidden, opacity:0, collapsed to zero height, `hidden`. */
  hidden: boolean;
}

export const PLAIN: Presentation = { button: false, fontSize: null, bold: false, heading: false, hidden: false };

const FONT_SIZE_ATTR = [0, 10, 13, 16, 18, 24, 32, 48];
const NEUTRAL_BACKGROUND =
  /^(?:#f{3}(?:f{3})?|white|transparent|none|inherit|initial|#fefefe|#fafafa|rgba?\(\s*255\s*,\s*255\s*,\s*255.*)$/i;
const STYLE_HINT = /style|bgcolor|class|size|background|hidden/i;
const HIDDEN_STYLE =
  /display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?\s*(?:;|!|$)|max-height\s*:\s*0(?:px)?\s*(?:;|!|$)/i;

function fontSizePx(style: string): number | null {
  const match = /font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt|em|rem|%)?/i.exec(style);
  if (!match) return null;
  const value = parseFloat(match[1]);
  switch ((match[2] ?? 'px').toLowerCase()) {
    case 'pt':
      return value * 1.333;
    case 'em':
    case 'rem':
      return value * 16;
    case '%':
      return (value / 100) * 16;
    default:
      return value;
  }
}

function hasColouredBackground(style: string, bgcolor: string | undefined): boolean {
  if (bgcolor && !NEUTRAL_BACKGROUND.test(bgcolor.trim())) return true;
  const match = /background(?:-color)?\s*:\s*([^;]+)/i.exec(style);
  return !!match && !NEUTRAL_BACKGROUND.test(match[1].trim()) && !/^url\(/i.test(match[1].trim());
}

export function presentationOf(name: string, html: string, attrStart: number, attrEnd: number): Presentation {
  const heading = name === 'h1' || name === 'h2' || name === 'h3';
  const boldTag = name === 'b' || name === 'strong';
  if (!STYLE_HINT.test(html.slice(attrStart, attrEnd))) {
    return heading || boldTag || name === 'button' ? { ...PLAIN, heading, bold: boldTag, button: name === 'button' } : PLAIN;
  }
  const attrs = parseAttributes(html, attrStart, attrEnd);
  const style = attrs.style ?? '';
  const coloured = hasColouredBackground(style, attrs.bgcolor);
  const padded = /padding[a-z-]*\s*:\s*[1-9]/i.test(style);
  const rounded = /border-radius\s*:\s*[1-9]/i.test(style);
  const boxed = /display\s*:\s*(?:inline-)?block/i.test(style) || /border\s*:\s*[1-9]/i.test(style);
  const buttonClass = /(?:^|[\s_-])(?:btn|button|cta)(?:$|[\s_-])/i.test(attrs.class ?? '');
  let fontSize = fontSizePx(style);
  if (fontSize === null && name === 'font' && attrs.size)
    fontSize = FONT_SIZE_ATTR[Math.min(7, Math.max(1, parseInt(attrs.size, 10) || 3))];
  return {
    button:
      name === 'button' ||
      buttonClass ||
      (coloured && (padded || rounded || name === 'a')) ||
      (name === 'a' && padded && (boxed || rounded)),
    fontSize,
    bold: boldTag || /font-weight\s*:\s*(?:bold|[6-9]00)/i.test(style),
    heading,
    hidden: 'hidden' in attrs || HIDDEN_STYLE.test(style),
  };
}

/** Adds what an element inside an anchor contributes (a bigger font, bold, a button box). */
export function mergePresentation(into: Presentation, add: Presentation): void {
  into.button ||= add.button;
  into.bold ||= add.bold;
  into.heading ||= add.heading;
  if (add.fontSize) into.fontSize = Math.max(into.fontSize ?? 0, add.fontSize);
}
