import { EmovoxInputError } from '../util/errors.js';
import { resample, type ResampleQuality } from './resample.js';
import { istft, stft, type Spectrogram } from './stft.js';

/** STFT parameters of the phase vocoder (librosa defaults). */
export interface PhaseVocoderOptions {
  /** FFT size, a power of two. Default 2048. */
  nFft?: number;
  /** Hop in samples. Default nFft / 4. */
  hopLength?: number;
}

/**
 * librosa.phase_vocoder: reads the spectrogram at fractional frame positions 0, rate, 2 rate...,
 * interpolating magnitudes linearly and accumulating phase with the measured instantaneous
 * frequency of each bin.
 */
export function phaseVocoder(spec: Spectrogram, rate: number, hop: number): Spectrogram {
  const { frames, bins } = spec;
  const steps = Math.ceil(frames / rate - 1e-12);
  const outFrames = Array.from({ length: steps }, (_, t) => t * rate).filter((s) => s < frames).length;
  const re = new Float64Array(outFrames * bins);
  const im = new Float64Array(outFrames * bins);
  // Magnitudes and phases once per input frame, plus librosa's two zero frames of padding.
  const magAll = new Float64Array((frames + 2) * bins);
  const angAll = new Float64Array((frames + 2) * bins);
  for (let i = 0; i < frames * bins; i++) {
    magAll[i] = Math.hypot(spec.re[i], spec.im[i]);
    angAll[i] = Math.atan2(spec.im[i], spec.re[i]);
  }
  const advance = Float64Array.from({ length: bins }, (_, k) =>
    bins > 1 ? (Math.PI * hop * k) / (bins - 1) : 0,
  );
  const acc = angAll.slice(0, bins);
  for (let t = 0; t < outFrames; t++) {
    const step = t * rate;
    const i = Math.floor(step);
    const alpha = step - i;
    for (let k = 0; k < bins; k++) {
      const a = i * bins + k;
      const b = a + bins;
      const m = (1 - alpha) * magAll[a] + alpha * magAll[b];
      re[t * bins + k] = m * Math.cos(acc[k]);
      im[t * bins + k] = m * Math.sin(acc[k]);
      let dphase = angAll[b] - angAll[a] - advance[k];
      dphase -= 2 * Math.PI * Math.round(dphase / (2 * Math.PI));
      acc[k] += advance[k] + dphase;
    }
  }
  return { re, im, frames: outFrames, bins };
}

/**
 * Time-stretches by `rate` without changing pitch (librosa.effects.time_stretch): STFT ->
 * phase vocoder -> ISTFT. rate > 1 speeds up.
 *
 * @param y - mono signal.
 * @param rate - stretch factor (> 0).
 * @param options - `nFft` (2048), `hopLength` (nFft / 4).
 * @returns round(y.length / rate) samples.
 */
export function timeStretch(y: Float32Array, rate: number, options: PhaseVocoderOptions = {}): Float32Array {
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new EmovoxInputError('timeStretch', `rate must be > 0, got ${rate}`);
  const nFft = options.nFft ?? 2048;
  const hop = options.hopLength ?? Math.floor(nFft / 4);
  const length = Math.round(y.length / rate);
  if (y.length === 0) return new Float32Array(0);
  return istft(phaseVocoder(stft(y, nFft, hop), rate, hop), hop, length);
}

/** Options of {@link pitchShift}. */
export interface PitchShiftOptions extends PhaseVocoderOptions {
  /** Steps per octave. Default 12 (semitones). */
  binsPerOctave?: number;
  /** Resampler quality. Default 'high'. */
  quality?: ResampleQuality;
}

/**
 * Shifts pitch by `steps` semitones keeping duration (librosa.effects.pitch_shift):
 * time_stretch by 2^(-steps/12), then resample from sr / rate to sr, then fix the length.
 *
 * @param y - mono signal.
 * @param sr - sample rate in Hz.
 * @param steps - semitones (fractional allowed; positive is up).
 * @returns a signal of y.length samples.
 */
export function pitchShift(
  y: Float32Array,
  sr: number,
  steps: number,
  options: PitchShiftOptions = {},
): Float32Array {
  if (!Number.isFinite(steps)) throw new EmovoxInputError('pitchShift', `steps must be finite, got ${steps}`);
  if (!(sr > 0)) throw new EmovoxInputError('pitchShift', `invalid sample rate ${sr}`);
  const rate = 2 ** (-steps / (options.binsPerOctave ?? 12));
  const stretched = timeStretch(y, rate, options);
  const shifted = resample(stretched, sr / rate, sr, { quality: options.quality ?? 'high' });
  return fixLength(shifted, y.length);
}

/**
 * Speed perturbation (Kaldi / sox `speed`): plays `factor` times faster, changing tempo and pitch
 * together, by resampling from sr * factor to sr.
 *
 * @returns ceil(y.length / factor) samples.
 */
export function speedPerturb(
  y: Float32Array,
  sr: number,
  factor: number,
  quality: ResampleQuality = 'high',
): Float32Array {
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new EmovoxInputError('speedPerturb', `factor must be > 0, got ${factor}`);
  return resample(y, sr * factor, sr, { quality });
}

/** Pads with zeros or truncates to `length` (librosa.util.fix_length). */
export function fixLength(y: Float32Array, length: number): Float32Array {
  if (y.length === length) return y;
  if (y.length > length) return y.slice(0, length);
  const out = new Float32Array(length);
  out.set(y);
  return out;
}
