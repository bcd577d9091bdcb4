/**
 * The idle lock, end to end in Chromium: the real console renderer, main's real handlers
 * and idle watcher (driven the way powerMonitor drives it), a real session server and a
 * client in a live call. While locked the page holds no one's name, no note and no video;
 * the call carries on underneath, and the clinician's password and code bring it all back.
 */
import { expect, test, type Page } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { expectAccessible } from '../support/axe';
import { clientChecksIn, consoleAndClientPages, consoleIssuesLink, facilitatorOpensSession, knockOf, snapshot, videoWidthIn } from '../support/flows';
import { freshTotp } from '../support/totpCodes';

const running = consoleWithDemoServer('file', { host: { idleMinutes: 10 } });

const NOTE_TITLE = 'Robin — relapse prevention';
const NOTE_TEXT = 'Robin described cravings after the weekend and her plan with her sponsor.';

/** Frames the page's <video> in `testId` has decoded so far. */
function framesIn(page: Page, testId: string): Promise<number> {
  return page
    .getByTestId(testId)
    .locator('video')
    .evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames)
    .catch(() => 0);
}

async function unlock(page: Page): Promise<void> {
  await page.getByLabel('Password').fill(running.demo.info.facilitator.password);
  await page.getByLabel('Authenticator code').fill(await freshTotp(running.demo.info.facilitator.totpSecret!));
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Confidant is locked' })).toHaveCount(0);
}

test('after idle time nothing about anyone is in the page until the clinician unlocks, and the call runs on', async ({ browser }, testInfo) => {
  test.skip(!process.env['DBUS_SESSION_BUS_ADDRESS'], 'needs a Secret Service for the note vault (run through scripts/with-keyring.sh)');
  const { consoleContext, clientContext, consolePage, clientPage } = await consoleAndClientPages(browser);
  const cspViolations: string[] = [];
  consolePage.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await running.host.attach(consolePage);

  // The facilitator opens today's group and admits a client; video flows both ways.
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  const sessionTitle = (await consolePage.getByRole('heading', { level: 1 }).textContent())!;
  const invitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[0]!);
  await clientChecksIn(clientPage, invitation, 'Robin');
  await knockOf(consolePage, 'Robin').getByRole('button', { name: 'Admit Robin' }).click();
  const clientTile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: 'Robin' });
  const clientTileId = (await clientTile.getAttribute('data-testid'))!;
  await expect.poll(() => videoWidthIn(consolePage, clientTileId), { timeout: 20_000 }).toBeGreaterThan(0);
  const facilitatorTileId = (await clientPage
    .locator('[data-testid^="tile-"]:not([data-testid="tile-self"])')
    .filter({ hasNotText: 'Robin' })
    .first()
    .getAttribute('data-testid'))!;
  await expect.poll(() => videoWidthIn(clientPage, facilitatorTileId), { timeout: 20_000 }).toBeGreaterThan(0);

  // Ten minutes without input, as powerMonitor reports it: the console locks.
  running.host.power.setIdleSeconds(10 * 60);
  await expect(consolePage.getByRole('heading', { name: 'Confidant is locked' })).toBeVisible();
  await expect(consolePage.getByText('Locked after 10 minutes without activity.')).toBeVisible();
  await expect(consolePage.getByTestId('lock-call-note')).toBeVisible();
  const locked = await consolePage.content();
  for (const phi of ['Robin', invitation.participantRef, sessionTitle]) expect(locked).not.toContain(phi);
  await expect(consolePage.locator('video, audio')).toHaveCount(0);
  await snapshot(consolePage, testInfo, 'console-locked-in-call');
  await expectAccessible(consolePage, testInfo, 'console-locked-in-call');

  // The call runs on underneath: the client keeps receiving the facilitator's video.
  const before = await framesIn(clientPage, facilitatorTileId);
  await expect.poll(() => framesIn(clientPage, facilitatorTileId), { timeout: 10_000 }).toBeGreaterThan(before + 10);
  await expect(clientPage.getByRole('heading', { name: /waiting for your therapist|session has ended/i })).toHaveCount(0);

  // A wrong password keeps it locked and shows nothing more.
  await consolePage.getByLabel('Password').fill('not the password');
  await consolePage.getByLabel('Authenticator code').fill('000000');
  await consolePage.getByRole('button', { name: 'Unlock' }).click();
  await expect(consolePage.getByRole('alert').or(consolePage.locator('.banner.error'))).toContainText('The password or code is not right.');
  expect(await consolePage.content()).not.toContain('Robin');

  // Password and a fresh code: the same call is back, without admitting anyone again.
  running.host.power.setIdleSeconds(0);
  await unlock(consolePage);
  await expect(clientTile).toBeVisible();
  await expect.poll(() => videoWidthIn(consolePage, clientTileId), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(consolePage.getByRole('heading', { name: sessionTitle })).toBeVisible();

  // After the group, a note; the screen locking locks the console at once.
  await consolePage.getByRole('button', { name: 'Leave' }).click();
  await consolePage.getByRole('button', { name: 'Notes', exact: true }).click();
  await consolePage.getByRole('button', { name: 'New note' }).click();
  const dialog = consolePage.getByRole('dialog', { name: 'New progress note' });
  await dialog.getByLabel('Template').selectOption('group');
  await dialog.getByRole('button', { name: 'Start writing' }).click();
  await consolePage.getByRole('textbox', { name: 'Title', exact: true }).fill(NOTE_TITLE);
  await consolePage.getByLabel('Session summary').fill(NOTE_TEXT);

  running.host.power.emit('lock-screen');
  await expect(consolePage.getByText('Locked because the computer’s screen locked.')).toBeVisible();
  const lockedNotes = await consolePage.content();
  for (const phi of ['Robin', NOTE_TITLE, NOTE_TEXT, 'relapse', sessionTitle]) expect(lockedNotes).not.toContain(phi);
  await snapshot(consolePage, testInfo, 'console-locked-notes');
  await expectAccessible(consolePage, testInfo, 'console-locked-notes');

  // Unlocked, the note is there with every keystroke typed before the lock.
  await unlock(consolePage);
  await consolePage.locator('.note-row').filter({ hasText: NOTE_TITLE }).click();
  await expect(consolePage.getByLabel('Session summary')).toHaveValue(NOTE_TEXT);
  await snapshot(consolePage, testInfo, 'console-unlocked-notes');
  await expectAccessible(consolePage, testInfo, 'console-unlocked-notes');

  expect(cspViolations).toEqual([]);
  await consoleContext.close();
  await clientContext.close();
});
