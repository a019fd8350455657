// mlp: feature-vector classifier, Linear + ReLU + Dropout blocks and a Linear head.
import * as L from '../onnx/layers.js';
import { classes, dropout, intList, positiveInt } from './checks.js';
import type { ModelKind } from './kind.js';
import { B, linearPlan, reluStackPlan } from './plan-blocks.js';

/** Feature-vector classifier: Linear + ReLU + Dropout blocks, then a Linear head. */
export interface MlpConfig {
  kind: 'mlp';
  /** Length of the input feature vector. */
  inputDim: number;
  /** Number of output classes. */
  classes: number;
  /** Hidden layer widths (default [256, 128]). */
  hidden?: number[];
  /** Dropout probability after each hidden layer (default 0.3). */
  dropout?: number;
}

/** The `mlp` kind. Input `features` [batch, inputDim]; parameters `hidden.i.*`, `head.*`. */
export const mlpKind: ModelKind<MlpConfig> = {
  kind: 'mlp',
  resolve: (c) => ({
    kind: 'mlp',
    inputDim: positiveInt(c.inputDim, 'inputDim'),
    classes: classes(c),
    hidden: intList(c.hidden ?? [256, 128], 'hidden'),
    dropout: dropout(c),
  }),
  plan(c) {
    const { rows, width } = reluStackPlan('hidden', c.inputDim, c.hidden, c.dropout);
    return [...rows, linearPlan('head', width, c.classes)];
  },
  inputs: (c) => [{ name: 'features', elem: 'float32', shape: [B, c.inputDim] }],
  build(c, model, nn) {
    const hidden = nn.reluStack(model, 'hidden', c.inputDim, c.hidden, c.dropout);
    const head = model.layer('head', new nn.Linear(hidden.width, c.classes));
    return (inputs) => head.forward(hidden.forward(model.input(inputs, 'features')));
  },
  onnx: (g, c, w, inputs) =>
    L.linear(g, w, L.reluStack(g, w, inputs.features, 'hidden', c.hidden.length), 'head'),
};
