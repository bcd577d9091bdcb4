/**
 * What a person does on each page, as reusable steps for end-to-end tests and benchmarks.
 */
import { expect, type Page } from '@playwright/test';
import type { DemoInfo } from '../../src/shared/protocol';
import type { ConsoleHost } from './consoleHost';

type Invitation = DemoInfo['invitations'][number];

/** The facilitator signs in to the console and opens the demo's session. */
export async function facilitatorOpensSession(page: Page, host: ConsoleHost, demo: DemoInfo): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByLabel('Server address')).toHaveValue(demo.httpUrl);
  await page.getByLabel('Username').fill(demo.facilitator.username);
  await page.getByLabel('Password').fill(demo.facilitator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: "Today's sessions" })).toBeVisible();
  await page.getByRole('button', { name: /^Open / }).first().click();
  await expect(page.getByRole('heading', { name: /Waiting room/ })).toBeVisible();
}

/** A client opens their invitation, enters the passcode and checks in to the waiting room. */
export async function clientChecksIn(page: Page, invitation: Invitation, name: string, camera = true): Promise<void> {
  await page.goto(invitation.url);
  await page.getByLabel(/passcode/i).fill(invitation.passcode);
  await page.getByRole('button', { name: /continue/i }).click();
  await page.getByLabel(/first name or pseudonym/i).fill(name);
  await page.getByRole('checkbox', { name: /confidential/i }).check();
  const cameraSwitch = page.getByRole('switch', { name: /camera/i });
  if ((await cameraSwitch.getAttribute('aria-checked')) !== String(camera)) await cameraSwitch.click();
  await page.getByRole('button', { name: /check in/i }).click();
  await expect(page.getByRole('heading', { name: /waiting for your therapist/i })).toBeVisible();
}

/** The knock of the client called `name` in the console's waiting room. */
export function knockOf(page: Page, name: string) {
  return page.locator('[data-testid^="waiting-"]').filter({ hasText: name });
}

/** Width of the video a tile is rendering (0 until frames arrive). */
export async function videoWidthIn(page: Page, testId: string): Promise<number> {
  return page
    .getByTestId(testId)
    .locator('video')
    .evaluate((v: HTMLVideoElement) => v.videoWidth)
    .catch(() => 0);
}
