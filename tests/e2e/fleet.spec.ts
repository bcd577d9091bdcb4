/**
 * Two session servers on one PostgreSQL database (real processes, tests/support/fleet.ts),
 * end to end in Chromium with fake camera and microphone:
 * - the facilitator signs in to the first server and opens the session there; two clients open
 *   their links through the second server and reach the session on the first;
 * - the first server is killed (SIGKILL) mid-call: within 20 s the facilitator and both
 *   clients see and hear each other again through the second, with nobody clicking anything
 *   and nobody knocking again;
 * - afterwards the roster shows each client present, with the drop and the return, and the
 *   audit chain verifies.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '../support/e2eTest';
import { Roster } from '../../src/shared/protocol';
import { openConfiguredStore } from '../../src/server/store/open';
import { startConsoleHost, type ConsoleHost } from '../support/consoleHost';
import { startFleet, type Fleet } from '../support/fleet';
import { audible, clientChecksIn, clinicianSignsIn, consoleIssuesLink, explainingMedia, knockOf, newVideoFlowing, opensFirstSession, remoteAudioPeak, snapshot, videoIn, videoWidthIn } from '../support/flows';
import { freshTotp } from '../support/totpCodes';
import { recordPeerConnections } from '../support/mediaDiagnostics';

/** What the issue allows from the kill to everyone seeing and hearing each other again. */
const RECOVERY_MS = 20_000;
const CONSOLE_AUDIO = 'audio[data-testid="remote-audio"]';

let fleet: Fleet;
let host: ConsoleHost;

test.beforeAll(async () => {
  fleet = await startFleet({ servers: 2, invitations: 2, leaseSeconds: 3 });
  host = await startConsoleHost({ defaultServerUrl: fleet.members[0]!.url });
});

test.afterAll(async () => {
  await host?.close();
  await fleet?.dispose();
});

interface Client {
  name: string;
  context: BrowserContext;
  page: Page;
  /** The console's tile of this client. */
  tileId: string;
}

async function clientThroughSecondServer(browser: Browser, consolePage: Page, n: number, name: string): Promise<Client> {
  // The link as this console issues it (with the secret that vouches for the client's key)...
  const invitation = await consoleIssuesLink(consolePage, fleet.seed.sessionId, fleet.seed.invitations[n]!);
  const context = await browser.newContext();
  await recordPeerConnections(context);
  const page = await context.newPage();
  // ...as the second server serves it: the page is sent on to the first, the host.
  await clientChecksIn(page, { ...invitation, url: `${fleet.members[1]!.url}/join/${invitation.token}${new URL(invitation.url).hash}` }, name);
  await knockOf(consolePage, name).getByRole('button', { name: `Admit ${name}` }).click();
  const tile = consolePage.locator('[data-testid^="tile-"]').filter({ hasText: name });
  await expect(tile).toBeVisible();
  return { name, context, page, tileId: (await tile.getAttribute('data-testid'))! };
}

/** How many people a server's rooms hold, as its Prometheus endpoint reports. */
async function peersOn(member: Fleet['members'][0]): Promise<number> {
  const text = await (await fetch(member.metricsUrl)).text();
  return Number(/^confidant_peers (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** The tile on `page` of the person called `name` (other than oneself). */
async function tileOf(page: Page, name: string): Promise<string> {
  const tile = page.locator('[data-testid^="tile-"]:not([data-testid="tile-self"])').filter({ hasText: name });
  await expect(tile).toBeVisible();
  return (await tile.getAttribute('data-testid'))!;
}

test('the server hosting a call is killed and everyone sees and hears each other again within 20 s through the other', async ({ browser }, testInfo) => {
  const [first, second] = fleet.members as [Fleet['members'][0], Fleet['members'][0]];
  const consoleContext = await browser.newContext();
  await recordPeerConnections(consoleContext);
  const consolePage = await consoleContext.newPage();
  await host.attach(consolePage);
  await clinicianSignsIn(consolePage, host, fleet.seed.facilitator, first.url);
  await opensFirstSession(consolePage);

  const clients = [await clientThroughSecondServer(browser, consolePage, 0, 'Robin'), await clientThroughSecondServer(browser, consolePage, 1, 'Sam')];
  const [robin, sam] = clients as [Client, Client];
  // Who sees whom: the console each client; each client the facilitator and the other client.
  const views: { page: Page; tileId: string; audio: string }[] = [
    ...clients.map((c) => ({ page: consolePage, tileId: c.tileId, audio: CONSOLE_AUDIO })),
    { page: robin.page, tileId: await tileOf(robin.page, 'Sam'), audio: 'audio' },
    { page: sam.page, tileId: await tileOf(sam.page, 'Robin'), audio: 'audio' },
  ];
  for (const c of clients) {
    const facilitatorTile = c.page.locator('[data-testid^="tile-"]:not([data-testid="tile-self"])').filter({ hasNotText: c.name === 'Robin' ? 'Sam' : 'Robin' }).first();
    views.push({ page: c.page, tileId: (await facilitatorTile.getAttribute('data-testid'))!, audio: 'audio' });
  }
  for (const v of views) await expect.poll(() => videoWidthIn(v.page, v.tileId), { timeout: 20_000 }).toBeGreaterThan(0);
  for (const page of [consolePage, robin.page, sam.page]) {
    await expect.poll(() => remoteAudioPeak(page, page === consolePage ? CONSOLE_AUDIO : 'audio'), { timeout: 20_000 }).toBeGreaterThan(0.01);
  }
  // The pages came from the second server; the call runs on the first: everyone is there.
  for (const c of clients) expect(new URL(c.page.url()).origin).toBe(second.url);
  expect(await peersOn(first)).toBe(3);
  expect(await peersOn(second)).toBe(0);
  await snapshot(consolePage, testInfo, 'fleet-console-before');

  const before = await Promise.all(views.map((v) => videoIn(v.page, v.tileId)));
  const killedAt = Date.now();
  await fleet.kill(0);
  const deadline = killedAt + RECOVERY_MS;
  const seen = await explainingMedia({ console: consolePage, robin: robin.page, sam: sam.page }, () =>
    Promise.all(views.map((v, i) => newVideoFlowing(v.page, v.tileId, before[i]!.trackId, deadline))),
  );
  const heard = await Promise.all([consolePage, robin.page, sam.page].map((page) => audible(page, page === consolePage ? CONSOLE_AUDIO : 'audio', deadline)));
  const took = Math.max(...seen, ...heard) - killedAt;
  testInfo.annotations.push({ type: 'recovery', description: `everyone seeing and hearing each other ${took} ms after the kill` });
  expect(took).toBeLessThan(RECOVERY_MS);
  // Nobody knocked again: the waiting room stayed empty, and both clients are in the call.
  await expect(consolePage.locator('[data-testid^="waiting-"]')).toHaveCount(0);
  for (const c of clients) await expect(c.page.getByTestId('tile-self')).toBeVisible();
  expect(await peersOn(second)).toBe(3);
  await snapshot(consolePage, testInfo, 'fleet-console-after');
  await snapshot(robin.page, testInfo, 'fleet-participant-after');

  // The roster, read through the server that took over, shows both present with the drop and
  // the return; the audit chain verifies.
  const { username, password, totpSecret } = fleet.seed.facilitator;
  const login = await fetch(`${second.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, totp: await freshTotp(totpSecret) }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const roster = Roster.parse(await (await fetch(`${second.url}/api/sessions/${fleet.seed.sessionId}/roster`, { headers: { authorization: `Bearer ${token}` } })).json());
  const store = await openConfiguredStore({ dataDir: testInfo.outputPath('store'), database: { url: fleet.databaseUrl } }, { recordsKey: fleet.recordsKey });
  try {
    // What the record holds, to say why when a status is not the one expected.
    const events = (await store.attendance.forSession(fleet.seed.sessionId)).map((e) => `${e.participantId.slice(0, 8)} ${e.kind} ${e.at}`);
    for (const name of ['Robin', 'Sam']) {
      const entry = roster.find((e) => e.displayName === name);
      expect(entry, `${name}'s roster entry from:\n${events.join('\n')}`).toMatchObject({ status: 'present', admittedBy: expect.any(String) });
      expect(entry!.reconnects).toBeGreaterThanOrEqual(1);
    }
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  } finally {
    await store.close();
  }

  for (const c of clients) await c.context.close();
  await consoleContext.close();
});
