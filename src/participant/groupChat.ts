/**
 * The group's text channel on the participant page (issue 20): what everyone in the group
 * writes for everyone, sealed under the group key like private messages, relayed by the server
 * and never kept (a page that reloads, or someone let in later, sees nothing from before).
 * The facilitators turn it off and on and clear it. Its state is groupChatState.ts's; here is
 * what the page does with it: open what arrives, seal what is sent.
 */
import { ProtocolError, TO_GROUP, type NotificationTypes } from '../shared/protocol';
import type { SignalingClient } from '../client/signaling';
import type { PageEncryption } from './encryption';
import { groupChatReducer, type GroupChatEvent } from './groupChatState';
import { checkMessage, notKeyedYet, notSent } from './chat';
import { words } from './i18n';
import { moderationReducer, type MessageCheck } from './moderation';
import { announce, pageState, setPageState, type ParticipantState } from './store';

const chatOff = (): MessageCheck => ({ ok: false, error: words().chat.groupOff });

/** Feeds one event to the group chat's reducer. */
export function chatEvent(event: GroupChatEvent): void {
  setPageState((s: ParticipantState) => ({ groupChat: groupChatReducer(s.groupChat, event) }));
}

/**
 * A message to the group: shown only if it opens under a key held here as written by the
 * person the server says sent it, to the group. A box that does not open (an epoch this page
 * never held, someone pretending) is dropped unseen.
 */
export function onGroupMessage({ from, sealed }: NotificationTypes['groupMessage'], encryption: PageEncryption): void {
  if (pageState().screen !== 'call') return;
  const text = encryption.open(sealed, from, TO_GROUP);
  if (typeof text !== 'string' || !text.trim()) return;
  const peer = pageState().peers[from];
  const name = peer?.displayName ?? words().chat.someone;
  const byFacilitator = peer?.role === 'facilitator';
  chatEvent({ type: 'received', from, name, byFacilitator, text, at: Date.now() });
  // An open panel announces through its own log; a closed one through the status line.
  if (!pageState().groupChat.open) announce(words().chat.newGroup(byFacilitator ? null : name));
}

export function onGroupChat(enabled: boolean): void {
  if (pageState().groupChat.enabled === enabled) return;
  chatEvent({ type: 'enabled', enabled });
  announce(enabled ? words().chat.groupOnNow : words().chat.groupOffNow);
}

export function onGroupChatCleared(): void {
  chatEvent({ type: 'cleared' });
  announce(words().chat.groupCleared);
}

/** Sends a message to everyone in the group, sealed; never in the clear. */
export async function sendGroupMessage(signaling: SignalingClient | null, raw: string, encryption: PageEncryption): Promise<MessageCheck> {
  const check = checkMessage(raw);
  if (!check.ok) return check;
  if (!signaling || pageState().screen !== 'call') return { ok: false, error: words().chat.groupNotInSession };
  if (!pageState().groupChat.enabled) return chatOff();
  const sealed = encryption.seal(pageState().participantId ?? '', TO_GROUP, check.text);
  if (!sealed) return notKeyedYet();
  try {
    await signaling.request('groupMessage', { sealed });
    chatEvent({ type: 'sent', text: check.text, at: Date.now() });
    return check;
  } catch (err) {
    if (!(err instanceof ProtocolError && err.code === 'FORBIDDEN')) return notSent(err);
    // Turned off while this was on its way: the panel says so from now on.
    chatEvent({ type: 'enabled', enabled: false });
    return chatOff();
  }
}

/** Opens the group chat; the private conversation closes, as the two share the side of the screen. */
export function openGroupChat(): void {
  setPageState((s) => ({
    groupChat: groupChatReducer(s.groupChat, { type: 'opened' }),
    moderation: moderationReducer(s.moderation, { type: 'chatClosed' }),
  }));
}

export function closeGroupChat(): void {
  chatEvent({ type: 'closed' });
}
