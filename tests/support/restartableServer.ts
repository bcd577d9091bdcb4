/**
 * A real session server with a lasting data directory and records key, seeded like the
 * demo, that a test can stop and start again on the same port: the network "going away"
 * and "coming back" for offline work.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/server/config';
import { seedDemo, type DemoSeed } from '../../src/server/demo';
import { startServer, type RunningServer } from '../../src/server/server';

export interface RestartableServer {
  seed: DemoSeed;
  httpUrl: string;
  current(): RunningServer | null;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startRestartableServer(invitations = 2): Promise<RestartableServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confidant-offline-'));
  const recordsKey = randomBytes(32);
  let port = 0;
  let running: RunningServer | null = null;
  const start = async () => {
    const config = parseConfig({ host: '127.0.0.1', port, rtcPort: 0, dataDir, workers: 1 });
    running = await startServer(config, { recordsKey });
    port = running.port;
  };
  await start();
  const seed = await seedDemo(running!.store, invitations);
  return {
    seed,
    httpUrl: running!.httpUrl,
    current: () => running,
    stop: async () => {
      await running?.close();
      running = null;
    },
    start,
    dispose: async () => {
      await running?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
