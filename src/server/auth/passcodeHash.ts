/**
 * Invitation passcodes, kept as a keyed hash: HMAC-SHA-256 under a key derived from the
 * records key for this purpose alone (store/recordKeys.ts), over a per-invitation salt and the
 * passcode. Stored as `hmac-sha256$SALT$MAC` (base64url).
 *
 * Why not scrypt, as for passwords: a 6-digit passcode has a million values, so no affordable
 * hash cost keeps a stolen database from giving them up; what protects a passcode is the
 * attempt limits (per invitation and per address, reserved before the check) and the 256-bit
 * link token beside it. scrypt only made every join pay tens of milliseconds of CPU, fifty
 * times over when a group opens its links at the start time. A keyed hash costs microseconds,
 * and a stolen database alone, without the records key, cannot test a single guess against it.
 *
 * Invitations issued before this kept an scrypt hash (`scrypt$…`, auth/password.ts). Those still
 * open with their passcode, checked through the hashing gate as before, and the hash is replaced
 * by the keyed one at that first success (signaling/hello.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hmac-sha256';
const SALT_BYTES = 16;
const MAC_BYTES = 32;

export interface PasscodeHasher {
  /** A fresh stored form of `passcode`, with a salt of its own. */
  hash(passcode: string): string;
  /** Whether `passcode` matches a keyed stored form; false for any other form. */
  verify(passcode: string, stored: string): boolean;
  /** The stored form a check runs against when the invitation is unknown, so both cost the same. */
  readonly decoy: string;
}

/** An scrypt hash from before keyed passcodes: checked the slow way once, then replaced. */
export function isLegacyPasscodeHash(stored: string): boolean {
  return stored.startsWith('scrypt$');
}

export function createPasscodeHasher(key: Buffer): PasscodeHasher {
  const mac = (salt: Buffer, passcode: string): Buffer =>
    createHmac('sha256', key).update('invitation-passcode\n').update(salt).update(passcode.normalize('NFC'), 'utf8').digest();
  const hash = (passcode: string): string => {
    const salt = randomBytes(SALT_BYTES);
    return [PREFIX, salt.toString('base64url'), mac(salt, passcode).toString('base64url')].join('$');
  };
  return {
    hash,
    verify(passcode, stored) {
      const parts = stored.split('$');
      if (parts.length !== 3 || parts[0] !== PREFIX) return false;
      const salt = Buffer.from(parts[1]!, 'base64url');
      const expected = Buffer.from(parts[2]!, 'base64url');
      if (salt.length !== SALT_BYTES || expected.length !== MAC_BYTES) return false;
      return timingSafeEqual(mac(salt, passcode), expected);
    },
    decoy: hash(randomBytes(16).toString('base64url')),
  };
}
