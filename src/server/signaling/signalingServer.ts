/**
 * The `/ws` endpoint. `maxPayload` makes `ws` close oversize frames with 1009 before they
 * are buffered whole. No Origin check: hello carries its own credentials (invitation or
 * bearer token), nothing ambient like a cookie, so a foreign page gains nothing by connecting.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../../shared/protocol.js';
import { createLogger, errorFields } from '../../common/logger.js';
import type { SignalingContext } from './context.js';
import { SignalingConnection } from './connection.js';

const log = createLogger('signaling');

export const WS_PATH = '/ws';
const CLOSE_GOING_AWAY = 1001;

/** How long a socket may idle, stall or fall behind before it is dropped (docs/protocol.md). */
export interface SignalingLimits {
  /**
   * A socket that misses a ping interval's pong is cut. Without this a vanished laptop would
   * hold its invitation (one live connection each) until TCP gives up, minutes later.
   */
  heartbeatMs: number;
  /**
   * A socket that has not said a successful hello this long after opening is closed with
   * 1008: an anonymous socket costs memory and a file descriptor and proves nothing. Failed
   * hellos do not restart the clock. The participant page opens a new socket per attempt
   * when the old one is gone, so a slow typist loses nothing.
   */
  helloTimeoutMs: number;
  /**
   * Bytes the server may hold for one socket that is not reading (its send queue above the
   * kernel's buffers) before cutting it. A reader that never reads would otherwise make the
   * server keep every notification of a long group for it.
   */
  maxBufferedBytes: number;
  /**
   * Requests one socket may send at once, and per second after that (a token bucket);
   * beyond them a request is answered RATE_LIMITED. Far above a page's real bursts (joining
   * a group of twelve, or rebuilding its media after a reset, is about a hundred requests),
   * low enough that one client cannot keep the server and its media worker busy.
   */
  requestBurst: number;
  requestsPerSecond: number;
}

export const DEFAULT_SIGNALING_LIMITS: SignalingLimits = {
  heartbeatMs: 15_000,
  helloTimeoutMs: 30_000,
  // Far above what a reading client ever has queued (a snapshot is a few KiB), and small
  // enough that a handful of stalled sockets cost the server little.
  maxBufferedBytes: 1024 * 1024,
  requestBurst: 400,
  requestsPerSecond: 50,
};

export interface SignalingServer {
  readonly connections: number;
  close(): Promise<void>;
}

export function attachSignaling(
  server: HttpServer,
  ctx: SignalingContext,
  limits: SignalingLimits = DEFAULT_SIGNALING_LIMITS,
): SignalingServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
    // Clinicians' sockets: a beat counts as use of the token, and a token that is no longer
    // good (signed out, expired, account deactivated elsewhere) closes its sockets.
    ctx.live.sweep(ctx.auth).catch((err: unknown) => log.error('live.sweep_failed', errorFields(err)));
  }, limits.heartbeatMs);
  heartbeat.unref();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connectionId = randomUUID().slice(0, 8);
      sockets.add(ws);
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      ws.on('close', () => sockets.delete(ws));
      new SignalingConnection(ws, ctx, connectionId, ctx.clientAddress(req), limits);
      log.debug('socket.opened', { connectionId });
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    get connections() {
      return sockets.size;
    },
    close() {
      server.off('upgrade', onUpgrade);
      clearInterval(heartbeat);
      for (const ws of sockets) ws.close(CLOSE_GOING_AWAY, 'server shutting down');
      return new Promise<void>((resolve) => {
        // Sockets that do not finish the closing handshake promptly are cut.
        const timer = setTimeout(() => {
          for (const ws of sockets) ws.terminate();
        }, 1000);
        wss.close(() => {
          clearTimeout(timer);
          resolve();
        });
        if (sockets.size === 0) {
          clearTimeout(timer);
        }
      });
    },
  };
}
