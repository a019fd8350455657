// hybrid: a 1-D CNN branch on a feature vector and a 2-D CNN branch on a spectrogram, fused.
import * as L from '../onnx/layers.js';
import { classes, dropout, intList, positiveInt, requireImage, requirePoolable, shape3 } from './checks.js';
import type { ModelKind, Resolved } from './kind.js';
import { B, classifierHeadPlan, conv1dBranchPlan, conv2dBranchPlan, noParams } from './plan-blocks.js';

/** 1-D CNN branch on a feature vector + 2-D CNN branch on a spectrogram, fused by an MLP. */
export interface HybridConfig {
  kind: 'hybrid';
  /** Feature vector length. */
  vectorDim: number;
  /** Spectrogram shape [channels, height, width] (default [1, 128, 128]). */
  imageShape?: [number, number, number];
  classes: number;
  /** Conv1d branch channels (default [64, 64]). */
  vectorChannels?: number[];
  /** Conv2d branch channels (default [16, 32, 64]). */
  imageChannels?: number[];
  /** Fusion MLP width (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

const last = (list: number[]): number => list[list.length - 1];

/**
 * The `hybrid` kind. Inputs `features` [batch, vectorDim] and `spectrogram` [batch, c, h, w];
 * parameters `vector.convs.i.*`, `vector.bns.i.*`, `image.convs.i.*`, `image.bns.i.*`, `dense.*`,
 * `head.*`. The vector branch uses kernel 5 and MaxPool 2, no dropout inside the branches.
 */
export const hybridKind: ModelKind<HybridConfig> = {
  kind: 'hybrid',
  resolve(c) {
    const r: Resolved<HybridConfig> = {
      kind: 'hybrid',
      vectorDim: positiveInt(c.vectorDim, 'vectorDim'),
      imageShape: shape3(c.imageShape ?? [1, 128, 128], 'imageShape'),
      classes: classes(c),
      vectorChannels: intList(c.vectorChannels ?? [64, 64], 'vectorChannels'),
      imageChannels: intList(c.imageChannels ?? [16, 32, 64], 'imageChannels'),
      dense: positiveInt(c.dense ?? 64, 'dense', 65536),
      dropout: dropout(c),
    };
    requireImage(r.imageShape, r.imageChannels.length, 'imageShape');
    requirePoolable(r.vectorDim, r.vectorChannels.length, 2, 'vectorDim');
    return r;
  },
  plan(c) {
    const fused = last(c.vectorChannels) + last(c.imageChannels);
    return [
      ...conv1dBranchPlan('vector.', c.vectorDim, c.vectorChannels, 5, 2, 0),
      ...conv2dBranchPlan('image.', c.imageShape, c.imageChannels),
      noParams('concat', 'Concat', [B, fused]),
      ...classifierHeadPlan(fused, c),
    ];
  },
  inputs: (c) => [
    { name: 'features', elem: 'float32', shape: [B, c.vectorDim] },
    { name: 'spectrogram', elem: 'float32', shape: [B, ...c.imageShape] },
  ],
  build(c, model, nn) {
    const vector = model.layer('vector', new nn.ConvBranch(1, 1, c.vectorChannels, 5, 2, 0));
    const image = model.layer('image', new nn.ConvBranch(2, c.imageShape[0], c.imageChannels, 3, 2, 0));
    const head = nn.classifierHead(model, last(c.vectorChannels) + last(c.imageChannels), c.dense, c.classes);
    return (inputs) => {
      const v = vector.run(model.input(inputs, 'features').unsqueeze(1), model.training);
      const s = image.run(model.input(inputs, 'spectrogram'), model.training);
      return head(nn.ops.cat([v, s], 1), c.dropout);
    };
  },
  onnx(g, c, w, inputs, o) {
    const v = L.conv1dBranch(g, w, inputs.features, 'vector.', c.vectorChannels.length, 2, o.foldBatchNorm);
    const s = L.conv2dBranch(g, w, inputs.spectrogram, 'image.', c.imageChannels.length, o.foldBatchNorm);
    return L.classifierHead(g, w, g.node('Concat', [v, s], { axis: 1 }));
  },
};
