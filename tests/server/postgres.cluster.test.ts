/**
 * The tests' own PostgreSQL (tests/support/postgres.ts) is a real server: reached over TCP
 * on loopback, password-checked, run by an unprivileged account, and gone after stop().
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type Postgres } from '../support/postgres';

describe('the tests’ throwaway PostgreSQL cluster', () => {
  let cluster: Postgres;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('answers queries over 127.0.0.1 with its password', async () => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ user: string; version: string; pid: number }>(
        'SELECT current_user AS user, version() AS version, pg_backend_pid() AS pid',
      );
      expect(rows[0]!.user).toBe('confidant');
      expect(rows[0]!.version).toMatch(/^PostgreSQL \d+/);
      // The server process never runs as root (PostgreSQL refuses to; the harness must not try).
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${rows[0]!.pid}/status`, 'utf8'))?.[1];
      expect(Number(uid)).not.toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses a wrong password', async () => {
    const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: 'not-the-password', database: 'postgres' });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    await client.end().catch(() => undefined);
  });

  it('is gone once stopped', async () => {
    const other = await startPostgres();
    await other.stop();
    const client = new pg.Client({ connectionString: other.url, connectionTimeoutMillis: 2000 });
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});
