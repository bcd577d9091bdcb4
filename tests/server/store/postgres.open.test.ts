/**
 * Opening the PostgreSQL store against a real cluster: clear refusals for a bad URL, an
 * unreachable server and a wrong password; migrations applied once even when two servers
 * start at once; a newer schema refused; and a database that goes away and comes back.
 */
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/common/logger';
import { postgresStorageError } from '../../../src/server/store/postgres/errors';
import { POSTGRES_MIGRATIONS } from '../../../src/server/store/postgres/migrations/index';
import { migratePostgres, postgresSchemaVersion } from '../../../src/server/store/postgres/migrations/run';
import { openPostgres } from '../../../src/server/store/postgres/open';
import { TransactionAbortedError } from '../../../src/server/store/postgres/postgresSql';
import { startPostgres, type Postgres } from '../../support/postgres';

const NEWEST = POSTGRES_MIGRATIONS.length;

/** What opening `url` was refused with (the test fails if it was not). */
async function refusal(url: string): Promise<Error> {
  const db = await openPostgres(url).catch((err: unknown) => err);
  if (!(db instanceof Error)) {
    await (db as { close(): Promise<void> }).close();
    throw new Error('the database opened');
  }
  return db;
}

describe('openPostgres', () => {
  let cluster: Postgres;
  let databases = 0;
  /** A fresh, empty database in the cluster. */
  const freshDatabase = () => cluster.createDatabase(`open_${++databases}`);
  const connected = async (url: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    setLogLevel('warn');
    cluster = await startPostgres();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('refuses a malformed URL or another scheme without repeating the password', async () => {
    for (const url of ['postgres://confidant:s3cr3t-pw@127.0.0.1:notaport/db', 'not a url s3cr3t-pw', 'mysql://confidant:s3cr3t-pw@127.0.0.1/db']) {
      const failure = await refusal(url);
      expect(failure.message).toMatch(/database URL/);
      expect(failure.message).not.toContain('s3cr3t-pw');
    }
  });

  it('says plainly, and soon, when nothing answers at the address', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const started = Date.now();
    await expect(openPostgres(`postgres://confidant:pw@127.0.0.1:${closed}/db`)).rejects.toThrow(
      `cannot reach the database at 127.0.0.1:${closed}: connection refused`,
    );
    expect(Date.now() - started).toBeLessThan(2000);

    // A server that accepts the connection and never speaks: the connect timeout ends the wait.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const begun = Date.now();
    await expect(openPostgres(`postgres://confidant:pw@127.0.0.1:${port}/db`, { connectTimeoutMs: 400 })).rejects.toThrow(
      `cannot reach the database at 127.0.0.1:${port}: no answer within 400 ms`,
    );
    expect(Date.now() - begun).toBeLessThan(2000);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('says the password was refused, without repeating it', async () => {
    const url = `postgres://${cluster.user}:wrong-pw-123@127.0.0.1:${cluster.port}/postgres`;
    const failure = await refusal(url);
    expect(failure.message).toBe(`the database at 127.0.0.1:${cluster.port} refused the password for user "${cluster.user}"`);
    expect(failure.message).not.toContain('wrong-pw-123');
  });

  it('migrates a new database once; opening it again applies nothing', async () => {
    const url = await freshDatabase();
    const db = await openPostgres(url);
    expect(await db.one(`SELECT version FROM schema_version`)).toEqual({ version: NEWEST });
    await db.close();
    const client = await connected(url);
    try {
      expect(await migratePostgres(client)).toEqual([]);
      expect(await postgresSchemaVersion(client)).toBe(NEWEST);
      expect((await client.query(`SELECT count(*)::int AS n FROM schema_version`)).rows[0]).toEqual({ n: 1 });
    } finally {
      await client.end();
    }
  });

  it('lets one of two servers starting at once migrate, and the other find it done', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([connected(url), connected(url)]);
    try {
      const applied = await Promise.all([migratePostgres(a), migratePostgres(b)]);
      expect(applied.map((list) => list.length).sort()).toEqual([0, NEWEST]);
      expect(await postgresSchemaVersion(a)).toBe(NEWEST);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    // And through the opener, on another new database: both opens succeed.
    const other = await freshDatabase();
    const both = await Promise.all([openPostgres(other), openPostgres(other)]);
    expect(await both[0].one(`SELECT version FROM schema_version`)).toEqual({ version: NEWEST });
    await Promise.all(both.map((db) => db.close()));
  });

  it('leaves a failed migration’s step undone, and the version where it was', async () => {
    const url = await freshDatabase();
    const client = await connected(url);
    const failing = {
      version: NEWEST + 1,
      async up(db: { query(text: string): Promise<unknown[]> }) {
        await db.query(`CREATE TABLE half_done (x integer)`);
        throw new Error('migration failed halfway');
      },
    };
    try {
      await expect(migratePostgres(client, [...POSTGRES_MIGRATIONS, failing])).rejects.toThrow('migration failed halfway');
      expect(await postgresSchemaVersion(client)).toBe(NEWEST);
      expect((await client.query(`SELECT to_regclass('half_done') AS t`)).rows[0]).toEqual({ t: null });
      await expect(migratePostgres(client, [POSTGRES_MIGRATIONS[0]!, { ...failing, version: 3 }])).rejects.toThrow(/numbered 1..n/);
    } finally {
      await client.end();
    }
  });

  it('refuses a database whose schema is newer than this server', async () => {
    const url = await freshDatabase();
    const db = await openPostgres(url);
    await db.run(`UPDATE schema_version SET version = ?`, [NEWEST + 5]);
    await db.close();
    await expect(openPostgres(url)).rejects.toThrow(`database schema version ${NEWEST + 5} is newer than this server (${NEWEST})`);
  });

  it('refuses to commit work that went on after one of its statements failed', async () => {
    const db = await openPostgres(await freshDatabase());
    try {
      await db.run(`CREATE TABLE t (k text PRIMARY KEY)`);
      await db.run(`INSERT INTO t (k) VALUES ('taken')`);
      const swallowing = db.transaction(async (tx) => {
        await tx.run(`INSERT INTO t (k) VALUES ('first')`);
        await tx.run(`INSERT INTO t (k) VALUES ('taken')`).catch(() => 0);
        return 'done';
      });
      await expect(swallowing).rejects.toBeInstanceOf(TransactionAbortedError);
      expect(await db.all(`SELECT k FROM t ORDER BY k`)).toEqual([{ k: 'taken' }]);
      // The connection that carried it is fine afterwards.
      expect(await db.transaction((tx) => tx.one(`SELECT count(*) AS n FROM t`))).toEqual({ n: 1 });
    } finally {
      await db.close();
    }
  });

  it('ends a statement past its time limit, and waits only so long for a free connection: busy, either way', async () => {
    const db = await openPostgres(await freshDatabase(), { maxConnections: 1, statementTimeoutMs: 300, connectTimeoutMs: 300 });
    try {
      const slow = await db.one(`SELECT pg_sleep(2)`).catch((err: unknown) => err);
      expect(slow).toMatchObject({ code: '57014' });
      expect(postgresStorageError(slow)).toBe('busy');
      let release!: () => void;
      const holding = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
      const waiting = await db.one(`SELECT 1 AS one`).catch((err: unknown) => err);
      expect(postgresStorageError(waiting)).toBe('busy');
      release();
      await holding;
      // The one connection, through all that, is still good.
      expect(await db.one(`SELECT 1 AS one`)).toEqual({ one: 1 });
    } finally {
      await db.close();
    }
  });

  it('fails statements promptly while the server is down, and works again once it is back', async () => {
    const db = await openPostgres(await freshDatabase(), { connectTimeoutMs: 1000 });
    try {
      await db.run(`CREATE TABLE t (k text PRIMARY KEY)`);
      // Several idle connections in the pool, each to be cut off by the shutdown.
      await Promise.all(Array.from({ length: 4 }, (_, i) => db.transaction((tx) => tx.run(`INSERT INTO t (k) VALUES (?)`, [`before-${i}`]))));

      // The server stops in the middle of a transaction.
      const cutOff = db.transaction(async (tx) => {
        await tx.run(`INSERT INTO t (k) VALUES ('during')`);
        await cluster.stopServer();
        return tx.one(`SELECT 1 AS one`);
      });
      const failure = await cutOff.catch((err: unknown) => err);
      expect(postgresStorageError(failure)).toBe('unavailable');

      const started = Date.now();
      const whileDown = await db.one(`SELECT count(*) AS n FROM t`).catch((err: unknown) => err);
      expect(postgresStorageError(whileDown)).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(3000);

      await cluster.startServer();
      expect(await db.one(`SELECT count(*) AS n FROM t`)).toEqual({ n: 4 });
      await db.transaction((tx) => tx.run(`INSERT INTO t (k) VALUES ('after')`));
      expect(await db.one(`SELECT k FROM t WHERE k = ?`, ['during'])).toBeUndefined();
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe('postgresStorageError', () => {
  it('tells a lost connection, a busy database and a full one apart from everything else', () => {
    const withCode = (code: string) => Object.assign(new Error('x'), { code });
    expect(postgresStorageError(withCode('ECONNREFUSED'))).toBe('unavailable');
    expect(postgresStorageError(withCode('57P01'))).toBe('unavailable');
    expect(postgresStorageError(withCode('08006'))).toBe('unavailable');
    expect(postgresStorageError(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    for (const code of ['40001', '40P01', '55P03', '53300', '57014']) expect(postgresStorageError(withCode(code))).toBe('busy');
    expect(postgresStorageError(new Error('timeout exceeded when trying to connect'))).toBe('busy');
    expect(postgresStorageError(withCode('53100'))).toBe('full');
    expect(postgresStorageError(withCode('23505'))).toBeUndefined();
    expect(postgresStorageError(new Error('something else'))).toBeUndefined();
    expect(postgresStorageError('not even an error')).toBeUndefined();
  });
});
