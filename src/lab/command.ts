// `clicktrace lab [--json] [--dns] [--dir DIR]`: starts the lab, prints every scenario with the
// exact trace command for it, and stays up until SIGINT/SIGTERM.
import { startLab, type Lab } from './lab.js';
import { ExitCode } from '../errors.js';

export interface LabCommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Stops the lab when aborted (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Called once the lab is up and its listing printed. */
  onReady?: (lab: Lab) => void;
}

const USAGE = `usage: clicktrace lab [--json] [--dns] [--dir DIR]

Starts the local lab (HTTP, HTTPS and optionally DNS servers on 127.0.0.1) and prints its
scenarios with the trace command for each. Stays up until interrupted (Ctrl-C).

  --json      print one JSON object (one line) instead of the human listing
  --dns       also start the lab DNS server (prints the --dns-server argument)
  --dir DIR   keep the lab CA in DIR (created once, reused), so it can be trusted for good
`;

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Arguments for `clicktrace trace` against this lab, after the URL. */
export function labTraceArgs(lab: Lab): string[] {
  return [...lab.traceArgs, ...(lab.dnsPort !== null ? ['--dns-server', `127.0.0.1:${lab.dnsPort}`] : [])];
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
