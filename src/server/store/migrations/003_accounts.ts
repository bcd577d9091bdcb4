/**
 * Migration 3: what two-factor sign-in, lockout, idle timeout, scheduling and invitation
 * management need.
 *
 * - clinicians: the TOTP secret, sealed under the records key (a copied database alone
 *   must not let anyone mint codes), the last time step a code was accepted for (a code
 *   works once), and the end of a lockout (kept here, not in memory, so it holds across
 *   restarts and across server processes).
 * - tokens: when each was last used, for the idle timeout.
 * - invitations: the clinic's verification hint, sealed like a removal reason (it is free
 *   text about a client), and when the link was last (re-)issued.
 * - auth_events: sign-in failures and successes, lockouts and every account or invitation
 *   change, by ids only. The hash-chained audit log of a later issue will take these over.
 */
import type { Database } from 'better-sqlite3';

export const version = 3;

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE clinicians ADD COLUMN totp_secret_sealed BLOB;
    ALTER TABLE clinicians ADD COLUMN totp_last_step INTEGER;
    ALTER TABLE clinicians ADD COLUMN locked_until TEXT;

    ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
    UPDATE tokens SET last_used_at = created_at;

    ALTER TABLE invitations ADD COLUMN verification_hint_sealed BLOB;
    ALTER TABLE invitations ADD COLUMN issued_at TEXT;
    UPDATE invitations SET issued_at = created_at;

    CREATE INDEX sessions_by_time ON sessions(starts_at, ends_at);

    CREATE TABLE auth_events (
      id         INTEGER PRIMARY KEY,
      at         TEXT NOT NULL,
      -- e.g. login.failed, account.locked, clinician.created, invitation.revoked
      event      TEXT NOT NULL,
      -- the clinician acting (an admin, a facilitator); null for sign-in attempts
      actor_id   TEXT,
      -- what the event is about: a clinician's id, an invitation's id; null when unknown
      subject_id TEXT,
      -- the remote address of the request, where there was one
      address    TEXT,
      -- a short code or id list (a reason, roles, a session id); never names or secrets
      detail     TEXT
    );
    CREATE INDEX auth_events_by_subject ON auth_events(subject_id, at);
  `);
}
