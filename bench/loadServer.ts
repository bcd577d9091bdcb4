/**
 * The server side of bench/load.ts, in its own process so that its CPU and memory are its
 * own: the real session server in demo shape with one media worker per core, the load
 * groups seeded with real passcode hashes, and a raw WebSocket echo server in the same
 * process for the baseline (same event loop, no protocol work). Reports over IPC.
 */
import { WebSocketServer } from 'ws';
import { startDemo } from '../src/server/demo.js';
import { setLogLevel } from '../src/common/logger.js';
import type { DemoInfo } from '../src/shared/protocol.js';
import { seedGroups, type GroupSeed } from './loadGroups.js';

export type LoadServerMessage = {
  type: 'ready';
  pid: number;
  info: DemoInfo;
  groups: GroupSeed[];
  echoUrl: string;
  workers: number;
};

setLogLevel('warn');

const groupCount = Number(process.argv[2] ?? '10');
const clientsPerGroup = Number(process.argv[3] ?? '10');
const demo = await startDemo({ invitations: 0 });
const groups = await seedGroups(demo.server, groupCount, clientsPerGroup);
const echo = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
echo.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
await new Promise<void>((resolve) => echo.once('listening', () => resolve()));
const address = echo.address();
if (!address || typeof address === 'string') throw new Error('unexpected echo address');

const ready: LoadServerMessage = {
  type: 'ready',
  pid: process.pid,
  info: demo.info,
  groups,
  echoUrl: `ws://127.0.0.1:${address.port}`,
  workers: demo.server.workers.size,
};
process.send?.(ready);

const stop = (): void => {
  echo.close();
  demo.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
