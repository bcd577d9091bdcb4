/**
 * The PostgreSQL schema is the SQLite store's, translated: the same tables with the same
 * columns in the same order, nullability and (translated) types, the same named indexes, the
 * same append-only refusals, and the audit head at the genesis of the chain. The SQLite side
 * is read from a store database freshly migrated, so a SQLite migration added without its
 * PostgreSQL counterpart fails here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/common/logger';
import { GENESIS_HASH } from '../../../src/server/audit/chain';
import { openPostgres } from '../../../src/server/store/postgres/open';
import { openDatabase } from '../../../src/server/store/sqlite/database';
import { runPostgres, type RunPostgres } from '../../support/postgres';

/** Tables PostgreSQL has ahead of SQLite, or of its own (a SQLite store counts attempts in memory). */
const POSTGRES_ONLY = new Set(['schema_version', 'attempt_keys', 'attempts', 'key_locks']);

interface Column {
  name: string;
  type: string;
  notNull: boolean;
}

/** SQLite's declared types as PostgreSQL spells them (INTEGER may widen to bigint). */
const TRANSLATED: Record<string, string[]> = {
  TEXT: ['text'],
  INTEGER: ['integer', 'bigint'],
  BLOB: ['bytea'],
  REAL: ['double precision'],
};

describe('the PostgreSQL schema', () => {
  let cluster: RunPostgres;
  let client: pg.Client;
  let sqliteDir: string;
  const sqlite = { tables: new Map<string, Column[]>(), indexes: [] as string[] };

  beforeAll(async () => {
    setLogLevel('warn');
    sqliteDir = mkdtempSync(join(tmpdir(), 'confidant-schema-'));
    const db = openDatabase(join(sqliteDir, 'store.db'));
    const tables = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all();
    for (const { name } of tables) {
      const info = db.prepare<[], { name: string; type: string; notnull: number; pk: number }>(`SELECT * FROM pragma_table_info('${name}')`).all();
      // A lone INTEGER PRIMARY KEY is SQLite's rowid: never null, whatever it declares.
      sqlite.tables.set(
        name,
        info.map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1 || c.pk === 1 })),
      );
    }
    sqlite.indexes = db
      .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
      .all()
      .map((r) => r.name);
    db.close();

    cluster = await runPostgres();
    const url = await cluster.createDatabase('schema');
    await (await openPostgres(url)).close();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await cluster?.stop();
    rmSync(sqliteDir, { recursive: true, force: true });
  });

  it('has SQLite’s tables, with the same columns in the same order', async () => {
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    const postgres = new Map<string, Column[]>();
    for (const r of rows) {
      if (POSTGRES_ONLY.has(r.table_name)) continue;
      const list = postgres.get(r.table_name) ?? [];
      list.push({ name: r.column_name, type: r.data_type, notNull: r.is_nullable === 'NO' });
      postgres.set(r.table_name, list);
    }
    expect([...postgres.keys()].sort()).toEqual([...sqlite.tables.keys()].sort());
    for (const [table, columns] of sqlite.tables) {
      const theirs = postgres.get(table)!;
      expect(theirs.map((c) => c.name), table).toEqual(columns.map((c) => c.name));
      columns.forEach((c, i) => {
        expect(TRANSLATED[c.type], `${table}.${c.name} ${c.type}`).toContain(theirs[i]!.type);
        expect(theirs[i]!.notNull, `${table}.${c.name} not null`).toBe(c.notNull);
      });
    }
  });

  it('has every index SQLite names, and usernames unique without regard to case', async () => {
    const { rows } = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()`);
    const names = rows.map((r) => r.indexname);
    for (const index of sqlite.indexes) expect(names).toContain(index);
    await client.query(`INSERT INTO clinicians (id, username, display_name, password_hash, created_at) VALUES ('c1', 'alice', 'A', 'h', 'now')`);
    await expect(
      client.query(`INSERT INTO clinicians (id, username, display_name, password_hash, created_at) VALUES ('c2', 'ALICE', 'A', 'h', 'now')`),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('keeps the audit log and attendance append-only, as SQLite’s triggers do', async () => {
    await client.query(`INSERT INTO audit_log (seq, at, event, prev_hash, hash) VALUES (1, 'now', 'test', 'p', 'h')`);
    for (const change of [`UPDATE audit_log SET detail = 'x' WHERE seq = 1`, `DELETE FROM audit_log WHERE seq = 1`, `TRUNCATE audit_log`]) {
      await expect(client.query(change), change).rejects.toMatchObject({ code: '23000', message: 'the audit log is append-only' });
    }
    await client.query(`INSERT INTO sessions (id, starts_at, ends_at, facilitator_id, created_at) VALUES ('s1', 'a', 'b', 'c1', 'now')`);
    await client.query(`INSERT INTO attendance_events (session_id, participant_id, kind, at) VALUES ('s1', 'p1', 'knock', 'now')`);
    await expect(client.query(`UPDATE attendance_events SET kind = 'admit'`)).rejects.toMatchObject({ message: 'attendance is append-only' });
    // Attendance goes with its session, as in SQLite.
    await client.query(`DELETE FROM sessions WHERE id = 's1'`);
    expect((await client.query(`SELECT count(*)::int AS n FROM attendance_events`)).rows[0]).toEqual({ n: 0 });
  });

  it('starts the audit head at the genesis of the chain, and generates ids itself', async () => {
    expect((await client.query(`SELECT id, seq::int AS seq, hash FROM audit_head`)).rows).toEqual([{ id: 1, seq: 0, hash: GENESIS_HASH }]);
    await expect(client.query(`INSERT INTO audit_head (id, seq, hash) VALUES (2, 0, 'x')`)).rejects.toMatchObject({ code: '23514' });
    await expect(
      client.query(`INSERT INTO removals (id, session_id, participant_id, removed_by, reason_sealed, removed_at) VALUES (5, 's', 'p', 'c', '\\x00', 'now')`),
    ).rejects.toMatchObject({ code: '428C9' });
  });
});
