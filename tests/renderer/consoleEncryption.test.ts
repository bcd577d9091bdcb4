/**
 * The console's side of the call's encryption (services/encryption.ts) as the room's list
 * changes under it: who is in the group is always read from the newest list, so a list that
 * was current when an update began, but was replaced while the console became the holder, never
 * takes anyone out of the group. (After a server takeover it did: the console made a new key
 * for "everyone still there", which was nobody, and the clients it had just keyed saw and heard
 * nothing of the facilitator.)
 *
 * The frame worker is a recording sink here (what it does with keys is e2e-tested); the key
 * exchange is the real KeyHolder and KeyMember, through a relay that delivers as the server.
 */
import { describe, expect, it } from 'vitest';
import type { GroupKey, MemberKey, Participant } from '../../src/shared/protocol';
import { ConsoleEncryption, type ConsoleFrames } from '../../src/renderer/src/services/encryption';
import { KeyMember } from '../../src/client/e2ee/keyMember';
import { toBase64url } from '../../src/client/e2ee/keys';

const person = (participantId: string, role: Participant['role'], connection: Participant['connection'] = 'connected'): Participant => ({
  participantId,
  role,
  displayName: participantId,
  state: 'admitted',
  verified: false,
  media: { audio: true, video: true },
  mutedByFacilitator: { audio: false, video: false },
  knockedAt: null,
  connection,
});

/** Keys as the frame worker gets them, in order. */
function recordingFrames(): ConsoleFrames & { epochs: number[]; clear: string[][] } {
  const epochs: number[] = [];
  const clear: string[][] = [];
  return {
    epochs,
    clear,
    setClearAudio: (ids) => void clear.push([...ids]),
    needsInsertableStreams: false,
    attach: () => undefined,
    setKey: async (epoch) => void epochs.push(epoch),
    forget: () => undefined,
    close: () => undefined,
    onMissingKey: () => () => undefined,
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

/**
 * A holder console over a relay that delivers as the server: `answers` answers the methods a
 * test holds back (everything else answers `{}` at once), and each sealed key sent to Robin is
 * opened by Robin's own KeyMember, proved by her link's secret.
 */
async function holderWithRobin(answers: Partial<Record<string, () => Promise<unknown>>>) {
  const secret = new Uint8Array(32).fill(9);
  const issuer = toBase64url(new Uint8Array(8).fill(1));
  const clientKeys: number[] = [];
  const client = new KeyMember({ participantId: 'p-robin', linkSecret: secret, linkIssuer: issuer, onGroupKey: (epoch) => clientKeys.push(epoch) });
  const announced: MemberKey = { participantId: 'p-robin', ...(await client.announcement()) };
  const relayed: Promise<boolean>[] = [];
  const signaling = {
    request: (async (method: string, params: unknown) => {
      const answer = answers[method];
      if (answer) return answer();
      if (method === 'sendGroupKey') {
        const { to, ...key } = params as { to: string } & Omit<GroupKey, 'from'>;
        if (to === 'p-robin') relayed.push(client.groupKey({ from: 'c-me', ...key }));
      }
      return method === 'memberKeys' ? { keys: [] } : {};
    }) as ConstructorParameters<typeof ConsoleEncryption>[0]['signaling']['request'],
  };
  const frames = recordingFrames();
  const encryption = new ConsoleEncryption({
    signaling,
    sessionId: 's-1',
    selfId: 'c-me',
    onView: () => undefined,
    onError: (message) => {
      throw new Error(message);
    },
    frames,
    linkSecrets: async () => ({ issuer, secrets: { 'p-robin': toBase64url(secret) } }),
  });
  /** Everything under way has settled, and Robin has opened every key sent to her. */
  const settled = async (): Promise<void> => {
    await flush();
    await Promise.all(relayed);
  };
  return { encryption, announced, frames, clientKeys, settled };
}

describe('the holder console as the room list changes', () => {
  it('a list replaced while the console became the holder does not take the client out of the group', async () => {
    // The server's list of keys answers late, as it may right after a takeover.
    const memberKeys = deferred<{ keys: MemberKey[] }>();
    const { encryption, announced, frames, clientKeys, settled } = await holderWithRobin({ memberKeys: () => memberKeys.promise });

    // The console's snapshot from the server taking over: the client is still on their way.
    const started = encryption.start([person('c-me', 'facilitator'), person('p-robin', 'client', 'reconnecting')]);
    await flush();
    // They are back before the server has answered with the keys announced so far.
    await encryption.update([person('c-me', 'facilitator'), person('p-robin', 'client')]);
    memberKeys.resolve({ keys: [announced] });
    await started;
    await settled();

    // One key, which the client has: the stale list made no second key the client never got.
    expect(frames.epochs).toEqual([0]);
    expect(clientKeys).toEqual([0]);
    encryption.close();
  });

  it('a snapshot older than the list when the console’s own announcement was answered does not take the client out', async () => {
    // The console's own announcement is answered late (the server is busy letting people back in).
    const published = deferred<object>();
    const { encryption, announced, frames, clientKeys, settled } = await holderWithRobin({ publishKey: () => published.promise });

    // After a restart the console is back first: its snapshot has nobody else in the group.
    const started = encryption.start([person('c-me', 'facilitator')]);
    await flush();
    // The client is let back in, and announces their key, while the console's announcement is on its way.
    await encryption.update([person('c-me', 'facilitator'), person('p-robin', 'client')]);
    await encryption.memberKey(announced);
    published.resolve({});
    await started;
    await settled();

    // The snapshot, applied last, would have said the client left: a new key they never got.
    expect(frames.epochs).toEqual([0]);
    expect(clientKeys).toEqual([0]);
    encryption.close();
  });
});

describe('the holder console letting someone take part by audio in the clear', () => {
  it('tells the server first, then seals the word with a new key; ends in the other order; only for a browser that cannot encrypt', async () => {
    const calls: string[] = [];
    const heard: string[][] = [];
    const frames = recordingFrames();
    const oldBrowser = new KeyMember({ participantId: 'p-old', cannotEncrypt: true, onGroupKey: () => undefined });
    const modern = new KeyMember({ participantId: 'p-new', onGroupKey: () => undefined });
    const encryption = new ConsoleEncryption({
      signaling: {
        request: (async (method: string, params: unknown) => {
          if (method === 'allowClearAudio' || method === 'sendGroupKey') calls.push(`${method} ${JSON.stringify((params as { allowed?: boolean }).allowed ?? (params as { to: string }).to)}`);
          return method === 'memberKeys' ? { keys: [] } : {};
        }) as ConstructorParameters<typeof ConsoleEncryption>[0]['signaling']['request'],
      },
      sessionId: 's-1',
      selfId: 'c-me',
      onView: () => undefined,
      onError: (message) => {
        throw new Error(message);
      },
      onClearAudio: (ids) => void heard.push([...ids]),
      frames,
      linkSecrets: async () => ({ issuer: null, secrets: {} }),
    });
    await encryption.start([person('c-me', 'facilitator'), person('p-old', 'client'), person('p-new', 'client')]);
    await encryption.memberKey({ participantId: 'p-old', ...(await oldBrowser.announcement()) });
    await encryption.memberKey({ participantId: 'p-new', ...(await modern.announcement()) });
    // Before its safety code is read, p-old's key is not trusted: nothing is allowed, nobody told.
    expect(await encryption.allowClearAudio('p-old', true)).toBe(false);
    expect(calls.filter((c) => c.startsWith('allowClearAudio'))).toEqual([]);
    // Their keys' codes read: p-new is keyed; p-old is trusted but cannot encrypt.
    await encryption.confirmCode('p-old');
    await encryption.confirmCode('p-new');
    await flush();
    calls.length = 0;

    expect(await encryption.allowClearAudio('p-new', true)).toBe(false);
    expect(calls).toEqual([]);
    expect(await encryption.allowClearAudio('p-old', true)).toBe(true);
    await flush();
    // The server first, then the new key to both: p-old gets a box now, with the list.
    expect(calls[0]).toBe('allowClearAudio true');
    expect(calls.slice(1).sort()).toEqual(['sendGroupKey "p-new"', 'sendGroupKey "p-old"']);
    expect(heard).toEqual([['p-old']]);
    expect(frames.clear.at(-1)).toEqual(['p-old']);

    calls.length = 0;
    expect(await encryption.allowClearAudio('p-old', false)).toBe(true);
    await flush();
    // The sealed word first (to p-new only), then the server.
    expect(calls).toEqual(['sendGroupKey "p-new"', 'allowClearAudio false']);
    expect(heard).toEqual([['p-old'], []]);
    expect(frames.clear.at(-1)).toEqual([]);
    encryption.close();
  });
});
