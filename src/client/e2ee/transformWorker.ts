/**
 * The worker that seals and opens a call's media frames (issue 19), for the participant page
 * and the console alike: WebRTC hands it each outgoing encoded frame before packetisation and
 * each incoming one after, through `RTCRtpScriptTransform` (an `rtctransform` event here) or,
 * where only the older insertable streams exist, through the streams the page transfers.
 *
 * It keeps the group keys it was given by epoch (the current and the one before, so a change
 * drops nothing in flight) and seals outgoing frames under the newest. Without a key it sends
 * nothing and plays nothing: a frame is never sent in the clear, and one that does not open is
 * dropped rather than decoded as noise.
 */
import { clearHeaderBytes, decryptFrame, encryptFrame, frameEpoch, importFrameKey } from './frameCrypto';
import type { CipherMessage, TransformOptions } from './cipherMessages';

/** Epochs kept for opening frames: the newest and the one before it. */
const KEPT_EPOCHS = 2;

const keys = new Map<number, CryptoKey>();
let sendingEpoch: number | undefined;
const counts = { sealed: 0, opened: 0, dropped: 0, keyFrameAsks: 0 };
/** The key changes given so far, applied one after another. */
let keying: Promise<void> = Promise.resolve();

interface EncodedFrame {
  data: ArrayBuffer;
  /** Video frames say whether they are key frames; audio frames have no type. */
  type?: 'key' | 'delta' | 'empty';
}

/** A video sender's frames from before the key, from a key frame on, and since when (this worker's clock). */
interface Held {
  frames: EncodedFrame[];
  since: number;
}

/** The script transform's own handle, where the browser gives one: a receiver's can ask for a key frame. */
interface Transformer {
  sendKeyFrameRequest?: () => Promise<unknown>;
}

/**
 * A camera that starts before the group key has come (a newcomer's encoder starts as they are
 * let in, the key's box is opened alongside) keeps its frames from its latest key frame on, for
 * at most this long, and sends them sealed once the key comes. Dropped instead, the stream
 * reached the SFU with a delta first; the SFU asked the camera for a key frame at once, and a
 * receiver that asked in the next 300 ms waited until that window had passed (Chromium ignores
 * key-frame requests within 300 ms of the last it took, KEY_FRAME_REQUEST_DELAY_MS): the group
 * saw the newcomer half a second late in one round of ten.
 */
export const UNKEYED_HOLD_MS = 500;
/** At most this many frames held (a second of video at 30 fps is far more than the wait for a key). */
const UNKEYED_HOLD_FRAMES = 30;
/** Every video sender's held frames, so that leaving the group (forget) drops them all. */
const holds = new Set<Held>();

/** At most one key-frame request per this many ms from one sender or receiver. */
const KEY_FRAME_REQUEST_MS = 500;
/** At most one word to the page per this many ms that frames arrive no key here opens. */
const MISSING_KEY_MS = 1000;
let missingKeySaidAt = -Infinity;

/** Frames under `epoch` do not open here: the page may ask the holder for the key again. */
function missingKey(epoch: number | undefined): void {
  const now = performance.now();
  if (now - missingKeySaidAt < MISSING_KEY_MS) return;
  missingKeySaidAt = now;
  scope.postMessage({ type: 'missingKey', epoch });
}

function transform(options: TransformOptions, transformer: Transformer | undefined): TransformStream<EncodedFrame, EncodedFrame> {
  // A video stream whose frames could not be opened here (no key yet, or the key of a change
  // still on its way) needs a key frame to start again: deltas without it decode to nothing. A
  // receiver asks the sender for one as soon as frames open again, where the browser lets a
  // transform ask; otherwise the decoder's own key-frame request does it, a little later. The
  // sender passes every delta once it can seal: holding them back for a key frame left a
  // stream the SFU had never seen, so nobody could ask its encoder for one.
  let needKeyFrame = options.kind === 'video';
  const held: Held = { frames: [], since: 0 };
  if (options.side === 'send' && options.kind === 'video') holds.add(held);
  const release = (): void => {
    holds.delete(held);
    held.frames.length = 0;
  };
  let lastRequest = -Infinity;
  const requestKeyFrame = (): void => {
    const now = performance.now();
    if (now - lastRequest < KEY_FRAME_REQUEST_MS) return;
    lastRequest = now;
    void transformer?.sendKeyFrameRequest?.call(transformer).catch(() => undefined);
  };
  return new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      if (options.side === 'send') {
        const key = sendingEpoch === undefined ? undefined : keys.get(sendingEpoch);
        if (!key || sendingEpoch === undefined) {
          if (options.kind === 'video') hold(held, frame);
          else counts.dropped++;
          return;
        }
        // The key came: what was held goes first, its key frame leading, all sealed under it.
        for (const earlier of held.frames.splice(0)) await seal(earlier, options.kind, key, sendingEpoch, controller);
        return seal(frame, options.kind, key, sendingEpoch, controller);
      }
      const data = new Uint8Array(frame.data);
      const clear = clearHeaderBytes(options.kind, data);
      const epoch = frameEpoch(data, clear);
      const key = epoch === undefined ? undefined : keys.get(epoch);
      const opened = key ? await decryptFrame(key, data, clear) : undefined;
      if (!opened) {
        if (options.kind === 'video') needKeyFrame = true;
        // Without any key this person is out of the group, or not keyed yet (the page knows).
        if (sendingEpoch !== undefined) missingKey(epoch);
        return void counts.dropped++;
      }
      if (needKeyFrame) {
        if (frame.type === 'delta') {
          counts.keyFrameAsks++;
          requestKeyFrame();
        } else needKeyFrame = false;
      }
      frame.data = opened.buffer;
      counts.opened++;
      controller.enqueue(frame);
    },
    // The sender or receiver is gone: nothing of it is kept.
    flush: release,
    // Where the browser calls it (the stream torn down rather than closed); not in every DOM typing yet.
    ...{ cancel: release },
  });
}

/** Keeps `frame` of a video sender with no key yet: from a key frame on, young enough, few enough; else drops. */
function hold(held: Held, frame: EncodedFrame): void {
  const now = performance.now();
  if (frame.type === 'key') {
    counts.dropped += held.frames.length;
    held.frames.length = 0;
    held.since = now;
  } else if (held.frames.length === 0 || held.frames.length >= UNKEYED_HOLD_FRAMES || now - held.since > UNKEYED_HOLD_MS) {
    // Nothing to build on (no key frame kept), or kept too long: all of it goes.
    counts.dropped += held.frames.length + 1;
    held.frames.length = 0;
    return;
  }
  held.frames.push(frame);
}

async function seal(frame: EncodedFrame, kind: TransformOptions['kind'], key: CryptoKey, epoch: number, controller: TransformStreamDefaultController<EncodedFrame>): Promise<void> {
  const data = new Uint8Array(frame.data);
  frame.data = (await encryptFrame(key, epoch, data, clearHeaderBytes(kind, data))).buffer;
  counts.sealed++;
  controller.enqueue(frame);
}

function pipe(readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>, options: TransformOptions, transformer?: Transformer): void {
  readable.pipeThrough(transform(options, transformer)).pipeTo(writable).catch(() => undefined);
}

async function setKey(epoch: number, raw: ArrayBuffer): Promise<void> {
  const key = await importFrameKey(new Uint8Array(raw));
  // A key seen again under the same epoch (a new holder starting over) replaces the old one,
  // and counts as the newest.
  keys.delete(epoch);
  keys.set(epoch, key);
  sendingEpoch = epoch;
  // Epochs count up and wrap at 256: keep the newest few, by when they came.
  while (keys.size > KEPT_EPOCHS) keys.delete(keys.keys().next().value!);
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<CipherMessage>) => void) | null;
  onrtctransform?: ((event: { transformer: Transformer & { readable: ReadableStream<EncodedFrame>; writable: WritableStream<EncodedFrame>; options: TransformOptions } }) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

scope.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  pipe(readable, writable, options, event.transformer);
};

scope.onmessage = (event) => {
  const message = event.data;
  // Keys and forgetting take effect in the order they were given, though a key's import takes a moment.
  if (message.type === 'key') {
    keying = keying
      .then(() => setKey(message.epoch, message.raw))
      .then(() => scope.postMessage({ type: 'keyed', epoch: message.epoch }))
      // A key that is not one (never sent by the page) changes nothing.
      .catch(() => undefined);
  } else if (message.type === 'forget') {
    keying = keying.then(() => {
      keys.clear();
      sendingEpoch = undefined;
      // Nothing captured before leaving the group is sent under a key given after it.
      for (const held of holds) {
        counts.dropped += held.frames.length;
        held.frames.length = 0;
      }
    });
  } else if (message.type === 'streams') pipe(message.readable as ReadableStream<EncodedFrame>, message.writable as WritableStream<EncodedFrame>, message.options);
  else if (message.type === 'counts') scope.postMessage({ type: 'counts', ...counts, held: [...holds].reduce((n, held) => n + held.frames.length, 0) });
};
