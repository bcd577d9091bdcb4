/**
 * RoomClient in Node: mediasoup-client's own FakeHandler stands in for the browser's
 * RTCPeerConnection (Node has no WebRTC), so everything above it — signaling, the server,
 * its mediasoup worker — is real while no packet flows. Used by the RoomClient tests and
 * bench/consumeBurst.ts.
 */
import { createRequire } from 'node:module';
import { Device, FakeHandler } from 'mediasoup-client';
import * as fakeParameters from 'mediasoup-client/fakeParameters';

/**
 * The track class FakeHandler itself hands out for received media, resolved from
 * mediasoup-client so it is the very version that handler expects.
 */
const { FakeMediaStreamTrack } = createRequire(import.meta.resolve('mediasoup-client'))('fake-mediastreamtrack') as {
  FakeMediaStreamTrack: new (init: { kind: 'audio' | 'video' }) => MediaStreamTrack;
};

/** The handler a FakeHandler factory makes for each transport, for `adapt` to change. */
export type FakeHandlerInstance = ReturnType<ReturnType<typeof FakeHandler.createFactory>['factory']>;

/**
 * Makes Devices on FakeHandler whose every transport handler `adapt` has changed first (a
 * test making it report stats, or connect late), for RoomClientOptions.createDevice.
 */
export function fakeDeviceAdapting(adapt: (handler: FakeHandlerInstance) => void): () => Device {
  const base = FakeHandler.createFactory(fakeParameters);
  return () =>
    new Device({
      handlerFactory: {
        ...base,
        factory: (options) => {
          const handler = base.factory(options);
          adapt(handler);
          return handler;
        },
      },
    });
}

/** A Device on FakeHandler, for RoomClientOptions.createDevice. */
export const fakeDevice = fakeDeviceAdapting(() => undefined);

/** One track of `kind`, as FakeHandler expects. */
export const fakeTrack = (kind: 'audio' | 'video'): MediaStreamTrack => new FakeMediaStreamTrack({ kind });

/** What `RoomClient.publish` reads of a MediaStream (Node has none): a track of each of `kinds`. */
export function fakeStream(kinds: readonly ('video' | 'audio')[] = ['video', 'audio']): MediaStream {
  const video = kinds.includes('video') ? [fakeTrack('video')] : [];
  const audio = kinds.includes('audio') ? [fakeTrack('audio')] : [];
  return { getVideoTracks: () => video, getAudioTracks: () => audio } as unknown as MediaStream;
}
