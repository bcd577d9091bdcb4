import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hotp,
  matchTotp,
  newTotpSecret,
  otpauthUri,
  totp,
  totpStep,
} from '../../src/server/auth/totp.js';

// RFC 6238, Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_SHA1_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_SHA1_VECTORS)('matches the RFC\'s SHA-1 vector at T=%i with 8 digits', (seconds, code) => {
    expect(hotp(RFC_SEED, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it.each(RFC_SHA1_VECTORS)('gives the last six digits at T=%i, as authenticator apps show', (seconds, code) => {
    expect(totp(base32Encode(RFC_SEED), seconds * 1000)).toBe(code.slice(-6));
    expect(totp(base32Encode(RFC_SEED), new Date(seconds * 1000))).toBe(code.slice(-6));
  });

  it('accepts one step either side of now and nothing further', () => {
    const key = newTotpSecret();
    const t = 1_800_000_000_000;
    const step = totpStep(t);
    for (const d of [-1, 0, 1]) expect(matchTotp(key, hotp(key, step + d), t, null)).toBe(step + d);
    for (const d of [-3, -2, 2, 3]) expect(matchTotp(key, hotp(key, step + d), t, null)).toBeUndefined();
  });

  it('refuses a code for a step at or before the last one used', () => {
    const key = newTotpSecret();
    const t = 1_800_000_000_000;
    const step = totpStep(t);
    expect(matchTotp(key, hotp(key, step), t, step)).toBeUndefined();
    expect(matchTotp(key, hotp(key, step - 1), t, step)).toBeUndefined();
    expect(matchTotp(key, hotp(key, step + 1), t, step)).toBe(step + 1);
  });

  it('refuses malformed codes', () => {
    const key = newTotpSecret();
    const t = 1_800_000_000_000;
    for (const code of ['', '12345', '1234567', 'abcdef', hotp(key, totpStep(t)) + '0']) {
      expect(matchTotp(key, code, t, null)).toBeUndefined();
    }
  });
});

describe('base32 (RFC 4648)', () => {
  it('encodes and decodes the RFC\'s test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
  });

  it('forgives case, spaces and padding, and refuses other characters', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZXW1')).toThrow();
  });

  it('round-trips a 20-byte secret as 32 characters', () => {
    const key = newTotpSecret();
    expect(key).toHaveLength(20);
    const text = base32Encode(key);
    expect(text).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(text).equals(key)).toBe(true);
  });
});

describe('otpauth URI', () => {
  it('names issuer and account and carries the parameters apps need', () => {
    const key = Buffer.from('12345678901234567890');
    const text = otpauthUri(key, 'ana.lee');
    expect(text.startsWith('otpauth://totp/Confidant:ana.lee?')).toBe(true);
    const uri = new URL(text);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: base32Encode(key),
      issuer: 'Confidant',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
