/**
 * A media process crash in the middle of a call, end to end: the facilitator's console and a
 * client's participant page see and hear each other; the demo server's mediasoup worker
 * carrying the call is killed (SIGKILL); within 10 s both pages have rebuilt their media by
 * themselves and see and hear each other again, with nobody clicking anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test, type Browser, type Page } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { audible, clientChecksIn, consoleAndClientPages, consoleIssuesLink, facilitatorOpensSession, knockOf, newVideoFlowing, remoteAudioPeak, snapshot, videoIn, videoWidthIn } from '../support/flows';

/** What the issue allows from the kill to media flowing again. */
const RECOVERY_MS = 10_000;
/** The console's remote audio elements (its own microphone is never played back). */
const CONSOLE_AUDIO = 'audio[data-testid="remote-audio"]';

const running = consoleWithDemoServer('file');

/** The demo server's mediasoup workers: its child processes running mediasoup-worker. */
function workerPids(serverPid: number): number[] {
  const children = readdirSync(`/proc/${serverPid}/task`).flatMap((task) =>
    readFileSync(`/proc/${serverPid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  );
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('mediasoup-work');
    } catch {
      return false; // exited meanwhile
    }
  });
}

/**
 * CPU time a process has used, in clock ticks (/proc/PID/stat: utime + stime). Every worker
 * holds the same two sockets (its WebRtcServer's, shared by its transports), so the worker
 * carrying the call is told by the work it does: forwarding the call's packets.
 */
function cpuTicks(pid: number): number {
  try {
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // exited meanwhile
  }
}

interface Call {
  consolePage: Page;
  clientPage: Page;
  /** The console's tile of the client, and the client page's tile of the facilitator. */
  clientTileId: string;
  facilitatorTileId: string;
  close(): Promise<void>;
}

/** The facilitator opens the session and admits `name`; returns once they see and hear each other. */
async function intoCall(browser: Browser, invitationIndex: number, name: string): Promise<Call> {
  const { consoleContext, clientContext, consolePage, clientPage } = await consoleAndClientPages(browser);
  await running.host.attach(consolePage);

  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  const invitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[invitationIndex]!);
  await clientChecksIn(clientPage, invitation, name);
  await knockOf(consolePage, name).getByRole('button', { name: `Admit ${name}` }).click();

  const clientTile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: name });
  await expect(clientTile).toBeVisible();
  const clientTileId = (await clientTile.getAttribute('data-testid'))!;
  const facilitatorTile = clientPage
    .locator('[data-testid^="tile-"]:not([data-testid="tile-self"])')
    .filter({ hasNotText: name })
    .first();
  await expect(facilitatorTile).toBeVisible();
  const facilitatorTileId = (await facilitatorTile.getAttribute('data-testid'))!;
  await expect.poll(() => videoWidthIn(consolePage, clientTileId), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => videoWidthIn(clientPage, facilitatorTileId), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => remoteAudioPeak(consolePage, CONSOLE_AUDIO), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await expect.poll(() => remoteAudioPeak(clientPage, 'audio'), { timeout: 20_000 }).toBeGreaterThan(0.01);
  return {
    consolePage,
    clientPage,
    clientTileId,
    facilitatorTileId,
    async close() {
      // Leaving for good: a closed page would keep its place (shown as reconnecting) for the grace period.
      await clientPage.getByRole('button', { name: 'Leave the session' }).click();
      await expect(consolePage.getByTestId(clientTileId)).toBeHidden();
      await consoleContext.close();
      await clientContext.close();
    },
  };
}

/** Kills the demo server's worker carrying the call (the one busy forwarding it); returns when. */
async function killCarrier(): Promise<{ pid: number; at: number; workers: number[] }> {
  const workers = workerPids(running.demo.process.pid!);
  expect(workers.length).toBeGreaterThan(0);
  const before = workers.map(cpuTicks);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const busy = workers.map((pid, i) => ({ pid, ticks: cpuTicks(pid) - before[i]! })).sort((a, b) => b.ticks - a.ticks);
  // Audio and video both ways for two seconds against an idle worker's nothing.
  expect(busy[0]!.ticks).toBeGreaterThan(busy[1]?.ticks ?? 0);
  const carrier = busy[0]!;
  const at = Date.now();
  process.kill(carrier.pid, 'SIGKILL');
  return { pid: carrier.pid, at, workers };
}

test('the media worker dies mid-call and both sides see and hear each other again within 10 s', async ({ browser }, testInfo) => {
  const call = await intoCall(browser, 0, 'Robin');
  const { consolePage, clientPage, clientTileId, facilitatorTileId } = call;
  const trackBefore = {
    console: (await videoIn(consolePage, clientTileId)).trackId,
    client: (await videoIn(clientPage, facilitatorTileId)).trackId,
  };

  const killed = await killCarrier();
  const deadline = killed.at + RECOVERY_MS;
  const [consoleSees, clientSees] = await Promise.all([
    newVideoFlowing(consolePage, clientTileId, trackBefore.console, deadline),
    newVideoFlowing(clientPage, facilitatorTileId, trackBefore.client, deadline),
  ]);
  const [consoleHears, clientHears] = await Promise.all([
    audible(consolePage, CONSOLE_AUDIO, deadline),
    audible(clientPage, 'audio', deadline),
  ]);
  const took = Math.max(consoleSees, clientSees, consoleHears, clientHears) - killed.at;
  testInfo.annotations.push({ type: 'recovery', description: `media flowing again ${took} ms after the kill` });
  expect(took).toBeLessThan(RECOVERY_MS);

  // A replacement worker runs, and the killed one is gone.
  const after = workerPids(running.demo.process.pid!);
  expect(after).not.toContain(killed.pid);
  expect(after).toHaveLength(killed.workers.length);

  // Nobody left: the console still shows Robin in the call, and Robin is still in it.
  await expect(consolePage.getByTestId(clientTileId)).toBeVisible();
  await expect(clientPage.getByTestId('tile-self')).toBeVisible();
  await snapshot(consolePage, testInfo, 'worker-death-console');
  await snapshot(clientPage, testInfo, 'worker-death-participant');
  await call.close();
});

test('a client who muted themselves stays muted through the reset, and can unmute after it', async ({ browser }, testInfo) => {
  const call = await intoCall(browser, 1, 'Sam');
  const { consolePage, clientPage, clientTileId } = call;
  await clientPage.getByRole('button', { name: 'Mute your microphone' }).click();
  const samTile = consolePage.getByTestId(clientTileId);
  await expect(samTile).toContainText('Mic off');
  const trackBefore = (await videoIn(consolePage, clientTileId)).trackId;

  const killed = await killCarrier();
  await newVideoFlowing(consolePage, clientTileId, trackBefore, killed.at + RECOVERY_MS);
  // Sam's new microphone producer is paused on the server too: the console says so, and hears nothing.
  await expect(samTile).toContainText('Mic off');
  expect(await remoteAudioPeak(consolePage, CONSOLE_AUDIO)).toBeLessThan(0.01);
  await expect(clientPage.getByRole('button', { name: 'Unmute your microphone' })).toBeVisible();
  await snapshot(consolePage, testInfo, 'worker-death-console-muted');

  await clientPage.getByRole('button', { name: 'Unmute your microphone' }).click();
  await expect(samTile).not.toContainText('Mic off');
  await expect.poll(() => remoteAudioPeak(consolePage, CONSOLE_AUDIO), { timeout: 10_000 }).toBeGreaterThan(0.01);
  await call.close();
});
