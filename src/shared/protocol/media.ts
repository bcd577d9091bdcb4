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
 * server holds (unannounced, unforwarded) until admission, in the state it sets for them;
 * `consume` of its own held producer only, never resumed (docs/protocol.md, "Getting ready in
 * the waiting room"). An observer receives and never sends.
 */
const WAITING_OR_ADMITTED_AND_CLINICIANS: WhoMayCall = { client: ['waiting', 'admitted'], facilitator: true, observer: true };
const WAITING_OR_ADMITTED_AND_FACILITATORS: WhoMayCall = { client: ['waiting', 'admitted'], facilitator: true };
/** What lets media flow to a client waits for its admission. */
const ADMITTED_AND_CLINICIANS: WhoMayCall = { client: ['admitted'], facilitator: true, observer: true };

/**
 * How every camera is sent (issue 22): in two layers of the same picture (simulcast), so the SFU
 * can send each receiver what its tile and its link can carry: a thumbnail needs a quarter of the
 * pixels, and on a weak link the smaller layer keeps the picture moving. Each layer is a single
 * temporal layer (L1T1): with three, the SFU could not choose a newly started camera's layer
 * until its second base-layer frame, a sixth of a second later, and in about half of all starts
 * the group saw a newcomer 0.2 s later (docs/performance.md, "With simulcast on"). The full
 * layer's ceiling (450 kbit/s, ample for a face at 360 lines) is kept low so that a link's
 * estimate climbing back after a congestion reaches it sooner. Lowest first, as mediasoup orders
 * spatial layers. libwebrtc sends at most two layers of a 640×360 camera.
 */
export const CAMERA_LAYERS = [
  { scaleResolutionDownBy: 2, maxBitrate: 150_000, scalabilityMode: 'L1T1' },
  { scaleResolutionDownBy: 1, maxBitrate: 450_000, scalabilityMode: 'L1T1' },
] as const;
/** The camera's height as asked of every device (src/client/media.ts), and so its top layer's. */
export const CAMERA_HEIGHT = 360;

/**
 * The spatial layer a tile `height` device pixels tall needs, of a camera sent in
 * `spatialLayers` layers, each half the height of the next: the smallest one drawn at no more
 * than a quarter larger than it is, else the top one.
 */
export function spatialLayerFor(height: number, spatialLayers: number): number {
  const top = Math.max(0, spatialLayers - 1);
  for (let layer = 0; layer < top; layer++) {
    const layerHeight = CAMERA_HEIGHT / 2 ** (top - layer);
    if (height <= layerHeight * 1.25) return layer;
  }
  return top;
}

/** How many spatial layers a consumer receives of, from its encodings' scalability mode (`L2T3`: two). */
export function spatialLayersIn(encodings: readonly { scalabilityMode?: string }[] | undefined): number {
  const match = /^[LS](\d+)T\d+/.exec(encodings?.[0]?.scalabilityMode ?? '');
  return match ? Number(match[1]) : 1;
}

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
  /**
   * `clear: true` (issue 19): audio sent without end-to-end encryption, only while a
   * facilitator lets someone whose browser cannot encrypt take part by audio in the clear
   * (`allowClearAudio`): that person's voice, or a group member's copy of their own voice for
   * them. The server routes it accordingly (roomMedia.ts).
   */
  produce: {
    request: z.object({ transportId: Id, kind: MediaKind, rtpParameters: RtpParameters, clear: z.literal(true).optional() }),
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
  /**
   * How the caller shows one of its video consumers (issue 22): whether its tile can be seen at
   * all, and how tall it is drawn, in device pixels. A consumer not seen receives nothing; one
   * seen gets the camera's layer its tile needs (`CAMERA_LAYERS`), or a lower one when the
   * caller's link cannot carry it (the SFU's own estimate decides that).
   */
  setConsumerView: {
    request: z.object({ consumerId: Id, visible: z.boolean(), height: z.number().int().min(0).max(4320) }),
    result: Done,
    mayCall: ADMITTED_AND_CLINICIANS,
  },
  /**
   * Pauses or resumes one of the caller's producers. A waiting client's is held: it sets the
   * state the producer is released in when the client is admitted (docs/protocol.md, "Getting
   * ready in the waiting room").
   */
  setProducerPaused: {
    request: z.object({ producerId: Id, paused: z.boolean() }),
    result: Done,
    mayCall: WAITING_OR_ADMITTED_AND_FACILITATORS,
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
