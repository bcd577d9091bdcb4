/**
 * The session sockets clinicians hold open, by account and by token digest, so that losing
 * access takes effect at once: deactivating an account, resetting its password or signing
 * out closes the sockets it covered, wherever they are.
 *
 * `sweep` runs on every signaling heartbeat. For each socket it asks whether its token is
 * still good, which also counts as a use of the token: a clinician in a long group is never
 * signed out for idleness while the socket lives. A token that has died meanwhile (expired,
 * revoked, account deactivated by the admin command from another process) closes its
 * sockets within one heartbeat.
 *
 * A socket also holds a seat: the session and the role it joined with. When roles,
 * supervision or a session's co-facilitators change through this server, `reconsider`
 * closes at once every socket whose clinician no longer has that role there; the sweep
 * does the same for changes made elsewhere. (Each call on such a socket is refused anyway,
 * see SignalingConnection; closing it also stops what it would go on hearing.)
 */
import { CLOSE_POLICY_VIOLATION, CLOSE_SIGNED_OUT, ROLE_CHANGED } from '../../shared/protocol.js';
import type { AuthService } from '../auth/authService.js';
import { createLogger } from '../../common/logger.js';

const log = createLogger('live');

export interface ClosableChannel {
  close(code: number, reason: string): void;
}

/** The session a socket joined and the role it joined with. */
export interface Seat {
  sessionId: string;
  role: string;
}

/** The role the record gives a clinician in a session now (undefined: none). */
export type RoleNow = (clinicianId: string, sessionId: string) => Promise<string | undefined>;

/** Why a socket is closed when its clinician's role in the session changed (protocol.ts). */
export { ROLE_CHANGED };

interface Entry {
  clinicianId: string;
  tokenHash: string;
  channel: ClosableChannel;
  seat: Seat | undefined;
}

export class LiveClinicians {
  private readonly entries = new Set<Entry>();

  /** `roleNow` reads the record afresh; without it seats are never reconsidered. */
  constructor(private readonly roleNow?: RoleNow) {}

  /** Registers a clinician's socket; the returned function unregisters it. */
  add(clinicianId: string, tokenHash: string, channel: ClosableChannel, seat?: Seat): () => void {
    const entry: Entry = { clinicianId, tokenHash, channel, seat };
    this.entries.add(entry);
    return () => {
      this.entries.delete(entry);
    };
  }

  get size(): number {
    return this.entries.size;
  }

  private closeWhere(match: (e: Entry) => boolean, reason: string, code: number = CLOSE_SIGNED_OUT): number {
    let closed = 0;
    for (const e of [...this.entries]) {
      if (!match(e)) continue;
      this.entries.delete(e);
      e.channel.close(code, reason);
      closed++;
    }
    return closed;
  }

  /** Closes every socket of the account (deactivation, password reset). */
  closeAccount(clinicianId: string, reason: string): number {
    const n = this.closeWhere((e) => e.clinicianId === clinicianId, reason);
    if (n > 0) log.info('sockets.closed', { clinicianId, count: n, reason });
    return n;
  }

  /** Closes the sockets opened with one token (sign-out). */
  closeToken(tokenHash: string, reason: string): number {
    return this.closeWhere((e) => e.tokenHash === tokenHash, reason);
  }

  /**
   * Closes every socket whose clinician no longer has the role it joined with in its session
   * (taken off the session, supervision or a role removed, account deactivated). The console
   * does not reconnect on 1008: joining again, if still allowed, takes the role there is now.
   */
  async reconsider(): Promise<number> {
    const roleNow = this.roleNow;
    if (!roleNow) return 0;
    const seated = [...this.entries].filter((e) => e.seat !== undefined);
    const unseated = new Set<Entry>();
    for (const e of seated) {
      if ((await roleNow(e.clinicianId, e.seat!.sessionId)) !== e.seat!.role) unseated.add(e);
    }
    const n = this.closeWhere((e) => unseated.has(e), ROLE_CHANGED, CLOSE_POLICY_VIOLATION);
    if (n > 0) log.info('sockets.closed', { count: n, reason: 'role' });
    return n;
  }

  /** Re-checks every socket's token (and counts it as used) and seat; closes those no longer good. */
  async sweep(auth: AuthService): Promise<void> {
    const verdicts = new Map<string, boolean>();
    for (const e of [...this.entries]) {
      let good = verdicts.get(e.tokenHash);
      if (good === undefined) {
        good = (await auth.checkLive(e.tokenHash))?.id === e.clinicianId;
        verdicts.set(e.tokenHash, good);
      }
      if (!good) {
        this.entries.delete(e);
        log.info('sockets.closed', { clinicianId: e.clinicianId, count: 1, reason: 'token' });
        e.channel.close(CLOSE_SIGNED_OUT, 'signed out');
      }
    }
    // Then the seats of sockets still signed in: a change made elsewhere closes within a beat.
    await this.reconsider();
  }
}
