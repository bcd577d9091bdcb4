/**
 * Written recaps (issue 20): since nothing of a group is recorded, the facilitator writes a
 * short recap after it, and each client of the session reads it on their own invitation page
 * (after their passcode) until `visibleUntil`. The text is sealed under the records key like a
 * note; who opened it, and when first, is kept for the roster.
 */
import type { RecordSealer } from './recordSealer.js';
import type { Sql } from './sql.js';

export interface Recap {
  sessionId: string;
  text: string;
  writtenBy: string;
  writtenAt: string;
  /** Clients may read it until then. */
  visibleUntil: string;
}

export interface RecapRepo {
  /** Writes (or replaces) the session's recap. */
  write(recap: Recap): Promise<void>;
  get(sessionId: string): Promise<Recap | undefined>;
  /** A client opened it: the first time is kept. */
  opened(sessionId: string, participantId: string, at: string): Promise<void>;
  /** When each client of the session first opened its recap. */
  openings(sessionId: string): Promise<Map<string, string>>;
}

interface Row {
  session_id: string;
  text_sealed: Buffer;
  written_by: string;
  written_at: string;
  visible_until: string;
}

function textContext(sessionId: string): string {
  return `recap\n${sessionId}`;
}

export function createRecapRepo(sql: Sql, sealer: RecordSealer): RecapRepo {
  return {
    async write(r) {
      await sql.run(
        `INSERT INTO session_recaps (session_id, text_sealed, written_by, written_at, visible_until) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET text_sealed = excluded.text_sealed, written_by = excluded.written_by,
           written_at = excluded.written_at, visible_until = excluded.visible_until`,
        [r.sessionId, sealer.seal(r.text, textContext(r.sessionId)), r.writtenBy, r.writtenAt, r.visibleUntil],
      );
    },
    async get(sessionId) {
      const r = await sql.one<Row>(`SELECT * FROM session_recaps WHERE session_id = ?`, [sessionId]);
      if (!r) return undefined;
      return {
        sessionId,
        text: sealer.open(r.text_sealed, textContext(sessionId)),
        writtenBy: r.written_by,
        writtenAt: r.written_at,
        visibleUntil: r.visible_until,
      };
    },
    async opened(sessionId, participantId, at) {
      await sql.run(
        `INSERT INTO recap_openings (session_id, participant_id, opened_at) VALUES (?, ?, ?) ON CONFLICT (session_id, participant_id) DO NOTHING`,
        [sessionId, participantId, at],
      );
    },
    async openings(sessionId) {
      const rows = await sql.all<{ participant_id: string; opened_at: string }>(
        `SELECT participant_id, opened_at FROM recap_openings WHERE session_id = ?`,
        [sessionId],
      );
      return new Map(rows.map((r) => [r.participant_id, r.opened_at]));
    },
  };
}
