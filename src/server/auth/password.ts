/**
 * Password hashing with scrypt (and the scrypt hashes invitation passcodes once had). The
 * stored form describes itself, `scrypt$N$r$p$salt$hash` (base64url), so parameters can be
 * raised later without invalidating existing hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * Clinicians' passwords, at OWASP's recommendation for scrypt (Password Storage Cheat Sheet,
 * https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html: "a
 * minimum CPU/memory cost parameter of (2^17), a minimum block size of 8 (1024 bytes), and a
 * parallelization parameter of 1"). That is 128 MiB and about half a second of one
 * core per hash on a small server, which is why the hashing gate (limits/hashingGate.ts)
 * caps how many run at once. Hashes stored at lower parameters are rehashed at these on
 * their owner's next successful sign-in (`needsRehash`).
 */
export const PASSWORD_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/**
 * What invitation passcodes were hashed with before they became a keyed hash
 * (passcodeHash.ts). Hashes at this cost are still verified (once, then replaced); demo mode
 * hashes its printed passwords at it, since they protect nothing a stolen database would hold.
 */
export const LEGACY_PASSCODE_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function scrypt(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  // The async form runs in libuv's thread pool, so a login never stalls signaling.
  return new Promise((resolve, reject) => {
    scryptCb(secret.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a secret; at the password cost unless told otherwise. */
export async function hashSecret(secret: string, params: ScryptParams = PASSWORD_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(secret, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((s) => Number.parseInt(s, 10));
  if (N === undefined || r === undefined || p === undefined) return undefined;
  // Bounds keep a corrupted row from asking scrypt for gigabytes.
  if (!(N >= 1024 && N <= 1 << 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { params: { N, r, p }, salt, key };
}

/**
 * Whether a stored hash was made below `current` (or cannot be read): its owner's next
 * successful sign-in replaces it.
 */
export function needsRehash(stored: string, current: ScryptParams): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const { N, r, p } = parsed.params;
  return N < current.N || r < current.r || p < current.p;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await scrypt(secret, parsed.salt, parsed.params);
  return candidate.length === parsed.key.length && timingSafeEqual(candidate, parsed.key);
}

/**
 * A hash of a random secret nobody knows, at the given parameters, verified against when the
 * account or invitation does not exist, so an unknown one costs the same time as a wrong
 * secret. One per parameter set, made once.
 */
const decoys = new Map<string, Promise<string>>();
export function decoyHash(params: ScryptParams): Promise<string> {
  const key = `${params.N}$${params.r}$${params.p}`;
  let decoy = decoys.get(key);
  if (!decoy) {
    decoy = hashSecret(randomBytes(16).toString('base64url'), params);
    decoys.set(key, decoy);
  }
  return decoy;
}
