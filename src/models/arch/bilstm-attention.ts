// bilstmAttention: BiLSTM over frame features with attention pooling.
import * as L from '../onnx/layers.js';
import { classes, configError, dropout, positiveInt } from './checks.js';
import type { LayerPlan, ModelInput, ModelKind, Resolved } from './kind.js';
import { B, biLstmParams, classifierHeadPlan, linearPlan, noParams } from './plan-blocks.js';

/** Attention pooling used by {@link BilstmAttentionConfig}. */
export type AttentionKind = 'additive' | 'multihead' | 'temporal';

/** BiLSTM over frame features (frames x dims) with attention pooling. */
export interface BilstmAttentionConfig {
  kind: 'bilstmAttention';
  /** Feature dimension of each frame. */
  inputDim: number;
  classes: number;
  /** LSTM hidden size per direction (default 64). */
  hidden?: number;
  /** Stacked BiLSTM layers (default 1). */
  layers?: number;
  /**
   * Pooling: 'additive' (v·tanh(W h + b) scores), 'multihead' (multi-head self-attention over
   * frames, then masked mean pool) or 'temporal' (linear score per frame). Default 'additive'.
   */
  attention?: AttentionKind;
  /** Additive attention width (default 64). */
  attentionDim?: number;
  /** Heads for 'multihead'; must divide 2 * hidden (default 4). */
  heads?: number;
  /** Length of an optional utterance vector (prosody, x-vector) concatenated before the head (default 0). */
  extraDim?: number;
  /** Width of the dense layer before the head (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

/** The `attention` plan row: parameters of the configured pooling over [batch, frames, width]. */
function attentionPlan(c: Resolved<BilstmAttentionConfig>, width: number): LayerPlan {
  if (c.attention === 'additive') {
    const proj = linearPlan('attention.proj', width, c.attentionDim);
    const score = linearPlan('attention.score', c.attentionDim, 1, false);
    return {
      name: 'attention',
      type: `AdditiveAttentionPool(${c.attentionDim})`,
      outputShape: [B, width],
      params: [...proj.params, ...score.params],
    };
  }
  if (c.attention === 'temporal') {
    const score = linearPlan('attention.score', width, 1);
    return {
      name: 'attention',
      type: 'TemporalAttentionPool',
      outputShape: [B, width],
      params: score.params,
    };
  }
  // torch.nn.MultiheadAttention: Xavier-uniform in-projection, zero biases.
  const xavier = Math.sqrt(6 / (width + 3 * width));
  return {
    name: 'attention',
    type: `MHSelfAttention(${c.heads} heads)+MeanPool`,
    outputShape: [B, width],
    params: [
      {
        name: 'attention.in_proj_weight',
        shape: [3 * width, width],
        init: { kind: 'uniform', bound: xavier },
        trainable: true,
      },
      {
        name: 'attention.in_proj_bias',
        shape: [3 * width],
        init: { kind: 'const', value: 0 },
        trainable: true,
      },
      {
        name: 'attention.out_proj.weight',
        shape: [width, width],
        init: { kind: 'uniform', bound: 1 / Math.sqrt(width) },
        trainable: true,
      },
      { name: 'attention.out_proj.bias', shape: [width], init: { kind: 'const', value: 0 }, trainable: true },
    ],
  };
}

/**
 * The `bilstmAttention` kind. Inputs `frames` [batch, frames, inputDim], `lengths` int32 [batch]
 * (engine: optional, default all frames valid), `extra` [batch, extraDim] when configured;
 * parameters `lstm.*` (torch.nn.LSTM names), `attention.*`, `dense.*`, `head.*`.
 */
export const bilstmAttentionKind: ModelKind<BilstmAttentionConfig> = {
  kind: 'bilstmAttention',
  resolve(c) {
    const attention = c.attention ?? 'additive';
    if (attention !== 'additive' && attention !== 'multihead' && attention !== 'temporal') {
      configError(`attention must be additive, multihead or temporal, got ${String(attention)}`);
    }
    const r: Resolved<BilstmAttentionConfig> = {
      kind: 'bilstmAttention',
      inputDim: positiveInt(c.inputDim, 'inputDim'),
      classes: classes(c),
      hidden: positiveInt(c.hidden ?? 64, 'hidden', 4096),
      layers: positiveInt(c.layers ?? 1, 'layers', 8),
      attention,
      attentionDim: positiveInt(c.attentionDim ?? 64, 'attentionDim', 4096),
      heads: positiveInt(c.heads ?? 4, 'heads', 64),
      extraDim: c.extraDim === undefined || c.extraDim === 0 ? 0 : positiveInt(c.extraDim, 'extraDim'),
      dense: positiveInt(c.dense ?? 64, 'dense', 65536),
      dropout: dropout(c),
    };
    if (attention === 'multihead' && (2 * r.hidden) % r.heads !== 0) {
      configError(`heads (${r.heads}) must divide 2 * hidden (${2 * r.hidden})`);
    }
    return r;
  },
  plan(c) {
    const width = 2 * c.hidden;
    const rows: LayerPlan[] = [
      {
        name: 'lstm',
        type: `BiLSTM(${c.inputDim}→${c.hidden}x2, layers=${c.layers})`,
        outputShape: [B, 'frames', width],
        params: biLstmParams('lstm', c.inputDim, c.hidden, c.layers),
      },
      attentionPlan(c, width),
    ];
    const fused = width + c.extraDim;
    if (c.extraDim > 0) rows.push(noParams('concat', `Concat(extra ${c.extraDim})`, [B, fused]));
    return [...rows, ...classifierHeadPlan(fused, c)];
  },
  inputs(c) {
    const inputs: ModelInput[] = [
      { name: 'frames', elem: 'float32', shape: [B, 'frames', c.inputDim] },
      { name: 'lengths', elem: 'int32', shape: [B] },
    ];
    if (c.extraDim > 0) inputs.push({ name: 'extra', elem: 'float32', shape: [B, c.extraDim] });
    return inputs;
  },
  build(c, model, nn) {
    const width = 2 * c.hidden;
    const lstm = model.layer(
      'lstm',
      new nn.LSTM(c.inputDim, c.hidden, { layers: c.layers, bidirectional: true }),
    );
    const attention = model.layer(
      'attention',
      c.attention === 'additive'
        ? new nn.AdditiveAttentionPool(width, c.attentionDim)
        : c.attention === 'temporal'
          ? new nn.TemporalAttentionPool(width)
          : new nn.MultiHeadAttention(width, c.heads),
    );
    const head = nn.classifierHead(model, width + c.extraDim, c.dense, c.classes);
    return (inputs) => {
      const x = model.input(inputs, 'frames');
      const [batch, frames] = x.shape;
      const lengths = inputs.lengths ?? nn.ops.full([batch], frames, { dtype: 'int32' });
      const h = lstm.forward(x, lengths);
      const mask = nn.lengthMask(lengths, frames);
      const pooled =
        attention instanceof nn.MultiHeadAttention
          ? nn.maskedMean(attention.forward(h, mask), mask)
          : attention.forward(h, mask);
      const fused = c.extraDim > 0 ? nn.ops.cat([pooled, model.input(inputs, 'extra')], 1) : pooled;
      return head(fused, c.dropout);
    };
  },
  onnx(g, c, w, inputs) {
    const seq = L.biLstm(g, w, inputs.frames, inputs.lengths, c.layers, c.hidden);
    const mask = L.lengthMask(g, inputs.frames, inputs.lengths);
    let pooled: string;
    if (c.attention === 'additive') pooled = L.additivePool(g, w, seq, mask);
    else if (c.attention === 'temporal') pooled = L.temporalPool(g, w, seq, mask);
    else pooled = L.maskedMean(g, L.multiHeadSelfAttention(g, w, seq, mask, c.heads), mask);
    if (c.extraDim > 0) pooled = g.node('Concat', [pooled, inputs.extra], { axis: 1 });
    return L.classifierHead(g, w, pooled);
  },
};
