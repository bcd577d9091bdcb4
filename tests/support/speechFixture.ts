/**
 * A voice for Chromium's fake microphone (`--use-file-for-fake-audio-capture`), made here:
 * speech-like sound rather than the fake device's beep. Opus codes a pure tone as music (its
 * CELT layer), where in-band forward error correction does not exist; a voice goes through its
 * speech layer (SILK), as a client's does, so a test of how the voice holds up on a lossy link
 * measures what a person would hear. Syllables of a voiced source (a pitch that drifts around
 * 120–160 Hz, harmonics shaped by three formants that move from syllable to syllable), a few
 * unvoiced hisses, short gaps between syllables and longer ones between phrases. Deterministic.
 */
import { writeFileSync } from 'node:fs';

const RATE = 48_000;

/** A small deterministic generator, so every run hears the same voice. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Gain of a resonance at `centre` Hz, `width` Hz wide, for a harmonic at `f`. */
const resonance = (f: number, centre: number, width: number): number => 1 / (1 + ((f - centre) / width) ** 2);

/** Writes `seconds` of the voice as a 48 kHz 16-bit mono WAV file at `path`. */
export function writeSpeechFixture(path: string, seconds = 12): void {
  const next = random(7);
  const samples = new Float32Array(RATE * seconds);
  let at = 0;
  let phase = 0;
  while (at < samples.length) {
    const phrase = 3 + Math.floor(next() * 4);
    for (let s = 0; s < phrase && at < samples.length; s++) {
      const length = Math.floor(RATE * (0.15 + next() * 0.12));
      const unvoiced = next() < 0.2;
      const f0 = 120 + next() * 40;
      const formants = [400 + next() * 450, 900 + next() * 1300, 2300 + next() * 600];
      for (let i = 0; i < length && at < samples.length; i++, at++) {
        const t = i / length;
        // Rises and falls within the syllable, as a voice does.
        const envelope = Math.sin(Math.PI * t) ** 0.6;
        let value = 0;
        if (unvoiced) {
          value = (next() * 2 - 1) * 0.25;
        } else {
          const pitch = f0 * (1 + 0.08 * Math.sin(2 * Math.PI * t));
          phase += (2 * Math.PI * pitch) / RATE;
          for (let h = 1; h * pitch < 4000; h++) {
            const f = h * pitch;
            const gain = resonance(f, formants[0]!, 90) + 0.6 * resonance(f, formants[1]!, 120) + 0.3 * resonance(f, formants[2]!, 160);
            value += (gain / Math.sqrt(h)) * Math.sin(h * phase);
          }
          value *= 0.12;
        }
        samples[at] = value * envelope;
      }
      // A gap between syllables.
      at += Math.floor(RATE * (0.04 + next() * 0.06));
    }
    // A pause between phrases.
    at += Math.floor(RATE * (0.3 + next() * 0.3));
  }
  // A normal speaking level: peaks at half of full scale.
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  const scale = 0.5 / (peak || 1);
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(Math.round(samples[i]! * scale * 32_767), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}
