/** JSON requests to the HTTP API, and clinicians made straight in the store for tests. */
import { hashSecret, type ScryptParams } from '../../../src/server/auth/password.js';
import { base32Encode, newTotpSecret } from '../../../src/server/auth/totp.js';
import type { RunningServer } from '../../../src/server/server.js';
import type { Store } from '../../../src/server/store/store.js';
import type { ClinicianRole } from '../../../src/shared/protocol.js';
import { signIn } from './signIn.js';

export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
  list: Record<string, unknown>[];
}

export async function api(
  server: { httpUrl: string },
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  path: string,
  token?: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const res = await fetch(server.httpUrl + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as unknown;
  return {
    status: res.status,
    body: (Array.isArray(json) ? {} : json) as ApiAnswer['body'],
    list: (Array.isArray(json) ? json : []) as Record<string, unknown>[],
  };
}

export interface TestClinician {
  id: string;
  username: string;
  password: string;
  secret: string;
  /** Signs in with a fresh code; returns the token. */
  signIn(): Promise<string>;
}

/** A clinician with a password and an enrolled second factor, straight in the store. */
export async function enrolClinician(
  store: Store,
  clinician: { username: string; password: string; roles: ClinicianRole[]; displayName?: string; hashedWith?: ScryptParams },
): Promise<{ id: string; secret: string }> {
  const { username, password, roles } = clinician;
  const passwordHash = await hashSecret(password, clinician.hashedWith ?? FAST_SCRYPT);
  const c = await store.clinicians.create({ username, displayName: clinician.displayName ?? username, roles, passwordHash });
  const key = newTotpSecret();
  await store.clinicians.setTotpSecret(c.id, key);
  return { id: c.id, secret: base32Encode(key) };
}

/** `enrolClinician` on a running server, with a password of its own and a way to sign in over HTTP. */
export async function makeClinician(server: RunningServer, username: string, roles: ClinicianRole[]): Promise<TestClinician> {
  const password = `pw-${username}-long-enough`;
  const { id, secret } = await enrolClinician(server.store, { username, password, roles });
  return { id, username, password, secret, signIn: () => signIn(server.httpUrl, username, password, secret) };
}
