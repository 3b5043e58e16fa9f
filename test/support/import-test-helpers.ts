// Shared by the import tests: a document chain as short lines, comparable across hosts and ports.
import type { NavEvent } from '../../src/model.js';

export function chainOf(events: NavEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.type === 'doc-request') {
      const after = e.redirectStatus ? ` after ${e.redirectStatus} ${e.redirectLocation}` : '';
      return [`request ${e.requestId} ${new URL(e.url).pathname}${after}`];
    }
    if (e.type === 'doc-response') return [`response ${e.requestId} ${e.status} ${e.mimeType}`];
    if (e.type === 'doc-failed') return [`failed ${e.requestId} ${e.errorText}`];
    if (e.type === 'settled') return [`settled ${new URL(e.url).pathname} "${e.title}"`];
    return [e.type];
  });
}
