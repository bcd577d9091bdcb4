/**
 * How good a person's connection is (issue 22), told by their browser: the session's clinicians
 * see it on the person's Participant, for a client (waiting or in the group) and for a fellow
 * clinician; other clients never do; saying the same again tells nobody; a bad level is refused.
 */
import { describe, expect, it } from 'vitest';
import { admitted, connectClinician, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(4);
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
});
