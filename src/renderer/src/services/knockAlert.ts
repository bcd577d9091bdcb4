/**
 * Tells the facilitator someone knocked, even when the console is behind another window:
 * a soft two-note chime and a desktop notification that names no one.
 */
import { call } from '../bridge';
import { useConsole } from '../store';

let audio: AudioContext | null = null;

/** A gentle rising two-note chime, synthesised so no sound file ships. */
export function playChime(): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    const start = ctx.currentTime + 0.01;
    [659.25, 987.77].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t = start + i * 0.18;
      gain.gain.setValueAtTime(0, t);
      gain.gain.linearRampToValueAtTime(0.18, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, t + 0.9);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.95);
    });
  } catch {
    // No audio output: the notification and the waiting list still show the knock.
  }
}

export function announceKnock(): void {
  playChime();
  const waiting = Object.keys(useConsole.getState().waiting).length;
  if (waiting > 0) void call('app:notifyKnock', { waiting }).catch(() => undefined);
}
