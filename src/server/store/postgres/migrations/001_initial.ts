/**
 * PostgreSQL migration 1: the schema the SQLite store reaches after its migrations 1–8, in one
 * step (a PostgreSQL database starts new; there are no older rows to convert). Tables, column
 * names and their order, defaults, checks, keys and index names are the same, so one statement
 * text serves both databases. The translation:
 *
 * - TEXT → text (times are ISO-8601 text, as in SQLite); BLOB → bytea; REAL → double precision.
 * - INTEGER → integer, or bigint where a value could pass 2^31: the generated ids (identity
 *   columns, as SQLite's INTEGER PRIMARY KEY hands out rowids; nothing inserts them by hand),
 *   the audit log's sequence, the TOTP time step. Flags stay integer 0/1 with their checks.
 * - Usernames are unique without regard to case: a unique index on lower(username), which is
 *   also what a lookup by lower(username) uses. (SQLite's column is unique only as written;
 *   accounts there from before usernames were lowercased may differ only in case.)
 * - The append-only triggers raise an integrity-constraint error (class 23, as SQLite's RAISE
 *   in a trigger is a constraint failure) with SQLite's messages. The audit log also refuses
 *   TRUNCATE, which PostgreSQL's row triggers do not see.
 * - audit_head starts at the chain's genesis (SQLite's migration 5 writes the same row), so
 *   an append always finds the head to lock.
 */
import { GENESIS_HASH } from '../../../audit/chain.js';
import type { MigrationDb } from './run.js';

export const version = 1;

const SCHEMA = `
  CREATE TABLE clinicians (
    id                 text PRIMARY KEY,
    username           text NOT NULL,
    display_name       text NOT NULL,
    password_hash      text NOT NULL,
    active             integer NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         text NOT NULL,
    totp_secret_sealed bytea,
    totp_last_step     bigint,
    locked_until       text
  );
  CREATE UNIQUE INDEX clinicians_by_username ON clinicians (lower(username));

  CREATE TABLE clinician_roles (
    clinician_id text NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('facilitator', 'supervisor', 'admin')),
    PRIMARY KEY (clinician_id, role)
  );

  CREATE TABLE supervision (
    supervisor_id  text NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    facilitator_id text NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    PRIMARY KEY (supervisor_id, facilitator_id)
  );
  CREATE INDEX supervision_by_facilitator ON supervision (facilitator_id);

  CREATE TABLE tokens (
    token_hash   text PRIMARY KEY,
    clinician_id text NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
    created_at   text NOT NULL,
    expires_at   text NOT NULL,
    revoked      integer NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    last_used_at text
  );
  CREATE INDEX tokens_by_clinician ON tokens (clinician_id);

  CREATE TABLE sessions (
    id             text PRIMARY KEY,
    starts_at      text NOT NULL,
    ends_at        text NOT NULL,
    facilitator_id text NOT NULL REFERENCES clinicians(id),
    state          text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'open', 'live', 'ended')),
    created_at     text NOT NULL,
    ended_at       text,
    rejoin_policy  text NOT NULL DEFAULT 'readmit' CHECK (rejoin_policy IN ('readmit', 'waiting-room')),
    title_sealed   bytea
  );
  CREATE INDEX sessions_by_facilitator ON sessions (facilitator_id);
  CREATE INDEX sessions_by_time ON sessions (starts_at, ends_at);

  CREATE TABLE session_cofacilitators (
    session_id     text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    facilitator_id text NOT NULL REFERENCES clinicians(id),
    PRIMARY KEY (session_id, facilitator_id)
  );
  CREATE INDEX cofacilitators_by_facilitator ON session_cofacilitators (facilitator_id);

  CREATE TABLE invitations (
    id                       text PRIMARY KEY,
    session_id               text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_ref          text NOT NULL,
    participant_id           text NOT NULL UNIQUE,
    token_hash               text NOT NULL UNIQUE,
    passcode_hash            text NOT NULL,
    revoked_at               text,
    created_at               text NOT NULL,
    expired_at               text,
    verification_hint_sealed bytea,
    issued_at                text,
    participant_ref_sealed   bytea,
    UNIQUE (session_id, participant_ref)
  );

  CREATE TABLE verifications (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id     text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id text NOT NULL REFERENCES invitations(participant_id) ON DELETE CASCADE,
    method         text NOT NULL CHECK (method IN ('photo-id', 'verbal-code', 'known-to-clinician')),
    verified_by    text NOT NULL REFERENCES clinicians(id),
    verified_at    text NOT NULL
  );
  CREATE INDEX verifications_by_session ON verifications (session_id, participant_id);

  CREATE TABLE removals (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id     text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id text NOT NULL REFERENCES invitations(participant_id) ON DELETE CASCADE,
    removed_by     text NOT NULL REFERENCES clinicians(id),
    reason_sealed  bytea NOT NULL,
    removed_at     text NOT NULL
  );
  CREATE INDEX removals_by_session ON removals (session_id, participant_id);

  CREATE TABLE crisis_info_views (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id     text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id text NOT NULL REFERENCES invitations(participant_id) ON DELETE CASCADE,
    viewed_by      text NOT NULL REFERENCES clinicians(id),
    viewed_at      text NOT NULL
  );
  CREATE INDEX crisis_info_views_by_session ON crisis_info_views (session_id, participant_id);

  CREATE TABLE notes (
    id          text PRIMARY KEY,
    author_id   text NOT NULL REFERENCES clinicians(id),
    version     integer NOT NULL CHECK (version >= 1),
    status      text NOT NULL CHECK (status IN ('draft', 'signed', 'awaiting-cosign', 'returned', 'cosigned')),
    updated_at  text NOT NULL,
    note_sealed bytea NOT NULL
  );
  CREATE INDEX notes_by_author ON notes (author_id, updated_at);
  CREATE INDEX notes_by_status ON notes (status, author_id, updated_at);

  CREATE TABLE note_versions (
    note_id     text NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    version     integer NOT NULL,
    status      text NOT NULL,
    stored_at   text NOT NULL,
    note_sealed bytea NOT NULL,
    PRIMARY KEY (note_id, version)
  );

  CREATE TABLE audit_log (
    seq        bigint PRIMARY KEY,
    at         text NOT NULL,
    event      text NOT NULL,
    actor_id   text,
    subject_id text,
    session_id text,
    address    text,
    detail     text,
    prev_hash  text NOT NULL,
    hash       text NOT NULL
  );
  CREATE INDEX audit_by_subject ON audit_log (subject_id, seq);
  CREATE INDEX audit_by_session ON audit_log (session_id, seq);

  CREATE TABLE audit_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
  );

  CREATE TABLE attendance_events (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id          text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id      text NOT NULL,
    kind                text NOT NULL CHECK (kind IN
                          ('knock', 'admit', 'reconnect', 'leave', 'drop', 'return-to-waiting', 'deny', 'remove', 'end')),
    at                  text NOT NULL,
    by_id               text,
    display_name_sealed bytea
  );
  CREATE INDEX attendance_by_session ON attendance_events (session_id, participant_id, id);

  CREATE TABLE attendance_targets (
    participant_ref text PRIMARY KEY,
    hours_per_week  double precision NOT NULL CHECK (hours_per_week >= 0),
    set_by          text NOT NULL,
    set_at          text NOT NULL
  );

  CREATE TABLE resumptions (
    participant_id      text PRIMARY KEY,
    session_id          text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    token_hash          text NOT NULL UNIQUE,
    state               text NOT NULL CHECK (state IN ('check-in', 'waiting', 'admitted')),
    display_name_sealed bytea,
    knocked_at          text,
    media_audio         integer NOT NULL DEFAULT 0 CHECK (media_audio IN (0, 1)),
    media_video         integer NOT NULL DEFAULT 0 CHECK (media_video IN (0, 1)),
    muted_audio         integer NOT NULL DEFAULT 0 CHECK (muted_audio IN (0, 1)),
    muted_video         integer NOT NULL DEFAULT 0 CHECK (muted_video IN (0, 1)),
    admitted_before     integer NOT NULL DEFAULT 0 CHECK (admitted_before IN (0, 1)),
    connected           integer NOT NULL CHECK (connected IN (0, 1)),
    last_seen_at        text NOT NULL,
    expires_at          text
  );
  CREATE INDEX resumptions_by_session ON resumptions (session_id);

  CREATE TABLE room_locks (
    session_id text PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    locked_at  text NOT NULL,
    locked_by  text NOT NULL
  );

  -- The message is the trigger's argument, so one function serves every append-only table.
  CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
    END
  $$;
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change('the audit log is append-only');
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change('the audit log is append-only');
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the audit log is append-only');
  CREATE TRIGGER attendance_no_update BEFORE UPDATE ON attendance_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('attendance is append-only');
`;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(SCHEMA);
  await db.query('INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1)', [GENESIS_HASH]);
}
