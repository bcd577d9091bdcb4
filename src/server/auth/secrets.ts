/** Random secrets (bearer tokens, invitation tokens, passcodes) and their stored digests. */
import { hash, randomBytes, randomInt } from 'node:crypto';

/** 32 random bytes, base64url: unguessable, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The stored form of a high-entropy token. A plain SHA-256 suffices because the token has
 * 256 bits of entropy; a leaked table gives nothing to brute-force. One-shot (`crypto.hash`):
 * every hello digests a token or two, and a Hash object costs more than the digest itself.
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'hex');
}

export function randomDigits(count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String(randomInt(10));
  return s;
}

export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
