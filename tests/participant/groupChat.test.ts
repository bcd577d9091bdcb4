/**
 * The group chat on the participant page (issue 20): its state (src/participant/groupChatState.ts)
 * as messages come and go, the facilitators turn it off and clear it, and the person leaves the
 * group; and what a group message is sealed as (src/client/e2ee/groupKeys.ts): it opens only as
 * from its writer to the group, never as a private message or from someone else, and not for
 * someone let in under a later key.
 */
import { describe, expect, it } from 'vitest';
import { GroupKeys } from '../../src/client/e2ee/groupKeys';
import { newGroupKey } from '../../src/client/e2ee/keys';
import { groupChatReducer, initialGroupChat, type GroupChatEvent, type GroupChatState } from '../../src/participant/groupChatState';
import { MESSAGES_KEPT } from '../../src/participant/moderation';
import { TO_FACILITATOR, TO_GROUP } from '../../src/shared/protocol';

function run(...events: GroupChatEvent[]): GroupChatState {
  return events.reduce(groupChatReducer, initialGroupChat);
}

const from = (n: number): GroupChatEvent => ({ type: 'received', from: 'p-ash', name: 'Ash', byFacilitator: false, text: `message ${n}`, at: n });

describe('the group chat’s state', () => {
  it('counts what arrives while closed, and nothing once opened', () => {
    const closed = run(from(1), from(2));
    expect(closed.unread).toBe(2);
    expect(closed.messages.map((m) => [m.name, m.text])).toEqual([
      ['Ash', 'message 1'],
      ['Ash', 'message 2'],
    ]);
    const opened = groupChatReducer(closed, { type: 'opened' });
    expect(opened.unread).toBe(0);
    expect(groupChatReducer(opened, from(3)).unread).toBe(0);
    // Someone's own message is never unread.
    expect(run({ type: 'sent', text: 'hi all', at: 1 })).toMatchObject({ unread: 0, messages: [{ from: 'me', name: '', text: 'hi all' }] });
  });

  it('follows the facilitators: off and on, and cleared for everyone', () => {
    const off = run({ type: 'admitted', enabled: false });
    expect(off.enabled).toBe(false);
    expect(groupChatReducer(off, { type: 'enabled', enabled: false })).toBe(off);
    const cleared = run(from(1), { type: 'opened' }, from(2), { type: 'cleared' });
    expect(cleared).toMatchObject({ messages: [], unread: 0, open: true });
  });

  it('keeps nothing once out of the group, and only the newest messages of a long session', () => {
    expect(run(from(1), { type: 'opened' }, { type: 'reset' })).toEqual(initialGroupChat);
    const long = run(...Array.from({ length: MESSAGES_KEPT + 5 }, (_, i) => from(i)));
    expect(long.messages).toHaveLength(MESSAGES_KEPT);
    expect(long.messages[0]!.text).toBe('message 5');
    // Ids stay unique after the oldest fall away.
    expect(new Set(long.messages.map((m) => m.id)).size).toBe(MESSAGES_KEPT);
  });
});

describe('a group message under the group key', () => {
  it('opens as from its writer to the group, and as nothing else', async () => {
    const key = newGroupKey();
    const [ash, bo, facilitator] = [new GroupKeys(), new GroupKeys(), new GroupKeys()];
    for (const k of [ash, bo, facilitator]) await k.set(2, key);
    const sealed = ash.seal('p-ash', TO_GROUP, 'I can’t talk today, but I’m listening')!;
    expect(bo.open(sealed, 'p-ash', TO_GROUP)).toBe('I can’t talk today, but I’m listening');
    expect(facilitator.open(sealed, 'p-ash', TO_GROUP)).toBe('I can’t talk today, but I’m listening');
    // A server that says it came from someone else, or passes it off as private, is not believed.
    expect(bo.open(sealed, 'p-bo', TO_GROUP)).toBeUndefined();
    expect(facilitator.open(sealed, 'p-ash', TO_FACILITATOR)).toBeUndefined();
    // Nor is a private message to the facilitators shown to the group.
    const privately = ash.seal('p-ash', TO_FACILITATOR, 'only for you')!;
    expect(bo.open(privately, 'p-ash', TO_GROUP)).toBeUndefined();
  });

  it('does not open for someone let in under a later key', async () => {
    const [ash, newcomer] = [new GroupKeys(), new GroupKeys()];
    await ash.set(2, newGroupKey());
    const before = ash.seal('p-ash', TO_GROUP, 'said before you came')!;
    await newcomer.set(3, newGroupKey());
    expect(newcomer.open(before, 'p-ash', TO_GROUP)).toBeUndefined();
  });
});
