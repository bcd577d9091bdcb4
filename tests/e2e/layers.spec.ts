/**
 * Layered video (issue 22), end to end: every camera goes in two simulcast layers; each
 * receiver gets the layer its tile needs (a phone-sized tile the smaller, a large one the full
 * picture); a tile that cannot be seen receives nothing, and shows its picture again once seen.
 */
import { expect, test, type Page } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { clientChecksIn, consoleAndClientPages, consoleIssuesLink, facilitatorOpensSession, knockOf, videoWidthIn } from '../support/flows';

const running = consoleWithDemoServer('file');

interface InboundVideo {
  frameHeight: number;
  framesDecoded: number;
  bytesReceived: number;
}

/** What the page receives of others' video, summed over its streams (the tallest frame among them). */
async function inboundVideo(page: Page): Promise<InboundVideo> {
  return page.evaluate(async () => {
    const total = { frameHeight: 0, framesDecoded: 0, bytesReceived: 0 };
    for (const pc of window.__testPeerConnections ?? []) {
      for (const stat of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
        if (stat['type'] !== 'inbound-rtp' || stat['kind'] !== 'video') continue;
        total.frameHeight = Math.max(total.frameHeight, Number(stat['frameHeight'] ?? 0));
        total.framesDecoded += Number(stat['framesDecoded'] ?? 0);
        total.bytesReceived += Number(stat['bytesReceived'] ?? 0);
      }
    }
    return total;
  });
}

/** The layers the page's camera is sent in: each encoding's scale, and how many of them send frames. */
async function outboundLayers(page: Page): Promise<{ scales: number[]; sending: number }> {
  return page.evaluate(async () => {
    const senders = (window.__testPeerConnections ?? []).flatMap((pc) => pc.getSenders()).filter((s) => s.track?.kind === 'video');
    const scales = senders.flatMap((s) => s.getParameters().encodings.map((e) => e.scaleResolutionDownBy ?? 1));
    let sending = 0;
    for (const pc of window.__testPeerConnections ?? []) {
      for (const stat of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
        if (stat['type'] === 'outbound-rtp' && stat['kind'] === 'video' && Number(stat['framesSent'] ?? 0) > 0) sending++;
      }
    }
    return { scales, sending };
  });
}

test('cameras go in layers; each tile gets the layer its size needs, and an unseen tile nothing', async ({ browser }) => {
  const { consoleContext, clientContext, consolePage, clientPage } = await consoleAndClientPages(browser);
  await running.host.attach(consolePage);
  // The client on a large screen first: the facilitator's tile is drawn tall there.
  await clientPage.setViewportSize({ width: 1280, height: 900 });

  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  const invitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[0]!);
  await clientChecksIn(clientPage, invitation, 'Robin');
  await knockOf(consolePage, 'Robin').getByRole('button', { name: 'Admit Robin' }).click();

  const clientTile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: 'Robin' });
  const clientTileId = (await clientTile.getAttribute('data-testid'))!;
  await expect.poll(() => videoWidthIn(consolePage, clientTileId), { timeout: 20_000 }).toBeGreaterThan(0);
  const facilitatorTileId = (await clientPage.locator('[data-testid^="tile-"]:not([data-testid="tile-self"])').first().getAttribute('data-testid'))!;
  await expect.poll(() => videoWidthIn(clientPage, facilitatorTileId), { timeout: 20_000 }).toBeGreaterThan(0);

  // Both cameras go in two layers, half and full size, both sending.
  for (const page of [clientPage, consolePage]) {
    await expect.poll(() => outboundLayers(page), { timeout: 15_000 }).toEqual({ scales: [2, 1], sending: 2 });
  }

  // A tall tile gets the full picture, 360 lines, once the link's estimate has grown to carry it.
  const tileHeight = () => clientPage.getByTestId(facilitatorTileId).locator('video').evaluate((v) => v.clientHeight * window.devicePixelRatio);
  expect(await tileHeight()).toBeGreaterThan(225);
  await expect.poll(async () => (await inboundVideo(clientPage)).frameHeight, { timeout: 20_000 }).toBe(360);
  // On a phone-sized screen the same tile is small, and gets the smaller layer: 180 lines,
  // though the link carries the full one.
  await clientPage.setViewportSize({ width: 360, height: 640 });
  expect(await tileHeight()).toBeLessThanOrEqual(225);
  await expect.poll(async () => (await inboundVideo(clientPage)).frameHeight, { timeout: 20_000 }).toBe(180);

  // The tile taken off the screen: nothing more arrives for it.
  await clientPage.getByTestId(facilitatorTileId).evaluate((tile: HTMLElement) => (tile.style.display = 'none'));
  // What was in flight lands first.
  await clientPage.waitForTimeout(1000);
  const hidden = await inboundVideo(clientPage);
  await clientPage.waitForTimeout(2000);
  const later = await inboundVideo(clientPage);
  // RTCP and a padding probe may still come; frames do not.
  expect(later.framesDecoded).toBe(hidden.framesDecoded);
  expect(later.bytesReceived - hidden.bytesReceived).toBeLessThan(10_000);

  // Shown again: the picture comes back.
  await clientPage.getByTestId(facilitatorTileId).evaluate((tile: HTMLElement) => (tile.style.display = ''));
  await expect.poll(async () => (await inboundVideo(clientPage)).framesDecoded - later.framesDecoded, { timeout: 15_000 }).toBeGreaterThan(10);

  await consoleContext.close();
  await clientContext.close();
});
