/**
 * A raw WebSocket echo server in a process of its own: the baseline of bench/join.ts. It
 * answers every frame with the frame, and does nothing else, so a burst against it costs what
 * the machine, the sockets and the client process cost, and no protocol work.
 */
import { WebSocketServer } from 'ws';
import type { EchoToDriver } from './joinMessages.js';

const echo = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
echo.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
await new Promise<void>((resolve) => echo.once('listening', () => resolve()));
const address = echo.address();
if (!address || typeof address === 'string') throw new Error('unexpected echo address');
const ready: EchoToDriver = { type: 'ready', pid: process.pid, url: `ws://127.0.0.1:${address.port}` };
process.send?.(ready);
const stop = (): void => {
  echo.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
