/**
 * Several servers on one PostgreSQL database host each live session once (issue 18's first
 * step): the server a session's first hello reaches takes its lease and renews it while the
 * room is open; a hello for it at another server is refused with HOSTED_ELSEWHERE, naming the
 * host, until the lease is given up (the room closed) or runs out (its server died); a server
 * whose lease was taken over closes its room, and its clients' sockets say so.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/common/logger';
import { parseConfig } from '../../src/server/config';
import { seedDemo, type DemoSeed } from '../../src/server/demo';
import { startServer, type RunningServer } from '../../src/server/server';
import { runPostgres, type RunPostgres } from '../support/postgres';
import { TestClient } from './support/wsClient';

const LEASE_SECONDS = 2;

/** One sample's value from a server's /metrics (undefined when absent). */
async function metric(server: RunningServer, sample: string): Promise<number | undefined> {
  const text = await (await fetch(server.metricsUrl!)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('servers sharing one database host each session once', () => {
  let cluster: RunPostgres;
  let dir: string;
  let a: RunningServer;
  let b: RunningServer;
  let seed: DemoSeed;
  const clients: TestClient[] = [];
  const recordsKey = randomBytes(32);

  const start = (url: string, serverId: string) =>
    startServer(
      parseConfig({ host: '127.0.0.1', port: 0, rtcPort: 0, workers: 1, dataDir: join(dir, serverId), database: { url }, serverId, sessionLeaseSeconds: LEASE_SECONDS, metricsPort: 0 }),
      { recordsKey },
    );

  const hello = async (server: RunningServer, n: number) => {
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    const invitation = seed.invitations[n]!;
    return { client, answer: await client.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode }) };
  };

  beforeAll(async () => {
    setLogLevel('error');
    cluster = await runPostgres();
    dir = mkdtempSync(join(tmpdir(), 'confidant-hosting-'));
    const url = await cluster.createDatabase('hosting');
    a = await start(url, 'server-a');
    b = await start(url, 'server-b');
    seed = await seedDemo(a.store, 4);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await a?.close();
    await b?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a session at a second server while the first hosts it, naming the host; takes it once the first gives it up', async () => {
    const first = await hello(a, 0);
    expect(first.answer).toMatchObject({ ok: true });
    expect(await a.store.hosts.holder(seed.sessionId, Date.now())).toMatchObject({ serverId: 'server-a', url: a.publicUrl });
    expect(await metric(a, 'confidant_sessions_hosted')).toBe(1);
    expect(await metric(a, 'confidant_peers')).toBe(1);
    // No router yet: a session's router is made when a client checks in.
    expect(await metric(a, 'confidant_worker_routers{worker="0"}')).toBe(0);

    const elsewhere = await hello(b, 1);
    expect(elsewhere.answer).toMatchObject({ ok: false, error: { code: 'HOSTED_ELSEWHERE' } });
    expect(JSON.stringify(elsewhere.answer)).toContain(a.publicUrl);
    // Renewed while the room is open: still refused after the lease's length.
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 500));
    expect((await hello(b, 1)).answer).toMatchObject({ ok: false, error: { code: 'HOSTED_ELSEWHERE' } });

    // The room empties: the lease is given up, and the other server may host the session.
    await first.client.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.store.hosts.holder(seed.sessionId, Date.now())).toBeUndefined();
    const taken = await hello(b, 1);
    expect(taken.answer).toMatchObject({ ok: true });
    expect(await b.store.hosts.holder(seed.sessionId, Date.now())).toMatchObject({ serverId: 'server-b' });
    await taken.client.close();
  }, 30_000);

  it('takes over a session whose host stopped renewing once its lease runs out', async () => {
    await new Promise((r) => setTimeout(r, 300));
    // A server that died holding the lease: nobody renews it.
    const now = Date.now();
    expect(await a.store.hosts.claim(seed.sessionId, 'server-dead', 'http://127.0.0.1:9', now + LEASE_SECONDS * 1000, now)).toEqual({ held: true });
    expect((await hello(a, 2)).answer).toMatchObject({ ok: false, error: { code: 'HOSTED_ELSEWHERE' } });
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
    const after = await hello(a, 2);
    expect(after.answer).toMatchObject({ ok: true });
    expect(await a.store.hosts.holder(seed.sessionId, Date.now())).toMatchObject({ serverId: 'server-a' });
  }, 30_000);

  it('closes its room when another server has taken the lease over, and its clients hear why', async () => {
    const { client } = await hello(a, 3);
    // Cut off: another server holds the lease now (a's was given up behind its back).
    await a.store.hosts.release(seed.sessionId, 'server-a');
    const now = Date.now();
    expect(await b.store.hosts.claim(seed.sessionId, 'server-b', b.publicUrl, now + 60_000, now)).toEqual({ held: true });
    // At the next renewal (a third of the lease) the room here closes.
    expect(await client.closed).toMatchObject({ code: 1012 });
    expect(a.rooms.get(seed.sessionId)).toBeUndefined();
  }, 30_000);

  it('shows Prometheus the sessions it hosts and the leases it took and lost, on its own port only', async () => {
    // By now a took the session twice (the first test, the take-over) and lost it once (above).
    expect(await metric(a, 'confidant_session_leases_taken_total')).toBe(2);
    expect(await metric(a, 'confidant_session_leases_lost_total')).toBe(1);
    expect(await metric(a, 'confidant_sessions_hosted')).toBe(0);
    expect(await metric(b, 'confidant_session_leases_taken_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(a, 'confidant_worker_up{worker="0"}')).toBe(1);
    expect(await metric(a, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // Not on the public port, and nothing about who is in a group.
    expect((await fetch(`${a.httpUrl}/metrics`)).status).toBe(404);
    const text = await (await fetch(a.metricsUrl!)).text();
    expect(text).not.toContain(seed.sessionId);
    expect(new URL(a.metricsUrl!).hostname).toBe('127.0.0.1');
  });
});
