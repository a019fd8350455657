import { EmovoxParameterError } from '../util/errors.js';
import { fftFrequencies, NOTE_C2_HZ } from '../dsp/convert.js';
import type { NamedVector } from './functionals.js';
import { percentileSorted } from './functionals.js';
import { rms } from './framewise.js';
import { pyin } from './pitch.js';
import { powerSpectrogram64, resolveStft } from '../dsp/stft.js';
import { checkAudio, checkRate, type AudioSamples } from '../dsp/validate.js';

/** C6, the default pitch ceiling for speech. */
const NOTE_C6_HZ = 440.0 * 2 ** ((84 - 69) / 12);

/** Options of {@link prosodicFeatures}. */
export interface ProsodicOptions {
  /** pyin pitch floor, Hz. Default 65.406 (C2). */
  fmin?: number;
  /** pyin pitch ceiling, Hz. Default min(1046.5 (C6), sr / 2). */
  fmax?: number;
  /** Analysis frame (pyin, RMS and spectra share it). Default: smallest power of two >= 64 ms. */
  frameLength?: number;
}

/** Names of the values {@link prosodicFeatures} returns, in order. */
export const PROSODIC_NAMES = [
  'f0SemitoneMean',
  'f0SemitoneStd',
  'f0SemitoneP20',
  'f0SemitoneP50',
  'f0SemitoneP80',
  'f0SemitoneRange20to80',
  'f0SemitoneSlopePerSec',
  'voicedRatio',
  'loudnessProxyDbMean',
  'loudnessProxyDbStd',
  'loudnessProxyDbP20',
  'loudnessProxyDbP80',
  'jitterLike',
  'shimmerLike',
  'shimmerLikeDb',
  'spectralSlope0to500DbPerKHz',
  'spectralSlope500to1500DbPerKHz',
  'alphaRatioDb',
  'hammarbergIndexDb',
] as const;

function mean(v: number[]): number {
  return v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length;
}

function std(v: number[]): number {
  if (v.length === 0) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

function pct(v: number[], q: number): number {
  return v.length === 0 ? 0 : percentileSorted(Float64Array.from(v).sort(), q);
}

/** Least-squares slope of y against x (0 when x has no spread). */
function slope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

const db = (power: number): number => 10 * Math.log10(Math.max(power, 1e-10));

/**
 * An eGeMAPS-inspired prosodic / voice-quality vector (19 values, names in
 * {@link PROSODIC_NAMES}). Inspired by, not equal to, openSMILE's eGeMAPS: frames are longer,
 * pitch comes from {@link pyin}, and "jitter"/"shimmer" are frame-level proxies, not cycle-level
 * measures. Every analysis uses the same frames (frameLength N, hop N/4, centred), so pyin,
 * RMS and spectra align.
 *
 * - `f0Semitone*`: pyin F0 of voiced frames in semitones above 27.5 Hz (`12 log2(f0 / 27.5)`):
 *   mean, population std, 20th/50th/80th percentiles, the 20-80 range, and the least-squares
 *   slope against time (semitones per second).
 * - `voicedRatio`: fraction of frames pyin decodes as voiced.
 * - `loudnessProxyDb*`: frame RMS in dBFS (`20 log10(max(rms, 1e-5))`) over all frames, mean,
 *   std, 20th/80th percentiles. A level proxy, not perceptual loudness (no auditory weighting).
 * - `jitterLike`: mean |T_t - T_(t-1)| / mean T over consecutive voiced frame pairs, T = 1/F0.
 *   Frame-to-frame pitch-period perturbation (hop N/4), not Praat's cycle-to-cycle jitter.
 * - `shimmerLike`: the same relative mean absolute difference on the frame RMS amplitude of
 *   consecutive voiced frames; `shimmerLikeDb`: mean |20 log10(A_t / A_(t-1))|.
 * - `spectralSlope0to500DbPerKHz`, `spectralSlope500to1500DbPerKHz`: least-squares slope of the
 *   power spectrum in dB against frequency (dB per kHz) over FFT bins in [0, 500] / [500, 1500] Hz,
 *   averaged over voiced frames.
 * - `alphaRatioDb`: energy in [50, 1000) Hz over energy in [1000, 5000) Hz, in dB, averaged over
 *   voiced frames (the upper limit is capped at Nyquist).
 * - `hammarbergIndexDb`: strongest bin in [0, 2000) Hz minus strongest bin in [2000, 5000) Hz,
 *   in dB, averaged over voiced frames.
 *
 * Values that need voiced frames are 0 when none is voiced (check `voicedRatio`); jitter and
 * shimmer are 0 with fewer than one consecutive voiced pair. No HNR is reported: without a
 * cycle-level harmonic model any number would be a guess.
 *
 * @param y mono signal.
 * @param sr sample rate in Hz (>= 8000).
 * @param options fmin=65.406 Hz, fmax=min(1046.5 Hz, sr/2), frameLength=next power of two >= 0.064 sr.
 */
export function prosodicFeatures(y: AudioSamples, sr: number, options?: ProsodicOptions): NamedVector {
  const source = 'prosodicFeatures';
  checkAudio(y, source);
  checkRate(sr, source);
  if (sr < 8000)
    throw new EmovoxParameterError(
      'sr',
      `sample rate ${sr} Hz is below the 8000 Hz this set needs (${source})`,
    );
  let frameLength = options?.frameLength ?? 1;
  if (options?.frameLength === undefined) while (frameLength < 0.064 * sr) frameLength *= 2;
  const hop = Math.floor(frameLength / 4);
  const fmin = options?.fmin ?? NOTE_C2_HZ;
  const fmax = options?.fmax ?? Math.min(NOTE_C6_HZ, sr / 2);
  const p = pyin(y, sr, { fmin, fmax, frameLength, hopLength: hop });
  const amp = rms(y, { frameLength, hopLength: hop });
  const spec = powerSpectrogram64(y, resolveStft({ nFft: frameLength, hopLength: hop }, source), 2, source);
  const frames = Math.min(p.f0.length, amp.frames, spec.frames);
  const freq = fftFrequencies(sr, frameLength);
  const frameSec = hop / sr;

  const semis: number[] = [];
  const semiTimes: number[] = [];
  let jitNum = 0;
  let jitDen = 0;
  let shimNum = 0;
  let shimDen = 0;
  let shimDb = 0;
  let pairs = 0;
  const slopeLow: number[] = [];
  const slopeMid: number[] = [];
  const alpha: number[] = [];
  const hammarberg: number[] = [];
  const loud: number[] = [];
  const lowIdx: number[] = [];
  const midIdx: number[] = [];
  for (let k = 0; k < freq.length; k++) {
    if (freq[k] <= 500) lowIdx.push(k);
    if (freq[k] >= 500 && freq[k] <= 1500) midIdx.push(k);
  }
  const lowF = lowIdx.map((k) => freq[k] / 1000);
  const midF = midIdx.map((k) => freq[k] / 1000);
  const bandDb = new Float64Array(Math.max(lowIdx.length, midIdx.length));
  const top = Math.min(5000, sr / 2);
  for (let t = 0; t < frames; t++) {
    loud.push(20 * Math.log10(Math.max(amp.data[t], 1e-5)));
    if (!p.voicedFlag[t]) continue;
    const f0 = p.f0[t];
    semis.push(12 * Math.log2(f0 / 27.5));
    semiTimes.push(t * frameSec);
    if (t > 0 && p.voicedFlag[t - 1]) {
      const T0 = 1 / p.f0[t - 1];
      const T1 = 1 / f0;
      jitNum += Math.abs(T1 - T0);
      jitDen += (T0 + T1) / 2;
      const a0 = amp.data[t - 1];
      const a1 = amp.data[t];
      shimNum += Math.abs(a1 - a0);
      shimDen += (a0 + a1) / 2;
      shimDb += Math.abs(20 * Math.log10(Math.max(a1, 1e-10) / Math.max(a0, 1e-10)));
      pairs++;
    }
    const off = t * spec.bins;
    for (let i = 0; i < lowIdx.length; i++) bandDb[i] = db(spec.data[off + lowIdx[i]]);
    slopeLow.push(slope(lowF, bandDb.subarray(0, lowIdx.length)));
    for (let i = 0; i < midIdx.length; i++) bandDb[i] = db(spec.data[off + midIdx[i]]);
    slopeMid.push(slope(midF, bandDb.subarray(0, midIdx.length)));
    let eLow = 0;
    let eHigh = 0;
    let maxLow = 0;
    let maxHigh = 0;
    for (let k = 0; k < spec.bins; k++) {
      const f = freq[k];
      const v = spec.data[off + k];
      if (f >= 50 && f < 1000) eLow += v;
      else if (f >= 1000 && f < top) eHigh += v;
      if (f < 2000) maxLow = Math.max(maxLow, v);
      else if (f < top) maxHigh = Math.max(maxHigh, v);
    }
    alpha.push(db(eLow) - db(eHigh));
    hammarberg.push(db(maxLow) - db(maxHigh));
  }
  const values = [
    mean(semis),
    std(semis),
    pct(semis, 20),
    pct(semis, 50),
    pct(semis, 80),
    pct(semis, 80) - pct(semis, 20),
    slope(semiTimes, semis),
    frames === 0 ? 0 : semis.length / frames,
    mean(loud),
    std(loud),
    pct(loud, 20),
    pct(loud, 80),
    pairs === 0 || jitDen === 0 ? 0 : jitNum / jitDen,
    pairs === 0 || shimDen === 0 ? 0 : shimNum / shimDen,
    pairs === 0 ? 0 : shimDb / pairs,
    mean(slopeLow),
    mean(slopeMid),
    mean(alpha),
    mean(hammarberg),
  ];
  return { values: Float32Array.from(values), names: [...PROSODIC_NAMES] };
}
