/**
 * The servers sharing this database and which of them hosts each live session.
 *
 * Servers: each running server keeps its row fresh (migration 10; PostgreSQL's 4) with the
 * address it is reached at, and reads back the mode an operator set (`admin drain`). The fleet
 * is the servers seen lately; consoles and participant pages may connect to exactly those.
 *
 * Sessions: which server hosts each live session is a lease in the database (migration 9; PostgreSQL's 3),
 * taken by the server that opens the session's room and renewed while the room runs, so that
 * servers sharing one database never both host a group. A lease that is not renewed (its
 * server died) ends by itself, and another server may take the session over.
 *
 * Taking and renewing are one statement: an upsert whose update only lands when the row is
 * this server's already or its lease has ended, so of two servers claiming at once one wins.
 */
import type { Sql } from './sql.js';

export interface SessionHost {
  serverId: string;
  /** Where clients reach it (its public URL). */
  url: string;
  leaseUntilMs: number;
}

export type Claim = { held: true } | { held: false; holder: SessionHost };

/**
 * What an operator asked of a server: serve; drain (host no new session, keep the live ones
 * to their end); or hand over (drain, and move the live ones to other servers now).
 */
export const SERVER_MODES = ['serving', 'draining', 'handover'] as const;
export type ServerMode = (typeof SERVER_MODES)[number];

export interface FleetServer {
  serverId: string;
  /** Where clients and consoles reach it. */
  url: string;
  mode: ServerMode;
  seenAtMs: number;
}

export interface HostRepo {
  /**
   * Takes or renews the session's lease for `serverId` until `untilMs`, unless another
   * server's lease is still running at `nowMs`: then that server is the answer.
   */
  claim(sessionId: string, serverId: string, url: string, untilMs: number, nowMs: number): Promise<Claim>;
  /** Gives the lease up, if it is still this server's. */
  release(sessionId: string, serverId: string): Promise<void>;
  /** Who hosts the session at `nowMs`, if anyone. */
  holder(sessionId: string, nowMs: number): Promise<SessionHost | undefined>;
  /** This server is up at `url` as of `nowMs`; answers the mode an operator set for it. */
  heartbeat(serverId: string, url: string, nowMs: number): Promise<ServerMode>;
  /** The servers seen at or after `sinceMs`, by id. */
  fleet(sinceMs: number): Promise<FleetServer[]>;
  /** Sets a server's mode; false when no server of that id has ever been seen. */
  setMode(serverId: string, mode: ServerMode): Promise<boolean>;
  /** A server stopping cleanly leaves the fleet (its leases are given up by its rooms). */
  leave(serverId: string): Promise<void>;
}

interface ServerRow {
  server_id: string;
  server_url: string;
  mode: ServerMode;
  seen_at_ms: number | string;
}

interface Row {
  server_id: string;
  server_url: string;
  lease_until_ms: number;
}

export function createHostRepo(sql: Sql): HostRepo {
  const holder = async (sessionId: string, nowMs: number): Promise<SessionHost | undefined> => {
    const row = await sql.one<Row>(`SELECT server_id, server_url, lease_until_ms FROM session_hosts WHERE session_id = ? AND lease_until_ms > ?`, [
      sessionId,
      nowMs,
    ]);
    return row && { serverId: row.server_id, url: row.server_url, leaseUntilMs: Number(row.lease_until_ms) };
  };
  return {
    async claim(sessionId, serverId, url, untilMs, nowMs) {
      const won = await sql.one(
        `INSERT INTO session_hosts (session_id, server_id, server_url, lease_until_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET
           server_id = excluded.server_id, server_url = excluded.server_url, lease_until_ms = excluded.lease_until_ms
         WHERE session_hosts.server_id = excluded.server_id OR session_hosts.lease_until_ms <= ?
         RETURNING server_id`,
        [sessionId, serverId, url, untilMs, nowMs],
      );
      if (won) return { held: true };
      const other = await holder(sessionId, nowMs);
      // Ended between the two statements: try once more.
      if (!other) return this.claim(sessionId, serverId, url, untilMs, nowMs);
      return { held: false, holder: other };
    },
    async release(sessionId, serverId) {
      await sql.run(`DELETE FROM session_hosts WHERE session_id = ? AND server_id = ?`, [sessionId, serverId]);
    },
    holder,
    async heartbeat(serverId, url, nowMs) {
      // An operator's mode stays as set: a restarted server that was draining still drains.
      const row = await sql.one<Pick<ServerRow, 'mode'>>(
        `INSERT INTO servers (server_id, server_url, seen_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (server_id) DO UPDATE SET server_url = excluded.server_url, seen_at_ms = excluded.seen_at_ms
         RETURNING mode`,
        [serverId, url, nowMs],
      );
      return row?.mode ?? 'serving';
    },
    async fleet(sinceMs) {
      const rows = await sql.all<ServerRow>(`SELECT server_id, server_url, mode, seen_at_ms FROM servers WHERE seen_at_ms >= ? ORDER BY server_id`, [sinceMs]);
      return rows.map((r) => ({ serverId: r.server_id, url: r.server_url, mode: r.mode, seenAtMs: Number(r.seen_at_ms) }));
    },
    async setMode(serverId, mode) {
      return (await sql.one(`UPDATE servers SET mode = ? WHERE server_id = ? RETURNING server_id`, [mode, serverId])) !== undefined;
    },
    async leave(serverId) {
      await sql.run(`DELETE FROM servers WHERE server_id = ?`, [serverId]);
    },
  };
}
