/**
 * A raw WebSocket echo server in a process of its own: the baseline of bench/join.ts. It
 * answers every frame with the frame, and does nothing else, so a burst against it costs what
 * the machine, the sockets and the client process cost, and no protocol work.
 *
 * Relay, the baseline of an admission: a socket opened at `/?group=G&id=ID` is a client known
 * by ID; one opened at `/relay?group=G` is its group's facilitator. A facilitator's frame goes,
 * as it came, to the client its `data.participantId` names (to every client of the group when
 * it names none, as admitAll reaches them all), and then back to the facilitator, as the
 * product answers an admit after notifying the admitted: one frame out, one in at each end.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { EchoToDriver } from './joinMessages.js';

const clients = new Map<string, WebSocket>();
const groups = new Map<string, Set<WebSocket>>();

const echo = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
echo.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'ws://echo');
  const group = url.searchParams.get('group') ?? '';
  if (url.pathname === '/relay') {
    ws.on('message', (data, isBinary) => {
      const to = (JSON.parse(String(data)) as { data?: { participantId?: string } }).data?.participantId;
      const targets = to === undefined ? [...(groups.get(group) ?? [])] : [clients.get(to)];
      for (const target of targets) target?.send(data, { binary: isBinary });
      ws.send(data, { binary: isBinary });
    });
    return;
  }
  const id = url.searchParams.get('id');
  if (id !== null) {
    clients.set(id, ws);
    const members = groups.get(group) ?? new Set();
    groups.set(group, members.add(ws));
    ws.once('close', () => {
      clients.delete(id);
      members.delete(ws);
      if (members.size === 0 && groups.get(group) === members) groups.delete(group);
    });
  }
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
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
