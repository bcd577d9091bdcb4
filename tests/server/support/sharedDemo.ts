/**
 * One demo server shared by the tests of a file or of a describe block: started before them
 * and closed after them by hooks registered where this is called.
 */
import { afterAll, beforeAll } from 'vitest';
import type { DemoOptions, RunningDemo } from '../../../src/server/demo.js';
import { startTestDemo } from './testServer.js';

/**
 * `startTestDemo(invitations, config, start)` in a beforeAll and its close in an afterAll. The
 * demo returned stands for the running one: read it inside tests and hooks, where it has started.
 */
export function sharedTestDemo(invitations = 4, config: Record<string, unknown> = {}, start?: DemoOptions['start']): RunningDemo {
  let running: RunningDemo | undefined;
  beforeAll(async () => {
    running = await startTestDemo(invitations, config, start);
  });
  afterAll(async () => {
    await running?.close();
  });
  return new Proxy({} as RunningDemo, {
    get(_target, key) {
      if (!running) throw new Error('the shared demo starts in beforeAll: use it inside tests and hooks');
      const value: unknown = Reflect.get(running, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(running) : value;
    },
  });
}
