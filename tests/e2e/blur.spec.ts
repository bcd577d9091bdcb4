/**
 * Background blur and the plain backdrop (issue 21), end to end, judged where it matters: in
 * what another party receives. The client's camera is a made-up person in front of a
 * checkerboard "room" (tests/support/personFixture.ts), fed to Chromium's fake capture device;
 * the person-segmentation model runs in the client's own browser, here in software (the suite's
 * `--disable-gpu` leaves Chromium's SwiftShader WebGL, which the model's loader needs; its
 * inference runs on the CPU in WebAssembly). The console, receiving through the real SFU,
 * compares the frames it decodes with the raw fixture: the person matches, the room does not
 * (blurred, or the backdrop's colour) — in every frame it gets, from the first one on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, expect, test, type Page } from '../support/e2eTest';
import { chromiumArgs } from '../../playwright.config';
import { consoleWithDemoServer } from '../support/consoleHost';
import { clientChecksIn, consoleIssuesLink, facilitatorOpensSession, knockOf, snapshot, videoWidthIn } from '../support/flows';
import { recordPeerConnections } from '../support/mediaDiagnostics';
import { FIXTURE_HEIGHT, FIXTURE_WIDTH, fixtureRgba, isFigure, writePersonFixture } from '../support/personFixture';
import { BACKDROP_RGB } from '../../src/client/backdrop';

const running = consoleWithDemoServer('file');

/** Frames are compared on a grid of every STEP-th pixel of the 640×360 fixture. */
const STEP = 4;
const GRID_W = FIXTURE_WIDTH / STEP;
const GRID_H = FIXTURE_HEIGHT / STEP;

/**
 * Each grid point's region: 1 the person (well inside the figure, whatever its sway), 2 the
 * room (well away from the figure), 0 the edge between, not judged.
 */
function regions(): number[] {
  const out: number[] = [];
  const inside = (x: number, y: number, r: number) =>
    [[0, 0], [r, 0], [-r, 0], [0, r], [0, -r], [r, r], [-r, r], [r, -r], [-r, -r]].every(([dx, dy]) => {
      const px = Math.min(FIXTURE_WIDTH - 1, Math.max(0, x + dx!));
      const py = Math.min(FIXTURE_HEIGHT - 1, Math.max(0, y + dy!));
      return isFigure(px, py, 0);
    });
  const away = (x: number, y: number, r: number) =>
    [[0, 0], [r, 0], [-r, 0], [0, r], [0, -r], [r, r], [-r, r], [r, -r], [-r, -r]].every(([dx, dy]) => !isFigure(x + dx!, y + dy!, 0));
  for (let gy = 0; gy < GRID_H; gy++) {
    for (let gx = 0; gx < GRID_W; gx++) {
      const x = gx * STEP;
      const y = gy * STEP;
      out.push(inside(x, y, 12) ? 1 : away(x, y, 24) ? 2 : 0);
    }
  }
  return out;
}

/** The raw fixture's RGB on the grid. */
function rawGrid(): number[] {
  const rgba = fixtureRgba(0);
  const out: number[] = [];
  for (let gy = 0; gy < GRID_H; gy++) {
    for (let gx = 0; gx < GRID_W; gx++) {
      const i = (gy * STEP * FIXTURE_WIDTH + gx * STEP) * 4;
      out.push(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
    }
  }
  return out;
}

interface FrameStats {
  /** Mean absolute difference per channel from the raw fixture, over the person's points. */
  figureDiff: number;
  /** The same over the room's points. */
  roomDiff: number;
  /** Mean absolute difference from the backdrop's colour over the room's points. */
  roomFromBackdrop: number;
}

interface Watch {
  frames: number;
  /** The frame whose room was closest to the raw room: the worst case. */
  closestRoomDiff: number;
  last: FrameStats | null;
}

/**
 * Starts judging every frame the console's tile of `name` decodes, from before the first
 * (requestVideoFrameCallback on whatever <video> the tile holds): read with `watched`.
 */
async function watchFrames(page: Page, name: string): Promise<void> {
  await page.evaluate(
    ({ name, regions, raw, backdrop, w, h, step }) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      type State = { frames: number; closestRoomDiff: number; last: null | Record<string, number> };
      const holder = window as unknown as { __blurWatch: State };
      holder.__blurWatch = { frames: 0, closestRoomDiff: Infinity, last: null };
      const judge = (video: HTMLVideoElement) => {
        if (video.videoWidth === 0) return;
        const state = holder.__blurWatch;
        ctx.drawImage(video, 0, 0, w, h);
        const data = ctx.getImageData(0, 0, w, h).data;
        let fig = 0;
        let nf = 0;
        let room = 0;
        let fromBackdrop = 0;
        let nr = 0;
        for (let i = 0; i < regions.length; i++) {
          if (regions[i] === 0) continue;
          const gx = i % (w / step);
          const gy = Math.floor(i / (w / step));
          const p = (gy * step * w + gx * step) * 4;
          let d = 0;
          let b = 0;
          for (let c = 0; c < 3; c++) {
            d += Math.abs(data[p + c]! - raw[i * 3 + c]!);
            b += Math.abs(data[p + c]! - backdrop[c]!);
          }
          if (regions[i] === 1) {
            fig += d / 3;
            nf++;
          } else {
            room += d / 3;
            fromBackdrop += b / 3;
            nr++;
          }
        }
        const stats = { figureDiff: fig / nf, roomDiff: room / nr, roomFromBackdrop: fromBackdrop / nr };
        state.frames++;
        state.closestRoomDiff = Math.min(state.closestRoomDiff, stats.roomDiff);
        state.last = stats;
      };
      const watching = new WeakSet<HTMLVideoElement>();
      const look = () => {
        const tile = [...document.querySelectorAll('[data-testid^="tile-"]')].find((t) => t.textContent?.includes(name));
        const video = tile?.querySelector('video');
        if (video && !watching.has(video)) {
          watching.add(video);
          const each = () => {
            judge(video);
            video.requestVideoFrameCallback(each);
          };
          video.requestVideoFrameCallback(each);
        }
      };
      setInterval(look, 20);
    },
    { name, regions: regions(), raw: rawGrid(), backdrop: [...BACKDROP_RGB], w: FIXTURE_WIDTH, h: FIXTURE_HEIGHT, step: STEP },
  );
}

/** Forgets what was judged so far: from now on, only new frames count. */
async function rewatch(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __blurWatch: Watch }).__blurWatch = { frames: 0, closestRoomDiff: Infinity, last: null };
  });
}

async function watched(page: Page): Promise<Watch> {
  return page.evaluate(() => (window as unknown as { __blurWatch: Watch }).__blurWatch);
}

/** The same judgement of one frame of a <video> in `page` (the client's own preview). */
async function previewFromBackdrop(page: Page): Promise<number> {
  return page.getByTestId('self-preview').locator('video').evaluate((video: HTMLVideoElement, backdrop) => {
    if (video.videoWidth === 0) return Infinity;
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(video, 0, 0, 64, 36);
    const data = ctx.getImageData(0, 0, 64, 36).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(data[i + c]! - backdrop[c]!);
    return sum / ((data.length / 4) * 3);
  }, [...BACKDROP_RGB]);
}

let fixture = '';
test.beforeAll(() => {
  fixture = join(mkdtempSync(join(tmpdir(), 'confidant-person-')), 'person.y4m');
  writePersonFixture(fixture);
});
// The made-up person is 8 MB of video: not left behind.
test.afterAll(() => {
  if (fixture) rmSync(dirname(fixture), { recursive: true, force: true });
});

async function clientBrowser() {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...chromiumArgs, `--use-file-for-fake-video-capture=${fixture}`],
  });
}

test('with blur on, the group receives the person and never the room; the backdrop replaces it with its colour; the console blurs too', async () => {
  const testInfo = test.info();
  test.setTimeout(150_000);
  // The console's camera is the same made-up person, so its own blur can be judged too.
  // Each in a browser of its own, as two people's computers are.
  const clientBrowserInstance = await clientBrowser();
  const consoleBrowser = await clientBrowser();
  try {
    const consoleContext = await consoleBrowser.newContext();
    await recordPeerConnections(consoleContext);
    const consolePage = await consoleContext.newPage();
    const clientContext = await clientBrowserInstance.newContext({ viewport: { width: 1280, height: 900 } });
    await recordPeerConnections(clientContext);
    const clientPage = await clientContext.newPage();
    const violations: string[] = [];
    clientPage.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const notFound: string[] = [];
    clientPage.on('response', (r) => {
      if (r.status() >= 400) notFound.push(`${r.status()} ${r.url()}`);
    });
    consolePage.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log('console page:', m.text());
    });
    await running.host.attach(consolePage);
    await facilitatorOpensSession(consolePage, running.host, running.demo.info);
    const invitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[0]!);

    // Blur chosen at check-in, with the preview showing it.
    await clientChecksIn(clientPage, invitation, 'Robin', true, undefined, { background: /blur my room/i });
    await expect(clientPage.getByTestId('background-choice').getByRole('radio', { name: /blur my room/i })).toBeChecked();
    await snapshot(clientPage, testInfo, 'blur-waiting-preview');

    await watchFrames(consolePage, 'Robin');
    await knockOf(consolePage, 'Robin').getByRole('button', { name: 'Admit Robin' }).click();
    const clientTile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: 'Robin' });
    const clientTileId = (await clientTile.getAttribute('data-testid'))!;
    await expect.poll(() => videoWidthIn(consolePage, clientTileId), { timeout: 30_000 }).toBeGreaterThan(0);

    // What leaves the client's browser is the processed track, not the camera's.
    const sent = await clientPage.evaluate(() =>
      (window.__testPeerConnections ?? []).flatMap((pc) => pc.getSenders()).filter((s) => s.track?.kind === 'video').map((s) => s.track!.label),
    );
    expect(sent.length).toBeGreaterThan(0);
    for (const label of sent) expect(label).not.toMatch(/fake|camera|\.y4m/i);

    // The person comes through as the camera shows them; the room does not.
    await expect.poll(async () => (await watched(consolePage)).frames, { timeout: 30_000 }).toBeGreaterThan(30);
    const blurred = await watched(consolePage);
    console.log('blur, as received:', JSON.stringify(blurred));
    expect(blurred.last!.figureDiff).toBeLessThan(30);
    expect(blurred.last!.roomDiff).toBeGreaterThan(60);
    // Blurred, not painted over: the room's average shows through.
    expect(blurred.last!.roomFromBackdrop).toBeGreaterThan(15);
    // Never the raw room, in any frame received since the very first.
    expect(blurred.closestRoomDiff).toBeGreaterThan(40);
    await snapshot(consolePage, testInfo, 'blur-received-by-console');

    // In the call, the client switches to the plain backdrop: the room becomes its colour.
    await clientPage.getByTestId('background-choice').getByRole('combobox').selectOption('backdrop');
    await expect
      .poll(async () => (await watched(consolePage)).last!.roomFromBackdrop, { timeout: 20_000 })
      .toBeLessThan(12);
    const backdrop = await watched(consolePage);
    console.log('backdrop, as received:', JSON.stringify(backdrop));
    expect(backdrop.last!.figureDiff).toBeLessThan(30);
    expect(backdrop.closestRoomDiff).toBeGreaterThan(40);
    await snapshot(consolePage, testInfo, 'backdrop-received-by-console');
    await snapshot(clientPage, testInfo, 'backdrop-client-call');

    // The camera off and on again in the call (a new camera track): from its first frame on,
    // still no room.
    const before = (await watched(consolePage)).frames;
    await clientPage.getByRole('button', { name: /stop camera/i }).click();
    await clientPage.getByRole('button', { name: /start camera/i }).click();
    await expect.poll(async () => (await watched(consolePage)).frames, { timeout: 30_000 }).toBeGreaterThan(before + 20);
    const again = await watched(consolePage);
    expect(again.closestRoomDiff).toBeGreaterThan(40);
    expect(again.last!.roomFromBackdrop).toBeLessThan(12);

    // The console blurs the facilitator's own background: the client receives them blurred.
    const facilitatorTile = clientPage.locator('[data-testid^="tile-"]:not([data-testid="tile-self"])').first();
    await expect.poll(() => facilitatorTile.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth).catch(() => 0), { timeout: 20_000 }).toBeGreaterThan(0);
    // The demo facilitator's name, as the client's tile shows it.
    await watchFrames(clientPage, 'Dr. Ana Demo');
    await expect.poll(async () => (await watched(clientPage)).frames, { timeout: 20_000 }).toBeGreaterThan(5);
    // Before: the facilitator's room as it is.
    expect((await watched(clientPage)).last!.roomDiff).toBeLessThan(30);
    await consolePage.getByTestId('blur-toggle').click();
    await expect(consolePage.getByTestId('blur-toggle')).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(async () => (await watched(clientPage)).last!.roomDiff, { timeout: 30_000 }).toBeGreaterThan(60);
    await rewatch(clientPage);
    await expect.poll(async () => (await watched(clientPage)).frames, { timeout: 20_000 }).toBeGreaterThan(20);
    const facilitatorBlurred = await watched(clientPage);
    console.log('console blur, as the client receives it:', JSON.stringify(facilitatorBlurred));
    expect(facilitatorBlurred.closestRoomDiff).toBeGreaterThan(40);
    expect(facilitatorBlurred.last!.figureDiff).toBeLessThan(30);
    await snapshot(clientPage, testInfo, 'console-blur-received-by-client');

    // The choice is remembered on this device for the next session.
    expect(await clientPage.evaluate(() => localStorage.getItem('confidant.background'))).toBe('backdrop');
    // Another invitation opened later on this device starts with that choice, the preview showing it.
    const next = await clientContext.newPage();
    const nextInvitation = running.demo.info.invitations[2]!;
    await next.goto(nextInvitation.url);
    await next.getByLabel(/passcode/i).fill(nextInvitation.passcode);
    await next.getByRole('button', { name: /continue/i }).click();
    await expect(next.getByTestId('background-choice').getByRole('radio', { name: /plain backdrop/i })).toBeChecked();
    await next.close();
    expect(violations).toEqual([]);
    expect(notFound.filter((u) => /segmentation/.test(u))).toEqual([]);
    await consoleContext.close();
    await clientContext.close();
  } finally {
    await clientBrowserInstance.close();
    await consoleBrowser.close();
  }
});

test('when the model cannot load, the client is told and the camera shows the backdrop alone, never the room', async () => {
  const clientBrowserInstance = await clientBrowser();
  try {
    const context = await clientBrowserInstance.newContext();
    // The model's files never arrive (an old device, a broken deployment).
    await context.route('**/p/segmentation/**', (route) => route.abort());
    const page = await context.newPage();
    const invitation = running.demo.info.invitations[1]!;
    await page.goto(invitation.url);
    await page.getByLabel(/passcode/i).fill(invitation.passcode);
    await page.getByRole('button', { name: /continue/i }).click();
    await page.getByTestId('background-choice').getByRole('radio', { name: /blur my room/i }).check();
    await expect(page.getByTestId('background-failed')).toContainText(/could not start/i);
    // What the preview shows is what would be sent: the backdrop, all of it.
    await expect.poll(() => previewFromBackdrop(page), { timeout: 10_000 }).toBeLessThan(6);
    await context.close();
  } finally {
    await clientBrowserInstance.close();
  }
});
