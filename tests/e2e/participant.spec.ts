/**
 * The participant page end to end: real Chromium with a fake camera and microphone, the real
 * session server in demo mode (in this process) with a real mediasoup worker, and a
 * facilitator driven over the real WebSocket protocol from the test.
 *
 * Needs the built page: `npx vite build -c vite.participant.config.ts`.
 */
import { mkdirSync } from 'node:fs';
import { test, expect, type Page } from '../support/e2eTest';
import { startDemo, type RunningDemo } from '../../src/server/demo';
import { type ClinicianHelloResult, type DemoInfo, type Participant } from '../../src/shared/protocol';
import { SignalingClient } from '../../src/client/signaling';
import { facilitatorSocket } from '../support/facilitatorSocket';
import {
  animationsOn,
  expectAnnounced,
  expectNeverAnnounced,
  expectReachable,
  expectStill,
  participantSteps,
  recordAnnouncements,
} from '../support/participantSteps';
import { expectAccessible } from '../support/axe';

const SHOTS = 'test-results/screenshots';
const MISMATCH = "That passcode didn't match this invitation";

let demo: RunningDemo;
let info: DemoInfo;
let facilitator: SignalingClient;
let facilitatorHello: ClinicianHelloResult;
const knocks: Participant[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startDemo({ invitations: 7, workers: 1 });
  info = demo.info;

  ({ signaling: facilitator, hello: facilitatorHello } = await facilitatorSocket(info, (f) =>
    f.on('knock', ({ participant }) => knocks.push(participant)),
  ));
});

test.afterAll(async () => {
  facilitator?.close();
  await demo?.close();
});

const { invitation, shot, enterPasscode, checkIn: joinAndCheckIn, knockFrom } = participantSteps(() => info, knocks, SHOTS);

async function videoWidth(page: Page, testId: string): Promise<number> {
  return page
    .getByTestId(testId)
    .locator('video')
    .evaluate((el) => (el as unknown as { videoWidth: number }).videoWidth);
}

test('a wrong passcode shows the mismatch message, and the right one then proceeds', async ({ page }, testInfo) => {
  const inv = invitation(0);
  await page.goto(inv.url);
  await expect(page.getByRole('heading', { name: 'Welcome to your group session' })).toBeVisible();
  await shot(page, 'passcode');
  await expectAccessible(page, testInfo, 'participant-passcode');
  await expectReachable(page, testInfo, 'passcode');

  await enterPasscode(page, '000000-wrong');
  await expect(page.getByRole('alert')).toContainText(MISMATCH);
  await expect(page.getByLabel('Enter the passcode your therapist sent you')).toHaveAttribute('aria-invalid', 'true');
  await shot(page, 'passcode-mismatch');
  await expectAccessible(page, testInfo, 'participant-passcode-mismatch');

  // Same socket, second try.
  await enterPasscode(page, inv.passcode);
  await expect(page.getByRole('heading', { name: 'Get ready to join the group' })).toBeVisible();
  await expect(page.getByText("you don't need to share your full name")).toBeVisible();
  // The live self-preview is on by default.
  await expect
    .poll(() => page.getByTestId('self-preview').locator('video').evaluate((el) => (el as unknown as { videoWidth: number }).videoWidth))
    .toBeGreaterThan(0);
  await shot(page, 'check-in');
  await expectAccessible(page, testInfo, 'participant-check-in');
  // Taking part by text only instead, and back.
  await page.getByRole('button', { name: 'Take part by text only' }).click();
  await expect(page.getByTestId('text-only-choice')).toBeVisible();
  await expectAccessible(page, testInfo, 'participant-check-in-text-only');
  await page.getByRole('button', { name: 'Use my microphone or camera instead' }).click();
  await expect(page.getByRole('switch', { name: 'Camera' })).toBeVisible();
  // Many clients join from a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'check-in-mobile');
});

test('check-in requires a name and agreeing to the group agreement', async ({ page }, testInfo) => {
  const inv = invitation(1);
  await recordAnnouncements(page);
  await page.goto(inv.url);
  await enterPasscode(page, inv.passcode);
  await expectAnnounced(page, /^Passcode accepted/);
  const submit = page.getByRole('button', { name: /Check in/ });
  // Every control of the form, on a phone and zoomed in; the switches' transitions stop with reduced motion.
  await expectReachable(page, testInfo, 'check-in');
  await expectStill(page, 'check-in');
  await submit.click();
  await expect(page.getByText('Please enter a first name or pseudonym.')).toBeVisible();
  await expect(page.getByText('Please tick the box to agree before you continue.')).toBeVisible();
  await expect(page.getByLabel('First name or pseudonym')).toBeFocused();
  await shot(page, 'check-in-errors');
  await expectAccessible(page, testInfo, 'participant-check-in-errors');

  await page.getByLabel('First name or pseudonym').fill('River');
  await submit.click();
  await expect(page.getByText('Please tick the box to agree before you continue.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Get ready to join the group' })).toBeVisible();

  await page.getByLabel('I agree to keep what is shared in this group confidential').check();
  await page.getByLabel('Where are you right now?').fill('Home');
  await page.getByLabel('Emergency contact').fill('Alex, 555 0100');
  // How they are today: optional, a word only once a score is chosen, and it can be taken back.
  const rating = page.getByTestId('checkin-rating');
  await expect(page.getByLabel(/a word for it/i)).toHaveCount(0);
  await rating.getByRole('radio', { name: '6', exact: true }).check();
  await page.getByLabel(/a word for it/i).fill('hopeful');
  await rating.scrollIntoViewIfNeeded();
  await shot(page, 'check-in-rating');
  await expectAccessible(page, testInfo, 'participant-check-in-rating');
  await rating.getByRole('button', { name: 'Clear my answer' }).click();
  await expect(rating.getByRole('radio', { checked: true })).toHaveCount(0);
  await rating.getByRole('radio', { name: '7', exact: true }).check();
  await submit.click();
  await expect(page.getByRole('heading', { name: 'Waiting for your therapist to let you in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Leave the waiting room' })).toBeVisible();
  const knock = await knockFrom('River');
  // The facilitator sees who knocked, never where they are.
  expect(knock).not.toHaveProperty('location');
  // The score went with the knock, to the therapist; the cleared word did not.
  expect(knock).toMatchObject({ rating: { score: 7 } });
  expect(knock.rating).not.toHaveProperty('word');
  await expect
    .poll(() => page.getByTestId('self-preview').locator('video').evaluate((el) => (el as unknown as { videoWidth: number }).videoWidth))
    .toBeGreaterThan(0);
  await shot(page, 'waiting');
  await expectAccessible(page, testInfo, 'participant-waiting');
  // Heard: checked in; never where they are or whom to call.
  await expectAnnounced(page, /^You are checked in/);
  await expectNeverAnnounced(page, ['Home', 'Alex', '555 0100']);
  await expectReachable(page, testInfo, 'waiting');
  // The waiting room's breathing dot breathes, unless motion is to be reduced.
  expect(await animationsOn(page)).toContain('breathe');
  await expectStill(page, 'waiting');
});

test('a participant the facilitator denies sees the denied screen', async ({ browser }, testInfo) => {
  const page = await joinAndCheckIn(browser, 2, 'Morgan');
  const knock = await knockFrom('Morgan');
  await facilitator.request('deny', { participantId: knock.participantId });
  await expect(page.getByRole('heading', { name: "Your therapist didn't admit you to this session" })).toBeVisible();
  await shot(page, 'denied');
  await expectAccessible(page, testInfo, 'participant-ended-denied');
  await page.close();
});

test('admitted participants see the group grid with live video, and can leave', async ({ browser }, testInfo) => {
  const first = await joinAndCheckIn(browser, 3, 'Jordan');
  const second = await joinAndCheckIn(browser, 4, 'Casey');
  const jordan = await knockFrom('Jordan');
  const casey = await knockFrom('Casey');

  await facilitator.request('admit', { participantId: jordan.participantId });
  await expect(first.getByTestId('tile-self')).toBeVisible();
  await expect.poll(() => videoWidth(first, 'tile-self'), { timeout: 15_000 }).toBeGreaterThan(0);
  // The facilitator is in the room and shown by name, labelled as the therapist.
  const facilitatorTile = first.getByTestId(`tile-${facilitatorHello.participantId}`);
  await expect(facilitatorTile).toContainText('Therapist');

  await facilitator.request('admit', { participantId: casey.participantId });
  await expect.poll(() => videoWidth(second, 'tile-self'), { timeout: 15_000 }).toBeGreaterThan(0);
  // Each sees the other's camera through the SFU.
  await expect(first.getByTestId(`tile-${casey.participantId}`)).toContainText('Casey');
  await expect.poll(() => videoWidth(first, `tile-${casey.participantId}`), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => videoWidth(second, `tile-${jordan.participantId}`), { timeout: 20_000 }).toBeGreaterThan(0);
  // Remote audio plays through hidden audio elements.
  await expect.poll(() => first.locator('audio').count()).toBeGreaterThan(0);
  await expectAnnounced(first, /^Your therapist let you in/);
  await expectAnnounced(first, /^You joined the group/);
  await shot(first, 'call');
  await expectAccessible(first, testInfo, 'participant-call');
  // The call's controls, and each side panel's, on a phone and zoomed in.
  await expectReachable(first, testInfo, 'call');
  await first.getByTestId('chat-toggle').click();
  await expectReachable(first, testInfo, 'call-messages', '[data-testid="chat-panel"]');
  await first.getByRole('button', { name: 'Close messages' }).click();
  await first.getByTestId('group-chat-toggle').click();
  await expectAccessible(first, testInfo, 'participant-group-chat');
  await expectReachable(first, testInfo, 'call-group-chat', '[data-testid="group-chat-panel"]');
  await first.getByRole('button', { name: 'Close the group chat' }).click();
  await expectStill(first, 'call');

  // Muting the camera: the other side sees the avatar instead of video.
  await second.getByRole('button', { name: 'Stop camera' }).click();
  await expect(first.getByTestId(`tile-${casey.participantId}`).locator('video')).toHaveCount(0);
  await second.getByRole('button', { name: 'Start camera' }).click();
  await expect.poll(() => videoWidth(first, `tile-${casey.participantId}`), { timeout: 20_000 }).toBeGreaterThan(0);

  await second.getByRole('button', { name: 'Leave the session' }).click();
  await expect(second.getByRole('heading', { name: 'You have left the session' })).toBeVisible();
  await shot(second, 'left');
  await expectAccessible(second, testInfo, 'participant-ended-left');
  await expect(first.getByTestId(`tile-${casey.participantId}`)).toHaveCount(0);

  await first.close();
  await second.close();
});

test('what the person turns off in the waiting room reaches the group as off the moment they are let in, and goes live when they turn it on', async ({ browser }) => {
  const page = await joinAndCheckIn(browser, 5, 'Riley');
  const riley = await knockFrom('Riley');
  const heldVideo = () =>
    demo.server.rooms
      .get(info.sessionId)
      ?.peer(riley.participantId)
      ?.media.heldProducers()
      .find((p) => p.kind === 'video');
  // Made ready while waiting, set to go live at admission.
  await expect.poll(() => heldVideo()?.paused, { timeout: 10_000 }).toBe(false);
  await page.getByRole('switch', { name: /Camera/ }).click();
  await expect(page.getByRole('switch', { name: /Camera/ })).toHaveAttribute('aria-checked', 'false');
  await expect.poll(() => heldVideo()?.paused, { timeout: 10_000 }).toBe(true);
  const videoId = heldVideo()!.id;

  const heard: string[] = [];
  const offAdded = facilitator.on('producerAdded', ({ producerId }) => producerId === videoId && heard.push('added'));
  const offPaused = facilitator.on('producerPaused', ({ producerId, paused }) => producerId === videoId && heard.push(paused ? 'paused' : 'live'));
  try {
    await facilitator.request('admit', { participantId: riley.participantId });
    await expect(page.getByTestId('tile-self')).toBeVisible();
    // Announced with the admission, paused: the group sees them with the camera off.
    await expect.poll(() => heard.join(' '), { timeout: 10_000 }).toBe('added paused');
    await expect(page.getByTestId('tile-self').locator('video')).toHaveCount(0);
    // Turned on in the call: the same producer goes live.
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect.poll(() => heard.join(' '), { timeout: 15_000 }).toBe('added paused live');
    await expect.poll(() => videoWidth(page, 'tile-self'), { timeout: 15_000 }).toBeGreaterThan(0);
  } finally {
    offAdded();
    offPaused();
    await page.close();
  }
});

test('a microphone the browser hands over only after the person was let in (its permission prompt still open) reaches the group', async ({ browser }) => {
  // The browser answers for the camera at once and for the microphone only when the test says:
  // as a permission prompt the person has not answered yet when their therapist lets them in.
  const holdMicrophone = (page: Page) =>
    page.addInitScript(() => {
      const media = navigator.mediaDevices;
      const ask = media.getUserMedia.bind(media);
      let answer = (): void => undefined;
      const answered = new Promise<void>((resolve) => (answer = resolve));
      Object.assign(window, { allowMicrophone: () => answer() });
      media.getUserMedia = async (constraints) => {
        if (constraints?.audio) await answered;
        return ask(constraints);
      };
    });
  const page = await joinAndCheckIn(browser, 6, 'Sam', holdMicrophone);
  const sam = await knockFrom('Sam');
  const added: string[] = [];
  const paused = new Set<string>();
  const offAdded = facilitator.on('producerAdded', ({ participantId, kind }) => participantId === sam.participantId && added.push(kind));
  const offPaused = facilitator.on('producerPaused', ({ producerId, paused: p }) => (p ? paused.add(producerId) : paused.delete(producerId)));
  try {
    await facilitator.request('admit', { participantId: sam.participantId });
    await expect(page.getByRole('toolbar', { name: 'Call controls' })).toBeVisible();
    await expect.poll(() => added, { timeout: 10_000 }).toEqual(['video']);

    await page.evaluate(() => (window as unknown as { allowMicrophone(): void }).allowMicrophone());
    await expect.poll(() => added, { timeout: 10_000 }).toEqual(['video', 'audio']);
    // Live: the group hears them, as the switch they left on says.
    const audio = demo.server.rooms
      .get(info.sessionId)
      ?.peer(sam.participantId)
      ?.media.listProducers()
      .find((p) => p.kind === 'audio');
    expect(audio?.paused).toBe(false);
    expect(paused.has(audio!.id)).toBe(false);
    await expect(page.getByRole('button', { name: 'Mute your microphone' })).toBeVisible();
  } finally {
    offAdded();
    offPaused();
    await page.close();
  }
});
