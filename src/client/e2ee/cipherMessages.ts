/** What the page and the frame worker (transformWorker.ts) tell each other. */
import type { FrameKind } from './frameCrypto';

/** Which way a transform works, and on what: given to the worker with each sender or receiver. */
export interface TransformOptions {
  side: 'send' | 'receive';
  kind: FrameKind;
}

export type CipherMessage =
  /** A group key (32 bytes) and its epoch: frames are sealed under the newest from now on. */
  | { type: 'key'; epoch: number; raw: ArrayBuffer }
  /** The visit is over, or this person is out of the group: no key is kept. */
  | { type: 'forget' }
  /** The older insertable streams of one sender or receiver, transferred. */
  | { type: 'streams'; readable: ReadableStream; writable: WritableStream; options: TransformOptions }
  /** Asks for how many frames were sealed, opened and dropped (tests and the bench read it). */
  | { type: 'counts' };

export type WorkerReply =
  | { type: 'keyed'; epoch: number }
  /**
   * `held`: video frames kept now by senders with no key yet (UNKEYED_HOLD_MS); `keyFrameAsks`:
   * times a receiver, opening a stream's first frames, found a delta first and asked for a key frame.
   */
  | { type: 'counts'; sealed: number; opened: number; dropped: number; held: number; keyFrameAsks: number }
  /**
   * Frames arrive that no key held here opens (an epoch not held, or one held under another
   * key): a key change has not reached this person. Said at most once a second.
   */
  | { type: 'missingKey'; epoch: number | undefined };
