// ONNX inference through onnxruntime-node. Deliberately imports nothing from src/engine so that
// deployment never loads libtorch.
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import '../util/ort-telemetry-off.js'; // before onnxruntime-node loads: see the module
import * as ort from 'onnxruntime-node';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { loadBundle } from '../models/bundle.js';
import { exportOnnx } from '../models/onnx/export.js';
import { readOnnxMetadata } from '../models/onnx/metadata.js';
import { checkFeeds, type InputTensor } from './feeds.js';

export type { InputTensor } from './feeds.js';

/** Output of {@link EmotionSession.run}: row-major [batch, classes] arrays. */
export interface SessionOutput {
  batch: number;
  classes: number;
  logits: Float32Array;
  probabilities: Float32Array;
}

/** Top class of one example. */
export interface Prediction {
  label: string;
  index: number;
  confidence: number;
  /** Probability of every class by label. */
  probabilities: Record<string, number>;
}

/** Options for creating a session. */
export interface SessionOptions {
  /** Intra-op threads for onnxruntime (default 1: fastest for small models at batch 1). */
  threads?: number;
}

/**
 * An onnxruntime-node session over an emovox ONNX model with its label names.
 * Create with {@link EmotionSession.load} (file, bundle directory/file or bytes).
 */
export class EmotionSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** Class names in output order (`class_0`... when the model carries none). */
    readonly labels: string[],
    /** Input names the model expects, e.g. ['features'] or ['frames', 'lengths']. */
    readonly inputNames: readonly string[],
    /** Model configuration from the ONNX metadata (undefined for foreign models). */
    readonly config: Record<string, unknown> | undefined,
  ) {}

  /**
   * Opens a model: ONNX bytes, a `.onnx` file, or an emovox bundle (directory or `.emovox`
   * file; a directory with `model.onnx` uses it, otherwise the bundle is exported to ONNX in
   * memory — no libtorch involved).
   * @param model - path or ONNX bytes.
   * @param options - thread count (default 1).
   * @throws EmovoxInputError(source, problem) for unreadable or invalid models.
   */
  static async load(model: string | Uint8Array, options: SessionOptions = {}): Promise<EmotionSession> {
    const source = typeof model === 'string' ? model : 'onnx bytes';
    let bytes: Uint8Array;
    let bundleLabels: string[] | undefined;
    if (typeof model === 'string') {
      let isDir = false;
      try {
        isDir = statSync(model).isDirectory();
      } catch (error) {
        throw new EmovoxInputError(model, `cannot read model: ${errorMessage(error)}`);
      }
      if (isDir && existsSync(join(model, 'model.onnx'))) {
        bytes = new Uint8Array(readFileSync(join(model, 'model.onnx')));
      } else if (isDir || model.endsWith('.emovox')) {
        const bundle = loadBundle(model);
        bundleLabels = bundle.labels;
        bytes = exportOnnx(bundle.config, bundle.weights, bundle.labels ? { labels: bundle.labels } : {});
      } else {
        bytes = new Uint8Array(readFileSync(model));
      }
    } else {
      bytes = model;
    }
    if (bytes.length === 0) throw new EmovoxInputError(source, 'empty model');
    let session: ort.InferenceSession;
    try {
      const threads = options.threads ?? 1;
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
      });
    } catch (error) {
      throw new EmovoxInputError(source, `onnxruntime cannot load the model: ${errorMessage(error)}`);
    }
    let meta: Record<string, string> = {};
    try {
      meta = readOnnxMetadata(bytes);
    } catch {
      // Foreign models without readable metadata still run; labels fall back to class_N.
    }
    const config = meta['emovox.config']
      ? (JSON.parse(meta['emovox.config']) as Record<string, unknown>)
      : undefined;
    const labels = bundleLabels ?? (meta.labels ? (JSON.parse(meta.labels) as string[]) : undefined);
    const outputs = session.outputNames;
    if (!outputs.includes('logits'))
      throw new EmovoxInputError(source, `model has no 'logits' output (outputs: ${outputs.join(', ')})`);
    const classes = typeof config?.classes === 'number' ? config.classes : labels?.length;
    const names = labels ?? Array.from({ length: classes ?? 0 }, (_, i) => `class_${i}`);
    return new EmotionSession(session, names, session.inputNames, config);
  }

  /**
   * Runs the model on named inputs (all with the same batch size).
   * @param inputs - tensors by input name; see {@link EmotionSession.inputNames}.
   * @returns logits and softmax probabilities, [batch, classes] row-major.
   * @throws EmovoxInputError('inference', problem) for missing inputs, bad shapes or NaN values.
   */
  async run(inputs: Record<string, InputTensor>): Promise<SessionOutput> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const f of checkFeeds(this.inputNames, inputs))
      feeds[f.name] = new ort.Tensor(f.dtype, f.data, f.shape);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds, ['logits']);
    } catch (error) {
      throw new EmovoxInputError('inference', errorMessage(error));
    }
    const logitsTensor = out.logits;
    const [batch, classes] = logitsTensor.dims as number[];
    const logits = new Float32Array(logitsTensor.data as Float32Array);
    return { batch, classes, logits, probabilities: softmaxRows(logits, batch, classes) };
  }

  /**
   * Runs the model and names the most probable class of each example.
   * @param inputs - as for {@link EmotionSession.run}.
   */
  async predict(inputs: Record<string, InputTensor>): Promise<Prediction[]> {
    const { batch, classes, probabilities } = await this.run(inputs);
    const result: Prediction[] = [];
    for (let b = 0; b < batch; b++) {
      const row = probabilities.subarray(b * classes, (b + 1) * classes);
      let best = 0;
      for (let k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
      const byLabel: Record<string, number> = {};
      row.forEach((p, k) => (byLabel[this.labels[k] ?? `class_${k}`] = p));
      result.push({
        label: this.labels[best] ?? `class_${best}`,
        index: best,
        confidence: row[best],
        probabilities: byLabel,
      });
    }
    return result;
  }

  /** Releases the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Numerically stable softmax of each row of a row-major [rows, cols] matrix.
 * @returns a new array of probabilities (each row sums to 1).
 */
export function softmaxRows(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, values[r * cols + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += out[r * cols + c] = Math.exp(values[r * cols + c] - max);
    for (let c = 0; c < cols; c++) out[r * cols + c] /= sum;
  }
  return out;
}
