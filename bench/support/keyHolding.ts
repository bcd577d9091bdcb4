/**
 * A protocol-level facilitator that holds the call's group key (issue 19), for the benches
 * that drive real participant pages from this process: the test server's client
 * (tests/server/support/wsClient.ts) joined as `connectClinician` joins it, with the real
 * KeyHolder (tests/support/testKeyHolder.ts) listening from before its hello. Pages must open
 * their link with the secret that holder vouches for (`linkWithSecret`), or they are never keyed.
 */
import type { DemoInfo, NotificationName, NotificationTypes } from '../../src/shared/protocol';
import { login } from '../../tests/server/support/testServer';
import { TestClient } from '../../tests/server/support/wsClient';
import { clinicianHello } from '../../tests/support/clinicianHello';
import { TestKeyHolder, linkWithSecret, type KeySignaling } from '../../tests/support/testKeyHolder';
import type { Participant } from '../../src/shared/protocol';

/** What the holder did, for a bench's trace: `>sendGroupKey` as a key leaves, `<…` as it is answered, `~notification` as one it acts on arrives. */
export type KeyTrace = (event: string) => void;

/** The test client as the key holder's signaling: its requests, and its notifications by name. */
export function keySignalingOf(client: TestClient, trace?: KeyTrace): KeySignaling {
  return {
    request: async (method, data) => {
      trace?.(`>${method}`);
      const answer = await client.call(method, data);
      trace?.(`<${method}`);
      return answer;
    },
    on<N extends NotificationName>(name: N, handler: (data: NotificationTypes[N]) => void) {
      const listener = (raw: unknown): void => {
        const frame = JSON.parse(String(raw)) as { notification?: string; data?: unknown };
        if (frame.notification !== name) return;
        trace?.(`~${name}`);
        handler(frame.data as NotificationTypes[N]);
      };
      client.socket.on('message', listener);
      return () => client.socket.off('message', listener);
    },
  };
}

/** `connectClinician`, with the facilitator holding the group key and keying whoever is admitted. */
export async function keyHoldingClinician(
  info: DemoInfo,
  who: 'facilitator' | 'supervisor' = 'facilitator',
  trace?: KeyTrace,
): Promise<{ client: TestClient; hello: Record<string, unknown>; keys: TestKeyHolder }> {
  const token = await login(info, who);
  const client = await TestClient.connect(info.wsUrl);
  const keys = new TestKeyHolder(info);
  keys.listen(keySignalingOf(client, trace));
  const hello = await client.call('hello', await clinicianHello(info.httpUrl, token, info.sessionId));
  const everyone = [...((hello.participants ?? []) as Participant[]), ...((hello.waiting ?? []) as Participant[])];
  keys.joined(String(hello.participantId), everyone);
  return { client, hello, keys };
}

/** The invitation as the key holder's console would issue it: its link carries the secret. */
export function withSecret<I extends DemoInfo['invitations'][number]>(info: DemoInfo, invitation: I): I {
  return { ...invitation, url: linkWithSecret(info, invitation) };
}
