/**
 * Three real server processes on one PostgreSQL database (tests/support/fleet.ts), driven at
 * the protocol level as the console and the participant page drive them:
 * - a link opened through one server reaches the session where it is hosted: the answer names
 *   the host, the participant page may open the host's socket (CSP), and the console's ticket
 *   comes from the host;
 * - the host is killed (SIGKILL) mid-group: once its lease runs out another server takes the
 *   session over, the facilitator and the admitted clients come back there without knocking
 *   again, and the roster shows each drop and return; the audit chain verifies;
 * - a draining server hosts no new session and is not ready for the load balancer; handing
 *   over moves a live group to another server, whose people resume their places.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Roster, type RosterEntry } from '../../src/shared/protocol.js';
import { openConfiguredStore } from '../../src/server/store/open.js';
import { startFleet, type Fleet, type FleetMember } from '../support/fleet.js';
import { runPostgres } from '../support/postgres.js';
import { AGREEMENT_VERSION_OF } from './support/testServer.js';
import { signIn } from './support/signIn.js';
import { TestClient } from './support/wsClient.js';

const LEASE_SECONDS = 3;

type Answer = Awaited<ReturnType<TestClient['request']>>;

describe('servers sharing one database: where a session is, and carrying on when its server dies', () => {
  let fleet: Fleet;
  let token = '';
  const sockets: TestClient[] = [];
  let [a, b, c] = [] as unknown as [FleetMember, FleetMember, FleetMember];

  const connect = async (member: FleetMember): Promise<TestClient> => {
    const socket = await TestClient.connect(member.wsUrl);
    sockets.push(socket);
    return socket;
  };
  const ticketAt = (member: FleetMember) =>
    fetch(`${member.url}/api/sessions/${fleet.seed.sessionId}/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  /** The console's way in: a ticket from the server it asks, or from the host that server names. */
  const facilitatorVia = async (member: FleetMember): Promise<{ socket: TestClient; at: FleetMember }> => {
    let res = await ticketAt(member);
    let at = member;
    if (res.status === 409) {
      const body = (await res.json()) as { error: { code: string; host: string } };
      expect(body.error.code).toBe('HOSTED_ELSEWHERE');
      at = fleet.members.find((m) => m.url === body.error.host)!;
      res = await ticketAt(at);
    }
    expect(res.status).toBe(200);
    const { ticket } = (await res.json()) as { ticket: string };
    const socket = await connect(at);
    await socket.call('hello', { as: 'clinician', ticket, sessionId: fleet.seed.sessionId });
    return { socket, at };
  };
  /** A resume as the participant page makes it after a loss: any server, then the host it names. */
  const resumeVia = async (member: FleetMember, resumeToken: string): Promise<{ socket: TestClient; answer: Answer; at: FleetMember }> => {
    let socket = await connect(member);
    let answer = await socket.request('hello', { as: 'resume', resumeToken });
    let at = member;
    if (!answer.ok && answer.error.code === 'HOSTED_ELSEWHERE') {
      const host = answer.error.host;
      at = fleet.members.find((m) => m.url === host)!;
      socket = await connect(at);
      answer = await socket.request('hello', { as: 'resume', resumeToken });
    }
    return { socket, answer, at };
  };
  const roster = async (member: FleetMember): Promise<RosterEntry[]> => {
    const res = await fetch(`${member.url}/api/sessions/${fleet.seed.sessionId}/roster`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return Roster.parse(await res.json());
  };
  const admin = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/server/admin.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, CONFIDANT_DATABASE_URL: fleet.databaseUrl, CONFIDANT_RECORDS_KEY_FILE: fleet.recordsKeyFile, CONFIDANT_DATA_DIR: '/nonexistent-unused', CONFIDANT_LOG_LEVEL: 'error' },
    });
  /** Waits until `check` holds, asking every 200 ms for at most `ms`. */
  const eventually = async (check: () => Promise<boolean>, ms: number): Promise<void> => {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('it did not happen in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  // The clients' places, carried from test to test.
  const people: { participantId: string; resumeToken: string; socket: TestClient }[] = [];
  let facilitator: { socket: TestClient; at: FleetMember };

  beforeAll(async () => {
    fleet = await startFleet({ servers: 3, invitations: 3, leaseSeconds: LEASE_SECONDS, postgres: await runPostgres() });
    [a, b, c] = fleet.members as [FleetMember, FleetMember, FleetMember];
    const { username, password, totpSecret } = fleet.seed.facilitator;
    token = await signIn(a.url, username, password, totpSecret);
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) await s.close().catch(() => undefined);
    await fleet?.dispose();
  }, 60_000);

  it('sends a draining server’s new sessions to a serving one, and tells the load balancer it is not ready', async () => {
    const drained = admin('drain', c.serverId);
    expect(drained.stderr).toBe('');
    expect(drained.stdout).toContain(`${c.serverId}: draining`);
    await eventually(async () => (await fetch(`${c.url}/readyz`)).status === 503, LEASE_SECONDS * 1000 + 2000);
    expect(await (await fetch(`${c.url}/readyz`)).json()).toEqual({ ok: false, reason: 'draining' });
    // Nobody hosts the session yet: a draining server sends the console on rather than host it.
    const res = await ticketAt(c);
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { code: string; host: string } };
    expect(error.code).toBe('HOSTED_ELSEWHERE');
    expect([a.url, b.url]).toContain(error.host);
    // The fleet as an operator sees it, and the drain on the audit log.
    const listed = admin('fleet', '--json');
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ serverId: c.serverId, url: c.url, mode: 'draining' }), expect.objectContaining({ serverId: a.serverId, mode: 'serving' })]),
    );
    expect(admin('drain', 'no-such-server').stderr).toMatch(/no server named no-such-server/);
    expect(admin('serve', c.serverId).stdout).toContain('serving');
    await eventually(async () => (await fetch(`${c.url}/readyz`)).status === 200, LEASE_SECONDS * 1000 + 2000);
  }, 30_000);

  it('answers a link opened through another server with the host, whose socket the page may open', async () => {
    facilitator = await facilitatorVia(a);
    expect(facilitator.at).toBe(a);
    // The console asking b for a ticket is sent to a, the host.
    const elsewhere = await ticketAt(b);
    expect(elsewhere.status).toBe(409);
    expect(((await elsewhere.json()) as { error: { host: string } }).error.host).toBe(a.url);
    // The console's list of servers it may connect to.
    const servers = (await (await fetch(`${b.url}/api/servers`, { headers: { authorization: `Bearer ${token}` } })).json()) as { servers: string[] };
    expect(servers.servers.sort()).toEqual([a.url, b.url, c.url].sort());
    expect((await fetch(`${b.url}/api/servers`)).status).toBe(401);
    // The participant page served by b may open exactly the fleet's sockets.
    const page = await fetch(`${b.url}/join/${fleet.seed.invitations[0]!.token}`);
    const csp = page.headers.get('content-security-policy') ?? '';
    const connectSrc = csp.split('; ').find((d) => d.startsWith('connect-src'))!;
    expect(connectSrc.split(' ').sort()).toEqual(['connect-src', "'self'", ...[a, b, c].map((m) => m.url.replace('http:', 'ws:'))].sort());

    for (const [n, name] of ['Alice', 'Bob'].entries()) {
      const invitation = fleet.seed.invitations[n]!;
      const there = await connect(b);
      const refused = await there.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
      expect(refused).toMatchObject({ ok: false, error: { code: 'HOSTED_ELSEWHERE', host: a.url } });
      const socket = await connect(a);
      const hello = await socket.call('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
      expect((hello.servers as string[]).sort()).toEqual([a.url, b.url, c.url].sort());
      await socket.call('checkIn', { displayName: name, agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false } });
      const participantId = String(hello.participantId);
      await facilitator.socket.call('admit', { participantId });
      await socket.waitFor('admitted');
      people.push({ participantId, resumeToken: String(hello.resumeToken), socket });
    }
    await facilitator.socket.call('verify', { participantId: people[0]!.participantId, method: 'verbal-code' });
  }, 30_000);

  it('carries the group on at another server when its host is killed: nobody knocks again, the roster shows the drop and the return', async () => {
    const killedAt = Date.now();
    await fleet.kill(0);
    for (const p of people) expect((await p.socket.closed).code).toBe(1006);

    // The console and the pages ask another server until it takes the session over.
    let back: { socket: TestClient; at: FleetMember } | undefined;
    await eventually(async () => {
      try {
        back = await facilitatorVia(b);
        return true;
      } catch {
        return false;
      }
    }, 20_000);
    expect(back!.at).toBe(b);
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    for (const p of people) {
      const resumed = await resumeVia(c, p.resumeToken);
      expect(resumed.at).toBe(b);
      expect(resumed.answer).toMatchObject({ ok: true, data: { resumed: true, readmitting: true } });
      await resumed.socket.waitFor('admitted');
      p.socket = resumed.socket;
      if (resumed.answer.ok) p.resumeToken = String(resumed.answer.data.resumeToken);
    }
    // Each sees the other again, and the facilitator (the same person to the room) sees both.
    await people[0]!.socket.waitFor('peerJoined', (d) => d.participant.participantId === people[1]!.participantId);
    for (const p of people) {
      await back!.socket.waitFor('participantUpdated', (d) => d.participant.participantId === p.participantId && d.participant.state === 'admitted' && d.participant.connection === 'connected');
    }
    facilitator = back!;
    const metrics = await (await fetch(b.metricsUrl)).text();
    expect(metrics).toMatch(/^confidant_session_takeovers_total 1$/m);

    const entries = await roster(b);
    for (const p of people) {
      expect(entries.find((e) => e.participantId === p.participantId)).toMatchObject({ status: 'present', reconnects: 1, admittedBy: expect.any(String) });
    }
    expect(entries.find((e) => e.participantId === people[0]!.participantId)).toMatchObject({ verificationMethod: 'verbal-code' });
  }, 60_000);

  it('hands a live group over to another server when its server is drained with --handover', async () => {
    expect(admin('drain', b.serverId, '--handover').status).toBe(0);
    // b closes the room (1012), having given up the lease; everyone comes back through b,
    // which sends them to c.
    for (const p of people) expect((await p.socket.closed).code).toBe(1012);
    const console = await facilitatorVia(b);
    expect(console.at).toBe(c);
    for (const p of people) {
      const resumed = await resumeVia(b, p.resumeToken);
      expect(resumed.at).toBe(c);
      expect(resumed.answer).toMatchObject({ ok: true, data: { resumed: true, readmitting: true } });
      await resumed.socket.waitFor('admitted');
    }
    const entries = await roster(c);
    for (const p of people) expect(entries.find((e) => e.participantId === p.participantId)).toMatchObject({ status: 'present', reconnects: 2 });

    // Nothing was lost on the way: the audit chain verifies, with the drain on it.
    const store = await openConfiguredStore({ dataDir: '/nonexistent-unused', database: { url: fleet.databaseUrl } }, { recordsKey: fleet.recordsKey });
    try {
      expect(await store.audit.verify()).toMatchObject({ ok: true });
      const events = (await store.audit.list({})).map((e) => e.event);
      expect(events).toEqual(expect.arrayContaining(['server.draining', 'server.serving', 'server.handover']));
    } finally {
      await store.close();
    }
  }, 60_000);
});
