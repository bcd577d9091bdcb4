/**
 * A session server that a describe block restarts: every start runs on one lasting data
 * directory and records key (on a new port), the first is seeded like the demo, and after the
 * block every server is closed and the directory removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parseConfig } from '../../../src/server/config.js';
import { seedDemo, type DemoSeed } from '../../../src/server/demo.js';
import { startServer, type RunningServer, type StartOptions } from '../../../src/server/server.js';

export interface ServerRestarts {
  /** Every server started, first to last. */
  readonly servers: RunningServer[];
  /** The demo's clinicians, session and invitations, seeded on the first server. */
  readonly seed: DemoSeed;
  /** Starts a server on the same data and key, as a restart does. */
  start(): Promise<RunningServer>;
}

export function serverRestarts(options: {
  tmpPrefix: string;
  invitations: number;
  config?: Record<string, unknown>;
  start?: Omit<StartOptions, 'recordsKey'>;
}): ServerRestarts {
  const recordsKey = randomBytes(32);
  const servers: RunningServer[] = [];
  let dataDir: string | undefined;
  let seed: DemoSeed | undefined;
  const start = async (): Promise<RunningServer> => {
    const config = parseConfig({ host: '127.0.0.1', port: 0, rtcPort: 0, dataDir, workers: 1, ...options.config });
    const server = await startServer(config, { ...options.start, recordsKey });
    servers.push(server);
    return server;
  };
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), options.tmpPrefix));
    seed = await seedDemo((await start()).store, options.invitations);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    servers,
    get seed() {
      if (!seed) throw new Error('the first server starts in beforeAll: read the seed inside tests');
      return seed;
    },
    start,
  };
}
