import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// From src/ (tsx) or dist/src/ (built) the package root is one or two levels up.
const pkgPath = ['../package.json', '../../package.json']
  .map((p) => fileURLToPath(new URL(p, import.meta.url)))
  .find((p) => existsSync(p) && (JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'clicktrace');
const version = pkgPath ? (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version : '0.0.0';

export const TOOL = { name: 'clicktrace', version } as const;
