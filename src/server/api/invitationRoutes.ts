/** Invitations over HTTP; the rules live in sessions/invitationService.ts. */
import { CreateInvitationRequest } from '../../shared/protocol.js';
import { sendJson } from '../http/support.js';
import { parseBody, requireClinician, type Route } from './context.js';

export const invitationRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/sessions/:id/invitations',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      sendJson(ctx.res, 200, await ctx.deps.invitations.list(me, ctx.params.id ?? ''));
    },
  },
  {
    method: 'POST',
    path: '/api/sessions/:id/invitations',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const request = await parseBody(ctx, CreateInvitationRequest);
      sendJson(ctx.res, 201, await ctx.deps.invitations.create(me, ctx.params.id ?? '', request, { address: ctx.address, device: ctx.device }));
    },
  },
  {
    method: 'POST',
    path: '/api/invitations/:id/reissue',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      sendJson(ctx.res, 200, await ctx.deps.invitations.reissue(me, ctx.params.id ?? '', { address: ctx.address, device: ctx.device }));
    },
  },
  {
    method: 'POST',
    path: '/api/invitations/:id/revoke',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      sendJson(ctx.res, 200, await ctx.deps.invitations.revoke(me, ctx.params.id ?? '', { address: ctx.address, device: ctx.device }));
    },
  },
];
