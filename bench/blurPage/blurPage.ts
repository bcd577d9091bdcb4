/**
 * The page of bench/blur.ts: the camera (640×360, the participant page's constraints) shown in
 * a <video>, either as it is ("off": the baseline) or through the product's BackdropProcessor
 * with blur ("on"), with the frames the <video> presents counted (requestVideoFrameCallback).
 */
import { BackdropProcessor } from '../../src/client/backdrop';
import { VIDEO_CONSTRAINTS } from '../../src/client/media';

interface Window {
  processor: BackdropProcessor | null;
  camera: MediaStreamTrack | null;
  presented: number;
}

const state: Window = { processor: null, camera: null, presented: 0 };
const shown = document.getElementById('shown') as HTMLVideoElement;

// The compositor's own count (presentedFrames), not the callbacks: a callback can stand for
// several frames when the page's thread was busy (the model runs on it).
function count(_now: number, metadata: VideoFrameCallbackMetadata): void {
  state.presented = metadata.presentedFrames;
  shown.requestVideoFrameCallback(count);
}
shown.requestVideoFrameCallback(count);

const bench = {
  /** Starts a window: the camera, with blur on or off. Resolves once its first frame is shown. */
  async start(blur: boolean): Promise<void> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: VIDEO_CONSTRAINTS });
    const camera = stream.getVideoTracks()[0]!;
    state.camera = camera;
    let track = camera;
    if (blur) {
      state.processor = new BackdropProcessor(camera, 'blur', { assetBase: '/segmentation/', onFailure: (e) => console.error('blur failed', e) });
      track = state.processor.track;
    }
    shown.srcObject = new MediaStream([track]);
    await shown.play();
    const first = state.presented;
    const segmented = () => (state.processor ? state.processor.framesSegmented : 1);
    while (state.presented === first || segmented() === 0) await new Promise((r) => setTimeout(r, 50));
  },
  /** Frames presented so far, and (blur on) frames segmented. */
  counts(): { presented: number; segmented: number } {
    return { presented: state.presented, segmented: state.processor?.framesSegmented ?? 0 };
  },
  stop(): void {
    if (state.processor) state.processor.stop();
    else state.camera?.stop();
    state.processor = null;
    state.camera = null;
    shown.srcObject = null;
  },
};

(window as unknown as { blurBench: typeof bench }).blurBench = bench;
