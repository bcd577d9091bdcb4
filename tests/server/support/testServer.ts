/** Starts the real server (real mediasoup worker, loopback) in demo shape for a test file. */
import { setLogLevel } from '../../../src/common/logger.js';
import { startDemo, type DemoOptions, type RunningDemo } from '../../../src/server/demo.js';
import type { DemoInfo } from '../../../src/shared/protocol.js';
import { clinicianHello } from '../../support/clinicianHello.js';
import { signIn } from './signIn.js';
import { TestClient } from './wsClient.js';

setLogLevel(process.env.CONFIDANT_LOG_LEVEL === 'debug' ? 'debug' : 'error');

/** The demo with `invitations` invitations, its config overridden by `config`, and `start` options (limits, hashing cost) for the server. */
export async function startTestDemo(invitations = 4, config: Record<string, unknown> = {}, start?: DemoOptions['start']): Promise<RunningDemo> {
  return startDemo({ invitations, workers: 1, participantDir: '/nonexistent-participant-dir', config, ...(start ? { start } : {}) });
}

export type Invitation = DemoInfo['invitations'][number];

const tokens = new Map<string, string>();

/**
 * A bearer token for the demo clinician: signed in once per demo server with password and
 * TOTP, then reused (each code works once, and tests need many connections, not many sign-ins).
 */
export async function login(info: DemoInfo, who: 'facilitator' | 'supervisor' = 'facilitator'): Promise<string> {
  const key = `${info.httpUrl}|${who}`;
  const cached = tokens.get(key);
  if (cached) return cached;
  const { username, password, totpSecret } = info[who];
  if (!totpSecret) throw new Error('the demo printed no totpSecret');
  const token = await signIn(info.httpUrl, username, password, totpSecret);
  tokens.set(key, token);
  return token;
}

export async function connectClinician(
  info: DemoInfo,
  who: 'facilitator' | 'supervisor' = 'facilitator',
): Promise<{ client: TestClient; hello: Record<string, unknown> }> {
  const token = await login(info, who);
  const client = await TestClient.connect(info.wsUrl);
  const hello = await client.call('hello', await clinicianHello(info.httpUrl, token, info.sessionId));
  return { client, hello };
}

export async function connectParticipant(
  info: DemoInfo,
  invitation: Invitation,
): Promise<{ client: TestClient; participantId: string; hello: Record<string, unknown> }> {
  const client = await TestClient.connect(info.wsUrl);
  const hello = await client.call('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  return { client, participantId: String(hello.participantId), hello };
}

export const AGREEMENT_VERSION_OF = (hello: Record<string, unknown>): string =>
  (hello.agreement as { version: string }).version;

/** A participant through hello and check-in: in the waiting room. */
export async function knock(
  info: DemoInfo,
  invitation: Invitation,
  displayName = 'Robin',
): Promise<{ client: TestClient; participantId: string }> {
  const { client, participantId, hello } = await connectParticipant(info, invitation);
  await client.call('checkIn', {
    displayName,
    agreementVersion: AGREEMENT_VERSION_OF(hello),
    media: { audio: true, video: false },
  });
  return { client, participantId };
}

/** A participant admitted by the given facilitator connection. */
export async function admitted(
  info: DemoInfo,
  invitation: Invitation,
  facilitator: TestClient,
  displayName = 'Robin',
): Promise<{ client: TestClient; participantId: string }> {
  const p = await knock(info, invitation, displayName);
  await facilitator.call('admit', { participantId: p.participantId });
  await p.client.waitFor('admitted');
  return p;
}
