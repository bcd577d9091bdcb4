/**
 * The room lock is on record, not only in the live room's memory: a server that restarts
 * under a locked group (gracefully or by a crash) reopens it locked, so a newcomer's hello is
 * still ROOM_LOCKED and the facilitator's snapshot still says locked. The lock is the
 * session's until a facilitator unlocks: a room that closes because everyone has gone (which a
 * server shutting down looks like too) reopens locked. A group chat a facilitator turned off
 * (issue 20) is on record the same way.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setLogLevel } from '../../src/common/logger.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { startRestartableServer, type RestartableServer } from '../support/restartableServer.js';
import { databaseOf } from '../../src/server/store/store.js';
import { signIn } from './support/signIn.js';
import { TestClient } from './support/wsClient.js';

setLogLevel('error');

describe('the room lock across a restart', () => {
  let server: RestartableServer;
  let token: string;
  // One server for the file (each start seeds accounts with real password hashing); every test
  // leaves the room unlocked, and the last one ends the session.
  beforeAll(async () => {
    server = await startRestartableServer(4);
    const { username, password, totpSecret } = server.seed.facilitator;
    token = await signIn(server.httpUrl, username, password, totpSecret!);
  });
  afterAll(async () => {
    await server.dispose();
  });

  const wsUrl = (): string => server.current()!.wsUrl;

  async function facilitator(): Promise<{ client: TestClient; hello: Record<string, unknown> }> {
    const client = await TestClient.connect(wsUrl());
    const hello = await client.call('hello', await clinicianHello(server.httpUrl, token, server.seed.sessionId));
    return { client, hello };
  }

  async function newcomer(i: number) {
    const invitation = server.seed.invitations[i]!;
    const client = await TestClient.connect(wsUrl());
    const answer = await client.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
    await client.close();
    return answer;
  }

  it('a graceful restart keeps the room locked: a newcomer gets ROOM_LOCKED, the facilitator sees it locked', async () => {
    const fac = await facilitator();
    await fac.client.call('lock', { locked: true });
    await server.stop();
    await fac.client.closed;
    await server.start();

    expect(await newcomer(0)).toMatchObject({ ok: false, error: { code: 'ROOM_LOCKED' } });
    const back = await facilitator();
    expect(back.hello.locked).toBe(true);
    expect(await newcomer(0)).toMatchObject({ ok: false, error: { code: 'ROOM_LOCKED' } });

    // Unlocking is on record too: after another restart the room is open.
    await back.client.call('lock', { locked: false });
    await server.stop();
    await server.start();
    expect(await newcomer(1)).toMatchObject({ ok: true });
  });

  it('the lock is on record the moment it is answered, so a crash right after loses nothing', async () => {
    const fac = await facilitator();
    await fac.client.call('lock', { locked: true });
    const db = databaseOf(server.current()!.store);
    const row = () => db.prepare(`SELECT session_id AS sessionId, locked_by AS lockedBy FROM room_locks`).get();
    const facilitatorId = (await server.current()!.store.clinicians.byUsername(server.seed.facilitator.username))!.id;
    expect(row()).toEqual({ sessionId: server.seed.sessionId, lockedBy: facilitatorId });
    await fac.client.call('lock', { locked: false });
    expect(row()).toBeUndefined();
    expect(await newcomer(2)).toMatchObject({ ok: true });
  });

  it('a room that closes because everyone has gone reopens locked, until a facilitator unlocks', async () => {
    const fac = await facilitator();
    await fac.client.call('lock', { locked: true });
    await fac.client.call('leave', {});
    await fac.client.closed;
    await expect.poll(() => server.current()!.rooms.get(server.seed.sessionId)).toBeUndefined();
    expect(await newcomer(0)).toMatchObject({ ok: false, error: { code: 'ROOM_LOCKED' } });
    const back = await facilitator();
    expect(back.hello.locked).toBe(true);
    await back.client.call('lock', { locked: false });
    expect(await newcomer(0)).toMatchObject({ ok: true });
  });

  it('a room open here answers for its lock itself: hellos into it read nothing on record, and see its lock at once', async () => {
    const fac = await facilitator();
    const store = server.current()!.store;
    const reads = vi.spyOn(store.moderation, 'roomOnRecord');
    try {
      await fac.client.call('lock', { locked: true });
      expect(await newcomer(3)).toMatchObject({ ok: false, error: { code: 'ROOM_LOCKED' } });
      await fac.client.call('lock', { locked: false });
      // In and out again (a leave, so no place is kept for a reconnect and the room can close).
      const invitation = server.seed.invitations[3]!;
      const client = await TestClient.connect(wsUrl());
      await client.call('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
      await client.call('leave', {});
      await client.close();
      expect(reads).not.toHaveBeenCalled();
      // Closed (everyone gone), the lock on record answers again.
      await fac.client.call('leave', {});
      await fac.client.closed;
      await expect.poll(() => server.current()!.rooms.get(server.seed.sessionId)).toBeUndefined();
      expect(await newcomer(3)).toMatchObject({ ok: true });
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
  });

  it('the group chat a facilitator turned off stays off across a restart, and on once turned on', async () => {
    const fac = await facilitator();
    expect(fac.hello.groupChat).toBe(true);
    await fac.client.call('setGroupChat', { enabled: false });
    await server.stop();
    await fac.client.closed;
    await server.start();
    const back = await facilitator();
    expect(back.hello.groupChat).toBe(false);
    expect(await back.client.request('groupMessage', { sealed: { epoch: 1, nonce: 'A'.repeat(32), box: 'B'.repeat(40) } })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await back.client.call('setGroupChat', { enabled: true });
    await server.stop();
    await back.client.closed;
    await server.start();
    const again = await facilitator();
    expect(again.hello.groupChat).toBe(true);
    await again.client.close();
  });

  it('ending the session clears its lock', async () => {
    const fac = await facilitator();
    await fac.client.call('lock', { locked: true });
    await fac.client.call('end', {});
    const db = databaseOf(server.current()!.store);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM room_locks`).get()).toEqual({ n: 0 });
  });
});
