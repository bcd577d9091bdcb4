/**
 * The load run's small version (bench/load.ts runs 10 groups of 10): two groups of five
 * side by side on one real server, every client checking in within one tick, admitted by
 * its own facilitator, producing audio and video with browser-like RTP parameters and
 * consuming everyone else in its group. Asserts outcomes, not timings: CI machines vary.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runGroups, seedGroups, type GroupSeed } from '../../bench/loadGroups.js';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { login } from './support/testServer.js';

const GROUPS = 2;
const CLIENTS = 5;
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

let demo: RunningDemo;
let groups: GroupSeed[];
beforeAll(async () => {
  // Two workers, so the groups' routers spread across them as in production.
  demo = await startDemo({ invitations: 0, workers: 2, participantDir: '/nonexistent-participant-dir', start: { scrypt: FAST_SCRYPT } });
  groups = await seedGroups(demo.server, GROUPS, CLIENTS);
});
afterAll(async () => {
  await demo.close();
});

it(`admits ${GROUPS} groups of ${CLIENTS} at once, with producers and consumers for all`, { timeout: 60_000 }, async () => {
  const token = await login(demo.info);
  const run = await runGroups(demo.info.wsUrl, token, groups);
  try {
    const everyone = GROUPS * CLIENTS;
    expect(run.knockMs).toHaveLength(everyone);
    expect(run.admitted).toBe(everyone);
    expect(run.producers).toBe(everyone * 2);
    // Each client consumes the other four's audio and video; each facilitator all ten.
    const perGroup = CLIENTS * (CLIENTS - 1) * 2 + CLIENTS * 2;
    expect(run.consumers).toBe(GROUPS * perGroup);

    // The server agrees: every group's room holds its clients admitted, and the workers
    // hold every consumer, on both workers.
    for (const g of groups) {
      const room = demo.server.rooms.get(g.sessionId);
      expect(room?.size).toBe(CLIENTS + 1);
    }
    const loads = demo.server.workers.loads();
    expect(loads.reduce((sum, l) => sum + l.consumers, 0)).toBe(GROUPS * perGroup);
    expect(loads.every((l) => l.alive && l.routers === 1)).toBe(true);
  } finally {
    await run.close();
  }
  // Once everyone has gone, the media they held is released.
  await expect.poll(() => demo.server.workers.loads().reduce((sum, l) => sum + l.consumers, 0)).toBe(0);
});
