/**
 * A camera's first key frame, and the receivers that should wait for it (issue 15). A camera
 * held since the waiting room sends nothing until its person is let in; a receiver may have its
 * consumer resumed before that first frame reaches the SFU (the newcomer's page busy at the
 * admission). mediasoup cannot give a layered consumer a layer before the camera's stream has a
 * measured rate, so the first key frame is dropped for that receiver; its next one cannot come
 * sooner than 300 ms after the last one asked for (Chromium's window, KEY_FRAME_REQUEST_DELAY_MS),
 * and the receiver saw the newcomer half a second late. A consumer resumed before its camera's
 * first key frame has reached the SFU is therefore resumed once it has (or after
 * FIRST_KEY_FRAME_WAIT_MS, whatever came): its resume's key-frame request is then the first the
 * camera is asked for, and the key frame it brings finds a layer to go in.
 *
 * Like layerStart.ts this is about how mediasoup and Chromium work, not about sessions: the
 * session server uses it (PeerMedia), and so does the first-frame bench's bare mediasoup server.
 */
import type { types as ms } from 'mediasoup';

/** The longest a resumed consumer waits for its camera's first key frame. */
export const FIRST_KEY_FRAME_WAIT_MS = 1_500;

/** Cameras whose first key frame has not reached the SFU yet: settled when it has, or when they close. */
const awaited = new Map<string, Promise<void>>();

/**
 * Watches a new video producer for its first key frame (a trace event of mediasoup's, turned off
 * again once seen). `onError` hears of a failed call (the producer closing meanwhile).
 */
export function watchFirstKeyFrame(producer: ms.Producer, onError: (err: unknown) => void): void {
  if (producer.kind !== 'video' || producer.closed) return;
  const seen = new Promise<void>((resolve) => {
    const settle = (): void => {
      if (awaited.get(producer.id) !== seen) return;
      awaited.delete(producer.id);
      producer.off('trace', onTrace);
      resolve();
    };
    const onTrace = (trace: ms.ProducerTraceEventData): void => {
      if (trace.type !== 'keyframe') return;
      settle();
      if (!producer.closed) producer.enableTraceEvent([]).catch(onError);
    };
    producer.on('trace', onTrace);
    producer.observer.once('close', settle);
  });
  awaited.set(producer.id, seen);
  producer.enableTraceEvent(['keyframe']).catch(onError);
}

/**
 * Settles once the camera `producerId` has sent its first key frame, at once for one that has
 * (or that is not watched: audio, another server's), and after `FIRST_KEY_FRAME_WAIT_MS` at most.
 */
export function firstKeyFrame(producerId: string): Promise<void> | null {
  const seen = awaited.get(producerId);
  if (!seen) return null;
  return Promise.race([seen, new Promise<void>((resolve) => setTimeout(resolve, FIRST_KEY_FRAME_WAIT_MS).unref())]);
}
