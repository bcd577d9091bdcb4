/**
 * Group sessions and their co-facilitators. A title is sealed under the records key, bound to
 * its session (a group's name can say what its members are treated for); nothing looks
 * sessions up by title, so no keyed hash of it is kept.
 */
import { randomUUID } from 'node:crypto';
import { RejoinPolicy, SessionState, type SessionSummary } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import { titleContext } from './recordKeys.js';
import type { RecordSealer } from './recordSealer.js';
import type { Sql } from './sql.js';

const log = createLogger('store');

/** What a title sealed under another records key (an ephemeral one, before a restart) shows. */
export const UNREADABLE_TITLE = '(title unreadable: sealed under another records key)';

export type SessionRecord = SessionSummary;

export interface NewSession {
  title: string;
  startsAt: Date;
  endsAt: Date;
  facilitatorId: string;
  coFacilitatorIds?: string[];
  state?: SessionState;
  rejoinPolicy?: RejoinPolicy;
}

export interface SessionChanges {
  title?: string;
  startsAt?: Date;
  endsAt?: Date;
  coFacilitatorIds?: string[];
  rejoinPolicy?: RejoinPolicy;
}

export interface SessionRepo {
  create(s: NewSession): Promise<SessionRecord>;
  byId(id: string): Promise<SessionRecord | undefined>;
  all(): Promise<SessionRecord[]>;
  /** Sessions this clinician leads or co-facilitates. */
  facilitatedBy(clinicianId: string): Promise<SessionRecord[]>;
  /** Sessions led or co-facilitated by any facilitator this supervisor supervises. */
  supervisedBy(supervisorId: string): Promise<SessionRecord[]>;
  setState(id: string, state: SessionState): Promise<void>;
  /** Sessions not yet ended whose end time is at or before `at`. */
  endedBefore(at: Date): Promise<SessionRecord[]>;
  /** A facilitator has joined: `scheduled` or `open` becomes `live` (never `ended`). */
  markLive(id: string): Promise<void>;
  /** Changes what is given; `coFacilitatorIds` replaces the whole list. Never touches an ended session. */
  update(id: string, changes: SessionChanges): Promise<void>;
  /** The session is over: state `ended`, its end time recorded, its invitations expired. */
  end(id: string, at: Date): Promise<void>;
  /** When a facilitator ended the session, or null. */
  endedAt(id: string): Promise<string | null>;
}

interface SessionRow {
  id: string;
  title_sealed: Buffer;
  starts_at: string;
  ends_at: string;
  facilitator_id: string;
  state: string;
  rejoin_policy: string;
  /** Comma-joined, in no order (SESSIONS). */
  co_facilitator_ids: string | null;
}

const INSERT_CO = `INSERT INTO session_cofacilitators (session_id, facilitator_id) VALUES (?, ?)`;

/** Titles opened lately, by session: the most kept (the least recently opened go first). */
const OPENED_TITLES_KEPT = 1000;

export function createSessionRepo(sql: Sql, sealer: RecordSealer): SessionRepo {
  /**
   * Every hello reads its session, so a group joining at once would open the same sealed title
   * fifty times. Kept with the sealed bytes it came from: a title changed on record (or by
   * another server) is different bytes, and is opened afresh.
   */
  const opened = new Map<string, { sealed: Buffer; title: string }>();
  const openTitle = (row: SessionRow): string => {
    const known = opened.get(row.id);
    if (known?.sealed.equals(row.title_sealed)) {
      opened.delete(row.id);
      opened.set(row.id, known);
      return known.title;
    }
    try {
      const title = sealer.open(row.title_sealed, titleContext(row.id));
      opened.delete(row.id);
      opened.set(row.id, { sealed: Buffer.from(row.title_sealed), title });
      if (opened.size > OPENED_TITLES_KEPT) opened.delete(opened.keys().next().value!);
      return title;
    } catch {
      log.warn('session.title_unreadable', { sessionId: row.id });
      return UNREADABLE_TITLE;
    }
  };

  /**
   * Every session read comes with its co-facilitators in the same row (every hello reads its
   * session): comma-joined, ids being UUIDs, and sorted here so both databases agree.
   */
  const aggregate = sql.dialect === 'sqlite' ? 'group_concat' : 'string_agg';
  const SESSIONS = `SELECT sessions.*, (SELECT ${aggregate}(co.facilitator_id, ',') FROM session_cofacilitators co
                      WHERE co.session_id = sessions.id) AS co_facilitator_ids
                    FROM sessions`;
  const hydrate = (row: SessionRow): SessionRecord => ({
    id: row.id,
    title: openTitle(row),
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    facilitatorId: row.facilitator_id,
    coFacilitatorIds: row.co_facilitator_ids ? row.co_facilitator_ids.split(',').sort() : [],
    state: SessionState.parse(row.state),
    rejoinPolicy: RejoinPolicy.parse(row.rejoin_policy),
  });
  const many = async (where: string, params: string[]): Promise<SessionRecord[]> =>
    (await sql.all<SessionRow>(`${SESSIONS} ${where}`, params)).map(hydrate);
  const byId = async (id: string): Promise<SessionRecord | undefined> => {
    const row = await sql.one<SessionRow>(`${SESSIONS} WHERE id = ?`, [id]);
    return row ? hydrate(row) : undefined;
  };

  return {
    async create(s) {
      const id = randomUUID();
      await sql.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO sessions (id, title_sealed, starts_at, ends_at, facilitator_id, state, created_at, rejoin_policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            sealer.seal(s.title, titleContext(id)),
            s.startsAt.toISOString(),
            s.endsAt.toISOString(),
            s.facilitatorId,
            s.state ?? 'scheduled',
            new Date().toISOString(),
            s.rejoinPolicy ?? 'readmit',
          ],
        );
        for (const co of new Set(s.coFacilitatorIds ?? [])) await tx.run(INSERT_CO, [id, co]);
      });
      const created = await byId(id);
      if (!created) throw new Error('session vanished after insert');
      return created;
    },
    byId,
    all: () => many(`ORDER BY starts_at, id`, []),
    endedAt: async (id) => (await sql.one<{ ended_at: string | null }>(`SELECT ended_at FROM sessions WHERE id = ?`, [id]))?.ended_at ?? null,
    facilitatedBy: (clinicianId) =>
      many(
        `WHERE facilitator_id = ?
           OR id IN (SELECT session_id FROM session_cofacilitators WHERE facilitator_id = ?)
         ORDER BY starts_at, id`,
        [clinicianId, clinicianId],
      ),
    supervisedBy: (supervisorId) =>
      many(
        `WHERE facilitator_id IN (SELECT facilitator_id FROM supervision WHERE supervisor_id = ?)
           OR id IN (SELECT c.session_id FROM session_cofacilitators c
                     JOIN supervision s ON s.facilitator_id = c.facilitator_id WHERE s.supervisor_id = ?)
         ORDER BY starts_at, id`,
        [supervisorId, supervisorId],
      ),
    async setState(id, state) {
      await sql.run(`UPDATE sessions SET state = ? WHERE id = ?`, [state, id]);
    },
    endedBefore: (at) => many(`WHERE state != 'ended' AND ends_at <= ? ORDER BY ends_at, id`, [at.toISOString()]),
    async markLive(id) {
      await sql.run(`UPDATE sessions SET state = 'live' WHERE id = ? AND state IN ('scheduled', 'open')`, [id]);
    },
    async update(id, c) {
      await sql.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE sessions SET title_sealed = coalesce(?, title_sealed), starts_at = coalesce(?, starts_at), ends_at = coalesce(?, ends_at),
             rejoin_policy = coalesce(?, rejoin_policy)
           WHERE id = ? AND state != 'ended'`,
          [
            c.title === undefined ? null : sealer.seal(c.title, titleContext(id)),
            c.startsAt?.toISOString() ?? null,
            c.endsAt?.toISOString() ?? null,
            c.rejoinPolicy ?? null,
            id,
          ],
        );
        if (changed === 0 || !c.coFacilitatorIds) return;
        await tx.run(`DELETE FROM session_cofacilitators WHERE session_id = ?`, [id]);
        for (const co of new Set(c.coFacilitatorIds)) await tx.run(INSERT_CO, [id, co]);
      });
    },
    // One transaction: an ended session never keeps a live invitation.
    async end(id, at) {
      const when = at.toISOString();
      await sql.transaction(async (tx) => {
        await tx.run(`UPDATE sessions SET state = 'ended', ended_at = ? WHERE id = ? AND state != 'ended'`, [when, id]);
        await tx.run(`UPDATE invitations SET expired_at = ? WHERE session_id = ? AND expired_at IS NULL`, [when, id]);
      });
    },
  };
}
