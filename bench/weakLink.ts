/**
 * A client on a weak way up, as the facilitator lives it (issue 22): what the console receives
 * of that client (kbit/s of voice and video together) and how continuous their voice is in the
 * console (the share of samples played that were not concealed), with the client's browser
 * behind a link held to 300 kbit/s with 5 % of its media lost at random (a network namespace with
 * `tc tbf` and a lossy relay: tests/support/weakLink.ts), against the same call with the link
 * clear. Both browsers speak with a voice (tests/support/speechFixture.ts), not the fake
 * microphone's beep, so Opus codes speech as it would for a person.
 *
 * One call, the real console (the renderer in Chromium, main's handlers in this process) and
 * the real participant page; rounds of the two conditions alternate, and their order alternates
 * pair by pair. Each round sets the link, lets it settle (the weak one until the browsers have
 * adapted, the clear one until the camera and the full picture are back), then measures
 * MEASURE_MS. Needs root (network namespaces); run inside scripts/with-keyring.sh, as the
 * console's keys need the OS keychain. `BENCH_ROUNDS` sets the pairs (3). Not a test: it prints
 * figures and never fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { startConsoleHost } from '../tests/support/consoleHost';
import { startDemoServer, WEAK_LINK_DEMO_ENV } from '../tests/support/demoServer';
import { clientChecksIn, consoleIssuesLink, facilitatorOpensSession, knockOf } from '../tests/support/flows';
import { recordPeerConnections } from '../tests/support/mediaDiagnostics';
import { writeSpeechFixture } from '../tests/support/speechFixture';
import { canMakeLinks, concealedShare, received, WeakLink } from '../tests/support/weakLink';
import { KEEP_NAMES_HELPER } from './support/keepNames';
import { median, printBenchSpread } from './support/stats';

const PAIRS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const MEASURE_MS = 15_000;
/** After the link is limited: the level shows and the senders have come down well within this. */
const SETTLE_WEAK_MS = 10_000;
/** After the link clears: the camera's fallback waits 10 s of a good link, then the estimate climbs. */
const SETTLE_CLEAR_MS = 30_000;
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

interface Round {
  kbps: number;
  continuity: number;
  videoHeight: number;
  /** Frames of the client's camera the console decoded in the round, per second. */
  fps: number;
  /** Whether the client's page held its camera back at the end of the round, and its level then. */
  held: boolean;
  level: string | null;
}

async function measure(consolePage: Page, clientPage: Page): Promise<Round> {
  const before = await received(consolePage);
  const start = Date.now();
  await consolePage.waitForTimeout(MEASURE_MS);
  const after = await received(consolePage);
  const seconds = (Date.now() - start) / 1000;
  return {
    kbps: ((after.bytes - before.bytes) * 8) / (seconds * 1000),
    continuity: 1 - concealedShare(before, after),
    videoHeight: after.videoHeight,
    fps: (after.videoFrames - before.videoFrames) / seconds,
    held: await clientPage.getByTestId('video-held-back').isVisible(),
    level: await clientPage.getByTestId('connection').getAttribute('data-quality'),
  };
}

async function main(): Promise<void> {
  if (!canMakeLinks()) {
    console.error('bench/weakLink.ts needs root and iproute2 (ip, tc) to make a network namespace');
    process.exit(1);
  }
  const voiceDir = mkdtempSync(join(tmpdir(), 'confidant-voice-'));
  const voice = join(voiceDir, 'voice.wav');
  writeSpeechFixture(voice);
  const args = [...chromiumArgs, `--use-file-for-fake-audio-capture=${voice}`];
  const demo = await startDemoServer([], WEAK_LINK_DEMO_ENV);
  const host = await startConsoleHost({ defaultServerUrl: demo.info.httpUrl });
  const link = await WeakLink.open(Number(new URL(demo.info.httpUrl).port), demo.mediaPorts);
  const consoleBrowser = await chromium.launch({ executablePath: CHROMIUM, args });
  const clientBrowser = await chromium.launch({ executablePath: link.chromium, args });
  try {
    const consoleContext = await consoleBrowser.newContext();
    const clientContext = await clientBrowser.newContext({ viewport: { width: 1280, height: 900 } });
    // Before anything else the harness hands the pages as code (support/keepNames.ts says why).
    for (const context of [consoleContext, clientContext]) await context.addInitScript({ content: KEEP_NAMES_HELPER });
    await recordPeerConnections(consoleContext);
    const consolePage = await consoleContext.newPage();
    const clientPage = await clientContext.newPage();
    await host.attach(consolePage);
    await facilitatorOpensSession(consolePage, host, demo.info);
    const invitation = await consoleIssuesLink(consolePage, demo.info.sessionId, demo.info.invitations[0]!);
    await clientChecksIn(clientPage, invitation, 'Robin');
    await knockOf(consolePage, 'Robin').getByRole('button', { name: 'Admit Robin' }).click();
    await expect.poll(async () => (await received(consolePage)).videoHeight, { timeout: 60_000 }).toBe(360);

    const weak: Round[] = [];
    const clear: Round[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const order: ('weak' | 'clear')[] = pair % 2 === 0 ? ['weak', 'clear'] : ['clear', 'weak'];
      for (const condition of order) {
        if (condition === 'weak') {
          link.limit('up', 300);
          link.loss('up', 0.05);
          await consolePage.waitForTimeout(SETTLE_WEAK_MS);
        } else {
          link.clear('up');
          await consolePage.waitForTimeout(SETTLE_CLEAR_MS);
        }
        const round = await measure(consolePage, clientPage);
        (condition === 'weak' ? weak : clear).push(round);
        console.error(
          `pair ${pair + 1} ${condition}: ${round.kbps.toFixed(0)} kbit/s, voice ${(round.continuity * 100).toFixed(1)} % continuous, ` +
            `video ${round.videoHeight} lines at ${round.fps.toFixed(1)} fps; the client's level ${round.level}, camera held back: ${round.held}`,
        );
      }
    }
    link.clear('up');
    printBenchSpread('weakLink.console.receiveKbps', 50, weak.map((r) => r.kbps), clear.map((r) => r.kbps), 'kbit/s');
    printBenchSpread('weakLink.console.voiceContinuity', 50, weak.map((r) => r.continuity * 100), clear.map((r) => r.continuity * 100), '%');
    console.error(
      `video height, median: ${median(weak.map((r) => r.videoHeight))} lines on the weak link, ${median(clear.map((r) => r.videoHeight))} on the clear one`,
    );
  } finally {
    await clientBrowser.close();
    await consoleBrowser.close();
    link.close();
    await host.close();
    await demo.stop();
    rmSync(voiceDir, { recursive: true, force: true });
  }
}

await main();
