/**
 * Rosters from the attendance record: who knocked, who let them in, who verified them and
 * how, when they left or were removed and by whom, and how long they were in the group.
 * Pure functions over what the store holds, so every rule here has a unit test.
 *
 * Minutes present are the sum of the intervals a client was admitted and connected: an
 * interval opens at an admission (or the server's readmission after a dropped connection)
 * and closes at the client's next leave, drop, return to the waiting room, removal or the
 * session's end. An interval still open is counted up to `now` while the session's room is
 * live; otherwise (the server stopped under it) up to the session's end, or the last thing
 * the record says happened in the session, whichever is earlier — never a guess beyond it.
 */
import type { CheckInRating, Language, RosterEntry, VerificationMethod } from '../../shared/protocol.js';
import type { AttendanceEvent } from '../store/attendance.js';
import type { Invitation } from '../store/invitations.js';
import type { RemovalRecord, VerificationRecord } from '../store/moderation.js';

export interface RosterInput {
  invitations: readonly Invitation[];
  events: readonly AttendanceEvent[];
  verifications: readonly VerificationRecord[];
  removals: readonly RemovalRecord[];
  /** A clinician's display name by account id (unknown ids show as the id). */
  clinicianName(id: string): string;
  /** Whether the session's room is open in this server now (open intervals run to `now`). */
  live: boolean;
  now: Date;
  /** When the session ended, if it did. */
  endedAt: string | null;
  /** When each client first opened the session's written recap (none: nobody, or none written). */
  recapOpenings?: ReadonlyMap<string, string>;
}

const CLOSES_INTERVAL = new Set(['leave', 'drop', 'return-to-waiting', 'remove', 'end', 'deny']);

const round2 = (n: number): number => Math.round(n * 100) / 100;

interface Tally {
  participantId: string;
  displayName: string | null;
  knockedAt: string | null;
  /** The last check-in's acceptance of the agreement: which version, and when. */
  agreementVersion: string | null;
  agreementAcceptedAt: string | null;
  /** The language of that agreement (null on records from before it was kept). */
  agreementLanguage: Language | null;
  /** The last check-in's rating, if one was given then. */
  rating: CheckInRating | null;
  admittedAt: string | null;
  admittedById: string | null;
  deniedAt: string | null;
  leftAt: string | null;
  removedAt: string | null;
  removedById: string | null;
  reconnects: number;
  returnsToWaiting: number;
  openSince: number | null;
  ms: number;
  /** The last event's kind: where the client stands now. */
  last: AttendanceEvent['kind'] | null;
}

function freshTally(participantId: string): Tally {
  return {
    participantId,
    displayName: null,
    knockedAt: null,
    agreementVersion: null,
    agreementAcceptedAt: null,
    agreementLanguage: null,
    rating: null,
    admittedAt: null,
    admittedById: null,
    deniedAt: null,
    leftAt: null,
    removedAt: null,
    removedById: null,
    reconnects: 0,
    returnsToWaiting: 0,
    openSince: null,
    ms: 0,
    last: null,
  };
}

function apply(t: Tally, e: AttendanceEvent): void {
  const at = Date.parse(e.at);
  if (CLOSES_INTERVAL.has(e.kind) && t.openSince !== null) {
    t.ms += Math.max(0, at - t.openSince);
    t.openSince = null;
  }
  switch (e.kind) {
    case 'knock':
      t.knockedAt ??= e.at;
      if (e.displayName !== null) t.displayName = e.displayName;
      if (e.agreementVersion) {
        t.agreementVersion = e.agreementVersion;
        t.agreementAcceptedAt = e.at;
        t.agreementLanguage = e.agreementLanguage ?? null;
      }
      // A check-in (it carries the agreement) says how they are now, or nothing: an older
      // rating does not stand for today. A knock the server made after a restart says neither.
      if (e.agreementVersion || e.rating) t.rating = e.rating ?? null;
      // Back after leaving: the earlier departure no longer describes where they are.
      t.leftAt = null;
      break;
    case 'admit':
      if (t.admittedAt === null) {
        t.admittedAt = e.at;
        t.admittedById = e.byId;
      }
      t.openSince ??= at;
      break;
    case 'reconnect':
      t.reconnects += 1;
      t.openSince ??= at;
      break;
    case 'leave':
    case 'drop':
    case 'end':
      t.leftAt = e.at;
      break;
    case 'return-to-waiting':
      t.returnsToWaiting += 1;
      break;
    case 'deny':
      t.deniedAt = e.at;
      t.leftAt = e.at;
      break;
    case 'remove':
      t.removedAt = e.at;
      t.removedById = e.byId;
      t.leftAt = e.at;
      break;
  }
  t.last = e.kind;
}

function statusOf(t: Tally): RosterEntry['status'] {
  if (t.removedAt !== null) return 'removed';
  switch (t.last) {
    case null:
      return 'absent';
    case 'admit':
    case 'reconnect':
      return 'present';
    case 'knock':
    case 'return-to-waiting':
      return 'waiting';
    case 'deny':
      return t.admittedAt === null ? 'denied' : 'left';
    default:
      return t.admittedAt === null && t.deniedAt !== null ? 'denied' : 'left';
  }
}

export function buildRoster(input: RosterInput): RosterEntry[] {
  const tallies = new Map<string, Tally>();
  const order: string[] = [];
  for (const e of input.events) {
    let t = tallies.get(e.participantId);
    if (!t) {
      t = freshTally(e.participantId);
      tallies.set(e.participantId, t);
      order.push(e.participantId);
    }
    apply(t, e);
  }

  // Where an interval is still open: up to now if the room is live, else to the session's
  // end or its last recorded event, whichever comes first.
  const lastEventAt = input.events.length > 0 ? Date.parse(input.events[input.events.length - 1]!.at) : 0;
  const endedAt = input.endedAt === null ? Number.POSITIVE_INFINITY : Date.parse(input.endedAt);
  const openUntil = input.live ? Math.min(input.now.getTime(), endedAt) : Math.min(lastEventAt, endedAt);

  const firstVerification = new Map<string, VerificationRecord>();
  for (const v of input.verifications) if (!firstVerification.has(v.participantId)) firstVerification.set(v.participantId, v);
  const removal = new Map<string, RemovalRecord>();
  for (const r of input.removals) if (!removal.has(r.participantId)) removal.set(r.participantId, r);

  const byParticipant = new Map(input.invitations.map((i) => [i.participantId, i]));
  const neverCame = input.invitations
    .filter((i) => !tallies.has(i.participantId))
    .sort((a, b) => a.participantRef.localeCompare(b.participantRef));
  const ids = [...order.filter((id) => byParticipant.has(id)), ...neverCame.map((i) => i.participantId)];

  return ids.map((participantId) => {
    const invitation = byParticipant.get(participantId)!;
    const t = tallies.get(participantId) ?? freshTally(participantId);
    const open = t.openSince === null ? 0 : Math.max(0, openUntil - t.openSince);
    const verification = firstVerification.get(participantId);
    const removed = removal.get(participantId);
    const removedById = removed?.removedBy ?? t.removedById;
    const name = (id: string | null): string | null => (id === null ? null : input.clinicianName(id));
    const method: VerificationMethod | null = verification?.method ?? null;
    return {
      participantRef: invitation.participantRef,
      displayName: t.displayName,
      knockedAt: t.knockedAt,
      admittedAt: t.admittedAt,
      admittedBy: name(t.admittedById),
      verifiedAt: verification?.verifiedAt ?? null,
      verifiedBy: name(verification?.verifiedBy ?? null),
      verificationMethod: method,
      leftAt: t.leftAt,
      removedAt: removed?.removedAt ?? t.removedAt,
      removedBy: name(removedById),
      removalReason: removed?.reason ?? null,
      minutesPresent: round2((t.ms + open) / 60_000),
      reconnects: t.reconnects,
      participantId,
      admittedById: t.admittedById,
      verifiedById: verification?.verifiedBy ?? null,
      removedById,
      returnsToWaiting: t.returnsToWaiting,
      deniedAt: t.deniedAt,
      status: removed ? 'removed' : statusOf(t),
      agreementVersion: t.agreementVersion,
      agreementAcceptedAt: t.agreementAcceptedAt,
      agreementLanguage: t.agreementLanguage,
      checkInRating: t.rating,
      recapOpenedAt: input.recapOpenings?.get(participantId) ?? null,
    };
  });
}
