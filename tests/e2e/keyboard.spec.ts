/**
 * A facilitator who uses the keyboard only (issue 24): signs in, opens the session, admits from
 * the waiting room, verifies, mutes, messages, returns the client to the waiting room, removes
 * them with a reason, locks the room and ends the session, without a pointer. Focus moves into
 * each dialog and menu and back to where it came from. The client is a real participant page
 * (its person may use a pointer; it is the facilitator's walk that is tested).
 */
import { expect, test, type Locator, type Page } from '../support/e2eTest';
import { consoleWithDemoServer } from '../support/consoleHost';
import { clientChecksIn, consoleIssuesLink } from '../support/flows';
import { freshTotp } from '../support/totpCodes';

const running = consoleWithDemoServer('test');

/** Tabs forward until `target` has focus, as a keyboard user would; fails if it never does. */
async function tabTo(page: Page, target: Locator, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

/** Opens a person's actions menu from the keyboard and chooses `item` with the arrow keys. */
async function chooseByKeyboard(page: Page, name: string, item: string | RegExp): Promise<void> {
  const button = page.getByRole('button', { name: `Actions for ${name}` });
  await tabTo(page, button);
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: `Actions for ${name}` });
  await expect(menu).toBeVisible();
  const wanted = menu.getByRole('menuitem', { name: item });
  // Focus went into the menu, on its first item that can be chosen; the arrows walk it.
  await expect(menu.locator('[role="menuitem"]:not([disabled])').first()).toBeFocused();
  for (let i = 0; i < 20 && !(await wanted.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
  await expect(wanted).toBeFocused();
  await page.keyboard.press('Enter');
}

test('a facilitator runs the whole session from the keyboard alone', async ({ browser }) => {
  const { info } = running.demo;
  const page = await (await browser.newContext()).newPage();
  await running.host.attach(page);
  await page.goto(running.host.url);

  // Sign in.
  await tabTo(page, page.getByLabel('Username'));
  await page.keyboard.type(info.facilitator.username);
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type(info.facilitator.password);
  await tabTo(page, page.getByLabel('Authenticator code'));
  await page.keyboard.type(await freshTotp(info.facilitator.totpSecret!));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'This week' })).toBeVisible();

  // Open the session.
  await tabTo(page, page.getByRole('button', { name: /^Open session/ }).first());
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /Waiting room/ })).toBeVisible();

  // A client knocks (with a link this console issued, so their key is vouched for).
  const link = await consoleIssuesLink(page, info.sessionId, info.invitations[0]!);
  const client = await (await browser.newContext()).newPage();
  await clientChecksIn(client, link, 'Robin', false);
  // What a sighted facilitator sees, a screen reader hears (the console's polite live region).
  const heard = page.getByTestId('announcer');
  await expect(heard).toHaveText('Robin is waiting to be let in.');

  // Admit.
  await tabTo(page, page.getByRole('button', { name: 'Admit Robin' }));
  await page.keyboard.press('Enter');
  const person = page.locator('[data-testid^="person-"]').filter({ hasText: 'Robin' });
  await expect(person).toBeVisible();
  await expect(heard).toHaveText('Robin was let in.');
  await expect(client.getByRole('toolbar', { name: 'Call controls' })).toBeVisible();
  // A private message from Robin is announced by who wrote, never by what it says.
  await client.getByTestId('chat-toggle').click();
  await expect(client.getByTestId('encryption')).toHaveAttribute('data-state', 'on', { timeout: 15_000 });
  await client.getByLabel('Your message').fill('I need to step out at 7');
  await client.getByLabel('Your message').press('Enter');
  await expect(heard).toHaveText('New private message from Robin.');

  // Verify: the menu closes and focus is back on its button.
  await chooseByKeyboard(page, 'Robin', 'Verified by photo ID');
  await expect(person.getByText('Verified')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Actions for Robin' })).toBeFocused();

  // Mute.
  await chooseByKeyboard(page, 'Robin', 'Mute microphone');
  await expect(client.getByText(/muted your microphone/i).first()).toBeVisible();

  // A private message: focus goes to the box, Enter sends, and the panel closes from the keyboard.
  await tabTo(page, person.getByRole('button', { name: /^Message Robin/ }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Message to Robin')).toBeFocused();
  await page.keyboard.type('Are you somewhere private?');
  await page.keyboard.press('Enter');
  await expect(client.getByText('Are you somewhere private?').first()).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Close private messages' }));
  await page.keyboard.press('Enter');

  // Back to the waiting room, and admitted again.
  await chooseByKeyboard(page, 'Robin', 'Return to waiting room');
  await expect(client.getByRole('heading', { name: /waiting for your therapist/i })).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Admit Robin' }));
  await page.keyboard.press('Enter');
  await expect(person).toBeVisible();

  // Remove with a reason: a dialog takes focus; Escape cancels it and gives focus back to the
  // menu's button; the second time the reason is typed and the removal confirmed.
  await chooseByKeyboard(page, 'Robin', 'Remove from session…');
  const dialog = page.getByRole('dialog', { name: 'Remove Robin?' });
  await expect(dialog.getByLabel('Reason')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Actions for Robin' })).toBeFocused();
  await chooseByKeyboard(page, 'Robin', 'Remove from session…');
  await expect(dialog.getByLabel('Reason')).toBeFocused();
  await page.keyboard.type('Shared another client’s name outside the group');
  await tabTo(page, dialog.getByRole('button', { name: 'Remove from session' }));
  await page.keyboard.press('Enter');
  await expect(client.getByRole('heading', { name: /removed/i })).toBeVisible();
  await expect(person).toHaveCount(0);

  // Someone who asked for less motion gets none: nothing on the live screen animates or moves.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const moving = await page.evaluate(() =>
    [...document.querySelectorAll('*')]
      .map((el) => ({ el, style: getComputedStyle(el) }))
      .filter(({ style }) => style.animationName !== 'none' || style.transitionDuration.split(',').some((d) => parseFloat(d) > 0))
      .map(({ el }) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
  );
  expect(moving).toEqual([]);

  // Lock, then end: the confirmation takes focus, and Enter on its button ends the session.
  await tabTo(page, page.getByRole('button', { name: 'Lock room' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('lock-state')).toHaveText(/Room locked/);
  await expect(heard).toHaveText('Room locked. Nobody new can join.');
  await tabTo(page, page.getByRole('button', { name: 'End session' }));
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'End the session for everyone?' });
  await expect(confirm).toBeVisible();
  await expect(confirm.locator(':focus')).toHaveCount(1);
  await tabTo(page, confirm.getByRole('button', { name: 'End session' }));
  await page.keyboard.press('Enter');
  await expect(page.getByText(/You ended the session|The session has ended/)).toBeVisible();
});
