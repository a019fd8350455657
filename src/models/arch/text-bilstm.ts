// textBilstm: word embeddings + BiLSTM + additive attention pooling.
import * as L from '../onnx/layers.js';
import { classes, dropout, positiveInt } from './checks.js';
import type { ModelKind } from './kind.js';
import { B, biLstmParams, classifierHeadPlan, linearPlan } from './plan-blocks.js';
import {
  embeddingPlan,
  onnxEmbedding,
  onnxTokenLengths,
  resolveTextCommon,
  tokensInput,
  type TextCommonConfig,
} from './text-common.js';

/** BiLSTM with attention pooling over token ids. */
export interface TextBilstmConfig extends TextCommonConfig {
  kind: 'textBilstm';
  classes: number;
  /** LSTM hidden size per direction (default 128). */
  hidden?: number;
  /** Stacked BiLSTM layers (default 1). */
  layers?: number;
  /** Additive attention width (default 128). */
  attentionDim?: number;
  /** Width of the dense layer before the head (default 128). */
  dense?: number;
  /** Dropout on the embeddings, the pooled vector and the dense layer (default 0.3). */
  dropout?: number;
}

/**
 * The `textBilstm` kind. Input `tokens` int64 [batch, tokens], right-padded with 0: the row's
 * length is its count of non-zero ids (at least 1). Embedding → BiLSTM over each row's length
 * (the reverse direction starts at its last token, as PyTorch's packed sequences) → additive
 * attention α = softmax(v·tanh(W h + b)) over the real tokens → Dense + ReLU → head. Parameters
 * `embedding.weight`, `lstm.*` (torch.nn.LSTM names), `attention.proj.*`, `attention.score.weight`,
 * `dense.*`, `head.*`.
 */
export const textBilstmKind: ModelKind<TextBilstmConfig> = {
  kind: 'textBilstm',
  resolve: (c) => ({
    kind: 'textBilstm',
    ...resolveTextCommon(c),
    classes: classes(c),
    hidden: positiveInt(c.hidden ?? 128, 'hidden', 4096),
    layers: positiveInt(c.layers ?? 1, 'layers', 8),
    attentionDim: positiveInt(c.attentionDim ?? 128, 'attentionDim', 4096),
    dense: positiveInt(c.dense ?? 128, 'dense', 65536),
    dropout: dropout(c),
  }),
  plan(c) {
    const width = 2 * c.hidden;
    const proj = linearPlan('attention.proj', width, c.attentionDim);
    const score = linearPlan('attention.score', c.attentionDim, 1, false);
    return [
      embeddingPlan(c.vocabSize, c.embedDim),
      {
        name: 'lstm',
        type: `BiLSTM(${c.embedDim}→${c.hidden}x2, layers=${c.layers})`,
        outputShape: [B, 'tokens', width],
        params: biLstmParams('lstm', c.embedDim, c.hidden, c.layers),
      },
      {
        name: 'attention',
        type: `AdditiveAttentionPool(${c.attentionDim})`,
        outputShape: [B, width],
        params: [...proj.params, ...score.params],
      },
      ...classifierHeadPlan(width, c),
    ];
  },
  inputs: () => [tokensInput()],
  build(c, model, nn) {
    const width = 2 * c.hidden;
    const embedding = model.layer('embedding', new nn.Embedding(c.vocabSize, c.embedDim, 0));
    const lstm = model.layer(
      'lstm',
      new nn.LSTM(c.embedDim, c.hidden, { layers: c.layers, bidirectional: true }),
    );
    const attention = model.layer('attention', new nn.AdditiveAttentionPool(width, c.attentionDim));
    const head = nn.classifierHead(model, width, c.dense, c.classes);
    const drop = (t: ReturnType<typeof embedding.forward>) =>
      c.dropout > 0 && model.training ? nn.ops.dropout(t, c.dropout, true) : t;
    return (inputs) => {
      const tokens = model.input(inputs, 'tokens');
      const frames = tokens.shape[1];
      const lengths = tokens.ne(0).sum(1).clamp(1).to('int32');
      const h = lstm.forward(drop(embedding.forward(tokens)), lengths);
      return head(drop(attention.forward(h, nn.lengthMask(lengths, frames))), c.dropout);
    };
  },
  onnx(g, c, w, inputs) {
    const lengths = onnxTokenLengths(g, inputs.tokens);
    const x = onnxEmbedding(g, w, inputs.tokens);
    const seq = L.biLstm(g, w, x, lengths, c.layers, c.hidden);
    return L.classifierHead(g, w, L.additivePool(g, w, seq, L.lengthMask(g, x, lengths)));
  },
};
