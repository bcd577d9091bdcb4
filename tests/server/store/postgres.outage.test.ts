/**
 * A session server on PostgreSQL whose database goes away while it runs: it is not ready
 * (`/readyz` 503) though alive, requests are answered at once with a plain error saying
 * nothing was changed, nothing is half-written, and once the
 * database is back the same server serves again without a restart. And a server that cannot
 * reach its database at start-up, or is given a URL that is not one, does not start, saying why.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/common/logger';
import { ConfigError, parseConfig } from '../../../src/server/config';
import { seedDemo, type DemoSeed } from '../../../src/server/demo';
import { startServer, type RunningServer } from '../../../src/server/server';
import { STORAGE_UNAVAILABLE_MESSAGE } from '../../../src/server/store/storageErrors';
import { startPostgres, type Postgres } from '../../support/postgres';
import { api } from '../support/api';
import { signIn } from '../support/signIn';

describe('a server whose PostgreSQL database goes away', () => {
  let cluster: Postgres;
  let dir: string;
  let server: RunningServer;
  let seed: DemoSeed;
  let token: string;
  const recordsKey = randomBytes(32);

  const config = (url: string) => parseConfig({ host: '127.0.0.1', port: 0, rtcPort: 0, workers: 1, dataDir: dir, database: { url } });

  beforeAll(async () => {
    setLogLevel('error');
    cluster = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'confidant-outage-'));
    server = await startServer(config(await cluster.createDatabase('outage')), { recordsKey });
    seed = await seedDemo(server.store, 1);
    token = await signIn(server.httpUrl, seed.facilitator.username, seed.facilitator.password, seed.facilitator.totpSecret);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const schedule = (title: string) =>
    api(server, 'POST', '/api/sessions', token, {
      title,
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 7_200_000).toISOString(),
    });

  it('answers plainly while it is gone, keeps nothing half-written, and serves again once it is back', async () => {
    expect((await schedule('Before')).status).toBe(201);
    const before = await server.store.audit.head();

    expect((await fetch(`${server.httpUrl}/readyz`)).status).toBe(200);
    await cluster.stopServer();
    // Not ready while its database is gone (a load balancer sends no one here), yet alive.
    expect((await fetch(`${server.httpUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.httpUrl}/livez`)).status).toBe(200);
    const started = Date.now();
    const during = await schedule('During');
    expect(during.status).toBe(500);
    expect(during.body).toMatchObject({ error: { message: STORAGE_UNAVAILABLE_MESSAGE, reason: 'storage-unavailable' } });
    // Promptly: a failed connection, not a hang until some far timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await api(server, 'GET', '/api/sessions', token)).status).toBe(500);

    await cluster.startServer();
    expect((await fetch(`${server.httpUrl}/readyz`)).status).toBe(200);
    const after = await schedule('After');
    expect(after.status).toBe(201);
    const titles = (await api(server, 'GET', '/api/sessions', token)).list.map((s) => s.title);
    expect(titles).toContain('Before');
    expect(titles).toContain('After');
    expect(titles).not.toContain('During');
    // The chain runs on from where it stood: one entry for 'After', none for the refused one.
    expect((await server.store.audit.head()).seq).toBe(before.seq + 1);
    expect(await server.store.audit.verify()).toMatchObject({ ok: true });
  }, 60_000);

  it('does not start without its database, saying why and never the password', async () => {
    const unreachable = `postgres://confidant:secret-password@127.0.0.1:${cluster.port + 1}/nowhere`;
    const refused = startServer(config(unreachable), { recordsKey });
    await expect(refused).rejects.toThrow(/cannot reach the database at 127\.0\.0\.1:\d+/);
    await expect(refused).rejects.not.toThrow(/secret-password/);
    expect(() => parseConfig({ dataDir: dir, database: { url: 'mysql://root:pw@localhost/x' } })).toThrow(ConfigError);
    expect(() => parseConfig({ dataDir: dir, database: 'mysql://root:pw@localhost/x' })).toThrow(/postgres:\/\//);
  }, 30_000);

  it('is refused a PostgreSQL store without the records key every server holds', async () => {
    await expect(startServer(config(cluster.url))).rejects.toThrow(/recordsKeyFile/);
  });
});
