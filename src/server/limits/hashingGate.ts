/**
 * Every scrypt check of a password or passcode runs through this gate, which caps how many
 * run at once overall and per remote address, and decides who goes next.
 *
 * Without it a flood of sign-ins or hellos fills libuv's thread pool (scrypt runs there), and
 * an honest sign-in waits behind the whole flood. With it:
 * - at most `concurrency` checks run at once. scrypt is CPU-bound, so more than the cores
 *   only makes each slower; and one thread pool thread is left for file reads and the rest;
 * - at most `perAddress` of them for one address, so with more than one slot another
 *   address finds one free;
 * - waiting work is bounded per address and overall, and refused at once with RATE_LIMITED
 *   beyond that: a flood is never queued without bound;
 * - when a slot frees, it goes to the waiting address that was served longest ago (never
 *   served counts as longest), so a newcomer's check runs next, before the flood's queue.
 * The gate holds state only for addresses with work running or waiting.
 */
import os from 'node:os';
import { ProtocolError } from '../../shared/protocol.js';
import { hashSecret, verifySecret, type ScryptParams } from '../auth/password.js';

export interface HashingLimits {
  /** Checks running at once, over all addresses. */
  concurrency: number;
  /** Checks running at once for one remote address. */
  perAddress: number;
  /** Checks one address may have waiting; more are refused at once. */
  queuePerAddress: number;
  /** Checks waiting over all addresses; more are refused at once. */
  queue: number;
}

export function defaultHashingLimits(): HashingLimits {
  const threadPool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
  const concurrency = Math.max(1, Math.min(os.availableParallelism(), threadPool - 1));
  return {
    concurrency,
    // At most half the slots, so one address never holds them all where there are two.
    perAddress: Math.ceil(concurrency / 2),
    // A whole group joining at once from one place (a clinic's or a residence's network)
    // waits rather than being refused.
    queuePerAddress: 64,
    queue: 1024,
  };
}

/** What the gate did, for tests that check its order. */
export interface GateEvent {
  kind: 'queued' | 'granted' | 'refused';
  address: string;
}

/** A place in the gate: the checks made with it count as running; release it after them. */
export interface HashingSlot {
  verify(secret: string, stored: string): Promise<boolean>;
  hash(secret: string, params: ScryptParams): Promise<string>;
  /** Frees the place for the next in line; a second call does nothing. */
  release(): void;
}

interface Line {
  running: number;
  waiting: { grant: () => void; arrived: number }[];
  /** The gate's grant counter when this address was last served; 0: never (since it last had work). */
  lastGrant: number;
}

export class HashingGate {
  private readonly limits: HashingLimits;
  private readonly lines = new Map<string, Line>();
  private readonly listeners = new Set<(e: GateEvent) => void>();
  private inFlight = 0;
  private waitingCount = 0;
  private grants = 0;
  private arrivals = 0;
  /** scrypt verifications run through the gate since it was made (tests count them). */
  verifications = 0;

  constructor(limits: Partial<HashingLimits> = {}) {
    this.limits = { ...defaultHashingLimits(), ...limits };
  }

  /** Checks running now. */
  get running(): number {
    return this.inFlight;
  }

  /** Addresses the gate holds state for (tests). */
  get addressesHeld(): number {
    return this.lines.size;
  }

  /** Calls `listener` on everything the gate does from now on; returns how to stop. */
  observe(listener: (e: GateEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(kind: GateEvent['kind'], address: string): void {
    for (const l of this.listeners) l({ kind, address });
  }

  /**
   * A place for one check from `address`: at once when one is free, else when its turn
   * comes. RATE_LIMITED at once when the address, or the gate, has too much waiting.
   */
  acquire(address: string): Promise<HashingSlot> {
    const line = this.lines.get(address) ?? { running: 0, waiting: [], lastGrant: 0 };
    if (line.running + line.waiting.length >= this.limits.perAddress + this.limits.queuePerAddress) {
      this.emit('refused', address);
      return Promise.reject(new ProtocolError('RATE_LIMITED', 'too many attempts from this address at once; try again in a moment', { reason: 'sign-in-busy' }));
    }
    this.lines.set(address, line);
    if (this.inFlight < this.limits.concurrency && line.running < this.limits.perAddress) {
      this.grant(address, line);
      return Promise.resolve(this.slot(address, line));
    }
    if (this.waitingCount >= this.limits.queue) {
      this.forgetIfIdle(address, line);
      this.emit('refused', address);
      return Promise.reject(new ProtocolError('RATE_LIMITED', 'the server is busy checking other sign-ins; try again in a moment', { reason: 'sign-in-busy' }));
    }
    return new Promise((resolve) => {
      line.waiting.push({ grant: () => resolve(this.slot(address, line)), arrived: ++this.arrivals });
      this.waitingCount++;
      this.emit('queued', address);
    });
  }

  private grant(address: string, line: Line): void {
    this.inFlight++;
    line.running++;
    line.lastGrant = ++this.grants;
    this.emit('granted', address);
  }

  private slot(address: string, line: Line): HashingSlot {
    let held = true;
    return {
      verify: (secret, stored) => {
        this.verifications++;
        return verifySecret(secret, stored);
      },
      hash: (secret, params) => hashSecret(secret, params),
      release: () => {
        if (!held) return;
        held = false;
        this.inFlight--;
        line.running--;
        this.forgetIfIdle(address, line);
        this.dispatch();
      },
    };
  }

  private forgetIfIdle(address: string, line: Line): void {
    if (line.running === 0 && line.waiting.length === 0) this.lines.delete(address);
  }

  /** Fills free places, each with the waiting address served longest ago. */
  private dispatch(): void {
    while (this.inFlight < this.limits.concurrency) {
      let next: { address: string; line: Line } | undefined;
      for (const [address, line] of this.lines) {
        const head = line.waiting[0];
        if (!head || line.running >= this.limits.perAddress) continue;
        const best = next?.line;
        if (!best || line.lastGrant < best.lastGrant || (line.lastGrant === best.lastGrant && head.arrived < (best.waiting[0]?.arrived ?? Infinity))) {
          next = { address, line };
        }
      }
      if (!next) return;
      const waiter = next.line.waiting.shift();
      if (!waiter) return;
      this.waitingCount--;
      this.grant(next.address, next.line);
      waiter.grant();
    }
  }
}
