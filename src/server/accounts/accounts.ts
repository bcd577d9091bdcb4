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
import type { Store } from '../store/store.js';

const log = createLogger('accounts');

/** Who is making a change: an admin's account id, or the admin command on the server's host. */
export interface Actor {
  id: string;
  address?: string | undefined;
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
  list(): ClinicianAccount[];
  colleagues(): Colleague[];
  account(id: string): ClinicianAccount;
  byUsername(username: string): ClinicianAccount;
  create(actor: Actor, request: CreateClinician): Promise<ClinicianAccount>;
  update(actor: Actor, id: string, changes: UpdateClinician): ClinicianAccount;
  resetPassword(actor: Actor, id: string, password: string): Promise<void>;
  enrolTotp(actor: Actor, id: string): TotpEnrolment;
  assignSupervisee(actor: Actor, supervisorId: string, facilitatorId: string): void;
  unassignSupervisee(actor: Actor, supervisorId: string, facilitatorId: string): void;
}

export function createAccounts(deps: AccountsDeps): Accounts {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const scrypt = deps.scrypt ?? PASSWORD_SCRYPT;

  const record = (actor: Actor, event: string, subjectId: string, detail?: string): void => {
    store.audit.record({ at: now(), event, actorId: actor.id, subjectId, address: actor.address ?? null, detail: detail ?? null });
    log.info(event, { clinicianId: subjectId, by: actor.id });
  };

  const view = (c: Clinician): ClinicianAccount => {
    const locked = c.lockedUntil !== null && Date.parse(c.lockedUntil) > now().getTime() ? c.lockedUntil : null;
    return {
      id: c.id,
      username: c.username,
      displayName: c.displayName,
      roles: c.roles,
      active: c.active,
      totpEnrolled: c.totpEnrolled,
      superviseeIds: store.clinicians.supervisees(c.id),
      lockedUntil: locked,
    };
  };

  const find = (id: string): Clinician => {
    const c = store.clinicians.byId(id);
    if (!c) throw new ProtocolError('NOT_FOUND', 'no such clinician');
    return c;
  };

  const revokeAccess = (actor: Actor, c: Clinician, reason: string): void => {
    const tokens = store.tokens.revokeAllFor(c.id);
    record(actor, 'tokens.revoked', c.id, `reason=${reason};count=${tokens}`);
    deps.onAccessRevoked?.(c.id, reason);
  };

  /** Refuses a change that would leave no active admin: nobody could administer accounts then. */
  const assertAdminRemains = (changing: Clinician, rolesAfter: readonly ClinicianRole[], activeAfter: boolean): void => {
    if (!changing.roles.includes('admin') || !changing.active) return;
    if (rolesAfter.includes('admin') && activeAfter) return;
    const others = store.clinicians.all().filter((c) => c.id !== changing.id && c.active && c.roles.includes('admin'));
    if (others.length === 0) throw new ProtocolError('CONFLICT', 'at least one active admin must remain');
  };

  const assertSupervisable = (supervisorId: string, facilitatorId: string): void => {
    if (supervisorId === facilitatorId) throw new ProtocolError('BAD_REQUEST', 'nobody supervises themselves');
    const f = store.clinicians.byId(facilitatorId);
    if (!f || !f.roles.includes('facilitator')) {
      throw new ProtocolError('BAD_REQUEST', 'a supervisee must be a facilitator');
    }
  };

  return {
    list: () => store.clinicians.all().map(view),
    colleagues: () =>
      store.clinicians
        .all()
        .filter((c) => c.active)
        .map((c) => ({ id: c.id, displayName: c.displayName, roles: c.roles }))
        .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id)),
    account: (id) => view(find(id)),
    byUsername(username) {
      const c = store.clinicians.byUsername(username);
      if (!c) throw new ProtocolError('NOT_FOUND', 'no such clinician');
      return view(c);
    },

    async create(actor, request) {
      const username = request.username.trim().toLowerCase();
      if (store.clinicians.byUsername(username)) throw new ProtocolError('CONFLICT', 'that username is taken');
      if (request.roles.length === 0) throw new ProtocolError('BAD_REQUEST', 'an account needs at least one role');
      assertAcceptablePassword(request.password, username);
      const passwordHash = await hashSecret(request.password, scrypt);
      let created: Clinician;
      try {
        created = store.clinicians.create({ username, displayName: request.displayName.trim(), roles: request.roles, passwordHash });
      } catch {
        // The username was taken between the check and the insert.
        throw new ProtocolError('CONFLICT', 'that username is taken');
      }
      record(actor, 'clinician.created', created.id, `roles=${created.roles.join(',')}`);
      return view(created);
    },

    update(actor, id, changes) {
      const c = find(id);
      const rolesAfter = changes.roles ? [...new Set(changes.roles)] : c.roles;
      const activeAfter = changes.active ?? c.active;
      if (rolesAfter.length === 0) throw new ProtocolError('BAD_REQUEST', 'an account needs at least one role');
      assertAdminRemains(c, rolesAfter, activeAfter);
      if (changes.superviseeIds !== undefined) {
        if (changes.superviseeIds.length > 0 && !rolesAfter.includes('supervisor')) {
          throw new ProtocolError('BAD_REQUEST', 'only a supervisor has supervisees');
        }
        for (const f of changes.superviseeIds) assertSupervisable(id, f);
      }

      store.atomically(() => {
        if (changes.displayName !== undefined && changes.displayName.trim() !== c.displayName) {
          store.clinicians.setDisplayName(id, changes.displayName.trim());
          record(actor, 'clinician.renamed', id);
        }
        if (changes.roles !== undefined) {
          store.clinicians.setRoles(id, rolesAfter);
          record(actor, 'clinician.roles_set', id, `roles=${[...rolesAfter].sort().join(',')}`);
          // Supervision without the role would do nothing; do not keep it pretending otherwise.
          if (!rolesAfter.includes('supervisor') && changes.superviseeIds === undefined && store.clinicians.supervisees(id).length > 0) {
            store.clinicians.setSupervisees(id, []);
            record(actor, 'clinician.supervisees_set', id, 'supervisees=');
          }
        }
        if (changes.superviseeIds !== undefined) {
          store.clinicians.setSupervisees(id, changes.superviseeIds);
          record(actor, 'clinician.supervisees_set', id, `supervisees=${[...new Set(changes.superviseeIds)].join(',')}`);
        }
        if (changes.unlock) {
          store.clinicians.setLockedUntil(id, null);
          record(actor, 'account.unlocked', id);
        }
        if (changes.active !== undefined && changes.active !== c.active) {
          store.clinicians.setActive(id, changes.active);
          record(actor, changes.active ? 'clinician.activated' : 'clinician.deactivated', id);
        }
      });
      if (changes.active === false && c.active) revokeAccess(actor, c, 'deactivated');
      if (changes.roles !== undefined || changes.superviseeIds !== undefined || changes.active !== undefined) deps.onAccessChanged?.();
      return view(find(id));
    },

    async resetPassword(actor, id, password) {
      const c = find(id);
      assertAcceptablePassword(password, c.username);
      const hash = await hashSecret(password, scrypt);
      store.atomically(() => {
        store.clinicians.setPasswordHash(id, hash);
        // The admin has dealt with the person: a lockout from before the reset is moot.
        store.clinicians.setLockedUntil(id, null);
        record(actor, 'clinician.password_reset', id);
      });
      revokeAccess(actor, c, 'password-reset');
    },

    enrolTotp(actor, id) {
      const c = find(id);
      const secret = newTotpSecret();
      store.clinicians.setTotpSecret(id, secret);
      record(actor, 'clinician.totp_enrolled', id);
      return { secret: base32Encode(secret), otpauthUri: otpauthUri(secret, c.username) };
    },

    assignSupervisee(actor, supervisorId, facilitatorId) {
      const s = find(supervisorId);
      if (!s.roles.includes('supervisor')) throw new ProtocolError('BAD_REQUEST', 'only a supervisor has supervisees');
      assertSupervisable(supervisorId, facilitatorId);
      store.clinicians.addSupervision(supervisorId, facilitatorId);
      record(actor, 'clinician.supervisee_assigned', supervisorId, `facilitator=${facilitatorId}`);
    },

    unassignSupervisee(actor, supervisorId, facilitatorId) {
      find(supervisorId);
      if (!store.clinicians.supervises(supervisorId, facilitatorId)) {
        throw new ProtocolError('NOT_FOUND', 'that facilitator is not supervised by this supervisor');
      }
      store.clinicians.removeSupervision(supervisorId, facilitatorId);
      record(actor, 'clinician.supervisee_unassigned', supervisorId, `facilitator=${facilitatorId}`);
      deps.onAccessChanged?.();
    },
  };
}
