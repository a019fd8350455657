// cnn2d: 2-D CNN over spectrogram images.
import * as L from '../onnx/layers.js';
import { classes, dropout, intList, positiveInt, requireImage, shape3 } from './checks.js';
import type { ModelKind, Resolved } from './kind.js';
import { B, classifierHeadPlan, conv2dBranchPlan } from './plan-blocks.js';

/** 2-D CNN over spectrogram images (channels x height x width). */
export interface Cnn2dConfig {
  kind: 'cnn2d';
  /** Input image shape [channels, height, width] (default [1, 128, 128]). */
  inputShape?: [number, number, number];
  classes: number;
  /** Output channels of each Conv2d(3x3) + BN + ReLU + MaxPool(2) block (default [16, 32, 64]). */
  channels?: number[];
  /** Width of the dense layer before the head (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

/**
 * The `cnn2d` kind. Input `spectrogram` [batch, c, h, w]; parameters `convs.i.*`, `bns.i.*`,
 * `dense.*`, `head.*`. Dropout after the dense layer.
 */
export const cnn2dKind: ModelKind<Cnn2dConfig> = {
  kind: 'cnn2d',
  resolve(c) {
    const r: Resolved<Cnn2dConfig> = {
      kind: 'cnn2d',
      inputShape: shape3(c.inputShape ?? [1, 128, 128], 'inputShape'),
      classes: classes(c),
      channels: intList(c.channels ?? [16, 32, 64], 'channels'),
      dense: positiveInt(c.dense ?? 64, 'dense', 65536),
      dropout: dropout(c),
    };
    requireImage(r.inputShape, r.channels.length, 'inputShape');
    return r;
  },
  plan: (c) => [
    ...conv2dBranchPlan('', c.inputShape, c.channels),
    ...classifierHeadPlan(c.channels[c.channels.length - 1], c),
  ],
  inputs: (c) => [{ name: 'spectrogram', elem: 'float32', shape: [B, ...c.inputShape] }],
  build(c, model, nn) {
    // Unregistered branch: flat names `convs.i` / `bns.i`, as in cnn1d.
    const branch = new nn.ConvBranch(2, c.inputShape[0], c.channels, 3, 2, 0);
    model.layer('convs', branch.convs);
    model.layer('bns', branch.bns);
    const head = nn.classifierHead(model, c.channels[c.channels.length - 1], c.dense, c.classes);
    return (inputs) => head(branch.run(model.input(inputs, 'spectrogram'), model.training), c.dropout);
  },
  onnx: (g, c, w, inputs, o) =>
    L.classifierHead(g, w, L.conv2dBranch(g, w, inputs.spectrogram, '', c.channels.length, o.foldBatchNorm)),
};
