/**
 * What one media session sends: our producers on its send transport, by kind, and those held
 * since the waiting room ("Getting ready in the waiting room" in docs/protocol.md): produced from
 * blank stand-ins whose tracks are taken away at once, held by the server in the state the
 * person has each in (holdChoice) and announced by it at admission; `publish` then gives them
 * the person's tracks. Closed with its session; the tracks themselves
 * (RoomClient's sources) outlive it and are produced again on the next router.
 */
import type { types } from 'mediasoup-client';
import { CAMERA_LAYERS, type MediaKind } from '../shared/protocol';
import type { MediaSession } from './mediaSession';
import { SEND_FIRST_MAX_WAIT_MS } from './sendFirst';
import { MediaResetError, videoFirst, type SessionContext } from './sessionContext';
import { consumerFor, whenConnected } from './transports';

export class Sending {
  private readonly producers = new Map<MediaKind, types.Producer>();
  /**
   * Kinds whose producer was made while waiting (getReady): it has no track (so sends nothing)
   * until `publish` gives it the person's; the server holds it until admission.
   */
  private readonly held = new Set<MediaKind>();
  /**
   * Kinds whose held producer was asked to stay paused: turned off by the person while waiting
   * (holdChoice), or given no track at admission (publish). The server announces such a one
   * paused; the others are set to go live.
   */
  private readonly heldOff = new Set<MediaKind>();
  /**
   * A consumer of one of our own held producers, never resumed: made while waiting only to open
   * the receive transport's connection (getReady). It receives nothing; closed with the session.
   */
  private opener: types.Consumer | null = null;
  /**
   * Producing runs one step at a time (getReady's stand-ins, a publish, producing again after a
   * reset), so that two steps never make two producers of a kind.
   */
  private queue: Promise<void> = Promise.resolve();
  /**
   * Our microphone a second time, unencrypted, for people the key holder lets take part by
   * audio in the clear (SessionContext.clearSending.copy); none otherwise.
   */
  private copy: types.Producer | null = null;
  /** The top spatial layer last asked of each camera producer (applyVideoCap). */
  private readonly topLayerAsked = new WeakMap<types.Producer, number>();

  constructor(
    private readonly context: SessionContext,
    private readonly session: MediaSession,
  ) {}

  /** Whether `producerId` is one of ours: the server announces those too, and they are never consumed. */
  owns(producerId: string): boolean {
    for (const p of this.producers.values()) if (p.id === producerId) return true;
    return this.copy?.id === producerId;
  }

  /**
   * Makes or closes the clear copy of our microphone as SessionContext.clearSending says, with
   * the microphone we publish now, paused as it is; in turn with other produce steps.
   */
  syncClearCopy(): Promise<void> {
    return this.inOrder(async () => {
      const { copy: wanted, voiceOnly } = this.context.clearSending;
      const source = this.context.sources.get('audio');
      if (!wanted || voiceOnly || !source || source.track.readyState !== 'live') {
        this.copy?.close();
        this.copy = null;
        return;
      }
      const existing = this.copy;
      if (existing && !existing.closed) {
        if (existing.track !== source.track) await existing.replaceTrack({ track: source.track });
        return;
      }
      this.session.assertOpen();
      const transport = await this.session.transport('send');
      const producer = await transport.produce({ track: source.track, stopTracks: false, ...this.produceOptions('audio', true) });
      if (this.session.closed) {
        producer.close();
        throw new MediaResetError();
      }
      this.copy = producer;
      producer.on('transportclose', () => {
        if (this.copy === producer) this.copy = null;
      });
      if (source.paused) {
        producer.pause();
        await this.context.signaling.request('setProducerPaused', { producerId: producer.id, paused: true });
      }
    });
  }

  /** Whether producers made while waiting are ready to be released. */
  get hasHeld(): boolean {
    return this.held.size > 0;
  }

  /** Whether a producer of this kind sends (exists and is not held). */
  isPublishing(kind: MediaKind): boolean {
    const p = this.producers.get(kind);
    return !!p && !p.closed && !this.held.has(kind);
  }

  /** Whether our producer of `kind` is paused (or absent, or held). */
  isPaused(kind: MediaKind): boolean {
    const producer = this.producers.get(kind);
    return !producer || producer.closed || producer.paused || this.held.has(kind);
  }

  /** Produces a held stand-in for each of `kinds` we have no producer of yet, in turn with other produce steps (getReady). */
  produceStandIns(kinds: MediaKind[]): Promise<void> {
    return this.inOrder(async () => {
      if (kinds.length === 0) return;
      const transport = await this.session.transport('send');
      for (const kind of kinds) {
        this.session.assertOpen();
        // Admitted and published meanwhile: nothing to get ready.
        if (this.producers.has(kind)) continue;
        // mediasoup-client produces only with a track; a blank one, for the moment it takes.
        const standIn = this.context.createStandIn(kind);
        let producer: types.Producer;
        try {
          producer = await transport.produce({ track: standIn.track, stopTracks: false, ...this.produceOptions(kind) });
          // No track, no packet: nothing is sent from here until publish() gives it one.
          await producer.replaceTrack({ track: null });
        } finally {
          standIn.stop();
        }
        this.adopt(kind, producer);
        this.held.add(kind);
        // The server made it paused; it goes live at admission if the person still has it on.
        // Refused where the facilitator muted this kind: it stays paused, as the mute says.
        if (!this.heldOff.has(kind)) await this.askHeld(producer, false);
      }
    });
  }

  /**
   * While waiting: the person turned `kind` on or off, and its held producer is set to go live at
   * admission or not, in turn with other produce steps (so a quick off and on end as the person
   * left them). Resolves to whether there was a held producer of `kind` to set.
   */
  holdChoice(kind: MediaKind, on: boolean): Promise<boolean> {
    return this.inOrder(async () => {
      if (on) this.heldOff.delete(kind);
      else this.heldOff.add(kind);
      const producer = this.producers.get(kind);
      if (!producer || producer.closed || !this.held.has(kind)) return false;
      await this.askHeld(producer, !on);
      return true;
    });
  }

  /** Sets the state a held producer is announced in at admission; a refusal (a mute, a producer gone) leaves it paused. */
  private async askHeld(producer: types.Producer, paused: boolean): Promise<void> {
    await this.context.signaling.request('setProducerPaused', { producerId: producer.id, paused }).catch(() => undefined);
  }

  /** Consumes one of our held producers, paused for good, so that the receive transport connects (getReady). */
  async openReceiveConnection(transport: types.Transport): Promise<void> {
    const producer = [...this.held].map((kind) => this.producers.get(kind)).find((p) => p && !p.closed);
    if (!producer || this.opener || this.session.closed) return;
    const info = await this.context.signaling.request('consume', {
      transportId: transport.id,
      producerId: producer.id,
      rtpCapabilities: this.session.rtpCapabilities,
    });
    if (this.session.closed || this.opener) return;
    const opener = await consumerFor(this.context, transport, info);
    if (this.session.closed) opener.close();
    else this.opener = opener;
  }

  /**
   * Sends each of `tracks`: held producers are released with them at once, in this very call
   * (their requests leave before anything else, a render of the page, can take its thread);
   * the others are produced in turn, on the send transport made on first use.
   */
  publish(tracks: MediaStreamTrack[]): Promise<void> {
    const releases: Promise<void>[] = [];
    const rest: MediaStreamTrack[] = [];
    for (const track of tracks) {
      const kind = track.kind as MediaKind;
      const producer = this.producers.get(kind);
      if (producer && !producer.closed && this.held.has(kind)) releases.push(this.releaseHeld(kind, producer, track));
      else rest.push(track);
    }
    // Their connection is up long since: nothing holds the group's streams back for them.
    if (releases.length > 0) this.context.sendFirst.release();
    // One made ready and set to go live, now given no track (its device gone meanwhile): the
    // server announced it live at admission, and the group would wait for frames that never
    // come. It is paused until the person turns it on.
    for (const kind of [...this.held]) {
      const producer = this.producers.get(kind);
      if (!producer || producer.closed || this.heldOff.has(kind)) continue;
      this.heldOff.add(kind);
      void this.askHeld(producer, true);
    }
    return Promise.all([...releases, this.inOrder(() => this.produceTracks(rest))]).then(() => undefined);
  }

  /** Produces every live source again (a new session after a media reset), then pauses on the server those the person had paused. */
  produceAgain(): Promise<void> {
    return this.inOrder(async () => {
      const live = [...this.context.sources.entries()].filter(([, s]) => s.track.readyState === 'live');
      // Video first, as in publish().
      live.sort(([a], [b]) => videoFirst(a, b));
      if (live.length === 0) return;
      await this.produceTracks(live.map(([, s]) => s.track));
      for (const [kind, source] of live) {
        const producer = this.producers.get(kind);
        if (!producer || producer.closed) continue;
        // A paused producer left its track disabled, so the new one starts paused here; the
        // server's starts live unless a facilitator's mute holds, so it hears of the pause.
        if (source.paused) {
          producer.pause();
          await this.context.signaling.request('setProducerPaused', { producerId: producer.id, paused: true });
        } else if (producer.paused) {
          producer.resume();
        }
      }
    });
  }

  /**
   * Pauses or resumes our producer of `kind` and tells the server. If the server refuses (for
   * example MUTED_BY_FACILITATOR), the producer is put back and the error rethrown. A held
   * producer sends nothing: `publish` releases it in the state the person chose.
   */
  async setPaused(kind: MediaKind, paused: boolean): Promise<void> {
    const producer = this.producers.get(kind);
    if (!producer || producer.closed || this.held.has(kind)) return;
    const wasPaused = producer.paused;
    if (paused) producer.pause();
    else producer.resume();
    // The clear copy follows the microphone; the server answers for it as for the sealed one.
    const copy = kind === 'audio' && this.copy && !this.copy.closed ? this.copy : null;
    if (copy) {
      if (paused) copy.pause();
      else copy.resume();
      this.context.signaling.request('setProducerPaused', { producerId: copy.id, paused }).catch(() => {
        if (!copy.closed) copy.pause();
      });
    }
    try {
      await this.context.signaling.request('setProducerPaused', { producerId: producer.id, paused });
    } catch (err) {
      if (wasPaused) producer.pause();
      else producer.resume();
      throw err;
    }
  }

  /**
   * Sends the camera in its smallest layer only, or in all of them again (RoomClient.capOutgoingVideo):
   * on a weak link the browser's estimate swings around what the link carries, and the full layer
   * it keeps trying crowds out the voice.
   */
  async applyVideoCap(): Promise<void> {
    const producer = this.producers.get('video');
    if (!producer || producer.closed || this.held.has('video')) return;
    const top = this.context.outgoingVideo.capped ? 0 : CAMERA_LAYERS.length - 1;
    // A camera never capped sends every layer already (mediasoup-client says `undefined`):
    // setting the top layer again would renegotiate the connection for nothing, and on being
    // let in that took ~50 ms of the page's thread while the group waited for the first frame.
    // What was last asked counts, not what is set: a cap lifted while it is being set is lifted.
    const asked = this.topLayerAsked.get(producer) ?? producer.maxSpatialLayer ?? CAMERA_LAYERS.length - 1;
    if (asked === top) return;
    this.topLayerAsked.set(producer, top);
    // mediasoup-client sets layers one change after another, in the order asked.
    await producer.setMaxSpatialLayer(top).catch(() => {
      if (this.topLayerAsked.get(producer) === top) this.topLayerAsked.delete(producer);
    });
  }

  /** Pauses our producer of `kind` here only: the server paused it already (a facilitator's mute). */
  pauseLocally(kind: MediaKind): void {
    const producer = this.producers.get(kind);
    if (producer && !producer.closed && !producer.paused) producer.pause();
    if (kind === 'audio' && this.copy && !this.copy.closed) this.copy.pause();
  }

  /** Closes our producers and the opener here; the session closes its transports next. */
  close(): void {
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.held.clear();
    this.copy?.close();
    this.copy = null;
    this.opener?.close();
    this.opener = null;
  }

  /** Runs `step` after every produce step queued before it. */
  private inOrder<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Produces each track, or swaps it into our producer of its kind, on the send transport. */
  private async produceTracks(tracks: MediaStreamTrack[]): Promise<void> {
    this.session.assertOpen();
    if (tracks.length === 0) return;
    const transport = await this.session.transport('send');
    for (const track of tracks) {
      this.session.assertOpen();
      const kind = track.kind as MediaKind;
      // In the clear, the microphone is all that is sent.
      if (this.context.clearSending.voiceOnly && kind !== 'audio') continue;
      if (!this.session.device.canProduce(kind)) {
        this.context.events.emit('error', { message: `This browser cannot send ${kind} to the session.` });
        continue;
      }
      const existing = this.producers.get(kind);
      if (existing && !existing.closed) {
        // Held since the waiting room, and a getReady still under way made it after publish() looked.
        if (this.held.has(kind)) await this.releaseHeld(kind, existing, track);
        // A new camera or microphone: swap the track and keep the same producer.
        else await existing.replaceTrack({ track });
        continue;
      }
      // The page owns its tracks (its self-preview uses them too), so closing a producer
      // must not stop them.
      this.adopt(kind, await transport.produce({ track, stopTracks: false, ...this.produceOptions(kind) }));
      if (kind === 'video') await this.applyVideoCap();
      if (this.context.sendFirst.holding) {
        // Joining: our other track and the group's streams wait until this one's connection
        // is up, so that nothing competes with it for the page's thread or the machine's.
        await whenConnected(transport, SEND_FIRST_MAX_WAIT_MS);
        this.context.sendFirst.release();
      }
    }
  }

  /** Keeps a producer just made on this session's send transport; made for a session closed meanwhile, it is closed. */
  /**
   * In an end-to-end encrypted call, the transform goes on the RTP sender the moment it is
   * made, before negotiation: no frame of this producer, not even the first, leaves unsealed.
   */
  /**
   * How each kind is sent: sealed end to end where the call encrypts, and the voice protected
   * first on a weak link (issue 22): the SFU asks for a lost voice packet again (NACK: on a link
   * losing 5 % at random, 5 % of the client's voice was concealed without it, none with it),
   * Opus's in-band forward error correction rebuilds a lost packet from the next one, and
   * discontinuous transmission sends next to nothing in silence,
   * leaving the link's room to what is said; the camera goes in layers (simulcast), so a
   * receiver whose tile is small or whose link is weak gets a smaller or slower picture, not a
   * frozen one.
   */
  private produceOptions(kind: MediaKind, copy = false): Pick<types.ProducerOptions, 'onRtpSender' | 'codecOptions' | 'encodings' | 'appData'> {
    const { frames } = this.context;
    // Audio in the clear: our clear copy, or our voice when that is all we may send. The
    // transform lets it through unsealed only as the key holder's word allows (frameCipher.ts).
    const clear = kind === 'audio' && (copy || this.context.clearSending.voiceOnly);
    return {
      ...(frames ? { onRtpSender: (sender: RTCRtpSender) => frames.attach(sender, { side: 'send', kind, ...(clear ? { clear } : {}) }) } : {}),
      ...(clear ? { appData: { clear: true } } : {}),
      ...(kind === 'audio'
        ? { codecOptions: { opusFec: true, opusDtx: true, opusNack: true } }
        : // The camera in layers (CAMERA_LAYERS), so each receiver gets what its tile and link carry.
          { encodings: CAMERA_LAYERS.map((layer) => ({ ...layer })) }),
    };
  }

  private adopt(kind: MediaKind, producer: types.Producer): void {
    if (this.session.closed) {
      producer.close();
      throw new MediaResetError();
    }
    producer.on('transportclose', () => {
      if (this.producers.get(kind) === producer) {
        this.producers.delete(kind);
        this.held.delete(kind);
      }
    });
    this.producers.set(kind, producer);
  }

  /**
   * Gives a producer held since the waiting room the person's `track`, paused if the person has
   * it paused. The server announced it at admission in the state set while waiting; the state
   * the person has now is asked for again all the same (`setProducerPaused`: nothing changes or
   * is heard when it matches), which also releases one made while the admission happened. If
   * either step fails, the producer ends up paused on both sides, and the error is thrown.
   */
  private async releaseHeld(kind: MediaKind, producer: types.Producer, track: MediaStreamTrack): Promise<void> {
    const paused = this.context.sources.get(kind)?.paused ?? false;
    this.held.delete(kind);
    const asked = this.context.signaling.request('setProducerPaused', { producerId: producer.id, paused });
    asked.catch(() => undefined);
    try {
      if (paused) producer.pause();
      await producer.replaceTrack({ track });
      if (kind === 'video') await this.applyVideoCap();
      await asked;
    } catch (err) {
      if (!producer.closed) {
        producer.pause();
        this.context.signaling.request('setProducerPaused', { producerId: producer.id, paused: true }).catch(() => undefined);
      }
      throw err;
    }
  }
}
