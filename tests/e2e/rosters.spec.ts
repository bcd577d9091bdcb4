/**
 * The Rosters screen end to end: a real session server (demo mode, in this process) records a
 * scripted session as it happens — two clients check in on the real participant page, the
 * facilitator (over the real WebSocket protocol) admits and verifies both, one leaves, one is
 * removed, the third never comes, the session ends — beside two earlier sessions of the same
 * group recorded through the server's store. The demo supervisor then reads it all in the
 * console (real renderer, main's handlers, the roster cache under its key derived from the keychain key in the real
 * OS keychain), exports CSV, prints, and reads the saved roster again with the server gone.
 *
 * Needs `npm run build` (console renderer and participant page).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '../support/e2eTest';
import { startDemo, type RunningDemo } from '../../src/server/demo';
import { ROSTER_CSV_COLUMNS, type DemoInfo, type Participant } from '../../src/shared/protocol';
import type { SignalingClient } from '../../src/client/signaling';
import { startConsoleHost, type ConsoleHost } from '../support/consoleHost';
import { expectAccessible } from '../support/axe';
import { expectConsoleFits } from '../support/consoleFit';
import { facilitatorSocket } from '../support/facilitatorSocket';
import { clinicianSignsIn, snapshot } from '../support/flows';
import { participantSteps } from '../support/participantSteps';
import { seedPastSession } from '../support/rosterSeed';

const SHOTS = 'test-results/screenshots';
const TITLE = 'Tuesday evening IOP group';

let demo: RunningDemo;
let info: DemoInfo;
let host: ConsoleHost;
let facilitator: SignalingClient;
const knocks: Participant[] = [];

test.describe.configure({ mode: 'serial' });
test.use({ actionTimeout: 10_000 });

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startDemo({ invitations: 3, workers: 1 });
  info = demo.info;
  host = await startConsoleHost({ defaultServerUrl: info.httpUrl });
  const store = demo.server.store;
  const facilitatorId = (await store.clinicians.byUsername(info.facilitator.username))!.id;
  const now = new Date();
  // Robin said how she was at each check-in: a low week, then a better one.
  const robinSaid = { 2: { score: 3, word: 'tired' }, 1: { score: 6 } } as const;
  for (const [weeksAgo, minutes] of [
    [2, [85, 60, null]],
    [1, [90, null, 45]],
  ] as const) {
    await seedPastSession(store, {
      title: TITLE,
      facilitatorId,
      admittedById: facilitatorId,
      now,
      weeksAgo,
      attendance: info.invitations.map((inv, i) => ({
        participantRef: inv.participantRef,
        displayName: minutes[i] === null ? null : ['Robin', 'Jordan', 'Alex'][i]!,
        minutes: minutes[i] ?? null,
        ...(i === 0 ? { rating: robinSaid[weeksAgo] } : {}),
      })),
    });
  }
  ({ signaling: facilitator } = await facilitatorSocket(info, (f) => f.on('knock', ({ participant }) => knocks.push(participant))));
});

test.afterAll(async () => {
  facilitator?.close();
  await host?.close();
  await demo?.close();
});

const { checkIn, knockFrom } = participantSteps(() => info, knocks, SHOTS);

const supervisorSignsIn = (page: Page) => clinicianSignsIn(page, host, info.supervisor, info.httpUrl);

test('a supervisor reads who was in the group, for how long and who let them in; exports, prints, and reads it offline', async ({ browser }, testInfo) => {
  test.skip(!process.env['DBUS_SESSION_BUS_ADDRESS'], 'needs a Secret Service (run through scripts/with-keyring.sh)');

  // --- the session, as it happens ----------------------------------------------------------
  const robin = await checkIn(browser, 0, 'Robin');
  const robinId = (await knockFrom('Robin')).participantId;
  const jordan = await checkIn(browser, 1, 'Jordan');
  const jordanId = (await knockFrom('Jordan')).participantId;
  await facilitator.request('admit', { participantId: robinId });
  await facilitator.request('verify', { participantId: robinId, method: 'photo-id' });
  await facilitator.request('admit', { participantId: jordanId });
  await facilitator.request('verify', { participantId: jordanId, method: 'verbal-code' });
  await expect(robin.getByRole('button', { name: 'Leave the session' })).toBeVisible();
  await robin.getByRole('button', { name: 'Leave the session' }).click();
  await facilitator.request('remove', { participantId: jordanId, reason: "Shared another member's details" });
  await facilitator.request('end', {});
  await robin.close();
  await jordan.close();

  // --- the supervisor's console ------------------------------------------------------------
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await host.attach(page);
  await supervisorSignsIn(page);
  await page.getByRole('button', { name: 'Rosters', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Rosters', exact: true })).toBeVisible();

  const sessions = page.getByTestId('roster-sessions');
  await expect(sessions.locator('tbody tr')).toHaveCount(3);
  await expect(sessions.locator('tbody tr').nth(0)).toContainText(/Dr\. Ana Demo\s*3\s*2\s*145/);
  await expect(page.getByTestId('audit-badge')).toHaveText(/Audit trail verified: \d+ entries, unaltered/);

  // Today's session: who was in it, who let them in, who verified them and how.
  await sessions.getByRole('button', { name: TITLE }).nth(2).click();
  const roster = page.getByTestId('roster-table');
  const row = (ref: string) => roster.locator('tbody tr').filter({ has: page.getByRole('button', { name: new RegExp(`^${ref}`) }) });
  await expect(row('IOP-1042')).toContainText('Robin');
  await expect(row('IOP-1042')).toContainText('Dr. Ana Demo');
  await expect(row('IOP-1042')).toContainText('photo ID');
  await expect(row('IOP-1042')).toContainText('Left');
  await expect(row('IOP-1043')).toContainText('verbal code');
  await expect(row('IOP-1043')).toContainText("“Shared another member's details”");
  await expect(row('IOP-1043')).toContainText('Removed');
  await expect(row('IOP-1044')).toContainText('Did not come');
  // Which agreement each client accepted at check-in, and in which language (the page was in
  // English); nobody accepted anything for one who never came.
  await expect(row('IOP-1042')).toContainText(/accepted agreement \S+ in English/);
  await expect(row('IOP-1044')).not.toContainText('accepted agreement');
  await expect(page.getByTestId('roster')).toContainText('2 of 3 attended · 1 removed');
  await snapshot(page, testInfo, 'rosters-session');
  await expectAccessible(page, testInfo, 'rosters-session');
  await expectConsoleFits(page, testInfo, 'roster');

  // The group over time: the two earlier sessions and today's.
  const group = page.getByTestId('group-attendance-chart');
  await expect(group.locator('.chart-bar')).toHaveCount(3);
  await expect(group.locator('.chart-bar').nth(0)).toHaveAttribute('data-value', '2');

  // A client over weeks, against a target set in place.
  await row('IOP-1042').getByRole('button', { name: /^IOP-1042/ }).click();
  const client = page.getByTestId('client-chart');
  await expect(client.getByRole('heading', { name: 'IOP-1042: hours per week' })).toBeVisible();
  await expect(client.getByTestId('client-target')).toContainText('none set');
  await client.getByRole('button', { name: 'Set target' }).click();
  await client.getByLabel('Weekly target').fill('1.25');
  await client.getByLabel('Weekly target').press('Enter');
  await expect(client.getByTestId('client-target')).toContainText('1.25 h');
  await expect(client.locator('.chart-target')).toHaveCount(1);
  // 85 and 90 minutes in the two earlier weeks; a few seconds today.
  const values = await client
    .getByTestId('client-attendance-chart')
    .locator('.chart-bar')
    .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-value'))));
  expect(values.filter((v) => v > 1)).toEqual([85 / 60, 90 / 60]);
  // Beside it, how she said she was: the two weeks she gave a rating, the low one marked.
  const rated = client.getByTestId('client-rating-chart').locator('.chart-bar:not([data-missing])');
  expect(await rated.evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-value'))))).toEqual([3, 6]);
  await expect(rated.first()).toHaveClass(/low/);
  await expect(client.getByTestId('client-rating-chart')).toContainText('“tired”');
  await client.scrollIntoViewIfNeeded();
  await snapshot(page, testInfo, 'rosters-charts');
  await expectAccessible(page, testInfo, 'rosters-charts');

  // Export: the server's CSV, saved where the clinician chose.
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByTestId('export-note')).toContainText('Saved the roster as');
  expect(host.savedFiles).toHaveLength(1);
  const csv = readFileSync(host.savedFiles[0]!.path, 'utf8').trimEnd().split('\r\n');
  expect(csv[0]).toBe(ROSTER_CSV_COLUMNS.join(','));
  expect(csv.slice(1).map((l) => l.split(',').slice(0, 2))).toEqual([
    ['IOP-1042', 'Robin'],
    ['IOP-1043', 'Jordan'],
    ['IOP-1044', ''],
  ]);
  expect(host.savedFiles[0]!.suggestedName).toMatch(/^roster-\d{4}-\d{2}-\d{2}-tuesday-evening-iop-group\.csv$/);

  // Audit entries for the session: the export is on the record.
  await page.getByRole('button', { name: 'Audit entries' }).click();
  await expect(page.getByTestId('audit-entries')).toContainText('roster.exported');

  // Print: the roster alone.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Export CSV' })).toBeHidden();
  await expect(page.getByTestId('roster-sessions')).toBeHidden();
  await expect(roster).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/rosters-print.png`, fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // --- offline --------------------------------------------------------------------------------
  await demo.close();
  await page.getByRole('button', { name: 'Sessions', exact: true }).click();
  await page.getByRole('button', { name: 'Rosters', exact: true }).click();
  await expect(page.getByTestId('rosters-offline')).toContainText('Offline: showing the copy saved at');
  // The chain cannot be walked without the server: no stale "verified" is shown.
  await expect(page.getByTestId('audit-badge')).toHaveText(/Audit trail not checked/);
  await expect(sessions.locator('tbody tr')).toHaveCount(3);
  // One never opened here has no copy, and says so.
  await sessions.getByRole('button', { name: TITLE }).nth(0).click();
  await expect(page.getByRole('alert')).toContainText('No copy of this roster is saved on this computer');
  // The one opened before reads as it was.
  await sessions.getByRole('button', { name: TITLE }).nth(2).click();
  await expect(row('IOP-1042')).toContainText('photo ID');
  await expect(row('IOP-1043')).toContainText('Removed');
  await row('IOP-1042').getByRole('button', { name: /^IOP-1042/ }).click();
  await expect(page.getByTestId('client-target')).toContainText('1.25 h');
  await snapshot(page, testInfo, 'rosters-offline');
  await expectAccessible(page, testInfo, 'rosters-offline');
});
