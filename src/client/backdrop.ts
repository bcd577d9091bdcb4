/**
 * Background blur or a neutral backdrop for a camera (issue 21), for the participant page and
 * the console alike. A person-segmentation model (MediaPipe's selfie segmentation, shipped in
 * its npm package and served by our own server: scripts/segmentationAssets.ts) finds the person
 * in each camera frame; the frame is drawn onto a canvas with everything but the person blurred
 * or painted over, and the canvas's own track (`canvas.captureStream`) is what the caller gets
 * to preview and send. The camera's raw track never leaves this module.
 *
 * The room is never in what is sent:
 * - The canvas is painted with the backdrop alone before anything else, so the first frames
 *   are the backdrop, never the camera's (in blur mode too, until the first mask exists).
 * - Each camera frame is drawn only together with its own mask, never with an older one: the
 *   frame is first copied still onto a canvas, the model is given that copy (scaled to its
 *   input size) and the composite draws that same copy under the mask made from it. Nothing
 *   of a frame is shown unsegmented.
 * - When the model cannot load or run, the canvas keeps showing the backdrop alone, and the
 *   failure is reported (`onFailure`) so the person is told and can turn the camera off.
 * - A new camera (a switch, a reconnect that asks for the camera again) means a new processor,
 *   so the same holds from its first frame.
 */

/** What is done to the background: nothing (the raw camera), blurred, or a plain colour. */
export type BackgroundMode = 'none' | 'blur' | 'backdrop';
export const BACKGROUND_MODES: readonly BackgroundMode[] = ['none', 'blur', 'backdrop'];

export function isBackgroundMode(value: unknown): value is BackgroundMode {
  return typeof value === 'string' && (BACKGROUND_MODES as readonly string[]).includes(value);
}

/** The neutral backdrop: a calm grey-blue, also shown before the first mask and on failure. */
export const BACKDROP_RGB: readonly [number, number, number] = [96, 112, 120];
const BACKDROP_CSS = `rgb(${BACKDROP_RGB.join(',')})`;

/** The background is drawn this many times smaller, then scaled back up: a strong, cheap blur. */
const BLUR_DOWNSCALE = 16;
/** How far past the small canvas's edges the frame is drawn, in its pixels. */
const BLUR_BLEED = 3;
/** How long loading the model may take before it counts as a failure. */
const LOAD_TIMEOUT_MS = 30_000;
/** The most frames per second segmented (the camera asks for 24). */
const MAX_FPS = 24;
/**
 * The size the model is given each frame: its own input size (the landscape model's 256×144).
 * Scaled here on a 2D canvas rather than by the model's loader on WebGL, which where there is
 * no GPU (software GL) costs more than the inference itself.
 */
const MODEL_WIDTH = 256;
const MODEL_HEIGHT = 144;

/** The part of MediaPipe's SelfieSegmentation used here (its package declares more). */
interface SegmentationResults {
  image: CanvasImageSource;
  segmentationMask: CanvasImageSource;
}
interface SelfieSegmentationLike {
  setOptions(options: Record<string, unknown>): void;
  onResults(listener: (results: SegmentationResults) => void): void;
  initialize(): Promise<void>;
  send(inputs: { image: HTMLVideoElement | HTMLCanvasElement }): Promise<void>;
}
type SelfieSegmentationClass = new (config: { locateFile: (file: string) => string }) => SelfieSegmentationLike;

/**
 * One loaded model for the whole page, shared by every processor in turn: the WebAssembly and
 * the model are a few megabytes and take a second or so to start.
 */
class Segmenter {
  private sink: ((results: SegmentationResults) => void) | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly model: SelfieSegmentationLike) {
    model.onResults((results) => this.sink?.(results));
  }

  /**
   * Segments the video's current frame; `draw` gets the frame and its mask while they are
   * valid (the model reuses its buffers afterwards). One frame at a time, page-wide.
   */
  segment(image: HTMLCanvasElement, draw: (results: SegmentationResults) => void): Promise<void> {
    const run = this.queue.then(async () => {
      this.sink = draw;
      try {
        await this.model.send({ image });
      } finally {
        this.sink = null;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

let loading: { base: string; segmenter: Promise<Segmenter> } | null = null;

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

/**
 * The page's segmenter, loaded once from `assetBase` (the folder the build put the model in,
 * ending in '/'). A failed load is forgotten, so a later try starts afresh.
 */
export function loadSegmenter(assetBase: string): Promise<Segmenter> {
  if (loading && loading.base === assetBase) return loading.segmenter;
  const segmenter = (async () => {
    const global = window as unknown as { SelfieSegmentation?: SelfieSegmentationClass };
    if (!global.SelfieSegmentation) await loadScript(`${assetBase}selfie_segmentation.js`);
    const Model = global.SelfieSegmentation;
    if (!Model) throw new Error('the segmentation model did not load');
    const model = new Model({ locateFile: (file) => `${assetBase}${file}` });
    // The landscape model (256×144 input) suits a 16:9 camera and is the faster of the two.
    // Inference on the CPU (WebAssembly, SIMD where there is some): about three times faster
    // than WebGL where there is no GPU (software GL), and the same on every device.
    model.setOptions({ modelSelection: 1, selfieMode: false, useCpuInference: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        model.initialize(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the segmentation model took too long to load')), LOAD_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return new Segmenter(model);
  })();
  loading = { base: assetBase, segmenter };
  segmenter.catch(() => {
    if (loading?.segmenter === segmenter) loading = null;
  });
  return segmenter;
}

export interface BackdropOptions {
  /** Where the model's files are served, ending in '/'. */
  assetBase: string;
  /** Told once when the model cannot load or run: what is sent stays the backdrop alone. */
  onFailure?: (error: unknown) => void;
}

/**
 * Takes a raw camera track and gives `track`, the camera with its background blurred or
 * replaced. Owns the raw track: stopping `track` (or calling `stop`) stops the camera too.
 */
export class BackdropProcessor {
  /** What to preview and send. */
  readonly track: MediaStreamTrack;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly small: HTMLCanvasElement;
  private readonly smallCtx: CanvasRenderingContext2D;
  private readonly video: HTMLVideoElement;
  /** The camera's frame being processed, held still while the model looks at it. */
  private readonly frame: HTMLCanvasElement;
  private readonly frameCtx: CanvasRenderingContext2D;
  /** The same frame at the model's size. */
  private readonly input: HTMLCanvasElement;
  private readonly inputCtx: CanvasRenderingContext2D;
  private stopped = false;
  private failed = false;
  private masks = 0;
  private readonly stopOutput: () => void;

  constructor(
    private readonly raw: MediaStreamTrack,
    private modeNow: Exclude<BackgroundMode, 'none'>,
    private readonly options: BackdropOptions,
  ) {
    const settings = raw.getSettings();
    const width = settings.width ?? 640;
    const height = settings.height ?? 360;
    this.canvas = document.createElement('canvas');
    this.canvas.width = width;
    this.canvas.height = height;
    this.ctx = context(this.canvas);
    this.small = document.createElement('canvas');
    this.small.width = Math.max(1, Math.round(width / BLUR_DOWNSCALE));
    this.small.height = Math.max(1, Math.round(height / BLUR_DOWNSCALE));
    this.smallCtx = context(this.small);
    this.frame = document.createElement('canvas');
    this.frame.width = width;
    this.frame.height = height;
    this.frameCtx = context(this.frame);
    this.input = document.createElement('canvas');
    this.input.width = MODEL_WIDTH;
    this.input.height = MODEL_HEIGHT;
    this.inputCtx = context(this.input);
    // The backdrop first: the very first frame the canvas yields is it, never the camera.
    this.paintBackdrop();
    // A frame each time the canvas is painted: once per segmented frame, and the backdrop before.
    this.track = this.canvas.captureStream().getVideoTracks()[0]!;
    this.paintBackdrop();
    this.stopOutput = this.track.stop.bind(this.track);
    // Whoever holds the track may stop it (a switch turned off, the call ending): the camera
    // stops with it, so its light goes off as it would with the raw track.
    this.track.stop = () => this.stop();
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = new MediaStream([raw]);
    raw.addEventListener('ended', () => {
      // The camera went away (unplugged, taken by the system): so does what came from it.
      if (this.stopped) return;
      this.stop();
      this.track.dispatchEvent(new Event('ended'));
    });
    void this.run();
  }

  get mode(): Exclude<BackgroundMode, 'none'> {
    return this.modeNow;
  }

  /** Whether the model could not run: what is sent is the backdrop alone. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Masks drawn so far (0: only the backdrop has been sent). */
  get framesSegmented(): number {
    return this.masks;
  }

  /** Blur or backdrop, from the next frame on. */
  setMode(mode: Exclude<BackgroundMode, 'none'>): void {
    this.modeNow = mode;
    if (this.failed || this.masks === 0) this.paintBackdrop();
  }

  stop(): void {
    this.release().stop();
  }

  /**
   * Stops processing and what it yields, and hands back the camera's own track, still live
   * (turning blur off keeps the camera on without asking the browser for it again).
   */
  release(): MediaStreamTrack {
    if (!this.stopped) {
      this.stopped = true;
      this.video.srcObject = null;
      this.stopOutput();
    }
    return this.raw;
  }

  private paintBackdrop(): void {
    const { ctx, canvas } = this;
    ctx.globalCompositeOperation = 'copy';
    ctx.fillStyle = BACKDROP_CSS;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.globalCompositeOperation = 'source-over';
  }

  private fail(error: unknown): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    this.paintBackdrop();
    this.options.onFailure?.(error);
    // Keep the backdrop flowing (about twice a second) so the group sees a calm tile, not a freeze.
    const keepAlive = (): void => {
      if (this.stopped) return;
      this.paintBackdrop();
      setTimeout(keepAlive, 500);
    };
    setTimeout(keepAlive, 500);
  }

  private async run(): Promise<void> {
    let segmenter: Segmenter;
    try {
      await this.video.play();
      segmenter = await loadSegmenter(this.options.assetBase);
    } catch (err) {
      this.fail(err);
      return;
    }
    const interval = 1000 / MAX_FPS;
    let lastFrameTime = -1;
    while (!this.stopped) {
      const started = performance.now();
      const video = this.video;
      // A frame not seen before (the camera may deliver fewer than MAX_FPS).
      if (video.readyState >= 2 && video.currentTime !== lastFrameTime) {
        lastFrameTime = video.currentTime;
        // One still copy of the frame: the model is given it (scaled down) and the composite
        // draws that same copy with the mask made from it.
        this.frameCtx.drawImage(video, 0, 0, this.frame.width, this.frame.height);
        this.inputCtx.drawImage(this.frame, 0, 0, MODEL_WIDTH, MODEL_HEIGHT);
        try {
          await segmenter.segment(this.input, (results) => this.composite(results.segmentationMask));
        } catch (err) {
          this.fail(err);
          return;
        }
      }
      const wait = Math.max(0, interval - (performance.now() - started));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Draws the held camera frame with its own mask: the person as they are, the rest blurred or plain. */
  private composite(segmentationMask: CanvasImageSource): void {
    if (this.stopped) return;
    const { ctx, canvas, frame: image } = this;
    const { width, height } = canvas;
    // The mask first (its alpha is how sure the model is that a pixel is the person's)…
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(segmentationMask, 0, 0, width, height);
    // …the frame kept only where the mask is…
    ctx.globalCompositeOperation = 'source-in';
    ctx.drawImage(image, 0, 0, width, height);
    // …and behind it, the background: the same frame, much smaller then scaled back up, or the backdrop.
    ctx.globalCompositeOperation = 'destination-over';
    if (this.modeNow === 'blur') {
      const { small, smallCtx } = this;
      // Blurred again at the small size (2 px there is about 30 px of the frame), drawn past the
      // canvas's edges so the blur has no transparent border to pull in.
      smallCtx.filter = 'blur(2px)';
      smallCtx.drawImage(image, -BLUR_BLEED, -BLUR_BLEED, small.width + 2 * BLUR_BLEED, small.height + 2 * BLUR_BLEED);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(small, 0, 0, width, height);
    } else {
      ctx.fillStyle = BACKDROP_CSS;
      ctx.fillRect(0, 0, width, height);
    }
    ctx.globalCompositeOperation = 'source-over';
    this.masks++;
  }
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { alpha: true });
  if (!ctx) throw new Error('no 2D canvas');
  return ctx;
}
