/**
 * Why a request was refused, as a stable key a client turns into its own words (issue 23). An
 * error's `message` is English, for logs and for clients that know no reasons; a person's screen
 * shows the catalogue's words for `reason` (with `params`), or a word for the code alone.
 *
 * Each reason names the values its words take. A reason is added here, thrown with
 * `new ProtocolError(code, message, { reason, params })`, and given words in every console
 * catalogue (src/renderer/src/i18n): a reason without words does not compile. Reasons are kebab
 * case and never renamed: an older console shows the code's word for a reason it does not know.
 */
export const ERROR_REASONS = {
  // The console itself (main process), before or beside the server.
  'console-locked': [],
  'console-failed': [],
  'invalid-request': [],
  'sign-in-first': [],
  'unknown-host': [],
  'server-address-invalid': [],
  'server-address-http': [],
  'server-unreachable': ['server'],
  'offline-no-rosters': [],
  'offline-no-roster': [],
  'offline-no-attendance': [],
  'offline-no-keychain': [],
  'server-answer-unreadable': [],
  'server-status': ['status'],
  'export-needs-server': [],
  'export-not-roster': [],
  'session-not-visible': [],
  'notes-sign-in': [],
  'notes-locked': [],
  'notes-no-keychain': [],
  'notes-no-key': [],
  'notes-closed': [],
  'notes-shared-file': [],
  'notes-newer-schema': ['schema'],
  'note-not-found': [],
  'note-damaged': [],
  'note-server-copy-damaged': [],
  'note-server-copy-other': [],
  'note-version-never-saved': ['version'],
  'note-no-conflict': [],
  'note-invalid': [],
  'note-signed': [],
  'note-changed-elsewhere': [],
  'note-already-signed': [],
  'note-sign-author-only': [],
  'addendum-empty': [],
  'addendum-unsigned': [],
  'cosign-not-awaiting': [],
  'cosign-own-note': [],
  'return-needs-comment': [],
  'return-not-awaiting': [],
  'return-own-note': [],

  // The session server: the media.
  'media-reset': [],

  // The session server: signing in, staying signed in, unlocking.
  'sign-in-not-recognised': [],
  'sign-in-again': [],
  'sign-in-too-many': [],
  'sign-in-locked': ['until'],
  'code-missing': [],
  'code-reused': [],
  'no-second-factor': [],
  'ticket-expired': [],
  'sign-in-busy': [],
  'second-factor-unreadable': [],
  'unlock-wrong': [],
  'unlock-locked-out': [],
  'password-too-short': ['min'],
  'password-too-long': ['max'],
  'password-common': [],
  'password-has-username': [],
  'storage-full': [],
  'storage-busy': [],
  'storage-unavailable': [],
  'server-failed': [],
  'too-many-requests': [],

  // The session server: who may do what.
  'admins-only': [],
  'role-changed': [],
  'not-session-facilitator': [],
  'session-forbidden': [],
  'roster-forbidden': [],
  'client-forbidden': [],
  'audit-forbidden': [],
  'note-write-forbidden': [],
  'cosign-synced-only': [],
  'schedule-forbidden': [],
  'schedule-own-only': [],
  'session-edit-forbidden': [],
  'invitations-forbidden': [],
  'recap-forbidden': [],
  'breach-forbidden': [],
  'clinicians-only': [],
  'join-too-early': ['at'],
  'waiting-room-not-open': ['at'],
  'observer-sends-nothing': [],

  // The session server: what is there, and what state it is in.
  'session-not-found': [],
  'clinician-not-found': [],
  'invitation-not-found': [],
  'participant-not-found': [],
  'recap-not-found': [],
  'supervisee-not-found': [],
  'session-ended': [],
  'session-not-ended': [],
  'session-ended-unchangeable': [],
  'recap-after-end': [],
  'already-connected': [],
  'invitation-exists': [],
  'invitation-revoked': [],
  'invitation-not-reissuable': [],
  'username-taken': [],
  'username-invalid': [],
  'last-admin': [],
  'participant-already-removed': [],
  'participant-wrong-state': [],
  'participant-already-muted': [],
  'participant-not-muted': [],
  'hosted-elsewhere': [],

  // The session server: what a request asked for.
  'session-ends-before-start': [],
  'session-too-long': ['hours'],
  'session-ends-in-past': [],
  'lead-also-co': [],
  'facilitator-inactive': [],
  'roles-empty': [],
  'supervisees-supervisor-only': [],
  'supervisee-not-facilitator': [],
  'supervises-self': [],
  'range-backwards': [],
  'history-too-long': ['weeks'],
} as const satisfies Record<string, readonly string[]>;

export type ErrorReason = keyof typeof ERROR_REASONS;

/** The reasons whose words take no values. */
export type PlainErrorReason = { [R in ErrorReason]: (typeof ERROR_REASONS)[R] extends readonly [] ? R : never }[ErrorReason];

/** The values a reason's words take, by name. */
export type ErrorParamsOf<R extends ErrorReason> = { readonly [P in (typeof ERROR_REASONS)[R][number]]: string | number };

/** Any reason's values, as they travel. */
export type ErrorParams = Readonly<Record<string, string | number>>;

export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === 'string' && Object.hasOwn(ERROR_REASONS, value);
}
