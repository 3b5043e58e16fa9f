// Where the case database lives and which folder names are cases.
//
// The database is `<casesDir>/clicktrace.db`, inside the cases folder rather than beside it: the
// folder then carries its own index when it is moved or archived, two case folders under one
// parent never share (and corrupt) one index, and the server needs write access to one folder
// only. Readers of the cases folder skip it because it is a file, not a case folder. The case
// folders stay the source of truth: deleting the database loses nothing (`clicktrace reindex`).
import { join } from 'node:path';

export const DATABASE_FILE = 'clicktrace.db';

export function databasePath(casesDir: string): string {
  return join(casesDir, DATABASE_FILE);
}

/** `20261126T182233Z-a1b2c3` (a capture) or `20261126T182233Z-a1b2c3-mail` (a message). */
const CASE_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}(?:-mail)?$/;

export function isCaseId(name: string): boolean {
  return CASE_ID.test(name);
}

export function isMessageCaseId(name: string): boolean {
  return isCaseId(name) && name.endsWith('-mail');
}
