/**
 * The breach report (issue 20), for admins: `GET /api/admin/breach-report` and `.csv`, with
 * `clinicianId` or `deviceId` (exactly one) and `from`/`to` (both, ISO times). Every report is
 * itself on the audit log (`breach_report.generated`, naming whom or which workstation it was
 * about), before it is sent.
 */
import { z } from 'zod';
import { BREACH_REPORT_CSV_COLUMNS, Id, ProtocolError, type BreachReport } from '../../shared/protocol.js';
import { breachReport, breachReportRows } from '../audit/breachReport.js';
import { sendJson } from '../http/support.js';
import { csvOf } from '../rosters/csv.js';
import { auditApi, describeIssue, requireClinician, type RequestContext, type Route } from './context.js';

const BreachQuery = z
  .object({
    clinicianId: Id.optional(),
    deviceId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,64}$/)
      .optional(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
  })
  .refine((q) => (q.clinicianId === undefined) !== (q.deviceId === undefined), 'name exactly one of clinicianId and deviceId')
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), '`to` must be after `from`');

async function reportFor(ctx: RequestContext, format: 'json' | 'csv'): Promise<BreachReport> {
  const admin = await requireClinician(ctx);
  if (!admin.roles.includes('admin')) throw new ProtocolError('FORBIDDEN', 'only admins make breach reports', { reason: 'breach-forbidden' });
  const query = BreachQuery.safeParse(Object.fromEntries(ctx.query));
  if (!query.success) throw new ProtocolError('BAD_REQUEST', describeIssue(query.error));
  const { clinicianId, deviceId } = query.data;
  const from = new Date(query.data.from).toISOString();
  const to = new Date(query.data.to).toISOString();
  const report = await breachReport(
    ctx.deps.store,
    { ...(clinicianId ? { clinicianId } : {}), ...(deviceId ? { deviceId } : {}), from, to },
    ctx.deps.lifecycle.now(),
  );
  // On record before it leaves: a report about a compromise is itself something to account for.
  await auditApi(ctx, 'breach_report.generated', admin, {
    subjectId: clinicianId ?? `device:${deviceId}`,
    detail: `${format} ${from}..${to} ${report.entries} entries`,
  });
  return report;
}

export const breachRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/admin/breach-report',
    async handler(ctx) {
      sendJson(ctx.res, 200, await reportFor(ctx, 'json'));
    },
  },
  {
    method: 'GET',
    path: '/api/admin/breach-report.csv',
    async handler(ctx) {
      const report = await reportFor(ctx, 'csv');
      const csv = csvOf(BREACH_REPORT_CSV_COLUMNS, breachReportRows(report));
      const who = (report.clinicianId ?? report.deviceId ?? 'unknown').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40);
      ctx.res.statusCode = 200;
      ctx.res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      ctx.res.setHeader('Content-Disposition', `attachment; filename="breach-report-${report.from.slice(0, 10)}-${who}.csv"`);
      ctx.res.setHeader('Content-Length', Buffer.byteLength(csv));
      ctx.res.end(csv);
    },
  },
];
