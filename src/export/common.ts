// Small facts every export format needs: the case's time, names of parties, TLP levels.
import type { PartyRef } from '../report.js';
import { timeFromCaseId } from '../store/case-rows.js';
import type { CaseEvidence } from './case-evidence.js';

export { registrableDomain } from '../store/case-rows.js';
export { hostOf } from '../http/host.js';

export const TLP_LEVELS = ['clear', 'green', 'amber', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

/** ISO 8601 with milliseconds and Z, as STIX and MISP want it; the input unchanged when it is not a time. */
export function isoTime(value: string): string {
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}

/** When the case was captured: its first chain's start, else when its message was recorded, else the time in its folder name. */
export function caseTime(evidence: CaseEvidence): string {
  const started = evidence.chains[0]?.report.startedAt;
  if (started && !Number.isNaN(Date.parse(started))) return isoTime(started);
  const recorded = evidence.message?.id === evidence.id ? evidence.message.facts.recordedAt : undefined;
  return recorded ?? timeFromCaseId(evidence.id) ?? '1970-01-01T00:00:00.000Z';
}

/** The party's name, else its registrable domain. */
export function partyName(party: PartyRef): string {
  return party.name ?? party.registrableDomain ?? 'unknown party';
}
