/**
 * Seals free text that a record must keep but the data directory must never hold in the
 * clear (a removal's reason can name a diagnosis or an incident). AES-256-GCM under a
 * 32-byte records key that lives outside the data directory (config `recordsKeyFile`), so
 * a copied database or backup reveals nothing. The row's identity is bound in as
 * associated data, so a sealed reason cannot be moved onto another row.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { noncePool } from '../../shared/noncePool.js';

export const RECORDS_KEY_BYTES = 32;
const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface RecordSealer {
  seal(plaintext: string, context: string): Buffer;
  /** Throws when the key is wrong, the blob was altered or the context differs. */
  open(sealed: Buffer, context: string): string;
}

/** Random 96-bit GCM nonces stay safe far beyond the records one server ever seals. */
const freshNonce = noncePool(NONCE_BYTES);

export function createRecordSealer(key: Buffer): RecordSealer {
  if (key.length !== RECORDS_KEY_BYTES) throw new Error(`a records key is ${RECORDS_KEY_BYTES} bytes`);
  return {
    seal(plaintext, context) {
      const nonce = freshNonce();
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT_VERSION]), nonce, cipher.getAuthTag(), body]);
    },
    open(sealed, context) {
      if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
        throw new Error('not a sealed record');
      }
      const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
      const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}
