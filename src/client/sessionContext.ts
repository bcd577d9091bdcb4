/**
 * What a RoomClient shares with each of its media sessions (mediaSession.ts), and what outlives
 * them: the signaling connection, the caller's events, the tracks we publish, and what the room
 * announced about others' producers. A session takes these and nothing else from its RoomClient,
 * so that closing the session leaves nothing of its router behind.
 */
import { ProtocolError, type MediaKind } from '../shared/protocol';
import type { Emitter } from './emitter';
import type { SendFirstGate } from './sendFirst';
import type { SignalingClient } from './signaling';
import type { StandIn } from './standIn';

export interface RoomClientEvents {
  track: { producerId: string; participantId: string; kind: MediaKind; track: MediaStreamTrack };
  trackEnded: { producerId: string; participantId: string };
  producerPaused: { producerId: string; paused: boolean };
  error: { message: string };
  /** The server's media restarted: every remote track has ended; ours are being sent again. */
  mediaReset: Record<string, never>;
  /** After a `mediaReset`: sending again and receiving what others send again. */
  mediaRestored: Record<string, never>;
}

/** A local track we send, and whether the person has it paused; outlives its producer. */
export interface Source {
  track: MediaStreamTrack;
  paused: boolean;
}

/**
 * Seals what we send and opens what we receive, frame by frame (end-to-end encryption,
 * src/client/e2ee/frameCipher.ts). `attach` is called on each RTP sender and receiver the
 * moment it exists, before negotiation, so not one frame leaves or plays without it; when it
 * throws (the browser cannot transform frames), the produce or consume fails rather than
 * sending in the clear.
 */
export interface FrameTransforms {
  attach(target: RTCRtpSender | RTCRtpReceiver, options: AttachOptions): void;
  /** The peer connections need the older insertable streams switched on (`encodedInsertableStreams`). */
  readonly needsInsertableStreams: boolean;
}

/**
 * What one sender or receiver is. `clear`: audio in the clear (a producer the server says is
 * `clear`, or one we send so), which the transforms let through unsealed only where the key
 * holder's sealed word allows it (frameCipher.ts), else refuse; `participantId`: whose it is,
 * for a receiver.
 */
export interface AttachOptions {
  side: 'send' | 'receive';
  kind: MediaKind;
  clear?: boolean;
  participantId?: string;
}

/**
 * What each media session of a RoomClient is given. The two sets of producers are the room's
 * announcements, kept by the RoomClient across sessions: a producer snapshot the caller took
 * before a reset may still name a producer the old router announced closed.
 */
export interface SessionContext {
  readonly signaling: SignalingClient;
  readonly events: Emitter<RoomClientEvents>;
  /** Makes the blank tracks that getReady produces. */
  readonly createStandIn: (kind: MediaKind) => StandIn;
  /** What we publish, by kind: a new session produces these again after a media reset. */
  readonly sources: ReadonlyMap<MediaKind, Source>;
  /** Producers announced paused: their consumers have nothing to decode, so no key frame is asked for. */
  readonly pausedProducers: Set<string>;
  /** Producers announced closed; an id never comes back, and a late snapshot must not revive it. */
  readonly closedProducers: ReadonlySet<string>;
  /** Holds consumes back while a newcomer's first producer connects (join with `sendFirst`). */
  readonly sendFirst: SendFirstGate;
  /** Frame encryption, when the call is end-to-end encrypted. */
  readonly frames: FrameTransforms | undefined;
  /** Producers the room announced as audio in the clear (`producerAdded`'s and `Producer`'s `clear`). */
  readonly clearProducers: ReadonlySet<string>;
  /**
   * What we send in the clear: `voiceOnly`, our microphone is all we send, unencrypted (our
   * browser cannot encrypt and the facilitator allowed it); `copy`, a second, unencrypted copy
   * of our microphone goes beside the sealed one, for people in the clear.
   */
  readonly clearSending: { voiceOnly: boolean; copy: boolean };
  /**
   * Whether the group's video is held back on this receiver's poor link (RoomClient.holdIncomingVideo):
   * every video consumer is then told unseen, so only voices arrive; or capped on a weak one
   * (RoomClient.capIncomingVideo): every video then comes in its smallest layer. Outlives a media reset.
   */
  readonly incomingVideo: { held: boolean; capped: boolean };
  /** Whether our camera is capped at its smallest layer on a weak way up (RoomClient.capOutgoingVideo). */
  readonly outgoingVideo: { capped: boolean };
  /** A consumer's producer is gone for good (its track ended): the room forgets it as it would on `producerClosed`. */
  readonly dropProducer: (producerId: string) => void;
}

/**
 * Work found its media session closed when it resumed: a media reset replaced the session (and
 * redoes the work on the new router), or the RoomClient was closed. Never reported to the user.
 */
export class MediaResetError extends Error {
  constructor() {
    super('the media was reset meanwhile');
    this.name = 'MediaResetError';
  }
}

/**
 * Whether `err` comes of a media reset: work that found its session replaced, or a request the
 * server answered about something the lost router took, before its `mediaReset` reached us
 * (reason `media-reset`). The reset redoes that work; the person is told nothing of it.
 */
export function takenByReset(err: unknown): boolean {
  return err instanceof MediaResetError || (err instanceof ProtocolError && err.reason === 'media-reset');
}

/** Video before audio: a face appearing is how the group notices someone joined. */
export function videoFirst(a: MediaKind, b: MediaKind): number {
  return a === b ? 0 : a === 'video' ? -1 : 1;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
