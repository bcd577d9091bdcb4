/**
 * RoomClient: the one owner of a mediasoup-client Device and its send and receive
 * transports, shared by the participant page and the console renderer. It turns the room's
 * notifications into consumers and tells its user about tracks through a small typed emitter;
 * UI state stays with the caller's store.
 */
import { Device, type types } from 'mediasoup-client';
import type { MediaKind, Producer, RtpCapabilities, RtpParameters, TransportInfo } from '../shared/protocol';
import { Emitter } from './emitter';
import type { SignalingClient } from './signaling';

export interface RoomClientEvents {
  track: { producerId: string; participantId: string; kind: MediaKind; track: MediaStreamTrack };
  trackEnded: { producerId: string; participantId: string };
  producerPaused: { producerId: string; paused: boolean };
  error: { message: string };
}

export interface JoinOptions {
  routerRtpCapabilities: RtpCapabilities;
  producers: Producer[];
  /** Our own participantId, so producers of ours announced by the server are never consumed. */
  selfParticipantId?: string;
}

export interface RoomClientOptions {
  /** A preconstructed Device (tests pass one built on mediasoup-client's FakeHandler). */
  device?: Device;
}

interface RemoteConsumer {
  consumer: types.Consumer;
  participantId: string;
}

export class RoomClient {
  private readonly signaling: SignalingClient;
  private readonly device: Device;
  private readonly emitter = new Emitter<RoomClientEvents>();
  private loading: Promise<void> | null = null;
  private recvTransport: types.Transport | null = null;
  private sendTransport: types.Transport | null = null;
  private sendTransportPromise: Promise<types.Transport> | null = null;
  private readonly producers = new Map<MediaKind, types.Producer>();
  private readonly consumers = new Map<string, RemoteConsumer>();
  /** producerId → owner, for producers announced but not consumed yet (or being consumed). */
  private readonly wanted = new Map<string, string>();
  /** Consume calls run one at a time: a burst of producerAdded must not race on the transport. */
  private consumeQueue: Promise<void>;
  private markReady: () => void = () => undefined;
  private markFailed: (err: unknown) => void = () => undefined;
  /** Producers announced closed; an id never comes back, and a late snapshot must not revive it. */
  private readonly closedProducers = new Set<string>();
  private readonly unsubscribes: (() => void)[] = [];
  private selfParticipantId: string | undefined;
  private closed = false;

  /**
   * Subscribes to the room's notifications at once: the server may announce producers
   * between `admitted` and the moment `join` has a transport, and those must not be lost.
   * Consumes wait in the queue until `join` has opened the receive transport.
   */
  constructor(signaling: SignalingClient, options: RoomClientOptions = {}) {
    this.signaling = signaling;
    this.device = options.device ?? new Device();
    this.consumeQueue = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.markFailed = reject;
    });
    // A failed join is reported by join() itself; queued consumes each report their own failure.
    this.consumeQueue.catch(() => undefined);
    const s = signaling;
    this.unsubscribes.push(
      s.on('producerAdded', ({ producerId, participantId }) => this.enqueueConsume(producerId, participantId, false)),
      s.on('producerClosed', ({ producerId }) => this.dropProducer(producerId)),
      s.on('producerPaused', ({ producerId, paused }) => {
        if (this.consumers.has(producerId)) this.emitter.emit('producerPaused', { producerId, paused });
      }),
      s.on('peerLeft', ({ participantId }) => this.dropParticipant(participantId)),
    );
  }

  on<E extends keyof RoomClientEvents>(event: E, handler: (payload: RoomClientEvents[E]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  /** The Device's receive capabilities, once joined. */
  get rtpCapabilities(): RtpCapabilities {
    return this.device.rtpCapabilities as RtpCapabilities;
  }

  /** Loads the Device (unless `prepare` did) and opens the receive transport; every producer in the room is then consumed. */
  async join({ routerRtpCapabilities, producers, selfParticipantId }: JoinOptions): Promise<void> {
    this.selfParticipantId = selfParticipantId;
    // Queue the snapshot now; notifications that arrived earlier are already queued, and
    // duplicates are skipped.
    for (const p of producers) this.enqueueConsume(p.producerId, p.participantId, p.paused);
    try {
      await this.prepare(routerRtpCapabilities);
      this.recvTransport = await this.createTransport('recv');
      this.markReady();
    } catch (err) {
      this.markFailed(err);
      throw err;
    }
    // Existing producers are consumed in the background (failures arrive as 'error'
    // events), so the caller can publish at once: others see and hear us sooner.
  }

  /**
   * Loads the Device ahead of `join`, for example while waiting to be admitted: loading
   * probes the browser's codecs with a throwaway peer connection, which takes tens of ms.
   */
  prepare(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    if (this.device.loaded) return Promise.resolve();
    if (!this.loading) {
      // The server's router produced these capabilities; mediasoup-client checks them in load().
      this.loading = this.device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
      this.loading.catch(() => (this.loading = null));
    }
    return this.loading;
  }

  /** Sends every track of `stream`; the send transport is created on first use. */
  async publish(stream: MediaStream): Promise<void> {
    const transport = await this.ensureSendTransport();
    // Video first: the transport negotiates one track at a time, and a face appearing is
    // how the group notices someone joined; audio follows a few tens of ms later.
    const tracks = [...stream.getVideoTracks(), ...stream.getAudioTracks()];
    for (const track of tracks) {
      const kind = track.kind as MediaKind;
      if (kind !== 'audio' && kind !== 'video') continue;
      if (!this.device.canProduce(kind)) {
        this.emitter.emit('error', { message: `This browser cannot send ${kind} to the session.` });
        continue;
      }
      const existing = this.producers.get(kind);
      if (existing && !existing.closed) {
        // A new camera or microphone: swap the track and keep the same producer.
        await existing.replaceTrack({ track });
        continue;
      }
      // The page owns its tracks (its self-preview uses them too), so closing a producer
      // must not stop them.
      const producer = await transport.produce({ track, stopTracks: false });
      producer.on('transportclose', () => this.producers.delete(kind));
      this.producers.set(kind, producer);
    }
  }

  /** Whether a local producer of this kind exists. */
  isPublishing(kind: MediaKind): boolean {
    const p = this.producers.get(kind);
    return !!p && !p.closed;
  }

  /**
   * Pauses or resumes our producer of `kind` and tells the server. If the server refuses
   * (for example MUTED_BY_FACILITATOR), the local state is put back and the error rethrown.
   */
  async setMuted(kind: MediaKind, muted: boolean): Promise<void> {
    const producer = this.producers.get(kind);
    if (!producer || producer.closed) return;
    const wasPaused = producer.paused;
    if (muted) producer.pause();
    else producer.resume();
    try {
      await this.signaling.request('setProducerPaused', { producerId: producer.id, paused: muted });
    } catch (err) {
      if (wasPaused) producer.pause();
      else producer.resume();
      throw err;
    }
  }

  /**
   * Pauses our producer of `kind` here only, without asking the server: for when the server
   * has already paused it (a facilitator's mute), so local state matches what others get.
   */
  pauseLocally(kind: MediaKind): void {
    const producer = this.producers.get(kind);
    if (producer && !producer.closed && !producer.paused) producer.pause();
  }

  /** Whether our producer of `kind` is paused (or absent). */
  isPaused(kind: MediaKind): boolean {
    const producer = this.producers.get(kind);
    return !producer || producer.closed || producer.paused;
  }

  /** Closes transports and stops listening; the signaling connection belongs to the caller. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribes.splice(0)) u();
    for (const [producerId, { consumer, participantId }] of this.consumers) {
      consumer.close();
      this.emitter.emit('trackEnded', { producerId, participantId });
    }
    this.consumers.clear();
    this.wanted.clear();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = this.recvTransport = null;
    this.emitter.clear();
  }

  // -------------------------------------------------------------------------------------

  private enqueueConsume(producerId: string, participantId: string, paused: boolean): void {
    if (this.closed || participantId === this.selfParticipantId) return;
    if (this.isOwnProducer(producerId) || this.closedProducers.has(producerId)) return;
    if (this.wanted.has(producerId) || this.consumers.has(producerId)) return;
    this.wanted.set(producerId, participantId);
    this.consumeQueue = this.consumeQueue
      .then(() => this.consume(producerId, participantId, paused))
      .catch((err: unknown) => {
        this.wanted.delete(producerId);
        this.emitter.emit('error', { message: `Could not receive a stream: ${errorMessage(err)}` });
      });
  }

  private async consume(producerId: string, participantId: string, paused: boolean): Promise<void> {
    // Closed or left while waiting in the queue.
    if (this.closed || !this.wanted.has(producerId)) return;
    const transport = this.recvTransport;
    if (!transport) throw new Error('not joined');
    const info = await this.signaling.request('consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: this.rtpCapabilities,
    });
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      // Produced by the server's mediasoup for this very Device; mediasoup-client checks it.
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
    if (this.closed || !this.wanted.has(producerId)) {
      // The producer went away while we were setting up its consumer.
      consumer.close();
      return;
    }
    this.wanted.delete(producerId);
    this.consumers.set(producerId, { consumer, participantId });
    consumer.on('transportclose', () => this.dropProducer(producerId));
    consumer.on('trackended', () => this.dropProducer(producerId));
    // Consumers start paused on the server so no key frame is lost before we are ready.
    await this.signaling.request('resumeConsumer', { consumerId: consumer.id });
    this.emitter.emit('track', { producerId, participantId, kind: info.kind, track: consumer.track });
    if (paused) this.emitter.emit('producerPaused', { producerId, paused: true });
  }

  private dropProducer(producerId: string): void {
    this.wanted.delete(producerId);
    this.closedProducers.add(producerId);
    const entry = this.consumers.get(producerId);
    if (!entry) return;
    this.consumers.delete(producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    this.emitter.emit('trackEnded', { producerId, participantId: entry.participantId });
  }

  private dropParticipant(participantId: string): void {
    for (const [producerId, owner] of [...this.wanted]) if (owner === participantId) this.wanted.delete(producerId);
    for (const [producerId, entry] of [...this.consumers]) {
      if (entry.participantId === participantId) this.dropProducer(producerId);
    }
  }

  private isOwnProducer(producerId: string): boolean {
    for (const p of this.producers.values()) if (p.id === producerId) return true;
    return false;
  }

  private ensureSendTransport(): Promise<types.Transport> {
    if (!this.sendTransportPromise) {
      this.sendTransportPromise = this.createTransport('send').then((t) => (this.sendTransport = t));
      // A failed attempt may be retried by the next publish.
      this.sendTransportPromise.catch(() => (this.sendTransportPromise = null));
    }
    return this.sendTransportPromise;
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    if (!this.device.loaded) {
      // publish() may run alongside join(); either way the Device must be loading by now.
      if (!this.loading) throw new Error('prepare() or join() must come before publish()');
      await this.loading;
    }
    const info: TransportInfo = await this.signaling.request('createTransport', { direction });
    // ICE and DTLS parameters come from the server's mediasoup transport, verbatim.
    const options: types.TransportOptions = {
      id: info.id,
      iceParameters: info.iceParameters as types.IceParameters,
      iceCandidates: info.iceCandidates as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
    };
    const transport =
      direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);

    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
        this.signaling
          .request('produce', {
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as RtpParameters,
          })
          .then(({ id }) => callback({ id }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') void this.restartIce(transport);
    });
    return transport;
  }

  /** One ICE restart per failure; if that fails too, the user hears about it. */
  private async restartIce(transport: types.Transport): Promise<void> {
    if (this.closed || transport.closed) return;
    try {
      const { iceParameters } = await this.signaling.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
    } catch (err) {
      this.emitter.emit('error', { message: `The media connection failed: ${errorMessage(err)}` });
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
