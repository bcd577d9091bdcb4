/**
 * What a person does on each page, as reusable steps for end-to-end tests and benchmarks.
 */
import { mkdirSync } from 'node:fs';
import { expect, type Browser, type Page, type TestInfo } from './e2eTest';
import type { DemoInfo } from '../../src/shared/protocol';
import type { ConsoleHost } from './consoleHost';
import { freshTotp } from './totpCodes';
import { mediaDiagnostics, recordPeerConnections } from './mediaDiagnostics';

type Invitation = DemoInfo['invitations'][number];

/**
 * A clinician opens the console and signs in with a fresh authenticator code, landing on this
 * week's sessions; with `serverUrl`, the sign-in screen is first seen to offer that server.
 */
export async function clinicianSignsIn(
  page: Page,
  host: ConsoleHost,
  who: { username: string; password: string; totpSecret?: string | undefined },
  serverUrl?: string,
): Promise<void> {
  if (!who.totpSecret) throw new Error(`${who.username} has no authenticator secret to sign in with`);
  await page.goto(host.url);
  if (serverUrl !== undefined) await expect(page.getByLabel('Server address')).toHaveValue(serverUrl);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Authenticator code').fill(await freshTotp(who.totpSecret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'This week' })).toBeVisible();
}

/** From this week's sessions, the signed-in facilitator opens the first one, at its waiting room. */
export async function opensFirstSession(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Open / }).first().click();
  await expect(page.getByRole('heading', { name: /Waiting room/ })).toBeVisible();
}

/** The facilitator signs in to the console and opens the demo's session. */
export async function facilitatorOpensSession(page: Page, host: ConsoleHost, demo: DemoInfo): Promise<void> {
  await clinicianSignsIn(page, host, demo.facilitator, demo.httpUrl);
  await opensFirstSession(page);
}

/**
 * The facilitator re-issues a client's invitation from their console (main's own handlers,
 * through the renderer's bridge, as the Invitations dialog does): the link comes back with the
 * secret in its fragment that lets the console vouch for the client's encryption key, and a
 * new passcode. The demo's own links were made by the server, so they carry no secret.
 */
export async function consoleIssuesLink(consolePage: Page, sessionId: string, invitation: { participantRef: string }): Promise<Invitation> {
  const issued = await consolePage.evaluate(
    async ({ sessionId, participantRef }) => {
      type Envelope<T> = { ok: true; data: T } | { ok: false; error: { message: string } };
      const bridge = (window as unknown as { confidant: Record<string, (r: unknown) => Promise<Envelope<unknown>>> }).confidant;
      const unwrap = <T>(r: Envelope<unknown>): T => {
        if (!r.ok) throw new Error(r.error.message);
        return r.data as T;
      };
      const list = unwrap<{ id: string; participantRef: string }[]>(await bridge['invitations:list']!({ sessionId }));
      const mine = list.find((i) => i.participantRef === participantRef);
      if (!mine) throw new Error(`no invitation for ${participantRef}`);
      return unwrap<{ url: string; token: string; passcode: string }>(await bridge['invitations:reissue']!({ invitationId: mine.id }));
    },
    { sessionId, participantRef: invitation.participantRef },
  );
  expect(issued.url).toMatch(/#k=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{11}$/);
  return { participantRef: invitation.participantRef, url: issued.url, token: issued.token, passcode: issued.passcode };
}

/** A console page and a client page, each in a browser context of its own, as two people's browsers. */
export async function consoleAndClientPages(browser: Browser) {
  const consoleContext = await browser.newContext();
  const clientContext = await browser.newContext();
  await recordPeerConnections(consoleContext);
  await recordPeerConnections(clientContext);
  const consolePage = await consoleContext.newPage();
  const clientPage = await clientContext.newPage();
  return { consoleContext, clientContext, consolePage, clientPage };
}

/** A client opens their invitation, enters the passcode and checks in to the waiting room. */
export async function clientChecksIn(
  page: Page,
  invitation: Invitation,
  name: string,
  camera = true,
  crisis?: { location: string; emergencyContact: string },
  /** Items of the privacy check to tick (by their labels), and how they are today. */
  answers: { privacy?: RegExp[]; rating?: { score: number; word?: string }; textOnly?: boolean; background?: RegExp } = {},
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
  for (const item of answers.privacy ?? []) await page.getByRole('checkbox', { name: item }).check();
  if (answers.rating) {
    await page.getByTestId('checkin-rating').getByRole('radio', { name: String(answers.rating.score), exact: true }).check();
    if (answers.rating.word) await page.getByLabel(/a word for it/i).fill(answers.rating.word);
  }
  if (answers.textOnly) {
    // No camera or microphone at all: the group chat instead (issue 20).
    await page.getByRole('button', { name: /take part by text only/i }).click();
    await expect(page.getByRole('switch')).toHaveCount(0);
  } else {
    const cameraSwitch = page.getByRole('switch', { name: /camera/i });
    if ((await cameraSwitch.getAttribute('aria-checked')) !== String(camera)) await cameraSwitch.click();
    // Blur or a plain backdrop (issue 21), chosen beside the preview.
    if (answers.background) await page.getByTestId('background-choice').getByRole('radio', { name: answers.background }).check();
  }
  await page.getByRole('button', { name: /check in/i }).click();
  await expect(page.getByRole('heading', { name: /waiting for your therapist/i })).toBeVisible();
}

/** The knock of the client called `name` in the console's waiting room. */
export function knockOf(page: Page, name: string) {
  // By the name alone: the card's other text (the privacy check, say) may contain it too.
  const exactly = new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  return page.locator('[data-testid^="waiting-"]').filter({ has: page.locator('.person-name', { hasText: exactly }) });
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

/** The id of the video track a tile renders, and how many frames it has shown so far. */
export async function videoIn(page: Page, testId: string): Promise<{ trackId: string | null; frames: number; width: number }> {
  return page
    .getByTestId(testId)
    .locator('video')
    .evaluate((v: HTMLVideoElement) => ({
      trackId: v.srcObject instanceof MediaStream ? (v.srcObject.getVideoTracks()[0]?.id ?? null) : null,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      width: v.videoWidth,
    }))
    .catch(() => ({ trackId: null, frames: 0, width: 0 }));
}

/**
 * Waits until the tile renders a different video track from `before` and its frames
 * advance; returns when that was first seen, in ms since the epoch.
 */
export async function newVideoFlowing(page: Page, testId: string, before: string | null, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    const a = await videoIn(page, testId);
    if (a.trackId && a.trackId !== before && a.width > 0) {
      await page.waitForTimeout(300);
      const b = await videoIn(page, testId);
      if (b.trackId === a.trackId && b.frames > a.frames) return Date.now();
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`${testId}: no new video within the deadline\n${await mediaDiagnostics(page)}`);
}

/** Waits until the remote audio is audible; returns when the successful listening began. */
export async function audible(page: Page, selector: string, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    const startedAt = Date.now();
    if ((await remoteAudioPeak(page, selector)) > 0.01) return startedAt;
  }
  throw new Error(`${selector}: nothing audible within the deadline`);
}

/** Runs `steps`; when they fail, the failure says what each page's media looked like then. */
export async function explainingMedia<T>(pages: Record<string, Page>, steps: () => Promise<T>): Promise<T> {
  try {
    return await steps();
  } catch (err) {
    const seen = await Promise.all(Object.entries(pages).map(async ([name, page]) => `${name}:\n${await mediaDiagnostics(page)}`));
    if (err instanceof Error) err.message += `\n${seen.join('\n')}`;
    throw err;
  }
}

/** A screenshot into test-results/screenshots, attached to the test's report too. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  const body = await page.screenshot({ path: `test-results/screenshots/${name}.png` });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}
