/** The server's store: one SQLite database and a repository per table group. */
import type { Database } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createAttendanceRepo, type AttendanceRepo } from './attendance.js';
import { keyedLink } from '../audit/chain.js';
import { createAuditRepo, type AuditRepo } from './audit.js';
import { createClinicianRepo, type ClinicianRepo } from './clinicians.js';
import { openDatabase } from './sqlite/database.js';
import { createInvitationRepo, type InvitationRepo } from './invitations.js';
import { createModerationRepo, type ModerationRepo } from './moderation.js';
import { createNoteRepo, type NoteRepo } from './notes.js';
import type { PasscodeHasher } from '../auth/passcodeHash.js';
import { createRecordKeys, type LookupHasher } from './recordKeys.js';
import { RECORDS_KEY_BYTES } from './recordSealer.js';
import { createResumptionRepo, type ResumptionRepo } from './resumptions.js';
import { createSessionRepo, type SessionRepo } from './sessions.js';
import { createTokenRepo, type TokenRepo } from './tokens.js';

export interface Store {
  /**
   * The unit of work: everything `work` writes through the repositories is kept together or
   * not at all (a full disk, a thrown refusal halfway). A unit of work inside another joins
   * it. Callers never reach the database itself, so the repositories' callers stay the same
   * whatever database holds the records.
   */
  atomically<T>(work: () => T): T;
  readonly clinicians: ClinicianRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly invitations: InvitationRepo;
  readonly moderation: ModerationRepo;
  readonly audit: AuditRepo;
  readonly attendance: AttendanceRepo;
  readonly resumptions: ResumptionRepo;
  readonly notes: NoteRepo;
  /** The keyed hash a client's reference is found by (and named by on the audit log). */
  readonly lookup: LookupHasher;
  /** The keyed hash invitation passcodes are kept as. */
  readonly passcodes: PasscodeHasher;
  close(): void;
}

export const DATABASE_FILE = 'confidant.sqlite';

/**
 * `recordsKey` seals what the records must keep but a copy of the data directory must not
 * reveal: removal reasons, verification hints, TOTP secrets, progress notes, session titles
 * and client references; keys the hash clients are found by; and keys the audit chain (so a
 * store reopened under another key finds its chain broken). Without one, a
 * fresh key is made for this process only: fine for tests and demo mode, whose data dies
 * with them; the server passes its configured key. `ephemeralKey` says the key given is one
 * of those: a migration then refuses to seal existing rows under it, since they would be
 * lost at the next restart.
 */
export function openStore(dataDir: string, recordsKey?: Buffer, options: { ephemeralKey?: boolean } = {}): Store {
  const keys = createRecordKeys(recordsKey ?? randomBytes(RECORDS_KEY_BYTES), options.ephemeralKey ?? recordsKey === undefined);
  let db: Database;
  try {
    db = openDatabase(path.join(dataDir, DATABASE_FILE), keys);
  } catch (err) {
    keys.wipe();
    throw err;
  }
  const { sealer, lookup, passcodes } = keys;
  const store: Store = {
    atomically: (work) => db.transaction(work)(),
    clinicians: createClinicianRepo(db, sealer),
    tokens: createTokenRepo(db),
    sessions: createSessionRepo(db, sealer),
    invitations: createInvitationRepo(db, sealer, lookup),
    moderation: createModerationRepo(db, sealer),
    audit: createAuditRepo(db, keyedLink(keys.chainKey)),
    attendance: createAttendanceRepo(db, sealer, lookup),
    resumptions: createResumptionRepo(db, sealer),
    notes: createNoteRepo(db, sealer),
    lookup,
    passcodes,
    close: () => {
      db.close();
      keys.wipe();
    },
  };
  databases.set(store, db);
  return store;
}

const databases = new WeakMap<Store, Database>();

/**
 * The database under a store, for the store's own tests (raw rows, triggers, fault injection)
 * and nothing else: product code goes through the repositories and `atomically` (eslint
 * forbids this import outside src/server/store and tests).
 */
export function databaseOf(store: Store): Database {
  const db = databases.get(store);
  if (!db) throw new Error('not a store opened by openStore');
  return db;
}
