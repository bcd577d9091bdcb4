/**
 * Background blur's cost (issue 21): the frame rate a person's blurred camera reaches, and the
 * CPU the browser spends on it, against the same camera without blur, in the same run.
 *
 * One browser of its own (Debian's Chromium with the suite's switches: no GPU, so WebGL is
 * SwiftShader's and the model's inference is WebAssembly on the CPU), its fake camera the
 * made-up person of the e2e tests (tests/support/personFixture.ts) at 640×360 and 24 fps. A
 * page (bench/blurPage) shows the camera in a <video>: in "off" windows as it is (the baseline:
 * the same page, camera and <video>, no product work), in "on" windows through the product's
 * BackdropProcessor (src/client/backdrop.ts) with blur, the model's files served as the
 * product serves them (same-origin, under a CSP with 'wasm-unsafe-eval'). Each window: a new
 * camera, a couple of seconds to settle, then the frames the <video> presented and the CPU
 * time (user + system) of every process of the browser over BENCH_STEADY_MS (6000). Windows
 * alternate off and on, the order flipping each pair; a first pair is a warm-up (the model
 * loads there); BENCH_BLUR_WINDOWS (5) of each are counted.
 *
 * Figures: median fps with blur against without (target ≥ 20 fps at 640×360), and median ms
 * of CPU per second with blur against without. Not a test: it prints figures and never fails.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { build } from 'vite';
import { chromiumArgs } from '../playwright.config';
import { segmentationAssets } from '../scripts/segmentationAssets';
import { contentTypeFor } from '../src/server/http/participantPage';
import { contentSecurityPolicy } from '../src/server/http/support';
import { writePersonFixture } from '../tests/support/personFixture';
import { KEEP_NAMES_HELPER } from './support/keepNames';
import { serveBuilt } from './support/servedPage';
import { median, printBenchSpread } from './support/stats';
import { cpuRate, treeCpu } from './support/treeCpu';

const WINDOWS = Number(process.env['BENCH_BLUR_WINDOWS'] ?? 5);
const STEADY_MS = Number(process.env['BENCH_STEADY_MS'] ?? 6000);
const SETTLE_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The bench page and the model's files, built by Vite and served with the product's CSP. */
async function servePage(): Promise<{ url: string; close(): Promise<void> }> {
  const outDir = mkdtempSync(join(tmpdir(), 'confidant-blur-bench-'));
  await build({
    root: resolve(import.meta.dirname, 'blurPage'),
    logLevel: 'silent',
    plugins: [segmentationAssets()],
    build: { outDir, emptyOutDir: true, assetsInlineLimit: 0 },
  });
  return serveBuilt(outDir, (file) => ({ 'content-type': contentTypeFor(file), 'content-security-policy': contentSecurityPolicy() }));
}

type Counts = { presented: number; segmented: number };
const call = {
  start: (page: Page, blur: boolean) => page.evaluate((b) => (window as unknown as { blurBench: { start(b: boolean): Promise<void> } }).blurBench.start(b), blur),
  counts: (page: Page) => page.evaluate(() => (window as unknown as { blurBench: { counts(): Counts } }).blurBench.counts()),
  stop: (page: Page) => page.evaluate(() => (window as unknown as { blurBench: { stop(): void } }).blurBench.stop()),
};

export async function benchBlur(): Promise<void> {
  const fixture = join(mkdtempSync(join(tmpdir(), 'confidant-person-')), 'person.y4m');
  writePersonFixture(fixture);
  const page0 = await servePage();
  // Launched as a server, for its process id: every process of this browser is its descendant.
  const browserServer = await chromium.launchServer({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...chromiumArgs, `--use-file-for-fake-video-capture=${fixture}`],
  });
  const browserPid = browserServer.process().pid;
  if (browserPid === undefined) throw new Error('the browser has no pid');
  const browser = await chromium.connect(browserServer.wsEndpoint());
  try {
    const context = await browser.newContext();
    await context.addInitScript({ content: KEEP_NAMES_HELPER });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') process.stdout.write(`# page: ${m.text()}\n`);
    });
    await page.goto(page0.url);

    const fps = { on: [] as number[], off: [] as number[] };
    const cpu = { on: [] as number[], off: [] as number[] };
    const measure = async (blur: boolean, counted: boolean): Promise<void> => {
      const which = blur ? 'on' : 'off';
      await call.start(page, blur);
      await sleep(SETTLE_MS);
      const c0 = await call.counts(page);
      const t0 = performance.now();
      const before = treeCpu(browserPid);
      await sleep(STEADY_MS);
      const after = treeCpu(browserPid);
      const seconds = (performance.now() - t0) / 1000;
      const c1 = await call.counts(page);
      await call.stop(page);
      const rate = (c1.presented - c0.presented) / seconds;
      const { total } = cpuRate(before, after, seconds);
      if (counted) {
        fps[which].push(rate);
        cpu[which].push(total);
      }
      const segmented = blur ? `, ${((c1.segmented - c0.segmented) / seconds).toFixed(1)} segmented/s` : '';
      process.stdout.write(`# blur ${which}${counted ? '' : ' (warm-up)'}: ${rate.toFixed(1)} fps shown${segmented}; ${total.toFixed(0)} ms CPU/s\n`);
      await sleep(500);
    };
    for (let i = 0; i <= WINDOWS; i++) {
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const blur of order) await measure(blur, i > 0);
    }
    printBenchSpread('blur_fps_640x360', 50, fps.on, fps.off, 'fps');
    printBenchSpread('blur_cpu_ms_per_s', 50, cpu.on, cpu.off, 'ms CPU/s');
    const target = median(fps.on) >= 20 ? 'met' : 'MISSED';
    process.stdout.write(
      `# background blur at 640×360: ${median(fps.on).toFixed(1)} fps (camera without blur ${median(fps.off).toFixed(1)} fps), target ≥ 20 fps ${target}; ` +
        `CPU ${median(cpu.on).toFixed(0)} ms/s with blur against ${median(cpu.off).toFixed(0)} ms/s without (${((median(cpu.on) - median(cpu.off)) / 10).toFixed(0)} % of a core more); medians of ${WINDOWS} windows of ${STEADY_MS / 1000} s\n`,
    );
  } finally {
    await browser.close();
    await browserServer.close();
    await page0.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchBlur().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
