/**
 * The server side of bench/knock.ts, run as its own process: the real session server in
 * demo shape with 50 invitations, plus a raw WebSocket echo server in the same process (the
 * baseline: same event loop, same machine, no protocol work). Reports its URLs over IPC.
 */
import { WebSocketServer } from 'ws';
import { startDemo } from '../../src/server/demo.js';
import { setLogLevel } from '../../src/server/logger.js';
import type { ServerMessage } from './knockMessages.js';

setLogLevel('warn');

const invitations = Number(process.argv[2] ?? '50');
const demo = await startDemo({ invitations });
const echo = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
echo.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
await new Promise<void>((resolve) => echo.once('listening', () => resolve()));
const address = echo.address();
if (!address || typeof address === 'string') throw new Error('unexpected echo address');

const ready: ServerMessage = { type: 'ready', info: demo.info, echoUrl: `ws://127.0.0.1:${address.port}` };
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
