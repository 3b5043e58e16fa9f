// Hidden folders of a cases folder that one process makes and renames into place or removes
// itself (a case being made, an upload being taken in): `.<kind>-<pid>@<host>-<random>`. The index
// skips them (not case ids), and the rename stays on one file system. One that a process killed
// mid-way left behind is removed by the next run on this host (a live process's are left).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAliveSince } from '../capture/profiles.js';

export type ProcessFolderKind = 'incoming' | 'opening';

const FOLDER = /^\.([a-z]+)-(\d+)@(.+)-[^-]+$/;

const hostPart = () => hostname().replace(/[^A-Za-z0-9.]/g, '_');

/** Makes a folder of this process in `dir`: `.<kind>-<pid>@<host>-<random>`. */
export function makeProcessFolder(dir: string, kind: ProcessFolderKind): string {
  return mkdtempSync(join(dir, `.${kind}-${process.pid}@${hostPart()}-`));
}

/** Removes the `kind` folders that processes of this host left in `dir` when they were killed; their names. */
export function removeAbandonedProcessFolders(dir: string, kind: ProcessFolderKind): string[] {
  const host = hostPart();
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = FOLDER.exec(name);
    if (!match || match[1] !== kind || match[3] !== host) continue;
    // Its pid running now may be another process (a restarted container gives the same pids again, this one's too).
    let madeAt: number;
    try {
      madeAt = statSync(join(dir, name)).mtimeMs;
    } catch {
      continue; // gone meanwhile
    }
    if (processAliveSince(Number(match[2]), madeAt)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
