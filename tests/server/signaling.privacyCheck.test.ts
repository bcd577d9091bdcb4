/**
 * The privacy check a client ticks at check-in (issue 20): it reaches the session's clinicians
 * beside the knock and in the room; no other client ever sees it; a malformed one is refused
 * and checks nobody in.
 */
import { describe, expect, it } from 'vitest';
import type { Participant } from '../../src/shared/protocol';
import { admitted, AGREEMENT_VERSION_OF, connectClinician, connectParticipant } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const ticked = { privateSpace: true, headphones: false, notificationsOff: true, nobodyInView: false };

describe('the privacy check at check-in', () => {
  const demo = sharedTestDemo(3);
  const inv = (i: number) => demo.info.invitations[i]!;

  it('is shown to clinicians beside the knock and in the room, never to the group', async () => {
    const fac = await connectClinician(demo.info);
    const sup = await connectClinician(demo.info, 'supervisor');
    const other = await admitted(demo.info, inv(1), fac.client, 'Ash');
    const { client, participantId, hello } = await connectParticipant(demo.info, inv(0));

    // Not a check: refused, and the client is not checked in by it.
    for (const privacy of [{ ...ticked, extra: true }, { privateSpace: true }, { ...ticked, headphones: 'yes' }]) {
      expect(
        await client.request('checkIn', { displayName: 'Robin', agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false }, privacy }),
      ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    await client.call('checkIn', { displayName: 'Robin', agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false }, privacy: ticked });

    for (const clinician of [fac, sup]) {
      const knock = await clinician.client.waitFor('knock', (k) => k.participant.participantId === participantId);
      expect(knock.participant.privacy).toEqual(ticked);
    }
    // Admitted: the clinicians' view keeps it; the group's view never has it.
    await fac.client.call('admit', { participantId });
    const { participants } = await client.waitFor('admitted');
    const joined = await other.client.waitFor('peerJoined', (p) => p.participant.participantId === participantId);
    expect(joined.participant).not.toHaveProperty('privacy');
    for (const p of participants as Participant[]) expect(p).not.toHaveProperty('privacy');
    const update = await fac.client.waitFor('participantUpdated', (u) => u.participant.participantId === participantId && u.participant.state === 'admitted');
    expect(update.participant.privacy).toEqual(ticked);
    for (const c of [fac.client, sup.client, other.client, client]) await c.close();
  });

  it('a client who did not answer it has none to show', async () => {
    const fac = await connectClinician(demo.info);
    const { client, participantId, hello } = await connectParticipant(demo.info, inv(2));
    await client.call('checkIn', { displayName: 'Kit', agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false } });
    const knock = await fac.client.waitFor('knock', (k) => k.participant.participantId === participantId);
    expect(knock.participant).not.toHaveProperty('privacy');
    for (const c of [fac.client, client]) await c.close();
  });
});
