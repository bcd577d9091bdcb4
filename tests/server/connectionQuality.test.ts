/**
 * How good a person's connection is (issue 22), told by their browser: the session's clinicians
 * see it on the person's Participant, for a client (waiting or in the group) and for a fellow
 * clinician; other clients never do; saying the same again tells nobody; a bad level is refused.
 */
import { describe, expect, it, vi } from 'vitest';
import { RECOVERY_FLOOR_BPS, RECOVERY_FLOOR_MS } from '../../src/server/media/peerMedia.js';
import { connectedTransport } from './support/media.js';
import { admitted, connectClinician, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(5);
const inv = (i: number) => demo.info.invitations[i]!;
const quiet = () => new Promise((r) => setTimeout(r, 150));

describe('a connection’s quality', () => {
  it('reaches the session’s clinicians, and no client', async () => {
    const fac = await connectClinician(demo.info);
    const sup = await connectClinician(demo.info, 'supervisor');
    const ash = await admitted(demo.info, inv(0), fac.client, 'Ash');
    const bo = await admitted(demo.info, inv(1), fac.client, 'Bo');
    const wren = await knock(demo.info, inv(2), 'Wren');

    await ash.client.call('reportConnection', { quality: 'weak' });
    for (const c of [fac.client, sup.client]) {
      const update = await c.waitFor('participantUpdated', (u) => u.participant.participantId === ash.participantId && u.participant.connectionQuality === 'weak');
      expect(update.participant.connectionQuality).toBe('weak');
    }
    // A waiting client's too: the therapist knows before letting them in.
    await wren.client.call('reportConnection', { quality: 'poor' });
    await fac.client.waitFor('participantUpdated', (u) => u.participant.participantId === wren.participantId && u.participant.connectionQuality === 'poor');
    // A clinician's, for the other clinicians.
    await sup.client.call('reportConnection', { quality: 'good' });
    await fac.client.waitFor('participantUpdated', (u) => u.participant.participantId === String(sup.hello.participantId) && u.participant.connectionQuality === 'good');

    // The same again tells nobody.
    const before = fac.client.notifications.length;
    await ash.client.call('reportConnection', { quality: 'weak' });
    await quiet();
    expect(fac.client.notifications.length).toBe(before);

    // Clients never learn anyone's: not in updates (they get none), nor when they are let in.
    const cy = await admitted(demo.info, inv(3), fac.client, 'Cy');
    expect(JSON.stringify((await cy.client.waitFor('admitted')).participants)).not.toContain('connectionQuality');
    for (const n of bo.client.notifications) expect(JSON.stringify(n)).not.toContain('connectionQuality');
    await cy.client.close();

    expect(await ash.client.request('reportConnection', { quality: 'excellent' } as never)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    for (const c of [fac, sup, ash, bo, wren]) await c.client.close();
  });

  it('good again after a weak spell, what the SFU sends them is held up for a moment, then let go; held up again, from then', async () => {
    const fac = await connectClinician(demo.info);
    const ash = await admitted(demo.info, inv(4), fac.client, 'Ash');
    await connectedTransport(ash.client, 'recv');
    const peer = demo.server.rooms.get(demo.info.sessionId)!.peer(ash.participantId)!;
    const [receiving] = peer.media.receiveTransports();
    const floors = vi.spyOn(receiving!, 'setMinOutgoingBitrate');

    await ash.client.call('reportConnection', { quality: 'good' });
    await ash.client.call('reportConnection', { quality: 'weak' });
    await quiet();
    // Good from the start, or weak: nothing to climb back from yet.
    expect(floors).not.toHaveBeenCalled();
    await ash.client.call('reportConnection', { quality: 'good' });
    await quiet();
    expect(floors.mock.calls).toEqual([[RECOVERY_FLOOR_BPS]]);
    // Held up again half-way (video back after none, media.layers.test.ts): held for the whole
    // time from then, not let go when the first one's time is up.
    await new Promise((r) => setTimeout(r, RECOVERY_FLOOR_MS / 2));
    peer.media.afterRecovery();
    await new Promise((r) => setTimeout(r, RECOVERY_FLOOR_MS / 2 + 300));
    expect(floors.mock.calls).toEqual([[RECOVERY_FLOOR_BPS], [RECOVERY_FLOOR_BPS]]);
    await new Promise((r) => setTimeout(r, RECOVERY_FLOOR_MS / 2));
    expect(floors.mock.calls).toEqual([[RECOVERY_FLOOR_BPS], [RECOVERY_FLOOR_BPS], [0]]);
    for (const c of [fac, ash]) await c.client.close();
  });
});
