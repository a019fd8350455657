import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { linspace, NOTE_C2_HZ, NOTE_C7_HZ } from '../dsp/convert.js';
import { ComplexFft, RealFft } from '../dsp/fft.js';
import { roundHalfEven } from '../dsp/round.js';
import { readFrame, type PadMode } from '../dsp/frame.js';
import {
  kronTransition,
  sparseTransition,
  transitionLocal,
  transitionLoop,
  viterbi,
  type SparseTransition,
} from './sequence.js';
import { checkAudio, checkInt, checkRate, type AudioSamples } from '../dsp/validate.js';

const TINY64 = 2.2250738585072014e-308;

const transitionCache = new Map<string, SparseTransition>();

/**
 * pyin's HMM transitions (cached): `kron(transition_loop(2, 1 - switchProb),
 * transition_local(N, width, 'triangle'))`, kept sparse (see {@link sparseTransition}).
 */
function pyinTransition(N: number, width: number, switchProb: number): SparseTransition {
  const key = `${N}|${width}|${switchProb}`;
  let t = transitionCache.get(key);
  if (!t) {
    t = sparseTransition(kronTransition(transitionLoop(2, 1 - switchProb), transitionLocal(N, width)));
    if (transitionCache.size > 16) transitionCache.clear();
    transitionCache.set(key, t);
  }
  return t;
}

/** Options shared by {@link yin} and {@link pyin}. */
export interface YinOptions {
  /** Lowest F0 searched, Hz. Default 65.406 (C2), the value librosa recommends (librosa requires it explicitly). */
  fmin?: number;
  /** Highest F0 searched, Hz (<= sr/2). Default 2093.005 (C7). */
  fmax?: number;
  /** Samples per analysis frame. Default 2048. */
  frameLength?: number;
  /**
   * Samples in the difference-function window, librosa 0.10 only (0.11 uses the whole frame and
   * deprecated the parameter): setting it without `librosaCompat: '0.10'` throws. Default
   * floor(frameLength / 2).
   */
  winLength?: number;
  /** Samples between frames. Default floor(frameLength / 4). */
  hopLength?: number;
  /** Centre frames on `t * hopLength` by padding frameLength/2 at both ends. Default true. */
  center?: boolean;
  /** Padding for center. Default 'constant' (zeros), librosa's default. */
  padMode?: PadMode;
  /**
   * Which librosa release to reproduce. Default '0.11' (current): the difference function uses
   * the autocorrelation of the whole frame and lags up to frameLength - 1, and pyin starts from
   * a uniform state distribution. '0.10' reproduces librosa 0.10 (a winLength-sample window,
   * lags up to frameLength - winLength - 1, pyin starting unvoiced).
   */
  librosaCompat?: LibrosaPitchVersion;
}

/** librosa releases whose YIN / pYIN arithmetic {@link yin} and {@link pyin} reproduce. */
export type LibrosaPitchVersion = '0.10' | '0.11';

interface YinSetup {
  fmin: number;
  fmax: number;
  frameLength: number;
  winLength: number;
  hopLength: number;
  minPeriod: number;
  maxPeriod: number;
  frames: number;
  /** frames x nLags cumulative mean normalised difference, lags minPeriod..maxPeriod. */
  cmnd: Float64Array;
  nLags: number;
  shifts: Float64Array;
  compat: LibrosaPitchVersion;
}

/**
 * Frames the signal and computes the cumulative mean normalised difference (CMND) and its
 * parabolic shifts, with the arithmetic of the chosen librosa release.
 */
function yinSetup(y: AudioSamples, sr: number, o: YinOptions | undefined, source: string): YinSetup {
  checkAudio(y, source);
  checkRate(sr, source);
  const compat = o?.librosaCompat ?? '0.11';
  if (compat !== '0.10' && compat !== '0.11')
    throw new EmovoxParameterError(
      'librosaCompat',
      `must be '0.10' or '0.11', got '${String(compat)}' (${source})`,
    );
  const fmin = o?.fmin ?? NOTE_C2_HZ;
  const fmax = o?.fmax ?? Math.min(NOTE_C7_HZ, sr / 2);
  const frameLength = o?.frameLength ?? 2048;
  checkInt(frameLength, 'frameLength', source, 3);
  if (compat === '0.11' && o?.winLength !== undefined)
    throw new EmovoxParameterError(
      'winLength',
      `applies only with librosaCompat '0.10' (librosa 0.11 uses the whole frame) (${source})`,
    );
  const winLength = o?.winLength ?? Math.floor(frameLength / 2);
  checkInt(winLength, 'winLength', source, 1);
  const hopLength = o?.hopLength ?? Math.floor(frameLength / 4);
  checkInt(hopLength, 'hopLength', source, 1);
  if (!(fmax <= sr / 2))
    throw new EmovoxParameterError(
      'fmax',
      `${fmax} cannot exceed the Nyquist frequency ${sr / 2} (${source})`,
    );
  if (!(fmin < fmax))
    throw new EmovoxParameterError('fmin', `${fmin} must be less than fmax=${fmax} (${source})`);
  if (!(fmin > 0)) throw new EmovoxParameterError('fmin', `${fmin} must be strictly positive (${source})`);
  if (compat === '0.10') {
    if (winLength >= frameLength)
      throw new EmovoxParameterError(
        'winLength',
        `${winLength} must be less than frameLength=${frameLength} (${source})`,
      );
    if (frameLength - winLength - 1 <= Math.floor(sr / fmax)) {
      throw new EmovoxParameterError(
        'fmax',
        `${fmax} is too small for frameLength=${frameLength}, winLength=${winLength}, sr=${sr} (${source})`,
      );
    }
  } else if (sr / fmin >= frameLength - 1) {
    // librosa 0.11: at least one period of fmin must fit into the frame
    throw new EmovoxParameterError(
      'fmin',
      `${fmin} is too small for frameLength=${frameLength} and sr=${sr}: raise fmin to ` +
        `${(sr / (frameLength - 1)).toFixed(3)} or frameLength to ${Math.ceil(sr / fmin) + 1} (${source})`,
    );
  }
  const center = o?.center ?? true;
  const padMode = o?.padMode ?? 'constant';
  const padLeft = center ? Math.floor(frameLength / 2) : 0;
  const total = y.length + 2 * padLeft;
  if (total < frameLength)
    throw new EmovoxInputError(
      'y',
      `audio of ${y.length} samples is shorter than frameLength ${frameLength} (${source})`,
    );
  const frames = 1 + Math.floor((total - frameLength) / hopLength);
  const minPeriod = Math.floor(sr / fmax);
  const maxPeriod = Math.min(
    Math.ceil(sr / fmin),
    compat === '0.10' ? frameLength - winLength - 1 : frameLength - 1,
  );
  const nLags = maxPeriod - minPeriod + 1;
  const cmnd = new Float64Array(frames * nLags);
  const shifts = new Float64Array(frames * nLags);
  const buf = new Float64Array(frameLength);
  const diff = new Float64Array(maxPeriod + 1);
  const difference =
    compat === '0.10'
      ? difference010(frameLength, winLength, maxPeriod)
      : difference011(frameLength, maxPeriod);
  for (let t = 0; t < frames; t++) {
    readFrame(y, t, frameLength, hopLength, padLeft, padMode, null, buf);
    difference(buf, diff);
    let cum = 0;
    const off = t * nLags;
    for (let tau = 1; tau <= maxPeriod; tau++) {
      cum += diff[tau];
      if (tau >= minPeriod) {
        // cumulative mean up to lag tau divides the numerator at lag tau (index tau - minPeriod)
        cmnd[off + tau - minPeriod] = diff[tau] / (cum / tau + TINY64);
      }
    }
    if (minPeriod === 0) cmnd[off] = diff[0] / (0 + TINY64);
    for (let i = 1; i < nLags - 1; i++) {
      const xl = cmnd[off + i - 1];
      const x0 = cmnd[off + i];
      const xr = cmnd[off + i + 1];
      const a = xr + xl - 2 * x0;
      const b = (xr - xl) / 2;
      shifts[off + i] = Math.abs(b) >= Math.abs(a) ? 0 : -b / a;
    }
  }
  return {
    fmin,
    fmax,
    frameLength,
    winLength,
    hopLength,
    minPeriod,
    maxPeriod,
    frames,
    cmnd,
    nLags,
    shifts,
    compat,
  };
}

/** Fills `diff[0..maxPeriod]` with the YIN difference function of one frame. */
type DifferenceFunction = (frame: Float64Array, diff: Float64Array) => void;

/**
 * librosa 0.10: `d(tau) = e(0) + e(tau) - 2 acf(tau)` over a `winLength`-sample window, where
 * `acf(tau) = sum_{m=1..W} y[m] y[m + tau]` (FFT correlation, values below 1e-6 zeroed) and
 * `e(tau)` the window energy starting at tau (also zeroed below 1e-6).
 */
function difference010(frameLength: number, winLength: number, maxPeriod: number): DifferenceFunction {
  const W = winLength;
  const energyCum = new Float64Array(frameLength);
  const cfft = new ComplexFft(frameLength);
  const za = new Float64Array(2 * frameLength);
  const zb = new Float64Array(2 * frameLength);
  const fa = new Float64Array(2 * frameLength);
  const fb = new Float64Array(2 * frameLength);
  return (buf, diff) => {
    let acc = 0;
    for (let i = 0; i < frameLength; i++) energyCum[i] = acc += buf[i] * buf[i];
    const e0raw = energyCum[W] - energyCum[0];
    const e0 = Math.abs(e0raw) < 1e-6 ? 0 : e0raw;
    // irfft(rfft(frame) * rfft(y[W..1])) read from index W (no wrap-around reaches it)
    for (let i = 0; i < frameLength; i++) {
      za[2 * i] = buf[i];
      za[2 * i + 1] = 0;
      zb[2 * i] = i < W ? buf[W - i] : 0;
      zb[2 * i + 1] = 0;
    }
    cfft.forward(za, fa);
    cfft.forward(zb, fb);
    for (let i = 0; i < frameLength; i++) {
      const ar = fa[2 * i];
      const ai = fa[2 * i + 1];
      const br = fb[2 * i];
      const bi = fb[2 * i + 1];
      za[2 * i] = ar * br - ai * bi;
      za[2 * i + 1] = ar * bi + ai * br;
    }
    cfft.inverse(za, fa);
    for (let tau = 0; tau <= maxPeriod; tau++) {
      let a = fa[2 * (W + tau)];
      if (Math.abs(a) < 1e-6) a = 0;
      let e = energyCum[W + tau] - energyCum[tau];
      if (Math.abs(e) < 1e-6) e = 0;
      diff[tau] = e0 + e - 2 * a;
    }
  };
}

/**
 * librosa 0.11: `d(0) = 0`, `d(k) = 2 (acf(0) - acf(k)) - c(k - 1)` for k >= 1, with `acf` the
 * autocorrelation of the whole frame (librosa.autocorrelate: FFT of at least 2 frameLength - 1
 * points, no wrap-around) and `c(j) = sum_{m<=j} y[m]^2` except `c(0) = 0` (librosa zeroes that
 * entry before reading it, so d(1) = 2 (acf(0) - acf(1))).
 */
function difference011(frameLength: number, maxPeriod: number): DifferenceFunction {
  let nPad = 1;
  while (nPad < 2 * frameLength - 1) nPad *= 2;
  const fft = new RealFft(nPad);
  const padded = new Float64Array(nPad);
  const bins = (nPad >> 1) + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const acf = new Float64Array(nPad);
  return (buf, diff) => {
    padded.set(buf);
    fft.forward(padded, re, im);
    for (let k = 0; k < bins; k++) {
      re[k] = re[k] * re[k] + im[k] * im[k];
      im[k] = 0;
    }
    fft.inverse(re, im, acf);
    diff[0] = 0;
    let energy = 0; // c(k - 1)
    for (let k = 1; k <= maxPeriod; k++) {
      diff[k] = 2 * (acf[0] - acf[k]) - (k === 1 ? 0 : energy);
      energy += k === 1 ? buf[0] * buf[0] + buf[1] * buf[1] : buf[k] * buf[k];
    }
  };
}

/** Options of {@link yin}. */
export interface YinOnlyOptions extends YinOptions {
  /** Absolute threshold on the normalised difference for accepting a trough. Default 0.1. */
  troughThreshold?: number;
}

/**
 * Fundamental frequency by YIN (librosa.yin, 0.11 by default): the first trough of the
 * cumulative mean normalised difference below `troughThreshold` (else its global minimum),
 * refined by parabolic interpolation. fmin must leave at least one period in the frame
 * (`sr / fmin < frameLength - 1`).
 *
 * @param y mono signal.
 * @param sr sample rate in Hz. Default 22050.
 * @param options fmin=65.406 Hz (C2), fmax=min(2093.005 Hz (C7), sr/2), frameLength=2048,
 *   hopLength=frameLength/4, troughThreshold=0.1, center=true, padMode='constant',
 *   librosaCompat='0.11' ('0.10' reproduces librosa 0.10, where winLength=frameLength/2 also
 *   applies).
 * @example
 * ```ts
 * import { loadAudio, yin } from 'emovox';
 *
 * const { samples } = await loadAudio('speech.wav', { sr: 16000 });
 * const f0 = yin(samples, 16000, { fmin: 75, fmax: 600 }); // Hz per frame, hop 512
 * ```
 * @returns F0 per frame in Hz (every frame gets an estimate; YIN has no voicing decision).
 */
export function yin(y: AudioSamples, sr = 22050, options?: YinOnlyOptions): Float32Array {
  const source = 'yin';
  const troughThreshold = options?.troughThreshold ?? 0.1;
  const s = yinSetup(y, sr, options, source);
  const out = new Float32Array(s.frames);
  const n = s.nLags;
  for (let t = 0; t < s.frames; t++) {
    const off = t * n;
    const c = s.cmnd;
    let period = -1;
    let gmin = 0;
    for (let i = 0; i < n; i++) {
      if (c[off + i] < c[off + gmin]) gmin = i;
      if (period < 0 && c[off + i] < troughThreshold) {
        const trough =
          i === 0
            ? n > 1 && c[off] < c[off + 1]
            : c[off + i] < c[off + i - 1] && (i === n - 1 || c[off + i] <= c[off + i + 1]);
        if (trough) period = i;
      }
    }
    if (period < 0) period = gmin;
    out[t] = sr / (s.minPeriod + period + s.shifts[off + period]);
  }
  return out;
}

/** Options of {@link pyin}. */
export interface PyinOptions extends YinOptions {
  /** Number of thresholds for the beta prior. Default 100. */
  nThresholds?: number;
  /** Shape parameters (a, b) of the beta prior over thresholds. Default [2, 18]. */
  betaParameters?: [number, number];
  /** Boltzmann prior shape over troughs (larger favours shorter periods). Default 2. */
  boltzmannParameter?: number;
  /** Pitch-bin resolution in semitones. Default 0.1. */
  resolution?: number;
  /** Maximum pitch change in octaves per second. Default 35.92. */
  maxTransitionRate?: number;
  /** Probability of switching between voiced and unvoiced. Default 0.01. */
  switchProb?: number;
  /** Probability mass given to the global minimum when no trough is below a threshold. Default 0.01. */
  noTroughProb?: number;
}

/** pyin's per-frame results. */
export interface PyinResult {
  /** F0 per frame in Hz, NaN where unvoiced. */
  f0: Float32Array;
  /** Viterbi voicing decision per frame. */
  voicedFlag: Uint8Array;
  /** Probability that the frame is voiced, [0, 1]. */
  voicedProb: Float32Array;
}

/** ln Gamma by Lanczos (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const FPMIN = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b): the beta(a, b) CDF (scipy.stats.beta.cdf). */
export function betaCdf(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const bt = Math.exp(lbt);
  if (x < (a + 1) / (a + b + 2)) return (bt * betaContinuedFraction(a, b, x)) / a;
  return 1 - (bt * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * Probabilistic YIN (librosa.pyin, 0.11 by default): YIN troughs under a beta(2, 18) prior over
 * thresholds and a Boltzmann prior over troughs give per-frame pitch-bin observation
 * probabilities; a 2 x nBins state HMM (voiced/unvoiced x 0.1-semitone pitch bins, triangular
 * local transitions, switch probability 0.01, uniform initial distribution; 0.10 started
 * unvoiced) is decoded with {@link viterbi}.
 *
 * One difference from librosa, documented: transitions outside the triangular band are treated
 * as impossible (librosa scores them log(tiny) = -708, which only matters when every in-band
 * path is more than 708 nats worse). Ties in the Viterbi argmax pick the lowest state index,
 * like numpy's argmax.
 *
 * @param y mono signal.
 * @param sr sample rate in Hz. Default 22050.
 * @param options as {@link yin}, plus nThresholds=100, betaParameters=[2, 18],
 *   boltzmannParameter=2, resolution=0.1 semitone, maxTransitionRate=35.92 octaves/s,
 *   switchProb=0.01, noTroughProb=0.01.
 * @returns f0 (Hz, NaN when unvoiced), voicedFlag (0/1), voicedProb ([0, 1]) per frame.
 */
export function pyin(y: AudioSamples, sr = 22050, options?: PyinOptions): PyinResult {
  const source = 'pyin';
  const nThresholds = options?.nThresholds ?? 100;
  const [betaA, betaB] = options?.betaParameters ?? [2, 18];
  const boltzmann = options?.boltzmannParameter ?? 2;
  const resolution = options?.resolution ?? 0.1;
  const maxTransitionRate = options?.maxTransitionRate ?? 35.92;
  const switchProb = options?.switchProb ?? 0.01;
  const noTroughProb = options?.noTroughProb ?? 0.01;
  checkInt(nThresholds, 'nThresholds', source, 1);
  const bad = (name: string, problem: string) => new EmovoxParameterError(name, `${problem} (${source})`);
  if (!(betaA > 0 && betaB > 0)) throw bad('betaParameters', 'must be positive');
  if (!(boltzmann > 0)) throw bad('boltzmannParameter', 'must be positive');
  if (!(resolution > 0 && resolution < 1)) throw bad('resolution', 'must lie in (0, 1)');
  if (!(switchProb > 0 && switchProb < 1)) throw bad('switchProb', 'must lie in (0, 1)');
  if (!(noTroughProb > 0 && noTroughProb < 1)) throw bad('noTroughProb', 'must lie in (0, 1)');
  if (!(maxTransitionRate > 0)) throw bad('maxTransitionRate', 'must be positive');
  const s = yinSetup(y, sr, options, source);
  const thresholds = linspace(0, 1, nThresholds + 1);
  const betaProbs = new Float64Array(nThresholds);
  let prev = betaCdf(thresholds[0], betaA, betaB);
  for (let i = 0; i < nThresholds; i++) {
    const cur = betaCdf(thresholds[i + 1], betaA, betaB);
    betaProbs[i] = cur - prev;
    prev = cur;
  }
  const nBinsPerSemitone = Math.ceil(1.0 / resolution);
  const nPitchBins = Math.floor(12 * nBinsPerSemitone * Math.log2(s.fmax / s.fmin)) + 1;
  const N = nPitchBins;
  const frames = s.frames;
  const nL = s.nLags;
  const boltzNorm = 1 - Math.exp(-boltzmann);

  // Observation probabilities of the voiced states (unvoiced ones are uniform per frame).
  const obsVoiced = new Float64Array(frames * N);
  const voicedProb = new Float32Array(frames);
  const unvoicedObs = new Float64Array(frames);
  const troughs: number[] = [];
  const probs: number[] = [];
  for (let t = 0; t < frames; t++) {
    const off = t * nL;
    const c = s.cmnd;
    troughs.length = 0;
    for (let i = 0; i < nL; i++) {
      let isTrough: boolean;
      if (i === 0) isTrough = nL > 1 && c[off] < c[off + 1];
      else isTrough = c[off + i] < c[off + i - 1] && (i === nL - 1 || c[off + i] <= c[off + i + 1]);
      if (isTrough) troughs.push(i);
    }
    let vp = 0;
    if (troughs.length > 0) {
      probs.length = 0;
      for (let j = 0; j < troughs.length; j++) probs.push(0);
      for (let th = 0; th < nThresholds; th++) {
        const thr = thresholds[th + 1];
        let count = 0;
        for (let j = 0; j < troughs.length; j++) if (c[off + troughs[j]] < thr) count++;
        if (count === 0) continue;
        const denom = 1 - Math.exp(-boltzmann * count);
        let pos = 0;
        for (let j = 0; j < troughs.length; j++) {
          if (!(c[off + troughs[j]] < thr)) continue;
          probs[j] += ((boltzNorm * Math.exp(-boltzmann * pos)) / denom) * betaProbs[th];
          pos++;
        }
      }
      let gmin = 0;
      for (let j = 1; j < troughs.length; j++) if (c[off + troughs[j]] < c[off + troughs[gmin]]) gmin = j;
      let nBelow = 0;
      for (let th = 0; th < nThresholds; th++) if (!(c[off + troughs[gmin]] < thresholds[th + 1])) nBelow++;
      let extra = 0;
      for (let th = 0; th < nBelow; th++) extra += betaProbs[th];
      probs[gmin] += noTroughProb * extra;
      // candidates in increasing period order; a later one overwrites an earlier one in the same bin
      for (let j = 0; j < troughs.length; j++) {
        const p = probs[j];
        if (p === 0) continue;
        const i = troughs[j];
        const period = s.minPeriod + i + s.shifts[off + i];
        const f0 = sr / period;
        let bin = roundHalfEven(12 * nBinsPerSemitone * Math.log2(f0 / s.fmin));
        if (!(bin >= 0)) bin = 0;
        if (bin > N) bin = N;
        if (bin < N) obsVoiced[t * N + bin] = p;
      }
      for (let b = 0; b < N; b++) vp += obsVoiced[t * N + b];
      vp = Math.min(1, Math.max(0, vp));
    }
    voicedProb[t] = vp;
    unvoicedObs[t] = (1 - vp) / N;
  }

  // Viterbi over 2N states: 0..N-1 voiced bins, N..2N-1 unvoiced bins (librosa's layout)
  const maxSemitonesPerFrame = roundHalfEven((maxTransitionRate * 12 * s.hopLength) / sr);
  const width = maxSemitonesPerFrame * nBinsPerSemitone + 1;
  if (width > N)
    throw new EmovoxParameterError(
      'maxTransitionRate',
      `transition width ${width} exceeds ${N} pitch bins; raise the fmax/fmin ratio or lower maxTransitionRate (${source})`,
    );
  const S2 = 2 * N;
  const obs = new Float64Array(frames * S2);
  for (let t = 0; t < frames; t++) {
    obs.set(obsVoiced.subarray(t * N, (t + 1) * N), t * S2);
    obs.fill(unvoicedObs[t], t * S2 + N, (t + 1) * S2);
  }
  // librosa 0.11 starts from a uniform distribution over all 2N states, 0.10 from unvoiced only
  const pInit = new Float64Array(S2).fill(s.compat === '0.10' ? 0 : 1 / S2);
  if (s.compat === '0.10') pInit.fill(1 / N, N);
  const { states } = viterbi({ data: obs, frames, bins: S2 }, pyinTransition(N, width, switchProb), {
    pInit,
  });
  const f0 = new Float32Array(frames);
  const voicedFlag = new Uint8Array(frames);
  for (let t = 0; t < frames; t++) {
    const st = states[t];
    const voiced = st < N;
    voicedFlag[t] = voiced ? 1 : 0;
    f0[t] = voiced ? s.fmin * 2 ** (st / (12 * nBinsPerSemitone)) : NaN;
  }
  return { f0, voicedFlag, voicedProb };
}
