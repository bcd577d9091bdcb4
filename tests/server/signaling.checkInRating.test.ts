/**
 * The private check-in rating (issue 20): how a client is today, 0–10 and a word if they like.
 * It reaches the session's clinicians beside the knock and in the room, and no other client; a
 * malformed one is refused and checks nobody in; on record it is sealed (the word is nowhere
 * in the database file in the clear), on the roster and in the client's weeks for the session's
 * facilitators and supervisors, and not for an admin who is neither, nor in the CSV.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AttendanceHistory, Roster, type Participant } from '../../src/shared/protocol';
import { DATABASE_FILE } from '../../src/server/store/store.js';
import { api, makeClinician } from './support/api.js';
import { AGREEMENT_VERSION_OF, connectClinician, connectParticipant, login } from './support/testServer.js';
import { databaseBytes } from './support/dataDir.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const WORD = 'wobbly-tuesday';
const rating = { score: 4, word: WORD };

const onPostgres = Boolean(process.env.CONFIDANT_DATABASE_URL);

describe('the check-in rating', () => {
  const demo = sharedTestDemo(3);
  const inv = (i: number) => demo.info.invitations[i]!;

  it('reaches the clinicians beside the knock and in the room, never the group; on record only for clinical readers', async () => {
    const fac = await connectClinician(demo.info);
    const sup = await connectClinician(demo.info, 'supervisor');
    // Someone already in the group, who must never learn how Robin is.
    const other = await connectParticipant(demo.info, inv(1));
    await other.client.call('checkIn', { displayName: 'Ash', agreementVersion: AGREEMENT_VERSION_OF(other.hello), media: { audio: true, video: false }, rating: { score: 9 } });
    await fac.client.call('admit', { participantId: other.participantId });
    await other.client.waitFor('admitted');

    const { client, participantId, hello } = await connectParticipant(demo.info, inv(0));
    const base = { displayName: 'Robin', agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false } };
    for (const bad of [{ score: 11 }, { score: -1 }, { score: 4.5 }, { score: 4, word: '' }, { score: 4, word: 'x'.repeat(41) }, { score: 4, word: 'a\u0007b' }, { score: 4, mood: 'ok' }, { word: 'fine' }]) {
      expect(await client.request('checkIn', { ...base, rating: bad })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    await client.call('checkIn', { ...base, rating });

    for (const clinician of [fac, sup]) {
      const knock = await clinician.client.waitFor('knock', (k) => k.participant.participantId === participantId);
      expect(knock.participant.rating).toEqual(rating);
    }
    await fac.client.call('admit', { participantId });
    const { participants } = await client.waitFor('admitted');
    const joined = await other.client.waitFor('peerJoined', (p) => p.participant.participantId === participantId);
    expect(joined.participant).not.toHaveProperty('rating');
    for (const p of participants as Participant[]) expect(p).not.toHaveProperty('rating');
    const update = await fac.client.waitFor('participantUpdated', (u) => u.participant.participantId === participantId && u.participant.state === 'admitted');
    expect(update.participant.rating).toEqual(rating);

    // A client who gave none has none to show.
    const quiet = await connectParticipant(demo.info, inv(2));
    await quiet.client.call('checkIn', { displayName: 'Kit', agreementVersion: AGREEMENT_VERSION_OF(quiet.hello), media: { audio: true, video: false } });
    const knock = await fac.client.waitFor('knock', (k) => k.participant.participantId === quiet.participantId);
    expect(knock.participant).not.toHaveProperty('rating');
    for (const c of [fac.client, sup.client, other.client, client, quiet.client]) await c.close();

    // On record: the session's facilitator and supervisor read it; an admin who is neither reads the roster without it.
    const admin = await makeClinician(demo.server, 'rating.admin', ['admin']);
    const rosterFor = async (token: string) => Roster.parse((await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/roster`, token)).list);
    const facToken = await login(demo.info, 'facilitator');
    for (const token of [facToken, await login(demo.info, 'supervisor')]) {
      const entries = await rosterFor(token);
      expect(entries.find((e) => e.participantId === participantId)!.checkInRating).toEqual(rating);
      expect(entries.find((e) => e.participantId === other.participantId)!.checkInRating).toEqual({ score: 9 });
      expect(entries.find((e) => e.participantId === quiet.participantId)!.checkInRating).toBeNull();
    }
    const adminToken = await admin.signIn();
    for (const e of await rosterFor(adminToken)) expect(e.checkInRating).toBeNull();
    // The client's weeks carry it per session, by the same rule.
    const weeksFor = async (token: string) =>
      AttendanceHistory.parse((await api(demo.server, 'GET', `/api/attendance/${encodeURIComponent(inv(0).participantRef)}`, token)).body);
    const sessionsOf = (h: AttendanceHistory) => h.weeks.flatMap((w) => w.sessions);
    expect(sessionsOf(await weeksFor(facToken)).map((s) => s.checkInRating)).toEqual([rating]);
    expect(sessionsOf(await weeksFor(adminToken)).map((s) => s.checkInRating)).toEqual([null]);
    // Never in the CSV.
    const csv = await (await fetch(`${demo.info.httpUrl}/api/sessions/${demo.info.sessionId}/roster.csv`, { headers: { authorization: `Bearer ${facToken}` } })).text();
    expect(csv).not.toContain(WORD);

  });

  // The database's own file: on PostgreSQL the same repositories are covered by the store's contract suite.
  it.skipIf(onPostgres)('is sealed at rest', () => {
    // Sealed at rest: a row holds it, and the word is nowhere in the database's files in the clear.
    const raw = new Database(path.join(demo.info.dataDir, DATABASE_FILE), { readonly: true });
    try {
      // Robin's and Ash's knocks hold one each; Kit gave none.
      expect(raw.prepare(`SELECT COUNT(*) AS n FROM attendance_events WHERE rating_sealed IS NOT NULL`).get()).toEqual({ n: 2 });
    } finally {
      raw.close();
    }
    expect(databaseBytes(demo.info.dataDir).includes(Buffer.from(WORD))).toBe(false);
  });
});
