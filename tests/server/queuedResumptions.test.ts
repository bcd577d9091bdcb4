/**
 * The rooms' queued writes to `resumptions` (store/queuedResumptions.ts), on a real SQLite
 * store and the real write batcher: a check-in's update to a place whose hello's connect is
 * still queued goes into that connect (one statement, the same row), and nothing written about
 * a client in between is ever reordered with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/common/logger.js';
import type { ResumptionWrites } from '../../src/server/rooms/roomRecords.js';
import { queuedResumptions } from '../../src/server/store/queuedResumptions.js';
import type { StandingSnapshot } from '../../src/server/store/resumptions.js';
import { databaseOf, openStore, type Store } from '../../src/server/store/store.js';
import { createWriteBatcher, type WriteBatcher } from '../../src/server/store/writeBatcher.js';

setLogLevel('error');

const snapshot = (over: Partial<StandingSnapshot> = {}): StandingSnapshot => ({
  state: 'check-in',
  displayName: null,
  knockedAt: null,
  media: { audio: false, video: false },
  mutedByFacilitator: { audio: false, video: false },
  admittedBefore: false,
  ...over,
});
const checkedIn = snapshot({ state: 'waiting', displayName: 'Sam', knockedAt: '2026-12-07T18:00:00.000Z', media: { audio: true, video: true } });

describe('queued resumption writes', () => {
  let dir: string;
  let store: Store;
  let batcher: WriteBatcher;
  let writes: ResumptionWrites;
  let sessionId: string;
  const errors: unknown[] = [];
  /** Rows the database changed since the last call. */
  let changesSeen = 0;
  const changes = (): number => {
    const total = (databaseOf(store).prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const made = total - changesSeen;
    changesSeen = total;
    return made;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'confidant-resumptions-'));
    store = openStore(dir, randomBytes(32));
    const lead = await store.clinicians.create({ username: 'lead', displayName: 'Lead', passwordHash: 'x', roles: ['facilitator'] });
    sessionId = (
      await store.sessions.create({ title: 'g', startsAt: new Date('2026-12-07T18:00:00Z'), endsAt: new Date('2026-12-07T19:00:00Z'), facilitatorId: lead.id })
    ).id;
    batcher = createWriteBatcher(store, (err) => errors.push(err));
    writes = queuedResumptions(batcher);
    changes();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  const row = (tokenHash: string) => store.resumptions.byTokenHash(tokenHash);

  it('folds a check-in into the hello still queued: one statement, the row both would have left', async () => {
    writes.connect('p-1', sessionId, 'token-1', snapshot(), new Date('2026-12-07T18:00:00Z'));
    writes.update('p-1', checkedIn);
    await batcher.flush();
    expect(changes()).toBe(1);
    expect(await row('token-1')).toMatchObject({ participantId: 'p-1', connected: true, ...checkedIn });
  });

  it('writes an update on its own once the connect has been written', async () => {
    writes.connect('p-1', sessionId, 'token-1', snapshot(), new Date('2026-12-07T18:00:00Z'));
    await batcher.flush();
    writes.update('p-1', checkedIn);
    await batcher.flush();
    expect(changes()).toBe(2);
    expect(await row('token-1')).toMatchObject({ connected: true, ...checkedIn });
  });

  it('folds an update made after the batch was taken but before its connect ran', async () => {
    writes.connect('p-1', sessionId, 'token-1', snapshot(), new Date('2026-12-07T18:00:00Z'));
    const written = batcher.flush();
    writes.update('p-1', checkedIn);
    await written;
    await batcher.flush();
    expect(await row('token-1')).toMatchObject({ connected: true, ...checkedIn });
  });

  it('never moves an update before a drop queued after the connect', async () => {
    writes.connect('p-1', sessionId, 'token-1', snapshot(), new Date('2026-12-07T18:00:00Z'));
    writes.dropped('p-1', new Date('2026-12-07T18:01:00Z'), new Date('2026-12-07T18:03:00Z'));
    writes.update('p-1', checkedIn);
    await batcher.flush();
    expect(changes()).toBe(3);
    // Dropped, and the later update on top: the connect did not take the update in.
    expect(await row('token-1')).toMatchObject({ connected: false, expiresAt: '2026-12-07T18:03:00.000Z', ...checkedIn });
  });

  it('a removal in between leaves no row, whatever came after it', async () => {
    writes.connect('p-1', sessionId, 'token-1', snapshot(), new Date('2026-12-07T18:00:00Z'));
    writes.remove('p-1');
    writes.update('p-1', checkedIn);
    writes.connect('p-2', sessionId, 'token-2', snapshot(), new Date('2026-12-07T18:00:00Z'));
    writes.removeSession(sessionId);
    writes.update('p-2', checkedIn);
    await batcher.flush();
    expect(await row('token-1')).toBeUndefined();
    expect(await row('token-2')).toBeUndefined();
  });

  it('folds per client: one client’s update never lands in another’s connect', async () => {
    writes.connect('p-1', sessionId, 'token-1', snapshot(), new Date('2026-12-07T18:00:00Z'));
    writes.connect('p-2', sessionId, 'token-2', snapshot(), new Date('2026-12-07T18:00:00Z'));
    writes.update('p-2', checkedIn);
    await batcher.flush();
    expect(changes()).toBe(2);
    expect(await row('token-1')).toMatchObject({ state: 'check-in', displayName: null });
    expect(await row('token-2')).toMatchObject(checkedIn);
  });
});
