/**
 * End-to-end encrypted calls, measured from outside (issue 19): a facilitator's console and a
 * client's page in a real call see and hear each other, while a tap on the SFU (a third browser
 * admitted as a client, with no key and no frame transforms, consuming everything the server
 * forwards) receives the call's RTP and gets nothing out of it: no video frame decodes, and the
 * microphone's test tone is not in the audio it plays.
 *
 * The tap is bundled with esbuild from the project's own SignalingClient and RoomClient
 * (fixtures/tapHarness.ts) and served on loopback, as frameCipher.spec.ts serves its harness.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { expect, test, type Page } from '../support/e2eTest';
import { expectAccessible } from '../support/axe';
import { consoleWithDemoServer } from '../support/consoleHost';
import { clientChecksIn, consoleAndClientPages, consoleIssuesLink, facilitatorOpensSession, knockOf, remoteAudioPeak, snapshot, videoWidthIn } from '../support/flows';
import { dominantHz, hearsTone, listen, MIN_READS, toneLevelDb, TONE_MIN_DB, type Spectrum } from '../support/toneDetector';
import type { FrameCensus, TapCredentials, TapState } from './fixtures/tapHarness';

// Five people at most in one test, and the tap.
const running = consoleWithDemoServer('file', { demoArgs: ['--invitations', '6'] });

let dir: string;
let server: Server;
let tapUrl: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confidant-tap-'));
  await build({
    entryPoints: { tap: resolve(import.meta.dirname, 'fixtures/tapHarness.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outdir: dir,
    logLevel: 'silent',
  });
  server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>tap</title><script type="module" src="/tap.js"></script>');
    }
    if (req.url !== '/tap.js') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(readFileSync(join(dir, 'tap.js')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  tapUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

test.afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type TapWindow = { tap: { start(c: TapCredentials): Promise<string>; read(): Promise<TapState> } };
const readTap = (page: Page): Promise<TapState> => page.evaluate(() => (window as unknown as TapWindow).tap.read());

/**
 * Every stream in `census` reached the tap's decoders, and every frame of it was sealed: long
 * enough to be, and ending with one of at most `epochs` key epochs, never a byte of its content.
 */
function expectAllSealed(census: FrameCensus[], epochs: number): void {
  for (const c of census) {
    const which = `${c.kind} of ${c.participantId}`;
    expect(c.frames, which).toBeGreaterThan(0);
    expect(c.short, `${which}: frames too short to be sealed`).toBe(0);
    expect(Object.keys(c.lastBytes).length, `${which}: last bytes (the key epoch when sealed)`).toBeLessThanOrEqual(epochs);
  }
}

/** At least this many seconds of everyone's media must have reached the tap before it is judged. */
const TAP_SECONDS = 3;
/** Opus sends a packet every 20 ms. */
const AUDIO_PACKETS_PER_SECOND = 50;
/** Far below what the fake camera sends (about 30 packets a second here), but a steady stream, not a stray packet. */
const VIDEO_PACKETS_PER_SECOND = 10;

test('a tap on the SFU receives the call but decodes no frame and hears no tone, while the two people see and hear each other', async ({ browser }, testInfo) => {
  const { consoleContext, clientContext, consolePage, clientPage } = await consoleAndClientPages(browser);
  await running.host.attach(consolePage);

  // The facilitator opens the session; the client opens the link this console issued (its
  // fragment's secret vouches for their key), checks in, and is admitted.
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  await expect.poll(() => videoWidthIn(consolePage, 'tile-self')).toBeGreaterThan(0);
  const invitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[0]!);
  await clientChecksIn(clientPage, invitation, 'Robin');
  await knockOf(consolePage, 'Robin').getByRole('button', { name: 'Admit Robin' }).click();

  // Positive control: both render each other's video and hear each other…
  const clientPerson = consolePage.locator('[data-testid^="person-"]').filter({ hasText: 'Robin' });
  await expect(clientPerson).toBeVisible();
  const clientId = (await clientPerson.getAttribute('data-testid'))!.slice('person-'.length);
  await expect.poll(() => videoWidthIn(consolePage, `tile-${clientId}`), { timeout: 20_000 }).toBeGreaterThan(0);
  const facilitatorTile = clientPage.locator('[data-testid^="tile-"]:not([data-testid="tile-self"])').filter({ hasNotText: 'Robin' }).first();
  await expect(facilitatorTile).toBeVisible();
  const facilitatorTileId = (await facilitatorTile.getAttribute('data-testid'))!;
  const facilitatorId = facilitatorTileId.slice('tile-'.length);
  await expect.poll(() => videoWidthIn(clientPage, facilitatorTileId), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => remoteAudioPeak(consolePage, 'audio[data-testid="remote-audio"]'), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await expect.poll(() => remoteAudioPeak(clientPage, 'audio'), { timeout: 20_000 }).toBeGreaterThan(0.01);

  // …and both say so: what they see and hear was sealed end to end, with no fallback to the clear.
  await expect(clientPage.getByTestId('encryption')).toHaveAttribute('data-state', 'on');
  await expect(clientPage.getByTestId('encryption')).toContainText('End-to-end encrypted');
  await expect(consolePage.getByTestId('e2ee-state')).toHaveText('End-to-end encrypted');
  await expect(consolePage.getByTestId(`key-${clientId}`)).toHaveText('Encrypted');
  await expect(clientPage.getByTestId('encryption-refused')).toHaveCount(0);
  await expect(clientPage.getByTestId('encryption-unsupported')).toHaveCount(0);

  // The tap: a browser of its own, with the demo's plain link for another invitation (no
  // secret), admitted by the facilitator like anyone in the waiting room.
  const tapContext = await browser.newContext();
  const tapPage = await tapContext.newPage();
  await tapPage.goto(tapUrl);
  await tapPage.waitForFunction(() => 'tap' in window);
  const { wsUrl, invitations } = running.demo.info;
  const credentials: TapCredentials = { wsUrl, token: invitations[1]!.token, passcode: invitations[1]!.passcode };
  const tapId = await tapPage.evaluate((c) => (window as unknown as TapWindow).tap.start(c), credentials);
  await knockOf(consolePage, 'Tap').getByRole('button', { name: 'Admit Tap' }).click();
  // The console gives it no key: it never announced one.
  await expect(consolePage.getByTestId(`key-${tapId}`)).toHaveText('No key yet');

  // Everything the SFU forwards reaches the tap: both people's audio and video.
  await expect
    .poll(
      async () => {
        const s = await readTap(tapPage);
        return { joined: s.joined, tracks: s.tracks, flowing: s.streams.filter((x) => x.packetsReceived > 0).length };
      },
      { timeout: 15_000 },
    )
    .toEqual({ joined: true, tracks: { audio: 2, video: 2 }, flowing: 4 });

  // One listen in each of the three pages at once: the same detector, for the same two seconds.
  // The beep's pitch is what the client hears loudest; the console and the tap are measured at
  // it. Listened again (within bounds) only while the two people do not both hear the tone or a
  // page was too starved to read its analyser: a listen that measured nothing proves nothing.
  let heard: { hz: number; atClient: Spectrum; atConsole: Spectrum; atTap: Spectrum } | undefined;
  await expect
    .poll(
      async () => {
        const [atClient, atConsole, atTap] = await Promise.all([
          listen(clientPage, 'audio'),
          listen(consolePage, 'audio[data-testid="remote-audio"]'),
          listen(tapPage, 'audio'),
        ]);
        const hz = dominantHz(atClient);
        heard = { hz, atClient, atConsole, atTap };
        return {
          measured: Math.min(atClient.reads, atConsole.reads, atTap.reads) >= MIN_READS,
          client: hearsTone(atClient, hz),
          console: hearsTone(atConsole, hz),
        };
      },
      { timeout: 15_000, intervals: [0] },
    )
    .toEqual({ measured: true, client: true, console: true });
  const { hz, atClient, atConsole, atTap } = heard!;
  const levels = { client: toneLevelDb(atClient, hz), console: toneLevelDb(atConsole, hz), tap: toneLevelDb(atTap, hz) };
  console.log(
    `beep at ${hz.toFixed(0)} Hz; dB above the bands around it: ${JSON.stringify(levels)}; ` +
      `peaks: client ${atClient.peak.toFixed(3)}, console ${atConsole.peak.toFixed(3)}, tap ${atTap.peak.toFixed(3)}; ` +
      `reads ${atClient.reads}/${atConsole.reads}/${atTap.reads}`,
  );
  // Soft: should the tap ever seem to hear it, the census below still says whether anything
  // reached it unsealed (the detector's noise, or a leak).
  expect.soft(hearsTone(atTap, hz), `the tap does not hear the tone (${levels.tap.toFixed(1)} dB; ${TONE_MIN_DB} counts)`).toBe(false);

  // Several seconds of every stream reached the tap, and not one video frame decoded from it.
  const audioPacketsAtLeast = TAP_SECONDS * AUDIO_PACKETS_PER_SECOND;
  await expect
    .poll(async () => Math.min(...(await readTap(tapPage)).streams.filter((s) => s.kind === 'audio').map((s) => s.packetsReceived)), { timeout: 10_000 })
    .toBeGreaterThanOrEqual(audioPacketsAtLeast);
  const tap = await readTap(tapPage);
  console.log(`tap streams: ${JSON.stringify(tap.streams)}; bandwidth probe: ${JSON.stringify(tap.unowned)}; videos: ${JSON.stringify(tap.videos)}`);
  expect(tap.errors).toEqual([]);
  expect(tap.streams.map((s) => `${s.kind} of ${s.participantId}`).sort()).toEqual(
    [`audio of ${clientId}`, `audio of ${facilitatorId}`, `video of ${clientId}`, `video of ${facilitatorId}`].sort(),
  );
  for (const s of tap.streams) {
    const which = `${s.kind} of ${s.participantId}`;
    expect(s.packetsReceived, which).toBeGreaterThanOrEqual(s.kind === 'audio' ? audioPacketsAtLeast : TAP_SECONDS * VIDEO_PACKETS_PER_SECOND);
    expect(s.bytesReceived, which).toBeGreaterThan(0);
    if (s.kind === 'video') expect(s.framesDecoded, which).toBe(0);
  }
  expect(tap.videos).toHaveLength(2);
  for (const v of tap.videos) {
    expect(v.width, `video of ${v.participantId}`).toBe(0);
    expect(v.painted, `video of ${v.participantId}`).toBe(0);
  }
  // Every frame that reached the tap's decoders was sealed: long enough to be, and ending with
  // one of the call's key epochs (one here: nobody left), never with a byte of its own content.
  console.log(`tap census: ${JSON.stringify(tap.census)}`);
  expect(tap.census.map((c) => `${c.kind} of ${c.participantId}`).sort()).toEqual(tap.streams.map((s) => `${s.kind} of ${s.participantId}`).sort());
  expectAllSealed(tap.census, 1);

  // Meanwhile the two people still see each other, and saw no fallback to the clear.
  await expect.poll(() => videoWidthIn(consolePage, `tile-${clientId}`)).toBeGreaterThan(0);
  await expect.poll(() => videoWidthIn(clientPage, facilitatorTileId)).toBeGreaterThan(0);
  await expect(clientPage.getByTestId('encryption')).toHaveAttribute('data-state', 'on');
  await expect(clientPage.getByTestId('encryption-refused')).toHaveCount(0);
  await expect(clientPage.getByTestId('encryption-unsupported')).toHaveCount(0);
  await expect(consolePage.getByTestId(`key-${clientId}`)).toHaveText('Encrypted');

  await snapshot(consolePage, testInfo, 'console-e2ee');
  await snapshot(clientPage, testInfo, 'participant-e2ee');

  await tapContext.close();
  await consoleContext.close();
  await clientContext.close();
});

test('a browser that cannot encrypt is told so, the facilitator sees why, and nothing of it is sent or played', async ({ browser }, testInfo) => {
  const { consoleContext, clientContext, consolePage, clientPage } = await consoleAndClientPages(browser);
  await running.host.attach(consolePage);
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  // A browser without encoded transforms: neither RTCRtpScriptTransform nor insertable streams.
  await clientPage.addInitScript(() => {
    delete (window as unknown as Record<string, unknown>)['RTCRtpScriptTransform'];
    delete (RTCRtpSender.prototype as unknown as Record<string, unknown>)['createEncodedStreams'];
  });
  const invitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[2]!);
  await clientChecksIn(clientPage, invitation, 'Kit');
  await knockOf(consolePage, 'Kit').getByRole('button', { name: 'Admit Kit' }).click();
  const person = consolePage.locator('[data-testid^="person-"]').filter({ hasText: 'Kit' });
  await expect(person.locator('[data-testid^="key-"]')).toHaveText('Can’t encrypt');
  await expect(clientPage.getByTestId('encryption-unsupported')).toContainText('cannot encrypt the call end to end');
  // Nothing was produced: the console never hears of a stream of Kit's (their mic and camera
  // show off though Kit turned both on), and Kit's page plays nothing of the group.
  await clientPage.waitForTimeout(2000);
  await expect(person).toContainText('Mic off');
  await expect(person).toContainText('Camera off');
  expect(await clientPage.locator('audio').count()).toBe(0);
  await snapshot(consolePage, testInfo, 'console-cannot-encrypt');
  await snapshot(clientPage, testInfo, 'participant-cannot-encrypt');
  await expectAccessible(clientPage, testInfo, 'participant-call-cannot-encrypt');
  await consoleContext.close();
  await clientContext.close();
});

test('a browser that cannot encrypt is refused by default; once the facilitator allows it, it hears and is heard by audio in the clear, sees no video, and the facilitator’s video stays unreadable to a tap', async ({ browser }, testInfo) => {
  // Five browsers (the console, three clients and a tap) on a two-core machine.
  test.setTimeout(150_000);
  const { consoleContext, clientContext, consolePage, clientPage } = await consoleAndClientPages(browser);
  await running.host.attach(consolePage);
  await facilitatorOpensSession(consolePage, running.host, running.demo.info);
  await expect.poll(() => videoWidthIn(consolePage, 'tile-self')).toBeGreaterThan(0);
  // A browser without encoded transforms, as above.
  await clientPage.addInitScript(() => {
    delete (window as unknown as Record<string, unknown>)['RTCRtpScriptTransform'];
    delete (RTCRtpSender.prototype as unknown as Record<string, unknown>)['createEncodedStreams'];
  });
  const invitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[3]!);
  await clientChecksIn(clientPage, invitation, 'Lee');
  await knockOf(consolePage, 'Lee').getByRole('button', { name: 'Admit Lee' }).click();
  const person = consolePage.locator('[data-testid^="person-"]').filter({ hasText: 'Lee' });
  await expect(person.locator('[data-testid^="key-"]')).toHaveText('Can’t encrypt');
  const leeId = (await person.getAttribute('data-testid'))!.slice('person-'.length);

  // By default: refused, and nothing flows either way.
  await expect(clientPage.getByTestId('encryption-unsupported')).toBeVisible();
  await clientPage.waitForTimeout(1500);
  await expect(person).toContainText('Mic off');
  expect(await clientPage.locator('audio').count()).toBe(0);
  await expect(consolePage.getByTestId('e2ee-state')).toHaveText('End-to-end encrypted');

  // Another client, whose browser encrypts, in the group with them.
  const samContext = await browser.newContext();
  const samPage = await samContext.newPage();
  const samInvitation = await consoleIssuesLink(consolePage, running.demo.info.sessionId, running.demo.info.invitations[5]!);
  await clientChecksIn(samPage, samInvitation, 'Sam');
  await knockOf(consolePage, 'Sam').getByRole('button', { name: 'Admit Sam' }).click();
  await expect(samPage.getByTestId('encryption')).toHaveAttribute('data-state', 'on');
  const samId = (await consolePage.locator('[data-testid^="person-"]').filter({ hasText: 'Sam' }).getAttribute('data-testid'))!.slice('person-'.length);

  // The facilitator allows it, after being told what it means.
  await consolePage.getByRole('button', { name: 'Actions for Lee' }).click();
  await consolePage.getByRole('menuitem', { name: 'Let Lee join by audio without encryption…' }).click();
  const dialog = consolePage.getByRole('dialog');
  await expect(dialog).toContainText('the server that connects you could hear Lee');
  await dialog.getByRole('button', { name: 'Allow audio without encryption' }).click();

  // Everyone is told: the console (with who), and the page.
  await expect(consolePage.getByTestId('e2ee-state')).toHaveAttribute('data-state', 'partial');
  await expect(consolePage.getByTestId('e2ee-state')).toContainText('Lee');
  await expect(consolePage.getByTestId(`key-${leeId}`)).toHaveText('Audio, not encrypted');
  await expect(clientPage.getByTestId('encryption-clear-self')).toContainText('without encryption');
  await expect(clientPage.getByTestId('encryption')).toHaveAttribute('data-state', 'partial');
  await expect(samPage.getByTestId('encryption')).toHaveAttribute('data-state', 'partial');
  await expect(samPage.getByTestId('encryption')).toContainText('Not fully end-to-end encrypted');

  // They hear each other; Lee sends no camera and sees none.
  await expect.poll(() => remoteAudioPeak(clientPage, 'audio'), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await expect.poll(() => remoteAudioPeak(consolePage, 'audio[data-testid="remote-audio"]'), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await expect(person).toContainText('Mic on');
  await expect(person).toContainText('Camera off');
  // Sam plays Lee's voice as it comes; Lee gets Sam's clear copy (and Sam's camera never).
  await expect(samPage.getByTestId(`tile-${leeId}`).locator('.tile__mic--off')).toHaveCount(0, { timeout: 20_000 });
  await expect(clientPage.getByTestId(`tile-${samId}`).locator('.tile__mic--off')).toHaveCount(0, { timeout: 20_000 });
  const remoteVideoWidths = await clientPage
    .locator('[data-testid^="tile-"]:not([data-testid="tile-self"]) video')
    .evaluateAll((vs) => vs.map((v) => (v as HTMLVideoElement).videoWidth));
  expect(remoteVideoWidths.every((w) => w === 0)).toBe(true);

  // A tap admitted beside them: it gets the facilitator's video, sealed, and decodes none of it;
  // the facilitator's clear copy of their voice is not for it.
  const tapContext = await browser.newContext();
  const tapPage = await tapContext.newPage();
  await tapPage.goto(tapUrl);
  await tapPage.waitForFunction(() => 'tap' in window);
  const { wsUrl, invitations } = running.demo.info;
  const tapId = await tapPage.evaluate((c) => (window as unknown as TapWindow).tap.start(c), { wsUrl, token: invitations[4]!.token, passcode: invitations[4]!.passcode });
  await knockOf(consolePage, 'Tap').getByRole('button', { name: 'Admit Tap' }).click();
  await expect(consolePage.getByTestId(`key-${tapId}`)).toHaveText('No key yet');
  await expect
    .poll(async () => (await readTap(tapPage)).streams.filter((s) => s.kind === 'video' && s.packetsReceived >= TAP_SECONDS * VIDEO_PACKETS_PER_SECOND).length, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(1);
  // Every stream of theirs has handed the tap's decoders frames before it is judged.
  await expect
    .poll(async () => (await readTap(tapPage)).census.filter((c) => c.participantId !== leeId && c.frames === 0).length, { timeout: 20_000 })
    .toBe(0);
  const tap = await readTap(tapPage);
  console.log(`tap streams beside audio in the clear: ${JSON.stringify(tap.streams)}`);
  for (const s of tap.streams.filter((x) => x.kind === 'video')) expect(s.framesDecoded, `video of ${s.participantId}`).toBe(0);
  // Each encrypting member's voice reaches it once, sealed: their clear copies go to Lee alone.
  const members = tap.streams.filter((s) => s.kind === 'video').map((s) => s.participantId);
  expect(members.length).toBeGreaterThanOrEqual(1);
  for (const id of members) expect(tap.streams.filter((s) => s.kind === 'audio' && s.participantId === id), `audio of ${id}`).toHaveLength(1);
  // Frame by frame: everything of theirs it got was sealed (at most the epochs of one change
  // apart). Lee's voice is the one thing in the clear, by the facilitator's word, for all to hear.
  console.log(`tap census beside audio in the clear: ${JSON.stringify(tap.census)}`);
  expectAllSealed(tap.census.filter((x) => x.participantId !== leeId), 2);
  await snapshot(consolePage, testInfo, 'console-clear-audio');
  await snapshot(clientPage, testInfo, 'participant-clear-audio');
  await expectAccessible(clientPage, testInfo, 'participant-call-clear-audio');
  await tapContext.close();

  // Turned off: back to fully encrypted, and Lee is refused again.
  await consolePage.getByRole('button', { name: 'Actions for Lee' }).click();
  await consolePage.getByRole('menuitem', { name: 'Stop Lee’s audio without encryption' }).click();
  await expect(consolePage.getByTestId('e2ee-state')).toHaveText('End-to-end encrypted');
  await expect(consolePage.getByTestId(`key-${leeId}`)).toHaveText('Can’t encrypt');
  await expect(clientPage.getByTestId('encryption-unsupported')).toBeVisible();
  await expect(person).toContainText('Mic off');
  await expect(samPage.getByTestId('encryption')).toHaveAttribute('data-state', 'on');

  await samContext.close();
  await consoleContext.close();
  await clientContext.close();
});
