/**
 * Offline progress notes, end to end: the console (real renderer, main's handlers, the real
 * vault under a key in the real OS keychain) writes and signs a group note while the server
 * is down, and the note syncs by itself once the server is back.
 */
import { expect, test } from '../support/e2eTest';
import { clinicianSignsIn, snapshot } from '../support/flows';
import { startConsoleHost, type ConsoleHost } from '../support/consoleHost';
import { expectAccessible } from '../support/axe';
import { expectConsoleFits } from '../support/consoleFit';
import { startRestartableServer, type RestartableServer } from '../support/restartableServer';

let server: RestartableServer;
let host: ConsoleHost;

test.beforeAll(async () => {
  server = await startRestartableServer();
  host = await startConsoleHost({ defaultServerUrl: server.httpUrl });
});

test.afterAll(async () => {
  await host?.close();
  await server?.dispose();
});

test('a group note written and signed offline syncs when the server is back', async ({ browser }, testInfo) => {
  test.skip(!process.env['DBUS_SESSION_BUS_ADDRESS'], 'needs a Secret Service (run through scripts/with-keyring.sh)');
  const { facilitator } = server.seed;
  const page = await (await browser.newContext()).newPage();
  await host.attach(page);
  await clinicianSignsIn(page, host, facilitator);
  await page.getByRole('button', { name: 'Notes', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Notes', exact: true })).toBeVisible();

  // The network goes away.
  await server.stop();

  await page.getByRole('button', { name: 'New note' }).click();
  const dialog = page.getByRole('dialog', { name: 'New progress note' });
  await dialog.getByLabel('Template').selectOption('group');
  await dialog.getByRole('button', { name: 'Start writing' }).click();
  await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Tuesday group — coping with cravings');
  await page.getByLabel('Session summary').fill('Group practised urge surfing; two members shared relapse-prevention plans.');
  await page.getByLabel('Plan', { exact: true }).fill('Continue with distress tolerance skills next week.');
  await page.getByRole('button', { name: 'Sign…' }).click();
  await page.getByRole('dialog', { name: 'Sign this note?' }).getByRole('button', { name: 'Sign note' }).click();
  await expect(page.getByText(/^Signed by Dr. Ana Demo/)).toBeVisible();
  await expect(page.getByTestId('sync-status')).toContainText(/Offline · 1 note waiting to sync/, { timeout: 20_000 });
  await snapshot(page, testInfo, 'console-notes-offline');
  await expectAccessible(page, testInfo, 'console-notes-offline');
  await expectConsoleFits(page, testInfo, 'notes');
  // Every control of the top bar is inside the window: at 1280 px it once pushed Lock and Sign out past the edge.
  for (const name of ['Sync now', 'Lock', 'Sign out']) {
    const box = (await page.getByRole('button', { name, exact: true }).boundingBox())!;
    expect(box.x + box.width, name).toBeLessThanOrEqual(page.viewportSize()!.width);
  }

  // The network comes back; the outbox drains without the clinician doing anything.
  await server.start();
  await expect(page.getByTestId('sync-status')).toContainText('Notes synced', { timeout: 40_000 });
  const onServer = await server.current()!.store.notes.byAuthor(facilitator.id);
  expect(onServer.map((n) => [n.body.title, n.status])).toEqual([['Tuesday group — coping with cravings', 'signed']]);
  await expect(page.locator('.note-row').filter({ hasText: 'coping with cravings' })).not.toContainText('Not synced yet');
  await snapshot(page, testInfo, 'console-notes-synced');
  await expectAccessible(page, testInfo, 'console-notes-synced');
});
