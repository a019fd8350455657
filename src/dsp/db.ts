import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import type { FeatureMatrix } from './matrix.js';

/** Reference level for dB conversion: a fixed value or 'max' (librosa's `ref=np.max`). */
export type DbRef = number | 'max';

/** Options of {@link powerToDb}. */
export interface PowerToDbOptions {
  /** Value mapped to 0 dB (|ref| is used), or 'max'. Default 1.0. */
  ref?: DbRef;
  /** Floor applied to S and ref before the log. Default 1e-10. */
  amin?: number;
  /** Clip the output to `max - topDb` dB; null disables. Default 80. */
  topDb?: number | null;
}

/**
 * In place `10 log10(max(amin, S)) - 10 log10(max(amin, ref))`, then clipped at `max - topDb`
 * (the maximum over the whole array), exactly as librosa.power_to_db.
 */
export function powerToDbInPlace(data: Float64Array, options?: PowerToDbOptions): void {
  const amin = options?.amin ?? 1e-10;
  const topDb = options?.topDb === undefined ? 80.0 : options.topDb;
  const ref = options?.ref ?? 1.0;
  if (!(amin > 0))
    throw new EmovoxParameterError('amin', `must be strictly positive, got ${amin} (powerToDb)`);
  if (topDb !== null && !(topDb >= 0))
    throw new EmovoxParameterError('topDb', `must be non-negative, got ${topDb} (powerToDb)`);
  let refValue: number;
  if (ref === 'max') {
    refValue = -Infinity;
    for (let i = 0; i < data.length; i++) if (data[i] > refValue) refValue = data[i];
  } else if (typeof ref === 'number' && Number.isFinite(ref)) {
    refValue = Math.abs(ref);
  } else {
    throw new EmovoxParameterError('ref', `must be a finite number or 'max', got ${String(ref)} (powerToDb)`);
  }
  const offset = 10.0 * Math.log10(Math.max(amin, refValue));
  // 10 log10(x) as (10 / ln 10) ln(x): V8's Math.log is about twice as fast as Math.log10
  const dbPerLn = 10.0 / Math.LN10;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    const v = dbPerLn * Math.log(x < amin ? amin : x) - offset;
    data[i] = v;
    if (v > max) max = v;
  }
  if (topDb !== null) {
    const floor = max - topDb;
    for (let i = 0; i < data.length; i++) if (data[i] < floor) data[i] = floor;
  }
}

function toF64(S: FeatureMatrix, source: string, square: boolean): Float64Array {
  if (!S || !(S.data instanceof Float32Array) || S.data.length !== S.frames * S.bins) {
    throw new EmovoxInputError('S', `must be a FeatureMatrix (${source})`);
  }
  const out = new Float64Array(S.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = S.data[i];
    if (Number.isNaN(v)) throw new EmovoxInputError('S', `value ${i} is NaN (${source})`);
    out[i] = square ? v * v : v;
  }
  return out;
}

/**
 * Power spectrogram to decibels (librosa.power_to_db): `10 * log10(max(amin, S) / max(amin, ref))`,
 * clipped below at `max(output) - topDb`. Defaults ref=1.0, amin=1e-10, topDb=80 (dB).
 */
export function powerToDb(S: FeatureMatrix, options?: PowerToDbOptions): FeatureMatrix {
  const data = toF64(S, 'powerToDb', false);
  powerToDbInPlace(data, options);
  return { data: Float32Array.from(data), frames: S.frames, bins: S.bins };
}

/**
 * Amplitude (magnitude) spectrogram to decibels (librosa.amplitude_to_db): `powerToDb(|S|^2,
 * ref=ref^2, amin=amin^2, topDb)`. Defaults ref=1.0 (or 'max'), amin=1e-5, topDb=80 (dB).
 */
export function amplitudeToDb(S: FeatureMatrix, options?: PowerToDbOptions): FeatureMatrix {
  const data = toF64(S, 'amplitudeToDb', true);
  const amin = options?.amin ?? 1e-5;
  const ref = options?.ref ?? 1.0;
  const topDb = options?.topDb === undefined ? 80.0 : options.topDb;
  if (!(amin > 0))
    throw new EmovoxParameterError('amin', `must be strictly positive, got ${amin} (amplitudeToDb)`);
  // ref='max' on |S| is the same as 'max' on |S|^2.
  powerToDbInPlace(data, { ref: ref === 'max' ? 'max' : ref * ref, amin: amin * amin, topDb });
  return { data: Float32Array.from(data), frames: S.frames, bins: S.bins };
}

/**
 * Decibels back to power (librosa.db_to_power): `ref * 10^(S_db / 10)`. Default ref=1.0.
 */
export function dbToPower(Sdb: FeatureMatrix, ref = 1.0): FeatureMatrix {
  const out = new Float32Array(Sdb.data.length);
  for (let i = 0; i < out.length; i++) out[i] = ref * 10.0 ** (Sdb.data[i] / 10.0);
  return { data: out, frames: Sdb.frames, bins: Sdb.bins };
}
