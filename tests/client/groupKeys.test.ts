/**
 * Private messages sealed under the group key (src/client/e2ee/groupKeys.ts): they open only
 * for someone holding that key, only as from and to whom they were sealed, and not at all once
 * the keys are forgotten; the frame worker is given every key as it comes.
 */
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { GroupKeys, type KeySink } from '../../src/client/e2ee/groupKeys';
import { fromBase64url, newGroupKey } from '../../src/client/e2ee/keys';

function sink(): KeySink & { given: number[]; forgotten: number } {
  const s = {
    given: [] as number[],
    forgotten: 0,
    setKey: async (epoch: number) => void s.given.push(epoch),
    forget: () => void s.forgotten++,
  };
  return s;
}

describe('private messages under the group key', () => {
  it('open for the same key, as from and to whom they were sealed, and for nothing else', async () => {
    const key = newGroupKey();
    const client = new GroupKeys();
    const facilitator = new GroupKeys();
    expect(client.seal('p-robin', 'facilitator', 'hello')).toBeUndefined();
    await client.set(4, key);
    await facilitator.set(4, key);
    const sealed = client.seal('p-robin', 'facilitator', 'Could we talk after group?')!;
    expect(sealed.epoch).toBe(4);
    expect(sealed.box).not.toContain('talk');
    expect(facilitator.open(sealed, 'p-robin', 'facilitator')).toBe('Could we talk after group?');
    // Passed off as from someone else, or to someone else: not opened.
    expect(facilitator.open(sealed, 'p-sam', 'facilitator')).toBeUndefined();
    expect(facilitator.open(sealed, 'facilitator', 'p-robin')).toBeUndefined();
    // Altered, or under another key, or another epoch.
    const flipped = { ...sealed, box: sealed.box.slice(0, -2) + (sealed.box.endsWith('AA') ? 'BA' : 'AA') };
    expect(facilitator.open(flipped, 'p-robin', 'facilitator')).toBeUndefined();
    const other = new GroupKeys();
    await other.set(4, newGroupKey());
    expect(other.open(sealed, 'p-robin', 'facilitator')).toBeUndefined();
    expect(facilitator.open({ ...sealed, epoch: 5 }, 'p-robin', 'facilitator')).toBeUndefined();
  });

  it('keeps the newest two epochs, gives each key to the frame worker, and forgets them all on leaving the group', async () => {
    const worker = sink();
    const keys = new GroupKeys(worker);
    const first = newGroupKey();
    await keys.set(1, first);
    const early = keys.seal('facilitator', 'p-robin', 'one')!;
    await keys.set(2, newGroupKey());
    expect(keys.open(early, 'facilitator', 'p-robin')).toBe('one');
    await keys.set(3, newGroupKey());
    // Epoch 1 is two changes old: gone.
    expect(keys.open(early, 'facilitator', 'p-robin')).toBeUndefined();
    expect(worker.given).toEqual([1, 2, 3]);
    const late = keys.seal('facilitator', 'p-robin', 'three')!;
    keys.forget();
    expect(worker.forgotten).toBe(1);
    expect(keys.hasKey).toBe(false);
    expect(keys.open(late, 'facilitator', 'p-robin')).toBeUndefined();
    expect(keys.seal('facilitator', 'p-robin', 'four')).toBeUndefined();
  });

  it('takes keys given at once in the order given, and none given before a forget, though deriving each takes a moment', async () => {
    const worker = sink();
    const keys = new GroupKeys(worker);
    await Promise.all([keys.set(7, newGroupKey()), keys.set(8, newGroupKey()), keys.set(9, newGroupKey())]);
    expect(worker.given).toEqual([7, 8, 9]);
    expect(keys.epoch).toBe(9);
    // Left the group while a key was on its way in: it is not taken, here or in the worker.
    const late = keys.set(10, newGroupKey());
    keys.forget();
    await late;
    expect(keys.hasKey).toBe(false);
    expect(worker.given).toEqual([7, 8, 9]);
    expect(keys.seal('facilitator', 'p-robin', 'after')).toBeUndefined();
  });

  it('derives the message key as before (SHA-512 over the label and the key), so a page and a console of either kind read each other', async () => {
    const key = newGroupKey();
    const keys = new GroupKeys();
    await keys.set(2, key);
    const sealed = keys.seal('p-robin', 'facilitator', 'same bytes')!;
    const label = new TextEncoder().encode('confidant private messages\n');
    const messageKey = nacl.hash(Uint8Array.from([...label, ...key])).slice(0, nacl.secretbox.keyLength);
    const opened = nacl.secretbox.open(fromBase64url(sealed.box)!, fromBase64url(sealed.nonce)!, messageKey);
    expect(JSON.parse(new TextDecoder().decode(opened!))).toEqual({ f: 'p-robin', t: 'facilitator', m: 'same bytes' });
  });
});
