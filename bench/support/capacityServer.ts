/**
 * The server side of bench/capacity.ts, in a process of its own (the driver starts it under
 * `taskset`, so it and its mediasoup worker stay on one core). Two modes:
 *
 * - `confidant`: the real session server in demo shape with one media worker; groups are
 *   live sessions seeded on request (`seedGroups`, 8 invitations each).
 * - `bare`: the baseline, plain mediasoup set up as the session server sets it up (one worker,
 *   one WebRtcServer on loopback, one router per group with the session codecs, the same
 *   transport options) behind the least signaling a client needs: the same method names and
 *   answers as Confidant's for transports, producers and consumers, and `hello {group}` in place
 *   of invitations, check-in and admission. No store, no rooms, no authorization.
 *
 * Either way mediasoup's own byte counters, summed over every WebRtcTransport (read through
 * mediasoup's observer, which sees the worker whoever made it), answer `stats` over IPC.
 */
import { observer, createWorker, type types as ms } from 'mediasoup';
import { WebSocketServer } from 'ws';
import { setLogLevel } from '../../src/common/logger.js';
import { MEDIA_CODECS } from '../../src/server/media/codecs.js';
import { UDP_RECV_BUFFER_BYTES } from '../../src/server/media/workerPool.js';
import { startDemo } from '../../src/server/demo.js';
import { seedGroups } from '../loadGroups.js';
import type { DriverToServer, ServerMode, ServerToDriver, SfuStats } from './capacityMessages.js';

setLogLevel('warn');

const transports = new Set<ms.WebRtcTransport>();
const producers = new Set<string>();
const consumers = new Set<string>();
observer.on('newworker', (worker) => {
  worker.observer.on('newrouter', (router) => {
    router.observer.on('newtransport', (transport) => {
      if (transport.type === 'webrtc') {
        const t = transport as ms.WebRtcTransport;
        transports.add(t);
        t.observer.once('close', () => transports.delete(t));
      }
      transport.observer.on('newproducer', (p) => {
        producers.add(p.id);
        p.observer.once('close', () => producers.delete(p.id));
      });
      transport.observer.on('newconsumer', (c) => {
        consumers.add(c.id);
        c.observer.once('close', () => consumers.delete(c.id));
      });
    });
  });
});

async function sfuStats(): Promise<SfuStats> {
  const all = [...transports].filter((t) => !t.closed);
  const stats = await Promise.all(all.map((t) => t.getStats().then((s) => s[0])));
  const sum: SfuStats = {
    transports: all.length,
    dtlsConnected: all.filter((t) => t.dtlsState === 'connected').length,
    producers: 0,
    consumers: 0,
    bytesReceived: 0,
    bytesSent: 0,
    rtpBytesReceived: 0,
    rtpBytesSent: 0,
    probationBytesSent: 0,
  };
  for (const s of stats) {
    if (!s) continue;
    sum.bytesReceived += s.bytesReceived;
    sum.bytesSent += s.bytesSent;
    sum.rtpBytesReceived += s.rtpBytesReceived;
    sum.rtpBytesSent += s.rtpBytesSent;
    sum.probationBytesSent += s.probationBytesSent;
  }
  sum.producers = producers.size;
  sum.consumers = consumers.size;
  return sum;
}

const send = (m: ServerToDriver): void => {
  process.send?.(m);
};

/** The bare baseline: mediasoup behind a minimal JSON-over-WebSocket signaling. */
async function startBare(): Promise<{ wsUrl: string; workerPid: number; close(): void }> {
  const worker = await createWorker({ logLevel: 'warn' });
  const webRtcServer = await worker.createWebRtcServer({
    listenInfos: [
      { protocol: 'udp', ip: '127.0.0.1', recvBufferSize: UDP_RECV_BUFFER_BYTES },
      { protocol: 'tcp', ip: '127.0.0.1' },
    ],
  });
  // One router per group, made by the first hello that names it (the others wait for it).
  const routers = new Map<string, Promise<ms.Router>>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    let router: ms.Router | undefined;
    const owned = { transports: new Map<string, ms.WebRtcTransport>(), consumers: new Map<string, ms.Consumer>() };
    const transportOf = (data: Record<string, unknown>): ms.WebRtcTransport => {
      const t = owned.transports.get(String(data.transportId));
      if (!t) throw new Error('no such transport');
      return t;
    };
    const handlers: Record<string, (data: Record<string, unknown>) => Promise<unknown>> = {
      async hello(data) {
        const group = String(data.group);
        let made = routers.get(group);
        if (!made) {
          made = worker.createRouter({ mediaCodecs: MEDIA_CODECS });
          routers.set(group, made);
        }
        router = await made;
        return { routerRtpCapabilities: router.rtpCapabilities };
      },
      async createTransport(data) {
        if (!router) throw new Error('hello first');
        // The session server's options (media/peerMedia.ts).
        const t = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true, appData: { direction: data.direction } });
        owned.transports.set(t.id, t);
        return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
      },
      async connectTransport(data) {
        await transportOf(data).connect({ dtlsParameters: data.dtlsParameters as ms.DtlsParameters });
        return {};
      },
      async produce(data) {
        const p = await transportOf(data).produce({ kind: data.kind as ms.MediaKind, rtpParameters: data.rtpParameters as ms.RtpParameters });
        return { id: p.id };
      },
      async consume(data) {
        const c = await transportOf(data).consume({
          producerId: String(data.producerId),
          rtpCapabilities: data.rtpCapabilities as ms.RtpCapabilities,
          paused: true,
        });
        owned.consumers.set(c.id, c);
        return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters };
      },
      async resumeConsumer(data) {
        await owned.consumers.get(String(data.consumerId))?.resume();
        return {};
      },
    };
    ws.on('message', (raw) => {
      const { id, method, data } = JSON.parse(String(raw)) as { id: number; method: string; data?: Record<string, unknown> };
      const handler = handlers[method];
      (handler ? handler(data ?? {}) : Promise.reject(new Error(`no method ${method}`))).then(
        (result) => ws.send(JSON.stringify({ id, ok: true, data: result })),
        (err: unknown) => ws.send(JSON.stringify({ id, ok: false, error: { code: 'BAD_REQUEST', message: err instanceof Error ? err.message : String(err) } })),
      );
    });
    ws.on('close', () => {
      for (const t of owned.transports.values()) t.close();
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  if (!address || typeof address === 'string') throw new Error('unexpected address');
  return {
    wsUrl: `ws://127.0.0.1:${address.port}`,
    workerPid: worker.pid,
    close() {
      wss.close();
      worker.close();
    },
  };
}

const mode = (process.argv[2] ?? 'confidant') as ServerMode;
let close: () => Promise<void>;
if (mode === 'bare') {
  const bare = await startBare();
  close = () => {
    bare.close();
    return Promise.resolve();
  };
  send({ type: 'ready', mode, pid: process.pid, workerPid: bare.workerPid, wsUrl: bare.wsUrl });
  process.on('message', (m: DriverToServer) => {
    if (m.type === 'stats') void sfuStats().then((stats) => send({ type: 'stats', stats }));
  });
} else {
  const demo = await startDemo({ invitations: 0, workers: 1 });
  close = () => demo.close();
  const workerPid = demo.server.workers.loads()[0]?.pid;
  if (workerPid === undefined) throw new Error('the server has no media worker');
  send({ type: 'ready', mode, pid: process.pid, workerPid, wsUrl: demo.info.wsUrl, info: demo.info });
  process.on('message', (m: DriverToServer) => {
    if (m.type === 'stats') void sfuStats().then((stats) => send({ type: 'stats', stats }));
    else if (m.type === 'seed') void seedGroups(demo.server, m.groups, 8).then((groups) => send({ type: 'seeded', groups }));
  });
}

const stop = (): void => {
  close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
