/** The JSON API under /api: sign-in, sign-out and the session list. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoginRequest, ProtocolError } from '../shared/protocol.js';
import type { AuthService } from './auth/authService.js';
import { bearerToken, HttpError, readJsonBody, sendJson } from './httpSupport.js';
import { sessionsVisibleTo } from './sessionAccess.js';
import type { Store } from './store/store.js';

export interface ApiDeps {
  store: Store;
  auth: AuthService;
}

type Route = (req: IncomingMessage, res: ServerResponse, deps: ApiDeps) => Promise<void> | void;

function requireToken(req: IncomingMessage): string {
  const token = bearerToken(req);
  if (!token) throw new ProtocolError('UNAUTHENTICATED', 'sign in first');
  return token;
}

const routes: Record<string, Partial<Record<string, Route>>> = {
  '/api/login': {
    async POST(req, res, { auth }) {
      const parsed = LoginRequest.safeParse(await readJsonBody(req));
      if (!parsed.success) throw new HttpError(400, 'BAD_REQUEST', 'username and password are needed');
      // `totp` is accepted and not yet checked: the second factor arrives in a later issue.
      sendJson(res, 200, await auth.login(parsed.data.username, parsed.data.password));
    },
  },
  '/api/logout': {
    POST(req, res, { auth }) {
      const token = requireToken(req);
      auth.authenticate(token);
      auth.logout(token);
      sendJson(res, 200, {});
    },
  },
  '/api/sessions': {
    GET(req, res, { store, auth }) {
      const clinician = auth.authenticate(requireToken(req));
      sendJson(res, 200, sessionsVisibleTo(store, clinician));
    },
  },
};

export async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, deps: ApiDeps): Promise<void> {
  const methods = routes[path];
  if (!methods) throw new HttpError(404, 'NOT_FOUND', 'no such endpoint');
  const route = methods[req.method ?? ''];
  if (!route) {
    res.setHeader('Allow', Object.keys(methods).join(', '));
    throw new HttpError(405, 'BAD_REQUEST', 'method not allowed');
  }
  await route(req, res, deps);
}
