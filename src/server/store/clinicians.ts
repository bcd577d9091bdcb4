/** Clinician accounts, their roles, their second factor, lockouts and who supervises whom. */
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { ClinicianRole } from '../../shared/protocol.js';
import type { RecordSealer } from './recordSealer.js';

export interface Clinician {
  id: string;
  username: string;
  displayName: string;
  roles: ClinicianRole[];
  passwordHash: string;
  active: boolean;
  totpEnrolled: boolean;
  /** The last TOTP step a code was accepted for; older and equal steps are refused. */
  totpLastStep: number | null;
  /** ISO time until which sign-in is refused after repeated failures; null when not locked. */
  lockedUntil: string | null;
}

export interface NewClinician {
  username: string;
  displayName: string;
  roles: ClinicianRole[];
  passwordHash: string;
}

export interface ClinicianRepo {
  create(c: NewClinician): Clinician;
  byId(id: string): Clinician | undefined;
  /** Usernames are matched without regard to case, and unique that way too. */
  byUsername(username: string): Clinician | undefined;
  /** Every account, active or not, by username. */
  all(): Clinician[];
  setRoles(id: string, roles: readonly ClinicianRole[]): void;
  setActive(id: string, active: boolean): void;
  setDisplayName(id: string, displayName: string): void;
  setPasswordHash(id: string, passwordHash: string): void;
  /**
   * Replaces the hash only if it is still `previous` (a rehash at sign-in must not undo a
   * password reset made meanwhile); true when it did.
   */
  replacePasswordHash(id: string, previous: string, passwordHash: string): boolean;
  /** Replaces the second factor; the step memory starts afresh with the new secret. */
  setTotpSecret(id: string, secret: Buffer): void;
  /** The opened TOTP secret; undefined when none is enrolled. Throws when it cannot be opened. */
  totpSecret(id: string): Buffer | undefined;
  /**
   * Records that a code for `step` was accepted, only if no code for this or a later step
   * was: a compare-and-set, so two concurrent sign-ins with one code cannot both win.
   */
  claimTotpStep(id: string, step: number): boolean;
  setLockedUntil(id: string, until: Date | null): void;
  addSupervision(supervisorId: string, facilitatorId: string): void;
  removeSupervision(supervisorId: string, facilitatorId: string): void;
  /** Replaces the set of facilitators this clinician supervises. */
  setSupervisees(supervisorId: string, facilitatorIds: readonly string[]): void;
  /** The facilitators this clinician supervises. */
  supervisees(supervisorId: string): string[];
  supervises(supervisorId: string, facilitatorId: string): boolean;
}

interface ClinicianRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  active: number;
  totp_secret_sealed: Buffer | null;
  totp_last_step: number | null;
  locked_until: string | null;
}

/** What a sealed secret is bound to: copied onto another account's row it will not open. */
const totpContext = (clinicianId: string): string => `totp-secret\n${clinicianId}`;

export function createClinicianRepo(db: Database, sealer: RecordSealer): ClinicianRepo {
  const insert = db.prepare(
    `INSERT INTO clinicians (id, username, display_name, password_hash, active, created_at) VALUES (?, ?, ?, ?, 1, ?)`,
  );
  const insertRole = db.prepare(`INSERT INTO clinician_roles (clinician_id, role) VALUES (?, ?)`);
  const deleteRoles = db.prepare(`DELETE FROM clinician_roles WHERE clinician_id = ?`);
  const selectById = db.prepare<[string], ClinicianRow>(`SELECT * FROM clinicians WHERE id = ?`);
  const selectByUsername = db.prepare<[string, string], ClinicianRow>(
    `SELECT * FROM clinicians WHERE username = ? COLLATE NOCASE ORDER BY username = ? DESC LIMIT 1`,
  );
  const selectAll = db.prepare<[], ClinicianRow>(`SELECT * FROM clinicians ORDER BY username COLLATE NOCASE`);
  const selectRoles = db.prepare<[string], { role: string }>(
    `SELECT role FROM clinician_roles WHERE clinician_id = ? ORDER BY role`,
  );
  const updateActive = db.prepare(`UPDATE clinicians SET active = ? WHERE id = ?`);
  const updateDisplayName = db.prepare(`UPDATE clinicians SET display_name = ? WHERE id = ?`);
  const updatePassword = db.prepare(`UPDATE clinicians SET password_hash = ? WHERE id = ?`);
  const replacePassword = db.prepare(`UPDATE clinicians SET password_hash = ? WHERE id = ? AND password_hash = ?`);
  const updateTotp = db.prepare(`UPDATE clinicians SET totp_secret_sealed = ?, totp_last_step = NULL WHERE id = ?`);
  const claimStep = db.prepare(
    `UPDATE clinicians SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)`,
  );
  const updateLocked = db.prepare(`UPDATE clinicians SET locked_until = ? WHERE id = ?`);
  const insertSupervision = db.prepare(
    `INSERT OR IGNORE INTO supervision (supervisor_id, facilitator_id) VALUES (?, ?)`,
  );
  const deleteSupervision = db.prepare(`DELETE FROM supervision WHERE supervisor_id = ? AND facilitator_id = ?`);
  const deleteAllSupervision = db.prepare(`DELETE FROM supervision WHERE supervisor_id = ?`);
  const selectSupervisees = db.prepare<[string], { facilitator_id: string }>(
    `SELECT facilitator_id FROM supervision WHERE supervisor_id = ? ORDER BY facilitator_id`,
  );
  const selectSupervises = db.prepare<[string, string], { one: number }>(
    `SELECT 1 AS one FROM supervision WHERE supervisor_id = ? AND facilitator_id = ?`,
  );

  const hydrate = (row: ClinicianRow | undefined): Clinician | undefined => {
    if (!row) return undefined;
    const roles = selectRoles.all(row.id).map((r) => ClinicianRole.parse(r.role));
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      roles,
      passwordHash: row.password_hash,
      active: row.active === 1,
      totpEnrolled: row.totp_secret_sealed !== null,
      totpLastStep: row.totp_last_step,
      lockedUntil: row.locked_until,
    };
  };

  const setRoles = db.transaction((id: string, roles: readonly ClinicianRole[]) => {
    deleteRoles.run(id);
    for (const role of new Set(roles)) insertRole.run(id, role);
  });
  const setSupervisees = db.transaction((supervisorId: string, facilitatorIds: readonly string[]) => {
    deleteAllSupervision.run(supervisorId);
    for (const f of new Set(facilitatorIds)) insertSupervision.run(supervisorId, f);
  });

  return {
    create(c) {
      const id = randomUUID();
      db.transaction(() => {
        if (selectByUsername.get(c.username, c.username)) throw new Error('username taken');
        insert.run(id, c.username, c.displayName, c.passwordHash, new Date().toISOString());
        for (const role of new Set(c.roles)) insertRole.run(id, role);
      })();
      const created = hydrate(selectById.get(id));
      if (!created) throw new Error('clinician vanished after insert');
      return created;
    },
    byId: (id) => hydrate(selectById.get(id)),
    // An exact match wins over a case-insensitive one (accounts from before usernames were
    // unique without regard to case).
    byUsername: (username) => hydrate(selectByUsername.get(username, username)),
    all: () => selectAll.all().flatMap((row) => hydrate(row) ?? []),
    setRoles(id, roles) {
      setRoles(id, roles);
    },
    setActive(id, active) {
      updateActive.run(active ? 1 : 0, id);
    },
    setDisplayName(id, displayName) {
      updateDisplayName.run(displayName, id);
    },
    setPasswordHash(id, passwordHash) {
      updatePassword.run(passwordHash, id);
    },
    replacePasswordHash: (id, previous, passwordHash) => replacePassword.run(passwordHash, id, previous).changes === 1,
    setTotpSecret(id, secret) {
      updateTotp.run(sealer.seal(secret.toString('base64'), totpContext(id)), id);
    },
    totpSecret(id) {
      const row = selectById.get(id);
      if (!row?.totp_secret_sealed) return undefined;
      return Buffer.from(sealer.open(row.totp_secret_sealed, totpContext(id)), 'base64');
    },
    claimTotpStep: (id, step) => claimStep.run(step, id, step).changes === 1,
    setLockedUntil(id, until) {
      updateLocked.run(until ? until.toISOString() : null, id);
    },
    addSupervision(supervisorId, facilitatorId) {
      insertSupervision.run(supervisorId, facilitatorId);
    },
    removeSupervision(supervisorId, facilitatorId) {
      deleteSupervision.run(supervisorId, facilitatorId);
    },
    setSupervisees(supervisorId, facilitatorIds) {
      setSupervisees(supervisorId, facilitatorIds);
    },
    supervisees: (supervisorId) => selectSupervisees.all(supervisorId).map((r) => r.facilitator_id),
    supervises: (supervisorId, facilitatorId) => selectSupervises.get(supervisorId, facilitatorId) !== undefined,
  };
}
