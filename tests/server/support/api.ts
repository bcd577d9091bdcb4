/** JSON requests to the HTTP API, and clinicians made straight in the store for tests. */
import { hashSecret } from '../../../src/server/auth/password.js';
import { base32Encode, newTotpSecret } from '../../../src/server/auth/totp.js';
import type { RunningServer } from '../../../src/server/server.js';
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
export async function makeClinician(server: RunningServer, username: string, roles: ClinicianRole[]): Promise<TestClinician> {
  const password = `pw-${username}-long-enough`;
  const c = server.store.clinicians.create({ username, displayName: username, roles, passwordHash: await hashSecret(password, FAST_SCRYPT) });
  const key = newTotpSecret();
  server.store.clinicians.setTotpSecret(c.id, key);
  const secret = base32Encode(key);
  return { id: c.id, username, password, secret, signIn: () => signIn(server.httpUrl, username, password, secret) };
}
