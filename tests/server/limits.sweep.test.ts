/**
 * Limiter state keyed by what an attacker sends (usernames, addresses, invitation ids) forgets
 * expired keys by itself and stays bounded, and attempts are reserved in one step.
 */
import { describe, expect, it } from 'vitest';
import { ExpiringLocks } from '../../src/server/limits/expiringLocks.js';
import { HashingGate } from '../../src/server/limits/hashingGate.js';
import { SlidingWindowLimiter } from '../../src/server/limits/rateLimiter.js';
import { ProtocolError } from '../../src/shared/protocol.js';

const WINDOW = 15 * 60_000;

describe('sliding windows', () => {
  it('forget a flood of distinct keys once the window has passed', () => {
    let clock = 0;
    const limiter = new SlidingWindowLimiter(5, WINDOW, () => clock);
    for (let i = 0; i < 20_000; i++) limiter.hit(`203.0.113.${i}`);
    expect(limiter.size).toBe(20_000);
    clock += WINDOW + 1;
    // The next use sweeps; nothing else needs to happen.
    limiter.hit('198.51.100.1');
    expect(limiter.size).toBe(1);
  });

  it('stay bounded while a flood is still inside the window, forgetting the longest idle first', () => {
    let clock = 0;
    const limiter = new SlidingWindowLimiter(5, WINDOW, () => clock, 1000);
    limiter.hit('kept');
    for (let i = 0; i < 5000; i++) {
      clock += 1;
      limiter.hit(`guess-${i}`);
      if (i % 100 === 0) limiter.hit('kept');
    }
    expect(limiter.size).toBe(1000);
    expect(limiter.isBlocked('kept')).toBe(true);
  });

  it('keep no more events per key than the limit needs', () => {
    let clock = 0;
    const limiter = new SlidingWindowLimiter(3, WINDOW, () => clock);
    for (let i = 0; i < 10_000; i++) {
      clock += 1;
      limiter.hit('all');
    }
    expect(limiter.isBlocked('all')).toBe(true);
    expect(limiter.eventsHeld).toBeLessThanOrEqual(3);
  });

  it('reserve an attempt before the check in one step, refuse at the limit, and take one back', () => {
    let clock = 0;
    const limiter = new SlidingWindowLimiter(3, WINDOW, () => clock);
    const held = [limiter.reserve('ana'), limiter.reserve('ana'), limiter.reserve('ana')];
    expect(held.map((r) => r?.count)).toEqual([1, 2, 3]);
    expect(limiter.reserve('ana')).toBeUndefined();
    held[1]?.giveBack();
    held[1]?.giveBack(); // a second give-back frees nothing more
    expect(limiter.reserve('ana')?.count).toBe(3);
    expect(limiter.reserve('ana')).toBeUndefined();
    clock += WINDOW + 1;
    expect(limiter.reserve('ana')?.count).toBe(1);
  });

  it('forget a key whose every attempt was given back', () => {
    const limiter = new SlidingWindowLimiter(3, WINDOW, () => 0);
    limiter.reserve('ana')?.giveBack();
    expect(limiter.size).toBe(0);
  });
});

describe('lockouts of unknown usernames', () => {
  it('are forgotten when they end, and bounded while they last', () => {
    let clock = 0;
    const locks = new ExpiringLocks(() => clock, 500);
    for (let i = 0; i < 2000; i++) locks.lock(`ghost-${i}`, clock + 60_000);
    expect(locks.size).toBe(500);
    expect(locks.lockedUntil('ghost-1999')).toBe(60_000);
    clock += 60_001;
    expect(locks.lockedUntil('ghost-1999')).toBeUndefined();
    locks.lock('late', clock + 60_000);
    expect(locks.size).toBe(1);
  });
});

describe('the hashing gate', () => {
  const gate = (): HashingGate => new HashingGate({ concurrency: 1, perAddress: 1, queuePerAddress: 2, queue: 100 });

  it('refuses work past an address\'s bound at once, and keeps no state for an address once its work is done', async () => {
    const g = gate();
    const a = await g.acquire('203.0.113.1');
    const waiting = [g.acquire('203.0.113.1'), g.acquire('203.0.113.1')];
    await expect(g.acquire('203.0.113.1')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Another address still gets in line.
    const other = g.acquire('198.51.100.1');
    expect(g.addressesHeld).toBe(2);
    a.release();
    a.release(); // twice is once
    for (const p of [other, ...waiting]) (await p).release();
    expect(g.addressesHeld).toBe(0);
    expect(g.running).toBe(0);
  });

  it('refuses when its whole queue is full, whoever asks', async () => {
    const g = new HashingGate({ concurrency: 1, perAddress: 1, queuePerAddress: 10, queue: 3 });
    const first = await g.acquire('a');
    const queued = [g.acquire('b'), g.acquire('c'), g.acquire('d')];
    const refused = g.acquire('e');
    await expect(refused).rejects.toBeInstanceOf(ProtocolError);
    first.release();
    for (const p of queued) (await p).release();
  });

  it('serves the address served longest ago first, so a newcomer is not behind a flood', async () => {
    const g = gate();
    const order: string[] = [];
    g.observe((e) => {
      if (e.kind === 'granted') order.push(e.address);
    });
    const first = await g.acquire('flood');
    const flood = [g.acquire('flood'), g.acquire('flood')];
    const newcomer = g.acquire('honest');
    first.release();
    (await newcomer).release();
    for (const p of flood) (await p).release();
    expect(order).toEqual(['flood', 'honest', 'flood', 'flood']);
  });

  it('counts the verifications it runs', async () => {
    const g = gate();
    const slot = await g.acquire('a');
    expect(await slot.verify('x', 'not-a-hash')).toBe(false);
    slot.release();
    expect(g.verifications).toBe(1);
  });
});
