// How the commands that run until stopped (serve, proxy, worker) take signals: SIGTERM and SIGINT
// stop them cleanly; SIGHUP stops them only when their terminal closed, and is ignored, and said
// so, without one (nohup, a service), which Node does not do by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { runCli, startCli } from './support/cli-process.js';
import { CLI } from './support/cli.js';
import { until } from './support/fleet-cluster.js';

const answers = async (url: string) => {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
};

test('serve and proxy without a terminal (nohup, a service): SIGHUP is ignored and said so; SIGTERM stops them, the proxy case sealed', async () => {
  const serve = startCli(['serve', '--port', '0', '--cases', tempDir('stop-serve-')]);
  await until(
    () => /http:\/\/127\.0\.0\.1:\d+\//.test(serve.stderr()),
    30_000,
    () => `serve to listen: ${serve.stderr()}`,
  );
  const base = /http:\/\/127\.0\.0\.1:\d+\//.exec(serve.stderr())![0];
  serve.child.kill('SIGHUP');
  await until(
    () => /clicktrace serve: SIGHUP ignored: no terminal to lose/.test(serve.stderr()),
    10_000,
    () => serve.stderr(),
  );
  assert.ok(await answers(base), 'serve still answers after SIGHUP');
  serve.child.kill('SIGTERM');
  const served = await serve.exited;
  assert.equal(served.code, 0, served.stderr);
  assert.match(served.stderr, /clicktrace serve: stopping/);

  const out = tempDir('stop-proxy-');
  const proxy = startCli(['proxy', '--port', '0', '--out', out]);
  await proxy.until((s) => /recording into /.test(s));
  proxy.child.kill('SIGHUP');
  await until(
    () => /clicktrace proxy: SIGHUP ignored/.test(proxy.stderr()),
    10_000,
    () => `stderr: ${proxy.stderr()} exit: ${proxy.child.exitCode} ${proxy.child.signalCode}`,
  );
  assert.equal(proxy.child.exitCode, null, 'the proxy still runs after SIGHUP');
  proxy.child.kill('SIGTERM');
  const proxied = await proxy.exited;
  assert.equal(proxied.code, 0, proxied.stderr);
  const [caseName] = readdirSync(out).filter((name) => !name.startsWith('.') && !name.endsWith('.db'));
  const verified = await runCli(['verify', join(out, caseName)]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
});

test('serve on a terminal that closes: it stops as for SIGTERM, not killed mid-way', async (t) => {
  if (spawnSync('script', ['--version']).error) return t.skip('no script(1) to give serve a terminal');
  const dir = tempDir('stop-serve-tty-');
  const log = join(dir, 'stderr.log');
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, 'serve', '--port', '0', '--cases', join(dir, 'cases')].map(quote).join(' ');
  const terminal = spawn('script', ['-qfc', `exec ${command} 2> ${quote(log)}`, '/dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const stderr = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  await until(
    () => /http:\/\/127\.0\.0\.1:\d+\//.test(stderr()),
    30_000,
    () => `serve to listen: ${stderr()}`,
  );
  const base = /http:\/\/127\.0\.0\.1:\d+\//.exec(stderr())![0];
  terminal.kill('SIGKILL');
  await until(
    () => /clicktrace serve: stopping/.test(stderr()),
    15_000,
    () => `serve to stop: ${stderr()}`,
  );
  await until(
    async () => !(await answers(base)),
    15_000,
    () => 'serve to be gone',
  );
});
