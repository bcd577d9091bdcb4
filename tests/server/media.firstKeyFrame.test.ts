/**
 * A camera's first key frame, as the SFU sees it (src/server/media/firstKeyFrame.ts), with real
 * VP8 packets sent to a real mediasoup worker: a delta frame is not it, a key frame is; a camera
 * that sends nothing is waited for a bounded time; audio is never waited for. The only plain
 * transports in the project are test-only ones on 127.0.0.1, as in media.srtp.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createWorker, type types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from '../../src/server/media/codecs.js';
import { FIRST_KEY_FRAME_WAIT_MS, firstKeyFrame, watchFirstKeyFrame } from '../../src/server/media/firstKeyFrame.js';
import { rtpPacket } from './support/srtp.js';

const LOOPBACK = '127.0.0.1';
const VP8_PT = 96;
let worker: ms.Worker;
let router: ms.Router;
let socket: Socket;

beforeAll(async () => {
  worker = await createWorker({ logLevel: 'error' });
  router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  socket = createSocket('udp4');
  socket.bind(0, LOOPBACK);
  await once(socket, 'listening');
});

afterAll(() => {
  socket.close();
  worker.close();
});

/**
 * One VP8 frame in one packet (RFC 7741): a payload descriptor starting a partition, then the
 * frame's header: its first bit says key frame (0) or not; a key frame carries the start code
 * and its size.
 */
function vp8Frame(key: boolean): Buffer {
  const descriptor = Buffer.from([0x10]); // S: the start of partition 0
  const tag = Buffer.from([key ? 0x10 : 0x11, 0x02, 0x00]);
  const keyHeader = key ? Buffer.from([0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01]) : Buffer.alloc(0); // 640×360
  return Buffer.concat([descriptor, tag, keyHeader, randomBytes(40)]);
}

/** A camera on a plain transport of its own, and a way to send it frames. */
async function camera(): Promise<{ producer: ms.Producer; send: (key: boolean) => void; close: () => void }> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: true, comedia: true });
  const ssrc = randomBytes(4).readUInt32BE(0);
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000 }], encodings: [{ ssrc }] },
  });
  let seq = 1;
  return {
    producer,
    send: (key) => {
      socket.send(rtpPacket({ payloadType: VP8_PT, seq, timestamp: seq * 3000, ssrc, payload: vp8Frame(key) }), transport.tuple.localPort, LOOPBACK);
      seq++;
    },
    close: () => transport.close(),
  };
}

/** Whether `promise` has settled within `ms`. */
const settlesWithin = (promise: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

const failed: unknown[] = [];
const onError = (err: unknown): void => void failed.push(err);

describe("a camera's first key frame", () => {
  it('is not a delta frame; is the key frame, once it reaches the SFU; and then nothing is waited for', async () => {
    const cam = await camera();
    try {
      watchFirstKeyFrame(cam.producer, onError);
      const waiting = firstKeyFrame(cam.producer.id);
      expect(waiting).not.toBeNull();
      cam.send(false);
      cam.send(false);
      expect(await settlesWithin(waiting!, 300)).toBe(false);
      const sent = Date.now();
      cam.send(true);
      expect(await settlesWithin(waiting!, 1_000)).toBe(true);
      expect(Date.now() - sent).toBeLessThan(FIRST_KEY_FRAME_WAIT_MS);
      expect(firstKeyFrame(cam.producer.id)).toBeNull();
      expect(failed).toEqual([]);
    } finally {
      cam.close();
    }
  });

  it('is waited for at most FIRST_KEY_FRAME_WAIT_MS from a camera that sends nothing; a closed camera is not waited for', async () => {
    const silent = await camera();
    const closing = await camera();
    try {
      watchFirstKeyFrame(silent.producer, onError);
      const start = Date.now();
      await firstKeyFrame(silent.producer.id);
      const waited = Date.now() - start;
      expect(waited).toBeGreaterThanOrEqual(FIRST_KEY_FRAME_WAIT_MS - 20);
      expect(waited).toBeLessThan(FIRST_KEY_FRAME_WAIT_MS + 1_000);

      watchFirstKeyFrame(closing.producer, onError);
      const waiting = firstKeyFrame(closing.producer.id)!;
      closing.producer.close();
      expect(await settlesWithin(waiting, 200)).toBe(true);
      expect(firstKeyFrame(closing.producer.id)).toBeNull();
    } finally {
      silent.close();
      closing.close();
    }
  });

  it('is never waited for from a microphone', async () => {
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: true, comedia: true });
    try {
      const mic = await transport.produce({
        kind: 'audio',
        rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1234 }] },
      });
      watchFirstKeyFrame(mic, onError);
      expect(firstKeyFrame(mic.id)).toBeNull();
    } finally {
      transport.close();
    }
  });
});
