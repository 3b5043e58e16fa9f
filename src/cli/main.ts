#!/usr/bin/env node
// clicktrace command line: dispatches to one module per command, loaded lazily so that start-up
// only pays for the command that runs.
import { CliError, runCommand } from './command.js';
import { endRun, quitWhenOutputCloses } from './interrupt.js';
import { ExitCode } from '../errors.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: (argv: string[]) => Promise<number> }> }> = {
  trace: { summary: 'follow a link in Chromium behind the recording proxy, record the case', load: () => import('./trace-command.js') },
  compare: {
    summary: 'trace a link as several visitors (desktop, mobile, headless, scanner, webmail, lang=..) and expose cloaking',
    load: () => import('./compare-command.js'),
  },
  mail: { summary: 'read .eml/mbox/Maildir: links, header forensics; optionally trace links', load: () => import('./mail-command.js') },
  unwrap: { summary: 'decode link wrappers (SafeLinks, Proofpoint, ...) without visiting', load: () => import('./unwrap-command.js') },
  demo: { summary: 'start the lab and trace the seed scenario with --click "Find out more"', load: () => import('./demo-command.js') },
  lab: { summary: 'run the local lab of trackers, brokers and advertisers', load: () => import('./lab-command.js') },
  proxy: { summary: 'standalone recording MITM proxy for any browser', load: () => import('./proxy-command.js') },
  analyze: { summary: 'rebuild the report of a case from its WARC alone', load: () => import('./analyze-command.js') },
  verify: { summary: 'check every digest (and signature) of a case', load: () => import('./verify-command.js') },
  replay: { summary: 'serve a case offline from its WARC', load: () => import('./replay-command.js') },
  import: { summary: 'turn a HAR or mitmproxy flow file into a case', load: () => import('./import-command.js') },
  key: { summary: 'key init: create the Ed25519 key that signs case manifests', load: () => import('./key-command.js') },
  serve: { summary: 'web UI and JSON API over the case store', load: () => import('./serve-command.js') },
  worker: {
    summary: 'trace for a server from its Redis queue (a fleet of workers, serve --queue)',
    load: () => import('./worker-command.js'),
  },
  reindex: { summary: 'rebuild the case database from the case folders', load: () => import('./reindex-command.js') },
  export: { summary: 'a case (or a search) as a MISP event, STIX 2.1 bundle or IOC CSV', load: () => import('./export-command.js') },
  abuse: { summary: 'draft abuse reports (.eml) to the parties responsible for a case', load: () => import('./abuse-command.js') },
  report: {
    summary: 'who is responsible across the case store: platforms, trackers, brokers, advertisers, networks',
    load: () => import('./report-command.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: clicktrace <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "clicktrace <command> --help" for the options of a command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? ExitCode.Ok : ExitCode.BadInput;
  }
  if (name === '--version' || name === '-V') {
    const { TOOL } = await import('../version.js');
    process.stdout.write(`${TOOL.name} ${TOOL.version}\n`);
    return ExitCode.Ok;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}" (see clicktrace --help)`);
  const module = await command.load();
  return module.run(rest);
}

// Any command's reader may go away (`| head`): SIGPIPE's status, no stack trace.
quitWhenOutputCloses();
endRun(await runCommand(() => main(process.argv.slice(2))));
