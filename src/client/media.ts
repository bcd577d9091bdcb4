/**
 * Local camera and microphone helpers. Constraints are modest on purpose: group calls show
 * many small tiles, and clients join from ordinary laptops and phones on home connections.
 */
import { CAMERA_HEIGHT } from '../shared/protocol';

export interface MediaChoice {
  audio: boolean;
  video: boolean;
}

export const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: CAMERA_HEIGHT },
  frameRate: { ideal: 24, max: 30 },
  facingMode: 'user',
};

export const AUDIO_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/** A getUserMedia failure, with a message fit to show the person in front of the screen. */
export class MediaAccessError extends Error {
  readonly reason: 'denied' | 'not-found' | 'in-use' | 'unsupported' | 'other';
  constructor(reason: MediaAccessError['reason'], message: string) {
    super(message);
    this.name = 'MediaAccessError';
    this.reason = reason;
  }
}

/** Asks for the chosen devices. Resolves with an empty stream when nothing is chosen. */
export async function getLocalMedia(choice: MediaChoice): Promise<MediaStream> {
  if (!choice.audio && !choice.video) return new MediaStream();
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new MediaAccessError(
      'unsupported',
      'This browser cannot use a camera or microphone here. Try an up-to-date Chrome, Edge, Firefox or Safari.',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: choice.audio ? AUDIO_CONSTRAINTS : false,
      video: choice.video ? VIDEO_CONSTRAINTS : false,
    });
  } catch (err) {
    throw toMediaAccessError(err, choice);
  }
}

function toMediaAccessError(err: unknown, choice: MediaChoice): MediaAccessError {
  const what = choice.audio && choice.video ? 'camera and microphone' : choice.video ? 'camera' : 'microphone';
  const name = err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new MediaAccessError(
        'denied',
        `Your browser didn't allow access to your ${what}. Allow it in the browser's address bar (the camera icon), then try again — or continue with it turned off.`,
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new MediaAccessError('not-found', `We couldn't find a ${what} on this device. You can continue with it turned off.`);
    case 'NotReadableError':
    case 'AbortError':
      return new MediaAccessError(
        'in-use',
        `Your ${what} seems to be in use by another app. Close that app and try again, or continue with it turned off.`,
      );
    default:
      return new MediaAccessError('other', `Your ${what} couldn't be started. You can continue with it turned off.`);
  }
}

/** A stream holding exactly these tracks (skipping missing ones), for a <video> or <audio>. */
export function streamFor(tracks: readonly (MediaStreamTrack | null | undefined)[]): MediaStream {
  return new MediaStream(tracks.filter((t): t is MediaStreamTrack => !!t));
}

/** Stops every track of a stream, turning off the camera light. */
export function stopStream(stream: MediaStream | null | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}
