/**
 * CPU per encrypted stream (issue 19): what sealing and opening one person's camera and
 * microphone costs the browsers, in steady state.
 *
 * The bare loop of bench/firstFrame.ts (plain mediasoup in its own process, plain
 * mediasoup-client pages: support/bareLoop.ts, browser/bareLoop.ts), in a browser of its own:
 * a sender page producing the fake camera (the participant page's constraints, 640×360 at up to
 * 24 fps) and microphone, and a receiver page consuming and playing both. In "sealed" windows
 * both pages attach the product's FrameCipher (one key, given to both with `setKey`) to the RTP
 * sender and receiver, as the participant page does; in "plain" windows nothing is attached
 * (the frame worker is running in both kinds, idle in plain ones). Each window: a new stream
 * (on the send transport of its kind, kept from window to window so its bandwidth estimate has
 * ramped up; the first pair of windows is a warm-up), a few seconds to settle, then the CPU time (user + system, /proc/<pid>/stat) of every
 * process of that browser (the browser, its renderers, GPU and utility processes) over
 * BENCH_STEADY_MS (6000). Windows alternate plain and sealed, the order flipping each pair;
 * BENCH_CPU_WINDOWS (5) of each.
 *
 * Figure: median ms of CPU per second, sealed against plain; their difference is the cost of
 * one encrypted stream (its video and audio, sealed in the sender and opened in the receiver).
 * Not a test: it prints figures and never fails.
 */
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { bareCall, buildBarePage, startBareServer } from './support/bareLoop';
import { KEEP_NAMES_HELPER } from './support/keepNames';
import { median, printBenchSpread } from './support/stats';
import { cpuRate, treeCpu } from './support/treeCpu';

const WINDOWS = Number(process.env['BENCH_CPU_WINDOWS'] ?? 5);
const STEADY_MS = Number(process.env['BENCH_STEADY_MS'] ?? 6000);
const SETTLE_MS = 4000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript({ content: KEEP_NAMES_HELPER });
  return context.newPage();
}

export async function benchE2eeCpu(): Promise<void> {
  const bareServer = await startBareServer();
  const barePage = await buildBarePage();
  // Launched as a server, for its process id: every process of this browser is its descendant.
  const browserServer = await chromium.launchServer({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const browserPid = browserServer.process().pid;
  if (browserPid === undefined) throw new Error('the browser has no pid');
  const browser = await chromium.connect(browserServer.wsEndpoint());
  try {
    const [receiver, sender] = [await newPage(browser), await newPage(browser)];
    const key = [...randomBytes(32)];
    for (const p of [receiver, sender]) {
      await p.goto(barePage.url);
      await bareCall(p, 'connect', bareServer.url);
      await bareCall(p, 'key', key);
    }
    await bareCall(receiver, 'receive');
    await bareCall(sender, 'openCamera', true);

    const rates = { plain: [] as number[], sealed: [] as number[] };
    const types = { plain: new Map<string, number[]>(), sealed: new Map<string, number[]>() };

    const measure = async (sealed: boolean, counted: boolean): Promise<void> => {
      const which = sealed ? 'sealed' : 'plain';
      await bareCall(receiver, 'expect', sealed);
      const frame = bareCall(receiver, 'nextFrame');
      await bareCall(sender, 'send', 'warm', sealed, true);
      await frame;
      await sleep(SETTLE_MS);
      const counts0 = await Promise.all([bareCall(sender, 'counts'), bareCall(receiver, 'counts')]);
      const received0 = await bareCall(receiver, 'videoReceived');
      const t0 = performance.now();
      const before = treeCpu(browserPid);
      await sleep(STEADY_MS);
      const after = treeCpu(browserPid);
      const seconds = (performance.now() - t0) / 1000;
      const received1 = await bareCall(receiver, 'videoReceived');
      const counts1 = await Promise.all([bareCall(sender, 'counts'), bareCall(receiver, 'counts')]);
      const { total, byType } = cpuRate(before, after, seconds);
      if (counted) {
        rates[which].push(total);
        for (const [type, ms] of byType) types[which].set(type, [...(types[which].get(type) ?? []), ms]);
      }
      const fps = (received1.frames - received0.frames) / seconds;
      const kbps = ((received1.bytes - received0.bytes) * 8) / 1000 / seconds;
      const sealedPerS = (counts1[0].sealed - counts0[0].sealed) / seconds;
      const openedPerS = (counts1[1].opened - counts0[1].opened) / seconds;
      process.stdout.write(
        `# ${which}${counted ? '' : ' (warm-up)'}: ${total.toFixed(0)} ms CPU/s; video received ${received1.width}px wide, ${fps.toFixed(1)} fps, ${kbps.toFixed(0)} kbit/s; ` +
          `frames sealed ${sealedPerS.toFixed(1)}/s, opened ${openedPerS.toFixed(1)}/s\n`,
      );
      if (sealed && (sealedPerS === 0 || openedPerS === 0)) throw new Error('a sealed window sealed or opened nothing');
      if (!sealed && (sealedPerS !== 0 || openedPerS !== 0)) throw new Error('a plain window went through the cipher');
      await bareCall(sender, 'stop');
      await bareCall(receiver, 'forget');
      await sleep(500);
    };

    // A first pair not counted: each kind's send transport has ramped up its bandwidth estimate
    // before any window is counted.
    for (let i = 0; i <= WINDOWS; i++) {
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const sealed of order) await measure(sealed, i > 0);
    }

    const plain = median(rates.plain);
    const sealed = median(rates.sealed);
    printBenchSpread('e2ee_cpu_one_stream_ms_per_s', 50, rates.sealed, rates.plain, 'ms CPU/s');
    const byType = [...new Set([...types.plain.keys(), ...types.sealed.keys()])]
      .map((t) => `${t} ${median(types.plain.get(t) ?? [0]).toFixed(0)} → ${median(types.sealed.get(t) ?? [0]).toFixed(0)}`)
      .join(', ');
    process.stdout.write(
      `# CPU per encrypted stream (camera 640×360 + microphone, sealed in the sender and opened in the receiver): ` +
        `${(sealed - plain).toFixed(1)} ms CPU/s (${((sealed - plain) / 10).toFixed(1)} % of a core) over ${plain.toFixed(0)} ms CPU/s plain, ` +
        `medians of ${WINDOWS} windows of ${STEADY_MS / 1000} s each; by process type, plain → sealed (ms/s): ${byType}\n`,
    );
  } finally {
    await browser.close();
    await browserServer.close();
    await barePage.close();
    bareServer.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchE2eeCpu().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
