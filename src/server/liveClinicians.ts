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
 */
import { CLOSE_SIGNED_OUT } from '../shared/protocol.js';
import type { AuthService } from './auth/authService.js';
import { createLogger } from './logger.js';

const log = createLogger('live');

export interface ClosableChannel {
  close(code: number, reason: string): void;
}

interface Entry {
  clinicianId: string;
  tokenHash: string;
  channel: ClosableChannel;
}

export class LiveClinicians {
  private readonly entries = new Set<Entry>();

  /** Registers a clinician's socket; the returned function unregisters it. */
  add(clinicianId: string, tokenHash: string, channel: ClosableChannel): () => void {
    const entry: Entry = { clinicianId, tokenHash, channel };
    this.entries.add(entry);
    return () => {
      this.entries.delete(entry);
    };
  }

  get size(): number {
    return this.entries.size;
  }

  private closeWhere(match: (e: Entry) => boolean, reason: string): number {
    let closed = 0;
    for (const e of [...this.entries]) {
      if (!match(e)) continue;
      this.entries.delete(e);
      e.channel.close(CLOSE_SIGNED_OUT, reason);
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

  /** Re-checks every socket's token (and counts it as used); closes those no longer good. */
  sweep(auth: AuthService): void {
    const verdicts = new Map<string, boolean>();
    for (const e of [...this.entries]) {
      let good = verdicts.get(e.tokenHash);
      if (good === undefined) {
        good = auth.checkLive(e.tokenHash)?.id === e.clinicianId;
        verdicts.set(e.tokenHash, good);
      }
      if (!good) {
        this.entries.delete(e);
        log.info('sockets.closed', { clinicianId: e.clinicianId, count: 1, reason: 'token' });
        e.channel.close(CLOSE_SIGNED_OUT, 'signed out');
      }
    }
  }
}
