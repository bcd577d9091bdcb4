/**
 * Past sessions of a group with their attendance, written through the server's own store the
 * way the live room records it (knock, admit by a clinician, leave), so rosters, the group's
 * history and a client's weeks have something to show beside the one session a test runs live.
 */
import { newInvitationSecrets } from '../../src/server/sessions/invitationService';
import type { Store } from '../../src/server/store/store';
import type { CheckInRating } from '../../src/shared/protocol';

export interface PastAttendance {
  participantRef: string;
  /** The name chosen at check-in; null with `minutes` null: invited but never came. */
  displayName: string | null;
  /** Minutes in the group (admitted at the start, left after this long); null: absent. */
  minutes: number | null;
  /** How they said they were at check-in, if they did. */
  rating?: CheckInRating;
}

/** One ended session `weeksAgo` weeks before `now`, with each client's attendance recorded. */
export async function seedPastSession(
  store: Store,
  options: { title: string; facilitatorId: string; admittedById: string; now: Date; weeksAgo: number; attendance: PastAttendance[] },
): Promise<string> {
  const startsAt = new Date(options.now.getTime() - options.weeksAgo * 7 * 86_400_000 - 3_600_000);
  const endsAt = new Date(startsAt.getTime() + 90 * 60_000);
  const session = await store.sessions.create({
    title: options.title,
    startsAt,
    endsAt,
    facilitatorId: options.facilitatorId,
    state: 'ended',
  });
  for (const a of options.attendance) {
    const { tokenHash, passcodeHash } = newInvitationSecrets(store.passcodes);
    const invitation = await store.invitations.create({ sessionId: session.id, participantRef: a.participantRef, tokenHash, passcodeHash });
    if (a.minutes === null) continue;
    const at = (minutesIn: number) => new Date(startsAt.getTime() + minutesIn * 60_000).toISOString();
    const base = { sessionId: session.id, participantId: invitation.participantId };
    await store.attendance.record({ ...base, kind: 'knock', at: at(-2), byId: null, displayName: a.displayName, ...(a.rating ? { rating: a.rating } : {}) });
    await store.attendance.record({ ...base, kind: 'admit', at: at(0), byId: options.admittedById, displayName: null });
    await store.attendance.record({ ...base, kind: 'leave', at: at(a.minutes), byId: null, displayName: null });
  }
  return session.id;
}
