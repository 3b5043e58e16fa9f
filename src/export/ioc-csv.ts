// A flat IOC list as CSV (RFC 4180: comma, CRLF, fields quoted when they need it): one row per
// indicator and case, with the hop it was seen at, the party behind it and where it came from.
// Fields are written by csv.ts (formula cells defused, control characters written out).
import { isIP } from 'node:net';
import { isPrivateAddress } from '../proxy/resolver.js';
import type { CaseEvidence } from './case-evidence.js';
import { caseTime, hostOf, isoTime, partyName } from './common.js';
import { csvField } from './csv.js';

export const IOC_COLUMNS = ['case', 'hop', 'type', 'value', 'role', 'party', 'context', 'seen'] as const;

export interface IocRow {
  case: string;
  hop: number | null;
  type:
    | 'url'
    | 'domain'
    | 'ip'
    | 'x509-sha256'
    | 'email-from'
    | 'email-reply-to'
    | 'email-return-path'
    | 'email-subject'
    | 'message-id'
    | 'sending-ip';
  value: string;
  role: string;
  party: string;
  context: string;
  seen: string;
}

/** Every indicator of the cases, once per case and value, in the order of the evidence. */
export function iocRows(cases: CaseEvidence[]): IocRow[] {
  const rows: IocRow[] = [];
  for (const evidence of cases) {
    const seen = new Set<string>();
    const push = (row: IocRow) => {
      const key = `${row.type}|${row.value}`;
      if (!row.value || seen.has(key)) return;
      seen.add(key);
      rows.push(row);
    };
    const message = evidence.message;
    if (message) {
      const { analysis } = message.facts;
      const at = analysis.date && !Number.isNaN(Date.parse(analysis.date)) ? isoTime(analysis.date) : caseTime(evidence);
      const base = { case: evidence.id, hop: null, role: 'sender', party: analysis.esp[0]?.name ?? '', seen: at };
      if (analysis.from?.address) push({ ...base, type: 'email-from', value: analysis.from.address, context: 'From of the message' });
      for (const r of analysis.replyTo) push({ ...base, type: 'email-reply-to', value: r.address, context: 'Reply-To of the message' });
      if (analysis.returnPath)
        push({
          ...base,
          type: 'email-return-path',
          value: analysis.returnPath.replace(/^<|>$/g, ''),
          context: 'Return-Path of the message',
        });
      if (analysis.subject) push({ ...base, type: 'email-subject', value: analysis.subject, context: 'Subject of the message' });
      if (analysis.messageId) push({ ...base, type: 'message-id', value: analysis.messageId, context: 'Message-ID of the message' });
      for (const hop of analysis.received) {
        if (hop.fromIp && isIP(hop.fromIp) && !isPrivateAddress(hop.fromIp))
          push({
            ...base,
            type: 'sending-ip',
            value: hop.fromIp,
            context: `Received hop ${hop.hop}: from ${hop.from ?? '?'} by ${hop.by ?? '?'}`,
          });
      }
    }
    for (const chain of evidence.chains) {
      for (const hop of chain.report.hops) {
        const party = hop.party && hop.party.role !== 'unknown' ? hop.party : null;
        const base = {
          case: chain.id,
          hop: hop.index,
          role: party?.role ?? 'unknown',
          party: party ? partyName(party) : '',
          seen: isoTime(hop.timing.startedAt),
        };
        const how = `hop ${hop.index} (${hop.via}), HTTP ${hop.status ?? 'no response'}`;
        push({ ...base, type: 'url', value: hop.url, context: how });
        const host = hostOf(hop.url);
        if (host && !isIP(host)) push({ ...base, type: 'domain', value: host, context: `host of ${how}` });
        if (hop.ip) push({ ...base, type: 'ip', value: hop.ip, context: `address that served ${how}` });
        if (hop.tls?.cert)
          push({ ...base, type: 'x509-sha256', value: hop.tls.cert.sha256, context: `certificate of ${how}: ${hop.tls.cert.subject}` });
      }
    }
  }
  return rows;
}

export function toIocCsv(cases: CaseEvidence[]): string {
  const lines = [IOC_COLUMNS.join(',')];
  for (const row of iocRows(cases)) lines.push(IOC_COLUMNS.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
