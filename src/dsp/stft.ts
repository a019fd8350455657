import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { realFft } from './fft.js';
import { frameCount, readFrame, type PadMode } from './frame.js';
import { matrixToF64, type FeatureMatrix, type Matrix64 } from './matrix.js';
import { pffftPlan } from './pffft.js';
import { checkAudio, checkInt, type AudioSamples } from './validate.js';
import { cosineWindow, fftWindow, type WindowSpec } from './window.js';

/** Framing and window parameters shared by every STFT-based feature (librosa names, camelCase). */
export interface StftOptions {
  /** FFT length in samples. Default 2048. */
  nFft?: number;
  /** Samples between frame starts. Default `floor(winLength / 4)`. */
  hopLength?: number;
  /** Window length in samples (<= nFft; the window is zero-padded to nFft, centred). Default nFft. */
  winLength?: number;
  /** Window. Default 'hann' (periodic). */
  window?: WindowSpec;
  /** Pad `nFft / 2` samples at both ends so frame t is centred at sample `t * hopLength`. Default true. */
  center?: boolean;
  /** Padding used when `center` is true. Default 'constant' (zeros), librosa's default. */
  padMode?: PadMode;
}

/** Resolved STFT parameters. */
export interface StftParams {
  nFft: number;
  hopLength: number;
  winLength: number;
  window: WindowSpec;
  center: boolean;
  padMode: PadMode;
}

/** Complex STFT in frames x bins layout: `re[t * bins + k] + i * im[t * bins + k]`. */
export interface ComplexSpectrogram {
  readonly re: Float32Array;
  readonly im: Float32Array;
  /** Number of frames. */
  readonly frames: number;
  /** `1 + floor(nFft / 2)` frequency bins. */
  readonly bins: number;
}

/** Largest FFT length accepted (2^20 samples). */
export const MAX_FFT = 1 << 20;

/** Largest full-resolution spectrogram materialised in memory (float64 values, 1 GiB). */
export const MAX_SPECTROGRAM_VALUES = 1 << 27;

/** Fills in librosa's defaults and validates the parameters. */
export function resolveStft(options: StftOptions | undefined, source: string): StftParams {
  const nFft = options?.nFft ?? 2048;
  checkInt(nFft, 'nFft', source, 1);
  if (nFft > MAX_FFT)
    throw new EmovoxParameterError('nFft', `${nFft} exceeds the supported maximum ${MAX_FFT} (${source})`);
  const winLength = options?.winLength ?? nFft;
  checkInt(winLength, 'winLength', source, 1);
  if (winLength > nFft)
    throw new EmovoxParameterError('winLength', `${winLength} must be <= nFft = ${nFft} (${source})`);
  const hopLength = options?.hopLength ?? Math.floor(winLength / 4);
  checkInt(hopLength, 'hopLength', source, 1);
  const padMode = options?.padMode ?? 'constant';
  if (padMode !== 'constant' && padMode !== 'reflect' && padMode !== 'edge') {
    throw new EmovoxParameterError('padMode', `unsupported '${String(padMode)}' (${source})`);
  }
  return {
    nFft,
    hopLength,
    winLength,
    window: options?.window ?? 'hann',
    center: options?.center ?? true,
    padMode,
  };
}

/**
 * Runs the STFT frame by frame, calling `onFrame(t, re, im)` with float64 scratch arrays
 * holding bins 0..nFft/2 of frame t (valid only during the call). No per-frame allocation.
 */
export function forEachStftFrame(
  y: AudioSamples,
  p: StftParams,
  onFrame: (t: number, re: Float64Array, im: Float64Array) => void,
): number {
  const { nFft, hopLength, center, padMode } = p;
  const frames = frameCount(y.length, nFft, hopLength, center);
  const window = fftWindow(p.window, p.winLength, nFft);
  const fft = realFft(nFft);
  const nBins = Math.floor(nFft / 2) + 1;
  const frame = new Float64Array(nFft);
  const re = new Float64Array(nBins);
  const im = new Float64Array(nBins);
  const padLeft = center ? Math.floor(nFft / 2) : 0;
  for (let t = 0; t < frames; t++) {
    readFrame(y, t, nFft, hopLength, padLeft, padMode, window, frame);
    fft.forward(frame, re, im);
    onFrame(t, re, im);
  }
  return frames;
}

function checkFrames(y: AudioSamples, p: StftParams, source: string): number {
  const frames = frameCount(y.length, p.nFft, p.hopLength, p.center);
  if (frames < 1) {
    throw new EmovoxInputError(
      'y',
      `audio of ${y.length} samples is shorter than nFft ${p.nFft} with center=false (${source})`,
    );
  }
  return frames;
}

/**
 * |STFT|^power in float64, frames x (1 + nFft/2). Internal building block.
 */
export function powerSpectrogram64(y: AudioSamples, p: StftParams, power: number, source: string): Matrix64 {
  const frames = checkFrames(y, p, source);
  const bins = Math.floor(p.nFft / 2) + 1;
  if (frames * bins > MAX_SPECTROGRAM_VALUES) {
    throw new EmovoxInputError(
      'y',
      `a ${frames} x ${bins} spectrogram exceeds ${MAX_SPECTROGRAM_VALUES} values (1 GiB); process the audio in chunks (${source})`,
    );
  }
  const data = new Float64Array(frames * bins);
  forEachStftFrame(y, p, (t, re, im) => {
    const off = t * bins;
    if (power === 2) for (let k = 0; k < bins; k++) data[off + k] = re[k] * re[k] + im[k] * im[k];
    else if (power === 1)
      for (let k = 0; k < bins; k++) data[off + k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
    else for (let k = 0; k < bins; k++) data[off + k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]) ** power;
  });
  return { data, frames, bins };
}

/**
 * |STFT|^2 in a float64 matrix, with the FFT in float32 PFFFT when available (the mel/MFCC
 * precision policy; falls back to {@link powerSpectrogram64}). Internal building block.
 */
export function fastPowerSpectrogram64(y: AudioSamples, p: StftParams, source: string): Matrix64 {
  const plan = pffftPlan(p.nFft);
  if (plan === null) return powerSpectrogram64(y, p, 2, source);
  const frames = checkFrames(y, p, source);
  const bins = Math.floor(p.nFft / 2) + 1;
  if (frames * bins > MAX_SPECTROGRAM_VALUES) {
    throw new EmovoxInputError(
      'y',
      `a ${frames} x ${bins} spectrogram exceeds ${MAX_SPECTROGRAM_VALUES} values; process the audio in chunks (${source})`,
    );
  }
  const data = new Float64Array(frames * bins);
  const window = fftWindow(p.window, p.winLength, p.nFft);
  const padLeft = p.center ? Math.floor(p.nFft / 2) : 0;
  const cosine = cosineWindow(p.window, p.winLength, p.nFft);
  for (let t = 0; t < frames; t++) {
    const row = data.subarray(t * bins, (t + 1) * bins);
    if (cosine !== null) {
      // unwindowed frame (a plain copy), window applied to the spectrum
      const begin = t * p.hopLength - padLeft;
      if (begin >= 0 && begin + p.nFft <= y.length) plan.input().set(y.subarray(begin, begin + p.nFft));
      else readFrame(y, t, p.nFft, p.hopLength, padLeft, p.padMode, null, plan.input());
      windowedPower(plan.transformExtended(), cosine[0], cosine[1] / 2, row);
    } else {
      readFrame(y, t, p.nFft, p.hopLength, padLeft, p.padMode, window, plan.input());
      plan.powerOfInput(row);
    }
  }
  return { data, frames, bins };
}

/**
 * |Xw[k]|^2 for k = 0..nFft/2 from an extended spectrum (Pffft.transformExtended), with the
 * cosine window applied as `Xw[k] = a0 X[k] - c (X[k-1] + X[k+1])`.
 */
export function windowedPower(zx: Float32Array, a0: number, c: number, spec: Float64Array): void {
  for (let k = 0; k < spec.length; k++) {
    const i = 2 * k + 4;
    const re = a0 * zx[i] - c * (zx[i - 2] + zx[i + 2]);
    const im = a0 * zx[i + 1] - c * (zx[i - 1] + zx[i + 3]);
    spec[k] = re * re + im * im;
  }
}

/**
 * Short-time Fourier transform (librosa.stft), complex, in emovox's frames x bins layout.
 *
 * @param y mono signal.
 * @param options nFft=2048, hopLength=floor(winLength/4), winLength=nFft, window='hann'
 *   (periodic), center=true, padMode='constant' (zero padding, librosa's default).
 * @returns `frames = 1 + floor(len(y) / hopLength)` (center=true) rows of `1 + floor(nFft/2)`
 *   complex bins, unnormalised (numpy.fft.rfft scaling).
 */
export function stft(y: AudioSamples, options?: StftOptions): ComplexSpectrogram {
  const source = 'stft';
  checkAudio(y, source);
  const p = resolveStft(options, source);
  const frames = checkFrames(y, p, source);
  const bins = Math.floor(p.nFft / 2) + 1;
  const outRe = new Float32Array(frames * bins);
  const outIm = new Float32Array(frames * bins);
  forEachStftFrame(y, p, (t, re, im) => {
    const off = t * bins;
    for (let k = 0; k < bins; k++) {
      outRe[off + k] = re[k];
      outIm[off + k] = im[k];
    }
  });
  return { re: outRe, im: outIm, frames, bins };
}

/** A complex STFT in float64, frames x bins: `re[t * bins + k] + i * im[t * bins + k]`. */
export interface ComplexSpectrogram64 {
  readonly re: Float64Array;
  readonly im: Float64Array;
  /** Number of frames. */
  readonly frames: number;
  /** `1 + floor(nFft / 2)` frequency bins. */
  readonly bins: number;
}

/**
 * {@link stft} kept in float64 (the phase vocoder's input: its phases must not be rounded to
 * float32). Same options, defaults and layout.
 */
export function stft64(y: AudioSamples, options?: StftOptions): ComplexSpectrogram64 {
  const source = 'stft64';
  checkAudio(y, source);
  const p = resolveStft(options, source);
  const frames = checkFrames(y, p, source);
  const bins = Math.floor(p.nFft / 2) + 1;
  const outRe = new Float64Array(frames * bins);
  const outIm = new Float64Array(frames * bins);
  forEachStftFrame(y, p, (t, re, im) => {
    outRe.set(re.subarray(0, bins), t * bins);
    outIm.set(im.subarray(0, bins), t * bins);
  });
  return { re: outRe, im: outIm, frames, bins };
}

/** Options of {@link istft}. */
export interface IstftOptions {
  /** Samples between frames. Default `floor(winLength / 4)`. */
  hopLength?: number;
  /** Window length (<= nFft, zero-padded to nFft, centred). Default nFft. */
  winLength?: number;
  /** Synthesis window, as in {@link StftOptions}. Default 'hann'. */
  window?: WindowSpec;
  /** The STFT was centred: drop `nFft / 2` samples at the start (and the end without `length`). Default true. */
  center?: boolean;
  /** Exact output length in samples (zero-padded or cut). Default: everything the frames cover. */
  length?: number;
}

/** Smallest normal float32: where the summed squared window counts as zero (librosa's `tiny`). */
const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * Inverse STFT (librosa.istft): inverse real FFT of each frame (`nFft = 2 * (bins - 1)`),
 * windowed overlap-add, divided by the overlap-added squared window wherever that exceeds the
 * smallest float32 normal, then trimmed for `center`. Inverts {@link stft64} with the same
 * options (exactly up to rounding wherever the window overlap is non-zero).
 *
 * @param spec complex frames x bins spectrogram.
 * @param options hopLength=floor(winLength/4), winLength=nFft, window='hann', center=true,
 *   length=all samples covered (minus the centre padding).
 * @returns the signal as float32 samples.
 */
export function istft(spec: ComplexSpectrogram64, options?: IstftOptions): Float32Array {
  const source = 'istft';
  const { frames, bins } = spec;
  if (!Number.isInteger(bins) || bins < 2 || !Number.isInteger(frames) || frames < 0)
    throw new EmovoxInputError('spec', `shape ${frames} x ${bins} is not frames x (nFft/2 + 1) (${source})`);
  if (spec.re.length !== frames * bins || spec.im.length !== frames * bins)
    throw new EmovoxInputError('spec', `re and im must hold ${frames} x ${bins} values (${source})`);
  const nFft = 2 * (bins - 1);
  const p = resolveStft(
    { nFft, hopLength: options?.hopLength, winLength: options?.winLength, window: options?.window },
    source,
  );
  const center = options?.center ?? true;
  const length = options?.length;
  if (length !== undefined) checkInt(length, 'length', source, 0);
  const window = fftWindow(p.window, p.winLength, nFft);
  const hop = p.hopLength;
  const fft = realFft(nFft);
  const total = nFft + hop * Math.max(0, frames - 1);
  const y = new Float64Array(total);
  const norm = new Float64Array(total);
  const time = new Float64Array(nFft);
  for (let t = 0; t < frames; t++) {
    fft.inverse(spec.re.subarray(t * bins, (t + 1) * bins), spec.im.subarray(t * bins, (t + 1) * bins), time);
    const origin = t * hop;
    for (let n = 0; n < nFft; n++) {
      y[origin + n] += time[n] * window[n];
      norm[origin + n] += window[n] * window[n];
    }
  }
  const start = center ? nFft >> 1 : 0;
  const count = length ?? Math.max(0, total - (center ? 2 * (nFft >> 1) : 0));
  const out = new Float32Array(count);
  for (let i = 0; i < count && start + i < total; i++) {
    const w = norm[start + i];
    out[i] = w > FLOAT32_TINY ? y[start + i] / w : y[start + i];
  }
  return out;
}

/** Options of {@link spectrogram}. */
export interface SpectrogramOptions extends StftOptions {
  /** Exponent of the magnitude: 1 = magnitude |X| (default), 2 = power |X|^2. */
  power?: number;
}

/**
 * Magnitude or power spectrogram `|stft(y)|^power` (librosa's `_spectrogram`), frames x
 * (1 + nFft/2). Same framing defaults as {@link stft}; `power` defaults to 1 (magnitude).
 */
export function spectrogram(y: AudioSamples, options?: SpectrogramOptions): FeatureMatrix {
  const source = 'spectrogram';
  checkAudio(y, source);
  const power = options?.power ?? 1;
  if (!Number.isFinite(power) || power <= 0)
    throw new EmovoxParameterError('power', `must be > 0, got ${power} (${source})`);
  const p = resolveStft(options, source);
  const m = powerSpectrogram64(y, p, power, source);
  return { data: Float32Array.from(m.data), frames: m.frames, bins: m.bins };
}

/** |X|^power of a complex spectrogram (power 1 = magnitude, default). */
export function magnitude(spec: ComplexSpectrogram, power = 1): FeatureMatrix {
  const out = new Float32Array(spec.re.length);
  for (let i = 0; i < out.length; i++) {
    const m = Math.hypot(spec.re[i], spec.im[i]);
    out[i] = power === 1 ? m : m ** power;
  }
  return { data: out, frames: spec.frames, bins: spec.bins };
}

/**
 * The spectrogram a descriptor works on: the caller's precomputed `S` when given (validated,
 * at least 2 bins), else |STFT(y)|^power with the caller's STFT options.
 */
export function spectrogramInput64(
  y: AudioSamples | null,
  S: FeatureMatrix | undefined,
  options: StftOptions | undefined,
  power: number,
  source: string,
): Matrix64 {
  if (S) {
    const given = matrixToF64(S, source, true);
    if (given.bins < 2) throw new EmovoxInputError('S', `needs at least 2 frequency bins (${source})`);
    return given;
  }
  checkAudio(y, source);
  return powerSpectrogram64(y, resolveStft(options, source), power, source);
}
