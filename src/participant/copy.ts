/**
 * The words the page says to a client, in one place: they were written to be calm and
 * plain, and reviewing them together keeps the tone consistent.
 */
import type { MediaKind } from '../shared/protocol';
import type { ModerationNotice } from './moderation';
import type { EndReason } from './store';

export const PASSCODE_MISMATCH =
  "That passcode didn't match this invitation. Check the message from your therapist and try again.";
export const UNREACHABLE =
  "We couldn't reach the session just now. Check your internet connection and try again.";
export const UNEXPECTED = 'Something went wrong on our side. Please try again in a moment.';

export interface EndCopy {
  title: string;
  body: string;
  /** A way back in, when there is one. */
  retry?: string;
  /** A gentle line about where to find support, for endings that may be hard to take. */
  support?: string;
  tone: 'neutral' | 'calm' | 'warning';
}

export const SUPPORT_LINE =
  'If you need support right now, contact your clinic or local emergency services.';

export const END_COPY: Record<EndReason, EndCopy> = {
  denied: {
    title: "Your therapist didn't admit you to this session",
    body: "This can happen for many reasons, and it doesn't mean you did anything wrong. If you're not sure why, please contact your therapist or the clinic directly. Your camera and microphone are now off.",
    tone: 'neutral',
  },
  left: {
    title: 'You have left the session',
    body: 'Thank you for being part of the group today. Your camera and microphone are now off. You can close this window.',
    retry: 'Rejoin the session',
    tone: 'calm',
  },
  removed: {
    title: 'Your therapist has removed you from this session',
    body: "Your camera and microphone are now off, and this invitation link no longer works. If you'd like to talk about what happened, or about your next session, please contact your clinic.",
    support: SUPPORT_LINE,
    tone: 'neutral',
  },
  revoked: {
    title: 'This invitation is no longer active',
    body: "It can't be used to join this session. If you think this is a mistake, please contact your therapist or the clinic.",
    support: SUPPORT_LINE,
    tone: 'neutral',
  },
  sessionEnded: {
    title: 'This session has ended. Thank you for being here.',
    body: 'Your camera and microphone are now off, and you can close this window. Be gentle with yourself for the rest of the day — a glass of water, some fresh air or a few slow breaths can help after group.',
    support: SUPPORT_LINE,
    tone: 'calm',
  },
  roomLocked: {
    title: 'This session is locked',
    body: "Your therapist isn't letting new people in right now. This isn't about you — they may open it again in a moment. If you were expecting to join, you can try again, or contact your clinic.",
    retry: 'Try again',
    tone: 'neutral',
  },
  conflict: {
    title: 'This invitation is already in use on another device',
    body: 'Each invitation can be open in one place at a time. Close the session on your other device or browser tab, then try again here.',
    retry: 'Try again',
    tone: 'neutral',
  },
  rateLimited: {
    title: 'Too many attempts for now',
    body: "For your privacy, we pause sign-in after several tries. Please wait a few minutes, check the passcode in your therapist's message, and try again.",
    retry: 'Try again',
    tone: 'warning',
  },
  linkNeeded: {
    title: 'Please open your invitation link again',
    body: "For your privacy, this page doesn't keep your invitation in the address bar, so it can't be opened from a new tab or a bookmark. Open the invitation link from the message your therapist sent you.",
    tone: 'neutral',
  },
  invalidLink: {
    title: "This link doesn't look complete",
    body: 'Please open the full invitation link from the message your therapist sent you. If it still doesn\'t work, contact your therapist or the clinic.',
    tone: 'warning',
  },
  connectionLost: {
    title: 'The connection was interrupted',
    body: 'Your camera and microphone are now off. When your connection is back, you can join again with the same passcode.',
    retry: 'Join again',
    tone: 'warning',
  },
};

export function roleLabel(role: 'client' | 'facilitator' | 'observer'): string | null {
  switch (role) {
    case 'facilitator':
      return 'Therapist';
    case 'observer':
      return 'Observing';
    case 'client':
      return null;
  }
}

export function deviceName(kind: MediaKind): string {
  return kind === 'audio' ? 'microphone' : 'camera';
}

/** The calm line shown near the controls after a moderation event. */
export function noticeText(notice: ModerationNotice): string {
  const device = deviceName(notice.kind);
  switch (notice.type) {
    case 'muted':
      return notice.kind === 'audio'
        ? 'Your therapist muted your microphone. They can invite you to unmute when it’s time.'
        : 'Your therapist turned off your camera. They can invite you to turn it back on when it’s time.';
    case 'stillMuted':
      return `Your therapist muted your ${device}, so you can’t turn it on just yet. They’ll let you know when you can.`;
    case 'refused':
      return `Your therapist hasn’t allowed your ${device} back on yet, so it stays off for now. They’ll let you know when you can.`;
  }
}

export interface UnmutePromptCopy {
  title: string;
  accept: string;
}

export function unmutePromptCopy(kind: MediaKind): UnmutePromptCopy {
  return kind === 'audio'
    ? { title: 'Your therapist asks you to unmute your microphone', accept: 'Unmute' }
    : { title: 'Your therapist asks you to turn your camera back on', accept: 'Turn camera on' };
}

export const LOCKED_IN_CALL = 'Room locked';
export const LOCKED_IN_CALL_DETAIL = 'Your therapist has closed the session to new arrivals. Nothing changes for you.';
export const LOCKED_WAITING =
  "Your therapist has closed the session to new arrivals. You're already checked in, so your place is kept.";
export const RETURNED_TO_WAITING = 'Your therapist moved you back to the waiting room';

/**
 * Before the waiting room opens the server answers FORBIDDEN with the opening time in its
 * message ("the waiting room opens at 2026-11-24T18:45:00.000Z"); say it in local time.
 */
export function notOpenYet(serverMessage: string): string {
  const iso = /\d{4}-\d{2}-\d{2}T[\d:.]+Z/.exec(serverMessage)?.[0];
  const at = iso ? new Date(iso) : null;
  if (!at || Number.isNaN(at.getTime())) {
    return "The waiting room for this session isn't open yet. Please come back a little before your session starts.";
  }
  const time = new Intl.DateTimeFormat(undefined, { weekday: 'long', hour: 'numeric', minute: '2-digit' }).format(at);
  return `The waiting room for this session isn't open yet. It opens ${time} — please come back then.`;
}

/** The camera held back on a link that cannot carry video (issue 22; group.ts, the call screen). */
export const VIDEO_HELD_BACK =
  'Your connection is too weak for video right now, so only your voice is sent. Your camera comes back by itself when the connection improves.';

export const INCOMING_VIDEO_HELD =
  'Your connection is too weak to show the group’s video right now, so it is paused. You can still hear everyone, and the video comes back by itself when the connection improves.';
export const INCOMING_VIDEO_BACK = 'Your connection has improved, so the group’s video is back.';

/** The group chat turned off by the therapist (groupChat.ts, the chat panel). */
export const GROUP_CHAT_OFF = 'Your therapist has turned the group chat off for now.';
