/**
 * One group of eight in real Chromium (issue 8, "Load", browser level): eight participant
 * pages with Chromium's fake camera and microphone and the real console, all in one
 * browser on this machine, against the real server as a child process.
 *
 * Capture is forced to 320×240 (an init script narrows the page's own getUserMedia
 * constraints): nine pages encoding and decoding on two shared cores would otherwise
 * measure the machine, not the server. Figures:
 * - first frame: the console's clock from clicking "Admit all" for seven waiting clients
 *   until each one's tile renders a frame; baseline: one client admitted alone, same run;
 * - the console's receive bitrate and frame rate per remote video (getStats inbound-rtp
 *   over 10 s of steady state); baseline: what the senders sent (outbound-rtp), same window;
 * - the media workers' CPU per consumer over the same window, against mediasoup's published
 *   figure of about 500 consumers per worker (one core), i.e. 0.2 % of a core each.
 * Not a test: it prints figures and never fails.
 */
import { mkdirSync } from 'node:fs';
import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { startConsoleHost } from '../tests/support/consoleHost';
import { startDemoServer } from '../tests/support/demoServer';
import { clientChecksIn, facilitatorOpensSession, knockOf } from '../tests/support/flows';
import { childrenOf, snapshot } from './loadUsage';
import { median, percentile, printBench } from './support/stats';

const CLIENTS = 8;
const STEADY_MS = 10_000;
/** mediasoup's documentation: a worker (one core) handles about 500 consumers. */
const PUBLISHED_CONSUMERS_PER_WORKER = 500;

/**
 * Runs in every page before its own scripts, as source text (see bench/firstFrame.ts on
 * why not a function): keeps each RTCPeerConnection for getStats, caps capture at 320×240
 * whatever the page asks for, and supplies esbuild's __name helper.
 */
const INIT = `(() => {
  // tsx compiles with esbuild's keepNames; functions the harness hands to pages call its
  // __name helper, which pages lack. The same helper, so those functions run as written.
  if (!globalThis.__name) globalThis.__name = (target, value) => { try { Object.defineProperty(target, 'name', { value, configurable: true }); } catch {} return target; };
  const pcs = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
  window.__pcs = pcs;
  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => gum(c && c.video ? { ...c, video: { ...(typeof c.video === 'object' ? c.video : {}), width: { exact: 320 }, height: { exact: 240 } } } : c);
  }
})();`;

/** The page's RTP streams: every inbound one (a consumer) and its outbound video. */
const STATS = `async () => {
  const out = [];
  for (const [i, pc] of (window.__pcs || []).entries()) {
    if (pc.connectionState === 'closed') continue;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') out.push({ id: i + '/' + s.id, dir: 'in', kind: s.kind, bytes: s.bytesReceived || 0, frames: s.framesDecoded || 0 });
      if (s.type === 'outbound-rtp') out.push({ id: i + '/' + s.id, dir: 'out', kind: s.kind, bytes: s.bytesSent || 0, frames: s.framesEncoded || 0 });
    });
  }
  return out;
}`;

interface RtpStream {
  id: string;
  dir: 'in' | 'out';
  kind: 'audio' | 'video';
  bytes: number;
  frames: number;
}

async function rtpStreams(page: Page): Promise<RtpStream[]> {
  const fn = await page.evaluateHandle(STATS);
  return page.evaluate((f) => (f as unknown as () => Promise<RtpStream[]>)(), fn);
}

/** Per-stream growth over the window, for video streams in `dir` that carried anything. */
function videoRates(before: RtpStream[], after: RtpStream[], dir: 'in' | 'out', seconds: number): { kbps: number; fps: number }[] {
  const start = new Map(before.map((s) => [s.id, s]));
  return after.flatMap((s) => {
    const s0 = start.get(s.id);
    if (s.dir !== dir || s.kind !== 'video' || !s0 || s.bytes === s0.bytes) return [];
    return [{ kbps: ((s.bytes - s0.bytes) * 8) / 1000 / seconds, fps: (s.frames - s0.frames) / seconds }];
  });
}

const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * Clicks `button` in the console and times, per name, until that tile has a video track
 * (the consumer is set up) and until it shows a frame (decoded).
 */
const CLICK_AND_TIME = `([selector, names]) => {
  const button = document.querySelector(selector);
  if (!button) throw new Error('no button ' + selector);
  const t0 = performance.now();
  button.click();
  const track = {};
  const frame = {};
  return new Promise((ok) => {
    const check = () => {
      for (const who of names) {
        if (frame[who] !== undefined) continue;
        const tile = [...document.querySelectorAll('[data-testid^="tile-"]')].find((el) => el.textContent.includes(who));
        const video = tile && tile.querySelector('video');
        if (video && track[who] === undefined && video.srcObject && video.srcObject.getVideoTracks().length > 0) track[who] = performance.now() - t0;
        if (video && video.videoWidth > 0) frame[who] = performance.now() - t0;
      }
      if (names.every((n) => frame[n] !== undefined)) ok(names.map((n) => ({ track: track[n] ?? frame[n], frame: frame[n] })));
      else requestAnimationFrame(check);
    };
    check();
  });
}`;

interface TileTimes {
  track: number;
  frame: number;
}

async function clickAndTime(consolePage: Page, selector: string, names: string[]): Promise<TileTimes[]> {
  const fn = await consolePage.evaluateHandle(CLICK_AND_TIME);
  return consolePage.evaluate(([f, args]) => (f as unknown as (a: unknown) => Promise<TileTimes[]>)(args), [fn, [selector, names]] as const);
}

async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: INIT });
  return { context, page: await context.newPage() };
}

export async function benchBrowserLoad(): Promise<void> {
  const demo = await startDemoServer(['--invitations', String(CLIENTS)]);
  const serverPid = demo.process.pid;
  if (serverPid === undefined) throw new Error('the demo server has no pid');
  const workerPids = childrenOf(serverPid);
  const host = await startConsoleHost({ defaultServerUrl: demo.info.httpUrl });
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: chromiumArgs });
  try {
    const { page: consolePage } = await newPage(browser);
    await host.attach(consolePage);
    try {
      await facilitatorOpensSession(consolePage, host, demo.info);
    } catch (err) {
      mkdirSync('test-results/screenshots', { recursive: true });
      await consolePage.screenshot({ path: 'test-results/screenshots/bench-browser-load-failed.png' });
      throw err;
    }

    const names = demo.info.invitations.map((_, i) => `Client ${i + 1}`);
    const clientPages: Page[] = [];
    // The baseline: the first client, admitted alone.
    const first = await newPage(browser);
    clientPages.push(first.page);
    await clientChecksIn(first.page, demo.info.invitations[0]!, names[0]!);
    await expect(knockOf(consolePage, names[0]!)).toBeVisible();
    const [aloneTimes] = await clickAndTime(consolePage, `[aria-label="Admit ${names[0]!}"]`, [names[0]!]);

    // The other seven wait together, then "Admit all".
    for (let i = 1; i < CLIENTS; i++) {
      const { page } = await newPage(browser);
      clientPages.push(page);
      await clientChecksIn(page, demo.info.invitations[i]!, names[i]!);
      await expect(knockOf(consolePage, names[i]!)).toBeVisible();
    }
    const admitAll = consolePage.getByRole('button', { name: 'Admit all' });
    await expect(admitAll).toBeVisible();
    await admitAll.evaluate((b) => b.setAttribute('data-bench', 'admit-all'));
    const togetherTimes = await clickAndTime(consolePage, '[data-bench="admit-all"]', names.slice(1));
    const alone = aloneTimes!.frame;
    const together = togetherTimes.map((t) => t.frame);

    // Let every page finish subscribing, then measure a steady window.
    await consolePage.waitForTimeout(5_000);
    const pages = [consolePage, ...clientPages];
    const before = await Promise.all(pages.map(rtpStreams));
    const usage0 = snapshot(serverPid, workerPids);
    await consolePage.waitForTimeout(STEADY_MS);
    const after = await Promise.all(pages.map(rtpStreams));
    const usage1 = snapshot(serverPid, workerPids);
    const seconds = (usage1.at - usage0.at) / 1000;

    // The console's remote videos, and what the eight clients sent, over the same window.
    const received = videoRates(before[0]!, after[0]!, 'in', seconds);
    const sent = clientPages.flatMap((_, i) => videoRates(before[i + 1]!, after[i + 1]!, 'out', seconds));
    const consumers = after.reduce((n, streams) => n + streams.filter((s) => s.dir === 'in').length, 0);
    const idleVideosIntoConsole = after[0]!.filter((s) => s.dir === 'in' && s.kind === 'video').length - received.length;
    const workerCpuPct = ((usage1.workers.cpuMs - usage0.workers.cpuMs) / (seconds * 1000)) * 100;
    const serverCpuPct = ((usage1.server.cpuMs - usage0.server.cpuMs) / (seconds * 1000)) * 100;

    printBench('browser_first_frame_admit_all_p50', median(together), 'ms', alone);
    printBench('browser_first_frame_admit_all_max', percentile(together, 100), 'ms', alone);
    printBench(
      'browser_console_receive_kbps_per_video',
      mean(received.map((r) => r.kbps)),
      'kbit/s',
      mean(sent.map((r) => r.kbps)),
    );
    printBench(
      'browser_console_receive_fps_per_video',
      mean(received.map((r) => r.fps)),
      'fps',
      mean(sent.map((r) => r.fps)),
    );
    printBench(
      'browser_worker_cpu_per_consumer',
      workerCpuPct / Math.max(1, consumers),
      '% of a core',
      100 / PUBLISHED_CONSUMERS_PER_WORKER,
    );
    process.stderr.write(
      `browser load: ${CLIENTS} clients + console at 320x240; ${consumers} consumers; ${received.length} live videos into the console ` +
        `(${idleVideosIntoConsole} idle), from ${sent.length} sending; ` +
        `over ${seconds.toFixed(1)} s workers ${workerCpuPct.toFixed(1)}% and server ${serverCpuPct.toFixed(1)}% of a core; ` +
        `worker RSS ${(usage1.workers.rssBytes / 2 ** 20).toFixed(0)} MiB, server RSS ${(usage1.server.rssBytes / 2 ** 20).toFixed(0)} MiB; ` +
        `track → first frame (ms): alone ${aloneTimes!.track.toFixed(0)} → ${alone.toFixed(0)}, together ` +
        `${togetherTimes.map((t) => `${t.track.toFixed(0)} → ${t.frame.toFixed(0)}`).join(', ')}\n`,
    );
    mkdirSync('test-results/screenshots', { recursive: true });
    await consolePage.screenshot({ path: 'test-results/screenshots/bench-browser-load-console.png' });
  } finally {
    await browser.close();
    await host.close();
    await demo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchBrowserLoad().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
