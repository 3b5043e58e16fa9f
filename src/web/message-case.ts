// Message folders for uploaded .eml files, in the same format `clicktrace mail` writes
// (src/mail/message-case.ts): message.eml as received and message.json, a MessageRecord whose
// `traces` list grows as links are traced.
import { messageCaseName, rewriteMessageRecord, writeMessageCase, type MessageRecord } from '../mail/message-case.js';

export { messageRecord, traceableMainLink } from '../mail/message-case.js';

export function createMessageCase(casesDir: string, raw: Buffer, record: MessageRecord): { id: string; dir: string } {
  const id = messageCaseName();
  record.case = id;
  return { id, dir: writeMessageCase(casesDir, id, raw, record) };
}

/** Adds a finished trace to the record and rewrites message.json (atomically), sealed again. */
export function addTrace(dir: string, record: MessageRecord, trace: MessageRecord['traces'][number]): void {
  record.traces.push(trace);
  rewriteMessageRecord(dir, record);
}
