/**
 * Written recaps (issue 20): a facilitator of the session writes one once it has ended; each
 * of its clients reads it with their link and passcode (`readRecap`, before any hello, limited
 * like a hello) until its days are over; the roster says who opened it; writing and every
 * opening are on the audit log; the text is sealed at rest.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Roster, SessionRecap } from '../../src/shared/protocol';
import { DATABASE_FILE } from '../../src/server/store/store.js';
import { api, makeClinician } from './support/api.js';
import { admitted, connectClinician, login } from './support/testServer.js';
import { databaseBytes } from './support/dataDir.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { TestClient } from './support/wsClient.js';

const TEXT = 'We talked about sleep-routine-lantern and planned one small step each for the week.';

const onPostgres = Boolean(process.env.CONFIDANT_DATABASE_URL);

describe('a written recap', () => {
  const demo = sharedTestDemo(3);
  const inv = (i: number) => demo.info.invitations[i]!;
  const recapPath = () => `/api/sessions/${demo.info.sessionId}/recap`;

  async function read(i: number, passcode = inv(i).passcode) {
    const client = await TestClient.connect(demo.info.wsUrl);
    try {
      return await client.request('readRecap', { invite: inv(i).token, passcode });
    } finally {
      await client.close();
    }
  }

  it('is written after the session by its facilitator, read by its clients for its days, and its openings are on the roster', async () => {
    const facToken = await login(demo.info, 'facilitator');
    const supToken = await login(demo.info, 'supervisor');
    const fac = await connectClinician(demo.info);
    const alice = await admitted(demo.info, inv(0), fac.client, 'Alice');
    await admitted(demo.info, inv(1), fac.client, 'Bea');

    // Not before the session has ended, neither written nor read.
    expect((await api(demo.server, 'PUT', recapPath(), facToken, { text: TEXT, visibleDays: 7 })).status).toBe(409);
    expect(await read(2)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    await fac.client.call('end', {});
    await alice.client.closed;
    // Ended, nothing written yet: the page says there is none.
    expect(await read(0)).toMatchObject({ ok: true, data: { recap: null, sessionTitle: expect.any(String) } });
    expect((await api(demo.server, 'GET', recapPath(), facToken)).status).toBe(404);

    // Only a facilitator of the session writes it, and only what fits.
    expect((await api(demo.server, 'PUT', recapPath(), supToken, { text: TEXT, visibleDays: 7 })).status).toBe(403);
    const stranger = await makeClinician(demo.server, 'recap.stranger', ['facilitator']);
    expect((await api(demo.server, 'PUT', recapPath(), await stranger.signIn(), { text: TEXT, visibleDays: 7 })).status).toBe(403);
    for (const bad of [{ text: '   ', visibleDays: 7 }, { text: TEXT, visibleDays: 0 }, { text: TEXT, visibleDays: 91 }, { text: 'x'.repeat(4001), visibleDays: 7 }, { text: TEXT }]) {
      expect((await api(demo.server, 'PUT', recapPath(), facToken, bad)).status).toBe(400);
    }
    const written = await api(demo.server, 'PUT', recapPath(), facToken, { text: `  ${TEXT}  `, visibleDays: 7 });
    expect(written.status).toBe(200);
    const recap = SessionRecap.parse(written.body);
    expect(recap.text).toBe(TEXT);
    expect(Date.parse(recap.visibleUntil) - Date.parse(recap.writtenAt)).toBe(7 * 86_400_000);
    // The supervisor reads it too.
    expect(SessionRecap.parse((await api(demo.server, 'GET', recapPath(), supToken)).body).text).toBe(TEXT);

    // A wrong passcode reads nothing; the right one reads the recap, once on the roster however often.
    expect(await read(0, '000000-wrong')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    for (let i = 0; i < 2; i++) expect(await read(0)).toMatchObject({ ok: true, data: { recap: { text: TEXT } } });
    const roster = Roster.parse((await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/roster`, facToken)).list);
    const byRef = (i: number) => roster.find((e) => e.participantRef === inv(i).participantRef)!;
    expect(byRef(0).recapOpenedAt).toMatch(/Z$/);
    expect(byRef(1).recapOpenedAt).toBeNull();
    // Who never came may read it too (it is written for every client of the session).
    expect(await read(2)).toMatchObject({ ok: true, data: { recap: { text: TEXT } } });

    // Its days over, it is no longer shown.
    const stored = (await demo.server.store.recaps.get(demo.info.sessionId))!;
    await demo.server.store.recaps.write({ ...stored, visibleUntil: new Date(Date.now() - 1000).toISOString() });
    expect(await read(1)).toMatchObject({ ok: true, data: { recap: null } });

    // On the audit log: the writing, and each opening.
    const audit = await demo.server.store.audit.list({ sessionId: demo.info.sessionId });
    expect(audit.filter((e) => e.event === 'recap.written')).toHaveLength(1);
    expect(audit.filter((e) => e.event === 'recap.opened').map((e) => e.subjectId)).toEqual([alice.participantId, alice.participantId, byRef(2).participantId]);
    await fac.client.close();

  });

  // The database's own file: on PostgreSQL the same repositories are covered by the store's contract suite.
  it.skipIf(onPostgres)('is sealed at rest', () => {
    // Sealed at rest: the text is in no database file in the clear.
    const raw = new Database(path.join(demo.info.dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(raw.prepare(`SELECT COUNT(*) AS n FROM session_recaps`).get()).toEqual({ n: 1 });
    } finally {
      raw.close();
    }
    expect(databaseBytes(demo.info.dataDir).includes(Buffer.from('sleep-routine-lantern'))).toBe(false);
  });
});
