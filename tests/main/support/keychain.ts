/**
 * The real OS keychain in tests (a Secret Service: gnome-keyring in a private D-Bus session
 * when run through scripts/with-keyring.sh): whether one answers, and accounts in it that
 * do not outlive the test.
 */
import { randomUUID } from 'node:crypto';
import keytar from 'keytar';
import { onTestFinished } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../src/main/notes/vault';

/** Whether a Secret Service answers here; tests that need one skip (never pass) without it. */
export async function secretServiceReachable(): Promise<boolean> {
  try {
    await keytar.findCredentials('confidant-probe');
    return true;
  } catch {
    return false;
  }
}

/** A new account name, whose keychain entry (if the test makes one) is deleted when the test finishes. */
export function keychainTestAccount(): string {
  const account = `test-${randomUUID()}@http://127.0.0.1:8443`;
  onTestFinished(async () => {
    await keytar.deletePassword(KEYCHAIN_SERVICE, account).catch(() => false);
  });
  return account;
}
