/**
 * SRTP (RFC 3711) and its AES-GCM profiles (RFC 7714) for RTP, written from the RFCs on
 * node:crypto, so the tests check the worker's libsrtp against an independent implementation:
 * the test encrypts what the worker must decrypt, and decrypts what the worker encrypted.
 * Test-only: RTP only (no SRTCP), no MKI, key derivation rate 0.
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

export function sessionKeys(suite: CryptoSuite, master: Buffer): SessionKeys {
  const { keyLen, saltLen, gcm } = SHAPES[suite];
  if (master.length !== keyLen + saltLen) throw new Error(`${suite} needs ${keyLen + saltLen} bytes of key and salt`);
  return {
    encKey: derive(suite, master, 0, keyLen),
    authKey: gcm ? Buffer.alloc(0) : derive(suite, master, 1, 20),
    salt: derive(suite, master, 2, saltLen),
  };
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
      const cipher = createCipheriv(this.suite === 'AEAD_AES_256_GCM' ? 'aes-256-gcm' : 'aes-128-gcm', this.keys.encKey, gcmIv(this.keys, ssrc, this.roc, seq));
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
      const decipher = createDecipheriv(this.suite === 'AEAD_AES_256_GCM' ? 'aes-256-gcm' : 'aes-128-gcm', this.keys.encKey, gcmIv(this.keys, ssrc, roc, seq));
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
