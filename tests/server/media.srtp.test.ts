/**
 * The worker's SRTP session, adapted to Debian's libsrtp 2 (scripts/mediasoup/*.patch): code
 * upstream never ran, checked here against an independent SRTP and SRTCP (support/srtp.ts,
 * from the RFCs on node:crypto). For every crypto suite the worker offers, the test sends SRTP
 * the worker must decrypt and decrypts what the worker encrypts; replays, forgeries and
 * packets older than the replay window are refused; media keeps flowing across the 16-bit
 * sequence number's rollover. The same for RTCP (EncryptSrtcp, DecryptSrtcp): the test
 * decrypts the consumer's sender reports, and the worker takes in the test's SRTCP receiver
 * reports, which show in the consumer's stats, but not forged or replayed ones.
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
import {
  CRYPTO_SUITES,
  isRtcp,
  masterKeyLength,
  openSrtcp,
  receiverReport,
  rtcpPackets,
  rtpPacket,
  rtpPayload,
  sealSrtcp,
  senderReport,
  sessionKeys,
  SrtcpReceiver,
  SrtcpSender,
  SRTCP_REPLAY_WINDOW,
  srtcpTag,
  SrtpReceiver,
  SrtpSender,
  type CryptoSuite,
} from './support/srtp.js';

const OPUS_PT = 111;
const LOOPBACK = '127.0.0.1';
/** The SSRC the test's receiver reports come from (a receiver that sends no media of its own). */
const REPORTER_SSRC = 0x5eed_0001;

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
 * forwards to a consumer on `out`, which sends SRTP to the test's socket, and SRTCP sender
 * reports on the same port (rtcp-mux). The test's socket is the remote `out` is connected
 * to, so the worker also takes in the SRTCP the test sends from it.
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
  /** The sequence number (as the consumer numbers them) of the last RTP the test decrypted. */
  lastSeq: number | undefined;
  consumer: ms.Consumer;
  consumerSsrc: number;
  /** Encrypts the test's RTCP to `outbound`, with the key the test gave it. */
  rtcpSender: SrtcpSender;
  /** RTCP the test decrypted from the worker: its SRTCP index, and how much RTP had come before it. */
  reports: { rtcp: Buffer; index: number; rtpBefore: number }[];
  /** SRTCP from the worker that failed to authenticate here. */
  unauthenticRtcp: number;
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
  // What the test sends on `outbound` (only RTCP) goes under this key.
  const ourOutboundKey = randomBytes(masterKeyLength(suite));
  await outbound.connect({
    ip: LOOPBACK,
    port: recvSocket.address().port,
    srtpParameters: { cryptoSuite: suite, keyBase64: ourOutboundKey.toString('base64') },
  });
  const consumer = await outbound.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: false });
  const workerKey = Buffer.from(outbound.srtpParameters!.keyBase64, 'base64');
  const receiver = new SrtpReceiver(suite, workerKey);
  const rtcpReceiver = new SrtcpReceiver(suite, workerKey);
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
    lastSeq: undefined,
    consumer,
    consumerSsrc,
    rtcpSender: new SrtcpSender(suite, ourOutboundKey),
    reports: [],
    unauthenticRtcp: 0,
    close() {
      inbound.close();
      outbound.close();
      sendSocket.close();
      recvSocket.close();
    },
  };
  recvSocket.on('message', (packet: Buffer) => {
    if (isRtcp(packet)) {
      try {
        l.reports.push({ ...rtcpReceiver.unprotect(packet), rtpBefore: l.received.length });
      } catch {
        l.unauthenticRtcp++;
      }
      return;
    }
    if (packet.readUInt32BE(8) !== consumerSsrc) return;
    try {
      const rtp = receiver.unprotect(packet);
      l.received.push(rtpPayload(rtp));
      l.lastSeq = rtp.readUInt16BE(2);
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

/** Waits until the worker has taken in `bytes` on transport `t` (accepted or not). */
async function received(t: ms.PlainTransport, bytes: number): Promise<ms.PlainTransportStat> {
  await expect.poll(async () => (await stats(t)).bytesReceived, { timeout: 5_000 }).toBe(bytes);
  return stats(t);
}

/**
 * Sends `count` numbered RTP packets with sequence numbers from `seq`, waits until the test
 * has all of them back from the consumer, and returns the consumer's number for the last.
 */
async function flow(l: Loop, seq: number, count: number): Promise<number> {
  const before = l.received.length;
  for (let i = 0; i < count; i++) send(l, srtp(l, seq + i, seq + i));
  await expect.poll(() => l.received.length, { timeout: 5_000 }).toBe(before + count);
  return l.lastSeq!;
}

/** RTCP from the test to `outbound`, from the address it is connected to. */
function sendRtcp(l: Loop, packet: Buffer): void {
  l.recvSocket.send(packet, l.outbound.tuple.localPort, LOOPBACK);
}

/** A receiver report on the consumer's stream, as the test would send having received it. */
function report(l: Loop, block: { highestSeq: number; totalLost: number; fractionLost: number; jitter: number }): Buffer {
  return receiverReport(REPORTER_SSRC, { ssrc: l.consumerSsrc, ...block });
}

/**
 * What receiver reports leave in a consumer's stats (mediasoup's RtpStreamSend::
 * ReceiveRtcpReceiverReport): the jitter of the last one taken in, and, from the second report
 * on, the packets lost it counts by how much the reported total lost grew, and the fraction
 * that is (in 1/256) of the packets sent since the previous report.
 */
async function reported(consumer: ms.Consumer): Promise<{ jitter: number; packetsLost: number; fractionLost: number }> {
  const stat = (await consumer.getStats()).find((s) => s.type === 'outbound-rtp')!;
  return { jitter: stat.jitter, packetsLost: stat.packetsLost, fractionLost: stat.fractionLost };
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

describe('the test SRTCP', () => {
  // Section 17: one sender report with SDES, sealed under SRTCP index 0x5d4 with the session
  // key and salt given (no key derivation), for both GCM suites.
  const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
  const rtcp = hex('81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef');
  const salt = hex('517569642070726f2071756f');
  it.each([
    [
      '17.1',
      'AEAD_AES_128_GCM',
      '000102030405060708090a0b0c0d0e0f',
      `81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda
       4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4`,
    ],
    [
      '17.2',
      'AEAD_AES_256_GCM',
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
      `81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be
       8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4`,
    ],
  ] as const)('seals and opens the SRTCP of RFC 7714 section %s (%s)', (_section, suite, key, srtcp) => {
    const keys = { encKey: hex(key), authKey: Buffer.alloc(0), salt };
    expect(sealSrtcp(suite, keys, rtcp, 0x5d4).toString('hex')).toBe(hex(srtcp).toString('hex'));
    expect(openSrtcp(suite, keys, hex(srtcp))).toEqual({ rtcp, index: 0x5d4 });
  });

  it.each(CRYPTO_SUITES)('refuses, with %s, a forgery, a repeated index and one older than its replay window', (suite) => {
    const master = randomBytes(masterKeyLength(suite));
    const sender = new SrtcpSender(suite, master);
    const receiver = new SrtcpReceiver(suite, master);
    const rtcp = receiverReport(REPORTER_SSRC, { ssrc: 1, highestSeq: 2, totalLost: 3, fractionLost: 4, jitter: 5 });
    const zero = sender.protect(rtcp);
    const one = sender.protect(rtcp);
    // Out of order is fine, once each.
    expect(receiver.unprotect(one)).toEqual({ rtcp, index: 1 });
    expect(receiver.unprotect(zero)).toEqual({ rtcp, index: 0 });
    expect(() => receiver.unprotect(zero)).toThrow(/replayed/);
    const forged = sender.protect(rtcp);
    srtcpTag(suite, forged)[0]! ^= 0x01;
    expect(() => receiver.unprotect(forged)).toThrow(/authentication/);
    // The forgery did not use index 2 up.
    expect(receiver.unprotect(sender.protect(rtcp, 2)).index).toBe(2);
    const ahead = 2 + SRTCP_REPLAY_WINDOW;
    receiver.unprotect(sender.protect(rtcp, ahead));
    expect(() => receiver.unprotect(sender.protect(rtcp, ahead - SRTCP_REPLAY_WINDOW))).toThrow(/older than the replay window/);
    expect(receiver.unprotect(sender.protect(rtcp, ahead - SRTCP_REPLAY_WINDOW + 1)).index).toBe(ahead - SRTCP_REPLAY_WINDOW + 1);
    // Another key's SRTCP does not authenticate.
    expect(() => receiver.unprotect(new SrtcpSender(suite, randomBytes(masterKeyLength(suite))).protect(rtcp, 500))).toThrow(/authentication/);
  });
});

describe('the control for the SRTCP replay test', () => {
  it('without SRTCP a repeated receiver report is taken in again, so a refusal with SRTCP is SRTCP’s own', async () => {
    const listenInfo: ms.TransportListenInfo = { protocol: 'udp', ip: LOOPBACK };
    const inbound = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    const outbound = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
    const socket = await udpSocket();
    try {
      const producer = await inbound.produce({
        kind: 'audio',
        rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: randomBytes(4).readUInt32BE(0) }] },
      });
      await outbound.connect({ ip: LOOPBACK, port: socket.address().port });
      const consumer = await outbound.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: false });
      const ssrc = consumer.rtpParameters.encodings![0]!.ssrc!;
      const rr = (jitter: number) => receiverReport(REPORTER_SSRC, { ssrc, highestSeq: 0, totalLost: 0, fractionLost: 0, jitter });
      // The first report, another, then the first again byte for byte: each is taken in.
      const first = rr(2001);
      for (const [packet, jitter] of [[first, 2001], [rr(2002), 2002], [first, 2001]] as const) {
        socket.send(packet, outbound.tuple.localPort, LOOPBACK);
        await expect.poll(async () => (await reported(consumer)).jitter, { timeout: 5_000 }).toBe(jitter);
      }
    } finally {
      inbound.close();
      outbound.close();
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
    const before = await received(l.inbound, start.bytesReceived + single.length);
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
    const after = await received(l.inbound, before.bytesReceived + all.reduce((n, p) => n + p.length, 0));
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

  it('sends sender reports in SRTCP that an independent SRTCP decrypts', async () => {
    const sr = await loop(suite);
    // Media as a microphone sends it, every 20 ms: mediasoup reports about once a second, and
    // only on a stream that has sent in the last 2 s.
    let seq = 0;
    const media = setInterval(() => {
      send(sr, srtp(sr, seq, seq));
      seq++;
    }, 20);
    try {
      await expect.poll(() => sr.reports.length, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(2);
      expect(sr.unauthenticRtcp).toBe(0);
      const [a, b] = sr.reports;
      // One stream's SRTCP, numbered one by one.
      expect(b!.index).toBe(a!.index + 1);
      for (const { rtcp, rtpBefore } of [a!, b!]) {
        const [first, ...rest] = rtcpPackets(rtcp);
        expect(first!.type).toBe(200);
        const { ssrc, packetCount } = senderReport(first!.packet);
        expect(ssrc).toBe(sr.consumerSsrc);
        // Sent after the RTP it counts, on the same socket: what the test had received by then.
        expect(packetCount).toBeGreaterThan(0);
        expect(packetCount).toBe(rtpBefore);
        // With its CNAME (SDES), as RFC 3550 6.1 has every compound packet carry.
        expect(rest.map((p) => p.type)).toContain(202);
      }
    } finally {
      clearInterval(media);
      sr.close();
    }
  });

  it('takes in receiver reports in SRTCP from an independent SRTCP, and refuses forged and replayed ones', async () => {
    const rr = await loop(suite);
    try {
      // The first report only sets where the next one counts from; the second counts 5 of
      // the 20 packets since as lost: 64/256.
      const first = rr.rtcpSender.protect(report(rr, { highestSeq: await flow(rr, 1000, 20), totalLost: 0, fractionLost: 0, jitter: 1001 }));
      sendRtcp(rr, first);
      await expect.poll(() => reported(rr.consumer), { timeout: 5_000 }).toEqual({ jitter: 1001, packetsLost: 0, fractionLost: 0 });
      sendRtcp(rr, rr.rtcpSender.protect(report(rr, { highestSeq: await flow(rr, 1020, 20), totalLost: 5, fractionLost: 64, jitter: 1002 })));
      const taken = { jitter: 1002, packetsLost: 5, fractionLost: 64 };
      await expect.poll(() => reported(rr.consumer), { timeout: 5_000 }).toEqual(taken);

      // A third report (SRTCP index 2) would count 7 more lost of 20 more, and change the jitter.
      const third = report(rr, { highestSeq: await flow(rr, 1040, 20), totalLost: 12, fractionLost: 89, jitter: 1003 });
      const genuine = rr.rtcpSender.protect(third, 2);
      // Forged: one bit of its tag flipped; or one bit of its ciphertext, which flips the same
      // bit of the jitter (byte 23) underneath, as counter mode and GCM let through unless the
      // tag is checked.
      const forgedTag = Buffer.from(genuine);
      srtcpTag(suite, forgedTag)[0]! ^= 0x01;
      const forgedBody = Buffer.from(genuine);
      forgedBody[23]! ^= 0x10;
      // Replayed: the first report again byte for byte, after the second; and new contents
      // sealed under the second's index, which the worker has taken in already.
      const reused = rr.rtcpSender.protect(report(rr, { highestSeq: rr.lastSeq!, totalLost: 12, fractionLost: 89, jitter: 1004 }), 1);
      const refused = [forgedTag, forgedBody, first, reused];
      const start = await stats(rr.outbound);
      for (const p of refused) sendRtcp(rr, p);
      await received(rr.outbound, start.bytesReceived + refused.reduce((n, p) => n + p.length, 0));
      // All reached the worker; none changed what the second report left.
      expect(await reported(rr.consumer)).toEqual(taken);

      // The genuine third report, one bit away from each forgery, is taken in: that bit alone
      // kept the forgeries out, and refusing them did not use up index 2.
      sendRtcp(rr, genuine);
      await expect.poll(() => reported(rr.consumer), { timeout: 5_000 }).toEqual({ jitter: 1003, packetsLost: 12, fractionLost: 89 });
      expect(rr.unauthentic).toBe(0);
    } finally {
      rr.close();
    }
  });
});
