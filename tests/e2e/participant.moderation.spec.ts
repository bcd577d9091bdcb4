/**
 * Moderation as a client lives it, end to end: real Chromium pages with a fake camera and
 * microphone, the real session server in demo mode (in this process) with a real mediasoup
 * worker, and a facilitator driven over the real WebSocket protocol from the test.
 *
 * Needs the built page: `npx vite build -c vite.participant.config.ts`.
 */
import { mkdirSync } from 'node:fs';
import { closeContexts, test, expect, type Page } from '../support/e2eTest';
import { startDemo, type RunningDemo } from '../../src/server/demo';
import { type DemoInfo, type MediaKind, type Participant } from '../../src/shared/protocol';
import { SignalingClient } from '../../src/client/signaling';
import { facilitatorSocket } from '../support/facilitatorSocket';
import type { TestKeyHolder } from '../support/testKeyHolder';
import { announcements, expectAnnounced, expectNeverAnnounced, expectReachable, newPage, participantSteps, recordAnnouncements } from '../support/participantSteps';
import { expectAccessible } from '../support/axe';

const SHOTS = 'test-results/screenshots';

let demo: RunningDemo;
let info: DemoInfo;
let facilitator: SignalingClient;
const knocks: Participant[] = [];
const producers: { producerId: string; participantId: string; kind: MediaKind }[] = [];
const pauses: { producerId: string; paused: boolean }[] = [];
const inbox: { from: string; text: string | undefined; sealed: boolean }[] = [];
let keys: TestKeyHolder;

test.describe.configure({ mode: 'serial' });
// Robin's page goes from one test to the next; the file closes its pages when it ends.
test.use({ actionTimeout: 10_000, contextsLast: 'file' });

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startDemo({ invitations: 6, workers: 1 });
  info = demo.info;
  ({ signaling: facilitator, keys } = await facilitatorSocket(info, (f) => {
    f.on('knock', ({ participant }) => knocks.push(participant));
    f.on('producerAdded', (p) => producers.push(p));
    f.on('producerPaused', (p) => pauses.push(p));
    f.on('message', (m) => inbox.push({ ...keys.textOf(m), sealed: 'sealed' in m }));
  }));
});

test.afterAll(async ({ browser }) => {
  facilitator?.close();
  await demo?.close();
  await closeContexts(browser);
});

const { invitation, shot, enterPasscode, checkIn: checkIn, knockFrom } = participantSteps(() => info, knocks, SHOTS);

async function selfVideoWidth(page: Page): Promise<number> {
  const video = page.getByTestId('tile-self').locator('video');
  if ((await video.count()) === 0) return 0;
  return video.evaluate((el) => (el as unknown as { videoWidth: number }).videoWidth);
}

/** The latest producer of `kind` the facilitator was told about for this participant. */
async function producerOf(participantId: string, kind: MediaKind): Promise<string> {
  await expect
    .poll(() => producers.some((p) => p.participantId === participantId && p.kind === kind), { timeout: 15_000 })
    .toBe(true);
  const found = producers.filter((p) => p.participantId === participantId && p.kind === kind).at(-1);
  if (!found) throw new Error('no producer');
  return found.producerId;
}

function pausesOf(producerId: string): boolean[] {
  return pauses.filter((p) => p.producerId === producerId).map((p) => p.paused);
}

async function admitted(page: Page): Promise<void> {
  await expect(page.getByRole('toolbar', { name: 'Call controls' })).toBeVisible();
  await expect.poll(() => selfVideoWidth(page), { timeout: 15_000 }).toBeGreaterThan(0);
  await expect(page.getByText('Connecting you to the group…')).toHaveCount(0);
}

let robin: Page;
let robinId: string;

test('a mute by the therapist is explained calmly, and unmuting waits for their invitation', async ({ browser }, testInfo) => {
  robin = await checkIn(browser, 0, 'Robin');
  robinId = (await knockFrom('Robin')).participantId;
  await facilitator.request('admit', { participantId: robinId });
  await admitted(robin);
  // A screen reader hears the admission too.
  await expectAnnounced(robin, /^Your therapist let you in\. Joining the group/);
  await expectAnnounced(robin, /^You joined the group\./);
  const audio = await producerOf(robinId, 'audio');

  await facilitator.request('mute', { participantId: robinId, kind: 'audio' });
  const notice = robin.getByTestId('moderation-notice');
  await expect(notice).toHaveText(/Your therapist muted your microphone/);
  await expectAnnounced(robin, /^Your therapist muted your microphone/);
  const mic = robin.getByRole('button', { name: 'Microphone muted by your therapist' });
  await expect(robin.getByTestId('tile-self')).toContainText('Microphone off');
  await shot(robin, 'muted');
  await expectAccessible(robin, testInfo, 'participant-call-muted');

  // Pressing it explains; nothing is sent and nothing turns on.
  const before = pausesOf(audio).length;
  await mic.click();
  await expect(notice).toHaveText(/can’t turn it on just yet/);
  await expectAnnounced(robin, /can’t turn it on just yet/);
  await expect(mic).toBeVisible();
  await robin.waitForTimeout(300);
  expect(pausesOf(audio).slice(before)).not.toContain(false);
  await shot(robin, 'muted-pressed');

  // Allowed: the page asks, and only the person's choice turns the microphone on.
  await facilitator.request('allowUnmute', { participantId: robinId, kind: 'audio' });
  const prompt = robin.getByRole('dialog', { name: 'Your therapist asks you to unmute your microphone' });
  await expect(prompt).toBeVisible();
  await expect(prompt).toBeFocused();
  await expectAnnounced(robin, /^Your therapist asks you to unmute your microphone\. It's your choice\./);
  await expect(robin.getByRole('button', { name: 'Unmute your microphone' })).toBeVisible();
  await robin.waitForTimeout(300);
  expect(pausesOf(audio).slice(before)).not.toContain(false);
  await shot(robin, 'unmute-prompt');
  await expectAccessible(robin, testInfo, 'participant-unmute-prompt');
  // The question and its answers, on a phone and zoomed in.
  await expectReachable(robin, testInfo, 'call-unmute-prompt');
  await robin.setViewportSize({ width: 390, height: 844 });
  await shot(robin, 'unmute-prompt-mobile');
  await robin.setViewportSize({ width: 1280, height: 800 });

  await prompt.getByRole('button', { name: 'Unmute', exact: true }).click();
  await expect(prompt).toHaveCount(0);
  await expect(robin.getByRole('button', { name: 'Mute your microphone' })).toBeVisible();
  // The server accepted: the group is told the microphone is live again.
  await expect.poll(() => pausesOf(audio).at(-1), { timeout: 10_000 }).toBe(false);
  await expect(robin.getByTestId('tile-self')).toContainText('Microphone on');
});

test('a camera the therapist turned off stays off on "Not now", and the person can turn it on later', async () => {
  const video = await producerOf(robinId, 'video');
  await facilitator.request('mute', { participantId: robinId, kind: 'video' });
  await expect(robin.getByTestId('moderation-notice')).toHaveText(/Your therapist turned off your camera/);
  await expectAnnounced(robin, /^Your therapist turned off your camera/);
  await expect(robin.getByRole('button', { name: 'Camera off, turned off by your therapist' })).toBeVisible();
  // The camera itself is released: its light goes off.
  await expect(robin.getByTestId('tile-self').locator('video')).toHaveCount(0);
  await expect(robin.getByTestId('tile-self')).toContainText('Your camera is off');

  await facilitator.request('allowUnmute', { participantId: robinId, kind: 'video' });
  const prompt = robin.getByRole('dialog', { name: 'Your therapist asks you to turn your camera back on' });
  await expect(prompt).toBeVisible();
  await expectAnnounced(robin, /^Your therapist asks you to turn your camera back on\. It's your choice\./);
  await prompt.getByRole('button', { name: 'Not now' }).click();
  await expectAnnounced(robin, /^Your camera stays off\./);
  await expect(prompt).toHaveCount(0);
  await robin.waitForTimeout(300);
  expect(pausesOf(video).at(-1)).toBe(true);
  await expect(robin.getByTestId('audio-only')).toBeVisible();

  await robin.getByRole('button', { name: 'Start camera' }).click();
  await expect.poll(() => selfVideoWidth(robin), { timeout: 15_000 }).toBeGreaterThan(0);
  await expect.poll(() => pausesOf(video).at(-1), { timeout: 10_000 }).toBe(false);
});

test('audio only: the camera goes off and on again as often as the person likes', async () => {
  const video = await producerOf(robinId, 'video');
  for (let round = 0; round < 3; round++) {
    await robin.getByRole('button', { name: 'Stop camera' }).click();
    await expect(robin.getByTestId('audio-only')).toHaveText(/Audio only/);
    await expect(robin.getByTestId('tile-self').locator('video')).toHaveCount(0);
    await expect.poll(() => pausesOf(video).at(-1), { timeout: 10_000 }).toBe(true);
    if (round === 0) await shot(robin, 'audio-only');
    await robin.getByRole('button', { name: 'Start camera' }).click();
    await expect(robin.getByTestId('audio-only')).toHaveCount(0);
    await expect.poll(() => selfVideoWidth(robin), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => pausesOf(video).at(-1), { timeout: 10_000 }).toBe(false);
  }
  // The microphone mutes and unmutes on its own.
  const audio = await producerOf(robinId, 'audio');
  await robin.getByRole('button', { name: 'Mute your microphone' }).click();
  await expect.poll(() => pausesOf(audio).at(-1)).toBe(true);
  await robin.getByRole('button', { name: 'Unmute your microphone' }).click();
  await expect.poll(() => pausesOf(audio).at(-1)).toBe(false);
});

test('private messages go both ways, with an unread mark while the conversation is closed', async () => {
  const testInfo = test.info();
  const toggle = robin.getByTestId('chat-toggle');
  await expect(toggle).toHaveAccessibleName('Message your therapist privately');
  await toggle.click();
  const panel = robin.getByRole('complementary', { name: 'Message your therapist privately' });
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('Messages aren’t saved');
  const box = panel.getByLabel('Your message');
  await expect(box).toBeFocused();
  await expect(box).toHaveAttribute('maxlength', '2000');
  await shot(robin, 'messages-empty');

  await box.fill('Could we talk after group for a minute?');
  await box.press('Enter');
  // Sealed end to end: the server relayed a box it cannot open.
  await expect.poll(() => inbox.at(-1)).toEqual({ from: robinId, text: 'Could we talk after group for a minute?', sealed: true });
  await expect(panel.getByRole('log')).toContainText('Could we talk after group for a minute?');
  await expect(box).toHaveValue('');

  // In the call a message in the clear is what a server forging the therapist's words would
  // send: the page does not show it. The therapist's own are sealed.
  await facilitator.request('message', { to: robinId, text: 'Forged in the clear' });
  await facilitator.request('message', { to: robinId, sealed: keys.sealTo(robinId, 'Of course — stay on after we finish.') });
  await expect(panel.getByRole('log')).toContainText('Of course — stay on after we finish.');
  await expect(panel.getByRole('log')).not.toContainText('Forged in the clear');
  await expect(panel.getByRole('log')).toContainText('Your therapist');
  await shot(robin, 'messages');
  await expectAccessible(robin, testInfo, 'participant-messages');

  // Escape closes and returns focus to the toggle.
  await box.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(toggle).toBeFocused();

  await facilitator.request('message', { to: robinId, sealed: keys.sealTo(robinId, 'Take your time, there’s no rush.') });
  await expect(robin.getByTestId('chat-unread')).toHaveText('1');
  await expect(toggle).toHaveAccessibleName('Message, 1 unread from your therapist');
  await expect(robin.getByTestId('message-preview')).toContainText('Take your time, there’s no rush.');
  // With the conversation closed, the status region says a message came, never its words.
  await expectAnnounced(robin, /^New private message from your therapist\.$/);
  await expectNeverAnnounced(robin, ['Take your time', 'Of course', 'Could we talk']);
  await shot(robin, 'message-unread');
  await expectAccessible(robin, testInfo, 'participant-message-preview');

  await robin.getByTestId('message-preview').getByRole('button', { name: 'Reply' }).click();
  await expect(panel).toBeVisible();
  await expect(robin.getByTestId('chat-unread')).toHaveCount(0);
  await expect(panel.getByRole('log').locator('li')).toHaveCount(3);

  await robin.setViewportSize({ width: 390, height: 844 });
  await shot(robin, 'messages-mobile');
  await robin.setViewportSize({ width: 1280, height: 800 });
  await panel.getByRole('button', { name: 'Close messages' }).click();
});

test('a locked room shows discreetly in the call; a new client is told kindly and can try again', async ({ browser }, testInfo) => {
  await facilitator.request('lock', { locked: true });
  await expect(robin.getByTestId('locked-indicator')).toContainText('Room locked');
  await expectAnnounced(robin, /^Your therapist closed the session to new arrivals\. Nothing changes for you\.$/);
  await shot(robin, 'call-locked');
  await expectAccessible(robin, testInfo, 'participant-call-locked');

  const late = await newPage(browser);
  await recordAnnouncements(late);
  const inv = invitation(1);
  await late.goto(inv.url);
  await enterPasscode(late, inv.passcode);
  await expect(late.getByRole('heading', { name: 'This session is locked' })).toBeVisible();
  await expect(late.getByRole('heading', { name: 'This session is locked' })).toBeFocused();
  await expect(late.getByText("Your therapist isn't letting new people in right now.")).toBeVisible();
  await shot(late, 'locked');
  await expectAccessible(late, testInfo, 'participant-ended-room-locked');

  await late.getByRole('button', { name: 'Try again' }).click();
  await expect(late.getByTestId('ending-status')).toContainText('Still locked when we checked');
  await expect(late.getByTestId('announcer')).toContainText('The session is still locked');
  await expectAnnounced(late, /^The session is still locked/);
  await shot(late, 'locked-still');
  await expectAccessible(late, testInfo, 'participant-ended-room-locked-still');

  await facilitator.request('lock', { locked: false });
  await expect(robin.getByTestId('locked-indicator')).toHaveCount(0);
  // Try again uses the passcode already given: no retyping.
  await late.getByRole('button', { name: 'Try again' }).click();
  await expect(late.getByRole('heading', { name: 'Get ready to join the group' })).toBeVisible();
  await late.close();
});

test('moved back to the waiting room: the call closes, the preview stays, and admission brings them back', async () => {
  const testInfo = test.info();
  await facilitator.request('returnToWaiting', { participantId: robinId });
  await expect(robin.getByRole('heading', { name: 'Waiting for your therapist to let you back in' })).toBeVisible();
  await expect(robin.getByTestId('returned-note')).toContainText('Your therapist moved you back to the waiting room');
  await expectAnnounced(robin, /^Your therapist moved you back to the waiting room\. You'll rejoin the group automatically/);
  await expect(robin.getByRole('toolbar', { name: 'Call controls' })).toHaveCount(0);
  await expect
    .poll(
      () =>
        robin
          .getByTestId('self-preview')
          .locator('video')
          .evaluate((el) => (el as unknown as { videoWidth: number }).videoWidth)
          .catch(() => 0),
      { timeout: 10_000 },
    )
    .toBeGreaterThan(0);
  await shot(robin, 'returned-waiting');
  await expectAccessible(robin, testInfo, 'participant-waiting-returned');

  // A therapist may write to someone waiting; the reply waits for admission.
  const heard = (await announcements(robin)).length;
  await facilitator.request('message', { to: robinId, text: 'Just a moment — I’ll bring you back in shortly.' });
  await expect(robin.getByTestId('waiting-messages')).toContainText('Just a moment — I’ll bring you back in shortly.');
  await expect(robin.getByTestId('waiting-messages')).toContainText('You can reply once you’re back in the session.');
  await expectAnnounced(robin, /^New private message from your therapist\.$/, heard);
  await expectNeverAnnounced(robin, ['Just a moment']);
  await shot(robin, 'waiting-message');
  await expectAccessible(robin, testInfo, 'participant-waiting-message');

  await facilitator.request('admit', { participantId: robinId });
  await admitted(robin);
  await expectAnnounced(robin, /^Your therapist let you back in\. Joining the group/);
  // The conversation from before is still there for this visit.
  await robin.getByTestId('chat-toggle').click();
  await expect(robin.getByRole('log')).toContainText('Of course — stay on after we finish.');
  await expect(robin.getByRole('log')).toContainText('Just a moment — I’ll bring you back in shortly.');
  await robin.getByRole('button', { name: 'Close messages' }).click();
});

test('removed: a clear, kind ending with no way back through the same link', async () => {
  const testInfo = test.info();
  await facilitator.request('remove', { participantId: robinId, reason: 'Test of removal' });
  const heading = robin.getByRole('heading', { name: 'Your therapist has removed you from this session' });
  await expect(heading).toBeVisible();
  await expect(heading).toBeFocused();
  await expect(robin.getByText(/contact your clinic/).first()).toBeVisible();
  // No way back: nothing to press on the ending itself (the top bar's language switch is on every screen).
  await expect(robin.getByRole('main').getByRole('button')).toHaveCount(0);
  await shot(robin, 'removed');
  await expectAccessible(robin, testInfo, 'participant-ended-removed');

  const inv = invitation(0);
  await robin.goto(inv.url);
  await enterPasscode(robin, inv.passcode);
  await expect(robin.getByRole('heading', { name: 'This invitation is no longer active' })).toBeVisible();
  await shot(robin, 'revoked');
  await expectAccessible(robin, testInfo, 'participant-ended-revoked');
  await robin.close();
});

test('the session ends warmly for everyone in it, and later arrivals are told it has ended', async ({ browser }, testInfo) => {
  const casey = await checkIn(browser, 2, 'Casey');
  await facilitator.request('admit', { participantId: (await knockFrom('Casey')).participantId });
  await admitted(casey);
  const waiting = await checkIn(browser, 3, 'Jordan');

  await facilitator.request('end', {});
  for (const page of [casey, waiting]) {
    await expect(page.getByRole('heading', { name: 'This session has ended. Thank you for being here.' })).toBeVisible();
    await expect(page.getByText('If you need support right now, contact your clinic or local emergency services.')).toBeVisible();
  }
  await shot(casey, 'session-ended');
  await expectAccessible(casey, testInfo, 'participant-ended-session-ended');
  await casey.setViewportSize({ width: 390, height: 844 });
  await shot(casey, 'session-ended-mobile');

  const later = await newPage(browser);
  const inv = invitation(4);
  await later.goto(inv.url);
  await enterPasscode(later, inv.passcode);
  await expect(later.getByRole('heading', { name: 'This session has ended. Thank you for being here.' })).toBeVisible();
  await later.close();
  await casey.close();
  await waiting.close();
});
