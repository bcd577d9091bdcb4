/** Migration 10: the servers sharing the database, each with its address, mode and last heartbeat. */
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

describe('migration 10', () => {
  it('adds servers: one row per server id, serving unless an operator set a known mode', () => {
    const db = memoryDatabase();
    migrate(db, undefined, 9);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'servers'`).get()).toBeUndefined();

    expect(migrate(db, undefined, 10)).toEqual([10]);
    expect(schemaVersion(db)).toBe(10);
    expect(columnsOf(db, 'servers').sort()).toEqual(['mode', 'seen_at_ms', 'server_id', 'server_url']);

    const add = db.prepare(`INSERT INTO servers (server_id, server_url, seen_at_ms) VALUES (?, 'https://a', 1)`);
    add.run('a');
    expect(db.prepare(`SELECT mode FROM servers WHERE server_id = 'a'`).get()).toEqual({ mode: 'serving' });
    expect(() => add.run('a')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(`UPDATE servers SET mode = 'resting' WHERE server_id = 'a'`).run()).toThrow(/CHECK/);
  });
});
