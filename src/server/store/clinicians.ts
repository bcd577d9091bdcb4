/** Clinician accounts, their roles and who supervises whom. */
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { ClinicianRole } from '../../shared/protocol.js';

export interface Clinician {
  id: string;
  username: string;
  displayName: string;
  roles: ClinicianRole[];
  passwordHash: string;
  active: boolean;
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
  byUsername(username: string): Clinician | undefined;
  addSupervision(supervisorId: string, facilitatorId: string): void;
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
}

export function createClinicianRepo(db: Database): ClinicianRepo {
  const insert = db.prepare(
    `INSERT INTO clinicians (id, username, display_name, password_hash, active, created_at) VALUES (?, ?, ?, ?, 1, ?)`,
  );
  const insertRole = db.prepare(`INSERT INTO clinician_roles (clinician_id, role) VALUES (?, ?)`);
  const selectById = db.prepare<[string], ClinicianRow>(`SELECT * FROM clinicians WHERE id = ?`);
  const selectByUsername = db.prepare<[string], ClinicianRow>(`SELECT * FROM clinicians WHERE username = ?`);
  const selectRoles = db.prepare<[string], { role: string }>(
    `SELECT role FROM clinician_roles WHERE clinician_id = ? ORDER BY role`,
  );
  const insertSupervision = db.prepare(
    `INSERT OR IGNORE INTO supervision (supervisor_id, facilitator_id) VALUES (?, ?)`,
  );
  const selectSupervisees = db.prepare<[string], { facilitator_id: string }>(
    `SELECT facilitator_id FROM supervision WHERE supervisor_id = ?`,
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
    };
  };

  return {
    create(c) {
      const id = randomUUID();
      db.transaction(() => {
        insert.run(id, c.username, c.displayName, c.passwordHash, new Date().toISOString());
        for (const role of new Set(c.roles)) insertRole.run(id, role);
      })();
      const created = hydrate(selectById.get(id));
      if (!created) throw new Error('clinician vanished after insert');
      return created;
    },
    byId: (id) => hydrate(selectById.get(id)),
    byUsername: (username) => hydrate(selectByUsername.get(username)),
    addSupervision(supervisorId, facilitatorId) {
      insertSupervision.run(supervisorId, facilitatorId);
    },
    supervisees: (supervisorId) => selectSupervisees.all(supervisorId).map((r) => r.facilitator_id),
    supervises: (supervisorId, facilitatorId) => selectSupervises.get(supervisorId, facilitatorId) !== undefined,
  };
}
