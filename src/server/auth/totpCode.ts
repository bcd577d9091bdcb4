/**
 * `npm run demo:code -- SECRET`: prints the current authenticator code for a base32 TOTP
 * secret, for trying the demo on a machine without an authenticator app. A real clinician
 * uses their phone; this exists only because the demo prints its secrets.
 */
import { TOTP_STEP_SECONDS, totp } from './totp.js';

const secret = process.argv[2];
if (!secret || !/^[A-Z2-7]+=*$/i.test(secret)) {
  process.stderr.write('usage: npm run demo:code -- BASE32SECRET\n');
  process.exit(2);
}
const now = Date.now();
const left = TOTP_STEP_SECONDS - Math.floor(now / 1000) % TOTP_STEP_SECONDS;
process.stdout.write(`${totp(secret, now)}  (valid for ${left} more seconds, then use the next one)\n`);
