/**
 * Session tickets: what a clinician's WebSocket hello presents instead of the bearer token,
 * so the console's renderer (a web page, the part most exposed to whatever the network sends
 * it) never holds the 12-hour, full-scope token; the console's main process keeps that and
 * asks `POST /api/sessions/:id/ticket` for a ticket just before each (re)connect.
 *
 * A ticket is 256 random bits, good once, for one session, for TICKET_TTL_MS. Only its
 * digest is kept, with the digest of the token that asked for it: the socket it opens is
 * registered under that token (accounts/liveClinicians.ts), so it still closes when that sign-in ends,
 * and a ticket whose sign-in has ended meanwhile gets nobody in (the hello asks
 * `checkLive`). Presenting a ticket spends it whatever the outcome, so a ticket shown for the
 * wrong session cannot be tried again.
 *
 * Kept in memory: a ticket lives a minute, so a restart costs the console no more than
 * asking again, and a shared database is not needed for something this short-lived as long
 * as the ticket and the hello reach the same node (both name the session).
 */
import { randomToken, tokenDigest } from './secrets.js';

export const TICKET_TTL_MS = 60_000;

/**
 * Unspent tickets one sign-in may hold at once; asking for more drops its oldest. A console
 * needs one at a time, so this only bounds what a misbehaving caller can make the server keep.
 */
export const MAX_TICKETS_PER_TOKEN = 8;

/** Who a ticket lets in, and where. */
export interface TicketGrant {
  clinicianId: string;
  /** The digest of the bearer token that asked for the ticket. */
  tokenHash: string;
  sessionId: string;
  /** The console workstation that asked (`X-Confidant-Device`), for the audit entries of the call. */
  deviceId?: string | null;
}

export interface IssuedTicket {
  ticket: string;
  /** ISO 8601. */
  expiresAt: string;
}

interface Entry extends TicketGrant {
  digest: string;
  expiresAtMs: number;
}

export class SessionTickets {
  /** By ticket digest, in the order issued, which is also the order they expire in. */
  private readonly entries = new Map<string, Entry>();
  /** Ticket digests by token digest, oldest first. */
  private readonly byToken = new Map<string, string[]>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly ttlMs: number = TICKET_TTL_MS,
  ) {}

  issue(grant: TicketGrant): IssuedTicket {
    const nowMs = this.now().getTime();
    this.sweep(nowMs);
    const held = this.byToken.get(grant.tokenHash) ?? [];
    while (held.length >= MAX_TICKETS_PER_TOKEN) {
      const oldest = held.shift();
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const ticket = randomToken();
    const digest = tokenDigest(ticket);
    const expiresAtMs = nowMs + this.ttlMs;
    this.entries.set(digest, { ...grant, digest, expiresAtMs });
    held.push(digest);
    this.byToken.set(grant.tokenHash, held);
    return { ticket, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /**
   * The grant of `ticket` if it is unspent, unexpired and for `sessionId`; undefined
   * otherwise. Either way the ticket is spent.
   */
  redeem(ticket: string, sessionId: string): TicketGrant | undefined {
    const nowMs = this.now().getTime();
    const entry = this.entries.get(tokenDigest(ticket));
    if (entry) this.forget(entry);
    this.sweep(nowMs);
    if (!entry || entry.expiresAtMs <= nowMs || entry.sessionId !== sessionId) return undefined;
    return { clinicianId: entry.clinicianId, tokenHash: entry.tokenHash, sessionId: entry.sessionId, ...(entry.deviceId ? { deviceId: entry.deviceId } : {}) };
  }

  /** Unspent, unexpired tickets held (for tests and the health of the map). */
  get size(): number {
    this.sweep(this.now().getTime());
    return this.entries.size;
  }

  private forget(entry: Entry): void {
    this.entries.delete(entry.digest);
    const held = this.byToken.get(entry.tokenHash);
    if (!held) return;
    const at = held.indexOf(entry.digest);
    if (at >= 0) held.splice(at, 1);
    if (held.length === 0) this.byToken.delete(entry.tokenHash);
  }

  /** Drops expired tickets: the oldest first, stopping at the first that is still good. */
  private sweep(nowMs: number): void {
    for (const entry of this.entries.values()) {
      if (entry.expiresAtMs > nowMs) return;
      this.forget(entry);
    }
  }
}
