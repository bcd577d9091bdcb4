/**
 * Attendance as it happens: each client's knock, admission, reconnect, departure, return to
 * the waiting room, denial, removal and the session's end, appended by the live room. Rosters
 * are computed from these rows (see ../rosters/roster.ts). A client's chosen name is sealed;
 * weekly targets are kept by the keyed hash of the client's reference, never the reference.
 */
import { createLogger } from '../../common/logger.js';
import type { LookupHasher } from './recordKeys.js';
import type { RecordSealer } from './recordSealer.js';
import type { Sql } from './sql.js';
import { CheckInRating, Language } from '../../shared/protocol.js';

const log = createLogger('attendance');

export const ATTENDANCE_KINDS = ['knock', 'admit', 'reconnect', 'leave', 'drop', 'return-to-waiting', 'deny', 'remove', 'end'] as const;
export type AttendanceKind = (typeof ATTENDANCE_KINDS)[number];

export interface AttendanceEvent {
  sessionId: string;
  participantId: string;
  kind: AttendanceKind;
  at: string;
  /** The clinician who acted, for admit, deny, return-to-waiting and remove. */
  byId: string | null;
  /** The name chosen at check-in, on knocks; opened from its sealed form, in memory only. */
  displayName: string | null;
  /** On a check-in's knock: the version of the group agreement the client accepted then. */
  agreementVersion?: string | null;
  /** On a check-in's knock: the language of that agreement (issue 23; null on rows from before migration 16). */
  agreementLanguage?: Language | null;
  /** On a check-in's knock: how the client said they are (sealed on record, like the name). */
  rating?: CheckInRating | null;
}

export interface AttendanceTarget {
  participantRef: string;
  hoursPerWeek: number;
  setBy: string;
  setAt: string;
}

export interface AttendanceRepo {
  record(e: AttendanceEvent): Promise<void>;
  /** A session's events in the order they happened. */
  forSession(sessionId: string): Promise<AttendanceEvent[]>;
  target(participantRef: string): Promise<AttendanceTarget | undefined>;
  setTarget(t: AttendanceTarget): Promise<void>;
  clearTarget(participantRef: string): Promise<void>;
}

interface Row {
  session_id: string;
  participant_id: string;
  kind: AttendanceKind;
  at: string;
  by_id: string | null;
  display_name_sealed: Buffer | null;
  agreement_version: string | null;
  agreement_language: string | null;
  rating_sealed: Buffer | null;
}

/** A language on record; anything else (none, or a value this version does not know) is none. */
function languageOf(value: string | null): Language | null {
  const parsed = Language.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function nameContext(sessionId: string, participantId: string, at: string): string {
  return `display-name\n${sessionId}\n${participantId}\n${at}`;
}

function ratingContext(sessionId: string, participantId: string, at: string): string {
  return `check-in-rating\n${sessionId}\n${participantId}\n${at}`;
}

export function createAttendanceRepo(sql: Sql, sealer: RecordSealer, lookup: LookupHasher): AttendanceRepo {
  /** A name sealed under another records key (an ephemeral one, before a restart) is lost, not fatal. */
  const openName = (r: Row): string | null => {
    try {
      return sealer.open(r.display_name_sealed!, nameContext(r.session_id, r.participant_id, r.at));
    } catch {
      log.warn('attendance.name_unreadable', { sessionId: r.session_id, participantId: r.participant_id });
      return null;
    }
  };

  /** Likewise a rating; one that no longer parses is dropped rather than shown half. */
  const openRating = (r: Row): CheckInRating | null => {
    try {
      const parsed = CheckInRating.safeParse(JSON.parse(sealer.open(r.rating_sealed!, ratingContext(r.session_id, r.participant_id, r.at))));
      return parsed.success ? parsed.data : null;
    } catch {
      log.warn('attendance.rating_unreadable', { sessionId: r.session_id, participantId: r.participant_id });
      return null;
    }
  };

  return {
    async record(e) {
      const sealed =
        e.displayName === null ? null : sealer.seal(e.displayName, nameContext(e.sessionId, e.participantId, e.at));
      const rating = e.rating ? sealer.seal(JSON.stringify(e.rating), ratingContext(e.sessionId, e.participantId, e.at)) : null;
      await sql.run(
        `INSERT INTO attendance_events (session_id, participant_id, kind, at, by_id, display_name_sealed, agreement_version, agreement_language, rating_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [e.sessionId, e.participantId, e.kind, e.at, e.byId, sealed, e.agreementVersion ?? null, e.agreementLanguage ?? null, rating],
      );
    },
    forSession: async (sessionId) =>
      (await sql.all<Row>(`SELECT * FROM attendance_events WHERE session_id = ? ORDER BY id`, [sessionId])).map((r) => ({
        sessionId: r.session_id,
        participantId: r.participant_id,
        kind: r.kind,
        at: r.at,
        byId: r.by_id,
        displayName: r.display_name_sealed === null ? null : openName(r),
        agreementVersion: r.agreement_version,
        agreementLanguage: languageOf(r.agreement_language),
        rating: r.rating_sealed === null ? null : openRating(r),
      })),
    async target(participantRef) {
      const r = await sql.one<{ participant_ref: string; hours_per_week: number; set_by: string; set_at: string }>(
        `SELECT * FROM attendance_targets WHERE participant_ref = ?`,
        [lookup.participantRef(participantRef)],
      );
      return r && { participantRef, hoursPerWeek: r.hours_per_week, setBy: r.set_by, setAt: r.set_at };
    },
    async setTarget(t) {
      await sql.run(
        `INSERT INTO attendance_targets (participant_ref, hours_per_week, set_by, set_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (participant_ref) DO UPDATE SET hours_per_week = excluded.hours_per_week, set_by = excluded.set_by, set_at = excluded.set_at`,
        [lookup.participantRef(t.participantRef), t.hoursPerWeek, t.setBy, t.setAt],
      );
    },
    async clearTarget(participantRef) {
      await sql.run(`DELETE FROM attendance_targets WHERE participant_ref = ?`, [lookup.participantRef(participantRef)]);
    },
  };
}
