/**
 * The facilitator letting someone whose browser cannot seal frames take part by audio in the
 * clear (issue 19): the allowance travels only inside the holder's sealed boxes, with a new
 * key, so members act on the facilitator's word alone. A relay (the server) that claims an
 * allowance, replays an old one or hides a new one is the case each test plays.
 */
import { describe, expect, it } from 'vitest';
import type { GroupKey, MemberKey } from '../../src/shared/protocol';
import { SealedGroupKey } from '../../src/shared/protocol';
import { KeyHolder, type MemberTrust } from '../../src/client/e2ee/keyHolder';
import { KeyMember } from '../../src/client/e2ee/keyMember';
import { ClearAudioOnly, ClearAudioRefusedError, EncryptionUnavailableError, FrameCipher } from '../../src/client/e2ee/frameCipher';
import { MAX_CLEAR_AUDIO, newGroupKey, newKeyPair, openGroupKeyBox, sealGroupKey, toBase64url } from '../../src/client/e2ee/keys';

const secretOf = (n: number) => new Uint8Array(32).fill(n);

interface Heard {
  epoch: number;
  clearAudio: readonly string[];
}

/** A holder and its members over a relay that records every box it carries. */
function call() {
  const holderHeard: Heard[] = [];
  const trust = new Map<string, MemberTrust>();
  const carried: GroupKey[] = [];
  const members = new Map<string, { member: KeyMember; heard: Heard[] }>();
  const holder = new KeyHolder({
    linkSecretFor: (id) => (members.has(id) ? secretOf(Number(id.slice(2))) : undefined),
    onGroupKey: (epoch, _key, clearAudio) => holderHeard.push({ epoch, clearAudio }),
    onTrust: (id, t) => trust.set(id, t),
    async send(to, key) {
      const offer: GroupKey = { from: 'c-facilitator', ...key };
      carried.push(offer);
      await members.get(to)!.member.groupKey(offer);
    },
  });
  const join = async (participantId: string, options: { cannotEncrypt?: boolean } = {}) => {
    const heard: Heard[] = [];
    const member = new KeyMember({
      participantId,
      linkSecret: secretOf(Number(participantId.slice(2))),
      ...(options.cannotEncrypt ? { cannotEncrypt: true } : {}),
      onGroupKey: (epoch, _key, clearAudio) => heard.push({ epoch, clearAudio }),
    });
    members.set(participantId, { member, heard });
    const announced: MemberKey = { participantId, ...(await member.announcement()) };
    await holder.memberKey(announced);
    return { member, heard };
  };
  return { holder, holderHeard, trust, carried, join };
}

describe('an allowance to take part by audio in the clear', () => {
  it('is off by default: a browser that cannot encrypt gets nothing, and every box says nobody is in the clear', async () => {
    const { holder, trust, join } = call();
    const robin = await join('p-1', { cannotEncrypt: true });
    const sam = await join('p-2');
    await holder.groupIs(['p-1', 'p-2']);
    expect(trust.get('p-1')).toBe('cannot encrypt');
    expect(robin.heard).toEqual([]);
    expect(sam.heard).toEqual([{ epoch: 0, clearAudio: [] }]);
    expect(holder.clearAudioList).toEqual([]);
  });

  it('once the facilitator allows it, goes with a new key to everyone, the person in the clear included', async () => {
    const { holder, holderHeard, join } = call();
    const robin = await join('p-1', { cannotEncrypt: true });
    const sam = await join('p-2');
    await holder.groupIs(['p-1', 'p-2']);
    expect(await holder.allowClearAudio('p-1', true)).toBe(true);
    expect(holder.currentEpoch).toBe(1);
    expect(holderHeard.at(-1)).toEqual({ epoch: 1, clearAudio: ['p-1'] });
    expect(sam.heard.at(-1)).toEqual({ epoch: 1, clearAudio: ['p-1'] });
    // The person in the clear learns it from the holder's box, which the server cannot make.
    expect(robin.heard).toEqual([{ epoch: 1, clearAudio: ['p-1'] }]);
    // Allowed again: nothing changes, no new key.
    expect(await holder.allowClearAudio('p-1', true)).toBe(false);
    expect(holder.currentEpoch).toBe(1);
  });

  it('is only for someone whose browser said it cannot encrypt, and for at most a few people', async () => {
    const { holder, join } = call();
    await join('p-2');
    await holder.groupIs(['p-2']);
    expect(await holder.allowClearAudio('p-2', true)).toBe(false);
    expect(await holder.allowClearAudio('p-9', true)).toBe(false);
    expect(holder.currentEpoch).toBe(0);
    const ids = Array.from({ length: MAX_CLEAR_AUDIO + 1 }, (_, i) => `p-${10 + i}`);
    for (const id of ids) await join(id, { cannotEncrypt: true });
    for (const id of ids.slice(0, MAX_CLEAR_AUDIO)) expect(await holder.allowClearAudio(id, true)).toBe(true);
    expect(await holder.allowClearAudio(ids.at(-1)!, false)).toBe(false);
    expect(await holder.allowClearAudio(ids.at(-1)!, true)).toBe(false);
    expect(holder.clearAudioList).toHaveLength(MAX_CLEAR_AUDIO);
  });

  it('goes with the admission of someone allowed while waiting, and only then reaches them', async () => {
    const { holder, join } = call();
    const sam = await join('p-2');
    await holder.groupIs(['p-2']);
    const robin = await join('p-1', { cannotEncrypt: true });
    expect(await holder.offerFor('p-1')).toBeUndefined();
    expect(await holder.allowClearAudio('p-1', true)).toBe(true);
    expect(sam.heard.at(-1)).toEqual({ epoch: 1, clearAudio: ['p-1'] });
    expect(robin.heard).toEqual([]);
    const offer = await holder.offerFor('p-1');
    expect(offer).toBeDefined();
    expect(await robin.member.groupKey({ from: 'c-facilitator', ...offer! })).toBe(true);
    expect(robin.heard).toEqual([{ epoch: 1, clearAudio: ['p-1'] }]);
  });

  it('turned off, or the person leaving, makes a new key whose boxes say nobody is in the clear; the person gets none of it', async () => {
    const { holder, join } = call();
    const robin = await join('p-1', { cannotEncrypt: true });
    const sam = await join('p-2');
    await holder.groupIs(['p-1', 'p-2']);
    await holder.allowClearAudio('p-1', true);
    await holder.allowClearAudio('p-1', false);
    expect(holder.currentEpoch).toBe(2);
    expect(sam.heard.at(-1)).toEqual({ epoch: 2, clearAudio: [] });
    // No longer allowed, they are a browser that cannot encrypt again: no key.
    expect(robin.heard.map((h) => h.epoch)).toEqual([1]);

    await holder.allowClearAudio('p-1', true);
    expect(sam.heard.at(-1)).toEqual({ epoch: 3, clearAudio: ['p-1'] });
    // Robin leaves the group (or is removed): a new key, and the allowance ends with their stay.
    await holder.groupIs(['p-2']);
    expect(sam.heard.at(-1)).toEqual({ epoch: 4, clearAudio: [] });
    expect(holder.clearAudioList).toEqual([]);
    expect(robin.heard.map((h) => h.epoch)).toEqual([1, 3]);
  });

  it('ends when the person announces from a browser that can encrypt', async () => {
    const { holder, join } = call();
    await join('p-1', { cannotEncrypt: true });
    const sam = await join('p-2');
    await holder.groupIs(['p-1', 'p-2']);
    await holder.allowClearAudio('p-1', true);
    await join('p-1');
    expect(holder.clearAudioList).toEqual([]);
    expect(sam.heard.at(-1)?.clearAudio).toEqual([]);
  });
});

describe('an allowance the server makes up', () => {
  it('a box the relay seals with its own key, naming someone in the clear, is refused by its proof', async () => {
    const { holder, join } = call();
    const sam = await join('p-2');
    await holder.groupIs(['p-2']);
    const relay = newKeyPair();
    const forged = await sealGroupKey(newGroupKey(), 1, sam.member.keys.publicKey, relay, ['p-1']);
    const used = await sam.member.groupKey({
      from: 'c-facilitator',
      epoch: 1,
      sealed: toBase64url(forged.sealed),
      nonce: toBase64url(forged.nonce),
      holderKey: toBase64url(relay.publicKey),
    });
    expect(used).toBe(false);
    expect(sam.heard).toEqual([{ epoch: 0, clearAudio: [] }]);
  });

  it('a box of the holder’s that the relay changes (to add a name) does not open', async () => {
    const { holder, carried, join } = call();
    const sam = await join('p-2');
    await holder.groupIs(['p-2']);
    const real = carried.at(-1)!;
    const bytes = Buffer.from(real.sealed, 'base64url');
    // Bytes added after the box, as if a list followed; and a byte of it flipped.
    const longer = toBase64url(new Uint8Array([...bytes, ...new TextEncoder().encode('["p-1"]')]));
    const flipped = Buffer.from(bytes);
    flipped[20] = flipped[20]! ^ 1;
    expect(await sam.member.groupKey({ ...real, sealed: longer })).toBe(false);
    expect(await sam.member.groupKey({ ...real, sealed: toBase64url(flipped) })).toBe(false);
    expect(sam.heard).toEqual([{ epoch: 0, clearAudio: [] }]);
  });

  it('an old box that allowed someone, replayed after the facilitator turned it off, is no newer word', async () => {
    const { holder, carried, join } = call();
    await join('p-1', { cannotEncrypt: true });
    const sam = await join('p-2');
    await holder.groupIs(['p-1', 'p-2']);
    await holder.allowClearAudio('p-1', true);
    const allowing = carried.filter((c) => c.epoch === 1).at(-1)!;
    await holder.allowClearAudio('p-1', false);
    // The replay opens (it is the holder's), but it is older than the holder's newest word.
    expect(await sam.member.groupKey(allowing)).toBe(false);
    expect(sam.heard.at(-1)).toEqual({ epoch: 2, clearAudio: [] });
    // The current box, sent again (a member announcing again gets it), is taken as before.
    expect(await sam.member.groupKey(carried.at(-1)!)).toBe(true);
  });
});

describe('the sealed box', () => {
  it('carries the list, which the wire format admits, and opens to it', async () => {
    const holder = newKeyPair();
    const member = newKeyPair();
    const key = newGroupKey();
    const box = await sealGroupKey(key, 3, member.publicKey, holder, ['p-1', 'p-22']);
    expect(SealedGroupKey.safeParse(toBase64url(box.sealed)).success).toBe(true);
    expect(await openGroupKeyBox(box, 3, holder.publicKey, member)).toEqual({ key, clearAudio: ['p-1', 'p-22'] });
    expect(await openGroupKeyBox(await sealGroupKey(key, 3, member.publicKey, holder), 3, holder.publicKey, member)).toEqual({ key, clearAudio: [] });
    const most = Array.from({ length: MAX_CLEAR_AUDIO }, (_, i) => `${'x'.repeat(120)}${i}`);
    expect(SealedGroupKey.safeParse(toBase64url((await sealGroupKey(key, 3, member.publicKey, holder, most)).sealed)).success).toBe(true);
    await expect(sealGroupKey(key, 3, member.publicKey, holder, [...most, 'p-9'])).rejects.toThrow(RangeError);
  });
});

describe('what the frame transforms let through in the clear', () => {
  const sender = {} as RTCRtpSender;
  const receiver = {} as RTCRtpReceiver;
  const worker = { postMessage: () => undefined, addEventListener: () => undefined, removeEventListener: () => undefined, terminate: () => undefined } as unknown as Worker;

  it('a member: its clear copy only while someone is listed, and only listed people’s clear voices', () => {
    const frames = new FrameCipher(worker);
    const clear = (side: 'send' | 'receive', participantId?: string, kind: 'audio' | 'video' = 'audio') =>
      () => frames.attach(side === 'send' ? sender : receiver, { side, kind, clear: true, ...(participantId ? { participantId } : {}) });
    expect(clear('send')).toThrow(ClearAudioRefusedError);
    expect(clear('receive', 'p-1')).toThrow(ClearAudioRefusedError);
    frames.setClearAudio(['p-1']);
    expect(clear('send')).not.toThrow();
    expect(clear('receive', 'p-1')).not.toThrow();
    // Someone the holder did not list, one named by nobody, and video: never in the clear.
    expect(clear('receive', 'p-2')).toThrow(ClearAudioRefusedError);
    expect(clear('receive')).toThrow(ClearAudioRefusedError);
    expect(clear('send', undefined, 'video')).toThrow(ClearAudioRefusedError);
    frames.setClearAudio([]);
    expect(clear('send')).toThrow(ClearAudioRefusedError);
    expect(clear('receive', 'p-1')).toThrow(ClearAudioRefusedError);
  });

  it('a browser that cannot encrypt: nothing until allowed, then clear audio alone', () => {
    const frames = new ClearAudioOnly();
    expect(() => frames.attach(sender, { side: 'send', kind: 'audio', clear: true })).toThrow(EncryptionUnavailableError);
    frames.setAllowed(true);
    expect(() => frames.attach(sender, { side: 'send', kind: 'audio', clear: true })).not.toThrow();
    expect(() => frames.attach(receiver, { side: 'receive', kind: 'audio', clear: true, participantId: 'c-1' })).not.toThrow();
    expect(() => frames.attach(sender, { side: 'send', kind: 'video', clear: true })).toThrow(EncryptionUnavailableError);
    expect(() => frames.attach(receiver, { side: 'receive', kind: 'audio' })).toThrow(EncryptionUnavailableError);
    frames.setAllowed(false);
    expect(() => frames.attach(sender, { side: 'send', kind: 'audio', clear: true })).toThrow(EncryptionUnavailableError);
  });
});
