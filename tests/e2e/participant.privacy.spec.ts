/**
 * What the participant page leaves behind and what it may load: the invitation token leaves
 * the address bar and the tab's history as soon as the page has loaded (a reload of the tab
 * still reaches the same invitation, a fresh tab is told to open the link again), and the
 * page's strict CSP (no inline styles, no form submission) is never violated from the
 * passcode screen to the group call.
 *
 * Real Chromium with a fake camera, the real server in demo mode with a real mediasoup
 * worker, a facilitator over the real WebSocket protocol. Needs the built page
 * (`npx vite build -c vite.participant.config.ts`).
 */
import { mkdirSync } from 'node:fs';
import { test, expect, type Page } from '../support/e2eTest';
import { startDemo, type RunningDemo } from '../../src/server/demo';
import { type DemoInfo, type Participant } from '../../src/shared/protocol';
import { SignalingClient } from '../../src/client/signaling';
import { facilitatorSocket } from '../support/facilitatorSocket';
import { participantSteps } from '../support/participantSteps';
import { expectAccessible } from '../support/axe';

const SHOTS = 'test-results/screenshots';

let demo: RunningDemo;
let info: DemoInfo;
let facilitator: SignalingClient;
const knocks: Participant[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startDemo({ invitations: 3, workers: 1 });
  info = demo.info;
  ({ signaling: facilitator } = await facilitatorSocket(info, (f) => f.on('knock', ({ participant }) => knocks.push(participant))));
});

test.afterAll(async () => {
  facilitator?.close();
  await demo?.close();
});

const { invitation, shot, enterPasscode, knockFrom } = participantSteps(() => info, knocks, SHOTS);

/** Every URL in the tab's back/forward list, as the browser keeps it. */
async function historyUrls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { entries } = await cdp.send('Page.getNavigationHistory');
  await cdp.detach();
  return entries.map((e) => e.url);
}

/** Collects CSP violations as the page reports them (and as the console logs them). */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const logged: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) logged.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`));
  });
  return async () => [...logged, ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations))];
}

test('the token leaves the address bar and history; a reload reaches the same invitation', async ({ page }) => {
  const inv = invitation(0);
  await page.goto(inv.url);
  await expect(page.getByRole('heading', { name: 'Welcome to your group session' })).toBeVisible();

  const origin = new URL(info.httpUrl).origin;
  expect(page.url()).toBe(`${origin}/join`);
  const urls = await historyUrls(page);
  expect(urls.length).toBeGreaterThan(0);
  for (const url of urls) expect(url).not.toContain(inv.token);
  expect(await page.evaluate(() => location.href)).not.toContain(inv.token);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome to your group session' })).toBeVisible();
  expect(page.url()).toBe(`${origin}/join`);
  // The same invitation: its own passcode opens it.
  await enterPasscode(page, inv.passcode);
  await expect(page.getByRole('heading', { name: 'Get ready to join the group' })).toBeVisible();
  for (const url of await historyUrls(page)) expect(url).not.toContain(inv.token);
});

test('a fresh tab of the tokenless address asks plainly for the invitation link', async ({ browser }, testInfo) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${info.httpUrl}/join`);
  await expect(page.getByRole('heading', { name: 'Please open your invitation link again' })).toBeVisible();
  await expect(page.getByText('Open the invitation link from the message your therapist sent you.')).toBeVisible();
  await shot(page, 'link-needed');
  await expectAccessible(page, testInfo, 'participant-ended-link-needed');
  // A link that is not an invitation (its token cut short, or run on with something else).
  await page.goto(`${info.httpUrl}/join/${'x'.repeat(300)}`);
  await expect(page.getByRole('heading', { name: "This link doesn't look complete" })).toBeVisible();
  await expectAccessible(page, testInfo, 'participant-ended-invalid-link');
  await context.close();
});

test('no CSP violation from the passcode screen to the group call', async ({ page }) => {
  const violations = await watchCsp(page);
  const inv = invitation(1);
  await page.goto(inv.url);
  await enterPasscode(page, '000000-wrong');
  await expect(page.getByRole('alert')).toBeVisible();
  await enterPasscode(page, inv.passcode);
  await page.getByLabel('First name or pseudonym').fill('Riley');
  await page.getByLabel('I agree to keep what is shared in this group confidential').check();
  await page.getByRole('button', { name: /Check in/ }).click();
  await expect(page.getByRole('heading', { name: 'Waiting for your therapist to let you in' })).toBeVisible();
  const riley = await knockFrom('Riley');
  await facilitator.request('admit', { participantId: riley.participantId });
  await expect(page.getByTestId('tile-self')).toBeVisible();
  await expect
    .poll(() => page.getByTestId('tile-self').locator('video').evaluate((el) => (el as unknown as { videoWidth: number }).videoWidth), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  // The page's own styles applied: the stylesheet loaded under style-src 'self'.
  expect(await page.evaluate(() => document.styleSheets.length)).toBeGreaterThan(0);
  expect(await violations()).toEqual([]);
});

test('a passcode guessed again and again pauses sign-in, and says so plainly', async ({ browser }, testInfo) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const inv = invitation(2);
  await page.goto(inv.url);
  // The invitation's limit is ten wrong passcodes in its window; the eleventh try is refused.
  for (let i = 0; i < 12; i++) {
    if (await page.getByRole('heading', { name: 'Too many attempts for now' }).isVisible()) break;
    const guess = String(100000 + i);
    if (guess === inv.passcode) continue;
    await page.getByLabel(/passcode/i).fill(guess);
    await page.getByRole('button', { name: /continue/i }).click();
    await expect(page.getByText(/didn.t match|Too many attempts/i).first()).toBeVisible();
  }
  await expect(page.getByRole('heading', { name: 'Too many attempts for now' })).toBeVisible();
  await expectAccessible(page, testInfo, 'participant-ended-rate-limited');
  await context.close();
});
