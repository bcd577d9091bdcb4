/**
 * The words the page says to a client, in one place: they were written to be calm and
 * plain, and reviewing them together keeps the tone consistent.
 */
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
  tone: 'neutral' | 'calm' | 'warning';
}

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
    title: 'This invitation is no longer active',
    body: "It can't be used to join this session. If you think this is a mistake, please contact your therapist or the clinic.",
    tone: 'neutral',
  },
  sessionEnded: {
    title: 'This session has ended',
    body: 'Thank you for being part of the group. Your camera and microphone are now off. You can close this window.',
    tone: 'calm',
  },
  roomLocked: {
    title: 'The session is closed to new arrivals right now',
    body: 'Your therapist has locked the room. If you were expecting to join, please contact your therapist or the clinic, then try again.',
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
