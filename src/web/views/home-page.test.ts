import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keptFields, submitForm } from './home-page.js';
import { formFromUrlencoded } from '../request-body.js';

const LIMITS = { allowPrivate: false, maxMessageBytes: 1 << 20, maxListBytes: 1 << 20, maxListUrls: 1000 };

/** The nudge checkbox of a rendered form: whether it is ticked, and whether the hidden "off" comes before it. */
function nudgeBox(form: string): { ticked: boolean; offFirst: boolean } {
  const box = /<input type="checkbox" name="nudge" value="on"( checked)? \/>/.exec(form);
  assert.ok(box, 'the nudge checkbox');
  const hidden = form.indexOf('<input type="hidden" name="nudge" value="off" />');
  return { ticked: box[1] !== undefined, offFirst: hidden >= 0 && hidden < box.index };
}

test("the form's nudge checkbox: ticked as the server nudges, its hidden off first (an unticked box says off)", () => {
  const nudging = submitForm({}, { ...LIMITS, nudges: true }).toString();
  assert.deepEqual(nudgeBox(nudging), { ticked: true, offFirst: true });
  assert.match(nudging, /this server's default: ticked/);
  assert.doesNotMatch(nudging, /<details[^>]* open>/, 'nothing differs from the defaults: the options stay folded');
  const quiet = submitForm({}, { ...LIMITS, nudges: false }).toString();
  assert.deepEqual(nudgeBox(quiet), { ticked: false, offFirst: true });
  assert.match(quiet, /this server's default: unticked, --no-nudge/);
});

test('a refused form keeps its nudge box as sent (the last value), and shows the options open when it differs', () => {
  const unticked = keptFields(formFromUrlencoded(Buffer.from('url=x&nudge=off')));
  assert.equal(unticked.nudge, 'off');
  const form = submitForm(unticked, { ...LIMITS, nudges: true }).toString();
  assert.equal(nudgeBox(form).ticked, false);
  assert.match(form, /<details class="trace-options-form" id="trace-options-form" open>/);
  const ticked = keptFields(formFromUrlencoded(Buffer.from('url=x&nudge=off&nudge=on')));
  assert.equal(ticked.nudge, 'on');
  assert.equal(nudgeBox(submitForm(ticked, { ...LIMITS, nudges: false }).toString()).ticked, true);
});
