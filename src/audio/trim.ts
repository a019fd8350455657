import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { frameRms64 } from '../dsp/frame.js';

/** Reference level for {@link trim} / {@link split}: a fixed RMS amplitude, or a function of the frame RMS values. */
export type TrimReference = number | ((rms: Float64Array) => number);

/** Options of {@link trim} and {@link split} (librosa.effects.trim / split). */
export interface SilenceOptions {
  /** Threshold in dB below the reference to consider as silence. Default 60. */
  topDb?: number;
  /** Samples per RMS frame. Default 2048. */
  frameLength?: number;
  /** Samples between frames. Default 512. */
  hopLength?: number;
  /** Reference RMS (default: the maximum frame RMS, librosa's `np.max`). */
  ref?: TrimReference;
}

function maxOf(values: Float64Array): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

function check(name: string, y: Float32Array, frameLength: number, hopLength: number, topDb: number): void {
  if (!Number.isInteger(frameLength) || frameLength < 1)
    throw new EmovoxParameterError('frameLength', `must be a positive integer, got ${frameLength} (${name})`);
  if (!Number.isInteger(hopLength) || hopLength < 1)
    throw new EmovoxParameterError('hopLength', `must be a positive integer, got ${hopLength} (${name})`);
  if (!(topDb >= 0)) throw new EmovoxParameterError('topDb', `must be >= 0, got ${topDb} (${name})`);
  if (y.length === 0) throw new EmovoxInputError('y', `empty signal (${name})`);
}

/**
 * Frame RMS with librosa's centring: the signal is zero-padded by floor(frameLength / 2) on both
 * sides (`feature.rms(center=True, pad_mode='constant')`), frame t covers padded samples
 * [t * hop, t * hop + frameLength). Sums in float64. The dsp core's `frameRms64` with those
 * settings (the `rms` feature uses the same function).
 */
export function frameRms(y: Float32Array, frameLength = 2048, hopLength = 512): Float64Array {
  return frameRms64(y, frameLength, hopLength, true, 'constant');
}

/**
 * librosa's `_signal_to_frame_nonsilent`: frame t is non-silent when
 * 20 log10(max(1e-5, rms_t)) - 20 log10(max(1e-5, ref)) > -topDb (amplitude_to_db with amin 1e-5).
 */
export function nonSilentFrames(y: Float32Array, options: SilenceOptions = {}, name = 'signal'): Uint8Array {
  const { topDb = 60, frameLength = 2048, hopLength = 512, ref = maxOf } = options;
  check(name, y, frameLength, hopLength, topDb);
  const rms = frameRms(y, frameLength, hopLength);
  const refValue = typeof ref === 'function' ? ref(rms) : ref;
  const amin = 1e-10; // amin ** 2 in power terms
  const refDb = 10 * Math.log10(Math.max(amin, Math.abs(refValue) ** 2));
  const out = new Uint8Array(rms.length);
  for (let t = 0; t < rms.length; t++) {
    const db = 10 * Math.log10(Math.max(amin, rms[t] * rms[t])) - refDb;
    out[t] = db > -topDb ? 1 : 0;
  }
  return out;
}

/**
 * Trims leading and trailing silence (librosa.effects.trim): keeps samples from the first to the
 * last non-silent frame, start = first * hop, end = min(n, (last + 1) * hop).
 *
 * @param y - mono signal.
 * @param options - `topDb` (default 60 dB), `frameLength` (2048), `hopLength` (512), `ref` (max frame RMS).
 * @returns `{ trimmed, start, end }`; an all-silent signal gives start = end = 0 and an empty `trimmed`.
 */
export function trim(
  y: Float32Array,
  options: SilenceOptions = {},
): { trimmed: Float32Array; start: number; end: number } {
  const hop = options.hopLength ?? 512;
  const flags = nonSilentFrames(y, options, 'trim');
  const first = flags.indexOf(1);
  if (first < 0) return { trimmed: new Float32Array(0), start: 0, end: 0 };
  const last = flags.lastIndexOf(1);
  const start = first * hop;
  const end = Math.min(y.length, (last + 1) * hop);
  return { trimmed: y.slice(start, end), start, end };
}

/**
 * Splits a signal into non-silent intervals (librosa.effects.split).
 *
 * @param y - mono signal.
 * @param options - `topDb` (default 60 dB), `frameLength` (2048), `hopLength` (512), `ref` (max frame RMS).
 * @returns `[start, end)` sample intervals, in order (frame edges times hop, clipped to the length).
 */
export function split(y: Float32Array, options: SilenceOptions = {}): Array<[number, number]> {
  const hop = options.hopLength ?? 512;
  const flags = nonSilentFrames(y, options, 'split');
  const edges: number[] = [];
  if (flags[0]) edges.push(0);
  for (let t = 1; t < flags.length; t++) if (flags[t] !== flags[t - 1]) edges.push(t);
  if (flags[flags.length - 1]) edges.push(flags.length);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < edges.length; i += 2) {
    out.push([Math.min(y.length, edges[i] * hop), Math.min(y.length, edges[i + 1] * hop)]);
  }
  return out;
}
