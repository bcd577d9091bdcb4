/**
 * The group chat and taking part by text only (issue 20), end to end: the real console
 * renderer (test host with main's handlers) and two clients in real participant pages, through
 * the real server and SFU. One client checks in by text only (no camera, no microphone); the
 * other with a camera. What each writes reaches everyone else, sealed under the group key; the
 * facilitator writes too, clears the chat and turns it off and on; the text-only client is
 * moderated like anyone else (no mutes to offer, sent back to the waiting room, where nothing
 * of the chat stays).
 */
import { expect, test, type Page } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { clientChecksIn, consoleIssuesLink, facilitatorOpensSession, knockOf, snapshot } from '../support/flows';
import { expectAccessible } from '../support/axe';
import { expectAnnounced, recordAnnouncements } from '../support/participantSteps';

const running = consoleWithDemoServer('test');

const chatOf = (page: Page) => page.getByTestId('group-chat-panel');
const consoleChat = (page: Page) => page.getByTestId('group-chat');

test('a client takes part by text only: the group and the console read them, and the facilitator moderates the chat', async ({ browser }, testInfo) => {
  const consolePage = await (await browser.newContext()).newPage();
  await running.host.attach(consolePage);
  const { info } = running.demo;
  await facilitatorOpensSession(consolePage, running.host, info);
  const [samLink, robinLink] = [
    await consoleIssuesLink(consolePage, info.sessionId, info.invitations[0]!),
    await consoleIssuesLink(consolePage, info.sessionId, info.invitations[1]!),
  ];
  const sam = await (await browser.newContext()).newPage();
  const robin = await (await browser.newContext()).newPage();
  for (const page of [sam, robin]) await recordAnnouncements(page);
  await clientChecksIn(sam, samLink, 'Sam', false, undefined, { textOnly: true });
  await clientChecksIn(robin, robinLink, 'Robin', true);

  // The facilitator sees beside the knock that Sam takes part by text.
  await expect(knockOf(consolePage, 'Sam').getByText('Text only')).toBeVisible();
  for (const name of ['Sam', 'Robin']) await knockOf(consolePage, name).getByRole('button', { name: `Admit ${name}` }).click();
  const samRow = consolePage.locator('[data-testid^="person-"]').filter({ hasText: 'Sam' });
  await expect(samRow.getByText('Text only')).toBeVisible();
  await expect(samRow.locator('[data-testid^="key-"]')).toHaveText(/encrypted|keyed|proved/i, { timeout: 15_000 });

  // Sam's link opened on a second device while Sam is in: refused, and said so plainly.
  const second = await (await browser.newContext()).newPage();
  await second.goto(samLink.url);
  await second.getByLabel(/passcode/i).fill(samLink.passcode);
  await second.getByRole('button', { name: /continue/i }).click();
  await expect(second.getByRole('heading', { name: 'This invitation is already in use on another device' })).toBeVisible();
  await expectAccessible(second, testInfo, 'participant-ended-conflict');
  await second.context().close();

  // Sam's page: no camera or microphone controls, the group chat open, the call encrypted.
  await expect(sam.getByTestId('text-only')).toBeVisible();
  await expect(sam.getByRole('button', { name: /microphone/i })).toHaveCount(0);
  await expect(sam.getByTestId('encryption')).toHaveAttribute('data-state', 'on', { timeout: 15_000 });
  await expect(chatOf(sam)).toBeVisible();
  await expect(robin.getByTestId('encryption')).toHaveAttribute('data-state', 'on', { timeout: 15_000 });
  await expect(robin.getByTestId(`tile-${await participantIdOf(consolePage, 'Sam')}`).getByText('Taking part by text')).toBeVisible();

  // Sam writes; Robin (chat closed) sees it counted, then reads it; the console has it open.
  await chatOf(sam).getByLabel('Your message').fill('I can’t talk today, but I’m listening');
  await chatOf(sam).getByLabel('Your message').press('Enter');
  await expect(chatOf(sam).getByRole('log')).toContainText('I can’t talk today, but I’m listening');
  await expect(robin.getByTestId('group-chat-unread')).toHaveText('1');
  // Robin's chat is closed: the status region says who wrote, never what.
  await expectAnnounced(robin, /^New message in the group chat from Sam\.$/);
  await expectAccessible(robin, testInfo, 'participant-call-group-chat-unread');
  await robin.getByTestId('group-chat-toggle').click();
  await expect(chatOf(robin).getByRole('log')).toContainText('Sam: I can’t talk today, but I’m listening');
  await expect(consoleChat(consolePage).getByRole('log')).toContainText('Sam: I can’t talk today, but I’m listening');

  // The facilitator answers the group; both clients see it as their therapist's.
  await consoleChat(consolePage).getByLabel('Message to the group').fill('Thank you, Sam. Write whenever you like.');
  await consoleChat(consolePage).getByRole('button', { name: 'Send' }).click();
  for (const page of [sam, robin]) {
    const last = chatOf(page).getByRole('listitem').last();
    await expect(last).toContainText('Thank you, Sam. Write whenever you like.');
    await expect(last.getByText('Therapist')).toBeVisible();
  }
  await snapshot(sam, testInfo, 'participant-text-only-group-chat');
  await expectAccessible(sam, testInfo, 'participant-text-only-group-chat');
  await snapshot(consolePage, testInfo, 'console-group-chat');
  await expectAccessible(consolePage, testInfo, 'console-group-chat');

  // Cleared for everyone, then off: the pages say so and nobody can write; then on again.
  await consoleChat(consolePage).getByRole('button', { name: 'Clear for everyone' }).click();
  for (const page of [sam, robin]) await expect(chatOf(page).getByRole('listitem')).toHaveCount(0);
  await consoleChat(consolePage).getByRole('button', { name: 'Turn off for everyone' }).click();
  await expect(chatOf(sam).getByTestId('chat-off')).toHaveText(/turned the group chat off/);
  await expect(chatOf(sam).getByLabel('Your message')).toHaveCount(0);
  await expectAnnounced(sam, /^Your therapist turned the group chat off\.$/);
  await expectAccessible(sam, testInfo, 'participant-group-chat-off');
  await consoleChat(consolePage).getByRole('button', { name: 'Turn on for everyone' }).click();
  await expect(chatOf(sam).getByLabel('Your message')).toBeVisible();

  // The same moderation as anyone's, less the mutes: back to the waiting room, and nothing of
  // the chat stays with them there.
  await consolePage.getByRole('button', { name: 'Actions for Sam' }).click();
  await expect(consolePage.getByRole('menuitem', { name: /mute microphone/i })).toHaveCount(0);
  await consolePage.getByRole('menuitem', { name: 'Return to waiting room' }).click();
  await expect(sam.getByRole('heading', { name: /waiting for your therapist/i })).toBeVisible();
  await expectAnnounced(sam, /^Your therapist moved you back to the waiting room\./);
  await expectAccessible(sam, testInfo, 'participant-text-only-waiting-returned');
  await expect(knockOf(consolePage, 'Sam').getByText('Text only')).toBeVisible();
  await knockOf(consolePage, 'Sam').getByRole('button', { name: 'Admit Sam' }).click();
  await expect(sam.getByTestId('text-only')).toBeVisible();
  await expectAnnounced(sam, /^Your therapist let you back in\./);
  await sam.getByTestId('group-chat-toggle').click();
  await expect(chatOf(sam).getByRole('listitem')).toHaveCount(0);
});

/** The participantId behind a name in the console's participant list. */
async function participantIdOf(consolePage: Page, name: string): Promise<string> {
  const testId = await consolePage.locator('[data-testid^="person-"]').filter({ hasText: name }).getAttribute('data-testid');
  return testId!.replace(/^person-/, '');
}
