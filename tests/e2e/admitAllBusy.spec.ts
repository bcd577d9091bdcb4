/**
 * "Admit all" on a machine with no CPU to spare: busy-loop processes hold every core (as a
 * build beside the suite, or a slow laptop, would) while a group is let in at once, and every
 * newcomer's video still reaches the console within 15 s.
 *
 * On a loaded machine a newcomer's tile once never got a frame: the key frame the server asks
 * for when a consumer resumes was gone before the receiver could decode it, and nothing asked
 * again. RoomClient now asks for key frames until the first frame decodes
 * (`requestKeyFrame`, tests/client/roomClient.keyFrame.test.ts). Later the worker's one UDP
 * socket, with the kernel's default buffer, overflowed while the worker waited for its core:
 * the newcomers' browsers saw most of their packets lost, judged their links poor and held
 * their cameras back. Its receive buffer is now 4 MiB (workerPool.ts UDP_RECV_BUFFER_BYTES).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { expect, test } from '../support/e2eTest';
import { startConsoleHost, type ConsoleHost } from '../support/consoleHost';
import { startDemoServer, type DemoServer } from '../support/demoServer';
import { clientChecksIn, consoleIssuesLink, explainingMedia, facilitatorOpensSession, knockOf, videoWidthIn } from '../support/flows';
import { recordPeerConnections } from '../support/mediaDiagnostics';

const NEWCOMERS = ['Ari', 'Bea', 'Cy'];

let demo: DemoServer;
let host: ConsoleHost;
const spinners: ChildProcess[] = [];

/** One process per core, each spinning at normal priority until killed. */
function holdEveryCore(): void {
  for (let i = 0; i < os.availableParallelism(); i++) {
    spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
}

function releaseCores(): void {
  for (const s of spinners.splice(0)) s.kill('SIGKILL');
}

test.beforeAll(async () => {
  demo = await startDemoServer(['--invitations', String(NEWCOMERS.length)]);
  host = await startConsoleHost({ defaultServerUrl: demo.info.httpUrl });
});

test.afterAll(async () => {
  releaseCores();
  await host?.close();
  expect(await demo?.stop()).toBe(0);
});

test('"Admit all" with every core busy: each newcomer’s video reaches the console within 15 s', async ({ browser }) => {
  test.setTimeout(180_000);
  const consoleContext = await browser.newContext();
  await recordPeerConnections(consoleContext);
  const consolePage = await consoleContext.newPage();
  await host.attach(consolePage);
  await facilitatorOpensSession(consolePage, host, demo.info);

  const pages = [];
  for (const [i, name] of NEWCOMERS.entries()) {
    const context = await browser.newContext();
    await recordPeerConnections(context);
    const page = await context.newPage();
    await clientChecksIn(page, await consoleIssuesLink(consolePage, demo.info.sessionId, demo.info.invitations[i]!), name);
    await expect(knockOf(consolePage, name)).toBeVisible();
    pages.push(page);
  }

  holdEveryCore();
  try {
    await consolePage.getByRole('button', { name: 'Admit all' }).click();
    const admittedAt = Date.now();
    const everyone = { console: consolePage, ...Object.fromEntries(pages.map((page, i) => [NEWCOMERS[i]!, page])) };
    await explainingMedia(everyone, async () => {
      for (const name of NEWCOMERS) {
        const tile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: name });
        const left = (): number => Math.max(1, 15_000 - (Date.now() - admittedAt));
        await expect(tile).toBeVisible({ timeout: left() });
        const tileId = (await tile.getAttribute('data-testid'))!;
        await expect.poll(() => videoWidthIn(consolePage, tileId), { timeout: left() }).toBeGreaterThan(0);
      }
    });
  } finally {
    releaseCores();
  }
  await consoleContext.close();
  for (const page of pages) await page.context().close();
});
