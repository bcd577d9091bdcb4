/**
 * A client's steps on the participant page, and the knocks a test's facilitator socket has
 * collected, for the participant specs. `info` is read when a step runs (it is set in beforeAll).
 */
import { expect, type Browser, type Page } from '@playwright/test';
import type { DemoInfo, Participant } from '../../src/shared/protocol';
import { linkWithSecret } from './testKeyHolder';

export function participantSteps(info: () => DemoInfo, knocks: Participant[], shotsDir: string) {
  function invitation(i: number) {
    const inv = info().invitations[i];
    if (!inv) throw new Error(`no invitation ${i}`);
    return inv;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: `${shotsDir}/participant-${name}.png`, fullPage: true });
  }

  async function enterPasscode(page: Page, passcode: string): Promise<void> {
    await page.getByLabel('Enter the passcode your therapist sent you').fill(passcode);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  /** From a fresh page to the waiting room with the given name. */
  async function checkIn(browser: Browser, inviteIndex: number, name: string): Promise<Page> {
    const page = await browser.newPage();
    const inv = invitation(inviteIndex);
    // As the console issues it: with the secret the test's facilitator vouches for (testKeyHolder.ts).
    await page.goto(linkWithSecret(info(), inv));
    await enterPasscode(page, inv.passcode);
    await page.getByLabel('First name or pseudonym').fill(name);
    await page.getByLabel('I agree to keep what is shared in this group confidential').check();
    await page.getByRole('button', { name: /Check in/ }).click();
    await expect(page.getByRole('heading', { name: 'Waiting for your therapist to let you in' })).toBeVisible();
    return page;
  }

  async function knockFrom(name: string): Promise<Participant> {
    await expect.poll(() => knocks.some((k) => k.displayName === name), { timeout: 10_000 }).toBe(true);
    const knock = knocks.find((k) => k.displayName === name);
    if (!knock) throw new Error(`no knock from ${name}`);
    return knock;
  }

  return { invitation, shot, enterPasscode, checkIn, knockFrom };
}
