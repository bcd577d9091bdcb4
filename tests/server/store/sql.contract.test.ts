/**
 * The `Sql` seam means the same thing over both databases: one suite, run against the SQLite
 * adapter (a file) and the PostgreSQL adapter (a fresh database in a throwaway cluster), on
 * scratch tables it makes itself. Statements are written once, as the repositories write
 * them; only table definitions and a row lock differ by dialect.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttemptRepo } from '../../../src/server/store/attempts';
import { setLogLevel } from '../../../src/common/logger';
import { openPostgres } from '../../../src/server/store/postgres/open';
import { anyOf, UnitOfWorkEndedError, type Dialect, type SqlDatabase } from '../../../src/server/store/sql';
import { sqliteSql } from '../../../src/server/store/sqlite/sqliteSql';
import { runPostgres, type RunPostgres } from '../../support/postgres';

interface Adapter {
  name: Dialect;
  open(): Promise<SqlDatabase>;
  cleanUp(): Promise<void>;
}

function sqliteAdapter(): Adapter {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-sql-'));
  return {
    name: 'sqlite',
    open: async () => sqliteSql(new BetterSqlite3(join(dir, 'scratch.db'))),
    cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresAdapter(): Adapter {
  let cluster: RunPostgres | undefined;
  return {
    name: 'postgres',
    async open() {
      cluster = await runPostgres();
      return openPostgres(await cluster.createDatabase('contract'));
    },
    cleanUp: async () => cluster?.stop(),
  };
}

/** The scratch tables, in each dialect's words. */
function scratchTables(dialect: Dialect): string[] {
  const id = dialect === 'postgres' ? 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY';
  const blob = dialect === 'postgres' ? 'bytea' : 'BLOB';
  return [
    `CREATE TABLE scratch (id ${id}, name text NOT NULL UNIQUE, n integer NOT NULL DEFAULT 0, data ${blob})`,
    `CREATE TABLE counter (id integer PRIMARY KEY, n integer NOT NULL)`,
    // The attempt tables (store/attempts.ts): PostgreSQL has them from its migration 2, SQLite
    // from its migration 9; this scratch database has no migrations.
    `CREATE TABLE IF NOT EXISTS attempt_keys (scope text NOT NULL, key_hash text NOT NULL, PRIMARY KEY (scope, key_hash))`,
    `CREATE TABLE IF NOT EXISTS attempts (id ${id}, scope text NOT NULL, key_hash text NOT NULL, at_ms bigint NOT NULL, counted integer NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS key_locks (scope text NOT NULL, key_hash text NOT NULL, until_ms bigint NOT NULL, PRIMARY KEY (scope, key_hash))`,
  ];
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe.each([sqliteAdapter(), postgresAdapter()])('Sql over $name', (adapter) => {
  let db: SqlDatabase;
  const dialect = adapter.name;

  beforeAll(async () => {
    setLogLevel('warn');
    db = await adapter.open();
    for (const statement of scratchTables(dialect)) await db.run(statement);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await adapter.cleanUp();
  });

  const names = async (): Promise<string[]> => (await db.all<{ name: string }>(`SELECT name FROM scratch ORDER BY name`)).map((r) => r.name);
  const clear = () => db.run(`DELETE FROM scratch`);

  it('runs statements: all, one, run and the rows each changed', async () => {
    await clear();
    expect(await db.run(`INSERT INTO scratch (name, n) VALUES (?, ?), (?, ?), (?, ?)`, ['a', 1, 'b', 2, 'c', 3])).toBe(3);
    expect(await db.all(`SELECT name, n FROM scratch WHERE n >= ? ORDER BY n`, [2])).toEqual([
      { name: 'b', n: 2 },
      { name: 'c', n: 3 },
    ]);
    expect(await db.one(`SELECT name FROM scratch WHERE n = ?`, [1])).toEqual({ name: 'a' });
    expect(await db.one(`SELECT name FROM scratch WHERE n = ?`, [99])).toBeUndefined();
    expect(await db.all(`SELECT name FROM scratch WHERE n = ?`, [99])).toEqual([]);
    expect(await db.run(`UPDATE scratch SET n = n + 10 WHERE n < ?`, [3])).toBe(2);
    expect(await db.run(`DELETE FROM scratch WHERE name = ?`, ['nobody'])).toBe(0);
    // A ? inside a literal is text, not a parameter.
    expect(await db.one(`SELECT 'a?b' AS lit, name FROM scratch WHERE name = ?`, ['c'])).toEqual({ lit: 'a?b', name: 'c' });
  });

  it('binds strings, numbers, Buffers and null, and gives Buffers and counts back as such', async () => {
    await clear();
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x27, 0x5c]);
    await db.run(`INSERT INTO scratch (name, n, data) VALUES (?, ?, ?)`, ["o'brien ?", 7, bytes]);
    await db.run(`INSERT INTO scratch (name, n, data) VALUES (?, ?, ?)`, ['nil', 8, null]);
    const row = await db.one<{ name: string; n: number; data: Buffer }>(`SELECT name, n, data FROM scratch WHERE data = ?`, [bytes]);
    expect(row?.name).toBe("o'brien ?");
    expect(row?.n).toBe(7);
    expect(Buffer.isBuffer(row?.data)).toBe(true);
    expect(row?.data.equals(bytes)).toBe(true);
    expect(await db.one(`SELECT name FROM scratch WHERE data IS NULL`)).toEqual({ name: 'nil' });
    const count = await db.one<{ total: unknown }>(`SELECT count(*) AS total FROM scratch`);
    expect(count?.total).toBe(2);
    // A condition read as a value is 1 or 0, as SQLite gives it (PostgreSQL's is a boolean).
    expect(await db.one(`SELECT count(*) > 1 AS many, count(*) > 5 AS lots FROM scratch`)).toEqual({ many: 1, lots: 0 });
    const ids = await db.all<{ id: unknown }>(`SELECT id FROM scratch`);
    for (const { id } of ids) expect(typeof id).toBe('number');
  });

  it('matches a list with anyOf', async () => {
    await clear();
    await db.run(`INSERT INTO scratch (name) VALUES ('x'), ('y'), ('z'), ('it''s')`);
    const { condition, param } = anyOf(dialect, 'name', ['z', 'x', "it's", 'absent']);
    const rows = await db.all<{ name: string }>(`SELECT name FROM scratch WHERE ${condition} ORDER BY name`, [param]);
    expect(rows.map((r) => r.name)).toEqual(["it's", 'x', 'z']);
    const none = anyOf(dialect, 'name', []);
    expect(await db.all(`SELECT name FROM scratch WHERE ${none.condition}`, [none.param])).toEqual([]);
  });

  it('returns generated values with RETURNING, and upserts with ON CONFLICT', async () => {
    await clear();
    const first = await db.one<{ id: number; name: string }>(`INSERT INTO scratch (name, n) VALUES (?, ?) RETURNING id, name`, ['r', 1]);
    expect(first).toEqual({ id: expect.any(Number), name: 'r' });
    const upsert = `INSERT INTO scratch (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = scratch.n + excluded.n RETURNING id, n`;
    expect(await db.one(upsert, ['r', 5])).toEqual({ id: first?.id, n: 6 });
    expect(await db.run(`INSERT INTO scratch (name, n) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, ['r', 100])).toBe(0);
    expect(await db.one(`SELECT n FROM scratch WHERE name = ?`, ['r'])).toEqual({ n: 6 });
  });

  it('commits a transaction, and keeps nothing of one that throws', async () => {
    await clear();
    const result = await db.transaction(async (tx) => {
      await tx.run(`INSERT INTO scratch (name) VALUES (?)`, ['kept']);
      return tx.one<{ name: string }>(`SELECT name FROM scratch WHERE name = ?`, ['kept']);
    });
    expect(result).toEqual({ name: 'kept' });
    const failing = db.transaction(async (tx) => {
      await tx.run(`INSERT INTO scratch (name) VALUES (?)`, ['lost']);
      await tx.run(`UPDATE scratch SET n = 42 WHERE name = ?`, ['kept']);
      throw new Error('changed my mind');
    });
    await expect(failing).rejects.toThrow('changed my mind');
    expect(await names()).toEqual(['kept']);
    expect(await db.one(`SELECT n FROM scratch WHERE name = ?`, ['kept'])).toEqual({ n: 0 });
  });

  it('joins a transaction begun inside one: one unit, kept or lost together', async () => {
    await clear();
    await db.transaction(async (tx) => {
      await tx.run(`INSERT INTO scratch (name) VALUES (?)`, ['outer']);
      await tx.transaction(async (inner) => {
        expect(await inner.one(`SELECT name FROM scratch WHERE name = ?`, ['outer'])).toEqual({ name: 'outer' });
        await inner.run(`INSERT INTO scratch (name) VALUES (?)`, ['inner']);
      });
    });
    expect(await names()).toEqual(['inner', 'outer']);
    const failing = db.transaction(async (tx) => {
      await tx.transaction((inner) => inner.run(`INSERT INTO scratch (name) VALUES (?)`, ['nested']));
      throw new Error('outer fails after the inner one finished');
    });
    await expect(failing).rejects.toThrow('outer fails');
    expect(await names()).toEqual(['inner', 'outer']);
  });

  it('refuses statements through a transaction’s Sql after it ended', async () => {
    let escaped: Parameters<Parameters<SqlDatabase['transaction']>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      escaped = tx;
      await tx.one(`SELECT 1 AS one`);
    });
    await expect(escaped!.one(`SELECT 1 AS one`)).rejects.toBeInstanceOf(UnitOfWorkEndedError);
    await expect(escaped!.run(`DELETE FROM scratch`)).rejects.toBeInstanceOf(UnitOfWorkEndedError);
    await expect(escaped!.transaction(async () => 1)).rejects.toBeInstanceOf(UnitOfWorkEndedError);
    await expect(db.transaction(async (tx) => ((escaped = tx), Promise.reject(new Error('x'))))).rejects.toThrow('x');
    await expect(escaped!.all(`SELECT 1 AS one`)).rejects.toBeInstanceOf(UnitOfWorkEndedError);
  });

  it('loses no update when two workers read then write a counter in transactions at once', async () => {
    await db.run(`DELETE FROM counter`);
    await db.run(`INSERT INTO counter (id, n) VALUES (1, 0)`);
    const lock = dialect === 'postgres' ? ' FOR UPDATE' : '';
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 50; i++) {
        await db.transaction(async (tx) => {
          const row = await tx.one<{ n: number }>(`SELECT n FROM counter WHERE id = 1${lock}`);
          await tick();
          await tx.run(`UPDATE counter SET n = ? WHERE id = 1`, [row!.n + 1]);
        });
      }
    };
    await Promise.all([worker(), worker()]);
    expect(await db.one(`SELECT n FROM counter WHERE id = 1`)).toEqual({ n: 100 });
  });

  it('never shows a lone statement what an open transaction has not committed', async () => {
    await clear();
    let outside: Promise<unknown> | undefined;
    const failing = db.transaction(async (tx) => {
      await tx.run(`INSERT INTO scratch (name) VALUES (?)`, ['uncommitted']);
      outside = db.one(`SELECT name FROM scratch WHERE name = ?`, ['uncommitted']);
      // Give it every chance to run while the row is there, uncommitted.
      for (let i = 0; i < 20; i++) await tick();
      throw new Error('rolled back');
    });
    await expect(failing).rejects.toThrow('rolled back');
    expect(await outside).toBeUndefined();
  });

  it('reserves attempts to the limit within the window, gives them back, and lets none extra through at once', async () => {
    const attempts = createAttemptRepo(db);
    const windowMs = 1000;
    const t0 = 1_000_000;
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await attempts.reserve('sign-in', 'a', 3, t0 + i - windowMs, t0 + i));
    expect(got.map((r) => r?.count)).toEqual([1, 2, 3, undefined]);
    // A success gives its attempt back: one more fits.
    await attempts.giveBack(got[1]!.id);
    expect((await attempts.reserve('sign-in', 'a', 3, t0 + 5 - windowMs, t0 + 5))?.count).toBe(3);
    // The window slides past the first attempts: they count no more.
    expect((await attempts.reserve('sign-in', 'a', 3, t0 + 2, t0 + 2 + windowMs))?.count).toBe(2);
    // Many at once against a fresh key: exactly the limit get through.
    const many = await Promise.all(Array.from({ length: 12 }, () => attempts.reserve('sign-in', 'b', 5, t0 - windowMs, t0)));
    expect(many.filter((r) => r !== undefined)).toHaveLength(5);
    // Locks on keys: until a time, then gone.
    await attempts.lock('sign-in', 'c', t0 + 100);
    expect(await attempts.lockedUntil('sign-in', 'c', t0)).toBe(t0 + 100);
    expect(await attempts.lockedUntil('sign-in', 'c', t0 + 100)).toBeUndefined();
    expect(await attempts.sweep(t0 + windowMs, t0 + 200)).toBeGreaterThan(0);
});
});
