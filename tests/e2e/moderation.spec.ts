/**
 * Moderation from the console, end to end: the real renderer (test host with main's
 * handlers) moderates clients in real participant pages through the real server and SFU.
 */
import { expect, test, type Browser, type Page } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { expectAccessible } from '../support/axe';
import { expectConsoleFits } from '../support/consoleFit';
import { clientChecksIn, consoleIssuesLink, facilitatorOpensSession, knockOf, remoteAudioPeak, snapshot } from '../support/flows';

const running = consoleWithDemoServer('test');

/**
 * The console signed in with the session open, and one admitted client called `name`: with a
 * link this console issued (its secret vouches for the client's key), or with the demo's own
 * link, which carries none (`plainLink`: the safety code must be read before they are keyed).
 */
async function groupWithClient(
  browser: Browser,
  name: string,
  crisis?: { location: string; emergencyContact: string },
  plainLink = false,
) {
  const consolePage = await (await browser.newContext()).newPage();
  await running.host.attach(consolePage);
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  const clientPage = await (await browser.newContext()).newPage();
  const demoLink = running.demo.info.invitations[0]!;
  const link = plainLink ? demoLink : await consoleIssuesLink(consolePage, running.demo.info.sessionId, demoLink);
  await clientChecksIn(clientPage, link, name, true, crisis);
  await knockOf(consolePage, name).getByRole('button', { name: `Admit ${name}` }).click();
  const person = consolePage.locator('[data-testid^="person-"]').filter({ hasText: name });
  await expect(person).toBeVisible();
  return { consolePage, clientPage, person, link };
}

async function choose(consolePage: Page, name: string, item: string | RegExp): Promise<void> {
  await consolePage.getByRole('button', { name: `Actions for ${name}` }).click();
  await consolePage.getByRole('menuitem', { name: item }).click();
}

test('a knock chimes and raises a desktop notification that names no one, and shows the privacy check and check-in rating beside it', async ({ browser }, testInfo) => {
  const consolePage = await (await browser.newContext()).newPage();
  await running.host.attach(consolePage);
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  const clientPage = await (await browser.newContext()).newPage();
  // Two of the four ticked: the check never holds anyone back. And a low day, said privately.
  await clientChecksIn(clientPage, running.demo.info.invitations[0]!, 'Morgan', true, undefined, {
    privacy: [/private space/i, /headphones/i],
    rating: { score: 3, word: 'tired' },
  });
  const knock = knockOf(consolePage, 'Morgan');
  await expect(knock).toBeVisible();
  await expect.poll(() => running.host.notifications).toEqual([{ title: 'Confidant', body: 'Someone is waiting to be let in.' }]);
  await expect(knock.locator('[data-testid^="privacy-"]')).toHaveText('Privacy check: 2 of 4 ticked · not ticked: notifications off, nobody else in view');
  const rating = knock.locator('[data-testid^="rating-"]');
  await expect(rating).toHaveText('Today: 3/10 · “tired”');
  await expect(rating).toHaveClass(/low/);
  await snapshot(consolePage, testInfo, 'console-knock-privacy-check');
  await expectAccessible(consolePage, testInfo, 'console-knock-privacy-check');
});

test('mute: the console hears silence and the client cannot unmute until asked', async ({ browser }, testInfo) => {
  const { consolePage, clientPage, person } = await groupWithClient(browser, 'Robin');
  await expect.poll(() => remoteAudioPeak(consolePage, 'audio[data-testid="remote-audio"]'), { timeout: 20_000 }).toBeGreaterThan(0.01);

  await consolePage.getByRole('button', { name: 'Actions for Robin' }).click();
  await snapshot(consolePage, testInfo, 'console-person-menu');
  await expectAccessible(consolePage, testInfo, 'console-person-menu');
  await consolePage.getByRole('menuitem', { name: 'Mute microphone' }).click();
  await expect(person).toContainText('Mic muted by you');
  await expect.poll(() => remoteAudioPeak(consolePage, 'audio[data-testid="remote-audio"]'), { timeout: 10_000 }).toBeLessThan(0.001);

  // The client's own unmute is refused by the server while the facilitator's mute holds.
  await expect(clientPage.getByText(/muted your microphone/i).first()).toBeVisible();
  await clientPage.getByRole('button', { name: /unmute|microphone/i }).first().click();
  await expect.poll(() => remoteAudioPeak(consolePage, 'audio[data-testid="remote-audio"]')).toBeLessThan(0.001);

  // Asked to unmute, the client chooses to, and the group hears them again.
  await choose(consolePage, 'Robin', 'Ask to unmute microphone');
  await clientPage.getByRole('button', { name: /^unmute$/i }).click();
  await expect.poll(() => remoteAudioPeak(consolePage, 'audio[data-testid="remote-audio"]'), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await expect(person).toContainText('Mic on');
  await snapshot(consolePage, testInfo, 'console-participant-list');
  await expectAccessible(consolePage, testInfo, 'console-participant-list');
  await expectConsoleFits(consolePage, testInfo, 'call');
});

test('remove: the client sees it and the same link no longer lets them in', async ({ browser }, testInfo) => {
  const { consolePage, clientPage, person, link } = await groupWithClient(browser, 'Sam');
  await choose(consolePage, 'Sam', 'Remove from session…');
  const dialog = consolePage.getByRole('dialog', { name: 'Remove Sam?' });
  await expect(dialog.getByRole('button', { name: 'Remove from session' })).toBeDisabled();
  await dialog.getByLabel('Reason').fill('Not the invited client');
  await snapshot(consolePage, testInfo, 'console-remove-dialog');
  await expectAccessible(consolePage, testInfo, 'console-remove-dialog');
  await dialog.getByRole('button', { name: 'Remove from session' }).click();
  await expect(person).toHaveCount(0);
  await expect(clientPage.getByRole('heading', { name: /removed/i })).toBeVisible();

  await clientPage.goto(link.url);
  await clientPage.getByLabel(/passcode/i).fill(link.passcode);
  await clientPage.getByRole('button', { name: /continue/i }).click();
  await expect(clientPage.getByText(/no longer active/i).first()).toBeVisible();
});

test('lock: the room shows it at a glance and a new client is told the session is locked', async ({ browser }, testInfo) => {
  const { consolePage } = await groupWithClient(browser, 'Alex');
  await expect(consolePage.getByTestId('lock-state')).toHaveText(/Room open/);
  await consolePage.keyboard.press('Control+Shift+L');
  await expect(consolePage.getByTestId('lock-state')).toHaveText(/Room locked/);
  await expect(consolePage.getByRole('button', { name: 'Unlock room' })).toHaveAttribute('aria-pressed', 'true');
  await snapshot(consolePage, testInfo, 'console-locked');
  await expectAccessible(consolePage, testInfo, 'console-locked');

  const late = await (await browser.newContext()).newPage();
  const invitation = running.demo.info.invitations[1]!;
  await late.goto(invitation.url);
  await late.getByLabel(/passcode/i).fill(invitation.passcode);
  await late.getByRole('button', { name: /continue/i }).click();
  await expect(late.getByText(/locked/i).first()).toBeVisible();

  await consolePage.getByRole('button', { name: 'Unlock room' }).click();
  await expect(consolePage.getByTestId('lock-state')).toHaveText(/Room open/);
});

test('verify, message privately, crisis information and end the session from the console', async ({ browser }, testInfo) => {
  // A link from before end-to-end encryption (the demo's own): nothing vouches for Jamie's key.
  const { consolePage, clientPage, person } = await groupWithClient(
    browser,
    'Jamie',
    { location: 'At home, Maple Street', emergencyContact: 'Pat (sister), 555-0142' },
    true,
  );

  await choose(consolePage, 'Jamie', 'Verified by photo ID');
  await expect(person.getByText('Verified')).toBeVisible();

  // So the facilitator and Jamie read the safety code to each other; the same on both screens.
  const keyBadge = person.locator('[data-testid^="key-"]');
  await expect(keyBadge).toHaveText('Check safety code');
  await expect(clientPage.getByTestId('encryption')).toHaveAttribute('data-state', 'waiting');
  await keyBadge.click();
  const dialog = consolePage.getByRole('dialog', { name: 'Safety code with Jamie' });
  const code = (await dialog.getByTestId('safety-code').textContent())!;
  expect(code).toMatch(/^\d{3} \d{3}$/);
  await snapshot(consolePage, testInfo, 'console-safety-code');
  await expectAccessible(consolePage, testInfo, 'console-safety-code');
  await dialog.getByRole('button', { name: 'Codes match' }).click();
  // Keyed now, Jamie's page asks them to check the same code before taking the key.
  await expect(clientPage.getByTestId('safety-code')).toContainText(code);
  await snapshot(clientPage, testInfo, 'participant-safety-code');
  await expectAccessible(clientPage, testInfo, 'participant-safety-code');
  await clientPage.getByRole('button', { name: 'It matches' }).click();
  await expect(clientPage.getByTestId('encryption')).toHaveAttribute('data-state', 'on');
  await expect(keyBadge).toHaveText('Encrypted');

  await person.getByRole('button', { name: /^Message Jamie/ }).click();
  const draft = consolePage.getByLabel('Message to Jamie');
  await draft.fill('Checking in — are you somewhere private?');
  await draft.press('Enter');
  await expect(clientPage.getByText('Checking in — are you somewhere private?').first()).toBeVisible();
  await snapshot(consolePage, testInfo, 'console-messages');
  await expectAccessible(consolePage, testInfo, 'console-messages');

  await choose(consolePage, 'Jamie', 'Crisis information…');
  const crisis = consolePage.getByRole('dialog', { name: 'Crisis information for Jamie' });
  await expect(crisis).toContainText('Viewing it is recorded');
  await expectAccessible(consolePage, testInfo, 'console-crisis-dialog');
  await crisis.getByRole('button', { name: 'Show crisis information' }).click();
  await expect(crisis).toContainText('At home, Maple Street');
  await expect(crisis).toContainText('Pat (sister), 555-0142');
  await expectAccessible(consolePage, testInfo, 'console-crisis-dialog-shown');
  await crisis.getByRole('button', { name: 'Close' }).click();

  await consolePage.getByRole('button', { name: 'End session' }).click();
  const confirm = consolePage.getByRole('dialog', { name: 'End the session for everyone?' });
  await expectAccessible(consolePage, testInfo, 'console-end-dialog');
  await confirm.getByRole('button', { name: 'End session' }).click();
  await expect(consolePage.getByText(/You ended the session|The session has ended/)).toBeVisible();
  await expectAccessible(consolePage, testInfo, 'console-session-ended');
  await expect(clientPage.getByRole('heading', { name: /ended/i })).toBeVisible();
});
