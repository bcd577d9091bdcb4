/**
 * One WebRTC transport of a simulated client, over real ICE and DTLS-SRTP to a mediasoup
 * WebRtcTransport, for bench/capacity.ts. werift supplies ICE (controlling, with consent
 * checks every ~5 s, which keep mediasoup's ICE-lite side alive), the DTLS 1.2 handshake
 * (client role) and the SRTP contexts; the RTP it sends is built here: an Opus-like audio
 * stream and a VP8 stream with a valid payload descriptor and periodic key frames.
 *
 * Receiving costs the load generator, not the SFU, so it is kept light: every datagram the
 * SFU sends is counted; every RTCP packet is decrypted (and a PLI or FIR for one of our
 * video streams brings a key frame forward); one RTP packet in `DECRYPT_EVERY` is decrypted
 * and checked, so the run shows that what arrives is real SRTP from the SFU.
 */
import { randomInt } from 'node:crypto';
import {
  IceCandidate,
  RTCCertificate,
  RTCDtlsFingerprint,
  RTCDtlsParameters,
  RTCDtlsTransport,
  RTCIceGatherer,
  RTCIceParameters,
  RTCIceTransport,
  RtpHeader,
} from 'werift';

/** What `createTransport` answers (Confidant's and the bare baseline's alike). */
export interface ServerTransport {
  id: string;
  iceParameters: { usernameFragment: string; password: string; iceLite?: boolean };
  iceCandidates: { foundation: string; priority: number; address?: string; ip?: string; port: number; protocol: string; type: string }[];
  dtlsParameters: { role?: string; fingerprints: { algorithm: string; value: string }[] };
}

/** Tallies shared by every transport of the generator. */
export interface PeerCounters {
  rtpSent: number;
  rtpBytesSent: number;
  /** Datagrams from the SFU that are RTP (media and probation padding), and their bytes. */
  rtpReceived: number;
  rtpBytesReceived: number;
  rtcpReceived: number;
  /** Sampled RTP packets whose SRTP authentication passed, or failed. */
  decryptedOk: number;
  decryptFailed: number;
  /** PLI or FIR from the SFU for one of our video streams. */
  keyFrameRequests: number;
}

export function newCounters(): PeerCounters {
  return { rtpSent: 0, rtpBytesSent: 0, rtpReceived: 0, rtpBytesReceived: 0, rtcpReceived: 0, decryptedOk: 0, decryptFailed: 0, keyFrameRequests: 0 };
}

const DECRYPT_EVERY = 64;

/** Header extension ids the producers declare (the router's preferred ids). */
export const EXT = { mid: 1, absSendTime: 4, transportCc: 5, audioLevel: 6 } as const;

/** A werift DTLS transport that leaves decryption of incoming media to us (see `onData` below). */
class LeanDtlsTransport extends RTCDtlsTransport {
  override startSrtp(): void {
    if (this.srtpStarted) return;
    this.srtpStarted = true;
    this.updateSrtpSession();
  }
}

let certificate: Promise<RTCCertificate> | undefined;

/** One self-signed ECDSA certificate for every transport of this process, as a browser has one per peer connection. */
function localCertificate(): Promise<RTCCertificate> {
  certificate ??= RTCDtlsTransport.SetupCertificate();
  return certificate;
}

/** The PLI/FIR media SSRCs in a decrypted compound RTCP packet. */
function keyFrameRequestsIn(rtcp: Buffer): number[] {
  const ssrcs: number[] = [];
  let offset = 0;
  while (offset + 4 <= rtcp.length) {
    const fmt = rtcp[offset]! & 0x1f;
    const pt = rtcp[offset + 1]!;
    const length = (rtcp.readUInt16BE(offset + 2) + 1) * 4;
    if (pt === 206 && fmt === 1 && offset + 12 <= rtcp.length) ssrcs.push(rtcp.readUInt32BE(offset + 8));
    if (pt === 206 && fmt === 4 && offset + 16 <= rtcp.length) ssrcs.push(rtcp.readUInt32BE(offset + 12));
    offset += length;
  }
  return ssrcs;
}

export class PeerTransport {
  /** Transport-wide sequence number (transport-cc), one counter per transport as in a browser. */
  private twccSeq = randomInt(0, 0xffff);
  private received = 0;
  /** Called with the SSRC of a PLI/FIR target. */
  onKeyFrameRequest: (ssrc: number) => void = () => {};

  private constructor(
    readonly id: string,
    private readonly ice: RTCIceTransport,
    private readonly dtls: LeanDtlsTransport,
    private readonly counters: PeerCounters,
  ) {}

  /**
   * Gathers a host candidate on `localAddress` (a loopback address), then calls `connect`
   * with our DTLS parameters (the signaling's `connectTransport`), then runs ICE and the
   * DTLS handshake against the server's transport.
   */
  static async open(
    server: ServerTransport,
    localAddress: string,
    counters: PeerCounters,
    connect: (dtlsParameters: { role: 'client'; fingerprints: { algorithm: string; value: string }[] }) => Promise<void>,
  ): Promise<PeerTransport> {
    const gatherer = new RTCIceGatherer({
      // Only the loopback address we are given: no other interface is gathered or used.
      useIpv4: false,
      useIpv6: false,
      useTcp: false,
      additionalHostAddresses: [localAddress],
      interfaceAddresses: { udp4: localAddress },
    });
    await gatherer.gather();
    const ice = new RTCIceTransport(gatherer);
    ice.connection.iceControlling = true;
    ice.setRemoteParams(
      new RTCIceParameters({ iceLite: server.iceParameters.iceLite ?? true, usernameFragment: server.iceParameters.usernameFragment, password: server.iceParameters.password }),
    );
    for (const c of server.iceCandidates) {
      const ip = c.address ?? c.ip;
      if (c.protocol !== 'udp' || !ip) continue;
      if (!ip.startsWith('127.')) throw new Error(`refusing a non-loopback media address: ${ip}`);
      await ice.addRemoteCandidate(new IceCandidate(1, c.foundation, ip, c.port, c.priority, 'udp', c.type));
    }
    await ice.addRemoteCandidate(undefined);

    const cert = await localCertificate();
    // werift's profile ids: AEAD_AES_128_GCM (7) first, then AES_CM_128_HMAC_SHA1_80 (1), as browsers offer.
    const dtls = new LeanDtlsTransport({}, ice, cert, [7, 1]);
    dtls.role = 'client';
    dtls.setRemoteParams(
      new RTCDtlsParameters(
        server.dtlsParameters.fingerprints.map((f) => new RTCDtlsFingerprint(f.algorithm, f.value)),
        'server',
      ),
    );
    await connect({ role: 'client', fingerprints: cert.getFingerprints().map((f) => ({ algorithm: f.algorithm, value: f.value })) });
    await ice.start();
    await dtls.start();
    const peer = new PeerTransport(server.id, ice, dtls, counters);
    ice.connection.onData.subscribe((data) => peer.onData(data));
    return peer;
  }

  private onData(data: Buffer): void {
    const first = data[0]!;
    if (first < 128 || first > 191 || data.length < 12) return; // STUN and DTLS are werift's.
    const pt = data[1]!;
    if (pt >= 192 && pt <= 223) {
      this.counters.rtcpReceived++;
      let plain: Buffer;
      try {
        plain = this.dtls.srtcp.decrypt(data);
      } catch {
        this.counters.decryptFailed++;
        return;
      }
      for (const ssrc of keyFrameRequestsIn(plain)) {
        this.counters.keyFrameRequests++;
        this.onKeyFrameRequest(ssrc);
      }
      return;
    }
    this.counters.rtpReceived++;
    this.counters.rtpBytesReceived += data.length;
    if (++this.received % DECRYPT_EVERY !== 0) return;
    try {
      this.dtls.srtp.decrypt(data);
      this.counters.decryptedOk++;
    } catch {
      // A failed check (werift's SrtpAuthenticationError, or a packet it cannot parse) is
      // counted, not fatal: a damaged or replayed packet is one a receiver drops.
      this.counters.decryptFailed++;
    }
  }

  /** Encrypts and sends one RTP packet; the header gets this transport's transport-cc number. */
  send(header: RtpHeader, payload: Buffer): void {
    this.twccSeq = (this.twccSeq + 1) & 0xffff;
    const twcc = Buffer.allocUnsafe(2);
    twcc.writeUInt16BE(this.twccSeq);
    header.extensions.push({ id: EXT.transportCc, payload: twcc });
    this.counters.rtpSent++;
    void this.dtls.sendRtp(payload, header).then((bytes) => {
      this.counters.rtpBytesSent += bytes;
    });
  }

  /** The SRTP profile the SFU chose (werift's id: 7 AEAD_AES_128_GCM, 1 AES_CM_128_HMAC_SHA1_80). */
  get srtpProfile(): number | undefined {
    return this.dtls.dtls?.srtp.srtpProfile;
  }

  async close(): Promise<void> {
    await this.dtls.stop().catch(() => {});
  }
}

/** abs-send-time: 6.18 fixed-point seconds, 24 bits. */
function absSendTime(nowMs: number): Buffer {
  const v = Math.floor(((nowMs / 1000) * (1 << 18)) % (1 << 24));
  const b = Buffer.allocUnsafe(3);
  b.writeUIntBE(v, 0, 3);
  return b;
}

/**
 * Opus-like audio: one 20 ms packet every 20 ms (50 packets/s), 100 bytes of payload
 * (40 kbit/s): a TOC byte for a 20 ms frame, then noise; the audio level extension as a
 * browser sends it.
 */
export class AudioStream {
  static readonly INTERVAL_MS = 20;
  static readonly PAYLOAD_BYTES = 100;
  readonly ssrc = randomInt(1, 2 ** 31);
  private seq = randomInt(0, 0xffff);
  private timestamp = randomInt(0, 2 ** 31);
  private readonly payload: Buffer;

  constructor(
    private readonly transport: PeerTransport,
    readonly payloadType: number,
  ) {
    this.payload = Buffer.alloc(AudioStream.PAYLOAD_BYTES, 0x55);
    this.payload[0] = 0x78; // TOC: config 15 (hybrid, fullband, 20 ms), mono, one frame.
  }

  /** One packet. */
  tick(): void {
    this.seq = (this.seq + 1) & 0xffff;
    this.timestamp = (this.timestamp + 960) >>> 0; // 20 ms at 48 kHz
    const header = new RtpHeader({
      payloadType: this.payloadType,
      sequenceNumber: this.seq,
      timestamp: this.timestamp,
      ssrc: this.ssrc,
      marker: false,
      extension: true,
      extensions: [{ id: EXT.audioLevel, payload: Buffer.from([0x80 | randomInt(20, 60)]) }],
    });
    // Fresh noise in a few bytes so no two payloads are alike; the rest is filler.
    this.payload.writeUInt32BE(randomInt(0, 2 ** 32 - 1) >>> 0, 4);
    this.transport.send(header, this.payload);
  }
}

/**
 * VP8-like video at 30 frames/s: a delta frame is one packet of 1,150 bytes of payload, and a
 * key frame (every 2 s, or at the next frame after a PLI/FIR) is ten such packets, about
 * 320 kbit/s of payload and 35 packets/s. Each packet starts with a VP8 payload descriptor as
 * Chrome writes it (X, I with a 15-bit picture id, L with TL0PICIDX, T with TID 0, S on a
 * frame's first packet); a frame's first packet carries the VP8 payload header, whose
 * inverse key-frame bit and start code mediasoup reads to tell a key frame.
 */
export class VideoStream {
  static readonly FRAME_INTERVAL_MS = 1000 / 30;
  static readonly KEY_FRAME_EVERY = 60;
  static readonly PACKET_PAYLOAD_BYTES = 1150;
  static readonly KEY_FRAME_PACKETS = 10;
  readonly ssrc = randomInt(1, 2 ** 31);
  private seq = randomInt(0, 0xffff);
  private timestamp = randomInt(0, 2 ** 31);
  private pictureId = randomInt(0, 0x7fff);
  private tl0PicIdx = randomInt(0, 0xff);
  private frames = 0;
  private keyFrameWanted = true;
  private readonly body = Buffer.alloc(VideoStream.PACKET_PAYLOAD_BYTES, 0x33);

  constructor(
    private readonly transport: PeerTransport,
    readonly payloadType: number,
  ) {}

  requestKeyFrame(): void {
    this.keyFrameWanted = true;
  }

  /** One frame (one packet, or a key frame's ten). */
  tick(nowMs: number): void {
    const key = this.keyFrameWanted || this.frames % VideoStream.KEY_FRAME_EVERY === 0;
    this.keyFrameWanted = false;
    this.frames++;
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    this.tl0PicIdx = (this.tl0PicIdx + 1) & 0xff;
    this.timestamp = (this.timestamp + 3000) >>> 0; // 1/30 s at 90 kHz
    const packets = key ? VideoStream.KEY_FRAME_PACKETS : 1;
    for (let i = 0; i < packets; i++) {
      const first = i === 0;
      const descriptor = Buffer.from([
        0x80 | (first ? 0x10 : 0), // X, S on the first packet, partition 0
        0xe0, // I, L, T
        0x80 | (this.pictureId >> 8), // M (15-bit picture id)
        this.pictureId & 0xff,
        this.tl0PicIdx,
        0x20, // TID 0, Y
      ]);
      if (first) {
        // VP8 payload header: P (inverse key frame) in bit 0, show_frame, and for a key
        // frame the start code and 640×360.
        this.body[0] = key ? 0x10 : 0x11;
        this.body[1] = 0x02;
        this.body[2] = 0x00;
        if (key) {
          this.body.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01], 3);
        }
      } else {
        this.body[0] = 0x33;
      }
      this.body.writeUInt32BE(randomInt(0, 2 ** 32 - 1) >>> 0, 12);
      this.seq = (this.seq + 1) & 0xffff;
      const header = new RtpHeader({
        payloadType: this.payloadType,
        sequenceNumber: this.seq,
        timestamp: this.timestamp,
        ssrc: this.ssrc,
        marker: i === packets - 1,
        extension: true,
        extensions: [{ id: EXT.absSendTime, payload: absSendTime(nowMs) }],
      });
      this.transport.send(header, Buffer.concat([descriptor, this.body]));
    }
  }
}
