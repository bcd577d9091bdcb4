/**
 * The participant page's state: one zustand store, changed only through the service
 * (participantService.ts and its parts, with the helpers at the end of this file).
 * Components read it with selectors.
 */
import { create } from 'zustand';
import type { BackgroundMode } from '../client/backdrop';
import type { Agreement, ConnectionQuality, Language, MediaKind, PeerRole } from '../shared/protocol';
import { initialGroupChat, type GroupChatState } from './groupChatState';
import { initialModeration, moderationReducer, type ModerationEvent, type ModerationState } from './moderation';

/** Why the page stopped at a final (or retryable) screen. */
export type EndReason =
  | 'denied'
  | 'left'
  | 'removed'
  /** hello answered REMOVED: the invitation was revoked earlier. */
  | 'revoked'
  | 'sessionEnded'
  | 'roomLocked'
  | 'conflict'
  | 'rateLimited'
  | 'invalidLink'
  /** The tokenless /join in a tab that never opened an invitation (location.ts). */
  | 'linkNeeded'
  | 'connectionLost';

/** What the page shows about the call's encryption. */
export type EncryptionStatus =
  /** Not in the group: nothing to say. */
  | 'none'
  /** In the group, the key not here yet. */
  | 'waiting'
  /** Sealed and opened with the group's key. */
  | 'on'
  /** The facilitator's console is not vouched for by the link: the safety code must be read first. */
  | 'needsCode'
  /** A key was offered by someone the link's secret does not vouch for: refused. */
  | 'refused'
  /** This browser cannot encrypt frames. */
  | 'unsupported'
  /**
   * This browser cannot encrypt frames, and the facilitator let this person take part by audio
   * in the clear (their console's sealed word): their voice and the group's voices to them go
   * unencrypted; no video either way.
   */
  | 'clearAudio';

export interface EncryptionView {
  status: EncryptionStatus;
  /** The safety code to read with the facilitator, while `needsCode`. */
  code: string | null;
  /** The epoch of the newest group key held, if any (shown to support as `data-epoch`). */
  epoch: number | null;
  /**
   * Someone in the group takes part by audio in the clear (the facilitator's console's sealed
   * word): the call is not fully end-to-end encrypted, and the page says so.
   */
  othersInClear: boolean;
}

export const initialEncryption: EncryptionView = { status: 'none', code: null, epoch: null, othersInClear: false };

export type Screen = 'passcode' | 'checkIn' | 'waiting' | 'joining' | 'call' | 'ended';

export interface Peer {
  participantId: string;
  displayName: string;
  role: PeerRole;
  /** Taking part by text only (issue 20). */
  textOnly?: boolean;
}

export interface RemoteMedia {
  audio?: { producerId: string; track: MediaStreamTrack; paused: boolean };
  video?: { producerId: string; track: MediaStreamTrack; paused: boolean };
}

export interface ParticipantState {
  screen: Screen;
  endReason: EndReason | null;
  /** The written recap of a session that has ended, read with the passcode (issue 20). */
  recap: { sessionTitle: string; text: string; writtenAt: string } | null;
  busy: boolean;
  /** An error shown on the current screen (the form stays usable). */
  formError: string | null;
  /** Polite status text for screen readers (rendered in an aria-live region). */
  announcement: string;

  /** The language the page is shown in (i18n/index.ts): from the browser, or the client's choice. */
  language: Language;
  sessionTitle: string;
  /** The agreement as the hello answered it: in the language asked for, or English from an older server. */
  agreement: Agreement | null;
  /** The agreement in every language the server offers (issue 23), for a switch at check-in. */
  agreements: Agreement[];
  participantId: string | null;
  displayName: string;

  /** What the person chose to share, and what is actually live. */
  wantAudio: boolean;
  wantVideo: boolean;
  /** Taking part by text only (issue 20): no camera or microphone, the group chat instead. */
  textOnly: boolean;
  localAudio: MediaStreamTrack | null;
  /**
   * The camera's background (issue 21, background.ts): as it is, blurred or a plain backdrop.
   * With blur or backdrop, `localVideo` is the processed track, never the camera's own.
   */
  background: BackgroundMode;
  /** Blur could not run on this device: the group sees the backdrop alone, and the person is told. */
  backgroundFailed: boolean;
  localVideo: MediaStreamTrack | null;
  mediaError: string | null;
  /** A camera or microphone change is under way (the button waits for it). */
  mediaBusy: Record<MediaKind, boolean>;
  /** Mutes, the lock and the private conversation with the therapist (moderation.ts). */
  moderation: ModerationState;
  /** The group's text channel (groupChatState.ts). */
  groupChat: GroupChatState;
  /**
   * Why the person is in the waiting room again, if they were in the call before; or that
   * they have just been let in and their camera is connecting (the call screen follows).
   */
  waitingNote: 'returned' | 'letIn' | null;
  /** A retry from an ending screen (for example a locked room) is under way. */
  retrying: boolean;
  /** The connection dropped and the page is getting back into its place by itself. */
  reconnecting: boolean;

  peers: Record<string, Peer>;
  /** Keyed by participantId. */
  remote: Record<string, RemoteMedia>;
  /** Whether the call is end-to-end encrypted for this person, and the safety code if one is to be read. */
  encryption: EncryptionView;
  /** How good this person's connection is, once measured (issue 22). */
  connectionQuality: ConnectionQuality | null;
  /** The camera is held back because the link cannot carry video (videoFallback.ts); their choice is still "on". */
  videoHeldBack: boolean;
  /** The group's video is held back because the link cannot receive it; voices still come (group.ts). */
  incomingVideoHeld: boolean;
}

export const initialState: ParticipantState = {
  screen: 'passcode',
  endReason: null,
  recap: null,
  busy: false,
  formError: null,
  announcement: '',
  language: 'en',
  sessionTitle: '',
  agreement: null,
  agreements: [],
  participantId: null,
  displayName: '',
  wantAudio: true,
  wantVideo: true,
  textOnly: false,
  localAudio: null,
  background: 'none',
  backgroundFailed: false,
  localVideo: null,
  mediaError: null,
  mediaBusy: { audio: false, video: false },
  moderation: initialModeration,
  groupChat: initialGroupChat,
  waitingNote: null,
  retrying: false,
  reconnecting: false,
  peers: {},
  remote: {},
  encryption: initialEncryption,
  connectionQuality: null,
  videoHeldBack: false,
  incomingVideoHeld: false,
};

export const useParticipantStore = create<ParticipantState>()(() => ({ ...initialState }));

/** The state now, for the service's parts (components read it with selectors instead). */
export function pageState(): ParticipantState {
  return useParticipantStore.getState();
}

export function setPageState(partial: Partial<ParticipantState> | ((s: ParticipantState) => Partial<ParticipantState>)): void {
  useParticipantStore.setState(partial);
}

/**
 * The agreement to show and accept: the one in the page's language when the server offers it
 * (the client may switch at check-in), else the one the hello answered with.
 */
export function agreementShown(s: Pick<ParticipantState, 'agreement' | 'agreements' | 'language'>): Agreement | null {
  return s.agreements.find((a) => a.language === s.language) ?? s.agreement;
}

/** Polite status for screen readers; the same words twice are still read twice. */
export function announce(text: string): void {
  setPageState((s) => ({ announcement: s.announcement === text ? `${text}\u00a0` : text }));
}

/** Feeds one moderation event to its reducer (moderation.ts). */
export function moderate(event: ModerationEvent): void {
  setPageState((s) => ({ moderation: moderationReducer(s.moderation, event) }));
}
