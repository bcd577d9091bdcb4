/**
 * A full disk and a busy database, on the real server: the caller gets a clear error that
 * says nothing was changed, nothing is half-written (a note without its audit entry, a
 * removal without its record), the audit chain still verifies, and once space (or the lock)
 * is back the same request works. The disk is "full" through SQLite's own limit on the
 * database's size (`max_page_count`), which fails writes exactly as a full disk does
 * (SQLITE_FULL); "busy" is another connection holding the write lock past the busy timeout.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { databaseOf, DATABASE_FILE } from '../../src/server/store/store.js';
import { STORAGE_BUSY_MESSAGE, STORAGE_FULL_MESSAGE } from '../../src/server/store/storageErrors.js';
import { api } from './support/api.js';
import { draftNote } from './support/notes.js';
import { admitted, connectClinician, login } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(2);
let token: string;
let facilitatorId: string;

beforeAll(async () => {
  token = await login(demo.info);
  facilitatorId = (await demo.server.store.clinicians.byUsername(demo.info.facilitator.username))!.id;
});

/**
 * Fills the database to its (lowered) size limit: no page may be added, and the free room
 * left in existing pages is taken by filler rows, smaller and smaller, and audit entries,
 * until nothing fits.
 * Returns what undoes it.
 */
async function fillDisk(): Promise<() => void> {
  const db = databaseOf(demo.server.store);
  // Packs every table's pages full first, so the next row of any table needs a new page.
  db.exec('VACUUM');
  db.exec('CREATE TABLE IF NOT EXISTS test_disk_filler (x BLOB)');
  const before = db.pragma('max_page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const insert = db.prepare('INSERT INTO test_disk_filler (x) VALUES (?)');
  for (const size of [65_536, 8192, 1024, 128, 16, 1]) {
    for (;;) {
      try {
        insert.run(Buffer.alloc(size));
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_FULL') throw err;
        break;
      }
    }
  }
  // The audit log too: every act below must write an entry there, so it is where a full disk bites.
  for (;;) {
    try {
      await demo.server.store.audit.record({ at: new Date(), event: 'test.disk_filler' });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_FULL') throw err;
      break;
    }
  }
  return () => {
    db.pragma(`max_page_count = ${before}`);
    db.exec('DROP TABLE IF EXISTS test_disk_filler');
  };
}

const auditEvents = async (subjectId: string): Promise<string[]> => (await demo.server.store.audit.list({ subjectId })).map((e) => e.event);

describe('a full disk', () => {
  it('a note sync fails clearly and leaves neither the note nor its audit entry; it works once there is space', async () => {
    // A big note, so its sealed row needs pages the database cannot grow into.
    const plain = draftNote(facilitatorId, 'full disk');
    const note = { ...plain, body: { ...plain.body, sections: { ...plain.body.sections, data: 'x'.repeat(40_000) } } };
    const freeSpace = await fillDisk();
    onTestFinished(freeSpace);
    const refused = await api(demo.info, 'PUT', `/api/notes/${note.id}`, token, { note, baseVersion: 0 });
    expect(refused.status).toBe(500);
    expect(refused.body.error).toEqual({ code: 'INTERNAL', message: STORAGE_FULL_MESSAGE, reason: 'storage-full' });
    expect(await demo.server.store.notes.byId(note.id)).toBeUndefined();
    expect(await auditEvents(note.id)).toEqual([]);
    expect(await demo.server.store.audit.verify()).toMatchObject({ ok: true });

    freeSpace();
    const stored = await api(demo.info, 'PUT', `/api/notes/${note.id}`, token, { note, baseVersion: 0 });
    expect(stored.status).toBe(200);
    expect(await auditEvents(note.id)).toEqual(['note.synced']);
  });

  it('scheduling fails clearly and schedules nothing', async () => {
    const startsAt = new Date(Date.now() + 86_400_000);
    const request = { title: 'Wednesday IOP group '.repeat(6).slice(0, 120), startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 5_400_000).toISOString() };
    const count = (await demo.server.store.sessions.all()).length;
    const freeSpace = await fillDisk();
    onTestFinished(freeSpace);
    const refused = await api(demo.info, 'POST', '/api/sessions', token, request);
    expect(refused.status).toBe(500);
    expect(refused.body.error?.message).toBe(STORAGE_FULL_MESSAGE);
    expect(await demo.server.store.sessions.all()).toHaveLength(count);
    freeSpace();
    expect((await api(demo.info, 'POST', '/api/sessions', token, request)).status).toBe(201);
    expect(await demo.server.store.audit.verify()).toMatchObject({ ok: true });
  });

  it('a removal in a live session fails clearly: the client stays, with a working link and no half record', async () => {
    const fac = await connectClinician(demo.info);
    const client = await admitted(demo.info, demo.info.invitations[0]!, fac.client, 'Robin');
    const freeSpace = await fillDisk();
    onTestFinished(freeSpace);
    const longReason = 'r'.repeat(480);
    let answer = await fac.client.request('remove', { participantId: client.participantId, reason: longReason });
    // Each refused removal leaves nothing, so trying again fails the same way.
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: STORAGE_FULL_MESSAGE, reason: 'storage-full' } });
    expect(await demo.server.store.moderation.removals(demo.info.sessionId)).toEqual([]);
    expect((await demo.server.store.invitations.byParticipantId(demo.info.sessionId, client.participantId))?.revokedAt).toBeNull();
    expect(await auditEvents(client.participantId)).not.toContain('client.removed');
    expect(client.client.notifications.map((n) => n.notification)).not.toContain('removed');
    // Nor does any other act happen that cannot be put on record; the session carries on.
    expect(await fac.client.request('mute', { participantId: client.participantId, kind: 'audio' })).toMatchObject({
      ok: false,
      error: { message: STORAGE_FULL_MESSAGE },
    });
    expect(demo.server.rooms.get(demo.info.sessionId)?.peer(client.participantId)?.mutedByFacilitator.audio).toBe(false);
    expect(client.client.notifications.map((n) => n.notification)).not.toContain('mutedByFacilitator');

    freeSpace();
    answer = await fac.client.request('remove', { participantId: client.participantId, reason: longReason });
    expect(answer).toMatchObject({ ok: true });
    await client.client.waitFor('removed');
    expect(await auditEvents(client.participantId)).toContain('client.removed');
    expect(await demo.server.store.audit.verify()).toMatchObject({ ok: true });
    await fac.client.close();
  });
});

describe('a busy database', () => {
  it('a write held up past the busy timeout fails clearly and writes nothing; it works once the lock is gone', async () => {
    const blocker = new Database(path.join(demo.info.dataDir, DATABASE_FILE));
    blocker.pragma('busy_timeout = 0');
    blocker.exec('BEGIN IMMEDIATE');
    onTestFinished(() => {
      if (blocker.open) blocker.close();
    });
    const note = draftNote(facilitatorId, 'busy');
    const started = Date.now();
    const refused = await api(demo.info, 'PUT', `/api/notes/${note.id}`, token, { note, baseVersion: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000); // it waited for the lock first
    expect(refused.status).toBe(500);
    expect(refused.body.error).toEqual({ code: 'INTERNAL', message: STORAGE_BUSY_MESSAGE, reason: 'storage-busy' });
    expect(await demo.server.store.notes.byId(note.id)).toBeUndefined();
    blocker.exec('ROLLBACK');
    blocker.close();
    expect((await api(demo.info, 'PUT', `/api/notes/${note.id}`, token, { note, baseVersion: 0 })).status).toBe(200);
    expect(await auditEvents(note.id)).toEqual(['note.synced']);
  }, 20_000);
});
