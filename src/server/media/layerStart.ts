/**
 * Two settings that get a layered camera (CAMERA_LAYERS) to a receiver promptly, both about how
 * mediasoup and Chromium work rather than about sessions: the session server uses them
 * (PeerMedia), and so does the first-frame bench's bare mediasoup server, so that its baseline is
 * the fastest plain mediasoup does with the same layers (docs/performance.md, "With simulcast
 * on").
 */
import type { types as ms } from 'mediasoup';

/**
 * How long the SFU holds a camera's key-frame request after asking for one: a request made
 * sooner goes out when this has passed (mediasoup's `keyFrameRequestDelay`). Chromium's encoder
 * drops a key-frame request that comes within 300 ms of the last one it took, and mediasoup asks
 * again only after a second. A newcomer's camera is asked for a key frame as it is let in, and
 * each receiver asks again as its consumer starts: the second request was often dropped, and
 * that receiver saw the newcomer more than a second late.
 */
export const KEY_FRAME_REQUEST_DELAY_MS = 310;

/**
 * How often, and how many times at most, a layered consumer that may flow but has no layer yet
 * has the worker weigh its receiver's link again (startLayers): about a second, after which the
 * sender's first RTCP report has done it anyway.
 */
export const LAYER_START_TICK_MS = 20;
export const LAYER_START_TICKS = 50;

/**
 * Gets a layered consumer its first layer as soon as the worker can choose one. mediasoup shares
 * a receiver's link among its consumers by the bitrate each layer is measured at, and a layer the
 * producer has just begun to send has no measure yet (one key frame, arriving within a
 * millisecond). The consumer asks when it is resumed, and again when a stream appears, gets
 * nothing either time, and nothing asks again until the sender's first RTCP report, about half
 * a second later. So, until the consumer has layers, every LAYER_START_TICK_MS its priority is
 * raised to 2 and put back to the default in turn (each a change, on which the worker shares the
 * link out again), ending at the default within LAYER_START_TICKS. The worker decides what to
 * send as it always does. `onError` hears of a failed call (the consumer closing meanwhile).
 * Settles once done: layers found, the consumer paused or closed, or the ticks spent.
 */
export function startLayers(consumer: ms.Consumer, onError: (err: unknown) => void): Promise<void> {
  if (consumer.type !== 'simulcast') return Promise.resolve();
  return new Promise((done) => {
    let ticks = 0;
    const tick = (): void => {
      // Whether the last tick raised it.
      const raised = ticks % 2 === 1;
      if (consumer.closed || consumer.paused || consumer.producerPaused || consumer.currentLayers || ticks >= LAYER_START_TICKS) {
        if (raised && !consumer.closed) consumer.unsetPriority().catch(onError);
        done();
        return;
      }
      (raised ? consumer.unsetPriority() : consumer.setPriority(2)).catch(onError);
      ticks++;
      setTimeout(tick, LAYER_START_TICK_MS).unref();
    };
    setTimeout(tick, LAYER_START_TICK_MS).unref();
  });
}
