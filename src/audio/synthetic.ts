import { mulberry32 } from '../util/random.js';

/** Options for {@link synthesizeSpeechLike}. */
export interface SpeechLikeOptions {
  /** Sample rate in Hz. Default 16000. */
  sampleRate?: number;
  /** Length in seconds. Default 2. */
  durationS?: number;
  /** Mean fundamental frequency in Hz. Default 140. */
  f0Hz?: number;
  /** Relative f0 excursion of the slow intonation contour (0.2 = ±20 %). Default 0.15. */
  f0Excursion?: number;
  /** Formant centre frequencies in Hz (an /a/-like vowel by default: 700, 1220, 2600). */
  formantsHz?: readonly number[];
  /** Seed of the breath-noise generator. Default 0. */
  seed?: number;
}

/**
 * A deterministic speech-like test signal: a harmonic (glottal-like) source with a slow
 * intonation contour, shaped by resonances at the formant frequencies, gated into syllables
 * with pauses, plus faint breath noise. Peak amplitude is about 0.5.
 *
 * It is not speech, but it has what speech features react to (f0, harmonics, formants,
 * voiced/unvoiced alternation, silence), so demos, benchmarks and tests can run without data.
 *
 * @returns mono samples in [-1, 1] at `sampleRate`
 */
export function synthesizeSpeechLike(options: SpeechLikeOptions = {}): Float32Array {
  const sr = options.sampleRate ?? 16000;
  const durationS = options.durationS ?? 2;
  const f0Mean = options.f0Hz ?? 140;
  const excursion = options.f0Excursion ?? 0.15;
  const formants = options.formantsHz ?? [700, 1220, 2600];
  const random = mulberry32(options.seed ?? 0);
  const n = Math.max(0, Math.round(durationS * sr));
  const y = new Float32Array(n);
  const bandwidthHz = 90;
  let phase = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const f0 = f0Mean * (1 + excursion * Math.sin(2 * Math.PI * 0.6 * t));
    phase += f0 / sr;
    // About 4 syllables a second with a pause every fourth: a raised-cosine gate per syllable.
    const syllable = (t * 4) % 1;
    const inPause = Math.floor(t * 4) % 4 === 3;
    const gate = inPause ? 0 : 0.5 - 0.5 * Math.cos(2 * Math.PI * syllable);
    let voiced = 0;
    for (let h = 1; h * f0 < sr / 2 && h <= 60; h++) {
      let resonance = 0;
      for (const fm of formants) resonance += 1 / (1 + ((h * f0 - fm) / bandwidthHz) ** 2);
      voiced += (resonance / h) * Math.sin(2 * Math.PI * h * phase);
    }
    y[i] = gate * voiced + 0.002 * (random.next() - 0.5);
    peak = Math.max(peak, Math.abs(y[i]));
  }
  if (peak > 0) for (let i = 0; i < n; i++) y[i] *= 0.5 / peak;
  return y;
}
