import { EmovoxParameterError } from '../util/errors.js';
import { resample, type ResampleQuality } from './resample.js';
import { istft, stft64 } from '../dsp/stft.js';
import { phaseVocoder } from '../dsp/phase-vocoder.js';

/** STFT parameters of the phase vocoder (librosa defaults). */
export interface PhaseVocoderOptions {
  /** FFT size, a power of two. Default 2048. */
  nFft?: number;
  /** Hop in samples. Default nFft / 4. */
  hopLength?: number;
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
    throw new EmovoxParameterError('rate', `must be > 0, got ${rate} (timeStretch)`);
  const nFft = options.nFft ?? 2048;
  const hop = options.hopLength ?? Math.floor(nFft / 4);
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0)
    throw new EmovoxParameterError('nFft', `must be a power of two >= 4, got ${nFft} (timeStretch)`);
  if (!Number.isInteger(hop) || hop < 1)
    throw new EmovoxParameterError('hopLength', `must be a positive integer, got ${hop} (timeStretch)`);
  const length = Math.round(y.length / rate);
  if (y.length === 0) return new Float32Array(0);
  const spec = stft64(y, { nFft, hopLength: hop, window: 'hann', center: true, padMode: 'constant' });
  return istft(phaseVocoder(spec, rate, hop), { hopLength: hop, window: 'hann', center: true, length });
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
  if (!Number.isFinite(steps))
    throw new EmovoxParameterError('steps', `must be finite, got ${steps} (pitchShift)`);
  if (!(sr > 0)) throw new EmovoxParameterError('sr', `invalid sample rate ${sr} (pitchShift)`);
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
    throw new EmovoxParameterError('factor', `must be > 0, got ${factor} (speedPerturb)`);
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
