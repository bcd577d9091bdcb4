/**
 * Authenticator codes for tests that sign in the way a person does. The server refuses a
 * code whose time step was already used, so each sign-in takes the next unused step within
 * the server's ±1 window, waiting for the clock when both are spent.
 */
import { base32Decode, hotp, TOTP_STEP_SECONDS, totpStep } from '../../src/server/auth/totp';

const lastStep = new Map<string, number>();

export async function freshTotp(secret: string): Promise<string> {
  for (;;) {
    const now = totpStep(Date.now());
    const step = Math.max(now, (lastStep.get(secret) ?? -Infinity) + 1);
    if (step <= now + 1) {
      lastStep.set(secret, step);
      return hotp(base32Decode(secret), step);
    }
    const nextBoundary = (now + 1) * TOTP_STEP_SECONDS * 1000;
    await new Promise((r) => setTimeout(r, nextBoundary - Date.now() + 50));
  }
}
