/** What bench/capacity.ts and its two kinds of child process say to each other over IPC. */
import type { DemoInfo } from '../../src/shared/protocol.js';
import type { GroupSeed } from '../loadGroups.js';
import type { PeerCounters } from './capacityPeer.js';

/** The server under test: Confidant in demo shape with one worker, or bare mediasoup. */
export type ServerMode = 'confidant' | 'bare';

/** mediasoup's own counters, summed over every WebRtcTransport of the server's worker. */
export interface SfuStats {
  transports: number;
  /** Transports whose DTLS handshake completed (SRTP keys in place). */
  dtlsConnected: number;
  producers: number;
  consumers: number;
  bytesReceived: number;
  bytesSent: number;
  rtpBytesReceived: number;
  rtpBytesSent: number;
  /** Bandwidth-probation padding the worker sent (none when receivers offer no congestion control). */
  probationBytesSent: number;
}

export type ServerToDriver =
  | {
      type: 'ready';
      mode: ServerMode;
      pid: number;
      workerPid: number;
      wsUrl: string;
      /** Confidant only: the demo's accounts, to sign the facilitator in. */
      info?: DemoInfo;
    }
  | { type: 'seeded'; groups: GroupSeed[] }
  | { type: 'stats'; stats: SfuStats };

export type DriverToServer = { type: 'seed'; groups: number } | { type: 'stats' };

/** Where a group of the generator goes, and how it gets in. */
export type GroupTarget =
  | { mode: 'confidant'; wsUrl: string; httpUrl: string; token: string; seed: GroupSeed }
  | { mode: 'bare'; wsUrl: string; group: string };

export type DriverToClients =
  | { type: 'group'; index: number; target: GroupTarget }
  /** Which groups (by index) send media from now on; the others stay connected and silent. */
  | { type: 'sending'; groups: number[] | 'all' }
  | { type: 'counters' }
  | { type: 'close' };

export interface GeneratorCounters extends PeerCounters {
  /** Packets the schedule called for, and those skipped because the generator fell behind it. */
  rtpDue: number;
  rtpSkipped: number;
}

export type ClientsToDriver =
  | { type: 'ready'; pid: number }
  | {
      type: 'groupReady';
      index: number;
      setupMs: number;
      /** The SRTP profiles the SFU chose, by werift's id (7: AEAD_AES_128_GCM, 1: AES_CM_128_HMAC_SHA1_80). */
      srtpProfiles: number[];
      /** Set when the group could not be set up. */
      error?: string;
    }
  | { type: 'counters'; counters: GeneratorCounters }
  | { type: 'closed' };
