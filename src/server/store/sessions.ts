/**
 * Group sessions and their co-facilitators. A title is sealed under the records key, bound to
 * its session (a group's name can say what its members are treated for); nothing looks
 * sessions up by title, so no keyed hash of it is kept.
 */
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { RejoinPolicy, SessionState, type SessionSummary } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import { titleContext } from './recordKeys.js';
import type { RecordSealer } from './recordSealer.js';

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
  create(s: NewSession): SessionRecord;
  byId(id: string): SessionRecord | undefined;
  all(): SessionRecord[];
  /** Sessions this clinician leads or co-facilitates. */
  facilitatedBy(clinicianId: string): SessionRecord[];
  /** Sessions led or co-facilitated by any facilitator this supervisor supervises. */
  supervisedBy(supervisorId: string): SessionRecord[];
  setState(id: string, state: SessionState): void;
  /** Sessions not yet ended whose end time is at or before `at`. */
  endedBefore(at: Date): SessionRecord[];
  /** A facilitator has joined: `scheduled` or `open` becomes `live` (never `ended`). */
  markLive(id: string): void;
  /** Changes what is given; `coFacilitatorIds` replaces the whole list. Never touches an ended session. */
  update(id: string, changes: SessionChanges): void;
  /** The session is over: state `ended`, its end time recorded, its invitations expired. */
  end(id: string, at: Date): void;
  /** When a facilitator ended the session, or null. */
  endedAt(id: string): string | null;
}

interface SessionRow {
  id: string;
  title_sealed: Buffer;
  starts_at: string;
  ends_at: string;
  facilitator_id: string;
  state: string;
  rejoin_policy: string;
}

export function createSessionRepo(db: Database, sealer: RecordSealer): SessionRepo {
  const insert = db.prepare(
    `INSERT INTO sessions (id, title_sealed, starts_at, ends_at, facilitator_id, state, created_at, rejoin_policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCo = db.prepare(`INSERT INTO session_cofacilitators (session_id, facilitator_id) VALUES (?, ?)`);
  const selectById = db.prepare<[string], SessionRow>(`SELECT * FROM sessions WHERE id = ?`);
  const selectAll = db.prepare<[], SessionRow>(`SELECT * FROM sessions ORDER BY starts_at, id`);
  const selectFacilitated = db.prepare<[string, string], SessionRow>(
    `SELECT * FROM sessions WHERE facilitator_id = ?
       OR id IN (SELECT session_id FROM session_cofacilitators WHERE facilitator_id = ?)
     ORDER BY starts_at, id`,
  );
  const selectSupervised = db.prepare<[string, string], SessionRow>(
    `SELECT * FROM sessions WHERE facilitator_id IN (SELECT facilitator_id FROM supervision WHERE supervisor_id = ?)
       OR id IN (SELECT c.session_id FROM session_cofacilitators c
                 JOIN supervision s ON s.facilitator_id = c.facilitator_id WHERE s.supervisor_id = ?)
     ORDER BY starts_at, id`,
  );
  const selectCo = db.prepare<[string], { facilitator_id: string }>(
    `SELECT facilitator_id FROM session_cofacilitators WHERE session_id = ? ORDER BY facilitator_id`,
  );
  const updateState = db.prepare(`UPDATE sessions SET state = ? WHERE id = ?`);
  const selectOverdue = db.prepare<[string], SessionRow>(
    `SELECT * FROM sessions WHERE state != 'ended' AND ends_at <= ? ORDER BY ends_at, id`,
  );
  const markLive = db.prepare(`UPDATE sessions SET state = 'live' WHERE id = ? AND state IN ('scheduled', 'open')`);
  const updateFields = db.prepare(
    `UPDATE sessions SET title_sealed = coalesce(?, title_sealed), starts_at = coalesce(?, starts_at), ends_at = coalesce(?, ends_at),
       rejoin_policy = coalesce(?, rejoin_policy)
     WHERE id = ? AND state != 'ended'`,
  );
  const deleteCo = db.prepare(`DELETE FROM session_cofacilitators WHERE session_id = ?`);
  const update = db.transaction((id: string, c: SessionChanges) => {
    const changed = updateFields.run(
      c.title === undefined ? null : sealer.seal(c.title, titleContext(id)),
      c.startsAt?.toISOString() ?? null,
      c.endsAt?.toISOString() ?? null,
      c.rejoinPolicy ?? null,
      id,
    );
    if (changed.changes === 0) {
      return;
    }
    if (c.coFacilitatorIds) {
      deleteCo.run(id);
      for (const co of new Set(c.coFacilitatorIds)) insertCo.run(id, co);
    }
  });
  const selectEndedAt = db.prepare<[string], { ended_at: string | null }>(`SELECT ended_at FROM sessions WHERE id = ?`);
  const markEnded = db.prepare(`UPDATE sessions SET state = 'ended', ended_at = ? WHERE id = ? AND state != 'ended'`);
  const expireInvitations = db.prepare(
    `UPDATE invitations SET expired_at = ? WHERE session_id = ? AND expired_at IS NULL`,
  );
  // One transaction: an ended session never keeps a live invitation.
  const end = db.transaction((id: string, at: string) => {
    markEnded.run(at, id);
    expireInvitations.run(at, id);
  });

  const openTitle = (row: SessionRow): string => {
    try {
      return sealer.open(row.title_sealed, titleContext(row.id));
    } catch {
      log.warn('session.title_unreadable', { sessionId: row.id });
      return UNREADABLE_TITLE;
    }
  };

  const hydrate = (row: SessionRow): SessionRecord => ({
    id: row.id,
    title: openTitle(row),
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    facilitatorId: row.facilitator_id,
    coFacilitatorIds: selectCo.all(row.id).map((r) => r.facilitator_id),
    state: SessionState.parse(row.state),
    rejoinPolicy: RejoinPolicy.parse(row.rejoin_policy),
  });

  return {
    create(s) {
      const id = randomUUID();
      db.transaction(() => {
        insert.run(
          id,
          sealer.seal(s.title, titleContext(id)),
          s.startsAt.toISOString(),
          s.endsAt.toISOString(),
          s.facilitatorId,
          s.state ?? 'scheduled',
          new Date().toISOString(),
          s.rejoinPolicy ?? 'readmit',
        );
        for (const co of new Set(s.coFacilitatorIds ?? [])) insertCo.run(id, co);
      })();
      const row = selectById.get(id);
      if (!row) throw new Error('session vanished after insert');
      return hydrate(row);
    },
    byId(id) {
      const row = selectById.get(id);
      return row ? hydrate(row) : undefined;
    },
    all: () => selectAll.all().map(hydrate),
    endedAt: (id) => selectEndedAt.get(id)?.ended_at ?? null,
    facilitatedBy: (clinicianId) => selectFacilitated.all(clinicianId, clinicianId).map(hydrate),
    supervisedBy: (supervisorId) => selectSupervised.all(supervisorId, supervisorId).map(hydrate),
    setState(id, state) {
      updateState.run(state, id);
    },
    endedBefore: (at) => selectOverdue.all(at.toISOString()).map(hydrate),
    markLive(id) {
      markLive.run(id);
    },
    update(id, changes) {
      update(id, changes);
    },
    end(id, at) {
      end(id, at.toISOString());
    },
  };
}
