/**
 * One router's media, as a RoomClient holds it: the Device loaded with that router's
 * capabilities, the send and receive transports, our producers (sending.ts) and the consumers of
 * others' producers (receiving.ts). A media reset (the server lost a worker and moved the session
 * to a new router) closes the session whole, and the RoomClient makes a new one. Work that
 * resumes after an await checks its own session (`closed`, `assertOpen`) and drops what it made
 * if that session is gone, so nothing made for one router reaches the next.
 *
 * What belongs here: anything whose lifetime is one router's. What outlives a router (the tracks
 * we publish, the caller's events, the join's sendFirst gate) stays with the RoomClient and
 * reaches the session through its SessionContext.
 */
import type { Device, types } from 'mediasoup-client';
import type { MediaKind, RtpCapabilities } from '../shared/protocol';
import { Receiving } from './receiving';
import { Sending } from './sending';
import { MediaResetError, videoFirst, type SessionContext } from './sessionContext';
import { openTransport, type Direction } from './transports';

export class MediaSession {
  readonly sending: Sending;
  readonly receiving: Receiving;
  private loading: Promise<void> | null = null;
  /** Each direction's transport while it is being made, or made; a failed attempt may be retried. */
  private readonly pending: Record<Direction, Promise<types.Transport> | null> = { send: null, recv: null };
  private readonly transports: Record<Direction, types.Transport | null> = { send: null, recv: null };
  private isClosed = false;

  constructor(
    private readonly context: SessionContext,
    readonly device: Device,
  ) {
    this.sending = new Sending(context, this);
    this.receiving = new Receiving(context, this);
  }

  /** Thrown away: a media reset replaced this session, or the RoomClient closed. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** For work resuming after an await: throws MediaResetError if this session was thrown away meanwhile. */
  assertOpen(): void {
    if (this.isClosed) throw new MediaResetError();
  }

  /** This Device's receive capabilities, once loaded. */
  get rtpCapabilities(): RtpCapabilities {
    return this.device.rtpCapabilities as RtpCapabilities;
  }

  /** The receive transport, once made. */
  get receiveTransport(): types.Transport | null {
    return this.transports.recv;
  }

  /** Loads the Device with the router's capabilities, once; a failed load may be retried. */
  load(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    if (this.device.loaded) return Promise.resolve();
    if (!this.loading) {
      // The server's router produced these capabilities; mediasoup-client checks them in load().
      const loading = this.device.load({ routerRtpCapabilities: voiceOutsideEstimate(routerRtpCapabilities as types.RtpCapabilities) });
      loading.catch(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  /** Loads the Device and opens the receive transport (made already by getReady, or now), then lets queued consumes run. */
  async openReceive(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    try {
      await this.load(routerRtpCapabilities);
      await this.transport('recv');
      this.assertOpen();
      // Consumes start now: their round trips to the server overlap the camera's connection,
      // and only setting each up in the browser waits for it (Receiving, SendFirstGate).
      this.receiving.open();
    } catch (err) {
      this.assertOpen();
      this.receiving.fail(err);
      throw err;
    }
  }

  /**
   * Made ready while waiting (getReady): queued consumes may leave at once, in this very call,
   * before anything else (a render of the page) can take its thread.
   */
  receiveIfReady(): void {
    if (!this.isClosed && this.device.loaded && this.transports.recv) this.receiving.open();
  }

  /**
   * Loads the Device, makes the receive transport, and connects the send transport by producing
   * held stand-ins of `kinds`; then connects the receive transport by consuming one of them
   * (RoomClient.getReady).
   */
  async getReady(routerRtpCapabilities: RtpCapabilities, kinds: readonly MediaKind[]): Promise<void> {
    await this.load(routerRtpCapabilities);
    const wanted = [...kinds].sort(videoFirst).filter((k) => this.device.canProduce(k));
    // Side by side: the receive transport needs only the server's word.
    const [recv] = await Promise.all([this.transport('recv'), this.sending.produceStandIns(wanted)]);
    await this.sending.openReceiveConnection(recv);
  }

  /** The stats of this session's transports that exist (for the connection's quality). */
  async linkStats(): Promise<RTCStatsReport[]> {
    const open = [this.transports.send, this.transports.recv].filter((t): t is types.Transport => t !== null && !t.closed);
    return Promise.all(open.map((t) => t.getStats()));
  }

  /** This session's transport of `direction`, made on first use. */
  transport(direction: Direction): Promise<types.Transport> {
    const current = this.pending[direction];
    if (current) return current;
    const pending = this.createTransport(direction);
    pending.catch(() => {
      if (this.pending[direction] === pending) this.pending[direction] = null;
    });
    this.pending[direction] = pending;
    return pending;
  }

  private async createTransport(direction: Direction): Promise<types.Transport> {
    if (!this.device.loaded) {
      // publish() may run alongside join(); either way the Device must be loading by now.
      if (!this.loading) throw new Error('prepare() or join() must come before publish()');
      await this.loading;
    }
    const info = await this.context.signaling.request('createTransport', { direction });
    if (this.isClosed) {
      this.discardTransport(info.id);
      throw new MediaResetError();
    }
    const transport = openTransport(this.context, this.device, direction, info);
    this.transports[direction] = transport;
    return transport;
  }

  /**
   * A transport answered after this session was thrown away: closed on the server too, which may
   * have made it on the new router in the instant before the reset reached us (and would
   * otherwise keep it until we leave). NOT_FOUND (the reset closed it already) and a closed
   * connection are fine.
   */
  private discardTransport(transportId: string): void {
    this.context.signaling.request('closeTransport', { transportId }).catch(() => undefined);
  }

  /**
   * Closes our consumers (each reported as `trackEnded`), producers and transports here, without
   * a word to the server: it closed its side already, or is about to. Work still under way finds
   * the session closed when it resumes.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.receiving.close();
    this.sending.close();
    this.transports.send?.close();
    this.transports.recv?.close();
  }
}

/**
 * The router's capabilities less transport-wide congestion control for audio (issue 22): the
 * voice then stays out of the browser's bandwidth estimate, and keeps Opus's full bitrate (and
 * with it the in-band FEC that rebuilds lost packets, which Opus drops at low bitrates) however
 * low a weak link drives the estimate; video alone adapts. Left in, the link-fault test's voice
 * was squeezed to a few kbit/s once the camera was held back, and lost 5–8 % of its samples.
 */
export function voiceOutsideEstimate(caps: types.RtpCapabilities): types.RtpCapabilities {
  return {
    ...caps,
    codecs: caps.codecs?.map((codec) =>
      codec.kind === 'audio' ? { ...codec, rtcpFeedback: (codec.rtcpFeedback ?? []).filter((fb) => fb.type !== 'transport-cc') } : codec,
    ),
    headerExtensions: caps.headerExtensions?.filter(
      (ext) => !(ext.kind === 'audio' && ext.uri === 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'),
    ),
  };
}

