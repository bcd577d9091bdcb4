/**
 * `node --import tsx bench/consumerMemory.ts`: how much a mediasoup worker's memory grows per
 * video consumer (DESIGN.md, "Scale": a worker carries about 500 consumers). One worker, one
 * router with the session codecs, one VP8 producer (simulcast, three layers, as Chromium
 * sends), then BENCH_CONSUMERS (default 300) consumers of it on ten receive transports; the
 * figure is the growth of the worker's resident memory (VmRSS, /proc) divided by the
 * consumers. Baseline, same run: the growth per consumer of an audio (Opus) producer.
 *
 * Written against the API that mediasoup 3.8 and 3.32 share (listenIps on the transport), so
 * the same file measures both versions (docs/performance.md). Not a test: it prints figures.
 */
import { readFileSync } from 'node:fs';
import { createWorker, version, type types as ms } from 'mediasoup';
import { MEDIA_CODECS } from '../src/server/media/codecs';
import { printBench } from './support/stats';

const CONSUMERS = Number(process.env['BENCH_CONSUMERS'] ?? 300);
const TRANSPORTS = 10;

function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmRSS');
  return Number(m[1]);
}

const video: ms.RtpParameters = {
  mid: '0',
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  encodings: [
    { ssrc: 1001, rtx: { ssrc: 1002 }, scalabilityMode: 'L1T3', maxBitrate: 100_000 },
    { ssrc: 1003, rtx: { ssrc: 1004 }, scalabilityMode: 'L1T3', maxBitrate: 300_000 },
    { ssrc: 1005, rtx: { ssrc: 1006 }, scalabilityMode: 'L1T3', maxBitrate: 900_000 },
  ],
  rtcp: { cname: 'bench' },
};

const audio: ms.RtpParameters = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
  encodings: [{ ssrc: 2001 }],
  rtcp: { cname: 'bench' },
};

/** KiB of worker memory per consumer of a producer with `rtpParameters`. */
async function perConsumer(kind: 'audio' | 'video', rtpParameters: ms.RtpParameters): Promise<number> {
  const worker = await createWorker({ logLevel: 'warn' });
  try {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const transport = () => router.createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }], enableUdp: true, enableTcp: true });
    const send = await transport();
    const producer = await send.produce({ kind, rtpParameters });
    const receivers = await Promise.all(Array.from({ length: TRANSPORTS }, transport));
    // Let allocations settle (the first consumer warms up code paths and buffers).
    await receivers[0]!.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
    await new Promise((r) => setTimeout(r, 500));
    const before = rssKb(worker.pid);
    for (let i = 1; i < CONSUMERS + 1; i++) {
      await receivers[i % TRANSPORTS]!.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
    }
    await new Promise((r) => setTimeout(r, 500));
    return (rssKb(worker.pid) - before) / CONSUMERS;
  } finally {
    worker.close();
  }
}

const videoKb = await perConsumer('video', video);
const audioKb = await perConsumer('audio', audio);
console.log(`mediasoup ${version}: ${videoKb.toFixed(1)} KiB per video consumer, ${audioKb.toFixed(1)} KiB per audio consumer (${CONSUMERS} each)`);
printBench(`worker memory per video consumer (mediasoup ${version})`, videoKb, 'KiB', audioKb);
