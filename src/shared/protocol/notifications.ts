/**
 * Notifications: what the server tells a socket without being asked, by name, with the
 * data each carries. Who receives which is the server's rooms/audiences.ts. A new
 * notification is a line in NotificationTypes.
 */
import type { GroupKey, MemberKey } from './e2ee';
import type { MessageBody, SealedMessage } from './messaging';
import type { MediaKind, Participant, Producer, RtpCapabilities } from './values';

export interface NotificationTypes {
  // to clinicians
  knock: { participant: Participant };
  participantUpdated: { participant: Participant };
  participantLeft: { participantId: string };
  /** To clinicians: `from` is a client's participantId. To a client: `from` is "facilitator". */
  message: { from: string } & MessageBody;
  /** To clinicians and to clients. */
  locked: { locked: boolean };
  /** To the session's facilitators: someone announced their public key (e2ee.ts). */
  memberKey: MemberKey;
  /** To one admitted person: the group key, sealed to their public key (e2ee.ts). */
  groupKey: GroupKey;
  // to a client
  /** `participants`: every admitted peer, the recipient and clinicians included. */
  admitted: {
    routerRtpCapabilities: RtpCapabilities;
    participants: Participant[];
    producers: Producer[];
    /**
     * Whether the room is locked at the moment of admission (an addition to PROTOCOL.md, optional):
     * without it a client admitted into a locked room learns of the lock only when it changes.
     */
    locked?: boolean;
    /** Whether the group chat is on (issue 20; absent from older servers: on). */
    groupChat?: boolean;
    /** The group key, sealed to this client by the admitting facilitator's console (e2ee.ts), when it sent one. */
    groupKey?: GroupKey;
  };
  denied: Record<string, never>;
  removed: Record<string, never>;
  returnedToWaiting: Record<string, never>;
  mutedByFacilitator: { kind: MediaKind };
  unmuteAllowed: { kind: MediaKind };
  sessionEnded: Record<string, never>;
  // to everyone admitted
  peerJoined: { participant: Participant };
  peerLeft: { participantId: string };
  /** `clear`: audio sent without end-to-end encryption (`produce`'s `clear`). */
  producerAdded: { producerId: string; participantId: string; kind: MediaKind; clear?: true };
  producerClosed: { producerId: string };
  producerPaused: { producerId: string; paused: boolean };
  /**
   * To everyone admitted (an addition to PROTOCOL.md): the session's media restarted on a new
   * router (its media process failed). Every transport, producer and consumer of the old one
   * is gone: close yours, load the new capabilities, create transports and produce again;
   * the producers of others arrive as `producerAdded` as they come back.
   */
  mediaReset: { routerRtpCapabilities: RtpCapabilities };
  /** To everyone admitted but the sender: a message to the group, sealed (messaging.ts). */
  groupMessage: { from: string; sealed: SealedMessage };
  /** To everyone admitted: the facilitators turned the group chat on or off. */
  groupChat: { enabled: boolean };
  /** To everyone admitted: a facilitator cleared the group chat; drop what it shows. */
  groupChatCleared: Record<string, never>;
}
export type NotificationName = keyof NotificationTypes;
export type NotificationFrame = {
  [N in NotificationName]: { notification: N; data: NotificationTypes[N] };
}[NotificationName];
