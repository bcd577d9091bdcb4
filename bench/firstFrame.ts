/**
 * Admit → first remote video frame in the console, against a bare mediasoup
 * produce → consume loop in the same browser and run.
 *
 * Measured: the console (real renderer, test host with main's handlers) clicks Admit on a
 * client who has been waiting for a second with their camera on in the real participant page; the clock runs
 * in the console page from the click until that client's tile renders a frame
 * (videoWidth > 0). That path includes the `admitted` notification, the client loading its
 * Device, creating and connecting both transports, producing, `producerAdded`, the
 * console's consume and resume, and decoding.
 * Baseline: the least mediasoup needs for a newly arriving sender to be seen, in the same
 * browser: two admitted peers in one page, the receiver connected already (as the console
 * is); a fresh send transport → ICE and DTLS → produce → consume → resume → first frame
 * (bench/browser/bareLoop.ts). The ratio is what admission, signaling and the UI add.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, expect, type Page } from '@playwright/test';
import { build } from 'vite';
import { chromiumArgs } from '../playwright.config';
import { startConsoleHost } from '../tests/support/consoleHost';
import { startDemoServer } from '../tests/support/demoServer';
import { clientChecksIn, facilitatorOpensSession, knockOf } from '../tests/support/flows';
import { KEEP_NAMES_HELPER } from './support/keepNames';
import { median, printBench } from './support/stats';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6);
/** More rounds than admissions (each admission needs its own invitation): the baseline's median steadies. */
const BARE_ROUNDS = Math.max(ROUNDS, 10);

async function buildBarePage(): Promise<{ url: string; close(): Promise<void> }> {
  const outDir = mkdtempSync(join(tmpdir(), 'confidant-bench-'));
  await build({
    root: resolve(import.meta.dirname, 'browser'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(outDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(outDir)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' });
    createReadStream(file)
      .on('error', () => res.end())
      .pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/**
 * In-page timer, as source text: tsx compiles this file with esbuild's keepNames, whose
 * `__name` helper does not exist inside the page, so the function is not passed as code.
 */
const ADMIT_AND_TIME = `(who) => {
  const knock = [...document.querySelectorAll('[data-testid^="waiting-"]')].find((el) => el.textContent.includes(who));
  const button = knock && knock.querySelector('button');
  if (!button) throw new Error('no Admit button');
  const t0 = performance.now();
  button.click();
  return new Promise((ok) => {
    const check = () => {
      const tile = [...document.querySelectorAll('[data-testid^="tile-"]')].find((el) => el.textContent.includes(who));
      const video = tile && tile.querySelector('video');
      if (video && video.videoWidth > 0) ok(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    check();
  });
}`;

/** Clicks Admit for `name` and returns ms until their tile shows a frame, timed in the console page. */
async function admitAndTime(consolePage: Page, name: string): Promise<number> {
  await expect(knockOf(consolePage, name)).toBeVisible();
  const fn = await consolePage.evaluateHandle(ADMIT_AND_TIME);
  return consolePage.evaluate(([f, who]) => (f as unknown as (w: string) => Promise<number>)(who), [fn, name] as const);
}

export async function benchFirstFrame(): Promise<void> {
  // A fresh invitation per round: a client admitted once is re-admitted on their own when
  // they come back (a dropped connection must not cost them the group), which is not what
  // is measured here. Two more for the bare loop's peers.
  const demo = await startDemoServer(['--invitations', String(ROUNDS + 2)]);
  const host = await startConsoleHost({ defaultServerUrl: demo.info.httpUrl });
  const bare = await buildBarePage();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  try {
    const consoleContext = await browser.newContext();
    await consoleContext.addInitScript({ content: KEEP_NAMES_HELPER });
    const consolePage = await consoleContext.newPage();
    await host.attach(consolePage);
    await facilitatorOpensSession(consolePage, host, demo.info);

    const [benchA, benchB, ...clients] = demo.info.invitations;
    const admitTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await clientChecksIn(page, clients[i]!, 'Avery');
      // Nobody is admitted within milliseconds of knocking: a second in the waiting room
      // lets the page finish what it does on arrival (loading its media engine), as it has
      // long finished by the time a therapist admits anyone.
      await expect(knockOf(consolePage, 'Avery')).toBeVisible();
      await page.waitForTimeout(1000);
      admitTimes.push(await admitAndTime(consolePage, 'Avery'));
      // The client leaves before the next one knocks. Leaving, not closing the page: a
      // dropped connection keeps the person's place (and tile) for the grace period.
      await page.getByRole('button', { name: 'Leave the session' }).click();
      await expect(page.getByRole('heading', { name: 'You have left the session' })).toBeVisible();
      await context.close();
      await expect(consolePage.locator('[data-testid^="tile-"]').filter({ hasText: 'Avery' })).toHaveCount(0);
    }

    const barePage = await (await browser.newContext()).newPage();
    await barePage.goto(bare.url);
    const joined = barePage.evaluate(
      ([ws, a, b]) => (window as unknown as { bare: { join(...x: unknown[]): Promise<void> } }).bare.join(ws, a, b),
      [demo.info.wsUrl, [benchA!.token, benchA!.passcode], [benchB!.token, benchB!.passcode]] as const,
    );
    for (const name of ['Bench A', 'Bench B']) {
      await expect(knockOf(consolePage, name)).toBeVisible();
      await knockOf(consolePage, name).getByRole('button', { name: `Admit ${name}` }).click();
    }
    await joined;
    const bareTimes = await barePage.evaluate(
      (n) => (window as unknown as { bare: { measure(n: number): Promise<number[]> } }).bare.measure(n),
      BARE_ROUNDS,
    );
    printBench('admit_to_first_frame_median', median(admitTimes), 'ms', median(bareTimes));
  } finally {
    await browser.close();
    await bare.close();
    await host.close();
    await demo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchFirstFrame().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
