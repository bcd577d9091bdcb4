/**
 * Invitation links' secrets (src/main/e2ee/linkSecrets.ts): the same secret from the same key,
 * invitation and issue time, so the console can recompute it at call time; another for anything
 * else; a fragment the participant page reads; and the keys wiped once used.
 */
import { describe, expect, it } from 'vitest';
import { issuedWithSecret, linkIssuer, linkSecret, secretsOf, withLinkSecret } from '../../src/main/e2ee/linkSecrets';
import { newKey, purposeKey } from '../../src/main/sealing';
import type { InvitationSummary, IssuedInvitation } from '../../src/shared/protocol';

const FRAGMENT = /^#k=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{11}$/;
const ISSUED_AT = '2026-11-03T18:00:00.000Z';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const allZero = (bytes: Uint8Array) => bytes.length > 0 && bytes.every((b) => b === 0);

function summary(over: Partial<InvitationSummary> = {}): InvitationSummary {
  return {
    id: 'inv-1',
    sessionId: 's-1',
    participantRef: 'IOP-1',
    participantId: 'p-1',
    verificationHint: null,
    state: 'active',
    createdAt: ISSUED_AT,
    issuedAt: ISSUED_AT,
    revokedAt: null,
    ...over,
  };
}

function issued(over: Partial<InvitationSummary> = {}): IssuedInvitation {
  return { invitation: summary(over), url: 'https://clinic.example/join/TOKEN', token: 'TOKEN', passcode: '123456' };
}

describe('a link secret', () => {
  it('is 32 bytes, the same for the same key, invitation and issue time', () => {
    const key = purposeKey(newKey(), 'link secrets');
    const secret = linkSecret(key, 'inv-1', ISSUED_AT);
    expect(secret).toHaveLength(32);
    expect(hex(linkSecret(key, 'inv-1', ISSUED_AT))).toBe(hex(secret));
  });

  it('differs for another issue time (a re-issue), another invitation, another keychain key', () => {
    const keychainKey = newKey();
    const key = purposeKey(keychainKey, 'link secrets');
    const secrets = [
      linkSecret(key, 'inv-1', ISSUED_AT),
      linkSecret(key, 'inv-1', '2026-11-03T18:00:00.001Z'),
      linkSecret(key, 'inv-2', ISSUED_AT),
      linkSecret(purposeKey(newKey(), 'link secrets'), 'inv-1', ISSUED_AT),
      // Under another purpose's key of the same keychain key, as a reminder that the purpose matters.
      linkSecret(purposeKey(keychainKey, 'roster row index'), 'inv-1', ISSUED_AT),
    ];
    expect(new Set(secrets.map(hex)).size).toBe(secrets.length);
  });

  it('is pinned: links already sent must keep matching what a newer console recomputes', () => {
    // Computed outside Node (Python's hmac and an RFC 5869 HKDF) from the keychain key 00 01 … 1f.
    const key = purposeKey(Uint8Array.from({ length: 32 }, (_, i) => i), 'link secrets');
    expect(b64url(linkSecret(key, 'inv-1', ISSUED_AT))).toBe('aU1B1QIKXx7356NQUDFE8S8EHdiLVvEkpaUcaJIvTRM');
    expect(linkIssuer(key)).toBe('CTZ3BxM6D2k');
  });
});

describe('the issuer tag', () => {
  it('is 11 characters of base64url, the same for the same key, different for another', () => {
    const key = purposeKey(newKey(), 'link secrets');
    const issuer = linkIssuer(key);
    expect(issuer).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(linkIssuer(key)).toBe(issuer);
    expect(linkIssuer(purposeKey(newKey(), 'link secrets'))).not.toBe(issuer);
  });
});

describe('the link', () => {
  it('carries the secret and the issuer in its fragment, the rest of the URL unchanged', () => {
    const key = purposeKey(newKey(), 'link secrets');
    const secret = linkSecret(key, 'inv-1', ISSUED_AT);
    const url = new URL(withLinkSecret('https://clinic.example/join/TOKEN', secret, linkIssuer(key)));
    expect(url.hash).toMatch(FRAGMENT);
    expect(url.hash).toBe(`#k=${b64url(secret)}.${linkIssuer(key)}`);
    expect(`${url.origin}${url.pathname}`).toBe('https://clinic.example/join/TOKEN');
  });

  it('refuses a secret of another length rather than make a fragment nobody can read', () => {
    expect(() => withLinkSecret('https://clinic.example/join/T', new Uint8Array(16), 'AAAAAAAAAAA')).toThrow(/32 bytes/);
  });
});

describe('what main hands the renderer', () => {
  it('an issued link with its secret, wiping the keychain key it was given; the same secret the list gives later', () => {
    const keychainKey = newKey();
    const kept = new Uint8Array(keychainKey);
    const answer = issuedWithSecret(issued(), keychainKey);
    expect(allZero(keychainKey)).toBe(true);
    expect(answer.linkSecret).toBe(true);
    expect(answer.url.startsWith('https://clinic.example/join/TOKEN#k=')).toBe(true);
    expect(new URL(answer.url).hash).toMatch(FRAGMENT);
    expect(answer.passcode).toBe('123456');

    const later = secretsOf([summary(), summary({ id: 'inv-2', participantId: 'p-2', state: 'revoked' })], new Uint8Array(kept));
    const [secret, issuer] = new URL(answer.url).hash.slice('#k='.length).split('.');
    expect(later).toEqual({ issuer, secrets: { 'p-1': secret } });
  });

  it('without a keychain key: the link as the server gave it, linkSecret false, no secrets and no issuer', () => {
    const answer = issuedWithSecret(issued(), null);
    expect(answer).toEqual({ ...issued(), linkSecret: false });
    expect(secretsOf([summary()], null)).toEqual({ issuer: null, secrets: {} });
  });

  it('secrets only for active invitations, keyed by participantId, the keychain key wiped', () => {
    const keychainKey = newKey();
    const list = [
      summary(),
      summary({ id: 'inv-2', participantId: 'p-2', issuedAt: '2026-11-04T09:00:00.000Z' }),
      summary({ id: 'inv-3', participantId: 'p-3', state: 'expired' }),
      summary({ id: 'inv-4', participantId: '__proto__' }),
    ];
    const key = purposeKey(keychainKey, 'link secrets');
    const { secrets } = secretsOf(list, keychainKey);
    expect(allZero(keychainKey)).toBe(true);
    expect(Object.keys(secrets).sort()).toEqual(['__proto__', 'p-1', 'p-2']);
    expect(secrets['p-2']).toBe(b64url(linkSecret(key, 'inv-2', '2026-11-04T09:00:00.000Z')));
    expect(Object.getPrototypeOf(secrets)).toBe(Object.prototype);
  });
});
