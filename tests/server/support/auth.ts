/**
 * The auth service over a real store in a temporary folder, with one clinician in it (Ana, a
 * facilitator with a password and an enrolled second factor), for the sign-in, re-auth and
 * rehash tests. The test owns the clock: it passes `now` and moves time by assignment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuthService, type AuthOptions, type AuthService } from '../../../src/server/auth/authService.js';
import type { ScryptParams } from '../../../src/server/auth/password.js';
import { openStore, type Store } from '../../../src/server/store/store.js';
import { ProtocolError, type ErrorCode } from '../../../src/shared/protocol.js';
import { enrolClinician, FAST_SCRYPT } from './api.js';

export const ANA_PASSWORD = 'violet-harbour-teapot';
/** The address sign-ins come from, unless a test says otherwise. */
export const SIGN_IN_ADDRESS = '192.0.2.10';
/** Where the auth tests' injected clock starts. */
export const AUTH_CLOCK_START = Date.UTC(2026, 10, 24, 9, 0, 0);

export interface AuthWithAna {
  dir: string;
  store: Store;
  auth: AuthService;
  anaId: string;
  /** Ana's authenticator secret, base32 as an app would show it. */
  secret: string;
  /** Closes the store and removes its folder. */
  close(): Promise<void>;
}

/** A store in a new temporary folder named after `tmpPrefix`, Ana in it, and the auth service over it. */
export async function openAuthWithAna(tmpPrefix: string, options: AuthOptions, anaHashedWith: ScryptParams = FAST_SCRYPT): Promise<AuthWithAna> {
  const dir = mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const store = openStore(dir);
  const auth = createAuthService(store, options);
  const ana = await enrolClinician(store, { username: 'ana', displayName: 'Ana', roles: ['facilitator'], password: ANA_PASSWORD, hashedWith: anaHashedWith });
  return {
    dir,
    store,
    auth,
    anaId: ana.id,
    secret: ana.secret,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The protocol error code a call fails with, or 'OK' when it succeeds. */
export async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'OK'> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
}
