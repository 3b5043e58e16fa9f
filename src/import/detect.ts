// Which importer a file needs, judged from its first bytes.
import type { Capture } from '../model.js';
import { ImportError } from './common.js';
import { importHar } from './har.js';
import { importMitmproxyFlows } from './mitmproxy.js';
import { isCaseBundle } from '../case/case-bundle.js';

/** case-bundle: a closed case packed by a fleet worker (src/case/case-bundle.ts), taken in whole by src/import/case-bundle.ts. */
export type ImportKind = 'har' | 'mitmproxy' | 'case-bundle';

export function detectImportKind(buf: Buffer): ImportKind | null {
  if (isCaseBundle(buf)) return 'case-bundle';
  // A flow file is a tnetstring dict whose first key is itself a tnetstring: "1234:4:type;...".
  if (/^\d{1,12}:\d{1,12}:/.test(buf.toString('latin1', 0, 32))) return 'mitmproxy';
  const head = buf
    .toString('utf8', 0, 64 * 1024)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('{') && /"log"\s*:/.test(head)) return 'har';
  return null;
}

/** Imports a HAR or mitmproxy flow file; throws ImportError for anything else. */
export function importCaptureFile(buf: Buffer, source: string): Capture {
  if (buf.every((b) => b <= 0x20)) throw new ImportError(source, 'empty file');
  switch (detectImportKind(buf)) {
    case 'har':
      return importHar(buf.toString('utf8'), source);
    case 'mitmproxy':
      return importMitmproxyFlows(buf, source);
    case 'case-bundle':
      throw new ImportError(source, 'a case bundle is a case already: it is verified and taken in whole, not imported as traffic');
    default:
      throw new ImportError(source, 'neither a HAR file nor a mitmproxy flow file (mitmdump -w)');
  }
}
