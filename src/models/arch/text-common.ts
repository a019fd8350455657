// Shared parts of the text kinds (textCnn, textBilstm, textTransformer): the token input, the
// embedding row of the plan, its ONNX lookup, and the padding masks. Engine-free.
import type { OnnxGraphBuilder } from '../onnx/graph.js';
import * as L from '../onnx/layers.js';
import type { WeightMap } from '../weights.js';
import { positiveInt } from './checks.js';
import type { LayerPlan, ModelInput } from './kind.js';
import { B } from './plan-blocks.js';

/** Fields every text kind has. */
export interface TextCommonConfig {
  /** Vocabulary size (ids 0..vocabSize-1; id 0 is padding, e.g. a `WordVocabulary`'s `size`). */
  vocabSize: number;
  /** Embedding width (default 128). */
  embedDim?: number;
}

/** Resolves `vocabSize` and `embedDim` (default 128). */
export function resolveTextCommon(
  c: Record<string, unknown>,
  embedDefault = 128,
): { vocabSize: number; embedDim: number } {
  return {
    vocabSize: positiveInt(c.vocabSize, 'vocabSize', 1 << 22),
    embedDim: positiveInt(c.embedDim ?? embedDefault, 'embedDim', 4096),
  };
}

/** The `tokens` input: int64 [batch, tokens], 0 = padding (right-padded rows). */
export function tokensInput(): ModelInput {
  return { name: 'tokens', elem: 'int64', shape: [B, 'tokens'] };
}

/** torch.nn.Embedding(vocabSize, embedDim, padding_idx=0) as plan row `embedding`. */
export function embeddingPlan(vocabSize: number, embedDim: number): LayerPlan {
  return {
    name: 'embedding',
    type: `Embedding(${vocabSize}, ${embedDim}, pad=0)`,
    outputShape: [B, 'tokens', embedDim],
    params: [
      {
        name: 'embedding.weight',
        shape: [vocabSize, embedDim],
        init: { kind: 'normal', std: 1, zeroRow: 0 },
        trainable: true,
      },
    ],
  };
}

/** ONNX: embedding rows of `tokens` [B, T] → [B, T, embedDim]. */
export function onnxEmbedding(g: OnnxGraphBuilder, w: WeightMap, tokens: string): string {
  return g.node('Gather', [L.init(g, w, 'embedding.weight'), tokens], { axis: 0 });
}

/** ONNX: bool [B, T], true for real tokens (id ≠ 0). */
export function onnxTokenMask(g: OnnxGraphBuilder, tokens: string): string {
  return g.node('Not', [g.node('Equal', [tokens, g.int64Tensor('pad_id', [], [0])])]);
}

/**
 * ONNX: int32 [B] real-token counts of right-padded rows, at least 1 (an all-padding row is read
 * as one padding token, as the engine and the PyTorch twin do).
 */
export function onnxTokenLengths(g: OnnxGraphBuilder, tokens: string): string {
  const counts = g.node(
    'ReduceSum',
    [g.node('Cast', [onnxTokenMask(g, tokens)], { to: 7 }), g.ints('axes', [1])],
    {
      keepdims: 0,
    },
  );
  const atLeastOne = g.node('Max', [counts, g.int64Tensor('one_i64', [], [1])]);
  return g.node('Cast', [atLeastOne], { to: 6 });
}

/**
 * Sinusoidal position table [maxLength, dim] of "Attention is all you need": even columns
 * sin(pos / 10000^(2i/dim)), odd columns cos of the same angle.
 */
export function sinusoidalTable(maxLength: number, dim: number): Float32Array {
  const out = new Float32Array(maxLength * dim);
  for (let pos = 0; pos < maxLength; pos++) {
    for (let i = 0; i < dim; i += 2) {
      const angle = pos / Math.pow(10000, i / dim);
      out[pos * dim + i] = Math.sin(angle);
      if (i + 1 < dim) out[pos * dim + i + 1] = Math.cos(angle);
    }
  }
  return out;
}
