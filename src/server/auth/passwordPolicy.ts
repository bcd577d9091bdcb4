/**
 * What a new password must be: at least MIN_PASSWORD_LENGTH characters, not one of the most
 * common passwords (case-insensitively, and also with trailing digits and symbols stripped,
 * since "Password!!!!1234" is the same guess with a suffix), and not built on the username.
 * The same rule serves the admin API and the admin command.
 */
import { MIN_PASSWORD_LENGTH, ProtocolError } from '../../shared/protocol.js';
import { COMMON_PASSWORDS } from './commonPasswords.js';

const MAX_PASSWORD_LENGTH = 1024;
const COMMON = new Set(COMMON_PASSWORDS);

/** Throws BAD_REQUEST, with a message a person can act on, when `password` will not do. */
export function assertAcceptablePassword(password: string, username?: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new ProtocolError('BAD_REQUEST', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`, {
      reason: 'password-too-short',
      params: { min: MIN_PASSWORD_LENGTH },
    });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ProtocolError('BAD_REQUEST', `a password has at most ${MAX_PASSWORD_LENGTH} characters`, {
      reason: 'password-too-long',
      params: { max: MAX_PASSWORD_LENGTH },
    });
  }
  const lower = password.normalize('NFKC').toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  if (COMMON.has(lower) || COMMON.has(stem) || COMMON.has(lower.replace(/\s+/g, ''))) {
    throw new ProtocolError('BAD_REQUEST', 'that password is one of the most commonly used; choose another', { reason: 'password-common' });
  }
  if (username !== undefined && username.length >= 3 && lower.includes(username.toLowerCase())) {
    throw new ProtocolError('BAD_REQUEST', 'a password must not contain the username', { reason: 'password-has-username' });
  }
}
