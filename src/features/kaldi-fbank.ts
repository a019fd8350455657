// Kaldi-style log mel filterbank energies (compute-fbank-feats), as torchaudio.compliance.kaldi.fbank
// computes them: the front end x-vector / ECAPA-TDNN speaker models (WeSpeaker, Kaldi recipes) are
// trained on. Differs from the librosa-style melSpectrogram in every step: frames snipped to the
// signal (no centring), per-frame DC removal, pre-emphasis inside the frame, the Povey window,
// zero-padding to a power of two, mel triangles built on the mel axis (1127·ln(1 + f/700)).
import { EmovoxParameterError } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';
import { RealFft } from '../dsp/fft.js';
import type { FeatureMatrix } from '../dsp/matrix.js';

/** Window functions of Kaldi's feature extraction. */
export type KaldiWindow = 'povey' | 'hanning' | 'hamming' | 'rectangular' | 'blackman';

/** Options of {@link kaldiFbank}; names and defaults follow torchaudio.compliance.kaldi.fbank except where noted. */
export interface KaldiFbankOptions {
  /** Mel bins (default 80, what speaker models use; torchaudio's default is 23). */
  numMelBins?: number;
  /** Frame length in ms (default 25). */
  frameLength?: number;
  /** Frame shift in ms (default 10). */
  frameShift?: number;
  /**
   * Gaussian dither added to each sample (default 0: deterministic; Kaldi's own default is 1 on
   * int16-scaled audio). When non-zero, the noise is drawn from `seed`.
   */
  dither?: number;
  /** Seed of the dither noise (default 0). */
  seed?: number;
  /** Pre-emphasis coefficient in [0, 1] (default 0.97). */
  preemphasisCoefficient?: number;
  /** Subtract each frame's mean (default true). */
  removeDcOffset?: boolean;
  /** Window (default 'povey': the symmetric Hann window to the power 0.85). */
  windowType?: KaldiWindow;
  /** Coefficient of the 'blackman' window (default 0.42). */
  blackmanCoeff?: number;
  /** Zero-pad each frame to the next power of two before the FFT (default true: 400 → 512). */
  roundToPowerOfTwo?: boolean;
  /**
   * Only frames that fit the signal (default true): 1 + floor((n − length) / shift) frames. False:
   * round(n / shift) frames over the signal mirrored at both ends.
   */
  snipEdges?: boolean;
  /** Floor of the frame energy, absolute (default 1; 0 for none). */
  energyFloor?: number;
  /** Energy measured before pre-emphasis and windowing (default true). */
  rawEnergy?: boolean;
  /** Add the log frame energy as an extra column (default false). */
  useEnergy?: boolean;
  /** With `useEnergy`, put the energy last (HTK order) instead of first (default false). */
  htkCompat?: boolean;
  /** Log of the mel energies (floored at float32's epsilon); false: linear energies (default true). */
  useLogFbank?: boolean;
  /** Power spectrum; false: magnitude (default true). */
  usePower?: boolean;
  /** Lowest frequency of the mel triangles in Hz (default 20). */
  lowFreq?: number;
  /** Highest frequency in Hz; zero or negative counts from Nyquist (default 0 = Nyquist). */
  highFreq?: number;
  /** Subtract each column's mean over the utterance (CMN; default false). */
  subtractMean?: boolean;
  /**
   * Factor applied to the samples first (default 1: samples as given, in [-1, 1], like torchaudio
   * on a float waveform). Kaldi and WeSpeaker work on int16-scaled audio: 32768. Log energies
   * shift by 2·ln(scale); the floors do not, so the two differ on near-silent frames.
   */
  scale?: number;
}

/** float32's machine epsilon: Kaldi's floor before every log. */
const EPSILON = 1.1920928955078125e-7;

const melScale = (f: number) => 1127 * Math.log(1 + f / 700);

function windowFunction(type: KaldiWindow, n: number, blackman: number): Float64Array {
  const w = new Float64Array(n);
  const a = (2 * Math.PI) / (n - 1);
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos(a * i);
    switch (type) {
      case 'povey':
        w[i] = hann ** 0.85;
        break;
      case 'hanning':
        w[i] = hann;
        break;
      case 'hamming':
        w[i] = 0.54 - 0.46 * Math.cos(a * i);
        break;
      case 'rectangular':
        w[i] = 1;
        break;
      case 'blackman':
        w[i] = blackman - 0.5 * Math.cos(a * i) + (0.5 - blackman) * Math.cos(2 * a * i);
        break;
    }
  }
  return w;
}

/**
 * Kaldi's mel triangles (get_mel_banks without VTLN): `numBins` rows over the `paddedSize / 2 + 1`
 * FFT bins (the Nyquist bin always 0), weights linear on the mel axis.
 */
export function kaldiMelBanks(
  numBins: number,
  paddedSize: number,
  sampleRate: number,
  lowFreq: number,
  highFreq: number,
): Float64Array[] {
  const nyquist = sampleRate / 2;
  const high = highFreq <= 0 ? highFreq + nyquist : highFreq;
  if (!(lowFreq >= 0 && lowFreq < nyquist && high > 0 && high <= nyquist && lowFreq < high)) {
    throw new EmovoxParameterError(
      'lowFreq',
      `needs 0 <= lowFreq < highFreq <= Nyquist (${nyquist} Hz), got ${lowFreq} and ${high} (kaldiFbank)`,
    );
  }
  const fftBins = paddedSize / 2;
  const binWidth = sampleRate / paddedSize;
  const melLow = melScale(lowFreq);
  const delta = (melScale(high) - melLow) / (numBins + 1);
  const banks: Float64Array[] = [];
  for (let b = 0; b < numBins; b++) {
    const left = melLow + b * delta;
    const centre = melLow + (b + 1) * delta;
    const right = melLow + (b + 2) * delta;
    const row = new Float64Array(fftBins + 1);
    for (let k = 0; k < fftBins; k++) {
      const mel = melScale(binWidth * k);
      const up = (mel - left) / (centre - left);
      const down = (right - mel) / (right - centre);
      row[k] = Math.max(0, Math.min(up, down));
    }
    banks.push(row);
  }
  return banks;
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new EmovoxParameterError(name, `must be a positive number, got ${value} (kaldiFbank)`);
  return value;
}

/**
 * Log mel filterbank energies with Kaldi's semantics (torchaudio.compliance.kaldi.fbank; golden-
 * tested against it): frames of `frameLength` ms every `frameShift` ms, DC offset removed,
 * pre-emphasised, windowed (Povey), zero-padded to a power of two, power spectrum, mel triangles,
 * log floored at float32's epsilon. Deterministic by default (dither 0).
 * @param samples - mono audio in [-1, 1] (see `scale`).
 * @param sampleRate - Hz (16000 for the usual speaker models).
 * @returns frames x numMelBins (+1 with `useEnergy`); 0 frames when the signal is shorter than one
 *   frame with `snipEdges`.
 * @throws EmovoxParameterError for out-of-range options.
 */
export function kaldiFbank(
  samples: Float32Array,
  sampleRate: number,
  options: KaldiFbankOptions = {},
): FeatureMatrix {
  const o = {
    numMelBins: 80,
    frameLength: 25,
    frameShift: 10,
    dither: 0,
    seed: 0,
    preemphasisCoefficient: 0.97,
    removeDcOffset: true,
    windowType: 'povey' as KaldiWindow,
    blackmanCoeff: 0.42,
    roundToPowerOfTwo: true,
    snipEdges: true,
    energyFloor: 1,
    rawEnergy: true,
    useEnergy: false,
    htkCompat: false,
    useLogFbank: true,
    usePower: true,
    lowFreq: 20,
    highFreq: 0,
    subtractMean: false,
    scale: 1,
    ...options,
  };
  positive(sampleRate, 'sampleRate');
  if (!Number.isInteger(o.numMelBins) || o.numMelBins < 1)
    throw new EmovoxParameterError(
      'numMelBins',
      `must be a positive integer, got ${o.numMelBins} (kaldiFbank)`,
    );
  if (!(o.preemphasisCoefficient >= 0 && o.preemphasisCoefficient <= 1))
    throw new EmovoxParameterError(
      'preemphasisCoefficient',
      `must be in [0, 1], got ${o.preemphasisCoefficient} (kaldiFbank)`,
    );
  if (!['povey', 'hanning', 'hamming', 'rectangular', 'blackman'].includes(o.windowType))
    throw new EmovoxParameterError('windowType', `unknown window ${String(o.windowType)} (kaldiFbank)`);
  if (!(o.dither >= 0) || !(o.energyFloor >= 0) || !Number.isFinite(o.scale))
    throw new EmovoxParameterError(
      'dither',
      'dither and energyFloor must be >= 0 and scale finite (kaldiFbank)',
    );
  const shift = Math.trunc(sampleRate * positive(o.frameShift, 'frameShift') * 0.001);
  const size = Math.trunc(sampleRate * positive(o.frameLength, 'frameLength') * 0.001);
  if (size < 2 || shift < 1)
    throw new EmovoxParameterError(
      'frameLength',
      `gives ${size} samples per frame and ${shift} per shift (kaldiFbank)`,
    );
  const padded = o.roundToPowerOfTwo ? 2 ** Math.ceil(Math.log2(size)) : size;
  if (padded % 2 !== 0)
    throw new EmovoxParameterError(
      'frameLength',
      `the padded frame (${padded} samples) must be even (kaldiFbank)`,
    );
  const banks = kaldiMelBanks(o.numMelBins, padded, sampleRate, o.lowFreq, o.highFreq);

  const n = samples.length;
  let frames: number;
  let sample: (i: number) => number;
  if (o.snipEdges) {
    frames = n < size ? 0 : 1 + Math.floor((n - size) / shift);
    sample = (i) => samples[i];
  } else {
    // torchaudio's _get_strided: the signal mirrored at both ends (reversed copies), offset by pad.
    frames = Math.floor((n + Math.floor(shift / 2)) / shift);
    const pad = Math.floor(size / 2) - Math.floor(shift / 2);
    sample = (i) => {
      const j = i - pad;
      if (j < 0) return samples[Math.min(n - 1, -j - 1)];
      if (j >= n) return samples[Math.max(0, 2 * n - j - 1)];
      return samples[j];
    };
  }
  const bins = o.numMelBins + (o.useEnergy ? 1 : 0);
  const out = new Float32Array(frames * bins);
  const window = windowFunction(o.windowType, size, o.blackmanCoeff);
  const fft = new RealFft(padded);
  const frame = new Float64Array(padded);
  const random = o.dither > 0 ? mulberry32(o.seed) : null;
  const energyFloor = o.energyFloor > 0 ? Math.log(o.energyFloor) : -Infinity;
  const logEnergy = (x: Float64Array, count: number) => {
    let e = 0;
    for (let i = 0; i < count; i++) e += x[i] * x[i];
    return Math.max(Math.log(Math.max(e, EPSILON)), energyFloor);
  };
  const spectrum = new Float64Array(padded / 2 + 1);
  for (let t = 0; t < frames; t++) {
    const start = t * shift;
    for (let i = 0; i < size; i++) frame[i] = sample(start + i) * o.scale;
    if (random) for (let i = 0; i < size; i++) frame[i] += random.normal() * o.dither;
    if (o.removeDcOffset) {
      let mean = 0;
      for (let i = 0; i < size; i++) mean += frame[i];
      mean /= size;
      for (let i = 0; i < size; i++) frame[i] -= mean;
    }
    let energy = o.rawEnergy ? logEnergy(frame, size) : 0;
    if (o.preemphasisCoefficient !== 0) {
      for (let i = size - 1; i > 0; i--) frame[i] -= o.preemphasisCoefficient * frame[i - 1];
      frame[0] -= o.preemphasisCoefficient * frame[0];
    }
    for (let i = 0; i < size; i++) frame[i] *= window[i];
    frame.fill(0, size);
    if (!o.rawEnergy) energy = logEnergy(frame, padded);
    const z = fft.forwardInterleaved(frame);
    for (let k = 0; k < spectrum.length; k++) {
      const p = z[2 * k] * z[2 * k] + z[2 * k + 1] * z[2 * k + 1];
      spectrum[k] = o.usePower ? p : Math.sqrt(p);
    }
    const row = t * bins;
    const melOffset = o.useEnergy && !o.htkCompat ? 1 : 0;
    for (let b = 0; b < o.numMelBins; b++) {
      const bank = banks[b];
      let e = 0;
      for (let k = 0; k < spectrum.length; k++) e += bank[k] * spectrum[k];
      out[row + melOffset + b] = o.useLogFbank ? Math.log(Math.max(e, EPSILON)) : e;
    }
    if (o.useEnergy) out[row + (o.htkCompat ? o.numMelBins : 0)] = energy;
  }
  if (o.subtractMean && frames > 0) {
    for (let b = 0; b < bins; b++) {
      let mean = 0;
      for (let t = 0; t < frames; t++) mean += out[t * bins + b];
      mean /= frames;
      for (let t = 0; t < frames; t++) out[t * bins + b] -= mean;
    }
  }
  return { data: out, frames, bins };
}
