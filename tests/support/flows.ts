/**
 * What a person does on each page, as reusable steps for end-to-end tests and benchmarks.
 */
import { mkdirSync } from 'node:fs';
import { expect, type Page, type TestInfo } from '@playwright/test';
import type { DemoInfo } from '../../src/shared/protocol';
import type { ConsoleHost } from './consoleHost';
import { freshTotp } from './totpCodes';

type Invitation = DemoInfo['invitations'][number];

/** The facilitator signs in to the console and opens the demo's session. */
export async function facilitatorOpensSession(page: Page, host: ConsoleHost, demo: DemoInfo): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByLabel('Server address')).toHaveValue(demo.httpUrl);
  await page.getByLabel('Username').fill(demo.facilitator.username);
  await page.getByLabel('Password').fill(demo.facilitator.password);
  await page.getByLabel('Authenticator code').fill(await freshTotp(demo.facilitator.totpSecret!));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'This week' })).toBeVisible();
  await page.getByRole('button', { name: /^Open / }).first().click();
  await expect(page.getByRole('heading', { name: /Waiting room/ })).toBeVisible();
}

/** A client opens their invitation, enters the passcode and checks in to the waiting room. */
export async function clientChecksIn(
  page: Page,
  invitation: Invitation,
  name: string,
  camera = true,
  crisis?: { location: string; emergencyContact: string },
): Promise<void> {
  await page.goto(invitation.url);
  await page.getByLabel(/passcode/i).fill(invitation.passcode);
  await page.getByRole('button', { name: /continue/i }).click();
  await page.getByLabel(/first name or pseudonym/i).fill(name);
  await page.getByRole('checkbox', { name: /confidential/i }).check();
  if (crisis) {
    await page.getByLabel(/where are you right now/i).fill(crisis.location);
    await page.getByLabel(/emergency contact/i).fill(crisis.emergencyContact);
  }
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

/**
 * Peak level of the remote audio the page is playing, read with an AnalyserNode over
 * ~1.5 s. Chromium's fake microphone beeps, so a live remote track is audibly non-silent.
 */
export async function remoteAudioPeak(page: Page, selector: string): Promise<number> {
  return page.evaluate(async (sel) => {
    const tracks = [...document.querySelectorAll<HTMLAudioElement>(sel)]
      .map((el) => el.srcObject)
      .filter((s): s is MediaStream => s instanceof MediaStream)
      .flatMap((s) => s.getAudioTracks());
    if (tracks.length === 0) return 0;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaStreamSource(new MediaStream(tracks)).connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    let peak = 0;
    const until = performance.now() + 1500;
    while (performance.now() < until) {
      analyser.getFloatTimeDomainData(buf);
      for (const x of buf) peak = Math.max(peak, Math.abs(x));
      await new Promise((r) => setTimeout(r, 50));
    }
    await ctx.close();
    return peak;
  }, selector);
}

/** A screenshot into test-results/screenshots, attached to the test's report too. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  const body = await page.screenshot({ path: `test-results/screenshots/${name}.png` });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}
