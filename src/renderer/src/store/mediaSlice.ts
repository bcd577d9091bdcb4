import type { StateCreator } from 'zustand';
import { keepChoice, keptChoice } from '../../../client/keptChoice';
import type { MediaKind } from '../../../shared/protocol';
import type { ConsoleState } from './index';

export interface RemoteTrack {
  producerId: string;
  participantId: string;
  kind: MediaKind;
  track: MediaStreamTrack;
}

/** Where the facilitator's blur choice is kept on this workstation, for their next session (issue 21). */
export const BLUR_KEY = 'confidant.console.blur';

/** The blur choice kept on this workstation: off unless turned on before. */
export const keptBlur = (): boolean => keptChoice(BLUR_KEY) === 'on';

export interface MediaSlice {
  localStream: MediaStream | null;
  localMuted: { audio: boolean; video: boolean };
  /** The facilitator's own background is blurred (issue 21): what is sent is then the processed camera. */
  localBlur: boolean;
  mediaError: string | null;
  /** Tracks received from the SFU, by producerId. */
  remoteTracks: Record<string, RemoteTrack>;
  setLocalStream(stream: MediaStream | null): void;
  setLocalMuted(kind: MediaKind, muted: boolean): void;
  setLocalBlur(on: boolean): void;
  setMediaError(message: string | null): void;
  addRemoteTrack(track: RemoteTrack): void;
  removeRemoteTrack(producerId: string): void;
  clearMedia(): void;
  /** What came from the SFU goes (after a drop); the facilitator's own camera and microphone stay. */
  clearRemoteMedia(): void;
}

export const createMediaSlice: StateCreator<ConsoleState, [], [], MediaSlice> = (set) => ({
  localStream: null,
  localMuted: { audio: false, video: false },
  localBlur: keptBlur(),
  mediaError: null,
  remoteTracks: {},
  setLocalStream: (localStream) => set({ localStream }),
  setLocalMuted: (kind, muted) => set((s) => ({ localMuted: { ...s.localMuted, [kind]: muted } })),
  setLocalBlur: (localBlur) => {
    keepChoice(BLUR_KEY, localBlur ? 'on' : 'off');
    set({ localBlur });
  },
  setMediaError: (mediaError) => set({ mediaError }),
  addRemoteTrack: (t) => set((s) => ({ remoteTracks: { ...s.remoteTracks, [t.producerId]: t } })),
  removeRemoteTrack: (producerId) =>
    set((s) => {
      if (!(producerId in s.remoteTracks)) return {};
      const { [producerId]: _gone, ...rest } = s.remoteTracks;
      return { remoteTracks: rest };
    }),
  clearRemoteMedia: () => set({ remoteTracks: {} }),
  clearMedia: () =>
    set({ localStream: null, localMuted: { audio: false, video: false }, mediaError: null, remoteTracks: {} }),
});
