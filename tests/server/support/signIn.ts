/**
 * Signing in as a person would: password and a TOTP code computed from the account's
 * secret with the server's own `totp` helper. A code works once per account, so each
 * sign-in takes a time step newer than the last one this process used for that account
 * (the server accepts one step either side of now), and waits for the next step only when
 * all three are spent.
 */
import { totp, totpStep, TOTP_STEP_SECONDS } from '../../../src/server/auth/totp.js';

const lastStepUsed = new Map<string, number>();
const STEP_MS = TOTP_STEP_SECONDS * 1000;

/** A fresh code for `account` (any string naming the server and user), never one used before. */
export async function freshCode(account: string, secret: string): Promise<string> {
  for (;;) {
    const now = Date.now();
    const current = totpStep(now);
    const msLeft = (current + 1) * STEP_MS - now;
    const last = lastStepUsed.get(account) ?? -Infinity;
    // The previous step is safe only if the server is sure to see this same step.
    const candidates = [...(msLeft > 3000 ? [current - 1] : []), current, current + 1];
    const step = candidates.find((s) => s > last);
    if (step !== undefined) {
      lastStepUsed.set(account, step);
      return totp(secret, step * STEP_MS);
    }
    await new Promise((r) => setTimeout(r, msLeft + 50));
  }
}

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
  const code = await freshCode(`${httpUrl}|${username}`, secret);
  const { status, body } = await postLogin(httpUrl, { username, password, totp: code });
  if (status !== 200) throw new Error(`login failed: ${status} ${JSON.stringify(body)}`);
  return String(body.token);
}
