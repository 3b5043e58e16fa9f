// Sharing a case and acting on it, from its recorded evidence:
//   GET /cases/:id/export/:format      a MISP event, STIX 2.1 bundle or IOC CSV, as a download
//   GET /cases/:id/abuse               preview of the abuse report drafts, one per responsible party
//   GET /cases/:id/abuse/:n            draft n as an .eml download (nothing is sent)
//   GET /api/cases/:id/abuse           the drafts as JSON (recipient, why, text, attachments)
// Downloads are attachments under the sandbox CSP: captured text never renders in this origin.
import type { ServerResponse } from 'node:http';
import { isCaseId } from '../store/index.js';
import { readHomeConfig } from '../home-config.js';
import type { CaseEvidence } from '../export/case-evidence.js';
import { route, type RequestContext, type Route } from './router.js';
import { sendHtml, sendJson, sendJsonError } from './responses.js';
import { CAPTURED_FILE_CSP, securityHeaders } from './security.js';
import { layout } from './views/layout.js';
import { errorBody } from './views/error-page.js';
import { abuseBody } from './views/share-section.js';

async function evidenceOf(ctx: RequestContext, id: string): Promise<CaseEvidence | null> {
  const dir = isCaseId(id) ? ctx.service.store.caseDir(id) : null;
  if (!dir) return null;
  const { loadCaseEvidence } = await import('../export/case-evidence.js');
  try {
    return await loadCaseEvidence(dir);
  } catch {
    return null;
  }
}

function notFound(ctx: RequestContext, id: string): void {
  sendHtml(ctx.res, 404, layout('Not found', errorBody(404, `No case ${id}.`)));
}

function sendDownload(res: ServerResponse, body: Buffer, contentType: string, fileName: string): void {
  res.writeHead(200, {
    ...securityHeaders(CAPTURED_FILE_CSP),
    'Content-Type': contentType,
    'Content-Length': String(body.length),
    'Content-Disposition': `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

async function exportCase(ctx: RequestContext, id: string, format: string): Promise<void> {
  const { isExportFormat, renderExport, EXPORT_TYPES } = await import('../export/export.js');
  if (!isExportFormat(format)) return sendHtml(ctx.res, 404, layout('Not found', errorBody(404, `No export format ${format}.`)));
  const evidence = await evidenceOf(ctx, id);
  if (!evidence) return notFound(ctx, id);
  const type = EXPORT_TYPES[format];
  sendDownload(ctx.res, renderExport([evidence], format), type.contentType, `${id}.${type.extension}`);
}

async function drafts(ctx: RequestContext, id: string) {
  const evidence = await evidenceOf(ctx, id);
  if (!evidence) return null;
  const { draftAbuseReports } = await import('../abuse/draft.js');
  const from = readHomeConfig().abuse?.from ?? null;
  return { evidence, from, drafts: draftAbuseReports(evidence, { from }) };
}

export const shareRoutes: Route[] = [
  route('GET', /^\/cases\/([^/]+)\/export\/([a-z]+)$/, (ctx, id, format) => exportCase(ctx, id, format)),
  route('GET', /^\/cases\/([^/]+)\/abuse$/, async (ctx, id) => {
    const found = await drafts(ctx, id);
    if (!found) return notFound(ctx, id);
    sendHtml(ctx.res, 200, layout(`Abuse reports for ${id}`, abuseBody(id, found.drafts, found.from)));
  }),
  route('GET', /^\/cases\/([^/]+)\/abuse\/(\d{1,3})$/, async (ctx, id, n) => {
    const found = await drafts(ctx, id);
    const draft = found?.drafts[Number(n) - 1];
    if (!found || !draft) return notFound(ctx, id);
    const { composeEml } = await import('../abuse/draft.js');
    sendDownload(ctx.res, await composeEml(draft, found.from), 'message/rfc822', `${id}-${draft.fileName}`);
  }),
  route('GET', /^\/api\/cases\/([^/]+)\/abuse$/, async (ctx, id) => {
    const found = await drafts(ctx, id);
    if (!found) return sendJsonError(ctx.res, 404, 'not-found', `no case ${id}`);
    sendJson(ctx.res, 200, {
      case: id,
      drafts: found.drafts.map((d, i) => ({
        n: i + 1,
        party: d.party.name,
        roles: d.party.roles,
        why: d.party.why,
        to: d.recipient.to,
        placeholder: d.recipient.placeholder,
        recipientSource: d.recipient.source,
        web: d.recipient.web,
        subject: d.subject,
        text: d.text,
        attachments: d.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, bytes: a.content.length })),
        eml: `/cases/${encodeURIComponent(id)}/abuse/${i + 1}`,
      })),
    });
  }),
];
