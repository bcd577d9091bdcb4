/**
 * The person's own camera and microphone on the participant page: what they choose before the
 * call (the preview), asking the browser for a device, the switches during the call, getting
 * them ready in the waiting room, and what the therapist's mutes do to them. Admission and what
 * is received from the group belong to group.ts.
 */
import { ProtocolError, type MediaKind, type RtpCapabilities } from '../shared/protocol';
import { getLocalMedia, MediaAccessError } from '../client/media';
import { BackdropProcessor, type BackgroundMode } from '../client/backdrop';
import { rememberBackground, SEGMENTATION_BASE } from './background';
import type { RoomClient } from '../client/roomClient';
import { noticeText, unmutePromptCopy } from './notices';
import { words } from './i18n';
import { announce, moderate, pageState, setPageState } from './store';

export class LocalMedia {
  /** Blurring or replacing the camera's background, while `localVideo` is its track (issue 21). */
  private backdrop: BackdropProcessor | null = null;

  /**
   * `currentRoom`: the group's media engine, when there is one (group.ts); `choseVideo`: told
   * when the person turns their camera on or off in the call (the audio fallback yields to it).
   */
  constructor(
    private readonly currentRoom: () => RoomClient | null,
    private readonly choseVideo: () => void = () => undefined,
    /** Told of each track the preview got from the browser (group.ts sends one that came after admission). */
    private readonly acquired: (kind: MediaKind, track: MediaStreamTrack) => void = () => undefined,
  ) {}

  async setWant(kind: MediaKind, on: boolean): Promise<void> {
    const { screen } = pageState();
    if (screen === 'call') return this.toggleInCall(kind, on);
    // While joining, the media engine is being set up with what was chosen; wait for it.
    if (screen === 'joining') return;
    setPageState(kind === 'audio' ? { wantAudio: on, mediaError: null } : { wantVideo: on, mediaError: null });
    await this.refreshPreview();
    // Waiting with media made ready: the server announces it at admission as the person has it now.
    if (screen === 'waiting') await this.currentRoom()?.holdChoice(kind, !!this.localTrack(kind));
  }

  /** Makes the live local tracks match what the person chose (before the call). */
  async refreshPreview(): Promise<void> {
    for (const kind of ['video', 'audio'] as const) {
      const want = kind === 'audio' ? pageState().wantAudio : pageState().wantVideo;
      const track = this.localTrack(kind);
      if (want && !track) {
        const got = await this.acquire(kind);
        if (got) this.acquired(kind, got);
      } else if (!want && track) this.releaseTrack(kind);
    }
  }

  releaseTrack(kind: MediaKind): void {
    // A processed camera's track stops its camera with it (BackdropProcessor).
    this.localTrack(kind)?.stop();
    if (kind === 'video') this.backdrop = null;
    setPageState(kind === 'audio' ? { localAudio: null } : { localVideo: null });
  }

  /** At an ending: the camera's and microphone's lights go off (the ending clears the store). */
  stopAll(): void {
    pageState().localAudio?.stop();
    pageState().localVideo?.stop();
  }

  /**
   * While waiting: connects the media for the camera and microphone the person has on the
   * preview (RoomClient.getReady; nothing of them is sent before admission).
   */
  getReady(room: RoomClient, routerRtpCapabilities: RtpCapabilities): void {
    const kinds: MediaKind[] = [];
    if (pageState().localVideo) kinds.push('video');
    if (pageState().localAudio) kinds.push('audio');
    room.getReady(routerRtpCapabilities, kinds).catch((err: unknown) => console.warn('getting the media ready failed', err));
  }

  /** The server has already paused our producer; make our side match and say so gently. */
  onMutedByFacilitator(kind: MediaKind): void {
    moderate({ type: 'muted', kind });
    this.setWantFlag(kind, false);
    this.currentRoom()?.pauseLocally(kind);
    // The camera light goes off too: nothing is captured that nobody may see.
    if (kind === 'video') this.releaseTrack('video');
    announce(noticeText({ type: 'muted', kind }));
  }

  /** Lifts the lock and asks; the person decides. The page never turns anything on by itself. */
  onUnmuteAllowed(kind: MediaKind): void {
    const alreadyOn = kind === 'audio' ? pageState().wantAudio : pageState().wantVideo;
    moderate({ type: 'unmuteAllowed', kind });
    if (alreadyOn) {
      moderate({ type: 'promptDismissed', kind });
      return;
    }
    announce(words().moderation.unmuteAnnounce(unmutePromptCopy(kind).title));
  }

  /** The prompt's "Unmute" (or "Turn camera on"). */
  async acceptUnmute(kind: MediaKind): Promise<void> {
    moderate({ type: 'promptDismissed', kind });
    await this.toggleInCall(kind, true);
  }

  /** The prompt's "Not now": the button stays available for later. */
  declineUnmute(kind: MediaKind): void {
    moderate({ type: 'promptDismissed', kind });
    announce(words().media.staysOff(kind));
  }

  dismissNotice(): void {
    moderate({ type: 'noticeDismissed' });
  }

  private localTrack(kind: MediaKind): MediaStreamTrack | null {
    return kind === 'audio' ? pageState().localAudio : pageState().localVideo;
  }

  private async acquire(kind: MediaKind): Promise<MediaStreamTrack | null> {
    try {
      const stream = await getLocalMedia({ audio: kind === 'audio', video: kind === 'video' });
      const track = stream.getTracks()[0] ?? null;
      // The choice may have changed while the browser asked for permission.
      const still = kind === 'audio' ? pageState().wantAudio : pageState().wantVideo;
      if (!track || !still || pageState().screen === 'ended') {
        track?.stop();
        return null;
      }
      return this.adopt(kind === 'video' ? this.withBackground(track) : track);
    } catch (err) {
      const message = words().media.accessError(err instanceof MediaAccessError ? err.reason : 'other', kind);
      setPageState(kind === 'audio' ? { wantAudio: false, mediaError: message } : { wantVideo: false, mediaError: message });
      return null;
    }
  }

  /** Makes `track` the live one of its kind, forgotten when it ends. */
  private adopt(track: MediaStreamTrack): MediaStreamTrack {
    const kind = track.kind as MediaKind;
    track.addEventListener('ended', () => {
      if (this.localTrack(kind) === track) setPageState(kind === 'audio' ? { localAudio: null } : { localVideo: null });
    });
    setPageState(kind === 'audio' ? { localAudio: track } : { localVideo: track });
    return track;
  }

  /**
   * The camera's track as the person chose to show it: as it is, or (blur, backdrop) the
   * processed track, which owns the camera's and is the only one that is previewed or sent.
   */
  private withBackground(camera: MediaStreamTrack): MediaStreamTrack {
    const mode = pageState().background;
    if (mode === 'none') return camera;
    setPageState({ backgroundFailed: false });
    const processor = new BackdropProcessor(camera, mode, {
      assetBase: SEGMENTATION_BASE,
      onFailure: (err) => {
        console.warn('background blur could not start', err);
        if (this.backdrop !== processor) return;
        setPageState({ backgroundFailed: true });
        announce(words().media.backgroundFailed);
      },
    });
    this.backdrop?.stop();
    this.backdrop = processor;
    return processor.track;
  }

  /**
   * The person chose how their background is shown: remembered on this device, and applied
   * at once to the live camera (the preview, and what the group sees when in the call).
   */
  async setBackground(mode: BackgroundMode): Promise<void> {
    rememberBackground(mode);
    const before = pageState().background;
    setPageState({ background: mode });
    if (mode === before) return;
    const current = pageState().localVideo;
    const processor = this.backdrop && current === this.backdrop.track ? this.backdrop : null;
    if (!current) return;
    if (processor && mode !== 'none') {
      // Blur ⇄ backdrop: the same track, drawn differently from the next frame on.
      processor.setMode(mode);
      return;
    }
    // To or from the camera as it is: a new track for the same camera, kept on all along.
    const camera = processor ? processor.release() : current;
    if (processor) this.backdrop = null;
    setPageState({ backgroundFailed: false });
    const next = this.adopt(this.withBackground(camera));
    const room = this.currentRoom();
    if (pageState().screen === 'call' && room?.isPublishing('video')) {
      try {
        await room.publish(new MediaStream([next]));
      } catch (err) {
        console.warn('changing the background in the call failed', err);
      }
    }
  }

  private async toggleInCall(kind: MediaKind, on: boolean): Promise<void> {
    const room = this.currentRoom();
    if (!room || pageState().mediaBusy[kind]) return;
    if (on && pageState().moderation.mutedByFacilitator[kind]) {
      // Explain, calmly; the server would refuse anyway.
      moderate({ type: 'blockedAttempt', kind });
      announce(noticeText({ type: 'stillMuted', kind }));
      return;
    }
    this.setBusy(kind, true);
    this.setWantFlag(kind, on);
    if (kind === 'video') this.choseVideo();
    setPageState({ mediaError: null });
    try {
      if (on) {
        // Turning the camera off releases it (its light goes off), so turning on may need a new track.
        const track = this.localTrack(kind) ?? (await this.acquire(kind));
        if (!track) return; // acquire() said why and put the switch back
        if (!room.isPublishing(kind) || kind === 'video') await room.publish(new MediaStream([track]));
        await room.setMuted(kind, false);
        moderate({ type: 'turnedOn', kind });
      } else {
        await room.setMuted(kind, true);
        if (kind === 'video') this.releaseTrack('video');
      }
      announce(words().media.toggled(kind, on));
    } catch (err) {
      if (on) {
        // Nothing of ours may stay live that the group cannot see: put it back to off.
        room.pauseLocally(kind);
        if (kind === 'video') this.releaseTrack('video');
      }
      this.setWantFlag(kind, !on);
      if (err instanceof ProtocolError && err.code === 'MUTED_BY_FACILITATOR') {
        moderate({ type: 'unmuteRefused', kind });
        announce(noticeText({ type: 'refused', kind }));
        return;
      }
      const message = words().media.toggleFailed(kind, on);
      setPageState({ mediaError: message });
      announce(message);
    } finally {
      this.setBusy(kind, false);
    }
  }

  private setWantFlag(kind: MediaKind, on: boolean): void {
    setPageState(kind === 'audio' ? { wantAudio: on } : { wantVideo: on });
  }

  private setBusy(kind: MediaKind, busy: boolean): void {
    setPageState((s) => ({ mediaBusy: { ...s.mediaBusy, [kind]: busy } }));
  }
}
