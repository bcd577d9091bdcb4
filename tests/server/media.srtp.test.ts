/**
 * The worker's SRTP session, adapted to Debian's libsrtp 2 (scripts/mediasoup/*.patch): code
 * upstream never ran, checked here against an independent SRTP (support/srtp.ts, from the
 * RFCs on node:crypto). For every crypto suite the worker offers, the test sends SRTP the
 * worker must decrypt and decrypts what the worker encrypts; replays, forgeries and packets
 * older than the replay window are refused; media keeps flowing across the 16-bit sequence
 * number's rollover.
 *
 * The only plain transports in the project are these, test-only, on 127.0.0.1: the session
 * server makes WebRTC transports alone (see docs/security.md).
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createWorker, type types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from '../../src/server/media/codecs.js';
import { CRYPTO_SUITES, masterKeyLength, rtpPacket, rtpPayload, sessionKeys, SrtpReceiver, SrtpSender, type CryptoSuite } from './support/srtp.js';

const OPUS_PT = 111;
const LOOPBACK = '127.0.0.1';

let worker: ms.Worker;
let router: ms.Router;
beforeAll(async () => {
  worker = await createWorker({ logLevel: 'warn' });
  router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
});
afterAll(() => worker.close());

async function udpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, LOOPBACK);
  await once(socket, 'listening');
  return socket;
}

/**
 * SRTP into the worker and out again: the test sends on `in` (a producer), the worker
 * forwards to a consumer on `out`, which sends SRTP to the test's socket.
 */
interface Loop {
  suite: CryptoSuite;
  inbound: ms.PlainTransport;
  outbound: ms.PlainTransport;
  sendSocket: Socket;
  recvSocket: Socket;
  sender: SrtpSender;
  ssrc: number;
  /** Payloads the test decrypted from the worker, in arrival order. */
  received: Buffer[];
  /** Packets from the worker that failed to authenticate here. */
  unauthentic: number;
  close(): void;
}

async function loop(suite: CryptoSuite): Promise<Loop> {
  const ourKey = randomBytes(masterKeyLength(suite));
  const listenInfo: ms.TransportListenInfo = { protocol: 'udp', ip: LOOPBACK };
  const inbound = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true, enableSrtp: true, srtpCryptoSuite: suite });
  await inbound.connect({ srtpParameters: { cryptoSuite: suite, keyBase64: ourKey.toString('base64') } });
  const ssrc = randomBytes(4).readUInt32BE(0);
  const producer = await inbound.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc }],
    },
  });

  const recvSocket = await udpSocket();
  const outbound = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: suite });
  await outbound.connect({
    ip: LOOPBACK,
    port: recvSocket.address().port,
    srtpParameters: { cryptoSuite: suite, keyBase64: randomBytes(masterKeyLength(suite)).toString('base64') },
  });
  const consumer = await outbound.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: false });
  const workerKey = Buffer.from(outbound.srtpParameters!.keyBase64, 'base64');
  const receiver = new SrtpReceiver(suite, workerKey);
  const consumerSsrc = consumer.rtpParameters.encodings![0]!.ssrc!;

  const sendSocket = await udpSocket();
  const l: Loop = {
    suite,
    inbound,
    outbound,
    sendSocket,
    recvSocket,
    sender: new SrtpSender(suite, ourKey),
    ssrc,
    received: [],
    unauthentic: 0,
    close() {
      inbound.close();
      outbound.close();
      sendSocket.close();
      recvSocket.close();
    },
  };
  recvSocket.on('message', (packet: Buffer) => {
    // RTCP (sender reports) shares the port (rtcp-mux); only the consumer's RTP is checked.
    const pt = packet[1]! & 0x7f;
    if (pt >= 64 && pt <= 95) return;
    if (packet.readUInt32BE(8) !== consumerSsrc) return;
    try {
      l.received.push(rtpPayload(receiver.unprotect(packet)));
    } catch {
      l.unauthentic++;
    }
  });
  return l;
}

function send(l: Loop, packet: Buffer): void {
  l.sendSocket.send(packet, l.inbound.tuple.localPort, LOOPBACK);
}

/** A numbered payload, so what comes out can be matched with what went in. */
function payload(n: number): Buffer {
  const p = Buffer.alloc(40, n & 0xff);
  p.writeUInt32BE(n, 0);
  return p;
}

function srtp(l: Loop, seq: number, n: number): Buffer {
  return l.sender.protect(rtpPacket({ payloadType: OPUS_PT, seq, timestamp: seq * 960, ssrc: l.ssrc, payload: payload(n) }));
}

const numbers = (l: Loop) => l.received.map((p) => p.readUInt32BE(0));

async function stats(t: ms.PlainTransport): Promise<ms.PlainTransportStat> {
  const [s] = await t.getStats();
  return s!;
}

/** Waits until the worker has taken in `bytes` on the inbound transport (accepted or not). */
async function received(l: Loop, bytes: number): Promise<ms.PlainTransportStat> {
  await expect.poll(async () => (await stats(l.inbound)).bytesReceived, { timeout: 5_000 }).toBe(bytes);
  return stats(l.inbound);
}

describe('the test SRTP matches RFC 3711', () => {
  it('derives the session keys of Appendix B.3', () => {
    const master = Buffer.from('E1F97A0D3E018BE0D64FA32C06DE4139' + '0EC675AD498AFEEBB6960B3AABE6', 'hex');
    const keys = sessionKeys('AES_CM_128_HMAC_SHA1_80', master);
    expect(keys.encKey.toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(keys.salt.toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(keys.authKey.toString('hex').toUpperCase()).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });
});

describe('the control for the replay test', () => {
  it('without SRTP a duplicate packet counts twice, so a refusal with SRTP is SRTP’s own', async () => {
    const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: true, comedia: true });
    const socket = await udpSocket();
    try {
      const ssrc = randomBytes(4).readUInt32BE(0);
      await plain.produce({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] } });
      const packet = rtpPacket({ payloadType: OPUS_PT, seq: 5, timestamp: 960, ssrc, payload: payload(1) });
      socket.send(packet, plain.tuple.localPort, LOOPBACK);
      await expect.poll(async () => (await stats(plain)).bytesReceived, { timeout: 5_000 }).toBe(packet.length);
      const unit = (await stats(plain)).rtpBytesReceived;
      socket.send(packet, plain.tuple.localPort, LOOPBACK);
      await expect.poll(async () => (await stats(plain)).bytesReceived, { timeout: 5_000 }).toBe(2 * packet.length);
      expect((await stats(plain)).rtpBytesReceived).toBe(2 * unit);
    } finally {
      plain.close();
      socket.close();
    }
  });
});

describe.each(CRYPTO_SUITES)('the worker’s SRTP with %s', (suite) => {
  let l: Loop;
  beforeAll(async () => {
    l = await loop(suite);
  });
  afterAll(() => l.close());

  it('decrypts what an independent SRTP encrypts and encrypts what it decrypts', async () => {
    const first = 1000 + Math.floor(Math.random() * 1000);
    for (let i = 0; i < 20; i++) send(l, srtp(l, first + i, i));
    await expect.poll(() => l.received.length, { timeout: 5_000 }).toBe(20);
    expect(numbers(l)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(l.received[7]).toEqual(payload(7));
    expect(l.unauthentic).toBe(0);
  });

  it('refuses replayed and forged packets, and packets older than its replay window', async () => {
    const base = 3000;
    // What one accepted packet adds to rtpBytesReceived (it counts what passed SRTP, by
    // mediasoup's own measure of a packet), from one packet alone.
    const start = await stats(l.inbound);
    const single = srtp(l, base - 1, 99);
    send(l, single);
    const before = await received(l, start.bytesReceived + single.length);
    const unit = before.rtpBytesReceived - start.rtpBytesReceived;
    expect(unit).toBeGreaterThan(0);
    const originals = Array.from({ length: 5 }, (_, i) => srtp(l, base + i, 100 + i));
    for (const p of originals) send(l, p);
    // Each again, byte for byte: a replay.
    for (const p of originals) send(l, p);
    // A packet whose last byte (in its tag) is flipped: a forgery.
    const forged = Buffer.from(srtp(l, base + 5, 105));
    forged[forged.length - 1]! ^= 0x01;
    send(l, forged);
    // Far ahead, then one behind the 1024-packet window that was never seen.
    const ahead = srtp(l, base + 3000, 106);
    const stale = srtp(l, base + 1000, 107);
    send(l, ahead);
    await expect.poll(() => numbers(l).includes(106), { timeout: 5_000 }).toBe(true);
    send(l, stale);
    const all = [...originals, ...originals, forged, ahead, stale];
    const after = await received(l, before.bytesReceived + all.reduce((n, p) => n + p.length, 0));
    // Every packet reached the worker; only the five originals and the one ahead were taken in.
    expect((after.rtpBytesReceived - before.rtpBytesReceived) / unit).toBe(6);
    expect(numbers(l).filter((n) => n >= 99)).toEqual([99, 100, 101, 102, 103, 104, 106]);
  });

  it('keeps media flowing across the sequence number’s rollover past 65,535', async () => {
    // A stream of its own that starts just below the wrap, as one does after ~22 minutes of audio.
    const wrap = await loop(suite);
    try {
      const seqs = Array.from({ length: 60 }, (_, i) => (65_506 + i) & 0xffff);
      expect(seqs).toContain(65_535);
      expect(seqs).toContain(0);
      seqs.forEach((seq, i) => send(wrap, srtp(wrap, seq, 200 + i)));
      await expect.poll(() => wrap.received.length, { timeout: 5_000 }).toBe(seqs.length);
      expect(numbers(wrap)).toEqual(seqs.map((_, i) => 200 + i));
      expect(wrap.unauthentic).toBe(0);
    } finally {
      wrap.close();
    }
  });
});
