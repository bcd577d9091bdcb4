/**
 * Sending and receiving media: transports, producers and consumers, each method as one record
 * (request, result, who may call it). A new method about a peer's mediasoup objects goes here;
 * what it does is the Room's and PeerMedia's on the server, RoomClient's on the client.
 */
import { z } from 'zod';
import { Done, type MethodRecord, type WhoMayCall } from './method';
import { ConnectionQuality, DtlsParameters, Id, MediaKind, RtpCapabilities, RtpParameters } from './values';

export const TransportInfo = z.object({
  id: z.string(),
  iceParameters: z.record(z.string(), z.unknown()),
  iceCandidates: z.array(z.record(z.string(), z.unknown())),
  dtlsParameters: DtlsParameters,
});
export type TransportInfo = z.infer<typeof TransportInfo>;

/**
 * A waiting client gets its media ready: a transport pair, connected, and producers the
 * server holds (unannounced, unforwarded) until admission; `consume` of its own held producer
 * only, never resumed (docs/protocol.md, "Getting ready in the waiting room"). An observer
 * receives and never sends.
 */
const WAITING_OR_ADMITTED_AND_CLINICIANS: WhoMayCall = { client: ['waiting', 'admitted'], facilitator: true, observer: true };
const WAITING_OR_ADMITTED_AND_FACILITATORS: WhoMayCall = { client: ['waiting', 'admitted'], facilitator: true };
/** What lets media flow to a client, or releases what it sends, waits for its admission. */
const ADMITTED_AND_CLINICIANS: WhoMayCall = { client: ['admitted'], facilitator: true, observer: true };
const ADMITTED_AND_FACILITATORS: WhoMayCall = { client: ['admitted'], facilitator: true };

export const mediaMethods = {
  createTransport: {
    request: z.object({ direction: z.enum(['send', 'recv']) }),
    result: TransportInfo,
    mayCall: WAITING_OR_ADMITTED_AND_CLINICIANS,
  },
  connectTransport: {
    request: z.object({ transportId: Id, dtlsParameters: DtlsParameters }),
    result: Done,
    mayCall: WAITING_OR_ADMITTED_AND_CLINICIANS,
  },
  restartIce: {
    request: z.object({ transportId: Id }),
    result: z.object({ iceParameters: z.record(z.string(), z.unknown()) }),
    mayCall: WAITING_OR_ADMITTED_AND_CLINICIANS,
  },
  closeTransport: {
    request: z.object({ transportId: Id }),
    result: Done,
    mayCall: WAITING_OR_ADMITTED_AND_CLINICIANS,
  },
  produce: {
    request: z.object({ transportId: Id, kind: MediaKind, rtpParameters: RtpParameters }),
    result: z.object({ id: z.string() }),
    mayCall: WAITING_OR_ADMITTED_AND_FACILITATORS,
  },
  consume: {
    request: z.object({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities }),
    result: z.object({ id: z.string(), producerId: z.string(), kind: MediaKind, rtpParameters: RtpParameters }),
    mayCall: WAITING_OR_ADMITTED_AND_CLINICIANS,
  },
  resumeConsumer: {
    request: z.object({ consumerId: Id }),
    result: Done,
    mayCall: ADMITTED_AND_CLINICIANS,
  },
  requestKeyFrame: {
    request: z.object({ consumerId: Id }),
    result: Done,
    mayCall: ADMITTED_AND_CLINICIANS,
  },
  setProducerPaused: {
    request: z.object({ producerId: Id, paused: z.boolean() }),
    result: Done,
    mayCall: ADMITTED_AND_FACILITATORS,
  },
  /**
   * How good the caller's connection is now (issue 22), said when it changes: the session's
   * clinicians see it beside the person (`Participant.connectionQuality`); nobody else does.
   */
  reportConnection: {
    request: z.object({ quality: ConnectionQuality }),
    result: Done,
    mayCall: WAITING_OR_ADMITTED_AND_CLINICIANS,
  },
} satisfies Record<string, MethodRecord>;
