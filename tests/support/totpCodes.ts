/**
 * Authenticator codes for tests that sign in the way a person does, computed with the
 * server's own `totp`. The server refuses a code whose time step was already used for the
 * account, so each code takes a step newer than the last one this process used for that
 * account within the server's window (one step either side of now), and waits for the next
 * step only when all three are spent.
 */
import { totp, totpStep, TOTP_STEP_SECONDS } from '../../src/server/auth/totp';

const lastStepUsed = new Map<string, number>();
const STEP_MS = TOTP_STEP_SECONDS * 1000;

/**
 * A fresh code for the account holding `secret` (base32), never one used before. `account`
 * names the account where one secret could serve two (the same seed on two servers: pass the
 * server and the username), so the steps of one do not hold back the other.
 */
export async function freshTotp(secret: string, account: string = secret): Promise<string> {
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
