/**
 * Handlers for every method after hello, one per name, typed by the protocol's request and
 * result maps. Authorization by role and state (`isAllowed`) has already run; handlers add
 * the per-object checks (a transport, producer or consumer must be the caller's own).
 */
import {
  ProtocolError,
  type MethodName,
  type ParsedRequestData,
  type ResultTypes,
} from '../../shared/protocol.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { SignalingContext } from './context.js';

export interface MethodContext {
  ctx: SignalingContext;
  peer: Peer;
  room: Room;
  /** Ends the caller's connection after its response has gone out. */
  closeAfterResponse(code: number, reason: string): void;
}

type PeerMethod = Exclude<MethodName, 'hello'>;

type Handler<M extends PeerMethod> = (
  mc: MethodContext,
  data: ParsedRequestData<M>,
) => ResultTypes[M] | Promise<ResultTypes[M]>;

const ok = {} as Record<string, never>;

export const methodHandlers: { [M in PeerMethod]: Handler<M> } = {
  async checkIn({ ctx, peer, room }, data) {
    if (data.agreementVersion !== ctx.agreement.version) {
      throw new ProtocolError('CONFLICT', 'the agreement has changed; please read it again');
    }
    room.checkIn(peer, data);
    // Only codecs: lets the page prepare its media engine while it waits.
    return { state: 'waiting', routerRtpCapabilities: await room.rtpCapabilities() };
  },

  leave({ closeAfterResponse }) {
    closeAfterResponse(1000, 'left');
    return ok;
  },

  async admit({ peer, room }, { participantId }) {
    await room.admit(peer, participantId);
    return ok;
  },

  deny({ peer, room }, { participantId }) {
    room.deny(peer, participantId);
    return ok;
  },

  createTransport: ({ peer, room }, { direction }) => room.createTransport(peer, direction),

  async connectTransport({ peer }, { transportId, dtlsParameters }) {
    await peer.media.connectTransport(transportId, dtlsParameters);
    return ok;
  },

  async restartIce({ peer }, { transportId }) {
    return { iceParameters: await peer.media.restartIce(transportId) };
  },

  produce: ({ peer, room }, data) => room.produce(peer, data),

  consume: ({ peer, room }, data) => room.consume(peer, data),

  async resumeConsumer({ peer }, { consumerId }) {
    await peer.media.resumeConsumer(consumerId);
    return ok;
  },

  async setProducerPaused({ peer, room }, { producerId, paused }) {
    await room.setProducerPaused(peer, producerId, paused);
    return ok;
  },
};

export function runMethod<M extends PeerMethod>(
  method: M,
  mc: MethodContext,
  data: ParsedRequestData<M>,
): ResultTypes[M] | Promise<ResultTypes[M]> {
  const handler = methodHandlers[method] as Handler<M>;
  return handler(mc, data);
}
