/** Migration 9: which server hosts each live session (one lease row per session, gone with it). */
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { columnsOf, insertRow, memoryDatabase } from './support/rows.js';

describe('migration 9', () => {
  it('adds session_hosts: one lease per session, by server id and URL, removed with its session', () => {
    const db = memoryDatabase();
    migrate(db, undefined, 8);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'session_hosts'`).get()).toBeUndefined();

    expect(migrate(db, undefined, 9)).toEqual([9]);
    expect(schemaVersion(db)).toBe(9);
    expect(columnsOf(db, 'session_hosts').sort()).toEqual(['lease_until_ms', 'server_id', 'server_url', 'session_id']);

    insertRow(db, 'clinicians', { id: 'c1' });
    insertRow(db, 'sessions', { id: 's1', facilitator_id: 'c1', state: 'live' });
    const lease = db.prepare(`INSERT INTO session_hosts (session_id, server_id, server_url, lease_until_ms) VALUES (?, 'a', 'https://a', 1)`);
    lease.run('s1');
    expect(() => lease.run('s1')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => lease.run('nope')).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM sessions WHERE id = 's1'`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM session_hosts`).get()).toEqual({ n: 0 });
  });
});
