/**
 * Blank stand-in tracks: what a waiting client's page produces to get its connection to the
 * session ready before admission (RoomClient.getReady). A stand-in never carries the room or
 * the voice: a black canvas that draws no frame, or a silent audio graph. It lives only for
 * the produce: its producer is then left with no track, and the server holds it meanwhile.
 */
import type { MediaKind } from '../shared/protocol';

export interface StandIn {
  track: MediaStreamTrack;
  /** Ends the track and frees what made it. */
  stop(): void;
}

/** Makes a blank stand-in of `kind` in a browser page. */
export function blankStandIn(kind: MediaKind): StandIn {
  if (kind === 'video') {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    canvas.getContext('2d')?.fillRect(0, 0, canvas.width, canvas.height);
    // A frame rate of 0: the canvas is captured only when asked, and nothing asks.
    const track = canvas.captureStream(0).getVideoTracks()[0];
    if (!track) throw new Error('this browser cannot capture a canvas');
    return { track, stop: () => track.stop() };
  }
  const context = new AudioContext();
  const track = context.createMediaStreamDestination().stream.getAudioTracks()[0];
  if (!track) {
    void context.close();
    throw new Error('this browser cannot make an audio track');
  }
  return {
    track,
    stop: () => {
      track.stop();
      void context.close().catch(() => undefined);
    },
  };
}
