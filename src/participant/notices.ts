/**
 * The page's words for a moderation event (a mute, a refused unmute) and for the therapist's
 * invitation to unmute, in the page's language (i18n/), and the role badge beside a name.
 */
import type { MediaKind } from '../shared/protocol';
import type { Catalogue } from './i18n';
import { words } from './i18n';
import type { ModerationNotice } from './moderation';

/** The calm line shown near the controls after a moderation event. */
export function noticeText(notice: ModerationNotice, t: Catalogue = words()): string {
  switch (notice.type) {
    case 'muted':
      return notice.kind === 'audio' ? t.moderation.mutedMic : t.moderation.mutedCamera;
    case 'stillMuted':
      return t.moderation.stillMuted(notice.kind);
    case 'refused':
      return t.moderation.refused(notice.kind);
  }
}

export interface UnmutePromptCopy {
  title: string;
  accept: string;
}

export function unmutePromptCopy(kind: MediaKind, t: Catalogue = words()): UnmutePromptCopy {
  return kind === 'audio'
    ? { title: t.moderation.unmuteMicTitle, accept: t.moderation.unmuteMicAccept }
    : { title: t.moderation.unmuteCameraTitle, accept: t.moderation.unmuteCameraAccept };
}

export function roleLabel(role: 'client' | 'facilitator' | 'observer', t: Catalogue = words()): string | null {
  return role === 'client' ? null : t.roles[role];
}
