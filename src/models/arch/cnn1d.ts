// cnn1d: the classic 1-D CNN over a feature vector treated as a one-channel signal.
import * as L from '../onnx/layers.js';
import { classes, configError, dropout, intList, positiveInt, requirePoolable } from './checks.js';
import type { ModelKind, Resolved } from './kind.js';
import { B, classifierHeadPlan, conv1dBranchPlan } from './plan-blocks.js';

/** Classic 1-D CNN over a feature vector treated as a one-channel signal. */
export interface Cnn1dConfig {
  kind: 'cnn1d';
  /** Length of the input feature vector (default 180). */
  inputDim: number;
  classes: number;
  /** Output channels of each Conv1d + BN + ReLU + MaxPool + Dropout block (default [128, 64]). */
  channels?: number[];
  /** Convolution kernel size, odd, "same" padding (default 5). */
  kernel?: number;
  /** Max-pool size and stride (default 2). */
  pool?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
  /** Width of the dense layer before the head (default 64). */
  dense?: number;
}

/**
 * The `cnn1d` kind. Input `features` [batch, inputDim]; parameters `convs.i.*`, `bns.i.*`,
 * `dense.*`, `head.*`. Dropout follows each conv block; the dense layer has none.
 */
export const cnn1dKind: ModelKind<Cnn1dConfig> = {
  kind: 'cnn1d',
  resolve(c) {
    const r: Resolved<Cnn1dConfig> = {
      kind: 'cnn1d',
      inputDim: positiveInt(c.inputDim ?? 180, 'inputDim'),
      classes: classes(c),
      channels: intList(c.channels ?? [128, 64], 'channels'),
      kernel: positiveInt(c.kernel ?? 5, 'kernel', 63),
      pool: positiveInt(c.pool ?? 2, 'pool', 16),
      dropout: dropout(c),
      dense: positiveInt(c.dense ?? 64, 'dense', 65536),
    };
    if (r.kernel % 2 === 0) configError('kernel must be odd ("same" padding)');
    requirePoolable(r.inputDim, r.channels.length, r.pool, 'inputDim');
    return r;
  },
  plan(c) {
    const rows = conv1dBranchPlan('', c.inputDim, c.channels, c.kernel, c.pool, c.dropout);
    return [...rows, ...classifierHeadPlan(c.channels[c.channels.length - 1], { ...c, dropout: 0 })];
  },
  inputs: (c) => [{ name: 'features', elem: 'float32', shape: [B, c.inputDim] }],
  build(c, model, nn) {
    // The branch stays unregistered so its lists keep the flat names `convs.i` / `bns.i`.
    const branch = new nn.ConvBranch(1, 1, c.channels, c.kernel, c.pool, c.dropout);
    model.layer('convs', branch.convs);
    model.layer('bns', branch.bns);
    const head = nn.classifierHead(model, c.channels[c.channels.length - 1], c.dense, c.classes);
    return (inputs) => head(branch.run(model.input(inputs, 'features').unsqueeze(1), model.training), 0);
  },
  onnx: (g, c, w, inputs, o) =>
    L.classifierHead(
      g,
      w,
      L.conv1dBranch(g, w, inputs.features, '', c.channels.length, c.pool, o.foldBatchNorm),
    ),
};
