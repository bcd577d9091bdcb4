/**
 * SRTP and SRTCP (RFC 3711) and their AES-GCM profiles (RFC 7714), written from the RFCs on
 * node:crypto, so the tests check the worker's libsrtp against an independent implementation:
 * the test encrypts what the worker must decrypt, and decrypts what the worker encrypted.
 * Test-only: no MKI, key derivation rate 0, SRTCP always encrypted (E = 1, as libsrtp sends it).
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import type { types as ms } from 'mediasoup';

export type CryptoSuite = ms.SrtpCryptoSuite;

export const CRYPTO_SUITES: readonly CryptoSuite[] = ['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

interface SuiteShape {
  keyLen: number;
  saltLen: number;
  gcm: boolean;
  /** Bytes of authentication tag appended (GCM's is its own). */
  tagLen: number;
}

const SHAPES: Record<CryptoSuite, SuiteShape> = {
  AEAD_AES_256_GCM: { keyLen: 32, saltLen: 12, gcm: true, tagLen: 16 },
  AEAD_AES_128_GCM: { keyLen: 16, saltLen: 12, gcm: true, tagLen: 16 },
  AES_CM_128_HMAC_SHA1_80: { keyLen: 16, saltLen: 14, gcm: false, tagLen: 10 },
  AES_CM_128_HMAC_SHA1_32: { keyLen: 16, saltLen: 14, gcm: false, tagLen: 4 },
};

/** Master key and salt, concatenated as SDES and mediasoup's keyBase64 carry them. */
export function masterKeyLength(suite: CryptoSuite): number {
  return SHAPES[suite].keyLen + SHAPES[suite].saltLen;
}

/** RFC 3711 4.3.1 and 4.3.3: the AES-CM PRF keyed with the master key, over the salt with `label` at octet 7. */
function derive(suite: CryptoSuite, master: Buffer, label: number, length: number): Buffer {
  const { keyLen, saltLen } = SHAPES[suite];
  const key = master.subarray(0, keyLen);
  // A 96-bit GCM salt is right-padded with zeros to the PRF's 112 bits (RFC 7714 section 11).
  const x = Buffer.alloc(16);
  master.copy(x, 0, keyLen, keyLen + saltLen);
  x[7]! ^= label;
  const cipher = createCipheriv(keyLen === 32 ? 'aes-256-ctr' : 'aes-128-ctr', key, x);
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

export interface SessionKeys {
  encKey: Buffer;
  authKey: Buffer;
  salt: Buffer;
}

/**
 * RFC 3711 4.3.1 and 4.3.2: the encryption, authentication and salt keys come from labels `first`,
 * `first + 1` and `first + 2`: 0x00-0x02 for SRTP, 0x03-0x05 for SRTCP.
 */
function keysFromLabels(suite: CryptoSuite, master: Buffer, first: number): SessionKeys {
  const { keyLen, saltLen, gcm } = SHAPES[suite];
  if (master.length !== keyLen + saltLen) throw new Error(`${suite} needs ${keyLen + saltLen} bytes of key and salt`);
  return {
    encKey: derive(suite, master, first, keyLen),
    authKey: gcm ? Buffer.alloc(0) : derive(suite, master, first + 1, 20),
    salt: derive(suite, master, first + 2, saltLen),
  };
}

export function sessionKeys(suite: CryptoSuite, master: Buffer): SessionKeys {
  return keysFromLabels(suite, master, 0x00);
}

/**
 * The SRTCP session keys: the same master, its own labels, so they share nothing with SRTP's.
 * The label sits at octet 7 as for SRTP, where libsrtp puts it; NIST's SP 800-135 SRTP KDF
 * vectors right-align a 32-bit SRTCP index after the label instead (octet 9), so their SRTCP
 * keys are not libsrtp's and cannot serve as a known answer here.
 */
export function srtcpSessionKeys(suite: CryptoSuite, master: Buffer): SessionKeys {
  return keysFromLabels(suite, master, 0x03);
}

/** Where an RTP packet's header (with CSRCs and extension) ends. */
function headerLength(packet: Buffer): number {
  const csrcs = packet[0]! & 0x0f;
  let len = 12 + 4 * csrcs;
  if (packet[0]! & 0x10) len += 4 + 4 * packet.readUInt16BE(len + 2);
  return len;
}

function counterIv(keys: SessionKeys, ssrc: number, index: bigint): Buffer {
  // RFC 3711 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
  const iv = Buffer.alloc(16);
  keys.salt.copy(iv, 0);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  const i = Buffer.alloc(8);
  i.writeBigUInt64BE(index << 16n);
  for (let b = 8; b < 16; b++) iv[b]! ^= i[b - 8]!;
  return iv;
}

function gcmCipher(suite: CryptoSuite): 'aes-256-gcm' | 'aes-128-gcm' {
  return suite === 'AEAD_AES_256_GCM' ? 'aes-256-gcm' : 'aes-128-gcm';
}

function gcmIv(keys: SessionKeys, ssrc: number, roc: number, seq: number): Buffer {
  // RFC 7714 8.1: 00 00 || SSRC || ROC || SEQ, XOR the session salt.
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc >>> 0, 2);
  iv.writeUInt32BE(roc >>> 0, 6);
  iv.writeUInt16BE(seq, 10);
  for (let b = 0; b < 12; b++) iv[b]! ^= keys.salt[b]!;
  return iv;
}

function authTag(keys: SessionKeys, suite: CryptoSuite, authenticated: Buffer, roc: number): Buffer {
  const rocBytes = Buffer.alloc(4);
  rocBytes.writeUInt32BE(roc >>> 0);
  return createHmac('sha1', keys.authKey).update(authenticated).update(rocBytes).digest().subarray(0, SHAPES[suite].tagLen);
}

/** Encrypts RTP for one SSRC, keeping the rollover counter as the sequence wraps. */
export class SrtpSender {
  private readonly keys: SessionKeys;
  private roc = 0;
  private lastSeq: number | undefined;

  constructor(
    private readonly suite: CryptoSuite,
    master: Buffer,
  ) {
    this.keys = sessionKeys(suite, master);
  }

  protect(rtp: Buffer): Buffer {
    const seq = rtp.readUInt16BE(2);
    const ssrc = rtp.readUInt32BE(8);
    if (this.lastSeq !== undefined && seq < this.lastSeq && this.lastSeq - seq > 0x8000) this.roc++;
    this.lastSeq = seq;
    const hlen = headerLength(rtp);
    const header = rtp.subarray(0, hlen);
    const payload = rtp.subarray(hlen);
    if (SHAPES[this.suite].gcm) {
      const cipher = createCipheriv(gcmCipher(this.suite), this.keys.encKey, gcmIv(this.keys, ssrc, this.roc, seq));
      cipher.setAAD(header);
      return Buffer.concat([header, cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
    }
    const index = (BigInt(this.roc) << 16n) | BigInt(seq);
    const cipher = createCipheriv('aes-128-ctr', this.keys.encKey, counterIv(this.keys, ssrc, index));
    const sealed = Buffer.concat([header, cipher.update(payload), cipher.final()]);
    return Buffer.concat([sealed, authTag(this.keys, this.suite, sealed, this.roc)]);
  }
}

/**
 * Decrypts and authenticates what one SSRC sends, estimating the rollover counter as RFC
 * 3711 3.3.1 does; throws on a packet that does not authenticate.
 */
export class SrtpReceiver {
  private readonly keys: SessionKeys;
  private roc = 0;
  private highestSeq: number | undefined;

  constructor(
    private readonly suite: CryptoSuite,
    master: Buffer,
  ) {
    this.keys = sessionKeys(suite, master);
  }

  unprotect(srtp: Buffer): Buffer {
    const seq = srtp.readUInt16BE(2);
    const ssrc = srtp.readUInt32BE(8);
    let roc = this.roc;
    if (this.highestSeq !== undefined) {
      if (this.highestSeq < 0x8000 && seq - this.highestSeq > 0x8000) roc = this.roc - 1;
      else if (this.highestSeq >= 0x8000 && this.highestSeq - seq > 0x8000) roc = this.roc + 1;
    }
    const hlen = headerLength(srtp);
    const { tagLen, gcm } = SHAPES[this.suite];
    const header = srtp.subarray(0, hlen);
    const body = srtp.subarray(hlen, srtp.length - tagLen);
    const tag = srtp.subarray(srtp.length - tagLen);
    let payload: Buffer;
    if (gcm) {
      const decipher = createDecipheriv(gcmCipher(this.suite), this.keys.encKey, gcmIv(this.keys, ssrc, roc, seq));
      decipher.setAAD(header);
      decipher.setAuthTag(tag);
      payload = Buffer.concat([decipher.update(body), decipher.final()]);
    } else {
      const expected = authTag(this.keys, this.suite, srtp.subarray(0, srtp.length - tagLen), roc);
      if (!timingSafeEqual(expected, tag)) throw new Error('SRTP authentication failed');
      const index = (BigInt(roc) << 16n) | BigInt(seq);
      const decipher = createDecipheriv('aes-128-ctr', this.keys.encKey, counterIv(this.keys, ssrc, index));
      payload = Buffer.concat([decipher.update(body), decipher.final()]);
    }
    if (roc > this.roc || (roc === this.roc && (this.highestSeq === undefined || seq > this.highestSeq))) {
      this.roc = roc;
      this.highestSeq = seq;
    }
    return Buffer.concat([header, payload]);
  }
}

/** The E flag: the high bit of the word after the RTCP that carries the SRTCP index. */
const SRTCP_E = 0x8000_0000;
/** RFC 3711 3.4: the SRTCP index has 31 bits; the master key must be replaced before it runs out. */
const SRTCP_INDEX_MAX = 0x7fff_ffff;
/** How many indices below the highest one the receiver remembers (RFC 3711 3.3.2): libsrtp's 128. */
export const SRTCP_REPLAY_WINDOW = 128;

/**
 * SRTCP's tag: GCM's own 16 bytes, and 80 bits for both AES-CM suites. SRTP_AES128_CM_HMAC_SHA1_32
 * shortens only SRTP's tag: RFC 5764 4.1.2 gives its RTCP an 80-bit tag (RFC 3711 7.5 warns
 * against short tags for RTCP), as libsrtp's profile does.
 */
function srtcpTagLength(suite: CryptoSuite): number {
  return SHAPES[suite].gcm ? 16 : 10;
}

/**
 * Where the tag and the E|index word of an SRTCP packet of `length` bytes start; the encrypted
 * part runs from byte 8 to whichever comes first. RFC 3711 3.4: header (8 bytes: the first
 * header word and the sender's SSRC) || encrypted part || E|index || tag. RFC 7714 9: GCM's
 * tag belongs to the ciphertext, so it comes before the E|index word.
 */
function srtcpLayout(suite: CryptoSuite, length: number): { tag: number; word: number } {
  const tagLen = srtcpTagLength(suite);
  if (length < 8 + tagLen + 4) throw new Error(`SRTCP of ${length} bytes is too short for ${suite}`);
  return SHAPES[suite].gcm ? { tag: length - 4 - tagLen, word: length - 4 } : { tag: length - tagLen, word: length - tagLen - 4 };
}

/** The tag of an SRTCP packet, as a view into it (writing to it changes the packet). */
export function srtcpTag(suite: CryptoSuite, srtcp: Buffer): Buffer {
  const { tag } = srtcpLayout(suite, srtcp.length);
  return srtcp.subarray(tag, tag + srtcpTagLength(suite));
}

function srtcpGcmIv(keys: SessionKeys, ssrc: number, index: number): Buffer {
  // RFC 7714 9.1: 00 00 || SSRC || 00 00 || 0 || SRTCP index (31 bits), XOR the session salt.
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc >>> 0, 2);
  iv.writeUInt32BE(index, 8);
  for (let b = 0; b < 12; b++) iv[b]! ^= keys.salt[b]!;
  return iv;
}

function srtcpAuthTag(suite: CryptoSuite, keys: SessionKeys, authenticated: Buffer): Buffer {
  // RFC 3711 3.4: the tag covers header, encrypted part and E|index; unlike SRTP's, no ROC.
  return createHmac('sha1', keys.authKey).update(authenticated).digest().subarray(0, srtcpTagLength(suite));
}

/**
 * RFC 3711 3.4 (RFC 7714 9 for GCM): a compound RTCP packet sealed under SRTCP `index`, with
 * the keys of `srtcpSessionKeys`. Everything after the first 8 bytes is encrypted, the E flag
 * is set. AES-CM: keystream from the SRTCP salt, the sender's SSRC and the index as for SRTP
 * (4.1.1); tag by HMAC-SHA1. GCM: the header and the E|index word are the associated data.
 */
export function sealSrtcp(suite: CryptoSuite, keys: SessionKeys, rtcp: Buffer, index: number): Buffer {
  if (!Number.isInteger(index) || index < 0 || index > SRTCP_INDEX_MAX) throw new RangeError(`SRTCP index ${index} does not fit 31 bits`);
  if (rtcp.length < 8) throw new Error('an RTCP packet has at least 8 bytes');
  const header = rtcp.subarray(0, 8);
  const ssrc = rtcp.readUInt32BE(4);
  const word = Buffer.alloc(4);
  word.writeUInt32BE((SRTCP_E | index) >>> 0);
  if (SHAPES[suite].gcm) {
    const cipher = createCipheriv(gcmCipher(suite), keys.encKey, srtcpGcmIv(keys, ssrc, index));
    cipher.setAAD(Buffer.concat([header, word]));
    return Buffer.concat([header, cipher.update(rtcp.subarray(8)), cipher.final(), cipher.getAuthTag(), word]);
  }
  const cipher = createCipheriv('aes-128-ctr', keys.encKey, counterIv(keys, ssrc, BigInt(index)));
  const sealed = Buffer.concat([header, cipher.update(rtcp.subarray(8)), cipher.final(), word]);
  return Buffer.concat([sealed, srtcpAuthTag(suite, keys, sealed)]);
}

/**
 * The inverse of `sealSrtcp`: the RTCP and the index it was sealed under. Throws on a packet
 * that does not authenticate, and on one sent unencrypted (E = 0), which libsrtp never sends.
 */
export function openSrtcp(suite: CryptoSuite, keys: SessionKeys, srtcp: Buffer): { rtcp: Buffer; index: number } {
  const { tag, word } = srtcpLayout(suite, srtcp.length);
  const eIndex = srtcp.readUInt32BE(word);
  if (!(eIndex & SRTCP_E)) throw new Error('SRTCP without encryption (E = 0)');
  const index = eIndex & SRTCP_INDEX_MAX;
  const header = srtcp.subarray(0, 8);
  const ssrc = srtcp.readUInt32BE(4);
  const body = srtcp.subarray(8, Math.min(tag, word));
  const tagBytes = srtcp.subarray(tag, tag + srtcpTagLength(suite));
  let payload: Buffer;
  if (SHAPES[suite].gcm) {
    const decipher = createDecipheriv(gcmCipher(suite), keys.encKey, srtcpGcmIv(keys, ssrc, index));
    decipher.setAAD(Buffer.concat([header, srtcp.subarray(word, word + 4)]));
    decipher.setAuthTag(tagBytes);
    try {
      payload = Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new Error('SRTCP authentication failed');
    }
  } else {
    const expected = srtcpAuthTag(suite, keys, srtcp.subarray(0, tag));
    if (!timingSafeEqual(expected, tagBytes)) throw new Error('SRTCP authentication failed');
    const decipher = createDecipheriv('aes-128-ctr', keys.encKey, counterIv(keys, ssrc, BigInt(index)));
    payload = Buffer.concat([decipher.update(body), decipher.final()]);
  }
  return { rtcp: Buffer.concat([header, payload]), index };
}

/**
 * Encrypts RTCP for one sender. RFC 3711 3.4: the SRTCP index starts at 0 and goes up by one
 * a packet; a test may name the index instead, to reuse one.
 */
export class SrtcpSender {
  private readonly keys: SessionKeys;
  private next = 0;

  constructor(
    private readonly suite: CryptoSuite,
    master: Buffer,
  ) {
    this.keys = srtcpSessionKeys(suite, master);
  }

  protect(rtcp: Buffer, index: number = this.next): Buffer {
    const srtcp = sealSrtcp(this.suite, this.keys, rtcp, index);
    this.next = Math.max(this.next, index + 1);
    return srtcp;
  }
}

/**
 * Decrypts and authenticates SRTCP, refusing (by throwing) what does not authenticate, an
 * index it has taken in before, and one older than its replay window (RFC 3711 3.3.2). Only
 * an authentic packet is marked as seen, so a forgery cannot use an index up.
 */
export class SrtcpReceiver {
  private readonly keys: SessionKeys;
  private highest: number | undefined;
  /** Bit k: index `highest - k` was taken in. */
  private seen = 0n;

  constructor(
    private readonly suite: CryptoSuite,
    master: Buffer,
  ) {
    this.keys = srtcpSessionKeys(suite, master);
  }

  unprotect(srtcp: Buffer): { rtcp: Buffer; index: number } {
    const opened = openSrtcp(this.suite, this.keys, srtcp);
    this.admit(opened.index);
    return opened;
  }

  private admit(index: number): void {
    const window = BigInt(SRTCP_REPLAY_WINDOW);
    if (this.highest === undefined || index > this.highest) {
      const shift = BigInt(this.highest === undefined ? SRTCP_REPLAY_WINDOW : index - this.highest);
      this.seen = shift >= window ? 1n : ((this.seen << shift) | 1n) & ((1n << window) - 1n);
      this.highest = index;
      return;
    }
    const age = this.highest - index;
    if (age >= SRTCP_REPLAY_WINDOW) throw new Error(`SRTCP index ${index} is older than the replay window`);
    const bit = 1n << BigInt(age);
    if (this.seen & bit) throw new Error(`SRTCP index ${index} was replayed`);
    this.seen |= bit;
  }
}

/** A plain RTP packet: version 2, no CSRCs or extension. */
export function rtpPacket(options: { payloadType: number; seq: number; timestamp: number; ssrc: number; payload: Buffer }): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = options.payloadType & 0x7f;
  header.writeUInt16BE(options.seq & 0xffff, 2);
  header.writeUInt32BE(options.timestamp >>> 0, 4);
  header.writeUInt32BE(options.ssrc >>> 0, 8);
  return Buffer.concat([header, options.payload]);
}

export function rtpPayload(packet: Buffer): Buffer {
  return packet.subarray(headerLength(packet));
}

/** RTCP on an RTP port (RFC 5761 4): packet types 192-223 read as marker bit and payload type 64-95. */
export function isRtcp(packet: Buffer): boolean {
  const pt = packet[1]! & 0x7f;
  return pt >= 64 && pt <= 95;
}

/** The packets of a compound RTCP packet (RFC 3550 6.1), by type (byte 1) and bytes. */
export function rtcpPackets(compound: Buffer): { type: number; packet: Buffer }[] {
  const packets: { type: number; packet: Buffer }[] = [];
  let at = 0;
  while (at < compound.length) {
    if (compound.length - at < 4) throw new Error('RTCP packet cut short');
    const length = 4 * (compound.readUInt16BE(at + 2) + 1);
    if (at + length > compound.length) throw new Error('RTCP packet longer than what is left');
    packets.push({ type: compound[at + 1]!, packet: compound.subarray(at, at + length) });
    at += length;
  }
  return packets;
}

/** A sender report's (RFC 3550 6.4.1, PT 200) sender SSRC and its count of RTP packets sent. */
export function senderReport(packet: Buffer): { ssrc: number; packetCount: number } {
  if (packet[1] !== 200 || packet.length < 28) throw new Error('not a sender report');
  return { ssrc: packet.readUInt32BE(4), packetCount: packet.readUInt32BE(20) };
}

/** What a receiver report says of one stream it receives (RFC 3550 6.4.1's report block). */
export interface ReportBlock {
  ssrc: number;
  /** Lost since the previous report, in 1/256. */
  fractionLost: number;
  /** Lost since the start (24-bit signed). */
  totalLost: number;
  /** Extended highest sequence number received. */
  highestSeq: number;
  jitter: number;
}

/** A receiver report (RFC 3550 6.4.2, PT 201) from `sender` with one report block and no last SR time. */
export function receiverReport(sender: number, block: ReportBlock): Buffer {
  const packet = Buffer.alloc(32);
  packet[0] = 0x81; // Version 2, no padding, one report block.
  packet[1] = 201;
  packet.writeUInt16BE(packet.length / 4 - 1, 2);
  packet.writeUInt32BE(sender >>> 0, 4);
  packet.writeUInt32BE(block.ssrc >>> 0, 8);
  packet[12] = block.fractionLost;
  packet.writeIntBE(block.totalLost, 13, 3);
  packet.writeUInt32BE(block.highestSeq >>> 0, 16);
  packet.writeUInt32BE(block.jitter >>> 0, 20);
  // Last SR and delay since it stay 0: no sender report was received, so no round trip.
  return packet;
}
