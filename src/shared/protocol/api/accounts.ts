/**
 * The HTTP API's shapes for clinicians' accounts: colleagues any clinician may list, and the
 * admins' account management (creating, changing, password resets, second factors). A new
 * account endpoint's shapes go here.
 */
import { z } from 'zod';
import { ClinicianRole, Id } from '../values';

/** `GET /api/clinicians`: colleagues, for choosing co-facilitators (any clinician). */
export const Colleague = z.object({ id: Id, displayName: z.string(), roles: z.array(ClinicianRole) });
export type Colleague = z.infer<typeof Colleague>;
export const ColleagueList = z.array(Colleague);

/** An account as admins see it (`GET /api/admin/clinicians`). */
export const ClinicianAccount = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(ClinicianRole),
  active: z.boolean(),
  totpEnrolled: z.boolean(),
  /** Facilitators this clinician supervises. */
  superviseeIds: z.array(Id),
  /** Set while the account is locked out after repeated failed sign-ins. */
  lockedUntil: z.string().nullable(),
});
export type ClinicianAccount = z.infer<typeof ClinicianAccount>;
export const ClinicianAccountList = z.array(ClinicianAccount);

const Username = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .regex(/^[a-z0-9._-]+$/i, 'letters, digits, dot, dash and underscore only');
const DisplayNameOfClinician = z.string().trim().min(1).max(80);
/** The policy's length; the server also refuses the most common passwords. */
export const MIN_PASSWORD_LENGTH = 12;
const NewPassword = z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1024);

/** `POST /api/admin/clinicians`. */
export const CreateClinicianRequest = z.object({
  username: Username,
  displayName: DisplayNameOfClinician,
  password: NewPassword,
  roles: z.array(ClinicianRole).min(1),
});
export type CreateClinicianRequest = z.input<typeof CreateClinicianRequest>;

/** `PATCH /api/admin/clinicians/:id`. Deactivating revokes every token and closes every socket. */
export const UpdateClinicianRequest = z.object({
  displayName: DisplayNameOfClinician.optional(),
  roles: z.array(ClinicianRole).min(1).optional(),
  active: z.boolean().optional(),
  superviseeIds: z.array(Id).max(100).optional(),
  /** `true` ends a lockout after failed sign-ins now (an addition to the contract). */
  unlock: z.literal(true).optional(),
});
export type UpdateClinicianRequest = z.input<typeof UpdateClinicianRequest>;

/** `POST /api/admin/clinicians/:id/password`: a reset; revokes the account's tokens. */
export const ResetPasswordRequest = z.object({ password: NewPassword });

/** `POST /api/admin/clinicians/:id/totp`: enrols a new second factor, replacing any old one. */
export const TotpEnrolment = z.object({ secret: z.string(), otpauthUri: z.string() });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;
