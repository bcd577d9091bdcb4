/**
 * Which server hosts each live session: a lease in the database (migration 9; PostgreSQL's 3),
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
  };
}
