/**
 * Everything the store keys with the records key: the sealer (recordSealer.ts), and one key per
 * further purpose, derived with HKDF-SHA-256 under a label naming that purpose, so no key ever
 * serves two (a lookup hash can never be replayed as an audit link, and neither reveals the
 * sealing key).
 *
 * - lookup: an HMAC of a value the records must find by but never hold in the clear (a
 *   client's reference): equal values give equal hashes, so an index and a UNIQUE constraint
 *   still work, and without the records key the hash cannot be tested against guesses.
 * - audit chain: the HMAC that links audit entries (../audit/chain.ts).
 * - passcode: the keyed hash invitation passcodes are kept as (../auth/passcodeHash.ts).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { createPasscodeHasher, type PasscodeHasher } from '../auth/passcodeHash.js';
import { createRecordSealer, RECORDS_KEY_BYTES, type RecordSealer } from './recordSealer.js';

export type RecordsKeyPurpose = 'lookup' | 'audit-chain' | 'passcode';

const HKDF_SALT = Buffer.from('confidant records key', 'utf8');

export function deriveRecordsSubkey(recordsKey: Buffer, purpose: RecordsKeyPurpose): Buffer {
  if (recordsKey.length !== RECORDS_KEY_BYTES) throw new Error(`a records key is ${RECORDS_KEY_BYTES} bytes`);
  // Buffer.alloc, not from(): key material stays out of the shared pool, and can be zeroed.
  const out = Buffer.alloc(32);
  out.set(new Uint8Array(hkdfSync('sha256', recordsKey, HKDF_SALT, `confidant/${purpose}/v1`, 32)));
  return out;
}

export interface LookupHasher {
  /** The keyed hash a client's reference is stored and found by (hex). */
  participantRef(ref: string): string;
  /** The keyed hash an attempt limit's key (a typed username, an address) is counted under (hex). */
  attemptKey(scope: string, key: string): string;
}

export function createLookupHasher(key: Buffer): LookupHasher {
  return {
    participantRef: (ref) => createHmac('sha256', key).update('participant-ref\n').update(ref, 'utf8').digest('hex'),
    attemptKey: (scope, k) => createHmac('sha256', key).update(`attempt-key\n${scope}\n`).update(k, 'utf8').digest('hex'),
  };
}

export interface RecordKeys {
  /** Made for this process only (no `recordsKeyFile`): what it seals is lost at a restart. */
  ephemeral: boolean;
  sealer: RecordSealer;
  lookup: LookupHasher;
  passcodes: PasscodeHasher;
  chainKey: Buffer;
  /** Zeroes the derived keys (the records key itself belongs to whoever passed it). */
  wipe(): void;
}

export function createRecordKeys(recordsKey: Buffer, ephemeral = false): RecordKeys {
  const lookupKey = deriveRecordsSubkey(recordsKey, 'lookup');
  const chainKey = deriveRecordsSubkey(recordsKey, 'audit-chain');
  const passcodeKey = deriveRecordsSubkey(recordsKey, 'passcode');
  return {
    ephemeral,
    sealer: createRecordSealer(recordsKey),
    lookup: createLookupHasher(lookupKey),
    passcodes: createPasscodeHasher(passcodeKey),
    chainKey,
    wipe() {
      lookupKey.fill(0);
      passcodeKey.fill(0);
      chainKey.fill(0);
    },
  };
}

/** How an audit entry names a client: by the keyed hash of their reference, never the reference. */
export function refSubject(lookup: LookupHasher, ref: string): string {
  return `ref:${lookup.participantRef(ref)}`;
}

/** Where a session's title is sealed: bound to its row. */
export const titleContext = (sessionId: string): string => `session-title\n${sessionId}`;
/** Where an invitation's client reference is sealed: bound to its row. */
export const refContext = (invitationId: string): string => `participant-ref\n${invitationId}`;
