/**
 * The HTTP(S) front: routes /healthz (/livez), /readyz, /api/*, /join(/:token) and /p/*, with security headers
 * on every response. Request URLs are never logged: /join URLs carry invitation tokens.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createLogger, errorFields } from '../../common/logger.js';
import { handleApi, type ApiDeps } from './api.js';
import { HttpError, sendError, sendJson, setSecurityHeaders, toHttpError } from './support.js';
import { storageError, storageErrorCode } from '../store/storageErrors.js';
import { isJoinPath, serveAsset, serveJoinPage } from './participantPage.js';

const log = createLogger('http');

export interface HttpDeps extends ApiDeps {
  participantDir: string;
  tls: boolean;
}

/** How long readiness waits for the database. */
const READY_WITHIN_MS = 2_000;

async function databaseAnswers(store: { ping(): Promise<void> }): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), READY_WITHIN_MS)));
  try {
    return await Promise.race([store.ping().then(() => true as const), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function createRequestHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    const method = req.method ?? 'GET';
    const isRead = method === 'GET' || method === 'HEAD';

    // Liveness (the process answers) and readiness (it can serve: its database answers in
    // time), for a load balancer in front of several servers.
    if (pathname === '/healthz' || pathname === '/livez') {
      if (!isRead) throw new HttpError(405, 'BAD_REQUEST', 'method not allowed');
      return sendJson(res, 200, { ok: true });
    }
    if (pathname === '/readyz') {
      if (!isRead) throw new HttpError(405, 'BAD_REQUEST', 'method not allowed');
      res.setHeader('Cache-Control', 'no-store');
      // A draining server takes no new clients from the load balancer; those it has stay.
      if (deps.fleet.mode() !== 'serving') return sendJson(res, 503, { ok: false, reason: 'draining' });
      const ready = await databaseAnswers(deps.store);
      return sendJson(res, ready ? 200 : 503, ready ? { ok: true } : { ok: false, reason: 'database' });
    }
    if (pathname.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
      return handleApi(req, res, url, deps);
    }
    if (isJoinPath(pathname)) {
      res.setHeader('Cache-Control', 'no-store');
      if (!isRead) throw new HttpError(405, 'BAD_REQUEST', 'method not allowed');
      return serveJoinPage(res, deps.participantDir, method === 'HEAD');
    }
    if (pathname.startsWith('/p/')) {
      if (!isRead) throw new HttpError(405, 'BAD_REQUEST', 'method not allowed');
      res.setHeader('Cache-Control', 'no-cache');
      return serveAsset(res, deps.participantDir, pathname.slice('/p/'.length), method === 'HEAD');
    }
    throw new HttpError(404, 'NOT_FOUND', 'not found');
  };

  return (req, res) => {
    setSecurityHeaders(res, deps.tls, deps.fleet.urls());
    route(req, res).catch((err: unknown) => {
      const storage = storageError(err);
      if (storage) log.error('request.storage_failed', { method: req.method, code: storageErrorCode(err) });
      const known = toHttpError(storage ?? err);
      if (!known) log.error('request.internal', { method: req.method, ...errorFields(err) });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, known ?? new HttpError(500, 'INTERNAL', 'something went wrong on the server', { reason: 'server-failed' }));
    });
  };
}

export function createHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: { certFile: string; keyFile: string },
): Server {
  // Node checks the two timeouts below only this often (30 s by default), so a slow-loris
  // socket would otherwise outlive its limit by up to that much.
  const checking = { connectionsCheckingInterval: 1000 };
  const server = tls
    ? https.createServer({ ...checking, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler)
    : http.createServer(checking, handler);
  // Slow-loris guards; signaling lives on upgraded sockets and is unaffected.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}
