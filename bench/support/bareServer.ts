/**
 * The baseline's server for bench/firstFrame.ts, in a process of its own: plain mediasoup
 * (one worker, one router with the session's codecs, one WebRtcServer on a loopback port, as
 * the session server sets them up) behind the least signaling a mediasoup app needs. No
 * sessions, no admission, no store, no authorization: a socket asks, mediasoup answers, and
 * every other socket hears of each new producer. Reports its URL over IPC. A layered camera
 * gets the same mediasoup settings the session server gives it (src/server/media/layerStart.ts:
 * the key-frame request delay, and its consumers helped to their first layer; firstKeyFrame.ts:
 * a consumer resumed before its camera's first key frame flows once that has come), so the
 * baseline is the fastest plain mediasoup starts those layers; and its UDP socket the same
 * receive buffer (workerPool.ts UDP_RECV_BUFFER_BYTES).
 */
import { createWorker, type types as ms } from 'mediasoup';
import { WebSocketServer, type WebSocket } from 'ws';
import { MEDIA_CODECS } from '../../src/server/media/codecs.js';
import { firstKeyFrame, watchFirstKeyFrame } from '../../src/server/media/firstKeyFrame.js';
import { KEY_FRAME_REQUEST_DELAY_MS, startLayers } from '../../src/server/media/layerStart.js';
import { UDP_RECV_BUFFER_BYTES } from '../../src/server/media/workerPool.js';

const worker = await createWorker({ logLevel: 'warn' });
const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1', recvBufferSize: UDP_RECV_BUFFER_BYTES },
    { protocol: 'tcp', ip: '127.0.0.1' },
  ],
});
const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
const sockets = new Set<WebSocket>();

interface Owned {
  transports: Map<string, ms.WebRtcTransport>;
  producers: Map<string, ms.Producer>;
  consumers: Map<string, ms.Consumer>;
}

type Handler = (owned: Owned, data: Record<string, unknown>, ws: WebSocket) => Promise<unknown>;

const handlers: Record<string, Handler> = {
  caps: () => Promise.resolve(router.rtpCapabilities),
  async createTransport(owned) {
    const t = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true });
    owned.transports.set(t.id, t);
    return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
  },
  async connect(owned, data) {
    await owned.transports.get(String(data.transportId))!.connect({ dtlsParameters: data.dtlsParameters as ms.DtlsParameters });
    return {};
  },
  async produce(owned, data, ws) {
    const producer = await owned.transports.get(String(data.transportId))!.produce({
      kind: data.kind as ms.MediaKind,
      rtpParameters: data.rtpParameters as ms.RtpParameters,
      ...(data.kind === 'video' ? { keyFrameRequestDelay: KEY_FRAME_REQUEST_DELAY_MS } : {}),
    });
    owned.producers.set(producer.id, producer);
    watchFirstKeyFrame(producer, () => undefined);
    for (const other of sockets) if (other !== ws) other.send(JSON.stringify({ notification: 'producerAdded', data: { producerId: producer.id } }));
    return { id: producer.id };
  },
  async closeProducer(owned, data) {
    owned.producers.get(String(data.producerId))?.close();
    owned.producers.delete(String(data.producerId));
    return Promise.resolve({});
  },
  closeTransport(owned, data) {
    owned.transports.get(String(data.transportId))?.close();
    owned.transports.delete(String(data.transportId));
    return Promise.resolve({});
  },
  async consume(owned, data) {
    const consumer = await owned.transports.get(String(data.transportId))!.consume({
      producerId: String(data.producerId),
      rtpCapabilities: data.rtpCapabilities as ms.RtpCapabilities,
      paused: true,
      enableRtx: true,
    });
    owned.consumers.set(consumer.id, consumer);
    return { id: consumer.id, producerId: consumer.producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  },
  async resume(owned, data) {
    const consumer = owned.consumers.get(String(data.consumerId))!;
    const first = firstKeyFrame(consumer.producerId);
    const flow = async (): Promise<void> => {
      await consumer.resume();
      void startLayers(consumer, () => undefined);
    };
    // As the session server does (firstKeyFrame.ts): a camera yet to send its first key frame
    // has its consumer resumed once it has; the answer does not wait.
    if (first) void first.then(() => (consumer.closed ? undefined : flow())).catch(() => undefined);
    else await flow();
    return {};
  },
};

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  sockets.add(ws);
  const owned: Owned = { transports: new Map(), producers: new Map(), consumers: new Map() };
  ws.on('message', (raw) => {
    const { id, method, data } = JSON.parse(String(raw)) as { id: number; method: string; data: Record<string, unknown> };
    const handler = handlers[method];
    (handler ? handler(owned, data ?? {}, ws) : Promise.reject(new Error(`no method ${method}`))).then(
      (result) => ws.send(JSON.stringify({ id, ok: true, data: result })),
      (err: unknown) => ws.send(JSON.stringify({ id, ok: false, error: { message: err instanceof Error ? err.message : String(err) } })),
    );
  });
  ws.on('close', () => {
    sockets.delete(ws);
    for (const t of owned.transports.values()) t.close();
  });
});
await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
const address = wss.address();
if (!address || typeof address === 'string') throw new Error('unexpected address');
process.send?.({ type: 'ready', url: `ws://127.0.0.1:${address.port}` });

const stop = (): void => {
  wss.close();
  worker.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
