/**
 * Who reads which audit entries (`GET /api/audit`, `GET /api/audit/verify`): a supervisor of
 * team A sees the entries about team A's sessions and clinicians and nothing of team B's (its
 * clinicians' addresses, its sessions, its invitations, its crisis-information views); a
 * facilitator reads none; an admin reads it whole. The verdict of a verify is the whole
 * chain's, but a supervisor's count is of the entries they may read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditList, AuditVerification, type AuditEntry } from '../../src/shared/protocol.js';
import { api, makeClinician, type TestClinician } from './support/api.js';
import { login } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(1);
let supA: string;
let facA: string;
let adminToken: string;
let facB: TestClinician;
let supB: TestClinician;
let sessionB: string;
let invitationB: string;
const TEAM_B_ADDRESS = '203.0.113.77';

beforeAll(async () => {
  const { store } = demo.server;
  facB = await makeClinician(demo.server, 'fac.b', ['facilitator']);
  supB = await makeClinician(demo.server, 'sup.b', ['supervisor']);
  const adminB = await makeClinician(demo.server, 'admin.b', ['admin']);
  await store.clinicians.addSupervision(supB.id, facB.id);
  const start = new Date();
  sessionB = (
    await store.sessions.create({
      title: 'Team B group',
      startsAt: start,
      endsAt: new Date(start.getTime() + 3_600_000),
      facilitatorId: facB.id,
    })
  ).id;
  invitationB = (await store.invitations.create({ sessionId: sessionB, participantRef: 'B-CLIENT-9', tokenHash: 'b'.repeat(64), passcodeHash: 'x' })).id;
  // Team B's day on the record: a sign-in from its own address, an invitation, a crisis view.
  const at = new Date();
  await store.audit.record({ at, event: 'login.ok', subjectId: facB.id, address: TEAM_B_ADDRESS });
  await store.audit.record({ at, event: 'invitation.created', actorId: facB.id, subjectId: invitationB, address: TEAM_B_ADDRESS, detail: `session=${sessionB}` });
  await store.audit.record({ at, event: 'crisis_info.viewed', actorId: facB.id, subjectId: 'p-b-1', sessionId: sessionB });
  await store.audit.record({ at, event: 'roster.viewed', actorId: supB.id, subjectId: sessionB, sessionId: sessionB, address: TEAM_B_ADDRESS });
  await store.audit.record({ at, event: 'clinician.updated', actorId: adminB.id, subjectId: facB.id, address: TEAM_B_ADDRESS, detail: 'roles' });

  supA = await login(demo.info, 'supervisor');
  facA = await login(demo.info, 'facilitator');
  adminToken = await adminB.signIn();
  // Team A's own: the facilitator's sign-in above, and a look at team A's roster.
  expect((await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/roster`, facA)).status).toBe(200);
}, 60_000);

async function audit(token: string, query = ''): Promise<{ status: number; entries: AuditEntry[] }> {
  const answer = await api(demo.server, 'GET', `/api/audit${query}`, token);
  return { status: answer.status, entries: answer.status === 200 ? AuditList.parse(answer.list) : [] };
}

const teamB = (e: AuditEntry): boolean =>
  e.address === TEAM_B_ADDRESS ||
  e.sessionId === sessionB ||
  [facB.id, supB.id, invitationB, sessionB].includes(e.subjectId ?? '') ||
  [facB.id, supB.id].includes(e.actorId ?? '') ||
  (e.detail ?? '').includes(sessionB);

describe('GET /api/audit', () => {
  it("a supervisor of team A sees team A's entries and none of team B's", async () => {
    const { status, entries } = await audit(supA);
    expect(status).toBe(200);
    expect(entries.filter(teamB)).toEqual([]);
    const facAId = (await demo.server.store.clinicians.byUsername('facilitator'))!.id;
    // Their supervisee's sign-in and the look at their roster are theirs to see.
    expect(entries.some((e) => e.event === 'login.ok' && e.subjectId === facAId)).toBe(true);
    expect(entries.some((e) => e.event === 'roster.viewed' && e.sessionId === demo.info.sessionId)).toBe(true);
  });

  it("a page after a sequence number holds none of team B's either", async () => {
    const { entries } = await audit(supA, '?after=1&limit=2');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.filter(teamB)).toEqual([]);
  });

  it("asking for team B's session by id is refused", async () => {
    expect((await audit(supA, `?sessionId=${sessionB}`)).status).toBe(403);
  });

  it('a facilitator reads no audit log', async () => {
    expect((await audit(facA)).status).toBe(403);
    expect((await api(demo.server, 'GET', '/api/audit/verify', facA)).status).toBe(403);
  });

  it('an admin reads it whole', async () => {
    const { status, entries } = await audit(adminToken);
    expect(status).toBe(200);
    expect(entries.filter(teamB).length).toBeGreaterThanOrEqual(5);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  });
});

describe('GET /api/audit/verify', () => {
  it("gives a supervisor the whole chain's verdict, counting only the entries they may read", async () => {
    const mine = (await audit(supA)).entries.length;
    const all = (await audit(adminToken)).entries.length;
    const forSupervisor = AuditVerification.parse((await api(demo.server, 'GET', '/api/audit/verify', supA)).body);
    expect(forSupervisor).toEqual({ ok: true, entries: mine });
    const forAdmin = AuditVerification.parse((await api(demo.server, 'GET', '/api/audit/verify', adminToken)).body);
    expect(forAdmin.ok && forAdmin.entries).toBeGreaterThanOrEqual(all);
    expect(mine).toBeLessThan(all);
  });
});
