// `clicktrace lab [--json] [--dns] [--dir DIR]`: starts the lab, prints every scenario with the
// exact trace command for it, and stays up until SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startLab, type Lab } from './lab.js';
import { labMailbox } from './mailbox.js';
import { ExitCode } from '../errors.js';

export interface LabCommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Stops the lab when aborted (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Called once the lab is up and its listing printed. */
  onReady?: (lab: Lab) => void;
}

/** The sample mailbox `clicktrace lab` writes, and the scenarios its messages link to (one each, the last one's link repeated). */
export const SAMPLE_MAILBOX_FILE = 'lab-sample.mbox';
const SAMPLE_SCENARIOS = ['seed', 'five-hop', 'meta-refresh', 'javascript', 'form-post'];

/**
 * Writes the sample mailbox into `dir`: an mbox of lab messages, each with a call-to-action to one
 * scenario and an unsubscribe link; its last message repeats the first's link (a batch traces it
 * once). Returns its path.
 */
export function writeSampleMailbox(lab: Lab, dir: string): string {
  const links = SAMPLE_SCENARIOS.flatMap((name) => (lab.scenarios[name] ? [lab.scenarios[name].url] : []));
  const path = join(dir, SAMPLE_MAILBOX_FILE);
  writeFileSync(path, labMailbox([...links, links[0]]));
  return path;
}

const USAGE = `usage: clicktrace lab [--json] [--dns] [--dir DIR]

Starts the local lab (HTTP, HTTPS and optionally DNS servers on 127.0.0.1) and prints its
scenarios with the trace command for each. Stays up until interrupted (Ctrl-C).
It also writes a sample mailbox of lab messages (${SAMPLE_MAILBOX_FILE}, in DIR or beside the
lab CA) and prints the command that traces it: clicktrace mail --trace main <mailbox> ...

  --json      print one JSON object (one line) instead of the human listing (sampleMailbox:
              the mailbox's path)
  --dns       also start the lab DNS server: the trace arguments printed then resolve every
              host name through it (--dns-server, --connect-to mapping ports only, and
              --allow-private, as it answers with loopback addresses), so CNAME chains are seen
  --dir DIR   keep the lab CA (and the sample mailbox) in DIR (created once, reused), so it
              can be trusted for good
`;

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Arguments for `clicktrace trace` against this lab, after the URL. With the lab DNS server, host
 * names are resolved by it (only the ports are mapped to the lab's), so that CNAME chains and base
 * domains that do not resolve are recorded; its answers are loopback addresses, hence
 * --allow-private. Without it, every host is pinned to the lab's address.
 */
export function labTraceArgs(lab: Lab): string[] {
  if (lab.dnsPort === null) return lab.traceArgs;
  return [
    '--connect-to',
    `:80::${lab.httpPort}`,
    '--connect-to',
    `:443::${lab.httpsPort}`,
    '--cacert',
    lab.caCertPath,
    '--dns-server',
    `127.0.0.1:${lab.dnsPort}`,
    '--allow-private',
  ];
}

export async function runLabCommand(argv: string[], io: LabCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let json = false;
  let dns = false;
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--dns') dns = true;
    else if (arg === '--dir' && argv[i + 1] !== undefined) dir = argv[++i];
    else if (arg.startsWith('--dir=')) dir = arg.slice('--dir='.length);
    else if (arg === '-h' || arg === '--help') {
      stdout.write(USAGE);
      return ExitCode.Ok;
    } else {
      stderr.write(`clicktrace lab: unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
      return ExitCode.BadInput;
    }
  }

  let lab: Lab;
  try {
    lab = await startLab({ dns, ...(dir ? { dir } : {}) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A --dir that cannot be made or written is the user's to fix, not the lab failing.
    if (dir && code && ['EEXIST', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOENT'].includes(code)) {
      stderr.write(`clicktrace lab: --dir ${JSON.stringify(dir)}: cannot be created or written (${code})\n`);
      return ExitCode.BadInput;
    }
    stderr.write(`clicktrace lab: could not start: ${(err as Error).message}\n`);
    return ExitCode.Failed;
  }

  const args = labTraceArgs(lab);
  let sampleMailbox: string;
  try {
    sampleMailbox = writeSampleMailbox(lab, dir ?? dirname(lab.caCertPath));
  } catch (err) {
    await lab.close();
    stderr.write(`clicktrace lab: the sample mailbox cannot be written: ${(err as Error).message}\n`);
    return ExitCode.Failed;
  }
  const mailCommand = ['clicktrace', 'mail', '--trace', 'main', sampleMailbox, ...args];
  const scenarios = Object.values(lab.scenarios).map((s) => ({
    ...s,
    command: ['clicktrace', 'trace', s.url, ...args, ...s.clicks.flatMap((c) => ['--click', c])],
  }));
  if (json) {
    stdout.write(
      JSON.stringify({
        httpPort: lab.httpPort,
        httpsPort: lab.httpsPort,
        dnsPort: lab.dnsPort,
        caCertPath: lab.caCertPath,
        traceArgs: args,
        sampleMailbox,
        mailCommand,
        scenarios,
      }) + '\n',
    );
  } else {
    const lines = [
      `clicktrace lab: HTTP 127.0.0.1:${lab.httpPort}, HTTPS 127.0.0.1:${lab.httpsPort}` +
        (lab.dnsPort !== null ? `, DNS 127.0.0.1:${lab.dnsPort}` : ''),
      `lab CA: ${lab.caCertPath}`,
      '',
      'Trace any scenario with:',
      `  clicktrace trace <url> ${args.map(shellQuote).join(' ')}`,
      '',
      `Sample mailbox: ${sampleMailbox} (${SAMPLE_SCENARIOS.length + 1} lab messages; the last repeats the first's link)`,
      'Trace its messages (each main link once, landing pages explored) with:',
      `  ${mailCommand.map(shellQuote).join(' ')}`,
      '',
      `Scenarios (${scenarios.length}):`,
    ];
    for (const s of scenarios) {
      lines.push(`  ${s.name}`, `    ${s.description}`, `    ${s.command.map(shellQuote).join(' ')}`);
    }
    lines.push('', 'Press Ctrl-C to stop.');
    stdout.write(lines.join('\n') + '\n');
  }
  io.onReady?.(lab);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });
  await lab.close();
  if (!json) stdout.write('clicktrace lab: stopped\n');
  return ExitCode.Ok;
}
