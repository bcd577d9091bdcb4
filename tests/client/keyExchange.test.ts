/**
 * The facilitator's console (KeyHolder) and members (KeyMember) exchanging the group key over
 * a relay, first an honest one, then one that puts its own keys in between, as a server in
 * the wrong hands could: the exchange must notice, and nobody must use a key it chose.
 */
import { describe, expect, it } from 'vitest';
import type { GroupKey, MemberKey } from '../../src/shared/protocol';
import { KeyHolder, type MemberTrust } from '../../src/client/e2ee/keyHolder';
import { KeyMember, type HolderTrust } from '../../src/client/e2ee/keyMember';
import { newGroupKey, newKeyPair, sealGroupKey, toBase64url } from '../../src/client/e2ee/keys';
import { decryptFrame, encryptFrame, importFrameKey } from '../../src/client/e2ee/frameCrypto';

const secretOf = (n: number) => new Uint8Array(32).fill(n);

/** A call: the holder and its members, with what each ended up keyed with. */
function call(options: { secrets?: boolean; tamperMemberKey?: boolean; tamperGroupKey?: boolean } = {}) {
  const secrets = new Map<string, Uint8Array>();
  const holderKeys: { epoch: number; key: Uint8Array }[] = [];
  const trust = new Map<string, MemberTrust>();
  const members = new Map<string, { member: KeyMember; keys: { epoch: number; key: Uint8Array }[]; holderTrust: HolderTrust[]; offeredBy: string[] }>();
  const server = newKeyPair();
  const holder = new KeyHolder({
    linkSecretFor: (id) => secrets.get(id),
    onGroupKey: (epoch, key) => holderKeys.push({ epoch, key }),
    onTrust: (id, t) => trust.set(id, t),
    async send(to, key) {
      let offer: GroupKey = { from: 'c-facilitator', ...key };
      if (options.tamperGroupKey) {
        // The relay seals a key of its own, as if it were the holder.
        const forged = await sealGroupKey(newGroupKey(), key.epoch, members.get(to)!.member.keys.publicKey, server);
        offer = { ...offer, sealed: toBase64url(forged.sealed), nonce: toBase64url(forged.nonce), holderKey: toBase64url(server.publicKey) };
      }
      await members.get(to)!.member.groupKey(offer);
    },
  });
  const join = async (participantId: string, n: number) => {
    if (options.secrets !== false) secrets.set(participantId, secretOf(n));
    const entry = { keys: [] as { epoch: number; key: Uint8Array }[], holderTrust: [] as HolderTrust[], offeredBy: [] as string[] };
    const member = new KeyMember({
      participantId,
      linkSecret: options.secrets === false ? undefined : secretOf(n),
      onGroupKey: (epoch, key) => entry.keys.push({ epoch, key }),
      onHolderTrust: (t, holderKey) => {
        entry.holderTrust.push(t);
        entry.offeredBy.push(holderKey);
      },
    });
    members.set(participantId, { member, ...entry });
    let announced: MemberKey = { participantId, ...(await member.announcement()) };
    // The relay swaps in its own public key, keeping the proof it cannot remake.
    if (options.tamperMemberKey) announced = { ...announced, publicKey: toBase64url(server.publicKey) };
    await holder.memberKey(announced);
    return members.get(participantId)!;
  };
  return { holder, holderKeys, trust, join };
}

const latest = (keys: { epoch: number; key: Uint8Array }[]) => keys.at(-1);

describe('the group key, honest relay', () => {
  it('reaches members whose links prove their keys, once they are in the group, and changes when someone leaves', async () => {
    const { holder, holderKeys, trust, join } = call();
    const robin = await join('p-robin', 1);
    const sam = await join('p-sam', 2);
    expect(trust.get('p-robin')).toBe('proved');
    // Waiting: nothing yet.
    expect(robin.keys).toEqual([]);
    await holder.groupIs(['p-robin', 'p-sam']);
    expect(latest(robin.keys)).toEqual(latest(holderKeys));
    expect(latest(sam.keys)).toEqual(latest(holderKeys));
    expect(robin.holderTrust).toEqual(['proved']);

    // Sam is removed: a new key for those still there, which Sam never gets.
    const samsLast = latest(sam.keys)!;
    await holder.groupIs(['p-robin']);
    expect(holder.currentEpoch).toBe(1);
    expect(latest(robin.keys)).toEqual(latest(holderKeys));
    expect(latest(sam.keys)).toEqual(samsLast);
    expect(Buffer.from(samsLast.key).equals(Buffer.from(latest(holderKeys)!.key))).toBe(false);
    // Someone new gets the current key, and nobody needs a new one for it.
    const ash = await join('p-ash', 3);
    await holder.groupIs(['p-robin', 'p-ash']);
    expect(holder.currentEpoch).toBe(1);
    expect(latest(ash.keys)).toEqual(latest(holderKeys));
    expect(robin.keys).toHaveLength(2);
  });

  it('without a link secret, waits for the safety code both people read, then keys them', async () => {
    const { holder, holderKeys, trust, join } = call({ secrets: false });
    const robin = await join('p-robin', 1);
    expect(trust.get('p-robin')).toBe('needs code');
    await holder.groupIs(['p-robin']);
    expect(robin.keys).toEqual([]);
    await holder.confirmCode('p-robin');
    // The offer came; the member waits for the code too before using it.
    expect(robin.keys).toEqual([]);
    expect(robin.holderTrust).toEqual(['needs code']);
    const holderKey = toBase64url(holder.keys.publicKey);
    expect(await robin.member.codeFor(holderKey)).toBe(await holder.codeFor('p-robin'));
    expect(await robin.member.confirmHolder(holderKey)).toBe(true);
    expect(latest(robin.keys)).toEqual(latest(holderKeys));
  });
});

describe('the group key when people come and go', () => {
  it('a removed member’s last key opens nothing sealed after the removal', async () => {
    const { holder, holderKeys, join } = call();
    const robin = await join('p-robin', 1);
    const sam = await join('p-sam', 2);
    await holder.groupIs(['p-robin', 'p-sam']);
    const samsLast = latest(sam.keys)!;
    await holder.groupIs(['p-robin']);
    // A video frame the group sends after Sam left, under the key they use now.
    const now = latest(holderKeys)!;
    const frame = new Uint8Array(600).map((_, i) => (i * 7) % 256);
    const sealed = await encryptFrame(await importFrameKey(now.key.slice()), now.epoch, frame, 1);
    expect(await decryptFrame(await importFrameKey(samsLast.key.slice()), sealed, 1)).toBeUndefined();
    expect(Buffer.from((await decryptFrame(await importFrameKey(latest(robin.keys)!.key.slice()), sealed, 1))!).equals(Buffer.from(frame))).toBe(true);
  });

  it('a key that did not get through is sent again when the member announces the same key again', async () => {
    let refuse = true;
    const offers: GroupKey[] = [];
    const holder = new KeyHolder({
      linkSecretFor: () => secretOf(1),
      onGroupKey: () => undefined,
      async send(to, key) {
        // As the server answers while it has not let the person back in yet.
        if (refuse) throw new Error('the group key is only for people in the group');
        offers.push({ from: 'c-facilitator', ...key });
      },
    });
    const keys: number[] = [];
    const robin = new KeyMember({ participantId: 'p-robin', linkSecret: secretOf(1), onGroupKey: (epoch) => keys.push(epoch) });
    const announced: MemberKey = { participantId: 'p-robin', ...(await robin.announcement()) };
    await holder.memberKey(announced);
    await holder.groupIs(['p-robin']);
    expect(offers).toEqual([]);
    refuse = false;
    // The same announcement again (keyWait.ts): the current key goes out this time.
    await holder.memberKey(announced);
    expect(offers).toHaveLength(1);
    expect(await robin.groupKey(offers[0]!)).toBe(true);
    expect(keys).toEqual([holder.currentEpoch]);
    // And again, though it did get through: a key lost after the server took it is sent once more.
    await holder.memberKey(announced);
    expect(offers).toHaveLength(2);
  });

  it('a key whose safety code was read keeps that trust when announced again, and only that key', async () => {
    const holder = new KeyHolder({ linkSecretFor: () => undefined, onGroupKey: () => undefined, send: async () => undefined });
    const robin = new KeyMember({ participantId: 'p-robin', onGroupKey: () => undefined });
    const announced: MemberKey = { participantId: 'p-robin', ...(await robin.announcement()) };
    await holder.memberKey(announced);
    expect(holder.trustOf('p-robin')).toBe('needs code');
    await holder.confirmCode('p-robin');
    await holder.memberKey(announced);
    expect(holder.trustOf('p-robin')).toBe('code confirmed');
    // A new connection's key is another key: its code is read again.
    const again = new KeyMember({ participantId: 'p-robin', onGroupKey: () => undefined });
    await holder.memberKey({ participantId: 'p-robin', ...(await again.announcement()) });
    expect(holder.trustOf('p-robin')).toBe('needs code');
  });

  it('a console taking over as holder starts after the last epoch it was given', () => {
    const epochs: number[] = [];
    const deps = { send: async () => undefined, linkSecretFor: () => undefined, onGroupKey: (e: number) => epochs.push(e) };
    new KeyHolder(deps, 7);
    new KeyHolder(deps, 256);
    expect(epochs).toEqual([7, 0]);
  });
});

describe('whose link, and which browser', () => {
  it('a link another console made is no sign of anyone in between: the code is read instead', async () => {
    const trust = new Map<string, MemberTrust>();
    const holder = new KeyHolder({
      send: async () => undefined,
      // This console made links under issuer "mine" only.
      linkSecretFor: (_id, issuer) => (issuer === 'bWluZW1pbmVt' ? secretOf(1) : undefined),
      onGroupKey: () => undefined,
      onTrust: (id, t) => trust.set(id, t),
    });
    const member = new KeyMember({ participantId: 'p-robin', linkSecret: secretOf(9), linkIssuer: 'b3RoZXJvdGhl', onGroupKey: () => undefined });
    await holder.memberKey({ participantId: 'p-robin', ...(await member.announcement()) });
    expect(trust.get('p-robin')).toBe('needs code');
    // The same link named as this console's, with a proof that does not hold: someone is in between.
    const forged = { participantId: 'p-robin', ...(await member.announcement()), issuer: 'bWluZW1pbmVt' };
    await holder.memberKey(forged);
    expect(trust.get('p-robin')).toBe('proof failed');
  });

  it('a browser that cannot encrypt is told apart, and gets no key even when its code is confirmed', async () => {
    const sent: string[] = [];
    const trust = new Map<string, MemberTrust>();
    const holder = new KeyHolder({ send: async (to) => void sent.push(to), linkSecretFor: () => undefined, onGroupKey: () => undefined, onTrust: (id, t) => trust.set(id, t) });
    const member = new KeyMember({ participantId: 'p-old', cannotEncrypt: true, onGroupKey: () => undefined });
    const announced = await member.announcement();
    expect(announced.cannotEncrypt).toBe(true);
    await holder.memberKey({ participantId: 'p-old', ...announced });
    await holder.groupIs(['p-old']);
    await holder.confirmCode('p-old');
    expect(trust.get('p-old')).toBe('cannot encrypt');
    expect(sent).toEqual([]);
  });
});

describe('the group key, a relay that puts its own keys in between', () => {
  it('a swapped member key fails its proof: the member gets no key, and the console says so', async () => {
    const { holder, trust, join } = call({ tamperMemberKey: true });
    const robin = await join('p-robin', 1);
    await holder.groupIs(['p-robin']);
    expect(trust.get('p-robin')).toBe('proof failed');
    expect(robin.keys).toEqual([]);
    // Confirming a code does not override a proof that failed.
    await holder.confirmCode('p-robin');
    expect(holder.trustOf('p-robin')).toBe('proof failed');
    expect(robin.keys).toEqual([]);
  });

  it('a forged group key fails the holder’s proof: the member does not use it', async () => {
    const { holder, join } = call({ tamperGroupKey: true });
    const robin = await join('p-robin', 1);
    await holder.groupIs(['p-robin']);
    expect(robin.holderTrust).toEqual(['proof failed']);
    expect(robin.keys).toEqual([]);
  });

  it('without link secrets, the two people see different codes, so neither confirms', async () => {
    const { holder, join } = call({ secrets: false, tamperGroupKey: true });
    const robin = await join('p-robin', 1);
    await holder.confirmCode('p-robin');
    await holder.groupIs(['p-robin']);
    // The member is offered a key by the relay's key pair, and waits for the code…
    expect(robin.holderTrust).toEqual(['needs code']);
    expect(robin.offeredBy[0]).not.toBe(toBase64url(holder.keys.publicKey));
    // …which, made with the relay's key, is not the one the facilitator reads out.
    expect(await robin.member.codeFor(robin.offeredBy[0]!)).not.toBe(await holder.codeFor('p-robin'));
    expect(robin.keys).toEqual([]);
  });
});
