import { beforeEach, describe, expect, it } from 'vitest';
import { useConsole } from '../../src/renderer/src/store';
import { helloWith, person } from './support/room';

const hello = helloWith({
  waiting: [person('w1', 'waiting')],
  producers: [{ producerId: 'p1', participantId: 'me', kind: 'video', paused: false }],
});

beforeEach(() => {
  useConsole.getState().roomConnecting();
  useConsole.getState().roomJoined(hello);
});

describe('the console room store', () => {
  it('keeps each person in exactly one list, chosen by their state', () => {
    const s = useConsole.getState();
    s.upsertParticipant(person('w1', 'admitted'));
    expect(Object.keys(useConsole.getState().waiting)).toEqual([]);
    expect(Object.keys(useConsole.getState().participants).sort()).toEqual(['me', 'w1']);
    // Returned to the waiting room: back in the waiting list only.
    s.upsertParticipant(person('w1', 'waiting'));
    expect(Object.keys(useConsole.getState().waiting)).toEqual(['w1']);
    expect(Object.keys(useConsole.getState().participants)).toEqual(['me']);
  });

  it('forgets a person who left together with their producers', () => {
    const s = useConsole.getState();
    s.upsertParticipant(person('c1', 'admitted'));
    s.setProducer({ producerId: 'p2', participantId: 'c1', kind: 'audio', paused: false });
    s.removeParticipant('c1');
    expect(useConsole.getState().participants['c1']).toBeUndefined();
    expect(Object.keys(useConsole.getState().producers)).toEqual(['p1']);
  });

  it('counts unread messages until their conversation is opened', () => {
    const s = useConsole.getState();
    s.addMessage('c1', { from: 'them', text: 'hi', at: 1 });
    s.addMessage('c1', { from: 'them', text: 'are you there?', at: 2 });
    expect(useConsole.getState().unread).toEqual({ c1: 2 });
    s.openConversation('c1');
    expect(useConsole.getState().unread).toEqual({});
    s.addMessage('c1', { from: 'them', text: 'thanks', at: 3 });
    s.addMessage('c1', { from: 'me', text: 'of course', at: 4 });
    expect(useConsole.getState().unread).toEqual({});
    expect(useConsole.getState().messages['c1']?.map((m) => m.text)).toEqual(['hi', 'are you there?', 'thanks', 'of course']);
  });

  it('drops every message when the session closes: nothing is kept after group', () => {
    const s = useConsole.getState();
    s.addMessage('c1', { from: 'them', text: 'private', at: 1 });
    s.roomClosed('The session has ended.');
    expect(useConsole.getState().messages).toEqual({});
    expect(useConsole.getState().unread).toEqual({});
    expect(useConsole.getState().roomError).toBe('The session has ended.');
  });
});

describe('the console’s group chat', () => {
  it('counts what arrives while folded, keeps it across a reconnect, and drops it when cleared or the room closes', () => {
    const s = useConsole.getState();
    expect(useConsole.getState().groupChat).toMatchObject({ enabled: true, messages: [], unread: 0, open: false });
    s.addGroupMessage({ from: 'w1', name: 'W1', text: 'hello', at: 1 });
    s.addGroupMessage({ from: 'me', name: 'You', text: 'welcome', at: 2 });
    expect(useConsole.getState().groupChat.unread).toBe(1);
    s.openGroupChat(true);
    expect(useConsole.getState().groupChat.unread).toBe(0);
    // Back after a dropped connection: what was written stays; on or off is the server's word.
    s.roomReconnecting();
    s.roomJoined({ ...hello, groupChat: false });
    expect(useConsole.getState().groupChat).toMatchObject({ enabled: false, open: true });
    expect(useConsole.getState().groupChat.messages.map((m) => [m.id, m.text])).toEqual([
      [1, 'hello'],
      [2, 'welcome'],
    ]);
    s.clearGroupMessages();
    expect(useConsole.getState().groupChat.messages).toEqual([]);
    s.addGroupMessage({ from: 'w1', name: 'W1', text: 'again', at: 3 });
    s.roomClosed();
    expect(useConsole.getState().groupChat.messages).toEqual([]);
  });
});
