/**
 * The participant page's private conversation with the therapist: messages received and sent
 * (relayed by the server, never stored), and opening and closing the conversation. Its state
 * lives in the moderation reducer (moderation.ts); what the page does with it belongs here.
 */
import { ProtocolError, TO_FACILITATOR, type NotificationTypes } from '../shared/protocol';
import type { SignalingClient } from '../client/signaling';
import type { PageEncryption } from './encryption';
import { MESSAGE_MAX, type MessageCheck } from './moderation';
import { announce, moderate, pageState } from './store';
import { words } from './i18n';

/**
 * A message from the therapist: sealed in the call (opened with the group key, and only if it
 * says it is from the facilitator to this person), plain in the waiting room, where nobody
 * holds a key and the message travels protected by TLS alone.
 */
export function onMessage(message: NotificationTypes['message'], encryption: PageEncryption): void {
  // To a client, only the facilitator writes; anything else is not for this page.
  if (message.from !== TO_FACILITATOR) return;
  const self = pageState().participantId ?? '';
  // In the group, only sealed words are the therapist's: one in the clear could be anyone's
  // who controls the server, so it is not shown.
  const { screen } = pageState();
  if (!('sealed' in message) && (screen === 'call' || screen === 'joining')) return;
  const text = 'sealed' in message ? encryption.open(message.sealed, TO_FACILITATOR, self) : message.text;
  if (typeof text !== 'string' || !text.trim()) return;
  // In the waiting room the conversation is shown in full (replies wait for admission).
  const seen = pageState().screen === 'waiting';
  moderate({ type: 'messageReceived', text, at: Date.now(), seen });
  // An open conversation announces through its own log; a closed one through the status line,
  // which says who wrote but never the words: spoken unasked, perhaps through speakers beside
  // the microphone, they could reach the group. They are a tab away, on the screen.
  if (!pageState().moderation.chatOpen) announce(words().chat.newPrivate);
}

/** Sends a message to the session's facilitators over the current socket, if there is one. */
export async function sendMessage(signaling: SignalingClient | null, raw: string, encryption: PageEncryption): Promise<MessageCheck> {
  const check = checkMessage(raw);
  if (!check.ok) return check;
  const { screen } = pageState();
  if (!signaling || (screen !== 'call' && screen !== 'joining')) {
    return { ok: false, error: words().chat.notInSession };
  }
  // In the call a message goes sealed, never in the clear: without the key yet, it waits.
  const sealed = encryption.seal(pageState().participantId ?? '', TO_FACILITATOR, check.text);
  if (!sealed) return notKeyedYet();
  try {
    await signaling.request('message', { to: TO_FACILITATOR, sealed });
    // The conversation's own log announces it.
    moderate({ type: 'messageSent', text: check.text, at: Date.now() });
    return check;
  } catch (err) {
    return notSent(err);
  }
}

/** A message in the call waits for the call's key: it never goes in the clear. */
export function notKeyedYet(): MessageCheck {
  return { ok: false, error: words().chat.notKeyed };
}

/** What the person is told when the server refused a message (private or to the group). */
export function notSent(err: unknown): MessageCheck {
  if (err instanceof ProtocolError && err.code === 'RATE_LIMITED') {
    return { ok: false, error: words().chat.tooMany };
  }
  return { ok: false, error: words().chat.notSent };
}

export function openChat(): void {
  moderate({ type: 'chatOpened' });
}

export function closeChat(): void {
  moderate({ type: 'chatClosed' });
}

export function dismissPreview(): void {
  moderate({ type: 'previewDismissed' });
}

/** Checks a message the way the server will (trimmed, 1–2000 characters), with words for the person. */
export function checkMessage(raw: string): MessageCheck {
  const text = raw.trim();
  if (!text) return { ok: false, error: words().chat.writeFirst };
  if (text.length > MESSAGE_MAX) {
    return { ok: false, error: words().chat.tooLong(MESSAGE_MAX) };
  }
  return { ok: true, text };
}
