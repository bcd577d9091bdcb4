/**
 * The group's text channel and taking part by text only (issue 20), against the real server:
 * a sealed group message reaches everyone in the group but its sender, under the sender's id,
 * and nobody outside it; observers read but never write; the facilitators turn the channel
 * off (refused while off) and clear it, and both acts are audited; nothing of a message is
 * kept. A client who checked in as text only is shown so to everyone and may not produce.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { produceAudio } from './support/media.js';
import { admitted, AGREEMENT_VERSION_OF, connectClinician, connectParticipant, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { databaseBytes } from './support/dataDir.js';
import type { TestClient } from './support/wsClient.js';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');
const sealed = () => ({ epoch: 2, nonce: b64(24), box: b64(64) });
const quiet = () => new Promise((r) => setTimeout(r, 150));
const heard = (c: TestClient, name: string) => c.notifications.filter((n) => n.notification === name);

const demo = sharedTestDemo(8);
const inv = (i: number) => demo.info.invitations[i]!;

async function textOnlyKnock(i: number, name: string): Promise<{ client: TestClient; participantId: string }> {
  const { client, participantId, hello } = await connectParticipant(demo.info, inv(i));
  await client.call('checkIn', {
    displayName: name,
    agreementVersion: AGREEMENT_VERSION_OF(hello),
    media: { audio: false, video: false },
    textOnly: true,
  });
  return { client, participantId };
}

describe('the group chat', () => {
  it('passes a sealed message to everyone in the group but its sender, and to nobody outside it', async () => {
    const fac = await connectClinician(demo.info);
    const sup = await connectClinician(demo.info, 'supervisor');
    const ash = await admitted(demo.info, inv(0), fac.client, 'Ash');
    const bo = await admitted(demo.info, inv(1), fac.client, 'Bo');
    const wren = await knock(demo.info, inv(2), 'Wren');
    expect(fac.hello.groupChat).toBe(true);
    expect((await ash.client.waitFor('admitted')).groupChat).toBe(true);

    const box = sealed();
    // Whatever else the request carries stays behind.
    await ash.client.call('groupMessage', { sealed: { ...box, text: 'in the clear' } } as never);
    for (const c of [fac.client, sup.client, bo.client]) {
      expect(await c.waitFor('groupMessage')).toEqual({ from: ash.participantId, sealed: box });
    }
    const fromFac = sealed();
    await fac.client.call('groupMessage', { sealed: fromFac });
    expect(await ash.client.waitFor('groupMessage', (m) => m.from === fac.hello.participantId)).toEqual({
      from: fac.hello.participantId,
      sealed: fromFac,
    });
    await quiet();
    // The sender hears nothing back; a waiting client hears nothing at all.
    expect(heard(ash.client, 'groupMessage')).toHaveLength(1);
    expect(heard(wren.client, 'groupMessage')).toHaveLength(0);
    expect(heard(fac.client, 'groupMessage')).toHaveLength(1);

    // Observers read, never write; a waiting client may not write either.
    expect(await sup.client.request('groupMessage', { sealed: sealed() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await wren.client.request('groupMessage', { sealed: sealed() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Always sealed: a message in the clear, or a malformed box, is refused.
    for (const bad of [{ text: 'hello all' }, { sealed: { ...box, nonce: b64(23) } }, { sealed: { ...box, box: b64(8_300) } }, {}]) {
      expect(await bo.client.request('groupMessage', bad as never)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    for (const c of [fac, sup]) await c.client.close();
    for (const c of [ash, bo, wren]) await c.client.close();
  });

  it('is turned off and on and cleared by a facilitator alone, each act audited, and keeps no message', async () => {
    const fac = await connectClinician(demo.info);
    const ash = await admitted(demo.info, inv(3), fac.client, 'Ash');
    const box = sealed();
    await ash.client.call('groupMessage', { sealed: box });
    await fac.client.waitFor('groupMessage');

    expect(await ash.client.request('setGroupChat', { enabled: false })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await fac.client.call('setGroupChat', { enabled: false })).toEqual({});
    expect(await ash.client.waitFor('groupChat')).toEqual({ enabled: false });
    expect(await fac.client.waitFor('groupChat')).toEqual({ enabled: false });
    // Off for everyone, the facilitators included, until it is on again.
    const off = await ash.client.request('groupMessage', { sealed: sealed() });
    expect(off).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/turned the group chat off/) } });
    expect(await fac.client.request('groupMessage', { sealed: sealed() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Someone admitted now is told it is off; so is a clinician joining.
    const bo = await admitted(demo.info, inv(4), fac.client, 'Bo');
    expect((await bo.client.waitFor('admitted')).groupChat).toBe(false);
    const sup = await connectClinician(demo.info, 'supervisor');
    expect(sup.hello.groupChat).toBe(false);
    // Saying what is already so changes nothing and records nothing.
    await fac.client.call('setGroupChat', { enabled: false });

    await fac.client.call('setGroupChat', { enabled: true });
    expect(await bo.client.waitFor('groupChat', (c) => c.enabled)).toEqual({ enabled: true });
    await ash.client.call('groupMessage', { sealed: sealed() });
    await bo.client.waitFor('groupMessage');

    expect(await ash.client.request('clearGroupChat', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await sup.client.request('clearGroupChat', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await fac.client.call('clearGroupChat', {});
    for (const c of [ash.client, bo.client, sup.client]) expect(await c.waitFor('groupChatCleared')).toEqual({});

    const events = (await demo.server.store.audit.list({ sessionId: demo.info.sessionId }))
      .map((e) => e.event)
      .filter((e) => e.startsWith('group_chat.'));
    expect(events).toEqual(['group_chat.disabled', 'group_chat.enabled', 'group_chat.cleared']);
    for (const c of [fac, sup, ash, bo]) await c.client.close();
  });

  it.skipIf(Boolean(process.env.CONFIDANT_DATABASE_URL))('writes nothing of a message to the database', async () => {
    const fac = await connectClinician(demo.info);
    const ash = await admitted(demo.info, inv(5), fac.client, 'Ash');
    const box = sealed();
    await ash.client.call('groupMessage', { sealed: box });
    await fac.client.waitFor('groupMessage');
    await quiet();
    const bytes = databaseBytes(demo.info.dataDir);
    expect(bytes.includes(box.box)).toBe(false);
    expect(bytes.includes(box.nonce)).toBe(false);
    for (const c of [fac, ash]) await c.client.close();
  });
});

describe('taking part by text only', () => {
  it('is shown to everyone in the group, and no camera or microphone of theirs reaches it', async () => {
    const fac = await connectClinician(demo.info);
    const bo = await admitted(demo.info, inv(6), fac.client, 'Bo');
    const ash = await textOnlyKnock(7, 'Ash');
    const knocked = await fac.client.waitFor('knock', (k) => k.participant.participantId === ash.participantId);
    expect(knocked.participant).toMatchObject({ textOnly: true, media: { audio: false, video: false } });
    await fac.client.call('admit', { participantId: ash.participantId });
    await ash.client.waitFor('admitted');
    const joined = await bo.client.waitFor('peerJoined', (j) => j.participant.participantId === ash.participantId);
    expect(joined.participant.textOnly).toBe(true);

    // Not even a transport of their own carries their microphone.
    const refused = await produceAudio(ash.client).then(
      () => 'produced',
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/text only/);
    // They still write to the group.
    await ash.client.call('groupMessage', { sealed: sealed() });
    await bo.client.waitFor('groupMessage', (m) => m.from === ash.participantId);

    for (const c of [fac, bo, ash]) await c.client.close();
  });

  it('refuses a check-in that says text only with a camera or microphone on', async () => {
    const { client, hello } = await connectParticipant(demo.info, inv(0));
    const answer = await client.request('checkIn', {
      displayName: 'Ash',
      agreementVersion: AGREEMENT_VERSION_OF(hello),
      media: { audio: true, video: false },
      textOnly: true,
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // The same check-in without the contradiction goes through.
    const control = await client.request('checkIn', { displayName: 'Ash', agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false } });
    expect(control).toMatchObject({ ok: true });
    await client.close();
  });
});
