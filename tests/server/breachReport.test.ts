/**
 * The breach report (issue 20): an admin asks, for one account or one console workstation and a
 * time range, what it touched, from the audit log: the session and its title, the clients by
 * reference, the rosters read, the workstations and accounts involved; as JSON and as CSV.
 * Only admins; a malformed question is refused; every report is itself audited.
 */
import { describe, expect, it } from 'vitest';
import { ServerSession } from '../../src/main/services/serverSession';
import { newDeviceId } from '../../src/main/services/deviceId';
import { BREACH_REPORT_CSV_COLUMNS, BreachReport, ClinicianHelloResult, Roster, SessionTicket } from '../../src/shared/protocol';
import { freshTotp } from '../support/totpCodes';
import { api, makeClinician } from './support/api.js';
import { knock, login } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { TestClient } from './support/wsClient.js';

describe('the breach report', () => {
  const demo = sharedTestDemo(2);

  it('names what an account, or a workstation, touched: sessions, clients, rosters; only for admins, and audited', async () => {
    const device = newDeviceId();
    const { facilitator } = demo.info;
    const from = new Date(Date.now() - 60_000).toISOString();
    // The compromised workstation: signs in, reads the roster, opens the call and admits Robin.
    const server = new ServerSession(fetch, device);
    const me = await server.signIn({ serverUrl: demo.info.httpUrl, username: facilitator.username, password: facilitator.password, totp: await freshTotp(facilitator.totpSecret!) });
    Roster.parse(await server.api('GET', `/api/sessions/${demo.info.sessionId}/roster`, undefined, Roster));
    const { ticket } = await server.api('POST', `/api/sessions/${demo.info.sessionId}/ticket`, {}, SessionTicket);
    const socket = await TestClient.connect(demo.info.wsUrl);
    ClinicianHelloResult.parse(await socket.call('hello', { as: 'clinician', ticket, sessionId: demo.info.sessionId }));
    const robin = await knock(demo.info, demo.info.invitations[0]!, 'Robin');
    await socket.call('admit', { participantId: robin.participantId });
    await socket.call('verify', { participantId: robin.participantId, method: 'photo-id' });
    const to = new Date(Date.now() + 60_000).toISOString();

    const admin = await makeClinician(demo.server, 'breach.admin', ['admin']);
    const adminToken = await admin.signIn();
    const ask = (query: string, token = adminToken) => api(demo.server, 'GET', `/api/admin/breach-report?${query}`, token);

    for (const query of [`clinicianId=${me.user.id}&from=${from}&to=${to}`, `deviceId=${device}&from=${from}&to=${to}`]) {
      const answer = await ask(query);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const report = BreachReport.parse(answer.body);
      const session = report.sessions.find((s) => s.sessionId === demo.info.sessionId)!;
      expect(session.title).toMatch(/\S/);
      expect(session.acts).toEqual(expect.arrayContaining(['roster.viewed', 'client.admitted', 'client.verified']));
      const client = report.clients.find((c) => c.participantRef === demo.info.invitations[0]!.participantRef)!;
      expect(client.acts).toEqual(['client.admitted', 'client.verified']);
      expect(report.rosters.map((r) => r.acts)).toContainEqual(['roster.viewed']);
      expect(report.devices).toContain(device);
      expect(report.accounts.map((a) => a.clinicianId)).toContain(me.user.id);
      // The other invitation was not touched.
      expect(report.clients.map((c) => c.participantRef)).not.toContain(demo.info.invitations[1]!.participantRef);
    }
    // Another workstation touched nothing in the range.
    const elsewhere = BreachReport.parse((await ask(`deviceId=${newDeviceId()}&from=${from}&to=${to}`)).body);
    expect(elsewhere).toMatchObject({ entries: 0, sessions: [], clients: [], rosters: [] });
    // Before the range: nothing.
    const before = BreachReport.parse((await ask(`clinicianId=${me.user.id}&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`)).body);
    expect(before.entries).toBe(0);

    // As CSV: one row per thing touched.
    const csv = await fetch(`${demo.info.httpUrl}/api/admin/breach-report.csv?deviceId=${device}&from=${from}&to=${to}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="breach-report-\d{4}-\d{2}-\d{2}-[A-Za-z0-9_-]+\.csv"$/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(BREACH_REPORT_CSV_COLUMNS.join(','));
    expect(lines.some((l) => l.startsWith('client,') && l.includes(demo.info.invitations[0]!.participantRef))).toBe(true);
    expect(lines.some((l) => l.startsWith(`session,${demo.info.sessionId},`))).toBe(true);

    // Admins only; a malformed question is refused.
    expect((await ask(`clinicianId=${me.user.id}&from=${from}&to=${to}`, await login(demo.info, 'supervisor'))).status).toBe(403);
    for (const bad of [`from=${from}&to=${to}`, `clinicianId=${me.user.id}&deviceId=${device}&from=${from}&to=${to}`, `clinicianId=${me.user.id}&from=${to}&to=${from}`, `deviceId=short&from=${from}&to=${to}`, `clinicianId=${me.user.id}`]) {
      expect((await ask(bad)).status, bad).toBe(400);
    }
    // Every report on record, by whom and about whom.
    const generated = (await demo.server.store.audit.list()).filter((e) => e.event === 'breach_report.generated');
    expect(generated.length).toBe(5);
    expect(generated[0]).toMatchObject({ actorId: admin.id, subjectId: me.user.id });
    expect(generated[1]).toMatchObject({ subjectId: `device:${device}` });
    expect(await demo.server.store.audit.verify()).toMatchObject({ ok: true });
    for (const c of [socket, robin.client]) await c.close();
  });
});
