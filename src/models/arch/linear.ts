// linear: multinomial logistic regression on a feature vector, the classical baseline.
import * as L from '../onnx/layers.js';
import { classes, positiveInt } from './checks.js';
import type { ModelKind } from './kind.js';
import { B, linearPlan } from './plan-blocks.js';

/** Multinomial logistic regression: one Linear layer from the feature vector to the class logits. */
export interface LinearConfig {
  kind: 'linear';
  /** Length of the input feature vector. */
  inputDim: number;
  /** Number of output classes. */
  classes: number;
}

/**
 * The `linear` kind: logits = x Wᵀ + b (softmax of them in the exported `probabilities`). Input
 * `features` [batch, inputDim]; parameters `head.weight` [classes, inputDim], `head.bias`.
 */
export const linearKind: ModelKind<LinearConfig> = {
  kind: 'linear',
  resolve: (c) => ({ kind: 'linear', inputDim: positiveInt(c.inputDim, 'inputDim'), classes: classes(c) }),
  plan: (c) => [linearPlan('head', c.inputDim, c.classes)],
  inputs: (c) => [{ name: 'features', elem: 'float32', shape: [B, c.inputDim] }],
  build(c, model, nn) {
    const head = model.layer('head', new nn.Linear(c.inputDim, c.classes));
    return (inputs) => head.forward(model.input(inputs, 'features'));
  },
  onnx: (g, _c, w, inputs) => L.linear(g, w, inputs.features, 'head'),
};
