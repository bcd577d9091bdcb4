/**
 * Composes the session server: store, auth, media workers, rooms, HTTP and signaling.
 * `startServer` is the one way to run it, from the CLI, tests, benches and demo mode alike.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { createAccounts, type Accounts } from './accounts/accounts.js';
import { loadAgreements, type Agreements } from './sessions/agreement.js';
import { createAuthService, DEFAULT_AUTH_LIMITS, type AuthLimits, type AuthService } from './auth/authService.js';
import { PASSWORD_SCRYPT, type ScryptParams } from './auth/password.js';
import { ConfigError, settingName, type ServerConfig } from './config.js';
import { createHttpServer, createRequestHandler } from './http/front.js';
import { createMetrics } from './http/metrics.js';
import { clientAddressResolver } from './http/support.js';
import { createInvitationService, type InvitationService } from './sessions/invitationService.js';
import { createRosterService, type RosterService } from './rosters/rosterService.js';
import { queuedResumptions } from './store/queuedResumptions.js';
import { createWriteBatcher } from './store/writeBatcher.js';
import { LiveClinicians } from './accounts/liveClinicians.js';
import { SessionTickets } from './auth/sessionTickets.js';
import { createLogger, errorFields } from '../common/logger.js';
import { MediaPortTakenError, WorkerPool } from './media/workerPool.js';
import { defaultHashingLimits, HashingGate, type HashingLimits } from './limits/hashingGate.js';
import { UnheardResumes } from './signaling/unheardResumes.js';
import { OneAtATime } from './limits/oneAtATime.js';
import { attemptLimiter } from './limits/storedAttempts.js';
import { loadRecordsKey } from './keys/recordsKey.js';
import { RoomRegistry } from './rooms/roomRegistry.js';
import { createFleet, type Fleet } from './fleet/fleet.js';
import { currentLiveRole } from './sessions/access.js';
import { AUTO_END_SWEEP_MS, createSessionLifecycle, type SessionLifecycle } from './sessions/lifecycle.js';
import { attachSignaling, DEFAULT_SIGNALING_LIMITS, WS_PATH, type SignalingLimits } from './signaling/signalingServer.js';
import type { AttendanceEvent } from './store/attendance.js';
import { openConfiguredStore } from './store/open.js';
import type { Repositories, Store } from './store/store.js';

const log = createLogger('server');

export interface ServerLimits extends AuthLimits, SignalingLimits {
  /** Wrong passcodes per invitation (across sockets) within the window before RATE_LIMITED. */
  passcodeFailures: number;
  passcodeWindowMs: number;
  /** Unrecognised participant hellos per remote address within the window before RATE_LIMITED. */
  helloAddressFailures: number;
  helloAddressWindowMs: number;
  /** The hashing gate (limits/hashingGate.ts): scrypt checks at once, overall and per address… */
  hashingConcurrency: number;
  hashingPerAddress: number;
  /** …and how many may wait, per address and overall, before more are refused at once. */
  hashingQueuePerAddress: number;
  hashingQueue: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  ...DEFAULT_AUTH_LIMITS,
  ...DEFAULT_SIGNALING_LIMITS,
  passcodeFailures: 10,
  passcodeWindowMs: 15 * 60 * 1000,
  // Above one invitation's allowance, so one client mistyping does not lock out its
  // housemates; low enough that guessing across links from one place stops quickly.
  helloAddressFailures: 30,
  helloAddressWindowMs: 15 * 60 * 1000,
  ...hashingLimitsAsServerLimits(defaultHashingLimits()),
};

function hashingLimitsAsServerLimits(h: HashingLimits): Pick<ServerLimits, 'hashingConcurrency' | 'hashingPerAddress' | 'hashingQueuePerAddress' | 'hashingQueue'> {
  return { hashingConcurrency: h.concurrency, hashingPerAddress: h.perAddress, hashingQueuePerAddress: h.queuePerAddress, hashingQueue: h.queue };
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:4780` (https when TLS is configured). */
  httpUrl: string;
  /** e.g. `ws://127.0.0.1:4780/ws` (wss with TLS). */
  wsUrl: string;
  /** The base of invitation links: `publicUrl` when configured, else `httpUrl`. */
  publicUrl: string;
  /** Where this server itself is reached: `serverUrl` when configured, else `httpUrl`. */
  serverUrl: string;
  /** This server among those sharing the database: leases, the fleet, drain. */
  fleet: Fleet;
  port: number;
  config: ServerConfig;
  store: Store;
  auth: AuthService;
  accounts: Accounts;
  invitations: InvitationService;
  rosters: RosterService;
  lifecycle: SessionLifecycle;
  live: LiveClinicians;
  /** The group agreement in every language offered, read at start. */
  agreements: Agreements;
  rooms: RoomRegistry;
  workers: WorkerPool;
  /** Where every password and passcode check waits its turn (tests count its verifications). */
  hashing: HashingGate;
  /** Where Prometheus reads this server's figures, when `metricsPort` is set. */
  metricsUrl?: string;
  /** Closes sockets, the HTTP server, the workers and the database; safe to call twice. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Overrides the agreements read from resources/agreements (tests). */
  agreements?: Agreements;
  /** Overrides `recordsKeyFile` (demo mode, whose records die with it, passes a fresh key). */
  recordsKey?: Buffer;
  /** The clock for sign-in, tokens, limits and session states (tests move it). */
  now?: () => Date;
  /** Tests lower limits to reach them quickly. */
  limits?: Partial<ServerLimits>;
  /** Tests (and demo mode) lower the cost of hashing new passwords. */
  scrypt?: ScryptParams;
}

/**
 * The key clinicians' participantIds are made with (rooms/roomRegistry.ts): from the records
 * key when there is one, so every server sharing the records gives a clinician the same id in
 * a session (a facilitator who comes back through another server is the same person to the
 * room); random per process otherwise.
 */
function participantIdKey(recordsKey: Buffer | undefined): Buffer {
  return recordsKey ? createHmac('sha256', recordsKey).update('confidant clinician participant ids').digest() : randomBytes(32);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const agreements = options.agreements ?? loadAgreements();
  const now = options.now ?? (() => new Date());
  const nowMs = (): number => now().getTime();
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // A key this server read from its file is its own, and wiped when it closes; one passed in
  // (demo mode, tests that restart a server over the same records) belongs to the caller.
  const ownKey = options.recordsKey === undefined ? loadRecordsKey(config) : undefined;
  let store: Store;
  try {
    const recordsKey = options.recordsKey ?? ownKey;
    store = await openConfiguredStore(config, {
      ...(recordsKey ? { recordsKey } : {}),
      ephemeralKey: options.recordsKey === undefined && config.recordsKeyFile === undefined,
    });
  } catch (err) {
    ownKey?.fill(0);
    throw err;
  }
  let workers: WorkerPool;
  try {
    workers = await WorkerPool.start({
      workers: config.workers,
      rtcPort: config.rtcPort,
      listenIp: config.rtcListenIp,
      ...(config.rtcAnnouncedIp ? { announcedIp: config.rtcAnnouncedIp } : {}),
    });
  } catch (err) {
    await store.close();
    ownKey?.fill(0);
    if (err instanceof MediaPortTakenError) {
      const which = config.workers > 1 ? ` (worker ${err.workerIndex + 1} of ${config.workers} listens on ${settingName('rtcPort')} + ${err.workerIndex})` : '';
      throw new ConfigError(
        `${err.message}${which}: another program, or another Confidant server, holds it. ` +
          `Stop that program or choose a free port with ${settingName('rtcPort')}; each worker needs its port for UDP and TCP.`,
      );
    }
    throw err;
  }
  const hashing = new HashingGate({
    concurrency: limits.hashingConcurrency,
    perAddress: limits.hashingPerAddress,
    queuePerAddress: limits.hashingQueuePerAddress,
    queue: limits.hashingQueue,
  });
  const storedLimits = { attempts: store.attempts, lookup: store.lookup, nowMs };
  const auth = createAuthService(store, { now, limits, hashing, scrypt: options.scrypt ?? PASSWORD_SCRYPT });
  const clientAddress = clientAddressResolver(config.trustedProxies);
  const graceMs = config.reconnectGraceSeconds * 1000;
  // This server's name among servers sharing the database (leases of hosted sessions).
  const serverId = config.serverId ?? `${os.hostname()}:${config.port === 0 ? randomUUID().slice(0, 8) : config.port}`;
  // Whoever was connected when the last process stopped without a word (a crash) dropped at
  // the last moment it knew them present; they keep their place for the grace period from now.
  try {
    for (const r of await store.resumptions.recoverAfterRestart(now(), graceMs, serverId)) {
      if (r.state === 'check-in') continue;
      await store.attendance.record({ sessionId: r.sessionId, participantId: r.participantId, kind: 'drop', at: r.lastSeenAt, byId: null, displayName: null });
    }
  } catch (err) {
    workers.close();
    await store.close();
    ownKey?.fill(0);
    throw err;
  }
  // The live rooms' running record goes through one transaction per event-loop turn.
  const roomWrites = createWriteBatcher(store, (err) => log.error('rooms.write_failed', errorFields(err)));
  const queued =
    <A extends unknown[]>(write: (records: Repositories, ...args: A) => Promise<unknown>) =>
    (...args: A): void =>
      roomWrites.enqueue((records) => write(records, ...args));
  // Whoever reads the rooms' running record (rosters, a resume, the expiry sweep, tests)
  // sees all of it: what is still queued is written first.
  const flushedFirst =
    <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await roomWrites.flush();
      return read(...args);
    };
  store.attendance.forSession = flushedFirst(store.attendance.forSession);
  store.resumptions.byTokenHash = flushedFirst(store.resumptions.byTokenHash);
  store.resumptions.claim = flushedFirst(store.resumptions.claim);
  store.resumptions.expire = flushedFirst(store.resumptions.expire);
  // Ending a resumption from outside a room (a re-issued or revoked link) lands after what
  // the rooms queued.
  store.resumptions.remove = flushedFirst(store.resumptions.remove);
  store.resumptions.takeOver = flushedFirst(store.resumptions.takeOver);
  // Each live session is hosted by one server among those sharing a PostgreSQL database: a
  // lease taken at a hello, renewed while the room is open, given up when it closes; and this
  // server's place in the fleet (fleet/fleet.ts).
  let serverUrl = config.serverUrl ?? '';
  const fleet = createFleet({
    store,
    serverId,
    serverUrl: () => serverUrl,
    leaseMs: config.sessionLeaseSeconds * 1000,
    graceMs,
    now,
    onLeaseTaken: () => metrics.leaseTaken(),
    onLeaseLost: () => metrics.leaseLost(),
    onTakeover: () => metrics.takenOver(),
  });
  const rooms = new RoomRegistry(workers, {
    recordAttendance: queued((r, event: AttendanceEvent) => r.attendance.record(event)),
    resumptions: queuedResumptions(roomWrites),
    graceMs,
    roomLocks: store.moderation,
  }, fleet.hosting, participantIdKey(options.recordsKey ?? ownKey));
  // Read when Prometheus asks (metricsPort), by then with the rooms made just above.
  const metrics = createMetrics({ rooms, workers });
  const live = new LiveClinicians((clinicianId, sessionId) => currentLiveRole(store, clinicianId, sessionId));
  const tickets = new SessionTickets(now);
  const lifecycle = createSessionLifecycle({ store, rooms, waitingRoomOpensMinutes: config.waitingRoomOpensMinutes, now });
  const accounts = createAccounts({
    store,
    now,
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    onAccessRevoked: (clinicianId, reason) => live.closeAccount(clinicianId, reason),
    onAccessChanged: () => live.reconsider(),
  });
  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  let publicUrl = config.publicUrl ?? '';
  const invitations = createInvitationService({
    store,
    rooms,
    lifecycle,
    publicUrl: () => publicUrl,
  });
  const rosters = createRosterService({ store, lifecycle, rooms, timeZone: config.timeZone });
  const httpServer = createHttpServer(
    createRequestHandler({ store, auth, accounts, invitations, lifecycle, live, tickets, rosters, fleet, clientAddress, participantDir: config.participantDir, tls }),
    tls && config.tlsCert && config.tlsKey ? { certFile: config.tlsCert, keyFile: config.tlsKey } : undefined,
  );
  const signaling = attachSignaling(httpServer, {
    store,
    auth,
    rooms,
    agreements,
    lifecycle,
    live,
    tickets,
    passcodeAttempts: attemptLimiter(storedLimits, 'passcode invitation', limits.passcodeFailures, limits.passcodeWindowMs),
    helloAttemptsByAddress: attemptLimiter(storedLimits, 'hello address', limits.helloAddressFailures, limits.helloAddressWindowMs),
    checkingInvitations: new OneAtATime(),
    unheardResumes: new UnheardResumes(graceMs),
    hashing,
    fleet,
    clientAddress,
  }, limits);

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
    await store.close();
    ownKey?.fill(0);
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const httpUrl = `${tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}`;
  const wsUrl = `${tls ? 'wss' : 'ws'}://${urlHost(config.host)}:${port}${WS_PATH}`;
  if (publicUrl === '') publicUrl = httpUrl;
  // The Node it runs on, so an operator (and tests/scripts/runtime.test.ts) can see that the
  // launch scripts put it on a supported one.
  log.info('listening', { host: config.host, port, tls, workers: workers.size, node: process.versions.node });

  // Ends sessions long past their end time in the store (their invitations expire with them);
  // states shown before the sweep comes by are already right (see sessions/lifecycle.ts). With
  // several servers on one database each sweeps; every step is safe to repeat.
  const endOverdue = async (): Promise<void> => {
    try {
      await lifecycle.endOverdue();
      // Places kept for clients who never came back after a restart (rooms time out their own).
      await store.resumptions.expire(now());
      // Attempts past the longest window, ended lockouts, and keys with neither.
      const longestWindowMs = Math.max(limits.accountWindowMs, limits.addressWindowMs, limits.passcodeWindowMs, limits.helloAddressWindowMs);
      await store.attempts?.sweep(nowMs() - longestWindowMs, nowMs());
    } catch (err) {
      log.error('sessions.auto_end_failed', errorFields(err));
    }
  };
  await endOverdue();
  const autoEnd = setInterval(() => void endOverdue(), AUTO_END_SWEEP_MS);
  autoEnd.unref();

  if (serverUrl === '') serverUrl = httpUrl;
  await fleet.start(rooms);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info('closing');
      clearInterval(autoEnd);
      await fleet.stop();
      await metrics.close();
      await signaling.close();
      rooms.closeAll();
      await roomWrites.flush();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      workers.close();
      await store.close();
      ownKey?.fill(0);
      log.info('closed');
    })();
    return closing;
  };

  let metricsUrl: string | undefined;
  if (config.metricsPort !== undefined) {
    try {
      metricsUrl = await metrics.listen(config.metricsHost, config.metricsPort);
    } catch {
      await close();
      throw new ConfigError(`invalid setting ${settingName('metricsPort')}: cannot listen on ${config.metricsHost}:${config.metricsPort} (taken?)`);
    }
  }

  return {
    ...(metricsUrl ? { metricsUrl } : {}),
    httpUrl,
    wsUrl,
    publicUrl,
    serverUrl,
    fleet,
    port,
    config,
    store,
    auth,
    accounts,
    invitations,
    lifecycle,
    live,
    rosters,
    agreements,
    rooms,
    workers,
    hashing,
    close,
  };
}
