/**
 * A mediasoup-client transport made from the server's `createTransport` answer and wired to the
 * signaling connection: its DTLS connect, its produces, and an ICE restart when its media stalls.
 * Also what one transport needs besides: setting up a consumer the server made on it, and
 * `whenConnected`, to wait for its connection without waiting forever. Nothing here knows which
 * session holds the transport.
 */
import type { Device, types } from 'mediasoup-client';
import type { ResultTypes, RtpParameters, TransportInfo } from '../shared/protocol';
import { watchIce } from './iceWatch';
import { errorMessage, takenByReset, type SessionContext } from './sessionContext';

export type Direction = 'send' | 'recv';

/** Chromium's own peer connection setting, absent from the standard RTCConfiguration type. */
const INSERTABLE_STREAMS = { encodedInsertableStreams: true } as Partial<RTCConfiguration>;

/** Makes the transport `info` describes on `device`; the server hears of its connect and produces. */
export function openTransport(
  context: SessionContext,
  device: Device,
  direction: Direction,
  info: TransportInfo,
): types.Transport {
  const { signaling } = context;
  // ICE and DTLS parameters come from the server's mediasoup transport, verbatim.
  const options: types.TransportOptions = {
    id: info.id,
    iceParameters: info.iceParameters as types.IceParameters,
    iceCandidates: info.iceCandidates as types.IceCandidate[],
    dtlsParameters: info.dtlsParameters as types.DtlsParameters,
    // Chromium before RTCRtpScriptTransform gives encoded frames only to a connection made so.
    ...(context.frames?.needsInsertableStreams ? { additionalSettings: INSERTABLE_STREAMS } : {}),
  };
  const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);

  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signaling.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
  });
  if (direction === 'send') {
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      signaling
        .request('produce', {
          transportId: transport.id,
          kind,
          rtpParameters: rtpParameters as RtpParameters,
          // Audio in the clear (sending.ts): the server routes it only where it may go.
          ...(appData['clear'] === true ? { clear: true as const } : {}),
        })
        .then(({ id }) => callback({ id }), errback);
    });
  }
  // A stall (seconds of `disconnected`) or a failure asks the server for an ICE restart.
  const ice = watchIce(() => restartIce(context, transport));
  transport.on('connectionstatechange', (state) => {
    if (state === 'closed') ice.stop();
    else ice.onState(state);
  });
  transport.observer.on('close', () => ice.stop());
  return transport;
}

/** Asks the server for new ICE parameters and restarts with them; if that fails, the user hears about it. */
async function restartIce(context: SessionContext, transport: types.Transport): Promise<void> {
  // Closing its media session (a reset, or the RoomClient closing) closes the transport.
  if (transport.closed) return;
  try {
    const { iceParameters } = await context.signaling.request('restartIce', { transportId: transport.id });
    await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
  } catch (err) {
    // The transport went with a lost router: the reset about to be heard makes a new one.
    if (!takenByReset(err)) context.events.emit('error', { message: `The media connection failed: ${errorMessage(err)}` });
  }
}

/** Sets up here, on the receive `transport`, the consumer the server made (`consume`'s answer). */
export function consumerFor(context: SessionContext, transport: types.Transport, info: ResultTypes['consume'], participantId?: string): Promise<types.Consumer> {
  const { frames } = context;
  const clear = context.clearProducers.has(info.producerId);
  return transport.consume({
    // Before the receiver gets a packet: what plays has been opened (or, audio in the clear,
    // is from someone the holder's word lets be heard so), or nothing plays.
    ...(frames
      ? {
          onRtpReceiver: (receiver: RTCRtpReceiver) =>
            frames.attach(receiver, { side: 'receive', kind: info.kind, ...(clear ? { clear } : {}), ...(participantId ? { participantId } : {}) }),
        }
      : {}),
    id: info.id,
    producerId: info.producerId,
    kind: info.kind,
    // Produced by the server's mediasoup for this very Device; mediasoup-client checks it.
    rtpParameters: info.rtpParameters as types.RtpParameters,
  });
}

/** Settles when `transport` is connected, has failed or closed, or after `maxMs`. */
export function whenConnected(transport: types.Transport, maxMs: number): Promise<void> {
  const settledStates = ['connected', 'failed', 'closed'];
  if (settledStates.includes(transport.connectionState)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      transport.off('connectionstatechange', onState);
      resolve();
    };
    const onState = (state: string): void => {
      if (settledStates.includes(state)) done();
    };
    const timer = setTimeout(done, maxMs);
    transport.on('connectionstatechange', onState);
  });
}
