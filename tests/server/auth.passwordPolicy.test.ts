import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from '../../src/server/auth/commonPasswords.js';
import { assertAcceptablePassword } from '../../src/server/auth/passwordPolicy.js';
import { MIN_PASSWORD_LENGTH, ProtocolError } from '../../src/shared/protocol.js';

function refusal(password: string, username?: string): string | undefined {
  try {
    assertAcceptablePassword(password, username);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('BAD_REQUEST');
    return (err as ProtocolError).message;
  }
}

describe('the password policy', () => {
  it(`refuses passwords shorter than ${MIN_PASSWORD_LENGTH} characters`, () => {
    expect(refusal('short-pw')).toMatch(/at least 12 characters/);
    expect(refusal('x'.repeat(MIN_PASSWORD_LENGTH - 1))).toMatch(/at least/);
  });

  it('refuses the most common passwords whatever their case', () => {
    for (const p of ['qwertyuiop123', 'QWERTYUIOP123', 'Password1234', 'iloveyou1234', 'Welcome12345']) {
      expect(refusal(p)).toMatch(/most commonly used/);
    }
  });

  it('refuses a common password with digits or symbols tacked on', () => {
    expect(refusal('Password!!!!2024')).toMatch(/most commonly used/);
    expect(refusal('qwertyuiop!!')).toMatch(/most commonly used/);
  });

  it('refuses a password built on the username', () => {
    expect(refusal('ana.lee-forever', 'ana.lee')).toMatch(/username/);
  });

  it('accepts a long, uncommon passphrase', () => {
    expect(refusal('violet-harbour-teapot-42')).toBeUndefined();
  });

  it('holds about two hundred common passwords, lower case and unique', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(COMMON_PASSWORDS).size).toBe(COMMON_PASSWORDS.length);
    expect(COMMON_PASSWORDS.every((p) => p === p.toLowerCase())).toBe(true);
    for (const p of ['123456', 'password', 'qwerty123']) expect(COMMON_PASSWORDS).toContain(p);
  });
});
