/**
 * This server among the servers sharing one database: who it is and where it is reached, the
 * leases of the sessions it hosts (store/hosts.ts), the fleet it may send clients to, and
 * what an operator asked of it (serve, drain, hand over).
 *
 * - A hello for a session takes its lease here (`hosting.claim`), unless another server's
 *   lease runs: then HOSTED_ELSEWHERE names that server. Taking a session over from a server
 *   whose lease ran out (it died) marks whoever it had connected as dropped, so the roster
 *   shows the drop and the return, and their places wait for them here.
 * - Every third of a lease: the leases of the rooms open here are renewed (a room whose lease
 *   was taken over, or could not be renewed for a whole lease, closes with 1012 and its people
 *   come back through any server), and this server's row in the fleet is refreshed, which also
 *   reads the mode an operator set (`admin drain`).
 * - Draining: no new session is hosted here; a hello for one is sent to a serving server.
 *   Handing over: that, and the rooms open here close with 1012 after giving up their leases,
 *   so their people reconnect and resume on another server within seconds.
 *
 * A SQLite store belongs to one server, which hosts every session without leases and keeps
 * no row in `servers`; its fleet is itself.
 */
import { createLogger, errorFields } from '../../common/logger.js';
import { ProtocolError } from '../../shared/protocol.js';
import type { Hosting, RoomRegistry } from '../rooms/roomRegistry.js';
import { LONE_SERVER } from '../rooms/roomRegistry.js';
import type { FleetServer, ServerMode } from '../store/hosts.js';
import type { Store } from '../store/store.js';

const log = createLogger('fleet');

export interface FleetDeps {
  store: Store;
  serverId: string;
  /** Where clients and consoles reach this server (known once it listens). */
  serverUrl: () => string;
  leaseMs: number;
  /** How long a dropped client keeps its place (a takeover drops everyone connected). */
  graceMs: number;
  now: () => Date;
  /** Counted for operators (http/metrics.ts). */
  onLeaseTaken?: () => void;
  onLeaseLost?: () => void;
  onTakeover?: () => void;
}

export interface Fleet {
  readonly hosting: Hosting;
  readonly serverId: string;
  /** What an operator asked of this server, as last read. */
  mode(): ServerMode;
  /** The base URLs of the servers seen lately (this one included), as last read. */
  urls(): string[];
  /**
   * Where a console should open `sessionId`: the URL of the server hosting it if that is
   * another, or of a serving server if this one drains; undefined for "here".
   */
  elsewhere(sessionId: string): Promise<string | undefined>;
  /** Starts the heartbeat and lease renewal over `rooms`; the first heartbeat is awaited. */
  start(rooms: RoomRegistry): Promise<void>;
  /** Stops both and leaves the fleet (the rooms give up their own leases as they close). */
  stop(): Promise<void>;
}

/** Seen within this many leases, a server counts as part of the fleet. */
const FLEET_MEMORY_LEASES = 2;

export function createFleet(deps: FleetDeps): Fleet {
  const { store, serverId, leaseMs } = deps;
  const nowMs = (): number => deps.now().getTime();
  const lone = store.dialect === 'sqlite';
  let mode: ServerMode = 'serving';
  let servers: FleetServer[] = [];
  /** The fleet's addresses as last read, this server's first: asked on every request (CSP). */
  let urls: string[] = [];
  const readUrls = (): string[] => {
    const own = deps.serverUrl();
    return [own, ...servers.map((s) => s.url).filter((url) => url !== own)];
  };
  let rooms: RoomRegistry | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When each hosted session's lease was last taken or renewed. */
  const renewedAt = new Map<string, number>();
  /** First claims under way: hellos arriving together share one (and its takeover). */
  const taking = new Map<string, Promise<void>>();

  const heartbeatMs = Math.max(500, leaseMs / 3);
  /**
   * The other servers to send a new session to: serving, and heard from within two heartbeats
   * (one that missed them is likely gone, though it stays in the fleet a while longer).
   */
  const serving = (): FleetServer[] =>
    servers.filter((s) => s.mode === 'serving' && s.serverId !== serverId && s.seenAtMs >= nowMs() - 2 * heartbeatMs);
  const pick = (): FleetServer | undefined => {
    const candidates = serving();
    return candidates[Math.floor(Math.random() * candidates.length)];
  };

  const renew = async (sessionId: string): Promise<void> => {
    const at = nowMs();
    const claim = await store.hosts.claim(sessionId, serverId, deps.serverUrl(), at + leaseMs, at);
    if (!claim.held) throw hostedElsewhere(claim.holder.url);
    renewedAt.set(sessionId, at);
  };

  /** The first claim of a session here: refused while draining, and a takeover's drops recorded. */
  const take = async (sessionId: string): Promise<void> => {
    // The lease row as it stands, ended or not: a row another server left behind means it
    // stopped without giving the session up.
    const before = await store.hosts.holder(sessionId, 0);
    if (mode !== 'serving') {
      if (before && before.serverId !== serverId && before.leaseUntilMs > nowMs()) throw hostedElsewhere(before.url);
      const other = pick();
      // With no serving server left, hosting here beats turning the group away.
      if (other) throw new ProtocolError('HOSTED_ELSEWHERE', `this server is draining; connect to ${other.url}`, { host: other.url, reason: 'hosted-elsewhere' });
    }
    await renew(sessionId);
    deps.onLeaseTaken?.();
    if (before && before.serverId !== serverId) {
      deps.onTakeover?.();
      log.warn('session.taken_over', { sessionId, from: before.serverId });
    }
    const at = deps.now();
    const dropped = await store.resumptions.takeOver(sessionId, at, deps.graceMs);
    const drops = dropped.filter((r) => r.state !== 'check-in');
    if (drops.length > 0) {
      log.info('session.dropped_at_takeover', { sessionId, dropped: drops.length });
      for (const r of drops) {
        await store.attendance.record({ sessionId, participantId: r.participantId, kind: 'drop', at: r.lastSeenAt, byId: null, displayName: null });
      }
    }
  };

  const hosting: Hosting = lone
    ? LONE_SERVER
    : {
        async claim(sessionId) {
          // A hello during a first claim waits for it (and its takeover) to finish.
          let first = taking.get(sessionId);
          if (!first && renewedAt.has(sessionId)) return renew(sessionId);
          if (!first) {
            first = take(sessionId).finally(() => taking.delete(sessionId));
            taking.set(sessionId, first);
          }
          return first;
        },
        release(sessionId) {
          renewedAt.delete(sessionId);
          store.hosts.release(sessionId, serverId).catch((err: unknown) => log.warn('lease.release_failed', { sessionId, ...errorFields(err) }));
        },
      };

  // A lease another server has taken over (this one was cut off from the database) closes the
  // room here, as does one not renewed for its whole length: the group goes on at the new host.
  const renewAll = async (open: RoomRegistry): Promise<void> => {
    for (const sessionId of open.sessionIds()) {
      try {
        await renew(sessionId);
      } catch (err) {
        const lost = err instanceof ProtocolError && err.code === 'HOSTED_ELSEWHERE';
        if (!lost) log.warn('lease.renew_failed', { sessionId, ...errorFields(err) });
        if (lost || nowMs() - (renewedAt.get(sessionId) ?? nowMs()) >= leaseMs) {
          deps.onLeaseLost?.();
          open.closeLost(sessionId);
          renewedAt.delete(sessionId);
        }
      }
    }
    for (const sessionId of renewedAt.keys()) if (!open.get(sessionId)) renewedAt.delete(sessionId);
  };

  /** Handing over: each room here gives up its lease, then closes; its people reconnect elsewhere. */
  const handOver = async (open: RoomRegistry): Promise<void> => {
    if (serving().length === 0) return;
    for (const sessionId of open.sessionIds()) {
      renewedAt.delete(sessionId);
      try {
        await store.hosts.release(sessionId, serverId);
      } catch (err) {
        log.warn('lease.release_failed', { sessionId, ...errorFields(err) });
      }
      log.info('session.handed_over', { sessionId });
      open.closeLost(sessionId);
    }
  };

  const heartbeat = async (): Promise<void> => {
    try {
      const at = nowMs();
      const was = mode;
      mode = await store.hosts.heartbeat(serverId, deps.serverUrl(), at);
      servers = await store.hosts.fleet(at - FLEET_MEMORY_LEASES * leaseMs);
      urls = readUrls();
      if (mode !== was) log.info('server.mode', { mode });
    } catch (err) {
      log.warn('fleet.heartbeat_failed', errorFields(err));
    }
  };

  const tick = async (): Promise<void> => {
    await heartbeat();
    if (!rooms) return;
    if (mode === 'handover') await handOver(rooms);
    await renewAll(rooms);
  };

  return {
    hosting,
    serverId,
    mode: () => mode,
    urls: () => urls,
    async elsewhere(sessionId) {
      if (lone) return undefined;
      const holder = await store.hosts.holder(sessionId, nowMs());
      if (holder) return holder.serverId === serverId ? undefined : holder.url;
      return mode === 'serving' ? undefined : pick()?.url;
    },
    async start(open) {
      // A lone server is its whole fleet, always serving: nothing to write every few seconds
      // on the connection everything else waits on.
      if (lone) {
        urls = readUrls();
        return;
      }
      rooms = open;
      await heartbeat();
      timer = setInterval(() => void tick(), heartbeatMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      if (lone) return;
      try {
        await store.hosts.leave(serverId);
      } catch (err) {
        log.warn('fleet.leave_failed', errorFields(err));
      }
    },
  };
}

function hostedElsewhere(url: string): ProtocolError {
  return new ProtocolError('HOSTED_ELSEWHERE', `this session is hosted by another server now: ${url}`, { host: url, reason: 'hosted-elsewhere' });
}
