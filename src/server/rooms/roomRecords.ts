/**
 * What a room puts on record as it goes: each client's steps on the attendance record, where
 * each client stands (the resumptions rows, for coming back after a drop or a restart), and the
 * presence heartbeat. Apart from a client's first row, which its resume token depends on, a
 * failed write is logged, never thrown: the group in front of the facilitator matters more
 * than the record's line about it, and the room's live state must not end up half-changed by
 * a disk error.
 */
import { createLogger } from '../../common/logger.js';
import type { AttendanceEvent, AttendanceKind } from '../store/attendance.js';
import type { StandingSnapshot } from '../store/resumptions.js';
import type { Peer } from './peer.js';

const log = createLogger('rooms');

/** How often a live room tells the store its clients are still there (bounds what a crash can lose). */
export const PRESENCE_HEARTBEAT_MS = 30_000;

/**
 * Where each client stands, on record, for resuming after a drop or a restart. The room
 * changes these as it goes and never waits for them: the server queues them (WriteBatcher),
 * and whoever reads them waits for the queue first.
 */
export interface ResumptionWrites {
  connect(participantId: string, sessionId: string, tokenHash: string, snapshot: StandingSnapshot, at: Date): void;
  update(participantId: string, snapshot: StandingSnapshot): void;
  dropped(participantId: string, at: Date, expiresAt: Date): void;
  remove(participantId: string): void;
  removeSession(sessionId: string): void;
  /** The room is live and its connected clients are still there. */
  touch(sessionId: string, at: Date): void;
}

export interface RecordDeps {
  /** Appends to the session's attendance record (queued, as `resumptions`). */
  recordAttendance(event: AttendanceEvent): void;
  resumptions: ResumptionWrites;
  /** How long a dropped client may come back to its place. */
  graceMs: number;
}

function snapshotOf(peer: Peer): StandingSnapshot {
  return {
    state: peer.state,
    displayName: peer.displayName === '' ? null : peer.displayName,
    knockedAt: peer.knockedAt,
    media: { ...peer.mediaIntent },
    mutedByFacilitator: { ...peer.mutedByFacilitator },
    admittedBefore: peer.standing.admittedBefore,
  };
}

export class RoomRecords {
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly deps: RecordDeps,
  ) {}

  get graceMs(): number {
    return this.deps.graceMs;
  }

  /** A client's step on the attendance record; clinicians' steps are not recorded. */
  /** `checkIn`: on a check-in's knock, the agreement version (and its language) accepted and the rating given. */
  attendance(
    peer: Peer,
    kind: AttendanceKind,
    byId: string | null = null,
    displayName: string | null = null,
    checkIn: Pick<AttendanceEvent, 'agreementVersion' | 'agreementLanguage' | 'rating'> = {},
  ): void {
    if (peer.role !== 'client') return;
    try {
      this.deps.recordAttendance({
        sessionId: this.sessionId,
        participantId: peer.participantId,
        kind,
        at: new Date().toISOString(),
        byId,
        displayName,
        ...checkIn,
      });
    } catch (err) {
      log.error('attendance.write_failed', { sessionId: this.sessionId, participantId: peer.participantId, kind, error: String(err) });
    }
  }

  /**
   * A client's connection on record under its resume token, with the heartbeat running. Thrown
   * when it fails: a hello must not answer with a resume token that leads nowhere.
   */
  connected(peer: Peer, resumeTokenHash: string): void {
    this.startHeartbeat();
    this.deps.resumptions.connect(peer.participantId, this.sessionId, resumeTokenHash, snapshotOf(peer), new Date());
  }

  /** Writes a connected client's standing for resumption. */
  persist(peer: Peer): void {
    if (peer.role !== 'client' || !peer.connected) return;
    this.quietly(() => this.deps.resumptions.update(peer.participantId, snapshotOf(peer)));
  }

  /** The client dropped at `now` (epoch ms) and may come back until the grace period ends. */
  dropped(participantId: string, now: number): void {
    this.quietly(() => this.deps.resumptions.dropped(participantId, new Date(now), new Date(now + this.deps.graceMs)));
  }

  /** The client's stored place is gone: its resume token no longer works. */
  forget(participantId: string): void {
    this.quietly(() => this.deps.resumptions.remove(participantId));
  }

  /** Nobody comes back to an ended session. */
  forgetSession(): void {
    this.quietly(() => this.deps.resumptions.removeSession(this.sessionId));
  }

  /** Runs a write whose failure is logged, never thrown. */
  quietly(write: () => void | Promise<unknown>): void {
    const failed = (err: unknown): void => log.error('resumption.write_failed', { sessionId: this.sessionId, error: String(err) });
    try {
      const pending = write();
      if (pending) pending.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      this.quietly(() => this.deps.resumptions.touch(this.sessionId, new Date()));
    }, PRESENCE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }
}
