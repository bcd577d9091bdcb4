/**
 * Notices when a transport's media stalls and asks for an ICE restart. `failed` comes late
 * (Chromium waits about 30 s without an answer before it gives up on a path); `disconnected`
 * comes within seconds of the media stopping, and often recovers by itself (a Wi-Fi blink).
 * So a restart is asked for at once on `failed`, and on `disconnected` only if it lasts
 * `stallMs`; one restart per stall, and again after `stallMs` if it is still stalled.
 */
export type IceState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export const ICE_STALL_MS = 3000;

export interface IceWatch {
  /** Feed every `connectionstatechange`. */
  onState(state: IceState): void;
  stop(): void;
}

export function watchIce(restart: () => Promise<void>, stallMs = ICE_STALL_MS): IceWatch {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let state: IceState = 'new';
  let restarting = false;

  const clear = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const restartNow = (): void => {
    clear();
    if (restarting) return;
    restarting = true;
    void restart().finally(() => {
      restarting = false;
      // Still stalled after the restart's answer: look again after another stall period.
      if (state === 'disconnected' || state === 'failed') schedule();
    });
  };
  const schedule = (): void => {
    clear();
    timer = setTimeout(restartNow, stallMs);
  };

  return {
    onState(next) {
      state = next;
      if (next === 'failed') restartNow();
      else if (next === 'disconnected') {
        if (!timer && !restarting) schedule();
      } else clear();
    },
    stop: clear,
  };
}
