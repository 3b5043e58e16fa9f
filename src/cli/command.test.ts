import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, UsageError, UserError } from '../errors.js';
import { EvidenceError } from '../evidence/errors.js';
import { ImportError } from '../import/common.js';
import { BrowserMissingError } from '../capture/browser.js';
import { ResolveError } from '../proxy/resolver.js';
import { parseResolveRule } from '../proxy/target-rules.js';
import { SubmissionError } from '../service/submission-error.js';
import { BodyError } from '../web/request-body.js';
import { UnsafeBindError } from '../web/security.js';
import { QueryError } from '../store/search-query.js';
import { CliError, numberOption, parse, runCommand } from './command.js';

/** Runs `body` as a command: its exit status and what it wrote to stderr. */
async function run(body: () => Promise<number>): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  };
  try {
    return { code: await runCommand(body), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test('every user-facing error is a UserError', () => {
  const errors = [
    new CliError('x'),
    new UsageError('x'),
    new EvidenceError('f', 'x'),
    new ImportError('f', 'x'),
    new BrowserMissingError('x'),
    new ResolveError('x', 'EPRIVATE'),
    new SubmissionError('x', 400, 'bad'),
    new BodyError('x', 413),
    new UnsafeBindError('x'),
    new QueryError('x'),
  ];
  for (const error of errors) assert.ok(error instanceof UserError, error.constructor.name);
});

test('a user error is one line and its exit code, whatever its class is called', async () => {
  assert.deepEqual(
    await run(() => {
      throw new EvidenceError('case/manifest.json', 'not JSON\nat line 2');
    }),
    { code: ExitCode.BadInput, stderr: 'clicktrace: case/manifest.json: not JSON at line 2\n' },
  );
  assert.deepEqual(await run(() => Promise.resolve(parseResolveRule('example.com:99999:127.0.0.1')).then(() => ExitCode.Ok)), {
    code: ExitCode.BadInput,
    stderr: 'clicktrace: --resolve "example.com:99999:127.0.0.1": bad port "99999"\n',
  });
  // A bundler may rename classes: the mapping does not look at names.
  const Renamed = class extends UserError {};
  Object.defineProperty(Renamed, 'name', { value: 'e' });
  assert.deepEqual(
    await run(() => {
      throw new Renamed('check failed', ExitCode.Failed);
    }),
    { code: ExitCode.Failed, stderr: 'clicktrace: check failed\n' },
  );
});

test('anything else is an internal error, exit 3, without a stack trace', async () => {
  const { code, stderr } = await run(() => {
    throw new TypeError('x is undefined\n    at somewhere (file.js:1:1)');
  });
  assert.equal(code, ExitCode.Internal);
  assert.equal(stderr, 'clicktrace: internal error: x is undefined\n');
});

test('an option value that starts with "-" is explained, not called "ambiguous"', () => {
  const options = { timeout: { type: 'string' }, 'user-agent': { type: 'string', short: 'A' } } as const;
  const refused = (argv: string[]) => {
    try {
      parse(argv, options, 'usage');
    } catch (err) {
      assert.ok(err instanceof CliError);
      return err.message;
    }
    assert.fail(`${argv.join(' ')} was accepted`);
  };
  assert.equal(
    refused(['--timeout', '-5']),
    '--timeout: a value is required; "-5" looks like an option (write --timeout=-5 if it is the value) (see --help)',
  );
  assert.equal(
    refused(['x', '-A', '-bot']),
    '--user-agent: a value is required; "-bot" looks like an option (write --user-agent=-bot if it is the value) (see --help)',
  );
  assert.equal(parse(['--timeout=-5'], options, 'usage')?.values.timeout, '-5');
});

test('a number option takes decimal digits only', () => {
  assert.equal(numberOption('4', '--n', { min: 1, max: 32 }), 4);
  assert.equal(numberOption(' 3 ', '--n', { min: 1, max: 32 }), 3);
  assert.equal(numberOption('2.5', '--t', { min: 1, max: 60, integer: false }), 2.5);
  assert.equal(numberOption('.5', '--t', { min: 0, max: 60, integer: false }), 0.5);
  for (const bad of ['0x4', '1e1', '0b11', '0o7', 'Infinity', '', ' ', '4abc', '+4', '-0', '1.5'])
    assert.throws(() => numberOption(bad, '--n', { min: 0, max: 32 }), CliError, bad);
  for (const bad of ['1e1', '0x4', 'Infinity', '.', '1.2.3'])
    assert.throws(() => numberOption(bad, '--t', { min: 0, max: 60, integer: false }), CliError, bad);
});
