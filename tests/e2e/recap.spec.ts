/**
 * A written recap end to end (issue 20): a client takes part in a session, the session ends,
 * its facilitator writes a recap in the console beside the roster, the client opens their own
 * invitation link again and reads it after their passcode, and the roster then says they read
 * it. Real session server (demo mode, in this process), real console renderer and main
 * handlers, real participant page.
 *
 * Needs `npm run build` (console renderer and participant page).
 */
import { mkdirSync } from 'node:fs';
import { expect, test } from '../support/e2eTest';
import { startDemo, type RunningDemo } from '../../src/server/demo';
import type { DemoInfo, Participant } from '../../src/shared/protocol';
import type { SignalingClient } from '../../src/client/signaling';
import { startConsoleHost, type ConsoleHost } from '../support/consoleHost';
import { facilitatorSocket } from '../support/facilitatorSocket';
import { clinicianSignsIn, snapshot } from '../support/flows';
import { newPage, participantSteps } from '../support/participantSteps';
import { expectAccessible } from '../support/axe';

const SHOTS = 'test-results/screenshots';
const RECAP = 'Tonight we talked about what helps on hard evenings.\nFor next week: notice one moment that went a little better.';

let demo: RunningDemo;
let info: DemoInfo;
let host: ConsoleHost;
let facilitator: SignalingClient;
const knocks: Participant[] = [];

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startDemo({ invitations: 2, workers: 1 });
  info = demo.info;
  host = await startConsoleHost({ defaultServerUrl: info.httpUrl });
  ({ signaling: facilitator } = await facilitatorSocket(info, (f) => f.on('knock', ({ participant }) => knocks.push(participant))));
});

test.afterAll(async () => {
  facilitator?.close();
  await host?.close();
  await demo?.close();
});

const { invitation, enterPasscode, checkIn, knockFrom, shot } = participantSteps(() => info, knocks, SHOTS);

test('after the group its facilitator writes a recap, and a client reads it on their own invitation page', async ({ browser }, testInfo) => {
  test.skip(!process.env['DBUS_SESSION_BUS_ADDRESS'], 'needs a Secret Service (run through scripts/with-keyring.sh)');

  // The session: Robin takes part; it ends.
  const robin = await checkIn(browser, 0, 'Robin');
  await facilitator.request('admit', { participantId: (await knockFrom('Robin')).participantId });
  await expect(robin.getByRole('button', { name: 'Leave the session' })).toBeVisible();
  await facilitator.request('end', {});
  await expect(robin.getByRole('heading', { name: /this session has ended/i })).toBeVisible();
  // Nothing written yet: the ending says only that it has ended.
  await expect(robin.getByTestId('recap')).toHaveCount(0);
  await robin.close();

  // The facilitator writes the recap beside the roster.
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await host.attach(page);
  await clinicianSignsIn(page, host, info.facilitator, info.httpUrl);
  await page.getByRole('button', { name: 'Rosters', exact: true }).click();
  await page.getByTestId('roster-sessions').locator('tbody tr').last().getByRole('button').click();
  const panel = page.getByTestId('recap-panel');
  await expect(panel).toContainText('No recap yet');
  await panel.getByRole('button', { name: 'Write a recap' }).click();
  await panel.getByLabel('Recap').fill(RECAP);
  await panel.getByLabel('Shown to clients for').selectOption('14');
  await panel.getByRole('button', { name: 'Save recap' }).click();
  await expect(panel.getByTestId('recap-current')).toContainText('what helps on hard evenings');
  await expect(panel.getByTestId('recap-current')).toContainText('shown to the group’s clients until');
  await snapshot(page, testInfo, 'console-recap');
  await expectAccessible(page, testInfo, 'console-recap');

  // Robin opens her link again: after her passcode, the recap.
  const again = await newPage(browser);
  await again.goto(invitation(0).url);
  await enterPasscode(again, invitation(0).passcode);
  const recap = again.getByTestId('recap');
  await expect(recap).toBeVisible();
  await expect(recap).toContainText('A note from your therapist');
  await expect(recap.locator('.recap__text')).toHaveText(RECAP);
  await shot(again, 'recap');
  await expectAccessible(again, testInfo, 'participant-ended-session-ended-recap');
  // A wrong passcode reads nothing.
  const stranger = await browser.newPage();
  await stranger.goto(invitation(1).url);
  await enterPasscode(stranger, '000000');
  await expect(stranger.getByTestId('recap')).toHaveCount(0);

  // The roster says she read it (reopened, as a supervisor would later).
  await page.getByRole('button', { name: 'Sessions', exact: true }).click();
  await page.getByRole('button', { name: 'Rosters', exact: true }).click();
  await page.getByTestId('roster-sessions').locator('tbody tr').last().getByRole('button').click();
  await expect(page.getByTestId(`recap-opened-${invitation(0).participantRef}`)).toContainText('read the recap');
  await expect(page.getByTestId(`recap-opened-${invitation(1).participantRef}`)).toHaveCount(0);
});
