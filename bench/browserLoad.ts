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

/** Sums of the page's RTP stats: per-direction video bytes and frames, and consumer count. */
const STATS = `async () => {
  const out = { inBytes: 0, inFrames: 0, inVideo: 0, inAll: 0, outBytes: 0, outFrames: 0, outVideo: 0 };
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === 'closed') continue;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        out.inAll++;
        if (s.kind === 'video') { out.inVideo++; out.inBytes += s.bytesReceived || 0; out.inFrames += s.framesDecoded || 0; }
      }
      if (s.type === 'outbound-rtp' && s.kind === 'video') { out.outVideo++; out.outBytes += s.bytesSent || 0; out.outFrames += s.framesEncoded || 0; }
    });
  }
  return out;
}`;

interface RtpTotals {
  inBytes: number;
  inFrames: number;
  inVideo: number;
  inAll: number;
  outBytes: number;
  outFrames: number;
  outVideo: number;
}

async function rtpTotals(page: Page): Promise<RtpTotals> {
  const fn = await page.evaluateHandle(STATS);
  return page.evaluate((f) => (f as unknown as () => Promise<RtpTotals>)(), fn);
}

/** Clicks `button` in the console and times, per name, until that tile shows a frame. */
const CLICK_AND_TIME = `([selector, names]) => {
  const button = document.querySelector(selector);
  if (!button) throw new Error('no button ' + selector);
  const t0 = performance.now();
  button.click();
  const times = {};
  return new Promise((ok) => {
    const check = () => {
      for (const who of names) {
        if (times[who] !== undefined) continue;
        const tile = [...document.querySelectorAll('[data-testid^="tile-"]')].find((el) => el.textContent.includes(who));
        const video = tile && tile.querySelector('video');
        if (video && video.videoWidth > 0) times[who] = performance.now() - t0;
      }
      if (names.every((n) => times[n] !== undefined)) ok(names.map((n) => times[n]));
      else requestAnimationFrame(check);
    };
    check();
  });
}`;

async function clickAndTime(consolePage: Page, selector: string, names: string[]): Promise<number[]> {
  const fn = await consolePage.evaluateHandle(CLICK_AND_TIME);
  return consolePage.evaluate(([f, args]) => (f as unknown as (a: unknown) => Promise<number[]>)(args), [fn, [selector, names]] as const);
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
    const [alone] = await clickAndTime(consolePage, `[aria-label="Admit ${names[0]!}"]`, [names[0]!]);

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
    const together = await clickAndTime(consolePage, '[data-bench="admit-all"]', names.slice(1));

    // Let every page finish subscribing, then measure a steady window.
    await consolePage.waitForTimeout(5_000);
    const pages = [consolePage, ...clientPages];
    const before = await Promise.all(pages.map(rtpTotals));
    const usage0 = snapshot(serverPid, workerPids);
    await consolePage.waitForTimeout(STEADY_MS);
    const after = await Promise.all(pages.map(rtpTotals));
    const usage1 = snapshot(serverPid, workerPids);
    const seconds = (usage1.at - usage0.at) / 1000;

    const consoleIn = { bytes: after[0]!.inBytes - before[0]!.inBytes, frames: after[0]!.inFrames - before[0]!.inFrames, videos: after[0]!.inVideo };
    const sent = after.slice(1).reduce(
      (acc, a, i) => ({
        bytes: acc.bytes + a.outBytes - before[i + 1]!.outBytes,
        frames: acc.frames + a.outFrames - before[i + 1]!.outFrames,
        videos: acc.videos + a.outVideo,
      }),
      { bytes: 0, frames: 0, videos: 0 },
    );
    const consumers = after.reduce((n, a) => n + a.inAll, 0);
    const workerCpuPct = ((usage1.workers.cpuMs - usage0.workers.cpuMs) / (seconds * 1000)) * 100;
    const serverCpuPct = ((usage1.server.cpuMs - usage0.server.cpuMs) / (seconds * 1000)) * 100;

    printBench('browser_first_frame_admit_all_p50', median(together), 'ms', alone!);
    printBench('browser_first_frame_admit_all_max', percentile(together, 100), 'ms', alone!);
    printBench(
      'browser_console_receive_kbps_per_video',
      (consoleIn.bytes * 8) / 1000 / seconds / Math.max(1, consoleIn.videos),
      'kbit/s',
      (sent.bytes * 8) / 1000 / seconds / Math.max(1, sent.videos),
    );
    printBench(
      'browser_console_receive_fps_per_video',
      consoleIn.frames / seconds / Math.max(1, consoleIn.videos),
      'fps',
      sent.frames / seconds / Math.max(1, sent.videos),
    );
    printBench(
      'browser_worker_cpu_per_consumer',
      workerCpuPct / Math.max(1, consumers),
      '% of a core',
      100 / PUBLISHED_CONSUMERS_PER_WORKER,
    );
    process.stderr.write(
      `browser load: ${CLIENTS} clients + console at 320x240; ${consumers} consumers (${consoleIn.videos} videos into the console); ` +
        `over ${seconds.toFixed(1)} s workers ${workerCpuPct.toFixed(1)}% and server ${serverCpuPct.toFixed(1)}% of a core; ` +
        `worker RSS ${(usage1.workers.rssBytes / 2 ** 20).toFixed(0)} MiB, server RSS ${(usage1.server.rssBytes / 2 ** 20).toFixed(0)} MiB; ` +
        `first frames (ms) alone ${alone!.toFixed(0)}, together ${together.map((t) => t.toFixed(0)).join(' ')}\n`,
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
