/**
 * Access control as a clinician meets it in the console: sign-in with a second factor,
 * this week's sessions, scheduling, invitations shown once, and the admin's accounts.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '../support/e2eTest';
import { IssuedInvitation, Roster } from '../../src/shared/protocol';
import { ServerSession } from '../../src/main/services/serverSession';
import { newDeviceId } from '../../src/main/services/deviceId';
import { snapshot } from '../support/flows';
import { consoleWithDemoServer } from '../support/consoleHost';
import { expectAccessible } from '../support/axe';
import { expectConsoleFits } from '../support/consoleFit';
import { freshTotp } from '../support/totpCodes';

const running = consoleWithDemoServer('test');

async function signIn(page: Page, who: { username: string; password: string }, code: string): Promise<void> {
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Authenticator code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('signing in needs the authenticator code, and a used code is refused', async ({ browser }, testInfo) => {
  const page = await (await browser.newContext()).newPage();
  await running.host.attach(page);
  await page.goto(running.host.url);
  const { facilitator } = running.demo.info;
  await expect(page.getByLabel('Authenticator code')).toBeVisible();
  await expectAccessible(page, testInfo, 'console-sign-in');

  await signIn(page, facilitator, '000000');
  await expect(page.getByRole('alert')).toContainText(/not right/i);
  await expectAccessible(page, testInfo, 'console-sign-in-refused');
  const code = await freshTotp(facilitator.totpSecret!);
  await signIn(page, facilitator, code);
  await expect(page.getByRole('heading', { name: 'This week' })).toBeVisible();
  await expect(page.getByText('Tuesday evening IOP group')).toBeVisible();
  await snapshot(page, testInfo, 'console-week');
  await expectAccessible(page, testInfo, 'console-week');
  await expectConsoleFits(page, testInfo, 'week');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, facilitator, code);
  await expect(page.getByRole('alert')).toContainText(/already been used/i);
});

test('a facilitator schedules a group, invites a client, re-issues and revokes the invitation', async ({ browser }, testInfo) => {
  const page = await (await browser.newContext()).newPage();
  await running.host.attach(page);
  await page.goto(running.host.url);
  await signIn(page, running.demo.info.facilitator, await freshTotp(running.demo.info.facilitator.totpSecret!));

  await page.getByRole('button', { name: 'Schedule a session' }).click();
  const editor = page.getByRole('dialog', { name: 'Schedule a group session' });
  await editor.getByLabel('Title').fill('Thursday skills group');
  await snapshot(page, testInfo, 'console-schedule');
  await expectAccessible(page, testInfo, 'console-schedule');
  await editor.getByRole('button', { name: 'Schedule' }).click();
  const card = page.locator('.session-card').filter({ hasText: 'Thursday skills group' });
  await expect(card).toBeVisible();

  await card.getByRole('button', { name: 'Invitations' }).click();
  const dialog = page.getByRole('dialog', { name: /Invitations/ });
  await expect(dialog).toContainText('Nobody is invited yet.');
  await dialog.getByLabel('Client reference').fill('IOP-2001');
  await dialog.getByLabel(/How to recognise them/).fill('Code word: harbour');
  await dialog.getByRole('button', { name: 'Create invitation' }).click();
  const issued = dialog.getByTestId('issued-invitation');
  await expect(issued).toContainText('only time the passcode is shown');
  const firstUrl = (await dialog.getByTestId('issued-url').textContent())!;
  const firstPasscode = (await dialog.getByTestId('issued-passcode').textContent())!;
  // The link carries its secret for the call's encryption (the host has a keychain).
  expect(firstUrl).toMatch(/\/join\/[A-Za-z0-9_-]{43,}#k=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{11}$/);
  await expect(issued.getByTestId('issued-no-secret')).toHaveCount(0);
  await issued.getByRole('button', { name: 'Copy link' }).click();
  await expect(issued).toContainText('Copied the link');
  expect(running.host.clipboard.text).toBe(firstUrl);
  await expect(dialog.getByTestId('invitation-IOP-2001')).toContainText('Code word: harbour');
  await snapshot(page, testInfo, 'console-invitations');
  await expectAccessible(page, testInfo, 'console-invitations');

  await dialog.getByRole('button', { name: 'Re-issue IOP-2001' }).click();
  await dialog.getByRole('button', { name: 'Re-issue', exact: true }).click();
  await expect(dialog.getByTestId('issued-url')).not.toHaveText(firstUrl);

  // The old link now answers like one that never existed.
  const client = await (await browser.newContext()).newPage();
  await client.goto(firstUrl);
  await client.getByLabel(/passcode/i).fill(firstPasscode);
  await client.getByRole('button', { name: /continue/i }).click();
  await expect(client.getByText(/didn.t match/i).first()).toBeVisible();

  await dialog.getByRole('button', { name: 'Revoke IOP-2001' }).click();
  await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(dialog.getByTestId('invitation-IOP-2001')).toContainText('Revoked');
});

test('an admin creates an account, enrols its second factor and deactivates it', async ({ browser }, testInfo) => {
  const admin = running.demo.info.admin!;
  const page = await (await browser.newContext()).newPage();
  await running.host.attach(page);
  await page.goto(running.host.url);
  await signIn(page, admin, await freshTotp(admin.totpSecret!));
  await page.getByRole('button', { name: 'Accounts' }).click();
  await expect(page.getByRole('heading', { name: 'Accounts' })).toBeVisible();

  await page.getByRole('button', { name: 'New account' }).click();
  const form = page.getByRole('dialog', { name: 'New account' });
  await form.getByLabel('Username').fill('dr.lee');
  await form.getByLabel('Name shown in sessions').fill('Dr. Jordan Lee');
  await form.getByLabel(/First password/).fill('password1234');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByRole('alert')).toContainText(/common/i);
  await expectAccessible(page, testInfo, 'console-new-account');
  await form.getByLabel(/First password/).fill('lantern-orchard-41-quietly');
  await form.getByRole('button', { name: 'Create account' }).click();
  const row = page.getByTestId('account-dr.lee');
  await expect(row).toContainText('Not enrolled');

  await page.getByRole('button', { name: 'Enrol 2FA for dr.lee' }).click();
  const totp = page.getByRole('dialog', { name: 'Second factor for Dr. Jordan Lee' });
  await expect(totp.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expect(totp.getByTestId('totp-secret')).toHaveText(/^[A-Z2-7]{32}$/);
  await snapshot(page, testInfo, 'console-totp-enrolment');
  await expectAccessible(page, testInfo, 'console-totp-enrolment');
  await totp.getByRole('button', { name: 'Done' }).click();
  await expect(row).toContainText('Enrolled');

  // The other account dialogs, each scanned open and closed again with Escape.
  await page.getByRole('button', { name: 'Edit dr.lee' }).click();
  await expect(page.getByRole('dialog', { name: 'Edit Dr. Jordan Lee' })).toBeVisible();
  await expectAccessible(page, testInfo, 'console-edit-account');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Reset password for dr.lee' }).click();
  await expect(page.getByRole('dialog', { name: 'Reset password for Dr. Jordan Lee' })).toBeVisible();
  await expectAccessible(page, testInfo, 'console-reset-password');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.getByRole('button', { name: 'Deactivate dr.lee' }).click();
  await expect(row).toContainText('Deactivated');
  await snapshot(page, testInfo, 'console-accounts');
  await expectAccessible(page, testInfo, 'console-accounts');
  await expectConsoleFits(page, testInfo, 'accounts');

  // The facilitator's account as if compromised. From its own workstation (main's client, as
  // the console uses it) it read today's roster and invited IOP-2001.
  const { facilitator, sessionId, httpUrl } = running.demo.info;
  const workstation = new ServerSession(fetch, newDeviceId());
  await workstation.signIn({ serverUrl: httpUrl, username: facilitator.username, password: facilitator.password, totp: await freshTotp(facilitator.totpSecret!) });
  await workstation.api('GET', `/api/sessions/${sessionId}/roster`, undefined, Roster);
  await workstation.api('POST', `/api/sessions/${sessionId}/invitations`, { participantRef: 'IOP-2001' }, IssuedInvitation);
  await page.getByRole('button', { name: `Breach report for ${facilitator.username}` }).click();
  const breach = page.getByRole('dialog', { name: /^Breach report:/ });
  await breach.getByRole('button', { name: 'Make report' }).click();
  const report = breach.getByTestId('breach-report');
  await expect(report.getByTestId('breach-clients')).toContainText('IOP-2001');
  await expect(report.getByTestId('breach-clients')).toContainText('invitation.created');
  await expect(report.getByTestId('breach-sessions')).toContainText('Tuesday evening IOP group');
  await expect(report).toContainText('1 roster read');
  const workstations = report.getByTestId('breach-devices').getByRole('button').filter({ hasNotText: 'Whole account' });
  await expect(workstations.first()).toBeVisible();
  await workstations.first().click();
  await expect(report).toContainText(/the workstation [A-Za-z0-9_-]{16,}/);
  await expect(report.getByTestId('breach-clients')).toContainText('IOP-2001');
  await snapshot(page, testInfo, 'console-breach-report');
  await expectAccessible(page, testInfo, 'console-breach-report');
  await breach.getByRole('button', { name: 'Export CSV' }).click();
  await expect(breach.getByText(/^Saved as /)).toBeVisible();
  const saved = running.host.savedFiles.at(-1)!;
  expect(saved.suggestedName).toMatch(/^breach-report-\d{4}-\d{2}-\d{2}-[A-Za-z0-9_-]+\.csv$/);
  expect(readFileSync(saved.path, 'utf8')).toContain('IOP-2001');
});
