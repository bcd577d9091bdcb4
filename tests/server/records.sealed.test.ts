/**
 * Session titles and client references are sealed at rest, on the real server through its API:
 * after a session is scheduled, a client invited, their attendance looked at and their target
 * set (all of it on the audit log), the SQLite files hold neither the title nor the reference,
 * in any encoding a dump would show; and everything that finds a client by reference still
 * does (attendance history and target, the roster, a duplicate invitation refused).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseOf } from '../../src/server/store/store.js';
import { AttendanceHistory, AuditList, Roster } from '../../src/shared/protocol.js';
import { api, makeClinician } from './support/api.js';
import { login } from './support/testServer.js';
import { databaseBytes } from './support/dataDir.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const TITLE = 'Opioid recovery group ZQXJ';
const REF = 'MRN-77-QWERTY';

const demo = sharedTestDemo(0);
let token: string;
let sessionId: string;

beforeAll(async () => {
  token = await login(demo.info, 'facilitator');
  const start = new Date(Date.now() + 3_600_000);
  const created = await api(demo.server, 'POST', '/api/sessions', token, {
    title: TITLE,
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 5_400_000).toISOString(),
  });
  expect(created.status).toBe(201);
  sessionId = created.body.id as string;
  const invited = await api(demo.server, 'POST', `/api/sessions/${sessionId}/invitations`, token, { participantRef: REF });
  expect(invited.status).toBe(201);
  // On the audit log: a look at the client's attendance, and a target set for them.
  expect((await api(demo.server, 'GET', `/api/attendance/${REF}`, token)).status).toBe(200);
  expect((await api(demo.server, 'PUT', `/api/attendance/${REF}/target`, token, { hoursPerWeek: 9 })).status).toBe(200);
}, 60_000);


describe('at rest', () => {
  it("the SQLite files hold neither the session's title nor the client's reference", () => {
    databaseOf(demo.server.store).pragma('wal_checkpoint(PASSIVE)');
    const bytes = databaseBytes(demo.info.dataDir);
    expect(bytes.length).toBeGreaterThan(0);
    for (const secret of [TITLE, REF, 'ZQXJ', 'QWERTY']) {
      expect(bytes.includes(Buffer.from(secret, 'utf8')), secret).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le')), secret).toBe(false);
    }
  });

  it('the audit entries name the client by a keyed hash, never by reference', async () => {
    const adminToken = await (await makeClinician(demo.server, 'sealed.admin', ['admin'])).signIn();
    const entries = AuditList.parse((await api(demo.server, 'GET', '/api/audit', adminToken)).list);
    const aboutClient = entries.filter((e) => e.event === 'attendance.viewed' || e.event === 'attendance.target_set');
    expect(aboutClient.length).toBe(2);
    for (const e of aboutClient) expect(e.subjectId).toMatch(/^ref:[0-9a-f]{64}$/);
    expect(new Set(aboutClient.map((e) => e.subjectId)).size).toBe(1);
    expect(JSON.stringify(entries)).not.toContain(REF);
    expect(JSON.stringify(entries)).not.toContain(TITLE);
  });
});

describe('found by reference still', () => {
  it("the client's attendance history and target", async () => {
    const answer = await api(demo.server, 'GET', `/api/attendance/${REF}?from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 7 * 86_400_000).toISOString()}`, token);
    const history = AttendanceHistory.parse(answer.body);
    expect(history.targetHoursPerWeek).toBe(9);
    expect(history.weeks.flatMap((w) => w.sessions.map((s) => [s.sessionId, s.title]))).toEqual([[sessionId, TITLE]]);
  });

  it('the roster, with the reference and the title opened', async () => {
    const answer = await api(demo.server, 'GET', `/api/sessions/${sessionId}/roster`, token);
    expect(Roster.parse(answer.list).map((e) => e.participantRef)).toEqual([REF]);
    const sessions = await api(demo.server, 'GET', '/api/sessions', token);
    expect(sessions.list.find((s) => s.id === sessionId)?.title).toBe(TITLE);
  });

  it('a second invitation for the same reference in the same session is refused', async () => {
    const again = await api(demo.server, 'POST', `/api/sessions/${sessionId}/invitations`, token, { participantRef: REF });
    expect(again.status).toBe(409);
  });
});
