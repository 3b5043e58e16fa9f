// Small pieces shared by the pages: pivot links, party badges, status labels, times.
import { appPath, appUrl, html, type SafeHtml } from '../html.js';
import type { PivotKind } from '../../store/index.js';
import { ROLE_WORDS } from '../../analyze/summary.js';

export const ROLE_LABELS: Record<string, string> = {
  ...ROLE_WORDS,
  unknown: 'unknown',
  'mail-esp': 'sending ESP',
  'mail-mailer': 'mailer',
  'mail-provider': 'mail provider',
};

/**
 * Whether the traces of a job (or batch) nudge a resting page that listens for a person
 * (capture/nudge.ts): the submission's own choice, else the server's setting.
 */
export function nudgeSetting(choice: boolean | undefined, serverNudges: boolean): string {
  if (choice === false) return 'off (this submission): a resting page that listens for a person is left alone';
  if (choice === true) return 'on (this submission)';
  return serverNudges ? "on (the server's setting)" : "off (the server's setting, --no-nudge)";
}

export function pivotHref(kind: PivotKind, value: string): string {
  return appUrl('/cases', { [kind]: value });
}

/** A value that links to every case sharing it. */
export function pivotLink(kind: PivotKind, value: string | null | undefined, className = `pivot pivot-${kind}`): SafeHtml {
  if (!value) return html``;
  return html`<a class="${className}" href="${pivotHref(kind, value)}" title="${`every case with this ${kind}`}">${value}</a>`;
}

export function partyBadge(
  party: { name: string | null; role: string; registrableDomain?: string | null; domain?: string | null } | null | undefined,
): SafeHtml {
  if (!party) return html``;
  const name = party.name ?? party.registrableDomain ?? party.domain ?? null;
  const role = ROLE_LABELS[party.role] ?? party.role;
  if (!name) return html`<span class="party role-${safeClass(party.role)}">${role}</span>`;
  return html`<a class="party role-${safeClass(party.role)}" href="${pivotHref('party', name)}" title="${`every case with party ${name}`}"
    ><span class="party-name">${name}</span> <span class="party-role">${role}</span></a
  >`;
}

/** A class-name fragment from a closed vocabulary; anything else becomes "other". */
export function safeClass(value: string | null | undefined): string {
  return value && /^[a-z0-9-]{1,40}$/.test(value) ? value : 'other';
}

export function statusLabel(status: number | null | undefined): SafeHtml {
  if (status === null || status === undefined) return html`<span class="status status-none">no response</span>`;
  return html`<span class="status status-${String(status)[0] ?? 'x'}xx">${status}</span>`;
}

export function caseLink(id: string, text?: string, elementId?: string): SafeHtml {
  const href = appPath('cases', id);
  return elementId
    ? html`<a class="case-link" id="${elementId}" href="${href}">${text ?? id}</a>`
    : html`<a class="case-link" href="${href}">${text ?? id}</a>`;
}

export function time(iso: string | null | undefined): SafeHtml {
  if (!iso) return html``;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}
