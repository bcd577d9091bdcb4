/** The server's store: a repository per table group over one database (SQLite, or PostgreSQL: see openStoreAt). */
import type { Database } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createLogger, errorFields } from '../../common/logger.js';
import { createAttemptRepo, type AttemptRepo } from './attempts.js';
import { createAttendanceRepo, type AttendanceRepo } from './attendance.js';
import { createRecapRepo, type RecapRepo } from './recaps.js';
import { keyedLink } from '../audit/chain.js';
import { createAuditRepo, type AuditRepo } from './audit.js';
import { createClinicianRepo, type ClinicianRepo } from './clinicians.js';
import { openDatabase } from './sqlite/database.js';
import { createHostRepo, type HostRepo } from './hosts.js';
import { createInvitationRepo, type InvitationRepo } from './invitations.js';
import { createModerationRepo, type ModerationRepo } from './moderation.js';
import { createNoteRepo, type NoteRepo } from './notes.js';
import type { PasscodeHasher } from '../auth/passcodeHash.js';
import { createRecordKeys, type LookupHasher, type RecordKeys } from './recordKeys.js';
import { RECORDS_KEY_BYTES } from './recordSealer.js';
import { createResumptionRepo, type ResumptionRepo } from './resumptions.js';
import { createSessionRepo, type SessionRepo } from './sessions.js';
import type { Dialect, Sql, SqlDatabase } from './sql.js';
import { sqliteSql } from './sqlite/sqliteSql.js';
import { startWalCheckpointer } from './sqlite/walCheckpointer.js';
import { createTokenRepo, type TokenRepo } from './tokens.js';

/**
 * The records, one repository per table group. The store is one; so is each unit of work
 * (`atomically` hands its work repositories of its own), and code that reads or writes takes
 * whichever it is given.
 */
export interface Repositories {
  /**
   * The unit of work: everything `work` writes through `tx` is kept together or not at all (a
   * full disk, a refusal thrown halfway, a database gone). Called on a unit of work, `work`
   * joins it. Callers never reach the database itself, so they stay the same whatever
   * database holds the records.
   */
  atomically<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  readonly clinicians: ClinicianRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly invitations: InvitationRepo;
  readonly moderation: ModerationRepo;
  readonly audit: AuditRepo;
  readonly attendance: AttendanceRepo;
  readonly recaps: RecapRepo;
  readonly resumptions: ResumptionRepo;
  readonly notes: NoteRepo;
  readonly hosts: HostRepo;
}

export interface Store extends Repositories {
  /** Which database holds the records. */
  readonly dialect: Dialect;
  /**
   * Attempts at guessable secrets and key lockouts (limits/storedAttempts.ts), in a database
   * several servers share (PostgreSQL); absent for SQLite, whose file belongs to one server,
   * which counts them in its memory. Never part of a unit of work.
   */
  readonly attempts?: AttemptRepo;
  /** The keyed hash a client's reference is found by (and named by on the audit log). */
  readonly lookup: LookupHasher;
  /** The keyed hash invitation passcodes are kept as. */
  readonly passcodes: PasscodeHasher;
  /** Resolves when the database answers (a server that cannot reach it is not ready). */
  ping(): Promise<void>;
  /** Waits for the unit of work under way, then closes the database and wipes the keys. */
  close(): Promise<void>;
}

/**
 * The repositories over `sql` (the database, or one transaction of it), each made the first
 * time it is used: a unit of work uses one or two of them (a burst of check-ins writes
 * attendance and where each client stands), and making all eleven for each one was a seventh of
 * what a batch of such writes cost the server.
 */
function repositoriesOver(sql: Sql, keys: RecordKeys): Repositories {
  const { sealer, lookup } = keys;
  const makers: { [K in Exclude<keyof Repositories, 'atomically'>]: () => Repositories[K] } = {
    clinicians: () => createClinicianRepo(sql, sealer),
    tokens: () => createTokenRepo(sql),
    sessions: () => createSessionRepo(sql, sealer),
    invitations: () => createInvitationRepo(sql, sealer, lookup),
    moderation: () => createModerationRepo(sql, sealer),
    audit: () => createAuditRepo(sql, keyedLink(keys.chainKey)),
    attendance: () => createAttendanceRepo(sql, sealer, lookup),
    recaps: () => createRecapRepo(sql, sealer),
    resumptions: () => createResumptionRepo(sql, sealer),
    notes: () => createNoteRepo(sql, sealer),
    hosts: () => createHostRepo(sql),
  };
  const repos = {
    atomically: (work) => sql.transaction((tx) => work(tx === sql ? repos : repositoriesOver(tx, keys))),
  } as Repositories;
  for (const [name, make] of Object.entries(makers)) {
    let made: unknown;
    // Enumerable, so that the store (storeOver) copies them like plain properties.
    Object.defineProperty(repos, name, { enumerable: true, get: () => (made ??= make()) });
  }
  return repos;
}

/** A store over an open database, keyed with `keys` (which it wipes when it closes). */
export function storeOver(sql: SqlDatabase, keys: RecordKeys): Store {
  return {
    ...repositoriesOver(sql, keys),
    dialect: sql.dialect,
    ...(sql.dialect === 'postgres' ? { attempts: createAttemptRepo(sql) } : {}),
    async ping() {
      await sql.one(`SELECT 1 AS one`);
    },
    lookup: keys.lookup,
    passcodes: keys.passcodes,
    async close() {
      await sql.close();
      keys.wipe();
    },
  };
}

export const DATABASE_FILE = 'confidant.sqlite';

const log = createLogger('store');

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
  const file = path.join(dataDir, DATABASE_FILE);
  try {
    db = openDatabase(file, keys);
  } catch (err) {
    keys.wipe();
    throw err;
  }
  // The log's checkpoints on a thread of their own (walCheckpointer.ts).
  const checkpointer = startWalCheckpointer(db, file, (err) => log.warn('store.checkpoint_failed', errorFields(err)));
  const store = storeOver(sqliteSql(db, checkpointer), keys);
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
