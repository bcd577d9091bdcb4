/**
 * One contract for the store's repositories, held by both databases: SQLite (the embedded
 * default) and PostgreSQL (a real throwaway cluster). Every behaviour a caller relies on is
 * checked here over each, including what must hold between two server processes sharing one
 * database: each "other process" is a second store over the same database, with connections
 * of its own (for SQLite, another connection to the same file).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../../src/common/logger';
import type { Note } from '../../../src/shared/notes';
import { openPostgres } from '../../../src/server/store/postgres/open';
import { createRecordKeys } from '../../../src/server/store/recordKeys';
import { openStore, storeOver, type Store } from '../../../src/server/store/store';
import { runPostgres, type RunPostgres } from '../../support/postgres';

interface Kind {
  name: string;
  /** A store over the kind's database; every call opens another, over the same one. */
  open(): Promise<Store>;
  /**
   * Whether a second store in this process stands for another server process. SQLite's does
   * not: a server holds its file alone, and two connections in one thread wait on each other
   * (one's transaction spans awaits while the other blocks the thread for the write lock), so
   * there "the other process" is the same store, and what two real processes do to one file
   * is tested with child processes (audit.chain, limits.processes).
   */
  separateProcesses: boolean;
  cleanUp(): Promise<void>;
}

function sqliteKind(): Kind {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-contract-'));
  const key = randomBytes(32);
  return {
    name: 'SQLite',
    open: async () => openStore(dir, key),
    separateProcesses: false,
    cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresKind(): Kind {
  let cluster: RunPostgres | undefined;
  let url: string | undefined;
  const key = randomBytes(32);
  return {
    name: 'PostgreSQL',
    separateProcesses: true,
    async open() {
      if (!url) {
        cluster = await runPostgres();
        url = await cluster.createDatabase('contract');
      }
      return storeOver(await openPostgres(url), createRecordKeys(key));
    },
    cleanUp: async () => cluster?.stop(),
  };
}

const at = (iso: string): Date => new Date(iso);

function draft(authorId: string, version = 1, id: string = randomUUID()): Note {
  return {
    id,
    version,
    template: 'dap',
    authorId,
    sessionId: null,
    serviceDate: '2026-12-01',
    status: 'draft',
    body: { title: 'Session note', clientRefs: ['IOP-1'], sections: { data: `v${version}` }, clients: [] },
    signature: null,
    cosignature: null,
    returnComment: null,
    addenda: [],
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
  };
}

describe.each([sqliteKind(), postgresKind()])('the repositories over $name', (kind) => {
  let store: Store;
  let other: Store;
  const opened: Store[] = [];

  beforeAll(async () => {
    setLogLevel('warn');
    store = await kind.open();
    other = kind.separateProcesses ? await kind.open() : store;
    opened.push(...new Set([store, other]));
  }, 60_000);
  afterAll(async () => {
    for (const s of opened) await s.close();
    await kind.cleanUp();
  });

  const clinician = (name: string, roles: ('facilitator' | 'supervisor' | 'admin')[] = ['facilitator']) =>
    store.clinicians.create({ username: `${name}-${randomUUID().slice(0, 8)}`, displayName: name, roles, passwordHash: 'hash' });

  it('keeps clinicians: usernames matched without regard to case and unique that way, roles, supervision', async () => {
    const ana = await clinician('Ana', ['facilitator', 'supervisor']);
    expect(ana.roles).toEqual(['facilitator', 'supervisor']);
    expect((await store.clinicians.byUsername(ana.username.toUpperCase()))?.id).toBe(ana.id);
    await expect(store.clinicians.create({ username: ana.username.toUpperCase(), displayName: 'x', roles: ['admin'], passwordHash: 'h' })).rejects.toThrow();
    const ben = await clinician('Ben');
    await store.clinicians.setSupervisees(ana.id, [ben.id, ben.id]);
    expect(await store.clinicians.supervisees(ana.id)).toEqual([ben.id]);
    expect(await store.clinicians.supervises(ana.id, ben.id)).toBe(true);
    await store.clinicians.removeSupervision(ana.id, ben.id);
    expect(await store.clinicians.supervises(ana.id, ben.id)).toBe(false);
    await store.clinicians.setRoles(ben.id, ['admin', 'facilitator']);
    expect((await other.clinicians.byId(ben.id))?.roles).toEqual(['admin', 'facilitator']);
    expect(await store.clinicians.replacePasswordHash(ben.id, 'not-it', 'new')).toBe(false);
    expect(await store.clinicians.replacePasswordHash(ben.id, 'hash', 'new')).toBe(true);
  });

  it('keeps a TOTP secret sealed and lets one code step be claimed once, even from two processes at once', async () => {
    const ana = await clinician('Ana');
    const secret = randomBytes(20);
    await store.clinicians.setTotpSecret(ana.id, secret);
    expect(await other.clinicians.totpSecret(ana.id)).toEqual(secret);
    const claims = await Promise.all([store, other, store, other].map((s) => s.clinicians.claimTotpStep(ana.id, 1000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.clinicians.claimTotpStep(ana.id, 999)).toBe(false);
    expect(await store.clinicians.claimTotpStep(ana.id, 1001)).toBe(true);
  });

  it('keeps bearer tokens: touch, revoke once, revoke all', async () => {
    const ana = await clinician('Ana');
    const [t1, t2] = [randomUUID(), randomUUID()];
    await store.tokens.insert(t1, ana.id, at('2026-12-01T10:00:00Z'), at('2026-12-01T22:00:00Z'));
    await store.tokens.insert(t2, ana.id, at('2026-12-01T10:00:00Z'), at('2026-12-01T22:00:00Z'));
    await store.tokens.touch(t1, at('2026-12-01T10:05:00Z'));
    expect(await other.tokens.byHash(t1)).toMatchObject({ clinicianId: ana.id, lastUsedAt: '2026-12-01T10:05:00.000Z', revoked: false });
    expect(await store.tokens.revoke(t1)).toBe(true);
    expect(await store.tokens.revoke(t1)).toBe(false);
    expect(await store.tokens.revokeAllFor(ana.id)).toBe(1);
  });

  it('keeps sessions and their co-facilitators; ending one expires its invitations in the same unit of work', async () => {
    const lead = await clinician('Lead');
    const co = await clinician('Co');
    const sup = await clinician('Sup', ['supervisor']);
    await store.clinicians.addSupervision(sup.id, co.id);
    const s = await store.sessions.create({
      title: 'Tuesday group',
      startsAt: at('2026-12-01T17:00:00Z'),
      endsAt: at('2026-12-01T18:30:00Z'),
      facilitatorId: lead.id,
      coFacilitatorIds: [co.id],
    });
    expect(s).toMatchObject({ title: 'Tuesday group', state: 'scheduled', coFacilitatorIds: [co.id], rejoinPolicy: 'readmit' });
    expect((await store.sessions.facilitatedBy(co.id)).map((x) => x.id)).toContain(s.id);
    expect((await store.sessions.supervisedBy(sup.id)).map((x) => x.id)).toEqual([s.id]);
    // Several co-facilitators, read with the session in one row: every one, in one order on both databases.
    const co2 = await clinician('Co2');
    const pair = await store.sessions.create({ title: 'pair', startsAt: at('2026-12-01T19:00:00Z'), endsAt: at('2026-12-01T20:00:00Z'), facilitatorId: lead.id, coFacilitatorIds: [co2.id, co.id] });
    const both = [co.id, co2.id].sort();
    expect(pair.coFacilitatorIds).toEqual(both);
    expect((await other.sessions.facilitatedBy(co2.id)).find((x) => x.id === pair.id)?.coFacilitatorIds).toEqual(both);
    expect((await other.sessions.all()).find((x) => x.id === s.id)?.coFacilitatorIds).toEqual([co.id]);
    // Read (and its title kept opened) by the other process first: the rename still shows there.
    expect(await other.sessions.byId(s.id)).toMatchObject({ title: 'Tuesday group' });
    await store.sessions.update(s.id, { title: 'Renamed', coFacilitatorIds: [] });
    expect(await other.sessions.byId(s.id)).toMatchObject({ title: 'Renamed', coFacilitatorIds: [] });
    expect(await store.sessions.byId(s.id)).toMatchObject({ title: 'Renamed' });
    await store.sessions.markLive(s.id);
    const invitation = await store.invitations.create({ sessionId: s.id, participantRef: 'IOP-9', tokenHash: randomUUID(), passcodeHash: 'p' });
    expect((await store.sessions.endedBefore(at('2026-12-01T18:30:00Z'))).map((x) => x.id)).toContain(s.id);
    await store.sessions.end(s.id, at('2026-12-01T18:31:00Z'));
    expect(await store.sessions.endedAt(s.id)).toBe('2026-12-01T18:31:00.000Z');
    expect((await store.invitations.byId(invitation.id))?.expiredAt).toBe('2026-12-01T18:31:00.000Z');
    // An ended session never changes.
    await store.sessions.update(s.id, { title: 'Too late' });
    expect((await store.sessions.byId(s.id))?.title).toBe('Renamed');
  });

  it('keeps invitations: one per client reference per session, re-issue and revoke as compare-and-set', async () => {
    const lead = await clinician('Lead');
    const s = await store.sessions.create({ title: 'g', startsAt: at('2026-12-02T17:00:00Z'), endsAt: at('2026-12-02T18:00:00Z'), facilitatorId: lead.id });
    const token = randomUUID();
    const i = await store.invitations.create({ sessionId: s.id, participantRef: 'IOP-1', tokenHash: token, passcodeHash: 'p1', verificationHint: 'blue scarf' });
    await store.invitations.create({ sessionId: s.id, participantRef: 'IOP-0', tokenHash: randomUUID(), passcodeHash: 'p' });
    await expect(store.invitations.create({ sessionId: s.id, participantRef: 'IOP-1', tokenHash: randomUUID(), passcodeHash: 'p' })).rejects.toThrow();
    expect(await other.invitations.byTokenHash(token)).toMatchObject({ id: i.id, participantRef: 'IOP-1', verificationHint: 'blue scarf' });
    expect((await store.invitations.bySession(s.id)).map((x) => x.participantRef)).toEqual(['IOP-0', 'IOP-1']);
    expect((await store.invitations.byParticipantRef('IOP-1')).map((x) => x.id)).toContain(i.id);
    expect(await store.invitations.rehashPasscode(i.id, 'not-it', 'p2')).toBe(false);
    expect(await store.invitations.rehashPasscode(i.id, 'p1', 'p2')).toBe(true);
    expect(await store.invitations.reissue(i.id, randomUUID(), 'p3', at('2026-12-01T12:00:00Z'))).toBe(true);
    expect(await store.invitations.byTokenHash(token)).toBeUndefined();
    const revokes = await Promise.all([store, other].map((x) => x.invitations.revoke(i.id, at('2026-12-01T12:01:00Z'))));
    expect(revokes.filter(Boolean)).toHaveLength(1);
    expect(await store.invitations.reissue(i.id, randomUUID(), 'p4', at('2026-12-01T12:02:00Z'))).toBe(false);
  });

  it('records a removal with the revoked invitation once, verifications, crisis views and the room lock', async () => {
    const lead = await clinician('Lead');
    const s = await store.sessions.create({ title: 'g', startsAt: at('2026-12-02T17:00:00Z'), endsAt: at('2026-12-02T18:00:00Z'), facilitatorId: lead.id });
    const i = await store.invitations.create({ sessionId: s.id, participantRef: 'IOP-2', tokenHash: randomUUID(), passcodeHash: 'p' });
    const removal = { sessionId: s.id, participantId: i.participantId, removedBy: lead.id, reason: 'safety', removedAt: '2026-12-02T17:10:00.000Z' };
    const removed = await Promise.all([store.moderation.recordRemoval(removal), other.moderation.recordRemoval(removal)]);
    expect(removed.filter(Boolean)).toHaveLength(1);
    expect(await store.moderation.removals(s.id)).toEqual([removal]);
    await store.moderation.recordVerification({ sessionId: s.id, participantId: i.participantId, method: 'verbal-code', verifiedBy: lead.id, verifiedAt: '2026-12-02T17:05:00.000Z' });
    expect(await other.moderation.verifications(s.id)).toHaveLength(1);
    await store.moderation.recordCrisisInfoView({ sessionId: s.id, participantId: i.participantId, viewedBy: lead.id, viewedAt: '2026-12-02T17:06:00.000Z' });
    expect(await store.moderation.crisisInfoViews(s.id)).toHaveLength(1);
    await store.moderation.setRoomLock(s.id, { by: lead.id, at: at('2026-12-02T17:07:00Z') });
    await store.moderation.setRoomLock(s.id, { by: lead.id, at: at('2026-12-02T17:08:00Z') });
    expect(await other.moderation.roomOnRecord(s.id)).toEqual({ locked: true, groupChatOff: false });
    await store.moderation.setRoomLock(s.id, null);
    expect(await other.moderation.roomOnRecord(s.id)).toEqual({ locked: false, groupChatOff: false });
    await store.moderation.setGroupChatOff(s.id, { by: lead.id, at: at('2026-12-02T17:09:00Z') });
    await store.moderation.setGroupChatOff(s.id, { by: lead.id, at: at('2026-12-02T17:10:00Z') });
    expect(await other.moderation.roomOnRecord(s.id)).toEqual({ locked: false, groupChatOff: true });
    await store.moderation.setGroupChatOff(s.id, null);
    expect(await other.moderation.roomOnRecord(s.id)).toEqual({ locked: false, groupChatOff: false });
  });

  it('keeps one audit chain when two processes append at once, and reads it by scope', async () => {
    const lead = await clinician('Lead');
    const appends = Array.from({ length: 40 }, (_, n) =>
      (n % 2 === 0 ? store : other).audit.record({ at: new Date(), event: 'test.appended', actorId: lead.id, subjectId: `subject-${n}`, sessionId: null }),
    );
    const entries = await Promise.all(appends);
    const seqs = entries.map((e) => e.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(40);
    expect(seqs[39]! - seqs[0]!).toBe(39);
    expect(await other.audit.verify()).toEqual({ ok: true, entries: (await store.audit.head()).seq });
    const mine = await store.audit.list({ scope: { sessionIds: [], clinicianIds: [lead.id] } });
    expect(mine).toHaveLength(40);
    expect(await store.audit.count()).toBeGreaterThanOrEqual(40);
    expect(await store.audit.count({ sessionIds: [], clinicianIds: [lead.id] })).toBe(40);
    expect(await store.audit.list({ scope: { sessionIds: [], clinicianIds: [randomUUID()] } })).toEqual([]);
    const page = await store.audit.list({ scope: { sessionIds: [], clinicianIds: [lead.id] }, afterSeq: mine[9]!.seq, limit: 5 });
    expect(page.map((e) => e.seq)).toEqual(mine.slice(10, 15).map((e) => e.seq));
    expect((await store.audit.list('subject-3')).map((e) => e.subjectId)).toEqual(['subject-3']);
  });

  const aSession = async (): Promise<string> => {
    const lead = await clinician('Lead');
    return (await store.sessions.create({ title: 'g', startsAt: at('2026-12-02T17:00:00Z'), endsAt: at('2026-12-02T18:00:00Z'), facilitatorId: lead.id })).id;
  };

  it('appends many entries at once in order, beside single appends from another process, and the chain holds', async () => {
    const lead = await clinician('Lead');
    const batch = Array.from({ length: 150 }, (_, n) => ({ at: new Date(), event: 'client.admitted', actorId: lead.id, subjectId: `p-${n}`, detail: 'admit-all' }));
    const [many] = await Promise.all([
      store.audit.recordAll(batch),
      ...Array.from({ length: 10 }, () => other.audit.record({ at: new Date(), event: 'test.single', actorId: lead.id })),
    ]);
    expect(many.map((e) => e.subjectId)).toEqual(batch.map((e) => e.subjectId));
    expect(many.every((e, i) => i === 0 || e.seq === many[i - 1]!.seq + 1)).toBe(true);
    expect(await store.audit.recordAll([])).toEqual([]);
    expect(await other.audit.verify()).toMatchObject({ ok: true });
  });

  it('lets one server at a time host a session: a lease taken, renewed, refused to another until it ends, released', async () => {
    const s = await aSession();
    const now = 1_000_000;
    const claims = await Promise.all([
      store.hosts.claim(s, 'server-a', 'https://a.example', now + 10_000, now),
      other.hosts.claim(s, 'server-b', 'https://b.example', now + 10_000, now),
    ]);
    expect(claims.filter((c) => c.held)).toHaveLength(1);
    const winner = claims[0]!.held ? 'server-a' : 'server-b';
    const loser = winner === 'server-a' ? 'server-b' : 'server-a';
    expect(claims.find((c) => !c.held)).toMatchObject({ held: false, holder: { serverId: winner, leaseUntilMs: now + 10_000 } });
    // Renewed by its holder; still refused to the other while it runs.
    expect(await store.hosts.claim(s, winner, `https://${winner}`, now + 20_000, now + 5_000)).toEqual({ held: true });
    expect(await other.hosts.claim(s, loser, `https://${loser}`, now + 30_000, now + 15_000)).toMatchObject({ held: false, holder: { serverId: winner } });
    // Not renewed: it ends, and the other server takes the session over.
    expect(await other.hosts.claim(s, loser, `https://${loser}`, now + 40_000, now + 20_000)).toEqual({ held: true });
    expect(await store.hosts.holder(s, now + 20_001)).toMatchObject({ serverId: loser, url: `https://${loser}` });
    // Only its holder gives it up.
    await store.hosts.release(s, winner);
    expect(await store.hosts.holder(s, now + 20_001)).toMatchObject({ serverId: loser });
    await store.hosts.release(s, loser);
    expect(await store.hosts.holder(s, now + 20_001)).toBeUndefined();
  });

  it('knows the fleet: servers seen lately with their address, and the mode an operator set, kept across heartbeats', async () => {
    const now = 2_000_000;
    const [ida, idb] = [`fleet-a-${now}-${Math.random()}`, `fleet-b-${now}-${Math.random()}`];
    expect(await store.hosts.setMode(ida, 'draining')).toBe(false);
    expect(await store.hosts.heartbeat(ida, 'https://a.example', now)).toBe('serving');
    expect(await other.hosts.heartbeat(idb, 'https://b.example', now + 1_000)).toBe('serving');
    const mine = (list: { serverId: string }[]) => list.filter((f) => f.serverId === ida || f.serverId === idb);
    expect(mine(await other.hosts.fleet(now))).toEqual([
      { serverId: ida, url: 'https://a.example', mode: 'serving', seenAtMs: now },
      { serverId: idb, url: 'https://b.example', mode: 'serving', seenAtMs: now + 1_000 },
    ]);
    // Only those seen since the cutoff.
    expect(mine(await store.hosts.fleet(now + 1))).toEqual([expect.objectContaining({ serverId: idb })]);
    // An operator drains a server from anywhere; its next heartbeat reads it, and keeps it.
    expect(await other.hosts.setMode(ida, 'handover')).toBe(true);
    expect(await store.hosts.heartbeat(ida, 'https://a2.example', now + 2_000)).toBe('handover');
    expect(await store.hosts.heartbeat(ida, 'https://a2.example', now + 3_000)).toBe('handover');
    expect(mine(await store.hosts.fleet(now + 2_000))).toEqual([
      { serverId: ida, url: 'https://a2.example', mode: 'handover', seenAtMs: now + 3_000 },
    ]);
    await expect(store.hosts.setMode(ida, 'nonsense' as 'serving')).rejects.toThrow();
    await store.hosts.leave(ida);
    expect(mine(await other.hosts.fleet(0))).toEqual([expect.objectContaining({ serverId: idb })]);
  });

  it('keeps attendance in order and weekly targets by the keyed hash of the reference', async () => {
    const s = await aSession();
    for (const [n, kind] of (['knock', 'admit', 'leave'] as const).entries()) {
      // The knock carries the agreement accepted: its version and its language (issue 23).
      const accepted = n === 0 ? { agreementVersion: '2026-12', agreementLanguage: 'es' as const } : {};
      await store.attendance.record({ sessionId: s, participantId: 'p-1', kind, at: `2026-12-02T17:0${n}:00.000Z`, byId: null, displayName: n === 0 ? 'Sam' : null, ...accepted });
    }
    // An English acceptance from an older server said no language.
    await store.attendance.record({ sessionId: s, participantId: 'p-2', kind: 'knock', at: '2026-12-02T17:05:00.000Z', byId: null, displayName: 'Lee', agreementVersion: '2026-11' });
    expect((await other.attendance.forSession(s)).map((e) => [e.kind, e.displayName, e.agreementVersion, e.agreementLanguage])).toEqual([
      ['knock', 'Sam', '2026-12', 'es'],
      ['admit', null, null, null],
      ['leave', null, null, null],
      ['knock', 'Lee', '2026-11', null],
    ]);
    await store.attendance.setTarget({ participantRef: 'IOP-7', hoursPerWeek: 9.5, setBy: 'c', setAt: '2026-12-01T00:00:00.000Z' });
    await store.attendance.setTarget({ participantRef: 'IOP-7', hoursPerWeek: 6, setBy: 'c', setAt: '2026-12-02T00:00:00.000Z' });
    expect(await other.attendance.target('IOP-7')).toMatchObject({ hoursPerWeek: 6 });
    await store.attendance.clearTarget('IOP-7');
    expect(await store.attendance.target('IOP-7')).toBeUndefined();
  });

  it('keeps resumptions: a resume token is spent once, even by two processes at once; drops expire', async () => {
    const snapshot = { state: 'waiting' as const, displayName: 'Sam', knockedAt: null, media: { audio: true, video: false }, mutedByFacilitator: { audio: false, video: false }, admittedBefore: false };
    const [pid, session, token] = [`p-${randomUUID()}`, await aSession(), randomUUID()];
    await store.resumptions.connect(pid, session, token, snapshot, at('2026-12-02T17:00:00Z'));
    expect(await other.resumptions.byTokenHash(token)).toMatchObject({ participantId: pid, displayName: 'Sam', connected: true });
    const claims = await Promise.all([store.resumptions.claim(token, randomUUID()), other.resumptions.claim(token, randomUUID())]);
    expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
    expect(await store.resumptions.byTokenHash(token)).toBeUndefined();
    await store.resumptions.update(pid, { ...snapshot, state: 'admitted', admittedBefore: true });
    await store.resumptions.dropped(pid, at('2026-12-02T17:10:00Z'), at('2026-12-02T17:11:00Z'));
    expect(await store.resumptions.expire(at('2026-12-02T17:10:30Z'))).toEqual([]);
    const expired = await Promise.all([store.resumptions.expire(at('2026-12-02T17:12:00Z')), other.resumptions.expire(at('2026-12-02T17:12:00Z'))]);
    expect(expired.flat().filter((r) => r.participantId === pid)).toHaveLength(1);
    expect(expired.flat().find((r) => r.participantId === pid)).toMatchObject({ state: 'admitted', admittedBefore: true });
    // After a restart, connected rows become drops, except in sessions another live server hosts.
    const [here, there] = [await aSession(), await aSession()];
    const restartAt = new Date();
    await store.hosts.claim(there, 'server-other', 'https://other', restartAt.getTime() + 60_000, restartAt.getTime());
    await store.resumptions.connect(`p-${randomUUID()}`, here, randomUUID(), snapshot, restartAt);
    await store.resumptions.connect(`p-${randomUUID()}`, there, randomUUID(), snapshot, restartAt);
    const recovered = await store.resumptions.recoverAfterRestart(restartAt, 60_000, 'server-me');
    expect(recovered.map((r) => r.sessionId)).toContain(here);
    expect(recovered.map((r) => r.sessionId)).not.toContain(there);
  });

  it('stores notes by compare-and-set on the version: of two writers of one version, one wins', async () => {
    const author = (await clinician('Author')).id;
    const v1 = draft(author);
    const first = await Promise.all([store.notes.put(v1, 0, at('2026-12-01T10:00:00Z')), other.notes.put(v1, 0, at('2026-12-01T10:00:00Z'))]);
    expect(first.filter(Boolean)).toHaveLength(1);
    const v2: Note = { ...draft(author, 2, v1.id), status: 'signed', signature: { by: author, byName: 'Ana', at: '2026-12-01T10:05:00.000Z', contentHash: 'a'.repeat(64) } };
    expect(await store.notes.put(v2, 1, at('2026-12-01T10:05:00Z'))).toBe(true);
    expect(await other.notes.byId(v1.id)).toEqual(v2);
    expect(await store.notes.history(v1.id)).toEqual([v2]);
    expect((await store.notes.awaitingCosign([author])).length).toBe(0);
    expect((await store.notes.byAuthor(author)).map((n) => n.version)).toEqual([2]);
  });

  it('keeps a unit of work whole: a refusal halfway leaves nothing of it', async () => {
    const lead = await clinician('Lead');
    let sessionId = '';
    await expect(
      store.atomically(async (tx) => {
        const s = await tx.sessions.create({ title: 'never', startsAt: at('2026-12-03T17:00:00Z'), endsAt: at('2026-12-03T18:00:00Z'), facilitatorId: lead.id });
        sessionId = s.id;
        await tx.audit.record({ at: new Date(), event: 'session.created', actorId: lead.id, subjectId: s.id });
        throw new Error('refused halfway');
      }),
    ).rejects.toThrow('refused halfway');
    expect(await store.sessions.byId(sessionId)).toBeUndefined();
    expect(await store.audit.list(sessionId)).toEqual([]);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  // A SQLite store has no attempt repository: its one server counts attempts in memory.
  it.skipIf(!kind.separateProcesses)('counts attempts against one key from two processes at once and lets exactly the limit through', async () => {
    const [mine, theirs] = [store.attempts!, other.attempts!];
    const key = store.lookup.attemptKey('sign-in username', `ana-${randomUUID()}`);
    const now = Date.now();
    const tries = await Promise.all(
      Array.from({ length: 16 }, (_, n) => (n % 2 === 0 ? mine : theirs).reserve('sign-in username', key, 5, now - 60_000, now)),
    );
    expect(tries.filter((t) => t !== undefined)).toHaveLength(5);
    await mine.lock('sign-in username', key, now + 1000);
    expect(await theirs.lockedUntil('sign-in username', key, now)).toBe(now + 1000);
  });
});
