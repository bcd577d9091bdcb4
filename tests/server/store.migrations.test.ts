import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/common/logger.js';
import { migrate, MigrationError, schemaVersion } from '../../src/server/store/migrate.js';
import * as m001 from '../../src/server/store/migrations/001_initial.js';
import { MIGRATIONS } from '../../src/server/store/migrations/index.js';
import { databaseOf, openStore } from '../../src/server/store/store.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

setLogLevel('error');

describe('migration 001_initial', () => {
  it('creates every table with the columns the repositories use', () => {
    const db = memoryDatabase();
    migrate(db, [m001]);
    expect(schemaVersion(db)).toBe(1);
    expect(columnsOf(db, 'clinicians')).toEqual(['id', 'username', 'display_name', 'password_hash', 'active', 'created_at']);
    expect(columnsOf(db, 'clinician_roles')).toEqual(['clinician_id', 'role']);
    expect(columnsOf(db, 'supervision')).toEqual(['supervisor_id', 'facilitator_id']);
    expect(columnsOf(db, 'tokens')).toEqual(['token_hash', 'clinician_id', 'created_at', 'expires_at', 'revoked']);
    expect(columnsOf(db, 'sessions')).toEqual(['id', 'title', 'starts_at', 'ends_at', 'facilitator_id', 'state', 'created_at']);
    expect(columnsOf(db, 'session_cofacilitators')).toEqual(['session_id', 'facilitator_id']);
    expect(columnsOf(db, 'invitations')).toEqual([
      'id', 'session_id', 'participant_ref', 'participant_id', 'token_hash', 'passcode_hash', 'revoked_at', 'created_at',
    ]);
  });

  it('enforces unique usernames, known roles and foreign keys', () => {
    const db = memoryDatabase();
    migrate(db, [m001]);
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO clinicians VALUES ('a', 'ana', 'Ana', 'h', 1, ?)`).run(now);
    expect(() => db.prepare(`INSERT INTO clinicians VALUES ('b', 'ana', 'Ana', 'h', 1, ?)`).run(now)).toThrow(/UNIQUE/);
    expect(() => db.prepare(`INSERT INTO clinician_roles VALUES ('a', 'janitor')`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO tokens VALUES ('t', 'nobody', ?, ?, 0)`).run(now, now)).toThrow(/FOREIGN KEY/);
  });
});

describe('the migration runner', () => {
  it('records user_version and applies nothing the second time', () => {
    const db = memoryDatabase();
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toEqual([]);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
  });

  it('rolls a failing migration back whole, leaving the previous version', () => {
    const db = memoryDatabase();
    const broken = {
      version: 2,
      up(d: BetterSqlite3.Database) {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [m001, broken])).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).get()).toBeUndefined();
  });

  it('refuses a database newer than the server', () => {
    const db = memoryDatabase();
    db.pragma('user_version = 99');
    expect(() => migrate(db)).toThrow(MigrationError);
  });
});

describe('the store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('opens in WAL mode with foreign keys on, and reopens without migrating again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-store-'));
    dirs.push(dir);
    const store = openStore(dir);
    expect(databaseOf(store).pragma('journal_mode', { simple: true })).toBe('wal');
    expect(databaseOf(store).pragma('foreign_keys', { simple: true })).toBe(1);
    const c = await store.clinicians.create({ username: 'ana', displayName: 'Ana', roles: ['facilitator', 'admin'], passwordHash: 'x' });
    await store.close();
    const again = openStore(dir);
    expect(await again.clinicians.byUsername('ana')).toMatchObject({ id: c.id, roles: ['admin', 'facilitator'], active: true });
    await again.close();
  });
});
