// How Chromium gets its sandbox. As a normal user: its own. As root, where Chromium refuses its
// sandbox: it runs as an unprivileged user (nobody) with the sandbox on; where that cannot start
// (no user namespaces), as root without a sandbox, which is remembered for this kernel.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { clicktraceHome } from '../home.js';

export type SandboxPlan = { kind: 'own' } | { kind: 'user'; name: string; uid: number; gid: number } | { kind: 'none' };

const SANDBOX_USER = 'nobody';

export function sandboxPlan(chromiumPath: string): SandboxPlan {
  if (process.getuid?.() !== 0) return { kind: 'own' };
  if (readNoSandbox() === noSandboxKey(chromiumPath)) return { kind: 'none' };
  const user = systemUser(SANDBOX_USER);
  return user ? { kind: 'user', name: SANDBOX_USER, ...user } : { kind: 'none' };
}

function systemUser(name: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid && /^\d+$/.test(uid) && /^\d+$/.test(gid) ? { uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}

const noSandboxFile = () => join(clicktraceHome(), 'chromium-no-sandbox');
const noSandboxKey = (chromiumPath: string) => `${chromiumPath} ${release()}`;

function readNoSandbox(): string | null {
  try {
    return readFileSync(noSandboxFile(), 'utf8').split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

/** Chromium said why its sandbox cannot start as the unprivileged user: later launches go without it. */
export function rememberNoSandbox(chromiumPath: string, reason: string): void {
  try {
    mkdirSync(clicktraceHome(), { recursive: true });
    writeFileSync(noSandboxFile(), `${noSandboxKey(chromiumPath)}\nChromium could not start its sandbox as ${SANDBOX_USER}: ${reason}\n`);
    process.stderr.write(
      `clicktrace: Chromium cannot start its sandbox as ${SANDBOX_USER} here (${reason}); it runs as root without one (remembered in ${noSandboxFile()})\n`,
    );
  } catch {
    // Not remembered: the next launch tries the sandbox again.
  }
}

/** Spawn options that run Chromium as the plan's user, its home the fresh profile (nothing of the invoking user's is read or written). */
export function sandboxSpawnOptions(plan: SandboxPlan, profileDir: string): { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } {
  if (plan.kind !== 'user') return {};
  return {
    uid: plan.uid,
    gid: plan.gid,
    env: { ...process.env, HOME: profileDir, XDG_CONFIG_HOME: profileDir, XDG_CACHE_HOME: profileDir },
  };
}
