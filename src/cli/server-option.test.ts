import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverChoices } from './server-option.js';
import { CliError } from './command.js';

test('serverChoices: the per-trace options a command sends with each link, --no-nudge among them', () => {
  assert.deepEqual(serverChoices({}), {}, "nothing said: the server's settings apply");
  assert.deepEqual(serverChoices({ 'no-nudge': true }), { nudge: false });
  assert.deepEqual(serverChoices({ device: 'mobile', 'no-explore': true, 'no-nudge': true, timeout: '20' }), {
    device: 'mobile',
    exploreDepth: 0,
    timeoutMs: 20_000,
    nudge: false,
  });
  assert.throws(
    () => serverChoices({ timeout: '700' }),
    (err) => err instanceof CliError && /^--timeout: expected a number from 1 to 600, got "700" \(with --server\)$/.test(err.message),
  );
});
