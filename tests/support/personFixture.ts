/**
 * A camera for Chromium's fake capture device (`--use-file-for-fake-video-capture`), made here:
 * a person-like figure (shaded face with eyes, brows, mouth and hair, a neck, shoulders in a
 * sweater) in front of a strongly patterned "room" (a checkerboard), so a test can tell whether
 * the room left the browser. The figure sways a little from frame to frame, as a person does;
 * the person-segmentation model must find it (checked before this was relied on: see
 * docs/decisions.md, "Background blur"). Deterministic; written as a Y4M file (4:2:0).
 */
import { writeFileSync } from 'node:fs';

export const FIXTURE_WIDTH = 640;
export const FIXTURE_HEIGHT = 360;
/** The checkerboard's square, in pixels. */
const SQUARE = 30;

type Rgb = [number, number, number];

/** Where the figure's parts are in frame `f` (it sways by a few pixels). */
function layout(f: number): { cx: number; headY: number } {
  return { cx: FIXTURE_WIDTH / 2 + Math.round(4 * Math.sin((f / 12) * Math.PI)), headY: 120 };
}

/** Inside the head's oval (hair included). */
const inHead = (x: number, y: number, cx: number, hy: number): boolean => ((x - cx) / 58) ** 2 + ((y - hy) / 74) ** 2 <= 1;
/** Inside the neck. */
const inNeck = (x: number, y: number, cx: number, hy: number): boolean => Math.abs(x - cx) <= 24 && y >= hy + 50 && y <= hy + 100;
/** Inside the shoulders and chest: a wide rounded block to the bottom of the frame. */
function inBody(x: number, y: number, cx: number, hy: number): boolean {
  const top = hy + 88;
  if (y < top) return false;
  const dx = Math.abs(x - cx);
  // Shoulders slope down from the neck, then the arms fall straight.
  const halfWidth = Math.min(185, 40 + (y - top) * 2.6);
  return dx <= halfWidth;
}

/** Whether the pixel is the figure's, in frame `f`. */
export function isFigure(x: number, y: number, f = 0): boolean {
  const { cx, headY } = layout(f);
  return inHead(x, y, cx, headY) || inNeck(x, y, cx, headY) || inBody(x, y, cx, headY);
}

/** The room: a black-and-white checkerboard with a tint, so blur and backdrop both change it. */
function room(x: number, y: number): Rgb {
  const dark = (Math.floor(x / SQUARE) + Math.floor(y / SQUARE)) % 2 === 0;
  return dark ? [24, 30, 60] : [240, 236, 210];
}

function pixel(x: number, y: number, f: number): Rgb {
  const { cx, headY: hy } = layout(f);
  if (inHead(x, y, cx, hy)) {
    const dx = (x - cx) / 58;
    const dy = (y - hy) / 74;
    // Hair: the top of the oval and the sides above the ears.
    if (dy < -0.45 || (dy < 0.05 && Math.abs(dx) > 0.82)) return [58, 38, 26];
    // Eyes (whites with a dark iris), brows, mouth.
    for (const side of [-1, 1]) {
      const ex = cx + side * 21;
      const ey = hy - 6;
      const e = ((x - ex) / 10) ** 2 + ((y - ey) / 5) ** 2;
      if (e <= 1) return ((x - ex) ** 2 + (y - ey) ** 2 <= 16 ? [40, 30, 25] : [235, 235, 230]);
      if (Math.abs(x - ex) <= 12 && y >= ey - 14 && y <= ey - 11) return [70, 45, 30];
    }
    if (Math.abs(x - cx) <= 14 && Math.abs(y - (hy + 36) - ((x - cx) / 14) ** 2 * -3) <= 2) return [160, 70, 70];
    // Nose: a soft shadow.
    const nose = Math.abs(x - cx - 3) <= 4 && y >= hy + 4 && y <= hy + 22 ? 0.85 : 1;
    // Skin, lit from the upper left: darker towards the edges of the face.
    const light = (0.72 + 0.28 * Math.max(0, 1 - (dx + 0.25) ** 2 - (dy + 0.2) ** 2 * 0.6)) * nose;
    return [Math.round(224 * light), Math.round(172 * light), Math.round(138 * light)];
  }
  if (inNeck(x, y, cx, hy)) {
    const light = 0.75 - 0.15 * ((y - hy - 50) / 50);
    return [Math.round(224 * light), Math.round(172 * light), Math.round(138 * light)];
  }
  if (inBody(x, y, cx, hy)) {
    // A sweater: teal, shaded toward the sides, a darker V at the collar.
    const dx = Math.abs(x - cx) / 185;
    const collar = y - (hy + 88) < 30 - Math.abs(x - cx) * 0.9 ? 0.6 : 1;
    const light = (0.95 - 0.4 * dx * dx) * collar;
    return [Math.round(40 * light), Math.round(120 * light), Math.round(130 * light)];
  }
  return room(x, y);
}

/** The raw frame `f` as RGBA (what a test compares received frames against). */
export function fixtureRgba(f = 0): Uint8ClampedArray {
  const out = new Uint8ClampedArray(FIXTURE_WIDTH * FIXTURE_HEIGHT * 4);
  for (let y = 0; y < FIXTURE_HEIGHT; y++) {
    for (let x = 0; x < FIXTURE_WIDTH; x++) {
      const [r, g, b] = pixel(x, y, f);
      const i = (y * FIXTURE_WIDTH + x) * 4;
      out[i] = r;
      out[i + 1] = g;
      out[i + 2] = b;
      out[i + 3] = 255;
    }
  }
  return out;
}

/** Writes `frames` frames at 24 fps as a Y4M file at `path` (Chromium loops it). */
export function writePersonFixture(path: string, frames = 24): void {
  const w = FIXTURE_WIDTH;
  const h = FIXTURE_HEIGHT;
  const header = Buffer.from(`YUV4MPEG2 W${w} H${h} F24:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const frameHeader = Buffer.from('FRAME\n', 'ascii');
  const ySize = w * h;
  const cSize = (w / 2) * (h / 2);
  const parts: Buffer[] = [header];
  for (let f = 0; f < frames; f++) {
    const rgba = fixtureRgba(f);
    const plane = Buffer.alloc(ySize + 2 * cSize);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        plane[y * w + x] = Math.round(0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!);
      }
    }
    // Full-range BT.601 chroma, averaged over each 2×2 block.
    for (let y = 0; y < h / 2; y++) {
      for (let x = 0; x < w / 2; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
          const i = ((2 * y + oy) * w + 2 * x + ox) * 4;
          r += rgba[i]!;
          g += rgba[i + 1]!;
          b += rgba[i + 2]!;
        }
        r /= 4;
        g /= 4;
        b /= 4;
        plane[ySize + y * (w / 2) + x] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
        plane[ySize + cSize + y * (w / 2) + x] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
      }
    }
    parts.push(frameHeader, plane);
  }
  writeFileSync(path, Buffer.concat(parts));
}
