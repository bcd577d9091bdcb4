/**
 * Everything the participant page does to the world, behind the one service its screens call
 * (serviceContext.ts); results land in the store. The work is in the parts put together here:
 * session.ts (the socket, passcode, reconnect, endings), checkIn.ts, localMedia.ts (camera and
 * microphone), group.ts (admission, the media engine, the lock), peers.ts (who is shown) and
 * chat.ts. Which part answers which of the server's notifications is said here, in `listen`.
 */
import type { MediaKind } from '../shared/protocol';
import type { TileView } from '../client/roomClient';
import type { SignalingClient } from '../client/signaling';
import * as chat from './chat';
import * as groupChat from './groupChat';
import { checkIn, type CheckInForm } from './checkIn';
import { PageEncryption, type LinkSecret } from './encryption';
import { GroupCall } from './group';
import { LocalMedia } from './localMedia';
import type { BackgroundMode } from '../client/backdrop';
import type { MessageCheck } from './moderation';
import { addPeer, removePeer } from './peers';
import { ParticipantSession } from './session';
import { setPageState } from './store';

export type { CheckInForm } from './checkIn';

export class ParticipantService {
  private readonly media: LocalMedia;
  private readonly group: GroupCall;
  private readonly session: ParticipantSession;
  private readonly encryption: PageEncryption;

  constructor(
    token: string | null,
    wsUrl: string,
    /** Why there is no token, when there is none (location.ts). */
    missing: 'invalidLink' | 'linkNeeded' = 'invalidLink',
    /** The secret (and its console) from the link's fragment, when it has one. */
    link: LinkSecret = {},
  ) {
    this.encryption = new PageEncryption(link);
    this.media = new LocalMedia(
      () => this.group.current,
      () => this.group.personChoseVideo(),
      (kind, track) => void this.group.trackArrived(kind, track),
    );
    this.group = new GroupCall(this.media, this.encryption);
    this.session = new ParticipantSession(token, wsUrl, {
      listen: (signaling) => this.listen(signaling),
      connected: (signaling, participantId) => void this.encryption.connected(signaling, participantId),
      passcodeAccepted: () => void this.media.refreshPreview(),
      dropped: () => {
        this.group.closeRoom();
        this.encryption.outOfGroup();
      },
      ended: () => {
        this.group.forget();
        this.media.stopAll();
        this.encryption.ended();
      },
    });
    if (!token) this.session.end(missing);
  }

  // ---- passcode, check-in, leaving ------------------------------------------------------

  submitPasscode(passcode: string): Promise<void> {
    return this.session.submitPasscode(passcode);
  }

  retry(): Promise<void> {
    return this.session.retry();
  }

  checkIn(form: CheckInForm): Promise<void> {
    return checkIn(form, this.session, this.group);
  }

  leave(): Promise<void> {
    return this.session.leave();
  }

  restart(): void {
    this.session.restart();
  }

  // ---- camera and microphone, and the therapist's mutes ---------------------------------

  setWant(kind: MediaKind, on: boolean): Promise<void> {
    return this.media.setWant(kind, on);
  }

  /** Blur, a plain backdrop, or the room as it is (issue 21): at check-in or in the call. */
  setBackground(mode: BackgroundMode): Promise<void> {
    return this.media.setBackground(mode);
  }

  acceptUnmute(kind: MediaKind): Promise<void> {
    return this.media.acceptUnmute(kind);
  }

  declineUnmute(kind: MediaKind): void {
    this.media.declineUnmute(kind);
  }

  dismissNotice(): void {
    this.media.dismissNotice();
  }

  // ---- private messages to the therapist -------------------------------------------------

  sendMessage(raw: string): Promise<MessageCheck> {
    return chat.sendMessage(this.session.signaling, raw, this.encryption);
  }

  openChat(): void {
    groupChat.closeGroupChat();
    chat.openChat();
  }

  closeChat(): void {
    chat.closeChat();
  }

  dismissPreview(): void {
    chat.dismissPreview();
  }

  // ---- the group chat (issue 20) ------------------------------------------------------------

  sendGroupMessage(raw: string): Promise<MessageCheck> {
    return groupChat.sendGroupMessage(this.session.signaling, raw, this.encryption);
  }

  openGroupChat(): void {
    groupChat.openGroupChat();
  }

  closeGroupChat(): void {
    groupChat.closeGroupChat();
  }

  /** Before check-in: taking part by text only, with camera and microphone off, or not. */
  async setTextOnly(on: boolean): Promise<void> {
    setPageState(on ? { textOnly: true, wantAudio: false, wantVideo: false, mediaError: null } : { textOnly: false, wantAudio: true });
    await this.media.refreshPreview();
  }

  // ---- end-to-end encryption ---------------------------------------------------------------

  /** The person read the same safety code as their therapist. */
  /** How someone's video is shown (RoomClient.viewTrack); bound, so components can pass it on as it is. */
  readonly viewVideo = (track: MediaStreamTrack, view: TileView): void => {
    this.group.current?.viewTrack(track, view);
  };

  confirmSafetyCode(): Promise<void> {
    return this.encryption.confirmCode();
  }

  // ---- the server's notifications --------------------------------------------------------

  private listen(signaling: SignalingClient): void {
    signaling.on('admitted', (d) => void this.group.onAdmitted(this.session.signaling, d));
    signaling.on('denied', () => this.session.end('denied'));
    signaling.on('removed', () => this.session.end('removed'));
    signaling.on('sessionEnded', () => this.session.end('sessionEnded'));
    signaling.on('returnedToWaiting', () => this.group.onReturnedToWaiting(this.session.signaling));
    signaling.on('peerJoined', ({ participant }) => addPeer(participant));
    signaling.on('peerLeft', ({ participantId }) => removePeer(participantId));
    signaling.on('mutedByFacilitator', ({ kind }) => this.media.onMutedByFacilitator(kind));
    signaling.on('unmuteAllowed', ({ kind }) => this.media.onUnmuteAllowed(kind));
    signaling.on('locked', ({ locked }) => this.group.onLocked(locked));
    signaling.on('message', (message) => chat.onMessage(message, this.encryption));
    signaling.on('groupKey', (offer) => void this.encryption.groupKey(offer));
    signaling.on('groupMessage', (message) => groupChat.onGroupMessage(message, this.encryption));
    signaling.on('groupChat', ({ enabled }) => groupChat.onGroupChat(enabled));
    signaling.on('groupChatCleared', () => groupChat.onGroupChatCleared());
  }
}
