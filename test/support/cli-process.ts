// The built CLI (dist/clicktrace.mjs) as a user runs it: a child process, its exit code and output.
import { spawn } from 'node:child_process';
import { projectPath } from '../../src/project-root.js';

export const CLI = projectPath('dist', 'clicktrace.mjs');

export function cli(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    // Decoded as a stream: a chunk boundary may fall inside a multi-byte character.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
