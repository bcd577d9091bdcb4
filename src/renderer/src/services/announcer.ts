/**
 * What a screen reader says in the live session (issue 24): what a sighted facilitator sees
 * happen, in one polite live region (`Announcer` in App.tsx). Derived here from the store's
 * changes, so every way a change arrives (a notification, the facilitator's own act, a
 * reconnect) is said the same way: a knock, an admission, someone reconnecting and back, a
 * connection gone poor, a private or group message arriving (who, never the words), the room
 * locked or opened. Never a
 * client's crisis details, which the store never holds; nothing while the console is locked.
 */
import { useConsole, type ConsoleState } from '../store';

/** What changed between two states of the live room, in words; empty when nothing is worth saying. */
export function announcementsFor(prev: ConsoleState, next: ConsoleState): string[] {
  // Only within one live session: opening one, its snapshot after a reconnect, or leaving it
  // says nothing person by person (the screen's own headings do).
  if (prev.roomStatus !== 'live' || next.roomStatus !== 'live' || prev.session?.id !== next.session?.id) return [];
  const said: string[] = [];
  for (const [id, p] of Object.entries(next.waiting)) {
    if (prev.waiting[id]) continue;
    said.push(prev.participants[id] ? `${p.displayName} is back in the waiting room.` : `${p.displayName} is waiting to be let in.`);
  }
  for (const [id, p] of Object.entries(next.participants)) {
    if (id === next.myParticipantId) continue;
    const before = prev.participants[id];
    if (!before) {
      if (p.role === 'client') said.push(prev.waiting[id] ? `${p.displayName} was let in.` : `${p.displayName} joined the group.`);
      continue;
    }
    if (before.connection !== 'reconnecting' && p.connection === 'reconnecting') said.push(`${p.displayName}’s connection dropped. They keep their place while it comes back.`);
    if (before.connection === 'reconnecting' && p.connection !== 'reconnecting') said.push(`${p.displayName} is back.`);
    // A connection gone poor is worth a word; weak comes and goes too often to say each time.
    if (before.connectionQuality !== 'poor' && p.connectionQuality === 'poor') said.push(`${p.displayName}’s connection is poor.`);
  }
  for (const [id, list] of Object.entries(next.messages)) {
    const was = prev.messages[id] ?? [];
    if (list.length > was.length && list.at(-1)?.from === 'them') {
      const name = next.participants[id]?.displayName ?? next.waiting[id]?.displayName ?? 'a client';
      said.push(`New private message from ${name}.`);
    }
  }
  const chat = next.groupChat.messages;
  if (chat.length > prev.groupChat.messages.length && chat.at(-1)?.from !== 'me') said.push(`New group chat message from ${chat.at(-1)!.name}.`);
  if (prev.locked !== next.locked) said.push(next.locked ? 'Room locked. Nobody new can join.' : 'Room open. New people can knock again.');
  return said;
}

/** Feeds the store's changes to the live region; returns the unsubscribe. */
export function watchAnnouncements(): () => void {
  return useConsole.subscribe((next, prev) => {
    if (next.lock?.locked) {
      // Locked: nothing about anyone stays on the page, the live region included.
      if (next.announcement) useConsole.setState({ announcement: '' });
      return;
    }
    const said = announcementsFor(prev, next);
    if (said.length > 0) next.announce(said.join(' '));
  });
}
