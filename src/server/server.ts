/**
 * Composes the session server: store, auth, media workers, rooms, HTTP and signaling.
 * `startServer` is the one way to run it, from the CLI, tests, benches and demo mode alike.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Agreement } from '../shared/protocol.js';
import { loadAgreement } from './agreement.js';
import { createAuthService, type AuthService } from './auth/authService.js';
import type { ServerConfig } from './config.js';
import { createHttpServer, createRequestHandler } from './http.js';
import { createLogger } from './logger.js';
import { WorkerPool } from './media/workerPool.js';
import { SlidingWindowLimiter } from './rateLimiter.js';
import { loadRecordsKey } from './recordsKey.js';
import { RoomRegistry } from './rooms/roomRegistry.js';
import { attachSignaling, WS_PATH } from './signaling/signalingServer.js';
import { openStore, type Store } from './store/store.js';

const log = createLogger('server');

/** Wrong passcodes per invitation (across sockets) within the window before RATE_LIMITED. */
const PASSCODE_FAILURE_LIMIT = 10;
const PASSCODE_FAILURE_WINDOW_MS = 15 * 60 * 1000;

export interface RunningServer {
  /** e.g. `http://127.0.0.1:4780` (https when TLS is configured). */
  httpUrl: string;
  /** e.g. `ws://127.0.0.1:4780/ws` (wss with TLS). */
  wsUrl: string;
  port: number;
  config: ServerConfig;
  store: Store;
  auth: AuthService;
  agreement: Agreement;
  rooms: RoomRegistry;
  workers: WorkerPool;
  /** Closes sockets, the HTTP server, the workers and the database; safe to call twice. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Overrides the agreement read from resources/agreements (tests). */
  agreement?: Agreement;
  /** Overrides `recordsKeyFile` (demo mode, whose records die with it, passes a fresh key). */
  recordsKey?: Buffer;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const agreement = options.agreement ?? loadAgreement();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = openStore(config.dataDir, options.recordsKey ?? loadRecordsKey(config));
  let workers: WorkerPool;
  try {
    workers = await WorkerPool.start({
      workers: config.workers,
      rtcMinPort: config.rtcMinPort,
      rtcMaxPort: config.rtcMaxPort,
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const rtc = { listenIp: config.rtcListenIp, ...(config.rtcAnnouncedIp ? { announcedIp: config.rtcAnnouncedIp } : {}) };
  const auth = createAuthService(store);
  const rooms = new RoomRegistry(workers, rtc);
  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  const httpServer = createHttpServer(
    createRequestHandler({ store, auth, participantDir: config.participantDir, tls }),
    tls && config.tlsCert && config.tlsKey ? { certFile: config.tlsCert, keyFile: config.tlsKey } : undefined,
  );
  const signaling = attachSignaling(httpServer, {
    store,
    auth,
    rooms,
    agreement,
    rtc,
    waitingRoomOpensMinutes: config.waitingRoomOpensMinutes,
    passcodeFailures: new SlidingWindowLimiter(PASSCODE_FAILURE_LIMIT, PASSCODE_FAILURE_WINDOW_MS),
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    workers.close();
    store.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const httpUrl = `${tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}`;
  const wsUrl = `${tls ? 'wss' : 'ws'}://${urlHost(config.host)}:${port}${WS_PATH}`;
  log.info('listening', { host: config.host, port, tls, workers: workers.size });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info('closing');
      await signaling.close();
      rooms.closeAll();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      workers.close();
      store.close();
      log.info('closed');
    })();
    return closing;
  };

  return { httpUrl, wsUrl, port, config, store, auth, agreement, rooms, workers, close };
}
