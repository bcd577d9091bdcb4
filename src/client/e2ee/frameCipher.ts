/**
 * The page's side of end-to-end media encryption (issue 19): one frame worker per call
 * (transformWorker.ts), given the group's keys as they come and attached to every sender and
 * receiver of the call. `RTCRtpScriptTransform` where the browser has it (current Chromium,
 * Firefox, Safari); the older insertable streams otherwise (`createEncodedStreams`, which needs
 * the peer connection made with `encodedInsertableStreams: true`). A browser with neither
 * cannot take part in an encrypted call, and is told so rather than sent in the clear.
 */
import type { AttachOptions, FrameTransforms } from '../sessionContext';
import type { CipherMessage, TransformOptions, WorkerReply } from './cipherMessages';
import type { KeySink } from './groupKeys';

/** The worker, as the bundler builds it beside the page (its CSP allows exactly this). */
export function startFrameWorker(): Worker {
  return new Worker(new URL('./transformWorker.ts', import.meta.url), { type: 'module', name: 'confidant-frames' });
}

interface EncodedStreams {
  readable: ReadableStream;
  writable: WritableStream;
}
/** A sender or receiver as browsers have them: the older insertable streams where they exist. */
type Transformable = (RTCRtpSender | RTCRtpReceiver) & { createEncodedStreams?: () => EncodedStreams };

const hasScriptTransform = (): boolean => 'RTCRtpScriptTransform' in globalThis;

export class EncryptionUnavailableError extends Error {
  constructor() {
    super('This browser cannot encrypt the call end to end. Please use a current version of Chrome, Edge, Firefox or Safari.');
    this.name = 'EncryptionUnavailableError';
  }
}

/** Whether this browser can seal and open frames at all. */
export function canEncryptFrames(): boolean {
  return hasScriptTransform() || (typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype);
}

export class ClearAudioRefusedError extends Error {
  constructor() {
    super('Audio in the clear that the facilitator has not allowed is neither sent nor played.');
    this.name = 'ClearAudioRefusedError';
  }
}

/**
 * For a browser that can do neither. Until the facilitator's console (and only it: the list
 * comes from inside its sealed box) lets this person take part by audio in the clear, and once
 * that ends, every sender and receiver is refused as it is made, so its produce or consume
 * fails and nothing is sent or played in the clear. While allowed: their microphone goes out,
 * and the group's clear audio plays, as they are; nothing else (no video, nothing sealed).
 */
export class ClearAudioOnly implements FrameTransforms {
  readonly needsInsertableStreams = false;
  private allowed = false;

  /** The holder's word on this person, from the newest sealed box. */
  setAllowed(allowed: boolean): void {
    this.allowed = allowed;
  }

  get isAllowed(): boolean {
    return this.allowed;
  }

  attach(_target: RTCRtpSender | RTCRtpReceiver, options: AttachOptions): void {
    if (!this.allowed || options.kind !== 'audio' || !options.clear) throw new EncryptionUnavailableError();
  }
}

export class FrameCipher implements FrameTransforms, KeySink {
  readonly needsInsertableStreams = !hasScriptTransform();
  private readonly worker: Worker;
  private closed = false;
  /** Who the holder's newest sealed box lets take part by audio in the clear (usually nobody). */
  private clearAudio: ReadonlySet<string> = new Set();

  constructor(worker: Worker = startFrameWorker()) {
    this.worker = worker;
  }

  /** The group key of `epoch`; outgoing frames are sealed under the newest from now on. */
  setKey(epoch: number, raw: Uint8Array): Promise<void> {
    const copy = raw.slice().buffer;
    const keyed = this.reply((r) => r.type === 'keyed' && r.epoch === epoch);
    this.post({ type: 'key', epoch, raw: copy }, [copy]);
    return keyed.then(() => undefined);
  }

  /** Out of the group (removed, back to waiting, the visit over): no key is kept. */
  forget(): void {
    this.post({ type: 'forget' });
  }

  /**
   * Who may take part by audio in the clear, as the key holder's newest sealed box says (never
   * anything the server says): only then do our clear copy go out and their voices play unsealed.
   */
  setClearAudio(participantIds: readonly string[]): void {
    this.clearAudio = new Set(participantIds);
  }

  /**
   * Seals what `target` sends, or opens what it receives. Audio in the clear passes as it is,
   * but only as the holder's word allows: our own clear copy while anyone is in the clear, and
   * the voice of someone in the clear; anything else asked in the clear is refused (thrown),
   * so the produce or consume fails rather than send or play it.
   */
  attach(target: RTCRtpSender | RTCRtpReceiver, options: AttachOptions | TransformOptions): void {
    if ('clear' in options && options.clear) {
      const allowed =
        options.kind === 'audio' &&
        (options.side === 'send' ? this.clearAudio.size > 0 : options.participantId !== undefined && this.clearAudio.has(options.participantId));
      if (!allowed) throw new ClearAudioRefusedError();
      this.passThrough(target);
      return;
    }
    const t = target as Transformable;
    const sealing: TransformOptions = { side: options.side, kind: options.kind };
    if (hasScriptTransform()) {
      t.transform = new RTCRtpScriptTransform(this.worker, sealing);
      return;
    }
    if (typeof t.createEncodedStreams === 'function') {
      const { readable, writable } = t.createEncodedStreams();
      this.post({ type: 'streams', readable, writable, options: sealing }, [readable as unknown as Transferable, writable as unknown as Transferable]);
      return;
    }
    throw new EncryptionUnavailableError();
  }

  /** Leaves frames as they are: nothing with a script transform; the older streams piped straight through. */
  private passThrough(target: RTCRtpSender | RTCRtpReceiver): void {
    const t = target as Transformable;
    if (hasScriptTransform() || typeof t.createEncodedStreams !== 'function') return;
    const { readable, writable } = t.createEncodedStreams();
    readable.pipeTo(writable).catch(() => undefined);
  }

  /**
   * `listener` hears when frames arrive that no key held here opens (at most once a second):
   * a key change that has not reached this person. Returns how to stop listening.
   */
  onMissingKey(listener: (epoch: number | undefined) => void): () => void {
    const handler = (event: MessageEvent<WorkerReply>): void => {
      if (event.data.type === 'missingKey') listener(event.data.epoch);
    };
    this.worker.addEventListener('message', handler);
    return () => this.worker.removeEventListener('message', handler);
  }

  /** Frames sealed, opened and dropped so far, in this call; frames held for a key now; key frames asked for by receivers. */
  async counts(): Promise<{ sealed: number; opened: number; dropped: number; held: number; keyFrameAsks: number }> {
    const answer = this.reply((r) => r.type === 'counts');
    this.post({ type: 'counts' });
    const r = await answer;
    return r.type === 'counts'
      ? { sealed: r.sealed, opened: r.opened, dropped: r.dropped, held: r.held, keyFrameAsks: r.keyFrameAsks }
      : { sealed: 0, opened: 0, dropped: 0, held: 0, keyFrameAsks: 0 };
  }

  close(): void {
    this.closed = true;
    this.worker.terminate();
  }

  private post(message: CipherMessage, transfer: Transferable[] = []): void {
    if (!this.closed) this.worker.postMessage(message, transfer);
  }

  private reply(match: (r: WorkerReply) => boolean): Promise<WorkerReply> {
    return new Promise((resolve) => {
      const listener = (event: MessageEvent<WorkerReply>): void => {
        if (!match(event.data)) return;
        this.worker.removeEventListener('message', listener);
        resolve(event.data);
      };
      this.worker.addEventListener('message', listener);
    });
  }
}
