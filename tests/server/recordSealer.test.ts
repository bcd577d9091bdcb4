import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRecordSealer, RECORDS_KEY_BYTES } from '../../src/server/store/recordSealer';

describe('record sealer', () => {
  const sealer = createRecordSealer(randomBytes(RECORDS_KEY_BYTES));

  it('opens what it sealed, for the same context only', () => {
    const blob = sealer.seal('Ana — left after a panic attack', 'removal\np-1');
    expect(blob.includes(Buffer.from('panic'))).toBe(false);
    expect(sealer.open(blob, 'removal\np-1')).toBe('Ana — left after a panic attack');
    expect(() => sealer.open(blob, 'removal\np-2')).toThrow();
  });

  it('refuses an altered blob and a blob sealed under another key', () => {
    const blob = sealer.seal('Jo', 'attendance\n1');
    const altered = Buffer.from(blob);
    altered[altered.length - 1]! ^= 1;
    expect(() => sealer.open(altered, 'attendance\n1')).toThrow();
    expect(() => createRecordSealer(randomBytes(RECORDS_KEY_BYTES)).open(blob, 'attendance\n1')).toThrow();
    expect(() => sealer.open(Buffer.from([1, 2, 3]), 'attendance\n1')).toThrow(/not a sealed record/);
  });

  it('gives every blob its own nonce, across many refills of the nonce pool', () => {
    const nonces = new Set<string>();
    const count = 2000; // the pool holds 256
    for (let i = 0; i < count; i++) {
      const blob = sealer.seal('the same name', 'resumption-name\np-1');
      nonces.add(blob.subarray(1, 13).toString('hex'));
      expect(sealer.open(blob, 'resumption-name\np-1')).toBe('the same name');
    }
    expect(nonces.size).toBe(count);
  });
});
