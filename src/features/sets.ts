import { canonicalJson } from '../util/canonical-json.js';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';
import { powerToDb } from '../dsp/db.js';
import { rms, zeroCrossingRate } from './framewise.js';
import {
  spectralBandwidth,
  spectralCentroid,
  spectralContrast,
  spectralFlatness,
  spectralRolloff,
} from './spectral.js';
import { functionals, type Functional } from './functionals.js';
import { logMelImage } from './image.js';
import { kaldiFbank, type KaldiFbankOptions, type KaldiWindow } from './kaldi-fbank.js';
import { melSpectrogram, mfcc, type MfccOptions } from './mel.js';
import { pyin } from './pitch.js';
import { prosodicFeatures } from './prosodic.js';
import type { FeatureMatrix } from '../dsp/matrix.js';
import type { FeatureValue } from './value.js';
import { vector180, VECTOR180_SAMPLE_RATE } from './vector180.js';

/** A JSON value (what a feature spec's parameters may hold). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Serialisable description of one feature extraction: which set, its version, every parameter. */
export interface FeatureSpec {
  readonly name: string;
  readonly version: number;
  /** All parameters, defaults filled in; `sampleRate` (Hz) is the rate audio is loaded at. */
  readonly params: { readonly sampleRate: number } & { readonly [key: string]: JsonValue };
}

/**
 * Computes one file's features from mono samples at the spec's sample rate. Sets that run a model
 * (the ONNX encoder sets of src/encoders) return a promise; callers await the result.
 */
export type FeatureFunction = (
  samples: Float32Array,
  sampleRate: number,
) => FeatureValue | Promise<FeatureValue>;

/** A named feature set: its defaults and how to build the function for given parameters. */
export interface FeatureSetDefinition {
  readonly name: string;
  /** Bumped when the set's output changes for the same parameters. */
  readonly version: number;
  readonly description: string;
  /** `matrix`: frames x bins, frame count varies with duration; `vector`: fixed length per file. */
  readonly kind: 'matrix' | 'vector';
  readonly defaults: FeatureSpec['params'];
  /**
   * True when the set's function runs a model and returns a promise (the ONNX encoder sets):
   * `checkFeatureSpec` then checks the parameters through `prepare` and `create` only, without
   * the probe run (which would load the model on the calling thread).
   */
  readonly usesModel?: boolean;
  /** Builds the extraction function for fully merged parameters. */
  create(params: FeatureSpec['params']): FeatureFunction;
  /**
   * Optional: completes merged parameters before they become the spec (e.g. the sha256 of a model
   * file, so the cache key changes with the model). Runs in `featureSpec`, also on specs that
   * arrive again as JSON; must be idempotent.
   */
  prepare?(params: FeatureSpec['params']): FeatureSpec['params'];
}

const registry = new Map<string, FeatureSetDefinition>();

function register(definition: FeatureSetDefinition): void {
  registry.set(definition.name, definition);
}

/**
 * Adds a feature set to the registry (the built-in sets register themselves; Node-only sets such
 * as the ONNX encoder sets register from their own module). Registering the same definition again
 * is a no-op.
 * @throws EmovoxParameterError('name', problem) when another definition has the name.
 */
export function registerFeatureSet(definition: FeatureSetDefinition): void {
  const existing = registry.get(definition.name);
  if (existing && existing !== definition)
    throw new EmovoxParameterError('name', `feature set "${definition.name}" is already registered`);
  register(definition);
}

/** Names of the registered feature sets, sorted. */
export function featureSetNames(): string[] {
  return [...registry.keys()].sort();
}

/** The definition of set `name`; throws EmovoxParameterError listing the known names when unknown. */
export function featureSetDefinition(name: string): FeatureSetDefinition {
  const definition = registry.get(name);
  if (!definition) {
    throw new EmovoxParameterError(name, `unknown feature set (known: ${featureSetNames().join(', ')})`);
  }
  return definition;
}

/**
 * The full spec of set `name` with `overrides` merged over its defaults.
 *
 * @param name - a registered set name (see {@link featureSetNames}).
 * @param overrides - parameters to change; an unknown key or a value of another type than the
 *   default's throws EmovoxParameterError.
 * @example
 * ```ts
 * import { featureFunction, featureSpec, loadAudio } from 'emovox';
 *
 * // 40 MFCCs at 16 kHz with a shorter hop than the default 512 samples.
 * const spec = featureSpec('mfcc40', { hopLength: 256 });
 * const { samples } = await loadAudio('speech.wav', { sr: spec.params.sampleRate });
 * const value = await featureFunction(spec)(samples, spec.params.sampleRate);
 * console.log(value.matrix?.frames, value.matrix?.bins); // frames x 40
 * ```
 */
export function featureSpec(name: string, overrides: Record<string, JsonValue> = {}): FeatureSpec {
  const definition = featureSetDefinition(name);
  const params: Record<string, JsonValue> = { ...definition.defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in params)) throw new EmovoxParameterError(name, `unknown parameter "${key}"`);
    const expected = params[key];
    // A null default means "derived" (e.g. fmax = sampleRate / 2, an encoder's normalisation from
    // the model's preprocessor config): a number, a boolean or null may replace it.
    const fits =
      expected === null
        ? value === null || typeof value === 'number' || typeof value === 'boolean'
        : typeof value === typeof expected &&
          Array.isArray(value) === Array.isArray(expected) &&
          value !== null;
    if (!fits) {
      throw new EmovoxParameterError(
        name,
        `parameter "${key}" must be a ${expected === null ? 'number, boolean or null' : typeof expected}`,
      );
    }
    params[key] = value;
  }
  const prepared = definition.prepare ? definition.prepare(params as FeatureSpec['params']) : params;
  Object.assign(params, prepared);
  const sampleRate = params.sampleRate;
  if (
    typeof sampleRate !== 'number' ||
    !Number.isInteger(sampleRate) ||
    sampleRate < 1000 ||
    sampleRate > 384000
  ) {
    throw new EmovoxParameterError(
      name,
      `sampleRate must be an integer in 1000..384000 Hz, got ${String(sampleRate)}`,
    );
  }
  return { name, version: definition.version, params: params as FeatureSpec['params'] };
}

/**
 * The extraction function for `spec` (validated again: specs can arrive as JSON from disk or a
 * worker message).
 */
export function featureFunction(spec: FeatureSpec): FeatureFunction {
  const definition = featureSetDefinition(spec.name);
  if (spec.version !== definition.version) {
    throw new EmovoxParameterError(
      spec.name,
      `spec version ${spec.version}, this emovox has ${definition.version}`,
    );
  }
  const full = featureSpec(spec.name, spec.params);
  return definition.create(full.params);
}

/** A deterministic speech-like probe signal: harmonics of 140 Hz with a slow envelope plus low noise. */
function probeSignal(sampleRate: number, length: number): Float32Array {
  const random = mulberry32(1);
  const y = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate;
    let s = 0;
    for (let h = 1; h <= 6; h++) s += Math.sin(2 * Math.PI * 140 * h * t) / h;
    y[i] = 0.2 * s * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)) + 0.01 * (random.next() - 0.5);
  }
  return y;
}

const checkedSpecs = new Set<string>();

/**
 * Checks a whole spec before any file is read: the set exists, its version matches, every
 * parameter has the right type, and the set's function runs on a 3-second speech-like probe
 * signal at the spec's rate (at least 4 FFT frames long) and returns finite values. This finds
 * every parameter the feature code would reject (`nMfcc: 0`, `hopLength: 0`, `nFft: 1`, `fmax`
 * above Nyquist...) once, instead of once per file. Pure (no Node API); results are memoised
 * per spec.
 *
 * @param spec - the spec to check.
 * @throws EmovoxParameterError naming the set and the problem (the CLI exits with code 2).
 */
export function checkFeatureSpec(spec: FeatureSpec): void {
  let key: string;
  try {
    key = canonicalJson(spec);
  } catch (error) {
    throw new EmovoxParameterError(
      String(spec?.name ?? 'feature spec'),
      `not a valid spec (${errorMessage(error)})`,
    );
  }
  if (checkedSpecs.has(key)) return;
  const fn = featureFunction(spec);
  if (featureSetDefinition(spec.name).usesModel) {
    checkedSpecs.add(key);
    return;
  }
  const sampleRate = spec.params.sampleRate;
  const nFft =
    typeof spec.params.nFft === 'number' && Number.isFinite(spec.params.nFft) ? spec.params.nFft : 0;
  const length = Math.max(3 * sampleRate, Math.min(4 * nFft, 2 ** 24));
  let value: FeatureValue;
  try {
    value = fn(probeSignal(sampleRate, length), sampleRate) as FeatureValue; // synchronous sets
  } catch (error) {
    // a parameter error's source is the option's name: keep it in the problem
    const problem =
      error instanceof EmovoxParameterError
        ? error.message
        : error instanceof EmovoxInputError
          ? error.problem
          : errorMessage(error);
    throw new EmovoxParameterError(spec.name, `invalid parameters: ${problem}`, { cause: error });
  }
  const data = value.matrix?.data ?? value.vector;
  if (!data || data.length === 0)
    throw new EmovoxParameterError(spec.name, 'invalid parameters: the set returns no values');
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new EmovoxParameterError(
        spec.name,
        `invalid parameters: value ${i} is not finite on a speech-like signal`,
      );
    }
  }
  checkedSpecs.add(key);
}

// ---- the built-in sets ----

type Params = FeatureSpec['params'];

/** STFT + mel parameters shared by the spectral sets (librosa's defaults, centred zero padding). */
const SPECTRAL_DEFAULTS = {
  resampleQuality: 'high',
  nFft: 2048,
  hopLength: 512,
  window: 'hann',
  center: true,
  padMode: 'constant',
  nMels: 128,
  fmin: 0,
  fmax: null,
  htk: false,
  norm: 'slaney',
} as const;

function num(params: Params, key: string): number {
  const value = params[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EmovoxParameterError(
      String(params.name ?? 'feature set'),
      `parameter "${key}" must be a finite number`,
    );
  }
  return value;
}

function melOptions(params: Params): MfccOptions {
  const padMode = params.padMode;
  const window = params.window;
  const norm = params.norm;
  if (padMode !== 'constant' && padMode !== 'reflect' && padMode !== 'edge') {
    throw new EmovoxParameterError(
      'feature set',
      `padMode must be constant, reflect or edge, got ${String(padMode)}`,
    );
  }
  if (window !== 'hann' && window !== 'hamming' && window !== 'ones') {
    throw new EmovoxParameterError(
      'feature set',
      `window must be hann, hamming or ones, got ${String(window)}`,
    );
  }
  if (norm !== 'slaney' && norm !== null && typeof norm !== 'number') {
    throw new EmovoxParameterError(
      'feature set',
      `norm must be "slaney", null or a number, got ${String(norm)}`,
    );
  }
  return {
    nFft: num(params, 'nFft'),
    hopLength: num(params, 'hopLength'),
    window,
    center: params.center === true,
    padMode,
    nMels: num(params, 'nMels'),
    fmin: num(params, 'fmin'),
    fmax: params.fmax === null ? undefined : num(params, 'fmax'),
    htk: params.htk === true,
    norm,
  };
}

register({
  name: 'mfcc40',
  version: 1,
  description:
    'MFCC matrix, frames x 40, at 16 kHz (librosa.feature.mfcc with n_mfcc=40, n_fft=2048, hop=512, 128 slaney mels)',
  kind: 'matrix',
  defaults: { sampleRate: 16000, ...SPECTRAL_DEFAULTS, nMfcc: 40, lifter: 0 },
  create(params) {
    const options: MfccOptions = {
      ...melOptions(params),
      nMfcc: num(params, 'nMfcc'),
      lifter: num(params, 'lifter'),
    };
    const names = Array.from({ length: options.nMfcc ?? 40 }, (_, k) => `mfcc${k}`);
    return (samples, sampleRate) => ({ matrix: mfcc(samples, sampleRate, options), names });
  },
});

function numbers(params: Params, key: string): number[] {
  const value = params[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new EmovoxParameterError('feature set', `parameter "${key}" must be an array of numbers`);
  }
  return value as number[];
}

function strings(params: Params, key: string): string[] {
  const value = params[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new EmovoxParameterError('feature set', `parameter "${key}" must be an array of strings`);
  }
  return value as string[];
}

function optionalNumber(params: Params, key: string): number | undefined {
  return params[key] === null ? undefined : num(params, key);
}

register({
  name: 'vector180',
  version: 1,
  description:
    'Utterance vector of 180 values at 22050 Hz: means of 40 MFCC, 12 chroma, 128 mel bands (the classic librosa recipe)',
  kind: 'vector',
  defaults: { sampleRate: VECTOR180_SAMPLE_RATE, resampleQuality: 'high' },
  create() {
    return (samples, sampleRate) => {
      const { values, names } = vector180(samples, sampleRate);
      return { vector: values, names };
    };
  },
});

register({
  name: 'functionals',
  version: 1,
  description:
    'Utterance functionals of MFCC-20 and its deltas (mean, std, min, max, p10/p50/p90, slope per coefficient) at 16 kHz',
  kind: 'vector',
  defaults: {
    sampleRate: 16000,
    ...SPECTRAL_DEFAULTS,
    nMfcc: 20,
    lifter: 0,
    stats: ['mean', 'std', 'min', 'max', 'percentiles', 'slope'],
    percentiles: [10, 50, 90],
    deltaOrders: [1, 2],
    deltaWidth: 9,
  },
  create(params) {
    const options: MfccOptions = {
      ...melOptions(params),
      nMfcc: num(params, 'nMfcc'),
      lifter: num(params, 'lifter'),
    };
    const stats = strings(params, 'stats') as Functional[];
    const percentiles = numbers(params, 'percentiles');
    const deltaOrders = numbers(params, 'deltaOrders');
    const deltaWidth = num(params, 'deltaWidth');
    return (samples, sampleRate) => {
      const { values, names } = functionals(mfcc(samples, sampleRate, options), {
        prefix: 'mfcc',
        stats,
        percentiles,
        deltaOrders,
        deltaWidth,
      });
      return { vector: values, names };
    };
  },
});

register({
  name: 'prosodic',
  version: 1,
  description:
    'eGeMAPS-inspired prosodic / voice-quality vector (19 values: pyin F0 statistics, loudness proxy, jitter/shimmer-like, spectral balance) at 16 kHz',
  kind: 'vector',
  defaults: { sampleRate: 16000, resampleQuality: 'high', fmin: 65.406, fmax: null, frameLength: null },
  create(params) {
    const options = {
      fmin: num(params, 'fmin'),
      fmax: optionalNumber(params, 'fmax'),
      frameLength: optionalNumber(params, 'frameLength'),
    };
    return (samples, sampleRate) => {
      const { values, names } = prosodicFeatures(samples, sampleRate, options);
      return { vector: values, names };
    };
  },
});

register({
  name: 'logmel',
  version: 1,
  description:
    'Fixed-size log-mel image for 2D CNNs at 16 kHz: 128 frames x 128 mels, dB (ref max, top 80 dB) scaled to [0, 1], centre crop / end pad',
  kind: 'matrix',
  defaults: { sampleRate: 16000, ...SPECTRAL_DEFAULTS, frames: 128, topDb: 80, fit: 'crop-pad' },
  create(params) {
    const fit: 'crop-pad' | 'resize' | undefined =
      params.fit === 'crop-pad' || params.fit === 'resize' ? params.fit : undefined;
    if (fit === undefined) {
      throw new EmovoxParameterError('logmel', `fit must be crop-pad or resize, got ${String(params.fit)}`);
    }
    const options = {
      ...melOptions(params),
      frames: num(params, 'frames'),
      topDb: num(params, 'topDb'),
      fit,
    };
    const names = Array.from({ length: options.nMels ?? 128 }, (_, m) => `mel${m}`);
    return (samples, sampleRate) => ({ matrix: logMelImage(samples, sampleRate, options), names });
  },
});

register({
  name: 'logmel-frames',
  version: 1,
  description:
    'Variable-length log-mel spectrogram at 16 kHz: frames x 128 mels, power_to_db(ref=1, amin=1e-10, top_db=80) as librosa',
  kind: 'matrix',
  defaults: { sampleRate: 16000, ...SPECTRAL_DEFAULTS, topDb: 80 },
  create(params) {
    const options = melOptions(params);
    const topDb = num(params, 'topDb');
    const names = Array.from({ length: options.nMels ?? 128 }, (_, m) => `mel${m}`);
    return (samples, sampleRate) => ({
      matrix: powerToDb(melSpectrogram(samples, sampleRate, options), { topDb }),
      names,
    });
  },
});

register({
  name: 'prosody-frames',
  version: 1,
  description:
    'Frame-level prosody at 16 kHz, aligned with mfcc40 frames (2048 / hop 512, centred): frames x 3 = log energy (dB of frame RMS), pyin F0 in semitones above 55 Hz (0 when unvoiced), voicing probability',
  kind: 'matrix',
  defaults: {
    sampleRate: 16000,
    resampleQuality: 'high',
    frameLength: 2048,
    hopLength: 512,
    fmin: 65.406,
    fmax: 1046.5,
  },
  create(params) {
    const frameLength = num(params, 'frameLength');
    const hopLength = num(params, 'hopLength');
    const fmin = num(params, 'fmin');
    const fmaxWanted = num(params, 'fmax');
    const names = ['energyDb', 'f0Semitones', 'voicedProb'];
    return (samples, sampleRate) => {
      const energy = rms(samples, { frameLength, hopLength });
      const p = pyin(samples, sampleRate, {
        fmin,
        fmax: Math.min(fmaxWanted, sampleRate / 2),
        frameLength,
        hopLength,
      });
      const frames = Math.min(energy.frames, p.f0.length);
      const data = new Float32Array(frames * 3);
      for (let t = 0; t < frames; t++) {
        data[t * 3] = 20 * Math.log10(Math.max(energy.data[t], 1e-5));
        const f0 = p.f0[t];
        data[t * 3 + 1] = Number.isFinite(f0) && f0 > 0 ? 12 * Math.log2(f0 / 55) : 0;
        data[t * 3 + 2] = p.voicedProb[t];
      }
      return { matrix: { data, frames, bins: 3 }, names };
    };
  },
});

/** Column-wise concatenation of frames x bins matrices (cut to the shortest). */
function columns(parts: readonly FeatureMatrix[]): FeatureMatrix {
  const frames = Math.min(...parts.map((p) => p.frames));
  const bins = parts.reduce((n, p) => n + p.bins, 0);
  const data = new Float32Array(frames * bins);
  for (let t = 0; t < frames; t++) {
    let at = t * bins;
    for (const p of parts) {
      data.set(p.data.subarray(t * p.bins, (t + 1) * p.bins), at);
      at += p.bins;
    }
  }
  return { data, frames, bins };
}

register({
  name: 'spectral-functionals',
  version: 1,
  description:
    'Utterance functionals of 13 spectral / energy descriptors and their deltas at 16 kHz: centroid, bandwidth, roll-off, flatness, 7 contrast bands, zero-crossing rate, log energy (208 values)',
  kind: 'vector',
  defaults: {
    sampleRate: 16000,
    resampleQuality: 'high',
    nFft: 2048,
    hopLength: 512,
    stats: ['mean', 'std', 'min', 'max', 'percentiles', 'slope'],
    percentiles: [10, 50, 90],
    deltaOrders: [1],
    deltaWidth: 9,
  },
  create(params) {
    const stft = { nFft: num(params, 'nFft'), hopLength: num(params, 'hopLength') };
    const framing = { frameLength: stft.nFft, hopLength: stft.hopLength };
    const stats = strings(params, 'stats') as Functional[];
    const percentiles = numbers(params, 'percentiles');
    const deltaOrders = numbers(params, 'deltaOrders');
    const deltaWidth = num(params, 'deltaWidth');
    const columnNames = [
      'centroid',
      'bandwidth',
      'rolloff',
      'flatness',
      ...Array.from({ length: 7 }, (_, k) => `contrast${k}`),
      'zcr',
      'energyDb',
    ];
    return (samples, sampleRate) => {
      const energy = rms(samples, framing);
      const energyDb = {
        data: energy.data.map((v) => 20 * Math.log10(Math.max(v, 1e-5))),
        frames: energy.frames,
        bins: 1,
      };
      const lld = columns([
        spectralCentroid(samples, sampleRate, stft),
        spectralBandwidth(samples, sampleRate, stft),
        spectralRolloff(samples, sampleRate, stft),
        spectralFlatness(samples, sampleRate, stft),
        spectralContrast(samples, sampleRate, stft),
        zeroCrossingRate(samples, framing),
        energyDb,
      ]);
      const { values, names } = functionals(lld, {
        columnNames,
        stats,
        percentiles,
        deltaOrders,
        deltaWidth,
      });
      return { vector: values, names };
    };
  },
});

register({
  name: 'fbank',
  version: 1,
  description:
    'Kaldi-style log mel filterbank at 16 kHz (torchaudio.compliance.kaldi.fbank): frames x 80, 25 ms / 10 ms, Povey window, pre-emphasis 0.97, dither 0',
  kind: 'matrix',
  defaults: {
    sampleRate: 16000,
    resampleQuality: 'high',
    numMelBins: 80,
    frameLength: 25,
    frameShift: 10,
    preemphasisCoefficient: 0.97,
    removeDcOffset: true,
    windowType: 'povey',
    snipEdges: true,
    energyFloor: 1,
    useEnergy: false,
    lowFreq: 20,
    highFreq: 0,
    scale: 1,
    subtractMean: false,
  },
  create(params) {
    const options = kaldiFbankOptions(params);
    const names = [
      ...(options.useEnergy ? ['logEnergy'] : []),
      ...Array.from({ length: options.numMelBins ?? 80 }, (_, m) => `fbank${m}`),
    ];
    return (samples, sampleRate) => ({ matrix: kaldiFbank(samples, sampleRate, options), names });
  },
});

/** {@link KaldiFbankOptions} from the parameters of a set built on `fbank`'s defaults. */
export function kaldiFbankOptions(params: Params): KaldiFbankOptions {
  const windowType = params.windowType;
  if (
    typeof windowType !== 'string' ||
    !['povey', 'hanning', 'hamming', 'rectangular', 'blackman'].includes(windowType)
  )
    throw new EmovoxInputError(
      'feature set',
      `windowType must be povey, hanning, hamming, rectangular or blackman`,
    );
  return {
    numMelBins: num(params, 'numMelBins'),
    frameLength: num(params, 'frameLength'),
    frameShift: num(params, 'frameShift'),
    preemphasisCoefficient: num(params, 'preemphasisCoefficient'),
    removeDcOffset: params.removeDcOffset === true,
    windowType: windowType as KaldiWindow,
    snipEdges: params.snipEdges === true,
    energyFloor: num(params, 'energyFloor'),
    useEnergy: params.useEnergy === true,
    lowFreq: num(params, 'lowFreq'),
    highFreq: num(params, 'highFreq'),
    scale: num(params, 'scale'),
    subtractMean: params.subtractMean === true,
  };
}
