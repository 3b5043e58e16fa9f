// The lab in a process of its own (`clicktrace lab --json`), as the internet is to a real trace:
// its TLS handshakes and page serving then never land in the measured process's CPU or event loop.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../clicktrace.mjs', import.meta.url));

export interface LabProcess {
  httpPort: number;
  httpsPort: number;
  caCertPath: string;
  /** --connect-to and --cacert options that reach it. */
  traceArgs: string[];
  /** Start URL of each scenario, by name. */
  urls: Record<string, string>;
  close(): Promise<void>;
}

export async function startLabProcess(dir: string): Promise<LabProcess> {
  const child = spawn(process.execPath, [CLI, 'lab', '--json', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let text = '';
  child.stdout.setEncoding('utf8');
  const first = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      text += d;
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    void exited.then(() => reject(new Error('the lab exited at start')));
  });
  const lab = JSON.parse(first) as {
    httpPort: number;
    httpsPort: number;
    caCertPath: string;
    traceArgs: string[];
    scenarios: { name: string; url: string }[];
  };
  return {
    httpPort: lab.httpPort,
    httpsPort: lab.httpsPort,
    caCertPath: lab.caCertPath,
    traceArgs: lab.traceArgs,
    urls: Object.fromEntries(lab.scenarios.map((s) => [s.name, s.url])),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
