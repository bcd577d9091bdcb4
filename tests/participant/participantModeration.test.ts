/**
 * The participant page's moderation state (src/participant/moderation.ts): what mutes,
 * invitations to unmute, the lock and private messages do to what the person sees.
 */
import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/participant/chat';
import {
  initialModeration,
  MESSAGE_MAX,
  MESSAGES_KEPT,
  moderationReducer,
  promptKind,
  type ModerationEvent,
  type ModerationState,
} from '../../src/participant/moderation';
import { MessageText } from '../../src/shared/protocol';

function run(...events: ModerationEvent[]): ModerationState {
  return events.reduce(moderationReducer, initialModeration);
}

describe('a mute by the therapist', () => {
  it('locks that kind and says so calmly', () => {
    const s = run({ type: 'muted', kind: 'audio' });
    expect(s.mutedByFacilitator).toEqual({ audio: true, video: false });
    expect(s.notice).toEqual({ type: 'muted', kind: 'audio' });
    expect(promptKind(s)).toBeNull();
  });

  it('pressing the locked button explains instead of unmuting', () => {
    const s = run({ type: 'muted', kind: 'video' }, { type: 'blockedAttempt', kind: 'video' });
    expect(s.mutedByFacilitator.video).toBe(true);
    expect(s.notice).toEqual({ type: 'stillMuted', kind: 'video' });
  });

  it('a blocked attempt on a kind that is not muted changes nothing', () => {
    const before = run({ type: 'muted', kind: 'audio' });
    expect(moderationReducer(before, { type: 'blockedAttempt', kind: 'video' })).toBe(before);
  });

  it('a new mute withdraws an unanswered invitation to unmute', () => {
    const s = run({ type: 'muted', kind: 'audio' }, { type: 'unmuteAllowed', kind: 'audio' }, { type: 'muted', kind: 'audio' });
    expect(s.mutedByFacilitator.audio).toBe(true);
    expect(promptKind(s)).toBeNull();
  });
});

describe('an invitation to unmute', () => {
  it('lifts the lock and asks, without turning anything on', () => {
    const s = run({ type: 'muted', kind: 'audio' }, { type: 'unmuteAllowed', kind: 'audio' });
    expect(s.mutedByFacilitator.audio).toBe(false);
    expect(promptKind(s)).toBe('audio');
    // The "muted" notice for that kind is replaced by the prompt.
    expect(s.notice).toBeNull();
  });

  it('"Not now" closes the prompt and leaves the person free to unmute later', () => {
    const s = run({ type: 'muted', kind: 'audio' }, { type: 'unmuteAllowed', kind: 'audio' }, { type: 'promptDismissed', kind: 'audio' });
    expect(promptKind(s)).toBeNull();
    expect(s.mutedByFacilitator.audio).toBe(false);
  });

  it('asks about the microphone first, then the camera', () => {
    let s = run(
      { type: 'muted', kind: 'video' },
      { type: 'muted', kind: 'audio' },
      { type: 'unmuteAllowed', kind: 'video' },
      { type: 'unmuteAllowed', kind: 'audio' },
    );
    expect(promptKind(s)).toBe('audio');
    s = moderationReducer(s, { type: 'turnedOn', kind: 'audio' });
    expect(promptKind(s)).toBe('video');
  });

  it('when the server still refuses, the lock comes back and the page says so', () => {
    const s = run({ type: 'muted', kind: 'audio' }, { type: 'unmuteAllowed', kind: 'audio' }, { type: 'unmuteRefused', kind: 'audio' });
    expect(s.mutedByFacilitator.audio).toBe(true);
    expect(s.notice).toEqual({ type: 'refused', kind: 'audio' });
    expect(promptKind(s)).toBeNull();
  });

  it('turning on clears the notice about that kind only', () => {
    const s = run({ type: 'muted', kind: 'video' }, { type: 'unmuteAllowed', kind: 'audio' }, { type: 'turnedOn', kind: 'audio' });
    expect(s.notice).toEqual({ type: 'muted', kind: 'video' });
  });
});

describe('being admitted', () => {
  it('takes the server’s word on our mutes and clears old prompts', () => {
    const s = run(
      { type: 'unmuteAllowed', kind: 'audio' },
      { type: 'admitted', mutedByFacilitator: { audio: false, video: true }, locked: true },
    );
    expect(s.mutedByFacilitator).toEqual({ audio: false, video: true });
    expect(promptKind(s)).toBeNull();
    expect(s.locked).toBe(true);
  });

  it('keeps the known lock when the server does not say', () => {
    const s = run({ type: 'locked', locked: true }, { type: 'admitted' });
    expect(s.locked).toBe(true);
    expect(s.mutedByFacilitator).toEqual({ audio: false, video: false });
  });
});

describe('private messages', () => {
  it('count as unread while the conversation is closed, and are read when it opens', () => {
    let s = run({ type: 'messageReceived', text: 'How are you doing?', at: 1 }, { type: 'messageReceived', text: 'Take your time.', at: 2 });
    expect(s.unread).toBe(2);
    // The latest shows as a preview so it is not missed.
    expect(s.preview?.text).toBe('Take your time.');
    s = moderationReducer(s, { type: 'chatOpened' });
    expect(s.unread).toBe(0);
    expect(s.preview).toBeNull();
    s = moderationReducer(s, { type: 'messageReceived', text: 'Still here.', at: 3 });
    expect(s.unread).toBe(0);
    s = moderationReducer(s, { type: 'chatClosed' });
    s = moderationReducer(s, { type: 'messageReceived', text: 'One more.', at: 4 });
    expect(s.unread).toBe(1);
    // Dismissing the preview does not mark the message read.
    s = moderationReducer(s, { type: 'previewDismissed' });
    expect(s.preview).toBeNull();
    expect(s.unread).toBe(1);
  });

  it('shown in full where the person is (the waiting room), are not unread', () => {
    const s = run({ type: 'messageReceived', text: 'I’ll let you in shortly.', at: 1, seen: true });
    expect(s.messages).toHaveLength(1);
    expect(s.unread).toBe(0);
    expect(s.preview).toBeNull();
  });

  it('keep both sides in order, with distinct ids', () => {
    const s = run(
      { type: 'messageSent', text: 'Can I step away for a minute?', at: 1 },
      { type: 'messageReceived', text: 'Of course.', at: 2 },
    );
    expect(s.messages.map((m) => [m.from, m.text])).toEqual([
      ['me', 'Can I step away for a minute?'],
      ['facilitator', 'Of course.'],
    ]);
    expect(new Set(s.messages.map((m) => m.id)).size).toBe(2);
    // Our own messages never count as unread.
    expect(s.unread).toBe(1);
  });

  it('keep only the most recent ones in memory', () => {
    let s = initialModeration;
    for (let i = 0; i < MESSAGES_KEPT + 5; i++) s = moderationReducer(s, { type: 'messageSent', text: `m${i}`, at: i });
    expect(s.messages).toHaveLength(MESSAGES_KEPT);
    expect(s.messages[0]?.text).toBe('m5');
  });

  it('are gone, with everything else, on reset', () => {
    const s = run({ type: 'messageReceived', text: 'Hello', at: 1 }, { type: 'muted', kind: 'audio' }, { type: 'locked', locked: true }, { type: 'reset' });
    expect(s).toEqual(initialModeration);
  });
});

describe('a message is checked like the server checks it', () => {
  it('trims, refuses empty text and more than 2000 characters', () => {
    expect(checkMessage('  hello \n')).toEqual({ ok: true, text: 'hello' });
    expect(checkMessage('   ').ok).toBe(false);
    expect(checkMessage('x'.repeat(MESSAGE_MAX)).ok).toBe(true);
    expect(checkMessage(`  ${'x'.repeat(MESSAGE_MAX)}  `).ok).toBe(true);
    expect(checkMessage('x'.repeat(MESSAGE_MAX + 1)).ok).toBe(false);
  });

  it('agrees with the protocol schema', () => {
    for (const text of ['', ' ', 'hi', ' hi ', 'x'.repeat(2000), 'x'.repeat(2001), `${'y'.repeat(2000)}   `]) {
      expect(checkMessage(text).ok).toBe(MessageText.safeParse(text).success);
    }
  });
});

describe('the lock', () => {
  it('is a plain flag; the same value twice keeps the same state', () => {
    const s = run({ type: 'locked', locked: true });
    expect(s.locked).toBe(true);
    expect(moderationReducer(s, { type: 'locked', locked: true })).toBe(s);
    expect(moderationReducer(s, { type: 'locked', locked: false }).locked).toBe(false);
  });
});
