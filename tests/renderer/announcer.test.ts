/**
 * What the console's live region says (src/renderer/src/services/announcer.ts): each change a
 * sighted facilitator would see in the live session, by name, and never a message's words.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Participant } from '../../src/shared/protocol';
import { useConsole, type ConsoleState } from '../../src/renderer/src/store';
import { announcementsFor } from '../../src/renderer/src/services/announcer';
import { helloWith, person } from './support/room';

/** Robin and Sam, clients. */
const client = (id: 'r' | 's', state: Participant['state'], extra: Partial<Participant> = {}): Participant =>
  person(id, state, { displayName: id === 'r' ? 'Robin' : 'Sam', ...extra });
const hello = helloWith({ participants: [person('me', 'admitted', { role: 'facilitator', displayName: 'Dr. Demo' })] });

/** What one change to the store makes the live region say. */
function said(change: (s: ConsoleState) => void): string[] {
  const before = useConsole.getState();
  change(before);
  return announcementsFor(before, useConsole.getState());
}

beforeEach(() => {
  useConsole.getState().roomConnecting();
  useConsole.getState().roomJoined(hello);
});

describe('the console’s live region', () => {
  it('says who knocks, who is let in, who drops and comes back', () => {
    expect(said((s) => s.upsertParticipant(client('r', 'waiting')))).toEqual(['Robin is waiting to be let in.']);
    expect(said((s) => s.upsertParticipant(client('r', 'admitted')))).toEqual(['Robin was let in.']);
    expect(said((s) => s.upsertParticipant(client('r', 'admitted', { connection: 'reconnecting' })))).toEqual([
      'Robin’s connection dropped. They keep their place while it comes back.',
    ]);
    expect(said((s) => s.upsertParticipant(client('r', 'admitted', { connection: 'connected' })))).toEqual(['Robin is back.']);
    expect(said((s) => s.upsertParticipant(client('r', 'admitted', { connection: 'connected', connectionQuality: 'weak' })))).toEqual([]);
    expect(said((s) => s.upsertParticipant(client('r', 'admitted', { connection: 'connected', connectionQuality: 'poor' })))).toEqual(['Robin’s connection is poor.']);
    expect(said((s) => s.upsertParticipant(client('r', 'waiting')))).toEqual(['Robin is back in the waiting room.']);
  });

  it('says who wrote, never what, and the lock either way', () => {
    useConsole.getState().upsertParticipant(client('r', 'admitted'));
    const heard = said((s) => s.addMessage('r', { from: 'them', text: 'I feel unsafe at home', at: 1 }));
    expect(heard).toEqual(['New private message from Robin.']);
    expect(heard.join(' ')).not.toContain('unsafe');
    // One's own messages are not announced back.
    expect(said((s) => s.addMessage('r', { from: 'me', text: 'Thank you for telling me', at: 2 }))).toEqual([]);
    expect(said((s) => s.addGroupMessage({ from: 'r', name: 'Robin', text: 'hello all', at: 3 }))).toEqual(['New group chat message from Robin.']);
    expect(said((s) => s.setLocked(true))).toEqual(['Room locked. Nobody new can join.']);
    expect(said((s) => s.setLocked(false))).toEqual(['Room open. New people can knock again.']);
  });

  it('says the language of a client whose page is not in English with their knock (issue 23)', () => {
    expect(said((s) => s.upsertParticipant(client('s', 'waiting', { language: 'es' })))).toEqual([
      'Sam is waiting to be let in. Their page is in Spanish.',
    ]);
    expect(said((s) => s.upsertParticipant(client('r', 'waiting', { language: 'en' })))).toEqual(['Robin is waiting to be let in.']);
  });

  it('says nothing person by person when a session opens or its snapshot comes back', () => {
    // Each step as the store takes it: the drop, then the server's fresh snapshot.
    expect(said((s) => s.roomReconnecting())).toEqual([]);
    expect(said((s) => s.roomJoined({ ...hello, waiting: [client('r', 'waiting')] }))).toEqual([]);
    expect(said((s) => s.roomConnecting())).toEqual([]);
  });
});
