/**
 * Rosters and the audit trail after a real, scripted session on the real server (real
 * mediasoup worker, loopback): knock, admit, verify, a dropped connection and the reconnect,
 * a removal, a denial, a no-show and the end. Then the CSV, access per role, the client's
 * weekly history and target, and the audit chain: it verifies after the session, and an
 * altered or deleted row is named.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/server/store/store.js';
import { ROSTER_CSV_COLUMNS, Roster, RosterSummaryList, AttendanceHistory, AuditList } from '../../src/shared/protocol.js';
import { api, makeClinician, type TestClinician } from './support/api.js';
import { admitted, connectClinician, knock, login } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(4);
let facToken: string;
let supToken: string;
let otherFacilitator: TestClinician;
let otherSupervisor: TestClinician;
let admin: TestClinician;
const inv = (i: number) => demo.info.invitations[i]!;
const FAC_NAME = 'Dr. Ana Demo';

beforeAll(async () => {
  facToken = await login(demo.info, 'facilitator');
  supToken = await login(demo.info, 'supervisor');
  otherFacilitator = await makeClinician(demo.server, 'other.fac', ['facilitator']);
  otherSupervisor = await makeClinician(demo.server, 'other.sup', ['supervisor']);
  admin = await makeClinician(demo.server, 'the.admin', ['admin']);

  // The scripted session.
  const fac = await connectClinician(demo.info);
  const alice = await admitted(demo.info, inv(0), fac.client, 'Alice');
  await fac.client.call('verify', { participantId: alice.participantId, method: 'photo-id' });
  // Alice's Wi-Fi drops; she opens her link again and is let back in by the server.
  await alice.client.close();
  await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === alice.participantId && d.participant.connection === 'reconnecting');
  const aliceAgain = await knock(demo.info, inv(0), 'Alice');
  await aliceAgain.client.waitFor('admitted');

  const bob = await admitted(demo.info, inv(1), fac.client, 'Bob');
  await fac.client.call('remove', { participantId: bob.participantId, reason: 'shared another member’s name outside the group' });
  await bob.client.closed;

  const carol = await knock(demo.info, inv(2), '=HYPERLINK("http://x")');
  await fac.client.call('deny', { participantId: carol.participantId });
  await carol.client.closed;
  // inv(3) never comes.

  await new Promise((r) => setTimeout(r, 300));
  await fac.client.call('end', {});
  await aliceAgain.client.closed;
}, 60_000);

async function roster(token: string) {
  const answer = await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/roster`, token);
  return { status: answer.status, entries: answer.status === 200 ? Roster.parse(answer.list) : [] };
}

describe('the roster after a scripted session', () => {
  it('tells who knocked, who let them in, who verified them and how, who left, who was removed and why, and minutes present', async () => {
    const { status, entries } = await roster(facToken);
    expect(status).toBe(200);
    expect(entries.map((e) => [e.participantRef, e.status])).toEqual([
      [inv(0).participantRef, 'left'],
      [inv(1).participantRef, 'removed'],
      [inv(2).participantRef, 'denied'],
      [inv(3).participantRef, 'absent'],
    ]);
    const [alice, bob, carol, absent] = entries;
    expect(alice).toMatchObject({
      displayName: 'Alice',
      admittedBy: FAC_NAME,
      verifiedBy: FAC_NAME,
      verificationMethod: 'photo-id',
      reconnects: 1,
      removedAt: null,
    });
    for (const t of ['knockedAt', 'admittedAt', 'verifiedAt', 'leftAt'] as const) expect(alice![t]).toMatch(/Z$/);
    expect(alice!.minutesPresent).toBeGreaterThan(0);
    expect(alice!.minutesPresent).toBeLessThan(2);
    expect(bob).toMatchObject({
      displayName: 'Bob',
      admittedBy: FAC_NAME,
      removedBy: FAC_NAME,
      removalReason: 'shared another member’s name outside the group',
      reconnects: 0,
    });
    expect(bob!.removedAt).toMatch(/Z$/);
    expect(carol).toMatchObject({ admittedAt: null, minutesPresent: 0 });
    expect(carol!.deniedAt).toMatch(/Z$/);
    expect(absent).toMatchObject({ knockedAt: null, displayName: null, admittedAt: null, minutesPresent: 0 });
    // Which agreement each accepted, and when: at the last check-in (Alice's second, after her drop).
    expect(alice!.agreementVersion).toMatch(/\S/);
    for (const e of [bob, carol]) expect(e!.agreementVersion).toBe(alice!.agreementVersion);
    expect(Date.parse(alice!.agreementAcceptedAt!)).toBeGreaterThan(Date.parse(alice!.knockedAt!));
    expect(bob!.agreementAcceptedAt).toBe(bob!.knockedAt);
    expect(absent).toMatchObject({ agreementVersion: null, agreementAcceptedAt: null });
  });

  it('exports CSV with the protocol columns, quoting what needs it and defusing formulas', async () => {
    const res = await fetch(`${demo.info.httpUrl}/api/sessions/${demo.info.sessionId}/roster.csv`, {
      headers: { authorization: `Bearer ${supToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="roster-\d{4}-\d{2}-\d{2}-[a-z0-9-]+\.csv"$/);
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(ROSTER_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(6); // header, four clients, and the final line end
    expect(lines[1]).toContain(`${inv(0).participantRef},Alice,`);
    expect(lines[1]).toContain(`,${FAC_NAME},`);
    expect(lines[1]).toContain(',photo-id,');
    // The agreement accepted, when, and in which language, last.
    const { entries } = await roster(supToken);
    expect(lines[1]!.endsWith(`,${entries[0]!.agreementVersion},${entries[0]!.agreementAcceptedAt},${entries[0]!.agreementLanguage}`)).toBe(true);
    expect(lines[4]!.endsWith(',,,')).toBe(true);
    // A name a spreadsheet would run as a formula is written as text.
    expect(lines[3]).toContain(`,"'=HYPERLINK(""http://x"")",`);
  });

  it('lists the session with its figures for those who may see it', async () => {
    const answer = await api(demo.server, 'GET', '/api/rosters', supToken);
    const [summary] = RosterSummaryList.parse(answer.list).filter((s) => s.session.id === demo.info.sessionId);
    expect(summary).toMatchObject({ facilitatorName: FAC_NAME, invited: 4, attended: 2, removed: 1 });
    expect(summary!.minutesPresentTotal).toBeGreaterThan(0);
    const other = await api(demo.server, 'GET', '/api/rosters', await otherFacilitator.signIn());
    expect(other.status).toBe(200);
    expect(other.list).toEqual([]);
    expect((await api(demo.server, 'GET', '/api/rosters?from=yesterday', supToken)).status).toBe(400);
  });
});

describe('who may see a roster', () => {
  it('the facilitator of the session, their supervisor and admins; another facilitator or supervisor gets 403', async () => {
    expect((await roster(facToken)).status).toBe(200);
    expect((await roster(supToken)).status).toBe(200);
    expect((await roster(await admin.signIn())).status).toBe(200);
    const fac = await roster(await otherFacilitator.signIn());
    expect(fac.status).toBe(403);
    const sup = await roster(await otherSupervisor.signIn());
    expect(sup.status).toBe(403);
    const csv = await fetch(`${demo.info.httpUrl}/api/sessions/${demo.info.sessionId}/roster.csv`, {
      headers: { authorization: `Bearer ${await otherSupervisor.signIn()}` },
    });
    expect(csv.status).toBe(403);
    expect((await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/roster`)).status).toBe(401);
    expect((await api(demo.server, 'GET', `/api/sessions/no-such-session/roster`, facToken)).status).toBe(404);
  });
});

describe('a client’s attendance history', () => {
  it('shows this week’s minutes against a target set by their facilitator; strangers get 403', async () => {
    const ref = encodeURIComponent(inv(0).participantRef);
    const before = await api(demo.server, 'GET', `/api/attendance/${ref}`, facToken);
    expect(before.status).toBe(200);
    const history = AttendanceHistory.parse(before.body);
    expect(history.targetHoursPerWeek).toBeNull();
    expect(history.weeks.length).toBeGreaterThanOrEqual(12);
    const thisWeek = history.weeks.find((w) => w.sessions.some((s) => s.sessionId === demo.info.sessionId));
    expect(thisWeek!.minutesPresent).toBeGreaterThan(0);

    const set = await api(demo.server, 'PUT', `/api/attendance/${ref}/target`, supToken, { hoursPerWeek: 9 });
    expect(set.status).toBe(200);
    expect(AttendanceHistory.parse(set.body).targetHoursPerWeek).toBe(9);
    expect((await api(demo.server, 'PUT', `/api/attendance/${ref}/target`, supToken, { hoursPerWeek: -1 })).status).toBe(400);

    const stranger = await otherFacilitator.signIn();
    expect((await api(demo.server, 'GET', `/api/attendance/${ref}`, stranger)).status).toBe(403);
    expect((await api(demo.server, 'PUT', `/api/attendance/${ref}/target`, stranger, { hoursPerWeek: 1 })).status).toBe(403);
  });
});

describe('the audit trail', () => {
  it('holds every act of the session by ids, and only supervisors and admins read it', async () => {
    const answer = await api(demo.server, 'GET', `/api/audit?sessionId=${demo.info.sessionId}`, supToken);
    expect(answer.status).toBe(200);
    const events = AuditList.parse(answer.list).map((e) => e.event);
    expect(events).toEqual(
      expect.arrayContaining(['client.admitted', 'client.verified', 'client.removed', 'client.denied', 'session.ended', 'roster.viewed', 'roster.exported']),
    );
    const text = JSON.stringify(answer.list);
    for (const secret of ['Alice', 'Bob', 'HYPERLINK', 'shared another']) expect(text).not.toContain(secret);
    expect((await api(demo.server, 'GET', '/api/audit', facToken)).status).toBe(403);
    expect((await api(demo.server, 'GET', '/api/audit/verify', facToken)).status).toBe(403);
    expect((await api(demo.server, 'GET', '/api/audit?limit=0', supToken)).status).toBe(400);
  });

  // It alters the SQLite file itself; PostgreSQL's append-only triggers are the schema test's.
  it.skipIf(Boolean(process.env.CONFIDANT_DATABASE_URL))('verifies after the real session, and names a row altered or deleted directly in SQLite', async () => {
    const ok = await api(demo.server, 'GET', '/api/audit/verify', supToken);
    expect(ok.body).toMatchObject({ ok: true });
    expect(ok.body.entries).toBeGreaterThan(10);

    const admitted = AuditList.parse((await api(demo.server, 'GET', `/api/audit?sessionId=${demo.info.sessionId}`, supToken)).list).find(
      (e) => e.event === 'client.admitted',
    )!;
    const raw = new Database(path.join(demo.info.dataDir, DATABASE_FILE));
    raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    raw.prepare(`UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = ?`).run(admitted.seq);
    expect((await api(demo.server, 'GET', '/api/audit/verify', admin.id ? await admin.signIn() : supToken)).body).toMatchObject({
      ok: false,
      brokenAt: admitted.seq,
    });
    // Put it back, then delete an earlier row: the gap is named.
    raw.prepare(`UPDATE audit_log SET actor_id = ? WHERE seq = ?`).run(admitted.actorId, admitted.seq);
    expect((await api(demo.server, 'GET', '/api/audit/verify', supToken)).body).toMatchObject({ ok: true });
    raw.prepare(`DELETE FROM audit_log WHERE seq = 2`).run();
    expect((await api(demo.server, 'GET', '/api/audit/verify', supToken)).body).toMatchObject({ ok: false, brokenAt: 2 });
    raw.close();
  });
});
