// Audio -> model inputs exactly as training computed them, driven by a bundle's description:
// silence trimming, resampling to each feature set's rate, the feature sets, their combination
// into the model's inputs, and the stored normalisation. Pure: no Node API, no onnxruntime, so
// the browser page reuses it. Training computes the same thing through src/data; a test checks
// the two agree value for value on real files.
import { resample, type ResampleQuality } from '../audio/resample.js';
import { trim } from '../audio/trim.js';
import { featureFunction, type FeatureFunction, type FeatureSpec } from '../features/sets.js';
import type { FeatureValue } from '../features/value.js';
import type { BundleInputSpec, BundlePreprocess } from '../models/bundle.js';
import { SpeakerNormalizer, type InputNormalization } from '../models/normalization.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';

/** One input tensor for the model: values in row-major order and the shape (batch first). */
export interface FrontEndTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** What the front end needs from a bundle (a loaded format-2 `ModelBundle` has all of it). */
export interface FrontEndSpec {
  /** Model input name -> how it is computed from audio. */
  inputs: Record<string, BundleInputSpec>;
  preprocess?: BundlePreprocess;
  /** Model input name -> normalisation (absent: values as extracted). */
  normalization?: Record<string, InputNormalization>;
}

interface PreparedSet {
  spec: FeatureSpec;
  fn: FeatureFunction;
  key: string;
}

/** Shortest audio the front end accepts, in seconds (a few analysis frames of the usual 2048-sample window). */
export const MIN_AUDIO_S = 0.05;

/**
 * Computes a bundle's model inputs from mono audio. Build one per model (and per speaker or
 * stream when the bundle normalises per speaker: its running statistics live here).
 */
export class FrontEnd {
  private readonly sets = new Map<string, PreparedSet>();
  private readonly normalizers = new Map<string, SpeakerNormalizer>();

  /**
   * @param spec - the bundle's inputs, preprocessing and normalisation.
   * @param source - name used in errors (the bundle path).
   * @throws EmovoxInputError(source, problem) when a feature set is unknown to this emovox, has
   *   another version, or an input's normalisation does not match it.
   */
  constructor(
    readonly spec: FrontEndSpec,
    readonly source = 'model',
  ) {
    const names = Object.keys(spec.inputs);
    if (names.length === 0) throw new EmovoxInputError(source, 'the bundle describes no model input');
    for (const [name, input] of Object.entries(spec.inputs)) {
      if (input.sets.length === 0) throw new EmovoxInputError(source, `input ${name} has no feature sets`);
      if (input.kind === 'image' && input.sets.length !== 1)
        throw new EmovoxInputError(source, `input ${name} (image) must have exactly one feature set`);
      for (const set of input.sets) {
        const key = JSON.stringify(set);
        if (this.sets.has(key)) continue;
        let fn: FeatureFunction;
        try {
          fn = featureFunction(set as FeatureSpec);
        } catch (error) {
          throw new EmovoxInputError(
            source,
            `input ${name}: feature set ${set.name} v${set.version} cannot be computed by this emovox (${error instanceof EmovoxInputError ? error.message : errorMessage(error)})`,
          );
        }
        this.sets.set(key, { spec: set as FeatureSpec, fn, key });
      }
      const n = spec.normalization?.[name];
      if (n && n.mode !== 'none') this.normalizers.set(name, new SpeakerNormalizer(n));
    }
  }

  /** Sample rates (Hz) the feature sets load audio at, ascending. */
  get rates(): number[] {
    return [...new Set([...this.sets.values()].map((s) => s.spec.params.sampleRate))].sort((a, b) => a - b);
  }

  /**
   * The model inputs (batch of 1) for one utterance.
   * @param samples - mono audio in [-1, 1].
   * @param sampleRate - its rate in Hz (any; resampled to each set's rate as training did).
   * @param speaker - speaker or stream id for per-speaker normalisation (default: one anonymous speaker).
   * @returns tensors by model input name (`frames` inputs add `lengths`).
   * @throws EmovoxInputError(source, problem) for audio too short or silent to analyse.
   */
  compute(
    samples: Float32Array,
    sampleRate: number,
    speaker = '',
    source = 'audio',
  ): Record<string, FrontEndTensor> {
    if (!(sampleRate > 0) || !Number.isFinite(sampleRate))
      throw new EmovoxInputError(source, `invalid sample rate ${sampleRate}`);
    let y = samples;
    const trimSilence = this.spec.preprocess?.trimSilence;
    if (trimSilence) {
      y = trim(y, { topDb: trimSilence.topDb }).trimmed;
      if (y.length === 0) throw new EmovoxInputError(source, 'no audio left after trimming silence');
    }
    if (y.length < MIN_AUDIO_S * sampleRate) {
      throw new EmovoxInputError(
        source,
        `${(y.length / sampleRate).toFixed(3)} s of audio is too short to recognise (at least ${MIN_AUDIO_S} s)`,
      );
    }
    let peak = 0;
    for (let i = 0; i < y.length; i++) peak = Math.max(peak, Math.abs(y[i]));
    if (peak === 0) throw new EmovoxInputError(source, 'the audio is digital silence (all samples 0)');
    const byRate = new Map<string, Float32Array>();
    const values = new Map<string, FeatureValue>();
    for (const set of this.sets.values()) {
      const rate = set.spec.params.sampleRate;
      const q = set.spec.params.resampleQuality;
      const quality: ResampleQuality = q === 'low' || q === 'medium' ? q : 'high';
      const rateKey = `${rate}/${quality}`;
      let audio = byRate.get(rateKey);
      if (!audio) {
        audio = rate === sampleRate ? y : resample(y, sampleRate, rate, { quality });
        byRate.set(rateKey, audio);
      }
      let value: FeatureValue;
      try {
        const result = set.fn(audio, rate);
        // Model-backed sets (speech encoders) compute asynchronously; bundles drive this
        // synchronous front end with the pure-maths sets only.
        if (result instanceof Promise)
          throw new EmovoxInputError(set.spec.name, 'asynchronous feature sets are not supported here');
        value = result;
      } catch (error) {
        throw new EmovoxInputError(
          source,
          `${set.spec.name}: ${error instanceof EmovoxInputError ? error.problem : errorMessage(error)}`,
        );
      }
      const data = value.vector ?? value.matrix?.data;
      if (!data || data.some((v) => !Number.isFinite(v)))
        throw new EmovoxInputError(
          source,
          `${set.spec.name}: non-finite feature values (silent or broken audio?)`,
        );
      values.set(set.key, value);
    }
    const out: Record<string, FrontEndTensor> = {};
    for (const [name, input] of Object.entries(this.spec.inputs)) {
      const parts = input.sets.map((s) => values.get(JSON.stringify(s))!);
      const { row, shape, frames } = combine(input, parts, source);
      const normalizer = this.normalizers.get(name);
      const data = normalizer ? normalizer.normalize(row, speaker) : row;
      out[name] = { data, shape: [1, ...shape] };
      if (input.kind === 'frames') out.lengths = { data: Int32Array.of(frames), shape: [1] };
    }
    return out;
  }

  /** Forgets per-speaker running statistics (per-speaker normalisation only). */
  reset(): void {
    for (const n of this.normalizers.values()) n.reset();
  }
}

/**
 * One utterance's values of an input: `vector` sets concatenated, `frames` matrices joined
 * column-wise frame by frame (cut to the shortest and to `maxFrames`), `image` the one matrix
 * transposed to [1, bins, frames]. The same layout src/data builds for training.
 */
export function combine(
  input: BundleInputSpec,
  values: readonly FeatureValue[],
  source = 'audio',
): { row: Float32Array; shape: number[]; frames: number } {
  if (input.kind === 'vector') {
    const vectors = values.map((v) => {
      if (!v.vector) throw new EmovoxInputError(source, 'a vector input needs vector feature sets');
      return v.vector;
    });
    const row = new Float32Array(vectors.reduce((n, v) => n + v.length, 0));
    let at = 0;
    for (const v of vectors) {
      row.set(v, at);
      at += v.length;
    }
    return { row, shape: [row.length], frames: 1 };
  }
  const matrices = values.map((v) => {
    if (!v.matrix) throw new EmovoxInputError(source, `a ${input.kind} input needs matrix feature sets`);
    return v.matrix;
  });
  if (input.kind === 'image') {
    const m = matrices[0];
    const row = new Float32Array(m.frames * m.bins);
    for (let t = 0; t < m.frames; t++)
      for (let b = 0; b < m.bins; b++) row[b * m.frames + t] = m.data[t * m.bins + b];
    return { row, shape: [1, m.bins, m.frames], frames: m.frames };
  }
  let frames = Math.min(...matrices.map((m) => m.frames));
  if (input.maxFrames) frames = Math.min(frames, input.maxFrames);
  if (frames < 1) throw new EmovoxInputError(source, 'too short: no complete feature frame');
  const dims = matrices.reduce((n, m) => n + m.bins, 0);
  const row = new Float32Array(frames * dims);
  for (let t = 0; t < frames; t++) {
    let at = t * dims;
    for (const m of matrices) {
      row.set(m.data.subarray(t * m.bins, (t + 1) * m.bins), at);
      at += m.bins;
    }
  }
  return { row, shape: [frames, dims], frames };
}
