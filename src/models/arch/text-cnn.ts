// textCnn: word embeddings + parallel n-gram convolutions with max-over-time pooling (Kim, 2014).
import * as L from '../onnx/layers.js';
import { classes, dropout, intList, positiveInt } from './checks.js';
import type { LayerPlan, ModelKind } from './kind.js';
import { B, classifierHeadPlan, convPlan, noParams } from './plan-blocks.js';
import {
  embeddingPlan,
  onnxEmbedding,
  onnxTokenMask,
  resolveTextCommon,
  tokensInput,
  type TextCommonConfig,
} from './text-common.js';

/** Kim-style CNN over token ids. */
export interface TextCnnConfig extends TextCommonConfig {
  kind: 'textCnn';
  classes: number;
  /** Convolution window widths in tokens, one filter bank each (default [3, 4, 5]). */
  widths?: number[];
  /** Filters per width (default 100). */
  filters?: number;
  /** Width of the dense layer before the head (default 128). */
  dense?: number;
  /** Dropout on the pooled features and the dense layer (default 0.5, Kim's). */
  dropout?: number;
}

/**
 * The `textCnn` kind. Input `tokens` int64 [batch, tokens] (0 = padding). Each width w has a
 * Conv1d(embedDim → filters, w) over the embeddings padded with w - 1 zeros on the right, ReLU,
 * and a max over the windows that start at a real token (0 for an all-padding row); the maxima
 * of all widths are concatenated, then Dropout, Dense + ReLU + Dropout and the head. Parameters
 * `embedding.weight` (row 0 zero and frozen by padding_idx), `convs.i.*`, `dense.*`, `head.*`.
 */
export const textCnnKind: ModelKind<TextCnnConfig> = {
  kind: 'textCnn',
  resolve: (c) => ({
    kind: 'textCnn',
    ...resolveTextCommon(c),
    classes: classes(c),
    widths: intList(c.widths ?? [3, 4, 5], 'widths'),
    filters: positiveInt(c.filters ?? 100, 'filters', 8192),
    dense: positiveInt(c.dense ?? 128, 'dense', 65536),
    dropout: dropout({ dropout: c.dropout ?? 0.5 }),
  }),
  plan(c) {
    const rows: LayerPlan[] = [embeddingPlan(c.vocabSize, c.embedDim)];
    c.widths.forEach((w, i) =>
      rows.push(convPlan(`convs.${i}`, c.embedDim, c.filters, [w], [B, c.filters, 'tokens'])),
    );
    const pooled = c.filters * c.widths.length;
    rows.push(noParams('pool', 'ReLU + MaxOverTime + Concat', [B, pooled]));
    return [...rows, ...classifierHeadPlan(pooled, c)];
  },
  inputs: () => [tokensInput()],
  build(c, model, nn) {
    const embedding = model.layer('embedding', new nn.Embedding(c.vocabSize, c.embedDim, 0));
    const convs = model.layer(
      'convs',
      new nn.ModuleList(c.widths.map((w) => new nn.WindowConv1d(c.embedDim, c.filters, w))),
    );
    const head = nn.classifierHead(model, c.filters * c.widths.length, c.dense, c.classes);
    return (inputs) => {
      const tokens = model.input(inputs, 'tokens');
      const mask = tokens.ne(0);
      const x = embedding.forward(tokens).transpose(1, 2);
      let pooled = nn.ops.cat(
        convs.items.map((conv) => nn.maskedMaxOverTime(conv.forward(x).relu(), mask)),
        1,
      );
      if (c.dropout > 0 && model.training) pooled = nn.ops.dropout(pooled, c.dropout, true);
      return head(pooled, c.dropout);
    };
  },
  onnx(g, c, w, inputs) {
    const x = g.node('Transpose', [onnxEmbedding(g, w, inputs.tokens)], { perm: [0, 2, 1] });
    const mask = g.node('Unsqueeze', [
      g.node('Cast', [onnxTokenMask(g, inputs.tokens)], { to: 1 }),
      g.ints('axes', [1]),
    ]);
    const pooled = c.widths.map((width, i) => {
      const conv = g.node('Conv', [x, L.init(g, w, `convs.${i}.weight`), L.init(g, w, `convs.${i}.bias`)], {
        kernel_shape: [width],
        pads: [0, width - 1],
        strides: [1],
      });
      return g.node('ReduceMax', [g.node('Mul', [g.node('Relu', [conv]), mask])], { axes: [2], keepdims: 0 });
    });
    return L.classifierHead(g, w, pooled.length === 1 ? pooled[0] : g.node('Concat', pooled, { axis: 1 }));
  },
};
