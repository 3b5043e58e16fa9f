// A page control as explore reads it, for the unit tests of scoring and of click listeners: an
// ordinary text link unless `fields` says otherwise.
import type { PageControl } from '../model.js';

export function testControl(fields: Partial<PageControl> = {}): PageControl {
  return {
    tag: 'a',
    role: null,
    type: null,
    text: 'Read the story',
    href: 'https://promo.example/story',
    rawHref: '/story',
    download: false,
    box: { x: 400, y: 300, width: 120, height: 18 },
    hidden: null,
    look: { background: null, padding: [0, 0], radius: 0, fontSize: 16 },
    landmark: null,
    form: null,
    cookieBanner: false,
    ...fields,
  };
}
