// textTransformer: a small Transformer encoder over token ids, trained from scratch.
import * as L from '../onnx/layers.js';
import { EmovoxInputError } from '../../util/errors.js';
import { classes, configError, dropout, positiveInt } from './checks.js';
import type { LayerPlan, ModelKind, ParamSpec } from './kind.js';
import { B, classifierHeadPlan, linearPlan, noParams } from './plan-blocks.js';
import {
  embeddingPlan,
  onnxEmbedding,
  onnxTokenMask,
  resolveTextCommon,
  sinusoidalTable,
  tokensInput,
  type TextCommonConfig,
} from './text-common.js';

/** A Transformer encoder over token ids. */
export interface TextTransformerConfig extends TextCommonConfig {
  kind: 'textTransformer';
  classes: number;
  /** Encoder layers (default 2). */
  layers?: number;
  /** Attention heads; must divide embedDim (default 4). */
  heads?: number;
  /** Feed-forward width (default 4 * embedDim). */
  ff?: number;
  /** Feed-forward activation (default 'gelu'). */
  activation?: 'relu' | 'gelu';
  /** 'pre': LayerNorm before each block and a final LayerNorm (default, trains stably); 'post': after each residual (the original). */
  norm?: 'pre' | 'post';
  /** 'sinusoidal' fixed table (default) or 'learned' embeddings (`positions.weight`). */
  positions?: 'sinusoidal' | 'learned';
  /** Most tokens per row (default 256); longer rows are rejected. */
  maxLength?: number;
  /** 'mean' over real tokens (default) or 'cls': the first token (start rows with `CLS_ID`). */
  pooling?: 'mean' | 'cls';
  /** Width of the dense layer before the head (default 128). */
  dense?: number;
  /** Dropout in the encoder layers, on the pooled vector and the dense layer (default 0.1). */
  dropout?: number;
}

function enumOf<T extends string>(value: unknown, fallback: T, allowed: readonly T[], field: string): T {
  const v = (value ?? fallback) as T;
  if (!allowed.includes(v)) configError(`${field} must be ${allowed.join(' or ')}, got ${String(value)}`);
  return v;
}

/** Parameters of torch.nn.TransformerEncoderLayer under `prefix`, in state_dict order. */
function encoderLayerParams(prefix: string, dim: number, ff: number): ParamSpec[] {
  const zero = { kind: 'const', value: 0 } as const;
  const one = { kind: 'const', value: 1 } as const;
  return [
    {
      name: `${prefix}.self_attn.in_proj_weight`,
      shape: [3 * dim, dim],
      init: { kind: 'uniform', bound: Math.sqrt(6 / (dim + 3 * dim)) },
      trainable: true,
    },
    { name: `${prefix}.self_attn.in_proj_bias`, shape: [3 * dim], init: zero, trainable: true },
    {
      name: `${prefix}.self_attn.out_proj.weight`,
      shape: [dim, dim],
      init: { kind: 'uniform', bound: 1 / Math.sqrt(dim) },
      trainable: true,
    },
    { name: `${prefix}.self_attn.out_proj.bias`, shape: [dim], init: zero, trainable: true },
    ...linearPlan(`${prefix}.linear1`, dim, ff).params,
    ...linearPlan(`${prefix}.linear2`, ff, dim).params,
    { name: `${prefix}.norm1.weight`, shape: [dim], init: one, trainable: true },
    { name: `${prefix}.norm1.bias`, shape: [dim], init: zero, trainable: true },
    { name: `${prefix}.norm2.weight`, shape: [dim], init: one, trainable: true },
    { name: `${prefix}.norm2.bias`, shape: [dim], init: zero, trainable: true },
  ];
}

/**
 * The `textTransformer` kind. Input `tokens` int64 [batch, tokens ≤ maxLength], 0 = padding.
 * Token embedding + position (sinusoidal table or learned `positions.weight`), `layers`
 * torch.nn.TransformerEncoderLayer blocks (batch_first; padded tokens masked as keys), a final
 * LayerNorm `norm` for pre-LN, pooling (mean over real tokens or the first token), Dense + ReLU
 * and the head. Parameters `embedding.weight`, `positions.weight` (learned), `layers.i.*`
 * (torch names), `norm.*` (pre-LN), `dense.*`, `head.*`.
 */
export const textTransformerKind: ModelKind<TextTransformerConfig> = {
  kind: 'textTransformer',
  resolve(c) {
    const common = resolveTextCommon(c);
    const heads = positiveInt(c.heads ?? 4, 'heads', 64);
    if (common.embedDim % heads !== 0)
      configError(`heads (${heads}) must divide embedDim (${common.embedDim})`);
    return {
      kind: 'textTransformer',
      ...common,
      classes: classes(c),
      layers: positiveInt(c.layers ?? 2, 'layers', 24),
      heads,
      ff: positiveInt(c.ff ?? 4 * common.embedDim, 'ff', 65536),
      activation: enumOf(c.activation, 'gelu', ['relu', 'gelu'], 'activation'),
      norm: enumOf(c.norm, 'pre', ['pre', 'post'], 'norm'),
      positions: enumOf(c.positions, 'sinusoidal', ['sinusoidal', 'learned'], 'positions'),
      maxLength: positiveInt(c.maxLength ?? 256, 'maxLength', 8192),
      pooling: enumOf(c.pooling, 'mean', ['mean', 'cls'], 'pooling'),
      dense: positiveInt(c.dense ?? 128, 'dense', 65536),
      dropout: dropout({ dropout: c.dropout ?? 0.1 }),
    };
  },
  plan(c) {
    const d = c.embedDim;
    const rows: LayerPlan[] = [embeddingPlan(c.vocabSize, d)];
    if (c.positions === 'learned') {
      rows.push({
        name: 'positions',
        type: `Embedding(${c.maxLength}, ${d})`,
        outputShape: [B, 'tokens', d],
        params: [
          {
            name: 'positions.weight',
            shape: [c.maxLength, d],
            init: { kind: 'normal', std: 1 },
            trainable: true,
          },
        ],
      });
    } else {
      rows.push(noParams('positions', `Sinusoidal(${c.maxLength}, ${d})`, [B, 'tokens', d]));
    }
    for (let i = 0; i < c.layers; i++) {
      rows.push({
        name: `layers.${i}`,
        type: `TransformerEncoderLayer(${d}, ${c.heads} heads, ff=${c.ff}, ${c.activation}, ${c.norm}-LN)`,
        outputShape: [B, 'tokens', d],
        params: encoderLayerParams(`layers.${i}`, d, c.ff),
      });
    }
    if (c.norm === 'pre') {
      rows.push({
        name: 'norm',
        type: `LayerNorm(${d})`,
        outputShape: [B, 'tokens', d],
        params: [
          { name: 'norm.weight', shape: [d], init: { kind: 'const', value: 1 }, trainable: true },
          { name: 'norm.bias', shape: [d], init: { kind: 'const', value: 0 }, trainable: true },
        ],
      });
    }
    rows.push(noParams('pool', c.pooling === 'mean' ? 'MaskedMeanPool' : 'FirstToken', [B, d]));
    return [...rows, ...classifierHeadPlan(d, c)];
  },
  inputs: () => [tokensInput()],
  build(c, model, nn) {
    const d = c.embedDim;
    const embedding = model.layer('embedding', new nn.Embedding(c.vocabSize, d, 0));
    const positions =
      c.positions === 'learned' ? model.layer('positions', new nn.Embedding(c.maxLength, d, -1)) : null;
    const table = c.positions === 'sinusoidal' ? sinusoidalTable(c.maxLength, d) : null;
    const layers = model.layer(
      'layers',
      new nn.ModuleList(
        Array.from(
          { length: c.layers },
          () =>
            new nn.TransformerEncoderLayer(d, {
              heads: c.heads,
              ff: c.ff,
              dropout: c.dropout,
              activation: c.activation,
              normFirst: c.norm === 'pre',
            }),
        ),
      ),
    );
    const norm = c.norm === 'pre' ? model.layer('norm', new nn.LayerNorm(d)) : null;
    const head = nn.classifierHead(model, d, c.dense, c.classes);
    return (inputs) => {
      const tokens = model.input(inputs, 'tokens');
      const length = tokens.shape[1];
      if (length > c.maxLength)
        throw new EmovoxInputError(
          'textTransformer model',
          `${length} tokens exceed maxLength ${c.maxLength}`,
        );
      const mask = tokens.ne(0);
      const pos = positions
        ? positions.weight.slice(0, 0, length)
        : nn.ops.tensor(table!.subarray(0, length * d), { shape: [length, d] });
      let x = embedding.forward(tokens).add(pos);
      if (c.dropout > 0 && model.training) x = nn.ops.dropout(x, c.dropout, true);
      for (const layer of layers.items) x = layer.forward(x, mask);
      if (norm) x = norm.forward(x);
      let pooled = c.pooling === 'cls' ? x.slice(1, 0, 1).squeeze(1) : nn.maskedMean(x, mask);
      if (c.dropout > 0 && model.training) pooled = nn.ops.dropout(pooled, c.dropout, true);
      return head(pooled, c.dropout);
    };
  },
  onnx(g, c, w, inputs) {
    const d = c.embedDim;
    const mask = onnxTokenMask(g, inputs.tokens);
    const length = g.node('Shape', [inputs.tokens], { start: 1, end: 2 });
    const table =
      c.positions === 'learned'
        ? L.init(g, w, 'positions.weight')
        : g.floatTensor('positions.sinusoidal', [c.maxLength, d], sinusoidalTable(c.maxLength, d));
    const pos = g.node('Slice', [table, g.ints('start', [0]), length, g.ints('axis', [0])]);
    let x = g.node('Add', [onnxEmbedding(g, w, inputs.tokens), pos]);
    for (let i = 0; i < c.layers; i++) {
      const p = `layers.${i}`;
      const attend = (h: string) => L.multiHeadSelfAttention(g, w, h, mask, c.heads, `${p}.self_attn`);
      const feedForward = (h: string) => {
        const hidden = L.linearNd(g, w, h, `${p}.linear1`);
        const act = c.activation === 'gelu' ? L.gelu(g, hidden) : g.node('Relu', [hidden]);
        return L.linearNd(g, w, act, `${p}.linear2`);
      };
      if (c.norm === 'pre') {
        const h = g.node('Add', [x, attend(L.layerNorm(g, w, x, `${p}.norm1`))]);
        x = g.node('Add', [h, feedForward(L.layerNorm(g, w, h, `${p}.norm2`))]);
      } else {
        const h = L.layerNorm(g, w, g.node('Add', [x, attend(x)]), `${p}.norm1`);
        x = L.layerNorm(g, w, g.node('Add', [h, feedForward(h)]), `${p}.norm2`);
      }
    }
    if (c.norm === 'pre') x = L.layerNorm(g, w, x, 'norm');
    const pooled =
      c.pooling === 'cls'
        ? g.node('Gather', [x, g.int64Tensor('first', [], [0])], { axis: 1 })
        : L.maskedMean(g, x, mask);
    return L.classifierHead(g, w, pooled);
  },
};
