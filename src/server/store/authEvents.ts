/**
 * Security events about accounts and access: sign-in failures and successes, lockouts,
 * account and invitation changes. Append-only and by ids: never a username typed at
 * sign-in (people type passwords into that field), never a name, password, code or token.
 */
import type { Database } from 'better-sqlite3';

export interface AuthEvent {
  at: string;
  event: string;
  actorId: string | null;
  subjectId: string | null;
  address: string | null;
  detail: string | null;
}

export type NewAuthEvent = Partial<Omit<AuthEvent, 'event' | 'at'>> & { event: string; at: Date };

export interface AuthEventRepo {
  record(e: NewAuthEvent): void;
  /** Events about one subject (or all, without one), oldest first. */
  list(subjectId?: string): AuthEvent[];
}

interface AuthEventRow {
  at: string;
  event: string;
  actor_id: string | null;
  subject_id: string | null;
  address: string | null;
  detail: string | null;
}

const hydrate = (r: AuthEventRow): AuthEvent => ({
  at: r.at,
  event: r.event,
  actorId: r.actor_id,
  subjectId: r.subject_id,
  address: r.address,
  detail: r.detail,
});

export function createAuthEventRepo(db: Database): AuthEventRepo {
  const insert = db.prepare(
    `INSERT INTO auth_events (at, event, actor_id, subject_id, address, detail) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const selectAll = db.prepare<[], AuthEventRow>(`SELECT * FROM auth_events ORDER BY id`);
  const selectBySubject = db.prepare<[string], AuthEventRow>(`SELECT * FROM auth_events WHERE subject_id = ? ORDER BY id`);
  return {
    record(e) {
      insert.run(e.at.toISOString(), e.event, e.actorId ?? null, e.subjectId ?? null, e.address ?? null, e.detail ?? null);
    },
    list: (subjectId) => (subjectId === undefined ? selectAll.all() : selectBySubject.all(subjectId)).map(hydrate),
  };
}
