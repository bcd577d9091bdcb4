/**
 * Account administration: the rules behind both the admin API and the admin command, so
 * the two cannot drift. Every change is recorded in auth_events with who made it.
 *
 * Losing access is immediate: deactivating an account or resetting its password revokes
 * every token it holds, and `onAccessRevoked` lets the running server close its live
 * sockets (the admin command, in another process, cannot; the server's heartbeat sweep
 * closes them within one beat because their tokens no longer check out). Losing a role or
 * a supervisee likewise closes the sockets that role was joined with (`onAccessChanged`);
 * from another process, their next call is refused and the sweep closes them.
 */
import {
  ProtocolError,
  type ClinicianAccount,
  type ClinicianRole,
  type Colleague,
  type CreateClinicianRequest,
  type TotpEnrolment,
  type UpdateClinicianRequest,
} from '../../shared/protocol.js';
import { hashSecret, PASSWORD_SCRYPT, type ScryptParams } from '../auth/password.js';
import { assertAcceptablePassword } from '../auth/passwordPolicy.js';
import { base32Encode, newTotpSecret, otpauthUri } from '../auth/totp.js';
import { createLogger } from '../../common/logger.js';
import type { Clinician } from '../store/clinicians.js';
import { storageError } from '../store/storageErrors.js';
import type { Repositories, Store } from '../store/store.js';

const log = createLogger('accounts');

/** Who is making a change: an admin's account id, or the admin command on the server's host. */
export interface Actor {
  id: string;
  address?: string | undefined;
  /** The console workstation the change came from, where one said (audit). */
  device?: string | null;
}

/** The actor id recorded for changes made with `npm run admin`. */
export const ADMIN_COMMAND_ACTOR = 'admin-command';

export interface AccountsDeps {
  store: Store;
  onAccessRevoked?: (clinicianId: string, reason: string) => void;
  /**
   * Roles, supervision or activity changed: the running server closes the live sockets
   * whose clinician no longer has the role they joined a session with.
   */
  onAccessChanged?: () => void;
  now?: () => Date;
  /** Tests lower the cost; production keeps the default. */
  scrypt?: ScryptParams;
}

export type CreateClinician = Omit<CreateClinicianRequest, 'roles'> & { roles: ClinicianRole[] };
export type UpdateClinician = UpdateClinicianRequest;

export interface Accounts {
  list(): Promise<ClinicianAccount[]>;
  colleagues(): Promise<Colleague[]>;
  account(id: string): Promise<ClinicianAccount>;
  byUsername(username: string): Promise<ClinicianAccount>;
  create(actor: Actor, request: CreateClinician): Promise<ClinicianAccount>;
  update(actor: Actor, id: string, changes: UpdateClinician): Promise<ClinicianAccount>;
  resetPassword(actor: Actor, id: string, password: string): Promise<void>;
  enrolTotp(actor: Actor, id: string): Promise<TotpEnrolment>;
  assignSupervisee(actor: Actor, supervisorId: string, facilitatorId: string): Promise<void>;
  unassignSupervisee(actor: Actor, supervisorId: string, facilitatorId: string): Promise<void>;
}

export function createAccounts(deps: AccountsDeps): Accounts {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const scrypt = deps.scrypt ?? PASSWORD_SCRYPT;

  /** Puts the change on the audit log, in the unit of work `into` when it is one. */
  const record = async (actor: Actor, event: string, subjectId: string, detail?: string, into: Repositories = store): Promise<void> => {
    await into.audit.record({ at: now(), event, actorId: actor.id, subjectId, address: actor.address ?? null, deviceId: actor.device ?? null, detail: detail ?? null });
    log.info(event, { clinicianId: subjectId, by: actor.id });
  };

  const view = async (c: Clinician): Promise<ClinicianAccount> => {
    const locked = c.lockedUntil !== null && Date.parse(c.lockedUntil) > now().getTime() ? c.lockedUntil : null;
    return {
      id: c.id,
      username: c.username,
      displayName: c.displayName,
      roles: c.roles,
      active: c.active,
      totpEnrolled: c.totpEnrolled,
      superviseeIds: await store.clinicians.supervisees(c.id),
      lockedUntil: locked,
    };
  };

  const find = async (id: string, from: Repositories = store): Promise<Clinician> => {
    const c = await from.clinicians.byId(id);
    if (!c) throw new ProtocolError('NOT_FOUND', 'no such clinician', { reason: 'clinician-not-found' });
    return c;
  };

  const revokeAccess = async (actor: Actor, c: Clinician, reason: string): Promise<void> => {
    const tokens = await store.tokens.revokeAllFor(c.id);
    await record(actor, 'tokens.revoked', c.id, `reason=${reason};count=${tokens}`);
    deps.onAccessRevoked?.(c.id, reason);
  };

  /** Refuses a change that would leave no active admin: nobody could administer accounts then. */
  const assertAdminRemains = async (tx: Repositories, changing: Clinician, rolesAfter: readonly ClinicianRole[], activeAfter: boolean): Promise<void> => {
    if (!changing.roles.includes('admin') || !changing.active) return;
    if (rolesAfter.includes('admin') && activeAfter) return;
    const others = (await tx.clinicians.all()).filter((c) => c.id !== changing.id && c.active && c.roles.includes('admin'));
    if (others.length === 0) throw new ProtocolError('CONFLICT', 'at least one active admin must remain', { reason: 'last-admin' });
  };

  const assertSupervisable = async (supervisorId: string, facilitatorId: string, from: Repositories = store): Promise<void> => {
    if (supervisorId === facilitatorId) throw new ProtocolError('BAD_REQUEST', 'nobody supervises themselves', { reason: 'supervises-self' });
    const f = await from.clinicians.byId(facilitatorId);
    if (!f || !f.roles.includes('facilitator')) {
      throw new ProtocolError('BAD_REQUEST', 'a supervisee must be a facilitator', { reason: 'supervisee-not-facilitator' });
    }
  };

  return {
    list: async () => Promise.all((await store.clinicians.all()).map(view)),
    colleagues: async () =>
      (await store.clinicians.all())
        .filter((c) => c.active)
        .map((c) => ({ id: c.id, displayName: c.displayName, roles: c.roles }))
        .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id)),
    account: async (id) => view(await find(id)),
    async byUsername(username) {
      const c = await store.clinicians.byUsername(username);
      if (!c) throw new ProtocolError('NOT_FOUND', 'no such clinician', { reason: 'clinician-not-found' });
      return view(c);
    },

    async create(actor, request) {
      const username = request.username.trim().toLowerCase();
      if (await store.clinicians.byUsername(username)) throw new ProtocolError('CONFLICT', 'that username is taken', { reason: 'username-taken' });
      if (request.roles.length === 0) throw new ProtocolError('BAD_REQUEST', 'an account needs at least one role', { reason: 'roles-empty' });
      assertAcceptablePassword(request.password, username);
      const passwordHash = await hashSecret(request.password, scrypt);
      let created: Clinician;
      try {
        created = await store.clinicians.create({ username, displayName: request.displayName.trim(), roles: request.roles, passwordHash });
      } catch (err) {
        if (storageError(err)) throw err;
        // The username was taken between the check and the insert.
        throw new ProtocolError('CONFLICT', 'that username is taken', { reason: 'username-taken' });
      }
      await record(actor, 'clinician.created', created.id, `roles=${created.roles.join(',')}`);
      return view(created);
    },

    async update(actor, id, changes) {
      // Checked inside the unit of work that makes the change, against the account as it is then.
      const c = await store.atomically(async (tx) => {
        const c = await find(id, tx);
        const rolesAfter = changes.roles ? [...new Set(changes.roles)] : c.roles;
        const activeAfter = changes.active ?? c.active;
        if (rolesAfter.length === 0) throw new ProtocolError('BAD_REQUEST', 'an account needs at least one role', { reason: 'roles-empty' });
        await assertAdminRemains(tx, c, rolesAfter, activeAfter);
        if (changes.superviseeIds !== undefined) {
          if (changes.superviseeIds.length > 0 && !rolesAfter.includes('supervisor')) {
            throw new ProtocolError('BAD_REQUEST', 'only a supervisor has supervisees', { reason: 'supervisees-supervisor-only' });
          }
          for (const f of changes.superviseeIds) await assertSupervisable(id, f, tx);
        }

        if (changes.displayName !== undefined && changes.displayName.trim() !== c.displayName) {
          await tx.clinicians.setDisplayName(id, changes.displayName.trim());
          await record(actor, 'clinician.renamed', id, undefined, tx);
        }
        if (changes.roles !== undefined) {
          await tx.clinicians.setRoles(id, rolesAfter);
          await record(actor, 'clinician.roles_set', id, `roles=${[...rolesAfter].sort().join(',')}`, tx);
          // Supervision without the role would do nothing; do not keep it pretending otherwise.
          if (!rolesAfter.includes('supervisor') && changes.superviseeIds === undefined && (await tx.clinicians.supervisees(id)).length > 0) {
            await tx.clinicians.setSupervisees(id, []);
            await record(actor, 'clinician.supervisees_set', id, 'supervisees=', tx);
          }
        }
        if (changes.superviseeIds !== undefined) {
          await tx.clinicians.setSupervisees(id, changes.superviseeIds);
          await record(actor, 'clinician.supervisees_set', id, `supervisees=${[...new Set(changes.superviseeIds)].join(',')}`, tx);
        }
        if (changes.unlock) {
          await tx.clinicians.setLockedUntil(id, null);
          await record(actor, 'account.unlocked', id, undefined, tx);
        }
        if (changes.active !== undefined && changes.active !== c.active) {
          await tx.clinicians.setActive(id, changes.active);
          await record(actor, changes.active ? 'clinician.activated' : 'clinician.deactivated', id, undefined, tx);
        }
        return c;
      });
      if (changes.active === false && c.active) await revokeAccess(actor, c, 'deactivated');
      if (changes.roles !== undefined || changes.superviseeIds !== undefined || changes.active !== undefined) deps.onAccessChanged?.();
      return view(await find(id));
    },

    async resetPassword(actor, id, password) {
      const c = await find(id);
      assertAcceptablePassword(password, c.username);
      const hash = await hashSecret(password, scrypt);
      await store.atomically(async (tx) => {
        await tx.clinicians.setPasswordHash(id, hash);
        // The admin has dealt with the person: a lockout from before the reset is moot.
        await tx.clinicians.setLockedUntil(id, null);
        await record(actor, 'clinician.password_reset', id, undefined, tx);
      });
      await revokeAccess(actor, c, 'password-reset');
    },

    async enrolTotp(actor, id) {
      const c = await find(id);
      const secret = newTotpSecret();
      await store.atomically(async (tx) => {
        await tx.clinicians.setTotpSecret(id, secret);
        await record(actor, 'clinician.totp_enrolled', id, undefined, tx);
      });
      return { secret: base32Encode(secret), otpauthUri: otpauthUri(secret, c.username) };
    },

    async assignSupervisee(actor, supervisorId, facilitatorId) {
      const s = await find(supervisorId);
      if (!s.roles.includes('supervisor')) throw new ProtocolError('BAD_REQUEST', 'only a supervisor has supervisees', { reason: 'supervisees-supervisor-only' });
      await assertSupervisable(supervisorId, facilitatorId);
      await store.atomically(async (tx) => {
        await tx.clinicians.addSupervision(supervisorId, facilitatorId);
        await record(actor, 'clinician.supervisee_assigned', supervisorId, `facilitator=${facilitatorId}`, tx);
      });
    },

    async unassignSupervisee(actor, supervisorId, facilitatorId) {
      await find(supervisorId);
      if (!(await store.clinicians.supervises(supervisorId, facilitatorId))) {
        throw new ProtocolError('NOT_FOUND', 'that facilitator is not supervised by this supervisor', { reason: 'supervisee-not-found' });
      }
      await store.atomically(async (tx) => {
        await tx.clinicians.removeSupervision(supervisorId, facilitatorId);
        await record(actor, 'clinician.supervisee_unassigned', supervisorId, `facilitator=${facilitatorId}`, tx);
      });
      deps.onAccessChanged?.();
    },
  };
}
