/**
 * The keys of end-to-end encrypted calls, relayed by the real server (rooms/keyRelay.ts): a
 * public key announced by a client reaches the facilitators, and only them; a sealed group key
 * reaches one admitted person, never a waiting client, and never comes from anyone but a
 * facilitator. The server relays sizes it checks and nothing it could open.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { admitted, connectClinician, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');
const sealedKey = () => ({ epoch: 1, sealed: b64(49), nonce: b64(24), holderKey: b64(32), holderProof: b64(32) });

describe('end-to-end keys in a room', () => {
  const demo = sharedTestDemo(6);
  const inv = (i: number) => demo.info.invitations[i]!;

  it('passes a client’s public key to the facilitators, and the group key to admitted people only', async () => {
    const fac = await connectClinician(demo.info);
    const sup = await connectClinician(demo.info, 'supervisor');
    const waiting = await knock(demo.info, inv(0), 'Wren');
    const publicKey = b64(32);
    const proof = b64(32);
    await waiting.client.call('publishKey', { publicKey, proof });
    const heard = await fac.client.waitFor('memberKey', (k) => k.participantId === waiting.participantId);
    expect(heard).toEqual({ participantId: waiting.participantId, publicKey, proof });
    // An observer hears no keys, and may not ask for them.
    await new Promise((r) => setTimeout(r, 100));
    expect(sup.client.notifications.some((n) => n.notification === 'memberKey')).toBe(false);
    expect(await sup.client.request('memberKeys', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const listed = (await fac.client.call('memberKeys', {})) as { keys: { participantId: string }[] };
    expect(listed.keys).toContainEqual({ participantId: waiting.participantId, publicKey, proof });

    // Waiting: no key, whatever the console asks.
    expect(await fac.client.request('sendGroupKey', { to: waiting.participantId, ...sealedKey() })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(waiting.client.notifications.some((n) => n.notification === 'groupKey')).toBe(false);

    // In the group: the sealed key reaches them, named as the facilitator's.
    await fac.client.call('admit', { participantId: waiting.participantId });
    await waiting.client.waitFor('admitted');
    const key = sealedKey();
    await fac.client.call('sendGroupKey', { to: waiting.participantId, ...key });
    const got = await waiting.client.waitFor('groupKey');
    expect(got).toEqual({ from: fac.hello.participantId, ...key });
    // An observer in the room gets one too (it is in the group), but never sends one.
    await fac.client.call('sendGroupKey', { to: String(sup.hello.participantId), ...sealedKey() });
    await sup.client.waitFor('groupKey');
    expect(await sup.client.request('sendGroupKey', { to: waiting.participantId, ...sealedKey() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // Nobody else hears it.
    const other = await admitted(demo.info, inv(1), fac.client, 'Ash');
    await fac.client.call('sendGroupKey', { to: waiting.participantId, ...sealedKey() });
    await new Promise((r) => setTimeout(r, 100));
    expect(other.client.notifications.some((n) => n.notification === 'groupKey')).toBe(false);
    // Nor may a client send one.
    expect(await other.client.request('sendGroupKey', { to: waiting.participantId, ...sealedKey() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // Sizes are checked: a key that is not 32 bytes, a box that is not a sealed 32-byte key.
    for (const bad of [
      { ...sealedKey(), holderKey: b64(31) },
      { ...sealedKey(), sealed: b64(48) },
      { ...sealedKey(), nonce: 'not base64url!!!!!!!!!!!!!!!!!!!!' },
      { ...sealedKey(), epoch: 256 },
    ]) {
      expect(await fac.client.request('sendGroupKey', { to: waiting.participantId, ...bad })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(await other.client.request('publishKey', { publicKey: b64(33) })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // Not to someone unknown, nor to oneself.
    expect(await fac.client.request('sendGroupKey', { to: 'nobody', ...sealedKey() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await fac.client.request('sendGroupKey', { to: String(fac.hello.participantId), ...sealedKey() })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    for (const c of [fac.client, sup.client, waiting.client, other.client]) await c.close();
  });

  it('passes on which console made a link’s secret and a browser that cannot encrypt, and nothing else', async () => {
    const fac = await connectClinician(demo.info);
    const waiting = await knock(demo.info, inv(2), 'Kit');
    const announced = { publicKey: b64(32), proof: b64(32), issuer: b64(8), cannotEncrypt: true as const };
    await waiting.client.call('publishKey', { ...announced, extra: 'dropped' });
    const heard = await fac.client.waitFor('memberKey', (k) => k.participantId === waiting.participantId);
    expect(heard).toEqual({ participantId: waiting.participantId, ...announced });
    expect(await waiting.client.request('publishKey', { publicKey: b64(32), issuer: b64(9) })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await waiting.client.request('publishKey', { publicKey: b64(32), cannotEncrypt: false })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    for (const c of [fac.client, waiting.client]) await c.close();
  });

  it('passes the group key on with an admission, to the client admitted alone', async () => {
    const fac = await connectClinician(demo.info);
    const robin = await knock(demo.info, inv(3), 'Robin');
    const sam = await knock(demo.info, inv(4), 'Sam');
    const ash = await knock(demo.info, inv(5), 'Ash');
    // A key that is not one: refused, and nobody is let in by it.
    expect(await fac.client.request('admit', { participantId: sam.participantId, groupKey: { ...sealedKey(), sealed: b64(48) } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    // Nor may a client admit anyone, key or not.
    expect(await robin.client.request('admit', { participantId: sam.participantId, groupKey: sealedKey() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const forRobin = sealedKey();
    await fac.client.call('admit', { participantId: robin.participantId, groupKey: forRobin });
    const robinIn = await robin.client.waitFor('admitted');
    expect(robinIn.groupKey).toEqual({ from: fac.hello.participantId, ...forRobin });

    // Admit all: each with their own key, someone without one (no trusted key yet) without
    // any; keys for people not waiting go nowhere.
    const forSam = sealedKey();
    const result = await fac.client.call('admitAll', {
      groupKeys: { [sam.participantId]: forSam, [robin.participantId]: sealedKey(), nobody: sealedKey() },
    });
    expect(result).toEqual({ participantIds: [sam.participantId, ash.participantId] });
    expect((await sam.client.waitFor('admitted')).groupKey).toEqual({ from: fac.hello.participantId, ...forSam });
    expect((await ash.client.waitFor('admitted')).groupKey).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    for (const c of [robin, sam, ash]) {
      expect(c.client.notifications.filter((n) => n.notification === 'admitted')).toHaveLength(1);
      expect(c.client.notifications.some((n) => n.notification === 'groupKey')).toBe(false);
    }
    expect(await fac.client.request('admitAll', { groupKeys: { [sam.participantId]: { ...sealedKey(), epoch: 256 } } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    for (const c of [fac.client, robin.client, sam.client, ash.client]) await c.close();
  });

  it('relays a sealed private message as it came, both ways, and checks its size', async () => {
    const fac = await connectClinician(demo.info);
    const member = await admitted(demo.info, inv(2), fac.client, 'Kit');
    const sealed = { epoch: 3, nonce: b64(24), box: b64(80) };
    await member.client.call('message', { to: 'facilitator', sealed });
    expect(await fac.client.waitFor('message', (m) => m.from === member.participantId)).toEqual({ from: member.participantId, sealed });
    const reply = { epoch: 3, nonce: b64(24), box: b64(40) };
    await fac.client.call('message', { to: member.participantId, sealed: reply });
    expect(await member.client.waitFor('message')).toEqual({ from: 'facilitator', sealed: reply });
    for (const bad of [{ ...sealed, nonce: b64(23) }, { ...sealed, box: b64(8_300) }, { ...sealed, epoch: -1 }, { ...sealed, box: 'not/base64' }]) {
      expect(await member.client.request('message', { to: 'facilitator', sealed: bad })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    for (const c of [fac.client, member.client]) await c.close();
  });
});
