/**
 * The JSON API under /api: sign-in and sign-out, scheduling, invitations, accounts, note sync, rosters
 * and audit. One
 * table of routes, matched by method and path pattern (`:name` is one path segment); each
 * route checks who is asking itself, so no route can forget it by being in the wrong list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Id, LoginRequest, ProtocolError, ReauthRequest } from '../../shared/protocol.js';
import { breachRoutes } from '../api/breachRoutes.js';
import { clinicianRoutes } from '../api/clinicianRoutes.js';
import { deviceOf, parseBody, requireClinician, requireToken, tokenHashOf, type ApiDeps, type RequestContext, type Route } from '../api/context.js';
import { invitationRoutes } from '../api/invitationRoutes.js';
import { noteRoutes } from '../api/noteRoutes.js';
import { rosterRoutes } from '../api/rosterRoutes.js';
import { sessionRoutes } from '../api/sessionRoutes.js';
import { HttpError, readJsonBody, sendJson } from './support.js';

export type { ApiDeps } from '../api/context.js';

const authRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/login',
    async handler(ctx) {
      const parsed = LoginRequest.safeParse(await readJsonBody(ctx.req));
      if (!parsed.success) throw new HttpError(400, 'BAD_REQUEST', 'username and password are needed');
      const { username, password, totp } = parsed.data;
      sendJson(ctx.res, 200, await ctx.deps.auth.login({ username, password, totp, address: ctx.address, device: ctx.device }));
    },
  },
  {
    // Unlocking an idle-locked console: the signed-in clinician's password (and code).
    method: 'POST',
    path: '/api/reauth',
    async handler(ctx) {
      const token = requireToken(ctx);
      const { password, totp } = await parseBody(ctx, ReauthRequest);
      try {
        await ctx.deps.auth.reauth(token, { password, totp, address: ctx.address });
      } catch (err) {
        // Too many wrong attempts ended the sign-in: its live sockets go with it.
        if (err instanceof ProtocolError && err.code === 'UNAUTHENTICATED') ctx.deps.live.closeToken(tokenHashOf(ctx), 'signed out');
        throw err;
      }
      sendJson(ctx.res, 200, {});
    },
  },
  {
    method: 'POST',
    path: '/api/logout',
    async handler(ctx) {
      await requireClinician(ctx);
      await ctx.deps.auth.logout(requireToken(ctx), ctx.address);
      // A signed-out console must not keep listening to a group through a socket it left open.
      ctx.deps.live.closeToken(tokenHashOf(ctx), 'signed out');
      sendJson(ctx.res, 200, {});
    },
  },
];

const ROUTES: readonly Route[] = [...authRoutes, ...sessionRoutes, ...invitationRoutes, ...clinicianRoutes, ...noteRoutes, ...rosterRoutes, ...breachRoutes];

interface CompiledRoute extends Route {
  segments: string[];
}

const COMPILED: readonly CompiledRoute[] = ROUTES.map((r) => ({ ...r, segments: r.path.split('/') }));

function match(route: CompiledRoute, segments: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = route.segments[i] ?? '';
    const got = segments[i] ?? '';
    if (want.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(got);
      } catch {
        return undefined;
      }
      if (!Id.safeParse(value).success) return undefined;
      params[want.slice(1)] = value;
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}

export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: ApiDeps): Promise<void> {
  const segments = url.pathname.replace(/\/$/, '').split('/');
  const candidates = COMPILED.flatMap((route) => {
    const params = match(route, segments);
    return params ? [{ route, params }] : [];
  });
  if (candidates.length === 0) throw new HttpError(404, 'NOT_FOUND', 'no such endpoint');
  const found = candidates.find((c) => c.route.method === req.method);
  if (!found) {
    res.setHeader('Allow', [...new Set(candidates.map((c) => c.route.method))].join(', '));
    throw new HttpError(405, 'BAD_REQUEST', 'method not allowed');
  }
  const ctx: RequestContext = {
    req,
    res,
    deps,
    params: found.params,
    query: url.searchParams,
    address: deps.clientAddress(req),
    device: deviceOf(req),
  };
  await found.route.handler(ctx);
}
