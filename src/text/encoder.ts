// A user-supplied pretrained text encoder (BERT / RoBERTa / XLNet-style ONNX export) as a frozen
// feature extractor: texts → tokenizer → encoder → pooled utterance embeddings. Node-only
// (onnxruntime-node); nothing is downloaded.
import { readFileSync } from 'node:fs';
import '../util/ort-telemetry-off.js'; // before onnxruntime-node loads: see the module
import * as ort from 'onnxruntime-node';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
import type { HfTokenizer } from './hf-tokenizer.js';

/** How token vectors become one vector per text. */
export type TextPooling = 'cls' | 'mean' | 'max';

/** Options of {@link OnnxTextEncoder.load}. */
export interface TextEncoderOptions {
  /** The tokenizer the encoder was trained with (e.g. `loadHfTokenizer(modelDir)`). */
  tokenizer: HfTokenizer;
  /**
   * 'mean' over the attention mask (default; sentence-transformers' choice), 'cls' = the first
   * token's vector (BERT's [CLS], RoBERTa's <s>), 'max' over real tokens. Ignored for a
   * [batch, hidden] output such as `pooler_output`.
   */
  pooling?: TextPooling;
  /** Output to read (default `last_hidden_state` when present, else the first output). */
  output?: string;
  /** Ids per text, special tokens included (default 128). */
  maxLength?: number;
  /** Texts per run (default 16). */
  batchSize?: number;
  /** Divide each embedding by its L2 norm (default false). */
  l2Normalize?: boolean;
  /** onnxruntime intra-op threads (default 1). */
  threads?: number;
}

/** Embeddings of several texts: row-major [count, dim]. */
export interface TextEmbeddings {
  data: Float32Array;
  shape: [number, number];
}

const INPUT_IDS = ['input_ids', 'ids'];
const MASK = ['attention_mask', 'input_mask', 'mask'];
const TYPES = ['token_type_ids', 'segment_ids'];

/**
 * Runs a pretrained transformer encoder exported to ONNX as Hugging Face / `torch.onnx.export`
 * write them: inputs `input_ids` and `attention_mask` (int64, or int32 when the model says so)
 * and optionally `token_type_ids`; output `last_hidden_state` [batch, tokens, hidden] (or any
 * named output of that shape, e.g. one of `hidden_states`, or a [batch, hidden] output used as
 * is). The tokenizer pads with its pad id and masks padding out of the pooling.
 */
export class OnnxTextEncoder {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: HfTokenizer,
    private readonly o: Required<Omit<TextEncoderOptions, 'tokenizer' | 'output'>> & { output: string },
    private readonly names: { ids: string; mask?: string; types?: string; int32: boolean },
  ) {}

  /**
   * Opens an encoder from an `.onnx` file or its bytes.
   * @throws EmovoxInputError(source, problem) when the model cannot be loaded or lacks an
   *   `input_ids` input or the requested output.
   */
  static async load(model: string | Uint8Array, options: TextEncoderOptions): Promise<OnnxTextEncoder> {
    const source = typeof model === 'string' ? model : 'onnx bytes';
    const pooling = options.pooling ?? 'mean';
    if (!['cls', 'mean', 'max'].includes(pooling))
      throw new EmovoxParameterError('pooling', `must be cls, mean or max, got ${pooling}`);
    let session: ort.InferenceSession;
    try {
      const bytes = typeof model === 'string' ? new Uint8Array(readFileSync(model)) : model;
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.threads ?? 1,
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      throw new EmovoxInputError(source, `cannot load ONNX text encoder: ${errorMessage(error)}`);
    }
    const find = (candidates: string[]) => session.inputNames.find((n) => candidates.includes(n));
    const ids = find(INPUT_IDS);
    if (!ids) {
      await session.release();
      throw new EmovoxInputError(source, `no input_ids input (inputs: ${session.inputNames.join(', ')})`);
    }
    const meta = session.inputMetadata.find((m) => m.name === ids);
    const int32 = !!meta && meta.isTensor && meta.type === 'int32';
    const output =
      options.output ??
      (session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0]);
    if (!session.outputNames.includes(output)) {
      await session.release();
      throw new EmovoxInputError(source, `no output ${output} (outputs: ${session.outputNames.join(', ')})`);
    }
    return new OnnxTextEncoder(
      session,
      options.tokenizer,
      {
        pooling,
        output,
        maxLength: options.maxLength ?? 128,
        batchSize: options.batchSize ?? 16,
        l2Normalize: options.l2Normalize ?? false,
        threads: options.threads ?? 1,
      },
      { ids, mask: find(MASK), types: find(TYPES), int32 },
    );
  }

  /** Input names the encoder takes. */
  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  /**
   * Embeds texts (with optional second segments, e.g. the dialogue context) in batches.
   * @returns [texts, hidden] float32 embeddings.
   */
  async embed(texts: readonly string[], pairs?: readonly (string | null)[]): Promise<TextEmbeddings> {
    if (pairs && pairs.length !== texts.length)
      throw new EmovoxParameterError('pairs', `has ${pairs.length} entries for ${texts.length} texts`);
    let dim = 0;
    let out = new Float32Array(0);
    for (let start = 0; start < texts.length; start += this.o.batchSize) {
      const end = Math.min(texts.length, start + this.o.batchSize);
      const batch = this.tokenizer.encodeBatch(texts.slice(start, end), {
        maxLength: this.o.maxLength,
        pairs: pairs?.slice(start, end),
      });
      const pooled = await this.runBatch(
        batch.inputIds,
        batch.attentionMask,
        batch.tokenTypeIds,
        batch.shape,
      );
      if (start === 0) {
        dim = pooled.length / (end - start);
        out = new Float32Array(texts.length * dim);
      }
      out.set(pooled, start * dim);
    }
    return { data: out, shape: [texts.length, dim] };
  }

  /**
   * Pooled embeddings of already tokenized rows (int64 [batch, tokens] each).
   * @returns row-major [batch, hidden].
   */
  async runBatch(
    inputIds: BigInt64Array,
    attentionMask: BigInt64Array,
    tokenTypeIds: BigInt64Array,
    shape: [number, number],
  ): Promise<Float32Array> {
    const tensor = (data: BigInt64Array) =>
      this.names.int32
        ? new ort.Tensor('int32', Int32Array.from(data, Number), shape)
        : new ort.Tensor('int64', data, shape);
    const feeds: Record<string, ort.Tensor> = { [this.names.ids]: tensor(inputIds) };
    if (this.names.mask) feeds[this.names.mask] = tensor(attentionMask);
    if (this.names.types) feeds[this.names.types] = tensor(tokenTypeIds);
    const result = await this.session.run(feeds, [this.o.output]);
    const value = result[this.o.output];
    const data = value.data as Float32Array;
    const [batch, tokens] = shape;
    let pooled: Float32Array;
    if (value.dims.length === 2) {
      pooled = Float32Array.from(data);
    } else if (value.dims.length === 3 && value.dims[0] === batch && value.dims[1] === tokens) {
      pooled = pool(data, attentionMask, batch, tokens, Number(value.dims[2]), this.o.pooling);
    } else {
      throw new EmovoxInputError(
        this.o.output,
        `output shape [${value.dims.join(', ')}] is neither [batch, hidden] nor [batch, ${tokens}, hidden]`,
      );
    }
    if (this.o.l2Normalize) {
      const dim = pooled.length / batch;
      for (let b = 0; b < batch; b++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += pooled[b * dim + k] ** 2;
        const n = Math.sqrt(s) || 1;
        for (let k = 0; k < dim; k++) pooled[b * dim + k] /= n;
      }
    }
    return pooled;
  }

  /** Frees the onnxruntime session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Pools token vectors h [batch, tokens, dim] to [batch, dim] over the tokens whose mask is 1:
 * 'cls' takes token 0, 'mean' averages (zeros for an empty row), 'max' takes the maximum.
 */
export function pool(
  h: Float32Array,
  mask: BigInt64Array,
  batch: number,
  tokens: number,
  dim: number,
  pooling: TextPooling,
): Float32Array {
  const out = new Float32Array(batch * dim);
  for (let b = 0; b < batch; b++) {
    const row = out.subarray(b * dim, (b + 1) * dim);
    if (pooling === 'cls') {
      row.set(h.subarray(b * tokens * dim, b * tokens * dim + dim));
      continue;
    }
    const acc = new Float64Array(dim).fill(pooling === 'max' ? -Infinity : 0);
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (mask[b * tokens + t] === 0n) continue;
      count++;
      const base = (b * tokens + t) * dim;
      for (let k = 0; k < dim; k++)
        acc[k] = pooling === 'max' ? Math.max(acc[k], h[base + k]) : acc[k] + h[base + k];
    }
    for (let k = 0; k < dim; k++) row[k] = count === 0 ? 0 : pooling === 'max' ? acc[k] : acc[k] / count;
  }
  return out;
}
