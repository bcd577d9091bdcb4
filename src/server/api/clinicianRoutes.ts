/**
 * Who am I, who are my colleagues, and account administration (admins only). The rules
 * live in accounts/accounts.ts, shared with the admin command.
 */
import { CreateClinicianRequest, ResetPasswordRequest, UpdateClinicianRequest } from '../../shared/protocol.js';
import { toUser } from '../auth/authService.js';
import { sendJson } from '../http/support.js';
import { parseBody, requireAdmin, requireClinician, type Route } from './context.js';

export const clinicianRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/me',
    async handler(ctx) {
      sendJson(ctx.res, 200, toUser(await requireClinician(ctx)));
    },
  },
  {
    method: 'GET',
    path: '/api/clinicians',
    async handler(ctx) {
      await requireClinician(ctx);
      sendJson(ctx.res, 200, await ctx.deps.accounts.colleagues());
    },
  },
  {
    method: 'GET',
    path: '/api/admin/clinicians',
    async handler(ctx) {
      await requireAdmin(ctx);
      sendJson(ctx.res, 200, await ctx.deps.accounts.list());
    },
  },
  {
    method: 'POST',
    path: '/api/admin/clinicians',
    async handler(ctx) {
      const admin = await requireAdmin(ctx);
      const request = await parseBody(ctx, CreateClinicianRequest);
      sendJson(ctx.res, 201, await ctx.deps.accounts.create({ id: admin.id, address: ctx.address, device: ctx.device }, request));
    },
  },
  {
    method: 'PATCH',
    path: '/api/admin/clinicians/:id',
    async handler(ctx) {
      const admin = await requireAdmin(ctx);
      const changes = await parseBody(ctx, UpdateClinicianRequest);
      sendJson(ctx.res, 200, await ctx.deps.accounts.update({ id: admin.id, address: ctx.address, device: ctx.device }, ctx.params.id ?? '', changes));
    },
  },
  {
    method: 'POST',
    path: '/api/admin/clinicians/:id/password',
    async handler(ctx) {
      const admin = await requireAdmin(ctx);
      const { password } = await parseBody(ctx, ResetPasswordRequest);
      await ctx.deps.accounts.resetPassword({ id: admin.id, address: ctx.address, device: ctx.device }, ctx.params.id ?? '', password);
      sendJson(ctx.res, 200, {});
    },
  },
  {
    method: 'POST',
    path: '/api/admin/clinicians/:id/totp',
    async handler(ctx) {
      const admin = await requireAdmin(ctx);
      sendJson(ctx.res, 200, await ctx.deps.accounts.enrolTotp({ id: admin.id, address: ctx.address, device: ctx.device }, ctx.params.id ?? ''));
    },
  },
];
