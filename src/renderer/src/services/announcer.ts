/**
 * What a screen reader says in the live session (issue 24): what a sighted facilitator sees
 * happen, in one polite live region (`Announcer` in App.tsx). Derived here from the store's
 * changes, so every way a change arrives (a notification, the facilitator's own act, a
 * reconnect) is said the same way: a knock, an admission, someone reconnecting and back, a
 * connection gone poor, a private or group message arriving (who, never the words), the room
 * locked or opened. Never a
 * client's crisis details, which the store never holds; nothing while the console is locked.
 */
import { t } from '../i18n';
import { useConsole, type ConsoleState } from '../store';

/** What changed between two states of the live room, in words; empty when nothing is worth saying. */
export function announcementsFor(prev: ConsoleState, next: ConsoleState): string[] {
  // Only within one live session: opening one, its snapshot after a reconnect, or leaving it
  // says nothing person by person (the screen's own headings do).
  if (prev.roomStatus !== 'live' || next.roomStatus !== 'live' || prev.session?.id !== next.session?.id) return [];
  const said: string[] = [];
  for (const [id, p] of Object.entries(next.waiting)) {
    if (prev.waiting[id]) continue;
    if (prev.participants[id]) {
      said.push(t.announcer.backInWaiting(p.displayName));
      continue;
    }
    // A client reading another language than the console's: said with the knock, as the badge shows it.
    const language = p.language && p.language !== 'en' ? ` ${t.language.announce(t.language.names[p.language])}` : '';
    said.push(`${t.announcer.waiting(p.displayName)}${language}`);
  }
  for (const [id, p] of Object.entries(next.participants)) {
    if (id === next.myParticipantId) continue;
    const before = prev.participants[id];
    if (!before) {
      if (p.role === 'client') said.push(prev.waiting[id] ? t.announcer.letIn(p.displayName) : t.announcer.joined(p.displayName));
      continue;
    }
    if (before.connection !== 'reconnecting' && p.connection === 'reconnecting') said.push(t.announcer.dropped(p.displayName));
    if (before.connection === 'reconnecting' && p.connection !== 'reconnecting') said.push(t.announcer.back(p.displayName));
    // A connection gone poor is worth a word; weak comes and goes too often to say each time.
    if (before.connectionQuality !== 'poor' && p.connectionQuality === 'poor') said.push(t.announcer.poor(p.displayName));
  }
  for (const [id, list] of Object.entries(next.messages)) {
    const was = prev.messages[id] ?? [];
    if (list.length > was.length && list.at(-1)?.from === 'them') {
      const name = next.participants[id]?.displayName ?? next.waiting[id]?.displayName ?? t.announcer.aClient;
      said.push(t.announcer.privateMessage(name));
    }
  }
  const chat = next.groupChat.messages;
  if (chat.length > prev.groupChat.messages.length && chat.at(-1)?.from !== 'me') said.push(t.announcer.groupMessage(chat.at(-1)!.name));
  if (prev.locked !== next.locked) said.push(next.locked ? t.announcer.locked : t.announcer.unlocked);
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
