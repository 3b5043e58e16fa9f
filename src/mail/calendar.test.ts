import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarText, isCalendar } from './calendar.js';

test('calendarText unfolds lines, undoes escapes and keeps only what an invitee is shown', () => {
  const ics = [
    'BEGIN:VEVENT',
    'ORGANIZER;CN="Team: Wealth":mailto:calendar@webinar.example',
    'DESCRIPTION:Turn $250 into $12\\,000!\\n\\nReserve your seat: http://track.brok',
    ' er.test/t/seat?id=1\\nLimited places.',
    'SUMMARY;LANGUAGE=en:Crypto webinar',
    'END:VEVENT',
  ].join('\r\n');
  assert.equal(
    calendarText(ics),
    'Turn $250 into $12,000!\n\nReserve your seat: http://track.broker.test/t/seat?id=1\nLimited places.\n\nCrypto webinar',
  );
});

test('isCalendar by content type or file name', () => {
  assert.ok(isCalendar('text/calendar', null));
  assert.ok(isCalendar('application/octet-stream', 'invite.ics'));
  assert.ok(!isCalendar('text/plain', 'notes.txt'));
});
