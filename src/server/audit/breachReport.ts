/**
 * The breach report (issue 20): when an account or a console workstation is compromised, the
 * program must know at once whom it exposed. From the audit log, everything that account or
 * workstation touched in a time range: the sessions, the clients (by reference, where the
 * record resolves it), the rosters and attendance histories read or exported, the notes
 * synced, signed or returned, and the rest (sign-ins, account changes) by time. Built from the
 * log alone plus the records the log's ids point at; nothing here writes.
 */
import type { BreachReport } from '../../shared/protocol.js';
import type { AuditRecord, ActsOf } from '../store/audit.js';
import type { Repositories } from '../store/store.js';
import type { Invitation } from '../store/invitations.js';
import type { LookupHasher } from '../store/recordKeys.js';

/** Events that read or exported a roster or a client's attendance. */
const ROSTER_EVENTS = new Set(['roster.viewed', 'roster.exported', 'attendance.viewed', 'attendance.target_set']);

interface Thing {
  firstAt: string;
  lastAt: string;
  acts: string[];
}

function touch<T extends Thing>(map: Map<string, T>, key: string, at: string, act: string, make: () => Omit<T, keyof Thing>): void {
  const found = map.get(key);
  if (found) {
    found.lastAt = at;
    if (!found.acts.includes(act)) found.acts.push(act);
    return;
  }
  map.set(key, { ...make(), firstAt: at, lastAt: at, acts: [act] } as T);
}

export async function breachReport(
  store: Pick<Repositories, 'audit' | 'sessions' | 'invitations' | 'clinicians'> & { lookup: LookupHasher },
  who: ActsOf,
  now: Date,
): Promise<BreachReport> {
  const entries: AuditRecord[] = [];
  for (let after = 0; ; ) {
    const page = await store.audit.actsOf(who, after);
    entries.push(...page);
    if (page.length === 0) break;
    after = page[page.length - 1]!.seq;
  }

  const sessions = new Map<string, BreachReport['sessions'][number]>();
  const clients = new Map<string, BreachReport['clients'][number]>();
  const rosters = new Map<string, BreachReport['rosters'][number]>();
  const notes = new Map<string, BreachReport['notes'][number]>();
  const other: BreachReport['other'] = [];
  const devices = new Set<string>();
  const accounts = new Set<string>();
  const titles = new Map<string, string | null>();
  const titleOf = async (sessionId: string): Promise<string | null> => {
    if (!titles.has(sessionId)) titles.set(sessionId, (await store.sessions.byId(sessionId))?.title ?? null);
    return titles.get(sessionId)!;
  };
  // One lookup per invitation and per client, however many entries name them.
  const invitationsById = new Map<string, Promise<Invitation | undefined>>();
  const invitationById = (id: string): Promise<Invitation | undefined> => {
    if (!invitationsById.has(id)) invitationsById.set(id, store.invitations.byId(id));
    return invitationsById.get(id)!;
  };
  const invitationsOfClients = new Map<string, Promise<Invitation | undefined>>();
  const invitationOf = (sessionId: string, participantId: string): Promise<Invitation | undefined> => {
    const key = `${sessionId}|${participantId}`;
    if (!invitationsOfClients.has(key)) invitationsOfClients.set(key, store.invitations.byParticipantId(sessionId, participantId));
    return invitationsOfClients.get(key)!;
  };
  const sessionTouched = async (sessionId: string, at: string, act: string): Promise<void> => {
    const title = await titleOf(sessionId);
    touch(sessions, sessionId, at, act, () => ({ sessionId, title }));
  };
  // A client named by the keyed hash of their reference: resolved against the invitations of
  // the sessions in the report, where one matches.
  const refsByHash = new Map<string, string>();
  const unresolved: { hash: string; at: string; act: string }[] = [];

  for (const e of entries) {
    if (e.deviceId) devices.add(e.deviceId);
    const actor = e.actorId ?? (e.event.startsWith('login.') ? e.subjectId : null);
    if (actor) accounts.add(actor);
    const subject = e.subjectId;
    if (e.sessionId) await sessionTouched(e.sessionId, e.at, e.event);

    if (ROSTER_EVENTS.has(e.event)) {
      const key = `${e.event.split('.')[0]}:${subject ?? ''}`;
      touch(rosters, key, e.at, e.event, () => ({ sessionId: e.sessionId, subject: subject ?? '' }));
      if (subject?.startsWith('ref:')) unresolved.push({ hash: subject.slice(4), at: e.at, act: e.event });
      continue;
    }
    if (e.event.startsWith('note.') && subject) {
      touch(notes, subject, e.at, e.event, () => ({ noteId: subject }));
      continue;
    }
    if (e.event.startsWith('invitation.') && subject) {
      const invitation = await invitationById(subject);
      if (invitation) {
        await sessionTouched(invitation.sessionId, e.at, e.event);
        touch(clients, `${invitation.sessionId}|${invitation.participantId}`, e.at, e.event, () => ({
          participantRef: invitation.participantRef,
          refHash: null,
          sessionId: invitation.sessionId,
        }));
        continue;
      }
    }
    if (subject && e.sessionId && subject !== e.sessionId) {
      const invitation = await invitationOf(e.sessionId, subject);
      if (invitation) {
        touch(clients, `${e.sessionId}|${subject}`, e.at, e.event, () => ({
          participantRef: invitation.participantRef,
          refHash: null,
          sessionId: e.sessionId,
        }));
        continue;
      }
    }
    if (!e.sessionId) other.push({ at: e.at, event: e.event, subjectId: subject });
  }

  // Attendance histories read: the client, where a session in the report invited them.
  for (const sessionId of sessions.keys()) {
    for (const invitation of await store.invitations.bySession(sessionId)) {
      refsByHash.set(store.lookup.participantRef(invitation.participantRef), invitation.participantRef);
    }
  }
  for (const u of unresolved) {
    const ref = refsByHash.get(u.hash) ?? null;
    touch(clients, `ref:${u.hash}`, u.at, u.act, () => ({ participantRef: ref, refHash: ref ? null : u.hash, sessionId: null }));
  }

  const names = new Map((await store.clinicians.all()).map((c) => [c.id, c.displayName]));
  return {
    clinicianId: who.clinicianId ?? null,
    deviceId: who.deviceId ?? null,
    from: who.from,
    to: who.to,
    generatedAt: now.toISOString(),
    entries: entries.length,
    devices: [...devices].sort(),
    accounts: [...accounts].sort().map((id) => ({ clinicianId: id, displayName: names.get(id) ?? id })),
    sessions: [...sessions.values()],
    clients: [...clients.values()],
    rosters: [...rosters.values()],
    notes: [...notes.values()],
    other,
  };
}

/** One CSV row per thing touched (BREACH_REPORT_CSV_COLUMNS). */
export function breachReportRows(report: BreachReport): string[][] {
  const acts = (t: Thing): string => t.acts.join(' ');
  return [
    ...report.sessions.map((s) => ['session', s.sessionId, '', s.sessionId, s.title ?? '', s.firstAt, s.lastAt, acts(s)]),
    ...report.clients.map((c) => ['client', c.refHash ? `ref:${c.refHash}` : '', c.participantRef ?? '', c.sessionId ?? '', '', c.firstAt, c.lastAt, acts(c)]),
    ...report.rosters.map((r) => ['roster', r.subject, '', r.sessionId ?? '', '', r.firstAt, r.lastAt, acts(r)]),
    ...report.notes.map((n) => ['note', n.noteId, '', '', '', n.firstAt, n.lastAt, acts(n)]),
    ...report.other.map((o) => ['other', o.subjectId ?? '', '', '', '', o.at, o.at, o.event]),
  ];
}
