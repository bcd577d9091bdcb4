/**
 * Whether a page hears a tone, rather than merely something: Chromium's fake microphone beeps
 * (a short burst of one pitch, a couple of times a second), and a page that receives it clearly
 * has that pitch stand far above the bands around it. Noise (for example sealed audio
 * decoded without its key) is loud in neighbouring bands alike, and silence in none, so "how far
 * does the beep's band stand above the median band around it" tells hearing the tone from both.
 *
 * One listen: an AnalyserNode on the page's remote audio elements, read every few ms over the
 * whole listen, each band's power averaged over the reads (its energy over the listen). The
 * beep's pitch is not assumed: find it in a positive control with `dominantHz`, then measure
 * every page at that pitch with `toneLevelDb`.
 */
import type { Page } from './e2eTest';

/** What one page heard: each band's mean power over the listen, in dBFS. */
export interface Spectrum {
  sampleRate: number;
  /** Width of one band in Hz. */
  binHz: number;
  /** Mean power per band, lowest frequency first; silence reads as FLOOR_DB. */
  meanDb: number[];
  /** How many times the analyser was read: a starved page reads fewer. */
  reads: number;
  /** Loudest sample seen (linear; decoded noise may pass 1): says whether anything played at all. */
  peak: number;
}

/** How far above the median band around it the tone's band must stand to count as the tone heard. */
export const TONE_MIN_DB = 12;

/**
 * A listen that read its analyser fewer times than this (a page starved of its thread) measured
 * too little of the listen to say anything, either way.
 */
export const MIN_READS = 20;

/** What silence reads as: the analyser's -Infinity would make every difference meaningless. */
const FLOOR_DB = -200;

/** Bands below this are mostly hum, and thumps when a loaded machine glitches; the beep is well above. */
const LOWEST_HZ = 200;
/**
 * How many bands either side of the tone's own belong to it: a 20 ms beep is not one pure band,
 * and its spread must not count as the background it is measured against.
 */
const LOBE_BANDS = 3;

/**
 * Listens to the audio elements matching `selector` on `page` for `durationMs` and returns
 * their spectrum. Chromium plays a remote WebRTC track into Web Audio only while a media
 * element plays it too, which is why the elements' streams, not tracks found elsewhere, are used.
 */
export async function listen(page: Page, selector: string, durationMs = 2000): Promise<Spectrum> {
  return page.evaluate(
    async ({ sel, durationMs, floor }) => {
      const tracks = [...document.querySelectorAll<HTMLMediaElement>(sel)]
        .map((el) => el.srcObject)
        .filter((s): s is MediaStream => s instanceof MediaStream)
        .flatMap((s) => s.getAudioTracks());
      const ctx = new AudioContext();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 2048;
      // Each read is its own moment; the averaging over the listen is done here, in power.
      analyser.smoothingTimeConstant = 0;
      const bins = analyser.frequencyBinCount;
      const power = new Array<number>(bins).fill(0);
      let reads = 0;
      let peak = 0;
      if (tracks.length > 0) {
        ctx.createMediaStreamSource(new MediaStream(tracks)).connect(analyser);
        const spectrum = new Float32Array(bins);
        const samples = new Float32Array(analyser.fftSize);
        const until = performance.now() + durationMs;
        // The analyser's window is ~45 ms; reading every ~10 ms sees every moment of the listen.
        while (performance.now() < until) {
          analyser.getFloatFrequencyData(spectrum);
          for (let i = 0; i < bins; i++) if (Number.isFinite(spectrum[i])) power[i]! += 10 ** (spectrum[i]! / 10);
          reads++;
          analyser.getFloatTimeDomainData(samples);
          for (const x of samples) peak = Math.max(peak, Math.abs(x));
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const sampleRate = ctx.sampleRate;
      await ctx.close();
      const meanDb = power.map((p) => (p > 0 ? Math.max(floor, 10 * Math.log10(p / reads)) : floor));
      return { sampleRate, binHz: sampleRate / analyser.fftSize, meanDb, reads, peak };
    },
    { sel: selector, durationMs, floor: FLOOR_DB },
  );
}

/** The frequency of the loudest band (above LOWEST_HZ): the beep's pitch, in a page that hears it. */
export function dominantHz(spectrum: Spectrum): number {
  const from = Math.ceil(LOWEST_HZ / spectrum.binHz);
  let best = from;
  for (let i = from; i < spectrum.meanDb.length; i++) if (spectrum.meanDb[i]! > spectrum.meanDb[best]!) best = i;
  return best * spectrum.binHz;
}

/**
 * How many dB the band at `hz` (or a neighbour: the beep's energy may straddle two) stands above
 * the median band of the octave either side of it, the tone's own spread (LOBE_BANDS) left out.
 * The background is taken this near because sealed audio decoded without its key is noise
 * louder at the low end than at the top: against the whole spectrum's median, that slope alone
 * would look like a tone. A few dB for silence or noise; the tone heard clearly, TONE_MIN_DB or more.
 */
export function toneLevelDb(spectrum: Spectrum, hz: number): number {
  const bin = Math.round(hz / spectrum.binHz);
  const band = (i: number): number => spectrum.meanDb[i] ?? FLOOR_DB;
  const at = Math.max(band(bin - 1), band(bin), band(bin + 1));
  const background: number[] = [];
  for (let i = Math.floor(bin / 2); i <= bin * 2; i++) if (Math.abs(i - bin) > LOBE_BANDS) background.push(band(i));
  background.sort((a, b) => a - b);
  return at - background[Math.floor(background.length / 2)]!;
}

/** Whether `spectrum` has the tone at `hz`. */
export function hearsTone(spectrum: Spectrum, hz: number): boolean {
  return toneLevelDb(spectrum, hz) >= TONE_MIN_DB;
}
