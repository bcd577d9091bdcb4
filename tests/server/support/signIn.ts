/**
 * Signing in as a person would: password and a fresh TOTP code (tests/support/totpCodes.ts).
 */
import { freshTotp } from '../../support/totpCodes.js';

export interface SignInResult {
  status: number;
  body: Record<string, unknown>;
}

export async function postLogin(httpUrl: string, body: Record<string, unknown>): Promise<SignInResult> {
  const res = await fetch(`${httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Signs in with a fresh code; throws unless it succeeds. Returns the bearer token. */
export async function signIn(httpUrl: string, username: string, password: string, secret: string): Promise<string> {
  const code = await freshTotp(secret, `${httpUrl}|${username}`);
  const { status, body } = await postLogin(httpUrl, { username, password, totp: code });
  if (status !== 200) throw new Error(`login failed: ${status} ${JSON.stringify(body)}`);
  return String(body.token);
}
