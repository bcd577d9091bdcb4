/**
 * When a session is in which state. The store keeps `ended` (by `end`, or automatically
 * once it is long over) and `live` (a facilitator has joined); `scheduled` and `open` follow
 * from the clock, so nothing has to run on time for the waiting room to open.
 *
 * - scheduled → open: `waitingRoomOpensMinutes` before `startsAt`; clients may connect.
 * - open → live: when one of its facilitators joins. The start time passing alone changes
 *   nothing: clients wait in the waiting room until a facilitator is there.
 * - → ended: by `end`, or AUTO_END_AFTER_MINUTES after `endsAt`, but never while its live
 *   room still has people in it (a group that runs over is not cut off; it ends when the
 *   facilitator ends it or the room empties and the sweep comes by).
 * Clinicians may join from CLINICIAN_EARLY_MINUTES before the start (to prepare); a
 * facilitator joining early makes the session live, which opens the waiting room early too.
 */
import type { SessionState, SessionSummary } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import type { RoomRegistry } from '../rooms/roomRegistry.js';
import type { SessionRecord } from '../store/sessions.js';
import type { Store } from '../store/store.js';

const log = createLogger('sessions');

export const AUTO_END_AFTER_MINUTES = 60;
export const CLINICIAN_EARLY_MINUTES = 60;
/** How often overdue sessions are ended (and their invitations expired) in the store. */
export const AUTO_END_SWEEP_MS = 60_000;

export interface SessionLifecycle {
  stateOf(session: SessionRecord): SessionState;
  /** The session as the API shows it: its state as of now. */
  summary(session: SessionRecord): SessionSummary;
  waitingRoomOpensAt(session: SessionRecord): Date;
  cliniciansMayJoinFrom(session: SessionRecord): Date;
  /** Ends, in the store, every session past its automatic end with no one in its room. */
  endOverdue(): Promise<number>;
  now(): Date;
}

export interface LifecycleDeps {
  store: Store;
  /** Absent where no room can be live (the admin command). */
  rooms?: RoomRegistry;
  waitingRoomOpensMinutes: number;
  now?: () => Date;
}

const minutes = (n: number): number => n * 60_000;

export function createSessionLifecycle(deps: LifecycleDeps): SessionLifecycle {
  const now = deps.now ?? (() => new Date());
  const occupied = (id: string): boolean => (deps.rooms?.get(id)?.size ?? 0) > 0;

  const stateOf = (s: SessionRecord): SessionState => {
    if (s.state === 'ended') return 'ended';
    const t = now().getTime();
    if (t >= Date.parse(s.endsAt) + minutes(AUTO_END_AFTER_MINUTES) && !occupied(s.id)) return 'ended';
    if (s.state === 'live') return 'live';
    if (t >= Date.parse(s.startsAt) - minutes(deps.waitingRoomOpensMinutes)) return 'open';
    return 'scheduled';
  };

  return {
    stateOf,
    summary: (s) => ({ ...s, state: stateOf(s) }),
    waitingRoomOpensAt: (s) => new Date(Date.parse(s.startsAt) - minutes(deps.waitingRoomOpensMinutes)),
    cliniciansMayJoinFrom: (s) => new Date(Date.parse(s.startsAt) - minutes(CLINICIAN_EARLY_MINUTES)),
    async endOverdue() {
      const at = now();
      let ended = 0;
      for (const s of await deps.store.sessions.endedBefore(new Date(at.getTime() - minutes(AUTO_END_AFTER_MINUTES)))) {
        if (occupied(s.id)) continue;
        await deps.store.sessions.end(s.id, at);
        log.info('session.auto_ended', { sessionId: s.id });
        ended++;
      }
      return ended;
    },
    now,
  };
}
