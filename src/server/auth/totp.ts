/**
 * Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), and the base32 alphabet
 * (RFC 4648) authenticator apps use for secrets. Our own few lines on node:crypto rather
 * than a dependency: the whole algorithm is an HMAC and a truncation, and the test vectors
 * in tests/server/auth.totp.test.ts pin it to the RFC.
 *
 * Confidant's parameters are the ones every authenticator app assumes: HMAC-SHA-1, a 30 s
 * step, 6 digits, and one step either side accepted for clock drift.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clock drift between phone and server). */
export const TOTP_WINDOW = 1;
/** RFC 4226 recommends at least 128 bits and 160 (the SHA-1 block output) is what apps expect. */
export const TOTP_SECRET_BYTES = 20;
export const TOTP_ISSUER = 'Confidant';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, without padding (otpauth URIs omit it). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32. Case, spaces, dashes and trailing padding are forgiven (people
 * type secrets in groups); any other character throws.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const value = BASE32_ALPHABET.indexOf(ch);
    if (value < 0) throw new Error('not base32');
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** HOTP (RFC 4226, section 5.3) with a chosen HMAC; `digits` up to 8 for the RFC's vectors. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new Error('counter out of range');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step (RFC 6238's T) that `atMs` falls in. */
export function totpStep(atMs: number): number {
  return Math.floor(atMs / 1000 / TOTP_STEP_SECONDS);
}

/**
 * The code an authenticator app shows for a base32 `secret` at `at` (default: now).
 * Exported for tests and tooling that must sign in the way a person would.
 */
export function totp(secret: string, at: Date | number = Date.now()): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return hotp(base32Decode(secret), totpStep(ms));
}

/**
 * The step a submitted code matches, within ±TOTP_WINDOW of `atMs`, or undefined. Every
 * candidate is computed and compared in constant time, so the answer's timing does not say
 * which step (if any) matched. Steps at or before `lastUsedStep` never match: a code that
 * was accepted once is refused ever after, and so is any older one.
 */
export function matchTotp(key: Uint8Array, code: string, atMs: number, lastUsedStep: number | null): number | undefined {
  const submitted = Buffer.from(code.replace(/\s/g, ''), 'utf8');
  const now = totpStep(atMs);
  let matched: number | undefined;
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    const expected = Buffer.from(hotp(key, step), 'utf8');
    const equal = submitted.length === expected.length && timingSafeEqual(submitted, expected);
    if (equal && (lastUsedStep === null || step > lastUsedStep) && matched === undefined) matched = step;
  }
  return matched;
}

export function newTotpSecret(): Buffer {
  return randomBytes(TOTP_SECRET_BYTES);
}

/** The Key URI Format authenticator apps scan: `otpauth://totp/Issuer:account?…`. */
export function otpauthUri(secret: Uint8Array, accountName: string, issuer = TOTP_ISSUER): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const params = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
