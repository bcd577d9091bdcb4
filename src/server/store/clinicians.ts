/** Clinician accounts, their roles, their second factor, lockouts and who supervises whom. */
import { randomUUID } from 'node:crypto';
import { ClinicianRole } from '../../shared/protocol.js';
import type { RecordSealer } from './recordSealer.js';
import type { Sql } from './sql.js';

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
  create(c: NewClinician): Promise<Clinician>;
  byId(id: string): Promise<Clinician | undefined>;
  /** Usernames are matched without regard to case, and unique that way too. */
  byUsername(username: string): Promise<Clinician | undefined>;
  /** Every account, active or not, by username. */
  all(): Promise<Clinician[]>;
  setRoles(id: string, roles: readonly ClinicianRole[]): Promise<void>;
  setActive(id: string, active: boolean): Promise<void>;
  setDisplayName(id: string, displayName: string): Promise<void>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /**
   * Replaces the hash only if it is still `previous` (a rehash at sign-in must not undo a
   * password reset made meanwhile); true when it did.
   */
  replacePasswordHash(id: string, previous: string, passwordHash: string): Promise<boolean>;
  /** Replaces the second factor; the step memory starts afresh with the new secret. */
  setTotpSecret(id: string, secret: Buffer): Promise<void>;
  /** The opened TOTP secret; undefined when none is enrolled. Throws when it cannot be opened. */
  totpSecret(id: string): Promise<Buffer | undefined>;
  /**
   * Records that a code for `step` was accepted, only if no code for this or a later step
   * was: a compare-and-set, so two concurrent sign-ins with one code cannot both win.
   */
  claimTotpStep(id: string, step: number): Promise<boolean>;
  setLockedUntil(id: string, until: Date | null): Promise<void>;
  addSupervision(supervisorId: string, facilitatorId: string): Promise<void>;
  removeSupervision(supervisorId: string, facilitatorId: string): Promise<void>;
  /** Replaces the set of facilitators this clinician supervises. */
  setSupervisees(supervisorId: string, facilitatorIds: readonly string[]): Promise<void>;
  /** The facilitators this clinician supervises. */
  supervisees(supervisorId: string): Promise<string[]>;
  supervises(supervisorId: string, facilitatorId: string): Promise<boolean>;
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

// Usernames match without regard to case; an exact match wins over a case-insensitive one
// (accounts from before usernames were unique without regard to case).
const SELECT_BY_USERNAME = `SELECT * FROM clinicians WHERE lower(username) = lower(?) ORDER BY (username = ?) DESC LIMIT 1`;
const INSERT_ROLE = `INSERT INTO clinician_roles (clinician_id, role) VALUES (?, ?)`;
const INSERT_SUPERVISION = `INSERT INTO supervision (supervisor_id, facilitator_id) VALUES (?, ?) ON CONFLICT DO NOTHING`;

export function createClinicianRepo(sql: Sql, sealer: RecordSealer): ClinicianRepo {
  const hydrate = async (row: ClinicianRow | undefined): Promise<Clinician | undefined> => {
    if (!row) return undefined;
    const roles = (await sql.all<{ role: string }>(`SELECT role FROM clinician_roles WHERE clinician_id = ? ORDER BY role`, [row.id])).map((r) =>
      ClinicianRole.parse(r.role),
    );
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
  const rowById = (id: string): Promise<ClinicianRow | undefined> => sql.one<ClinicianRow>(`SELECT * FROM clinicians WHERE id = ?`, [id]);
  const set = async (text: string, params: (string | number | Buffer | null)[]): Promise<void> => {
    await sql.run(text, params);
  };

  return {
    async create(c) {
      const id = randomUUID();
      await sql.transaction(async (tx) => {
        if (await tx.one(SELECT_BY_USERNAME, [c.username, c.username])) throw new Error('username taken');
        await tx.run(`INSERT INTO clinicians (id, username, display_name, password_hash, active, created_at) VALUES (?, ?, ?, ?, 1, ?)`, [
          id,
          c.username,
          c.displayName,
          c.passwordHash,
          new Date().toISOString(),
        ]);
        for (const role of new Set(c.roles)) await tx.run(INSERT_ROLE, [id, role]);
      });
      const created = await hydrate(await rowById(id));
      if (!created) throw new Error('clinician vanished after insert');
      return created;
    },
    byId: async (id) => hydrate(await rowById(id)),
    byUsername: async (username) => hydrate(await sql.one<ClinicianRow>(SELECT_BY_USERNAME, [username, username])),
    all: async () => {
      const rows = await sql.all<ClinicianRow>(`SELECT * FROM clinicians ORDER BY lower(username), username`);
      return (await Promise.all(rows.map(hydrate))).flatMap((c) => c ?? []);
    },
    async setRoles(id, roles) {
      await sql.transaction(async (tx) => {
        await tx.run(`DELETE FROM clinician_roles WHERE clinician_id = ?`, [id]);
        for (const role of new Set(roles)) await tx.run(INSERT_ROLE, [id, role]);
      });
    },
    setActive: (id, active) => set(`UPDATE clinicians SET active = ? WHERE id = ?`, [active ? 1 : 0, id]),
    setDisplayName: (id, displayName) => set(`UPDATE clinicians SET display_name = ? WHERE id = ?`, [displayName, id]),
    setPasswordHash: (id, passwordHash) => set(`UPDATE clinicians SET password_hash = ? WHERE id = ?`, [passwordHash, id]),
    replacePasswordHash: async (id, previous, passwordHash) =>
      (await sql.run(`UPDATE clinicians SET password_hash = ? WHERE id = ? AND password_hash = ?`, [passwordHash, id, previous])) === 1,
    setTotpSecret: (id, secret) =>
      set(`UPDATE clinicians SET totp_secret_sealed = ?, totp_last_step = NULL WHERE id = ?`, [
        sealer.seal(secret.toString('base64'), totpContext(id)),
        id,
      ]),
    async totpSecret(id) {
      const row = await rowById(id);
      if (!row?.totp_secret_sealed) return undefined;
      return Buffer.from(sealer.open(row.totp_secret_sealed, totpContext(id)), 'base64');
    },
    claimTotpStep: async (id, step) =>
      (await sql.run(`UPDATE clinicians SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)`, [
        step,
        id,
        step,
      ])) === 1,
    setLockedUntil: (id, until) => set(`UPDATE clinicians SET locked_until = ? WHERE id = ?`, [until ? until.toISOString() : null, id]),
    addSupervision: (supervisorId, facilitatorId) => set(INSERT_SUPERVISION, [supervisorId, facilitatorId]),
    removeSupervision: (supervisorId, facilitatorId) =>
      set(`DELETE FROM supervision WHERE supervisor_id = ? AND facilitator_id = ?`, [supervisorId, facilitatorId]),
    async setSupervisees(supervisorId, facilitatorIds) {
      await sql.transaction(async (tx) => {
        await tx.run(`DELETE FROM supervision WHERE supervisor_id = ?`, [supervisorId]);
        for (const f of new Set(facilitatorIds)) await tx.run(INSERT_SUPERVISION, [supervisorId, f]);
      });
    },
    supervisees: async (supervisorId) =>
      (await sql.all<{ facilitator_id: string }>(`SELECT facilitator_id FROM supervision WHERE supervisor_id = ? ORDER BY facilitator_id`, [supervisorId])).map(
        (r) => r.facilitator_id,
      ),
    supervises: async (supervisorId, facilitatorId) =>
      (await sql.one(`SELECT 1 AS one FROM supervision WHERE supervisor_id = ? AND facilitator_id = ?`, [supervisorId, facilitatorId])) !== undefined,
  };
}
