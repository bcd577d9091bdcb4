/** The rooms of live sessions in this process, created on first join and dropped when empty. */
import { createHmac, randomBytes } from 'node:crypto';
import { createLogger } from '../../common/logger.js';
import type { WorkerPool } from '../media/workerPool.js';
import type { ModerationRepo, RoomOnRecord } from '../store/moderation.js';
import type { SessionRecord } from '../store/sessions.js';
import { Room, type RoomDeps } from './room.js';

const log = createLogger('rooms');

/** The leases of hosted sessions, as the server keeps them (server.ts). */
export interface Hosting {
  /** Takes or keeps the session's lease for this server; HOSTED_ELSEWHERE while another holds it. */
  claim(sessionId: string): Promise<void>;
  /** Gives it up (the room closed); a failure is logged, never thrown. */
  release(sessionId: string): void;
}

/** One server alone (a SQLite store's) needs no lease. */
export const LONE_SERVER: Hosting = { claim: async () => undefined, release: () => undefined };

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly pool: WorkerPool,
    /** What rooms record through: attendance, and where clients stand for resuming. */
    private readonly records: Pick<RoomDeps, 'recordAttendance' | 'resumptions' | 'graceMs' | 'roomLocks'> & { roomLocks: Pick<ModerationRepo, 'roomOnRecord'> },
    /** The leases of the sessions this server hosts (servers sharing a database host each session once). */
    private readonly hosting: Hosting = LONE_SERVER,
    /**
     * Keys clinicians' participantIds: the same on every server of one deployment (server.ts
     * derives it from the records key), never linkable across deployments.
     */
    private readonly idKey: Buffer = randomBytes(32),
  ) {}

  get(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  /**
   * Before a hello opens the session's room or passes its lock: this server takes (or keeps)
   * the session's lease, refusing with HOSTED_ELSEWHERE while another server hosts it, and
   * reads what of the room is on record (its lock, its group chat off), which it hands to both, so neither waits on
   * the database in between. A room open here is what is on record, and newer (it writes its
   * changes as it makes them): asked of it, a group joining at once makes no read each.
   */
  async onRecord(sessionId: string): Promise<RoomOnRecord> {
    await this.hosting.claim(sessionId);
    const live = this.rooms.get(sessionId);
    if (live && !live.isClosed) return { locked: live.locked, groupChatOff: !live.groupChat.enabled };
    return this.records.roomLocks.roomOnRecord(sessionId);
  }

  /** The sessions whose rooms are open here (their leases are renewed while they are). */
  sessionIds(): string[] {
    return [...this.rooms.values()].filter((r) => !r.isClosed).map((r) => r.id);
  }

  /** The session's room, created if needed (as `onRecord`, read just before, says). */
  open(session: SessionRecord, onRecord: RoomOnRecord): Room {
    let room = this.rooms.get(session.id);
    if (!room || room.isClosed) {
      room = new Room(
        session,
        {
          pool: this.pool,
          ...this.records,
          onEmpty: (r) => {
            if (this.rooms.get(r.id) !== r) return;
            this.rooms.delete(r.id);
            this.hosting.release(r.id);
          },
        },
        onRecord,
      );
      this.rooms.set(session.id, room);
      log.info('room.opened', { sessionId: session.id });
    }
    return room;
  }

  /**
   * May this client's hello pass the session's lock? The live room knows who it admitted;
   * without one (no room open since a restart), the lock on record keeps everyone out until
   * the room is open again and a facilitator decides.
   */
  admitsThroughLock(session: SessionRecord, participantId: string, onRecord: RoomOnRecord): boolean {
    const live = this.rooms.get(session.id);
    if (live && !live.isClosed) return live.admitsThroughLock(participantId);
    return !onRecord.locked;
  }

  /**
   * A clinician's participantId in a session: stable across reconnects (like a client's),
   * yet not their account id, so clients cannot link a clinician across sessions.
   */
  clinicianParticipantId(sessionId: string, clinicianId: string): string {
    const mac = createHmac('sha256', this.idKey).update(`${sessionId}\n${clinicianId}`).digest('base64url');
    return `c-${mac.slice(0, 22)}`;
  }

  get size(): number {
    return this.rooms.size;
  }

  closeAll(): void {
    for (const room of this.rooms.values()) {
      room.close();
      this.hosting.release(room.id);
    }
    this.rooms.clear();
  }

  /** Closes the room of a session this server no longer hosts (its lease was taken over). */
  closeLost(sessionId: string): void {
    const room = this.rooms.get(sessionId);
    if (!room) return;
    log.warn('room.lease_lost', { sessionId });
    this.rooms.delete(sessionId);
    room.close('moved');
  }
}
