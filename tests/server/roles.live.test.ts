/**
 * A clinician's role in a live session follows the record, not the moment of hello: once a
 * co-facilitator is taken off the session, a supervision link is removed, the facilitator role
 * is taken away or the account is deactivated, the socket opened before can neither moderate
 * nor read crisis information. Changes made through this server close the socket at once;
 * changes made elsewhere (the admin command, another server process, straight in the
 * database) are caught by the next call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../src/server/demo.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { api, makeClinician, type TestClinician } from './support/api.js';
import { signIn } from './support/signIn.js';
import { AGREEMENT_VERSION_OF, startTestDemo } from './support/testServer.js';
import { TestClient } from './support/wsClient.js';

/** What a call came to: 'ok', an error code, or 'closed' when the socket was closed instead of answering. */
async function outcome(client: TestClient, method: string, data: unknown): Promise<string> {
  if (!client.isOpen) return 'closed';
  const answer = await Promise.race([
    client.request(method, data).catch(() => 'closed' as const),
    client.closed.then(() => 'closed' as const),
  ]);
  if (answer === 'closed') return answer;
  return answer.ok ? 'ok' : answer.error.code;
}

const REFUSED = ['FORBIDDEN', 'closed'];

describe("a live clinician's role follows changes to the record", () => {
  let demo: RunningDemo;
  let leadToken: string;
  let adminToken: string;
  let lead: TestClient;
  let aliceId: string;
  let n = 0;

  const join = async (token: string): Promise<{ client: TestClient; role: string }> => {
    const client = await TestClient.connect(demo.info.wsUrl);
    const hello = await client.call('hello', await clinicianHello(demo.info.httpUrl, token, demo.info.sessionId));
    return { client, role: String(hello.role) };
  };

  /** A fresh clinician made co-facilitator of the demo session, joined live and able to moderate. */
  const liveCoFacilitator = async (roles: ('facilitator' | 'supervisor')[] = ['facilitator']): Promise<{ who: TestClinician; client: TestClient }> => {
    const who = await makeClinician(demo.server, `cofac${n++}`, roles);
    const session = (await demo.server.store.sessions.byId(demo.info.sessionId))!;
    await demo.server.store.sessions.update(session.id, { coFacilitatorIds: [...session.coFacilitatorIds, who.id] });
    const { client, role } = await join(await who.signIn());
    expect(role).toBe('facilitator');
    // Before the change it moderates and reads crisis information like any facilitator.
    expect(await outcome(client, 'crisisInfo', { participantId: aliceId })).toBe('ok');
    return { who, client };
  };

  /** After the change: neither moderation nor crisis information, whatever the socket says. */
  const expectNoLongerPrivileged = async (client: TestClient): Promise<void> => {
    expect(REFUSED).toContain(await outcome(client, 'mute', { participantId: aliceId, kind: 'video' }));
    expect(REFUSED).toContain(await outcome(client, 'crisisInfo', { participantId: aliceId }));
    expect(REFUSED).toContain(await outcome(client, 'lock', { locked: true }));
    const room = demo.server.rooms.get(demo.info.sessionId)!;
    expect(room.peer(aliceId)!.mutedByFacilitator.video).toBe(false);
    expect(room.locked).toBe(false);
  };

  beforeAll(async () => {
    demo = await startTestDemo(1);
    const { facilitator } = demo.info;
    const admin = demo.info.admin!;
    leadToken = await signIn(demo.info.httpUrl, facilitator.username, facilitator.password, facilitator.totpSecret!);
    adminToken = await signIn(demo.info.httpUrl, admin.username, admin.password, admin.totpSecret!);
    lead = (await join(leadToken)).client;
    const alice = await TestClient.connect(demo.info.wsUrl);
    const inv = demo.info.invitations[0]!;
    const hello = await alice.call('hello', { as: 'participant', invite: inv.token, passcode: inv.passcode });
    aliceId = String(hello.participantId);
    await alice.call('checkIn', {
      displayName: 'Alice',
      agreementVersion: AGREEMENT_VERSION_OF(hello),
      media: { audio: true, video: true },
      location: 'at home',
      emergencyContact: 'a friend',
    });
    await lead.call('admit', { participantId: aliceId });
    await alice.waitFor('admitted');
  });
  afterAll(async () => {
    await demo.close();
  });

  it('a co-facilitator taken off the session by its lead: the socket closes at once', async () => {
    const { who, client } = await liveCoFacilitator();
    const session = (await demo.server.store.sessions.byId(demo.info.sessionId))!;
    const patched = await api(demo.server, 'PATCH', `/api/sessions/${session.id}`, leadToken, {
      coFacilitatorIds: session.coFacilitatorIds.filter((id) => id !== who.id),
    });
    expect(patched.status).toBe(200);
    await client.closed;
    await expectNoLongerPrivileged(client);
  });

  it('a co-facilitator taken off the session elsewhere (straight in the database): the next call is refused', async () => {
    const { who, client } = await liveCoFacilitator();
    const session = (await demo.server.store.sessions.byId(demo.info.sessionId))!;
    await demo.server.store.sessions.update(session.id, { coFacilitatorIds: session.coFacilitatorIds.filter((id) => id !== who.id) });
    await expectNoLongerPrivileged(client);
  });

  it("a facilitator's role taken away by an admin: the socket closes at once", async () => {
    const { who, client } = await liveCoFacilitator(['facilitator', 'supervisor']);
    expect((await api(demo.server, 'PATCH', `/api/admin/clinicians/${who.id}`, adminToken, { roles: ['supervisor'] })).status).toBe(200);
    await client.closed;
    await expectNoLongerPrivileged(client);
  });

  it("a facilitator's role taken away elsewhere: the next call is refused", async () => {
    const { who, client } = await liveCoFacilitator(['facilitator', 'supervisor']);
    await demo.server.store.clinicians.setRoles(who.id, ['supervisor']);
    await expectNoLongerPrivileged(client);
  });

  it('an account deactivated elsewhere (the admin command): the next call is refused, not a heartbeat later', async () => {
    const { who, client } = await liveCoFacilitator();
    await demo.server.store.clinicians.setActive(who.id, false);
    await expectNoLongerPrivileged(client);
  });

  it('a supervision link removed: the observer stops observing, at once through the API and at the next call otherwise', async () => {
    const facilitatorId = (await demo.server.store.clinicians.byUsername(demo.info.facilitator.username))!.id;
    for (const how of ['api', 'database'] as const) {
      const sup = await makeClinician(demo.server, `sup-${how}`, ['supervisor']);
      await demo.server.store.clinicians.addSupervision(sup.id, facilitatorId);
      const { client, role } = await join(await sup.signIn());
      expect(role).toBe('observer');
      expect(await outcome(client, 'createTransport', { direction: 'recv' })).toBe('ok');
      if (how === 'api') {
        expect((await api(demo.server, 'PATCH', `/api/admin/clinicians/${sup.id}`, adminToken, { superviseeIds: [] })).status).toBe(200);
        await client.closed;
      } else {
        await demo.server.store.clinicians.removeSupervision(sup.id, facilitatorId);
      }
      expect(REFUSED).toContain(await outcome(client, 'createTransport', { direction: 'recv' }));
      expect(REFUSED).toContain(await outcome(client, 'crisisInfo', { participantId: aliceId }));
    }
  });

  it('the lead, unchanged, still moderates', async () => {
    expect(await outcome(lead, 'crisisInfo', { participantId: aliceId })).toBe('ok');
  });
});
