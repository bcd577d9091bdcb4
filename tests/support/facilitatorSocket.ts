/** The demo facilitator signed in over HTTP (with a fresh TOTP code) and joined over WebSocket, as tests drive it. */
import WebSocket from 'ws';
import { SignalingClient } from '../../src/client/signaling';
import { LoginResponse, type ClinicianHelloResult, type DemoInfo } from '../../src/shared/protocol';
import { freshTotp } from './totpCodes';
import { clinicianHello } from './clinicianHello';
import { TestKeyHolder } from './testKeyHolder';

/**
 * The facilitator holds the call's group key, as the console does (TestKeyHolder): clients
 * who open their link with `linkWithSecret` are keyed once admitted.
 */
export async function facilitatorSocket(
  info: DemoInfo,
  subscribe: (signaling: SignalingClient) => void = () => undefined,
): Promise<{ signaling: SignalingClient; hello: ClinicianHelloResult; keys: TestKeyHolder }> {
  const res = await fetch(`${info.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: info.facilitator.username,
      password: info.facilitator.password,
      totp: await freshTotp(info.facilitator.totpSecret!),
    }),
  });
  if (res.status !== 200) throw new Error(`facilitator sign-in answered ${res.status}`);
  const login = LoginResponse.parse(await res.json());
  const signaling = await SignalingClient.connect(info.wsUrl, { WebSocketImpl: WebSocket });
  // Subscribe before hello so no notification is missed.
  const keys = new TestKeyHolder(info);
  keys.listen(signaling);
  subscribe(signaling);
  // As the console does: main asks for a ticket with the token, the socket sees only the ticket.
  const hello = await signaling.request('hello', await clinicianHello(info.httpUrl, login.token, info.sessionId));
  keys.joined(hello.participantId, [...hello.participants, ...hello.waiting]);
  return { signaling, hello, keys };
}
