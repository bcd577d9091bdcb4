/**
 * "Admit all" in the real console: a client already in the group keeps a steady picture
 * while others are let in at once, and every newcomer's video reaches the console.
 *
 * The console used to build a new MediaStream for every tile whenever any remote track came
 * or went, so each arrival reloaded every tile's <video> (blank until its next frame): with
 * a group admitted at once, tiles went blank over and over and showed their first frame
 * seconds late. A reload fires `emptied` and `loadstart` on the element; none may fire.
 */
import { expect, test } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { clientChecksIn, consoleIssuesLink, facilitatorOpensSession, knockOf, snapshot, videoWidthIn } from '../support/flows';

const NEWCOMERS = ['Sam', 'Kai', 'Noor'];

const running = consoleWithDemoServer('file', { demoArgs: ['--invitations', String(NEWCOMERS.length + 1)] });

test('"Admit all" lets a waiting room in without reloading the tiles already showing', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const consoleContext = await browser.newContext();
  const consolePage = await consoleContext.newPage();
  await running.host.attach(consolePage);
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);

  // Each client's link as this console issues it, with the secret that vouches for their key.
  const links = [];
  for (const invitation of running.demo.info.invitations) links.push(await consoleIssuesLink(consolePage, running.demo.info.sessionId, invitation));
  const [first, ...rest] = links;
  const robin = await (await browser.newContext()).newPage();
  await clientChecksIn(robin, first!, 'Robin');
  await knockOf(consolePage, 'Robin').getByRole('button', { name: 'Admit Robin' }).click();
  const robinTile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: 'Robin' });
  const robinTileId = (await robinTile.getAttribute('data-testid'))!;
  await expect.poll(() => videoWidthIn(consolePage, robinTileId), { timeout: 20_000 }).toBeGreaterThan(0);

  // From here on, count every reload of Robin's <video>, on the element itself.
  await consolePage.evaluate((tileId) => {
    const video = document.querySelector<HTMLVideoElement>(`[data-testid="${tileId}"] video`)!;
    const w = window as unknown as { robinVideo: HTMLVideoElement; robinReloads: string[] };
    w.robinVideo = video;
    w.robinReloads = [];
    for (const event of ['emptied', 'loadstart']) video.addEventListener(event, () => w.robinReloads.push(event));
  }, robinTileId);

  const newcomers = [];
  for (const [i, name] of NEWCOMERS.entries()) {
    const page = await (await browser.newContext()).newPage();
    await clientChecksIn(page, rest[i]!, name);
    await expect(knockOf(consolePage, name)).toBeVisible();
    newcomers.push(page);
  }
  await consolePage.getByRole('button', { name: 'Admit all' }).click();

  for (const name of NEWCOMERS) {
    const tile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: name });
    await expect(tile).toBeVisible({ timeout: 20_000 });
    const tileId = (await tile.getAttribute('data-testid'))!;
    await expect.poll(() => videoWidthIn(consolePage, tileId), { timeout: 30_000 }).toBeGreaterThan(0);
  }
  // One tile per client, the facilitator's own besides.
  await expect(consolePage.locator('[data-testid^="tile-"]:not([data-testid="tile-self"])')).toHaveCount(NEWCOMERS.length + 1);

  const robinAfter = await consolePage.evaluate((tileId) => {
    const w = window as unknown as { robinVideo: HTMLVideoElement; robinReloads: string[] };
    const now = document.querySelector(`[data-testid="${tileId}"] video`);
    return { sameElement: now === w.robinVideo, reloads: w.robinReloads, width: w.robinVideo.videoWidth };
  }, robinTileId);
  expect(robinAfter).toEqual({ sameElement: true, reloads: [], width: expect.any(Number) });
  expect(robinAfter.width).toBeGreaterThan(0);

  await snapshot(consolePage, testInfo, 'console-after-admit-all');
  await consoleContext.close();
  await robin.context().close();
  for (const page of newcomers) await page.context().close();
});
