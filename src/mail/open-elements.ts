// The elements open at the current point of a tokenized HTML document, with what they impose on
// their content (hidden, inherited font size). Presentation is worked out lazily, only for
// elements around a link, and inherited values are memoised per element, so a document costs
// linear time however deep or broken its nesting.

import { PLAIN, presentationOf, type Presentation } from './presentation.js';

interface OpenElement {
  name: string;
  attrStart: number;
  attrEnd: number;
  look: Presentation | null;
  /** This element or one around it is hidden (undefined until asked). */
  hiddenWithin?: boolean;
  /** Font size in effect inside this element (undefined until asked). */
  fontSizeWithin?: number | null;
}

const VOID_TAGS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
  'frame',
  'keygen',
]);
/** Deeper nesting than this is not tracked (the document is broken beyond use anyway). */
const MAX_DEPTH = 10_000;

export class OpenElements {
  private readonly stack: OpenElement[] = [];
  private readonly openCount = new Map<string, number>();

  constructor(private readonly html: string) {}

  open(name: string, attrStart: number, attrEnd: number): void {
    if (VOID_TAGS.has(name) || this.stack.length >= MAX_DEPTH) return;
    this.stack.push({ name, attrStart, attrEnd, look: null });
    this.openCount.set(name, (this.openCount.get(name) ?? 0) + 1);
  }

  /** Closes the innermost open `name` and everything opened inside it; a stray end tag is ignored. */
  close(name: string): void {
    if (!this.openCount.get(name)) return;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const element = this.stack.pop()!;
      this.openCount.set(element.name, this.openCount.get(element.name)! - 1);
      if (element.name === name) return;
    }
  }

  /** Presentation of the element `depth` levels up from the innermost (0), or null. */
  presentationAt(depth: number): Presentation | null {
    const element = this.stack[this.stack.length - 1 - depth];
    return element ? this.lookOf(element) : null;
  }

  /** Presentation of an element just opened (the innermost), for merging into an anchor. */
  innermost(): Presentation {
    return this.presentationAt(0) ?? PLAIN;
  }

  /** Whether the innermost element or one around it is hidden. */
  isHidden(): boolean {
    let from = this.stack.length - 1;
    while (from >= 0 && this.stack[from].hiddenWithin === undefined) from--;
    let hidden = from >= 0 ? this.stack[from].hiddenWithin! : false;
    for (let i = from + 1; i < this.stack.length; i++) {
      hidden = hidden || this.lookOf(this.stack[i]).hidden;
      this.stack[i].hiddenWithin = hidden;
    }
    return hidden;
  }

  /** The font size in effect at the innermost element (from the nearest element that sets one). */
  inheritedFontSize(): number | null {
    let from = this.stack.length - 1;
    while (from >= 0 && this.stack[from].fontSizeWithin === undefined) from--;
    let size = from >= 0 ? this.stack[from].fontSizeWithin! : null;
    for (let i = from + 1; i < this.stack.length; i++) {
      size = this.lookOf(this.stack[i]).fontSize ?? size;
      this.stack[i].fontSizeWithin = size;
    }
    return size;
  }

  private lookOf(element: OpenElement): Presentation {
    return (element.look ??= presentationOf(element.name, this.html, element.attrStart, element.attrEnd));
  }
}
