/**
 * The HTTP API's shapes for signing in and proving it is still you (docs/protocol.md,
 * "Sign-in and the second factor"): the requests, the signed-in user and the token's answer.
 */
import { z } from 'zod';
import { ClinicianRole, Id } from '../values';

export const LoginRequest = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
  totp: z.string().max(16).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** `POST /api/reauth` (bearer token): the signed-in clinician proves it is still them, to unlock the console. */
export const ReauthRequest = z.object({
  password: z.string().min(1, 'enter your password').max(1024),
  totp: z.string().trim().max(16).optional(),
});
export type ReauthRequest = z.infer<typeof ReauthRequest>;

export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(ClinicianRole),
});
export type User = z.infer<typeof User>;

export const LoginResponse = z.object({ token: z.string(), expiresAt: z.string(), user: User });
export type LoginResponse = z.infer<typeof LoginResponse>;
