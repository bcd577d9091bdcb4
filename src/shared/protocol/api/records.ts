/**
 * The HTTP API's shapes for what the server keeps on record about sessions: rosters (and
 * their CSV columns), attendance week by week, and the hash-chained audit log. A new way of
 * reading the records goes here.
 */
import { z } from 'zod';
import { SessionSummary } from './sessions';
import { CheckInRating, Id, Language, VerificationMethod } from '../values';

/**
 * One client's path through one session (`GET /api/sessions/:id/roster`, an array of these,
 * one per invitation, in knock order and then the invited who never came). Times are ISO
 * 8601 UTC or null. `admittedBy`, `verifiedBy` and `removedBy` are clinicians' display names
 * (their ids beside them); an admission the server made by itself when an admitted client
 * came back after a dropped connection is counted in `reconnects`, never as a new admission.
 * `minutesPresent` sums the intervals the client was admitted and connected, up to now for a
 * live session. The fields after `reconnects` are additions to PROTOCOL.md.
 */
export const RosterEntry = z.object({
  participantRef: z.string(),
  displayName: z.string().nullable(),
  knockedAt: z.string().nullable(),
  admittedAt: z.string().nullable(),
  admittedBy: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  verifiedBy: z.string().nullable(),
  verificationMethod: VerificationMethod.nullable(),
  leftAt: z.string().nullable(),
  removedAt: z.string().nullable(),
  removedBy: z.string().nullable(),
  removalReason: z.string().nullable(),
  minutesPresent: z.number().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  participantId: Id,
  admittedById: Id.nullable(),
  verifiedById: Id.nullable(),
  removedById: Id.nullable(),
  /** Times sent back to the waiting room by a facilitator. */
  returnsToWaiting: z.number().int().nonnegative(),
  deniedAt: z.string().nullable(),
  /** Where the client is now: in the group, waiting, gone after attending, never came. */
  status: z.enum(['present', 'waiting', 'left', 'removed', 'denied', 'absent']),
  /**
   * The version of the group agreement the client accepted at their last check-in, and when
   * (null before they checked in, and for records from before this was kept).
   */
  // Defaulted so that a roster cached by a console before these were kept still reads.
  agreementVersion: z.string().nullable().default(null),
  agreementAcceptedAt: z.string().nullable().default(null),
  /**
   * The language of that agreement version (issue 23): null with no acceptance, and for
   * acceptances recorded before migration 16 (all of them English).
   */
  agreementLanguage: Language.nullable().default(null),
  /**
   * How the client said they were at their last check-in (0–10, and a word). Clinical: sent
   * only to the session's facilitators and their supervisors (null for anyone else, such as an
   * admin who is neither), and never in the CSV.
   */
  checkInRating: CheckInRating.nullable().default(null),
  /** When the client first opened the session's written recap (null: not yet, or none written). */
  recapOpenedAt: z.string().nullable().default(null),
});
export type RosterEntry = z.infer<typeof RosterEntry>;
export const Roster = z.array(RosterEntry);
/** The CSV columns of `GET /api/sessions/:id/roster.csv`, in order (RFC 4180, UTF-8). */
export const ROSTER_CSV_COLUMNS = [
  'participantRef',
  'displayName',
  'knockedAt',
  'admittedAt',
  'admittedBy',
  'verifiedAt',
  'verifiedBy',
  'verificationMethod',
  'leftAt',
  'removedAt',
  'removedBy',
  'removalReason',
  'minutesPresent',
  'reconnects',
  'agreementVersion',
  'agreementAcceptedAt',
  'agreementLanguage',
] as const satisfies readonly (keyof RosterEntry)[];

/**
 * A session's written recap (issue 20): `PUT /api/sessions/:id/recap {text, visibleDays}` by a
 * facilitator of the session once it has ended (written again, it replaces the last), `GET`
 * by whoever may see its roster. Each client of the session reads it on their invitation page
 * after their passcode until `visibleUntil`; the roster says who opened it (`recapOpenedAt`).
 */
export const RECAP_MAX_CHARS = 4000;
export const RECAP_MAX_DAYS = 90;
export const WriteRecapRequest = z.object({
  text: z.string().trim().min(1).max(RECAP_MAX_CHARS),
  visibleDays: z.number().int().min(1).max(RECAP_MAX_DAYS),
});
export type WriteRecapRequest = z.input<typeof WriteRecapRequest>;
export const SessionRecap = z.object({
  text: z.string(),
  writtenBy: z.string(),
  writtenById: Id,
  writtenAt: z.string(),
  visibleUntil: z.string(),
});
export type SessionRecap = z.infer<typeof SessionRecap>;

/**
 * `GET /api/rosters?from=ISO&to=ISO&facilitatorId=ID` (an addition): the sessions the caller
 * may see a roster of, overlapping the range, each with its attendance in figures, oldest first.
 */
export const RosterSummary = z.object({
  session: SessionSummary,
  facilitatorName: z.string(),
  invited: z.number().int().nonnegative(),
  /** Clients admitted at least once. */
  attended: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  minutesPresentTotal: z.number().nonnegative(),
});
export type RosterSummary = z.infer<typeof RosterSummary>;
export const RosterSummaryList = z.array(RosterSummary);

/**
 * `GET /api/attendance/:participantRef?from=ISO&to=ISO` (an addition): a client's attendance
 * week by week (the clinic's weeks: Monday 00:00 in `timeZone`, each named by that Monday's
 * date; at most 104 weeks), over the sessions the caller may see, against the
 * weekly target set for the client (`PUT /api/attendance/:participantRef/target`
 * `{hoursPerWeek}`, by their sessions' facilitators, supervisors and admins).
 */
export const AttendanceWeek = z.object({
  weekStart: z.string(),
  minutesPresent: z.number().nonnegative(),
  sessions: z.array(
    z.object({
      sessionId: Id,
      title: z.string(),
      startsAt: z.string(),
      minutesPresent: z.number().nonnegative(),
      /** The check-in rating in that session, as on the roster (null where not given or not the caller's to read). */
      checkInRating: CheckInRating.nullable().default(null),
    }),
  ),
});
export type AttendanceWeek = z.infer<typeof AttendanceWeek>;
export const AttendanceHistory = z.object({
  participantRef: z.string(),
  targetHoursPerWeek: z.number().nullable(),
  weeks: z.array(AttendanceWeek),
  /** The clinic's IANA zone the weeks are counted in; absent from older servers, whose weeks were UTC's. */
  timeZone: z.string().optional(),
});
export type AttendanceHistory = z.infer<typeof AttendanceHistory>;
export const SetAttendanceTargetRequest = z.object({ hoursPerWeek: z.number().min(0).max(60).nullable() });
export type SetAttendanceTargetRequest = z.input<typeof SetAttendanceTargetRequest>;

/**
 * One entry of the hash-chained audit log (`GET /api/audit?sessionId=&limit=`, oldest first).
 * `hash` is HMAC-SHA-256 (hex, under the server's audit chain key, so only the server can
 * check it: `GET /api/audit/verify`) over `prevHash` followed by the canonical JSON of the other fields
 * but `hash` (keys sorted); the first entry's `prevHash` is 64 zeros. People appear by ids.
 */
export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  event: z.string(),
  actorId: z.string().nullable(),
  subjectId: z.string().nullable(),
  sessionId: z.string().nullable(),
  address: z.string().nullable(),
  detail: z.string().nullable(),
  /**
   * The console workstation the act came from (an addition; issue 20), null where none said.
   * In the hash's canonical JSON only when not null, so entries from before it hash as they did.
   */
  deviceId: z.string().nullable().default(null),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/**
 * `GET /api/admin/breach-report?clinicianId=ID|deviceId=ID&from=ISO&to=ISO` (an addition; issue
 * 20), admins only, itself audited (`breach_report.generated`): from the audit log, everything
 * one account or one console workstation touched in the range. `acts` are the audit events, in
 * order. A client appears by reference where the record resolves it (`participantRef` null and
 * `refHash` set where only the keyed hash of the reference is on record). `.csv` (same query)
 * has one row per thing touched: `kind, id, participantRef, sessionId, sessionTitle, firstAt,
 * lastAt, acts`.
 */
export const BreachReportThing = z.object({
  firstAt: z.string(),
  lastAt: z.string(),
  acts: z.array(z.string()),
});
export const BreachReport = z.object({
  clinicianId: Id.nullable(),
  deviceId: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  /** How many audit entries the report was made from. */
  entries: z.number().int().nonnegative(),
  /** The workstations the account acted from, or the accounts that acted from the workstation. */
  devices: z.array(z.string()),
  accounts: z.array(z.object({ clinicianId: Id, displayName: z.string() })),
  sessions: z.array(BreachReportThing.extend({ sessionId: Id, title: z.string().nullable() })),
  clients: z.array(
    BreachReportThing.extend({ participantRef: z.string().nullable(), refHash: z.string().nullable(), sessionId: Id.nullable() }),
  ),
  /** Rosters and attendance histories read or exported. */
  rosters: z.array(BreachReportThing.extend({ sessionId: Id.nullable(), subject: z.string() })),
  notes: z.array(BreachReportThing.extend({ noteId: z.string() })),
  /** Sign-ins and everything else (accounts changed, sessions scheduled) by time. */
  other: z.array(z.object({ at: z.string(), event: z.string(), subjectId: z.string().nullable() })),
});
export type BreachReport = z.infer<typeof BreachReport>;
export const BREACH_REPORT_CSV_COLUMNS = ['kind', 'id', 'participantRef', 'sessionId', 'sessionTitle', 'firstAt', 'lastAt', 'acts'] as const;
export const AuditList = z.array(AuditEntry);
/** `GET /api/audit/verify`: the whole chain walked; `brokenAt` is the first sequence number that fails. */
export const AuditVerification = z.union([
  z.object({ ok: z.literal(true), entries: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), brokenAt: z.number().int().positive(), reason: z.string() }),
]);
export type AuditVerification = z.infer<typeof AuditVerification>;
