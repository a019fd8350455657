// Self-supervised speech encoders (wav2vec2, HuBERT, WavLM, data2vec, emotion2vec) exported to
// ONNX by the user, as a feature extractor: waveform in, hidden states of one layer or of all
// layers out, pooled over frames or per frame. Long files run in overlapping windows.
import type * as Ort from 'onnxruntime-node';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { detectHiddenStates, detectInputs, type InputLayout, type OutputLayout } from './layout.js';
import { onnxRuntime, openModel } from './ort.js';

/** How the frames of the chosen layer(s) are summarised. */
export type EncoderPooling = 'mean' | 'meanstd' | 'none';

/** Options of {@link SpeechEncoder} and {@link encoderFeatures}. */
export interface SpeechEncoderOptions {
  /**
   * Hidden state to return: an index into the model's hidden states (0 = the transformer input,
   * as Hugging Face's `hidden_states[0]`; negative counts from the end). Default -1: the last.
   * A model that outputs only `last_hidden_state` accepts only -1.
   */
  layer?: number;
  /**
   * Return every hidden state instead of one: per frame, layer 0's values, then layer 1's, ...
   * (frames x layers·dim), for a learned weighted sum of layers in the model. Default false.
   */
  allLayers?: boolean;
  /**
   * Zero-mean, unit-variance normalisation of the whole waveform first, as Hugging Face's
   * Wav2Vec2FeatureExtractor with `do_normalize` (wav2vec2-base, HuBERT, data2vec) and
   * emotion2vec do: (x − mean) / √(var + `normalizeEps`). Default false.
   */
  normalize?: boolean;
  /** ε of the normalisation (default 1e-7, Hugging Face's; fairseq/emotion2vec use layer_norm's 1e-5). */
  normalizeEps?: number;
  /** Window length for long files, in seconds (default 30). */
  chunkSeconds?: number;
  /** Overlap of consecutive windows in seconds (default 2); each keeps the frames nearer its centre. */
  overlapSeconds?: number;
  /** Samples per output frame (default 320: 20 ms at 16 kHz, all of the models above). */
  frameHop?: number;
  /** Samples seen by the first frame (default 400: the wav2vec2 convolution stack). */
  receptiveField?: number;
  /** Intra-op threads (default 1 on worker threads, all cores on the main thread). */
  threads?: number;
}

/** Hidden states of one window, batch 1: one frames x dim array per returned layer. */
interface WindowStates {
  layers: Float32Array[];
  frames: number;
  dim: number;
}

/** Receives the stitched frames of the selected layers, in order, window by window. */
export type FrameSink = (layers: Float32Array[], from: number, to: number, dim: number) => void;

/**
 * A user-supplied ONNX speech encoder with its detected layout. Open with {@link SpeechEncoder.open};
 * one instance per thread (onnxruntime sessions are not shared between workers).
 */
export class SpeechEncoder {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    /** Where the audio goes in (and the mask, if any). */
    readonly input: InputLayout,
    /** Where the hidden states come out. */
    readonly output: OutputLayout,
    readonly source: string,
  ) {}

  /**
   * Opens `path` and detects its layout.
   * @throws EmovoxInputError(path, problem) for unreadable models or layouts it cannot drive.
   */
  static async open(path: string, threads?: number): Promise<SpeechEncoder> {
    const model = await openModel(path, threads);
    const input = detectInputs(model.inputs, path);
    if (input.audioKind !== 'waveform')
      throw new EmovoxInputError(path, `input ${input.audio} is not a [batch, samples] waveform`);
    return new SpeechEncoder(
      await onnxRuntime(),
      model.session,
      input,
      detectHiddenStates(model.outputs, path),
      path,
    );
  }

  /** Frees the onnxruntime session. */
  async release(): Promise<void> {
    await this.session.release();
  }

  private feeds(samples: Float32Array): Record<string, Ort.Tensor> {
    const T = this.ort.Tensor;
    const feeds: Record<string, Ort.Tensor> = {
      [this.input.audio]: new T('float32', samples, [1, samples.length]),
    };
    const mask = this.input.mask;
    if (mask) {
      const n = mask.kind === 'lengths' ? 1 : samples.length;
      const shape = mask.kind === 'lengths' ? [1] : [1, samples.length];
      const value = mask.kind === 'attention' ? 1 : mask.kind === 'padding' ? 0 : samples.length;
      if (mask.type === 'int64')
        feeds[mask.name] = new T('int64', new BigInt64Array(n).fill(BigInt(value)), shape);
      else if (mask.type === 'int32') feeds[mask.name] = new T('int32', new Int32Array(n).fill(value), shape);
      else if (mask.type === 'bool')
        feeds[mask.name] = new T('bool', new Uint8Array(n).fill(value ? 1 : 0), shape);
      else feeds[mask.name] = new T('float32', new Float32Array(n).fill(value), shape);
    }
    return feeds;
  }

  /** Resolves `layer` against the model's hidden-state count, or lists every layer for `all`. */
  private pick(count: number | null, layer: number, all: boolean): number[] | null {
    if (count === null) {
      if (all || (layer !== -1 && layer !== 0))
        throw new EmovoxParameterError(
          'layer',
          `${this.source} outputs only its last hidden state: export all hidden states to choose a layer (see docs/pretrained.md)`,
        );
      return null;
    }
    if (all) return Array.from({ length: count }, (_, i) => i);
    const index = layer < 0 ? count + layer : layer;
    if (!Number.isInteger(layer) || index < 0 || index >= count)
      throw new EmovoxParameterError(
        'layer',
        `must be an integer in [${-count}, ${count - 1}], got ${layer}`,
      );
    return [index];
  }

  /** Runs one window; returns the selected hidden states. */
  private async window(samples: Float32Array, layer: number, all: boolean): Promise<WindowStates> {
    const out = this.output;
    const fetches = out.kind === 'per-layer' ? undefined : [out.name];
    const results = fetches
      ? await this.session.run(this.feeds(samples), fetches)
      : await this.session.run(this.feeds(samples));
    const frameArray = (t: Ort.Tensor): { data: Float32Array; frames: number; dim: number } => {
      const dims = t.dims;
      return { data: t.data as Float32Array, frames: dims[dims.length - 2], dim: dims[dims.length - 1] };
    };
    if (out.kind === 'last') {
      this.pick(null, layer, all);
      const a = frameArray(results[out.name]);
      return { layers: [a.data], frames: a.frames, dim: a.dim };
    }
    if (out.kind === 'per-layer') {
      const picked = this.pick(out.names.length, layer, all)!;
      const arrays = picked.map((i) => frameArray(results[out.names[i]]));
      return { layers: arrays.map((a) => a.data), frames: arrays[0].frames, dim: arrays[0].dim };
    }
    const t = results[out.name];
    // torch.stack(hidden_states) gives [layers, batch, frames, dim]; [batch, layers, ...] also occurs.
    const [a, b, frames, dim] = t.dims;
    const layersFirst = b === 1 || a !== 1;
    const count = layersFirst ? a : b;
    const picked = this.pick(count, layer, all)!;
    const data = t.data as Float32Array;
    const size = frames * dim;
    return { layers: picked.map((i) => data.subarray(i * size, (i + 1) * size)), frames, dim };
  }

  /**
   * Streams the selected hidden states of a whole recording to `sink`, window by window: files
   * longer than one window run in windows of `chunkSeconds` overlapping by `overlapSeconds`, each
   * contributing the frames nearer its centre, so memory stays bounded by one window. Frame t
   * covers samples [t·hop, t·hop + receptiveField); a signal shorter than the receptive field is
   * zero-padded to it (one frame).
   * @param samples - mono 16 kHz audio (normalised already when the model expects it).
   * @returns the number of frames.
   */
  async stream(
    samples: Float32Array,
    sampleRate: number,
    o: SpeechEncoderOptions,
    sink: FrameSink,
  ): Promise<number> {
    const hop = o.frameHop ?? 320;
    const field = o.receptiveField ?? 400;
    const layer = o.layer ?? -1;
    const all = o.allLayers ?? false;
    if (!(Number.isInteger(hop) && hop > 0 && Number.isInteger(field) && field >= hop))
      throw new EmovoxParameterError(
        'frameHop',
        `needs integers 0 < frameHop <= receptiveField, got ${hop} and ${field}`,
      );
    let audio = samples;
    if (samples.length < field) {
      audio = new Float32Array(field);
      audio.set(samples);
    }
    const n = audio.length;
    const total = Math.floor((n - field) / hop) + 1;
    const windowSamples = Math.max(field, Math.floor((o.chunkSeconds ?? 30) * sampleRate));
    const perWindow = Math.floor((windowSamples - field) / hop) + 1;
    const overlap = Math.min(
      Math.round(((o.overlapSeconds ?? 2) * sampleRate) / hop),
      Math.floor((perWindow - 1) / 2),
    );
    if (!(overlap >= 0)) throw new EmovoxParameterError('overlapSeconds', 'must be >= 0');
    let next = 0;
    for (let start = 0; ; start += perWindow - overlap) {
      const last = start + perWindow >= total;
      const first = last ? Math.max(0, total - perWindow) : start;
      // Every sample of the window goes in (also those past the last full frame): models with
      // GroupNorm over time in their first layer (wav2vec2-base, HuBERT) see the whole signal.
      const from = first * hop;
      const to = last ? n : Math.min(n, from + windowSamples);
      const expected = Math.floor((to - from - field) / hop) + 1;
      const w = await this.window(audio.subarray(from, to), layer, all);
      if (w.frames !== expected)
        throw new EmovoxInputError(
          this.source,
          `gave ${w.frames} frames for ${expected}: set frameHop / receptiveField to the model's (${hop} / ${field})`,
        );
      const end = last ? total : start + perWindow - Math.ceil(overlap / 2);
      sink(
        w.layers.map((l) => l.subarray((next - first) * w.dim, (end - first) * w.dim)),
        next,
        end,
        w.dim,
      );
      next = end;
      if (last) break;
    }
    return total;
  }
}

/** Zero-mean, unit-variance copy of `samples`: (x − mean) / √(var + eps), statistics in float64. */
export function normalizeWaveform(samples: Float32Array, eps = 1e-7): Float32Array {
  let mean = 0;
  for (const v of samples) mean += v;
  mean /= Math.max(1, samples.length);
  let variance = 0;
  for (const v of samples) variance += (v - mean) ** 2;
  variance /= Math.max(1, samples.length);
  const scale = 1 / Math.sqrt(variance + eps);
  return Float32Array.from(samples, (v) => (v - mean) * scale);
}

/** What {@link encoderFeatures} returns. */
export interface EncoderFeatures {
  /** `pooling` 'none': frames x (layers·dim) frame by frame. */
  frames?: { data: Float32Array; frames: number; bins: number };
  /** `mean`: layers·dim values; `meanstd`: the means, then the standard deviations (population). */
  vector?: Float32Array;
  /** Hidden size of one layer. */
  dim: number;
  /** Layers returned (1 unless `allLayers`). */
  layers: number;
}

/**
 * Embeddings of one recording from a user-supplied ONNX speech encoder: normalised as configured,
 * run in windows for long files, the chosen layer (or all layers) pooled over frames.
 * @param audio - mono samples at `sampleRate` (16 kHz for the models above; resample first).
 * @param options - `model` (an ONNX file or an opened {@link SpeechEncoder}), `pooling` (default
 *   'mean') and {@link SpeechEncoderOptions}.
 */
export async function encoderFeatures(
  audio: Float32Array,
  options: SpeechEncoderOptions & {
    model: string | SpeechEncoder;
    pooling?: EncoderPooling;
    sampleRate?: number;
  },
): Promise<EncoderFeatures> {
  const encoder =
    typeof options.model === 'string'
      ? await SpeechEncoder.open(options.model, options.threads)
      : options.model;
  try {
    const input = options.normalize ? normalizeWaveform(audio, options.normalizeEps ?? 1e-7) : audio;
    const pooling = options.pooling ?? 'mean';
    let sums: Float64Array | undefined;
    let squares: Float64Array | undefined;
    const rows: Float32Array[] = [];
    let dim = 0;
    let layers = 0;
    const total = await encoder.stream(input, options.sampleRate ?? 16000, options, (states, from, to, d) => {
      dim = d;
      layers = states.length;
      const width = layers * dim;
      if (pooling === 'none') {
        const block = new Float32Array((to - from) * width);
        for (let t = 0; t < to - from; t++)
          states.forEach((l, k) => block.set(l.subarray(t * dim, (t + 1) * dim), t * width + k * dim));
        rows.push(block);
        return;
      }
      sums ??= new Float64Array(width);
      squares ??= new Float64Array(width);
      for (let t = 0; t < to - from; t++) {
        states.forEach((l, k) => {
          for (let j = 0; j < dim; j++) {
            const v = l[t * dim + j];
            sums![k * dim + j] += v;
            squares![k * dim + j] += v * v;
          }
        });
      }
    });
    const width = layers * dim;
    if (pooling === 'none') {
      const data = new Float32Array(total * width);
      let at = 0;
      for (const r of rows) {
        data.set(r, at);
        at += r.length;
      }
      return { frames: { data, frames: total, bins: width }, dim, layers };
    }
    const vector = new Float32Array(pooling === 'meanstd' ? 2 * width : width);
    for (let i = 0; i < width; i++) {
      const mean = sums![i] / total;
      vector[i] = mean;
      if (pooling === 'meanstd')
        vector[width + i] = Math.sqrt(Math.max(0, squares![i] / total - mean * mean));
    }
    return { vector, dim, layers };
  } finally {
    if (typeof options.model === 'string') await encoder.release();
  }
}
