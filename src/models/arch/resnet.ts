// resnet: torchvision's ResNet-18/34/50 over spectrogram images, with torchvision's state_dict
// names so that torchvision weights load for transfer learning.
import * as L from '../onnx/layers.js';
import { classes, configError, positiveInt, shape3 } from './checks.js';
import {
  applyFreeze,
  bn2dPlan,
  checkFreeze,
  conv2dPlan,
  convOut,
  freezeField,
  kaimingFanOut,
  pretrainedField,
  rate,
} from './image-blocks.js';
import type { LayerPlan, ModelKind, Resolved } from './kind.js';
import { B, linearPlan, noParams } from './plan-blocks.js';
import type { Tensor } from '../../engine/index.js';
import type { BatchNorm, Conv2d } from '../layers/basic.js';

/** ResNet (He et al. 2016) as torchvision builds it, over spectrogram images. */
export interface ResnetConfig {
  kind: 'resnet';
  /** Input image shape [channels, height, width] (default [1, 128, 128]). */
  inputShape?: [number, number, number];
  classes: number;
  /** 18 or 34 (basic blocks) or 50 (bottleneck blocks); default 18. */
  depth?: 18 | 34 | 50;
  /** Channels of the stem and the first stage, doubled per stage (default 64, torchvision's). */
  width?: number;
  /** Dropout before the `fc` layer (default 0: torchvision has none). */
  dropout?: number;
  /** torchvision-format weights (safetensors) to start from, or null (default); see docs/models.md. */
  pretrained?: string | null;
  /** Parameter-name patterns kept fixed in training, e.g. `['conv1.*', 'bn1.*', 'layer1.*']` (default []). */
  freeze?: string[];
}

const STAGES: Record<number, number[]> = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3] };

/** One residual block of the layout. */
export interface ResBlock {
  /** state_dict prefix, e.g. `layer2.0`. */
  name: string;
  inCh: number;
  /** Width of the 3x3 convolution. */
  planes: number;
  outCh: number;
  stride: number;
  /** 1x1 convolution + BatchNorm on the shortcut (`downsample.0`, `downsample.1`). */
  downsample: boolean;
  bottleneck: boolean;
}

/** The residual blocks of a ResNet configuration, in forward order. */
export function resnetBlocks(c: Resolved<ResnetConfig>): ResBlock[] {
  const bottleneck = c.depth === 50;
  const expansion = bottleneck ? 4 : 1;
  const blocks: ResBlock[] = [];
  let inCh = c.width;
  STAGES[c.depth].forEach((count, s) => {
    const planes = c.width * 2 ** s;
    for (let b = 0; b < count; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const outCh = planes * expansion;
      blocks.push({
        name: `layer${s + 1}.${b}`,
        inCh,
        planes,
        outCh,
        stride,
        downsample: b === 0 && (stride !== 1 || inCh !== outCh),
        bottleneck,
      });
      inCh = outCh;
    }
  });
  return blocks;
}

/** Width of the pooled feature vector that feeds `fc`. */
export function resnetFeatures(c: Resolved<ResnetConfig>): number {
  return c.width * 8 * (c.depth === 50 ? 4 : 1);
}

function plan(c: Resolved<ResnetConfig>): LayerPlan[] {
  const conv = (name: string, i: number, o: number, k: number, h: number, w: number, stride = 1) =>
    conv2dPlan(name, i, o, k, h, w, { stride, bias: false, init: kaimingFanOut(o, k) });
  const rows: LayerPlan[] = [];
  let [, h, w] = c.inputShape;
  const stem = conv('conv1', c.inputShape[0], c.width, 7, h, w, 2);
  rows.push(stem.row, bn2dPlan('bn1', c.width, stem.h, stem.w));
  h = convOut(stem.h, 3, 2, 1);
  w = convOut(stem.w, 3, 2, 1);
  rows.push(noParams('maxpool', 'ReLU + MaxPool2d(3, s=2, p=1)', [B, c.width, h, w]));
  for (const b of resnetBlocks(c)) {
    const hIn = h;
    const wIn = w;
    if (b.bottleneck) {
      const c1 = conv(`${b.name}.conv1`, b.inCh, b.planes, 1, h, w);
      const c2 = conv(`${b.name}.conv2`, b.planes, b.planes, 3, h, w, b.stride);
      const c3 = conv(`${b.name}.conv3`, b.planes, b.outCh, 1, c2.h, c2.w);
      rows.push(c1.row, bn2dPlan(`${b.name}.bn1`, b.planes, h, w));
      rows.push(c2.row, bn2dPlan(`${b.name}.bn2`, b.planes, c2.h, c2.w));
      rows.push(c3.row, bn2dPlan(`${b.name}.bn3`, b.outCh, c3.h, c3.w));
      h = c3.h;
      w = c3.w;
    } else {
      const c1 = conv(`${b.name}.conv1`, b.inCh, b.planes, 3, h, w, b.stride);
      const c2 = conv(`${b.name}.conv2`, b.planes, b.outCh, 3, c1.h, c1.w);
      rows.push(c1.row, bn2dPlan(`${b.name}.bn1`, b.planes, c1.h, c1.w));
      rows.push(c2.row, bn2dPlan(`${b.name}.bn2`, b.outCh, c2.h, c2.w));
      h = c2.h;
      w = c2.w;
    }
    if (b.downsample) {
      const d = conv(`${b.name}.downsample.0`, b.inCh, b.outCh, 1, hIn, wIn, b.stride);
      rows.push(d.row, bn2dPlan(`${b.name}.downsample.1`, b.outCh, d.h, d.w));
    }
    rows.push(noParams(`${b.name}.add`, 'Add + ReLU', [B, b.outCh, h, w]));
  }
  const features = resnetFeatures(c);
  rows.push(
    noParams('avgpool', c.dropout > 0 ? `GlobalAvgPool2d + Dropout(${c.dropout})` : 'GlobalAvgPool2d', [
      B,
      features,
    ]),
  );
  rows.push(linearPlan('fc', features, c.classes));
  return rows;
}

/**
 * The `resnet` kind: torchvision's ResNet (`conv1`, `bn1`, `layer1`..`layer4`, `fc`; basic blocks
 * for depth 18/34, bottlenecks for 50) over `spectrogram` [batch, c, h, w]. Initialisation as
 * torchvision (convolutions N(0, 2/fan_out), BatchNorm 1/0, `fc` PyTorch's default).
 */
export const resnetKind: ModelKind<ResnetConfig> = {
  kind: 'resnet',
  resolve(raw) {
    const depth = raw.depth ?? 18;
    if (depth !== 18 && depth !== 34 && depth !== 50)
      configError(`depth must be 18, 34 or 50, got ${JSON.stringify(depth)}`);
    const c: Resolved<ResnetConfig> = {
      kind: 'resnet',
      inputShape: shape3(raw.inputShape ?? [1, 128, 128], 'inputShape'),
      classes: classes(raw),
      depth,
      width: positiveInt(raw.width ?? 64, 'width', 1024),
      dropout: rate(raw, 'dropout', 0),
      pretrained: pretrainedField(raw),
      freeze: freezeField(raw),
    };
    checkFreeze(c.freeze, plan(c));
    return c;
  },
  plan: (c) => applyFreeze(plan(c), c.freeze),
  inputs: (c) => [{ name: 'spectrogram', elem: 'float32', shape: [B, ...c.inputShape] }],
  build(c, model, nn) {
    const tree = new nn.ModuleTree(model);
    const conv = (name: string, i: number, o: number, k: number, stride = 1) =>
      tree.place(
        name,
        nn.initLayer(
          new nn.Conv2d(i, o, k, { stride, padding: (k - 1) >> 1, bias: false }),
          kaimingFanOut(o, k),
        ),
      );
    const bn = (name: string, ch: number) => tree.place(name, new nn.BatchNorm(ch));
    const cb = (x: Tensor, cv: Conv2d, norm: BatchNorm) => norm.forward(cv.forward(x));
    const conv1 = conv('conv1', c.inputShape[0], c.width, 7, 2);
    const bn1 = bn('bn1', c.width);
    const blocks = resnetBlocks(c).map((b) => {
      const convs: Conv2d[] = [];
      const norms: BatchNorm[] = [];
      if (b.bottleneck) {
        convs.push(conv(`${b.name}.conv1`, b.inCh, b.planes, 1));
        norms.push(bn(`${b.name}.bn1`, b.planes));
        convs.push(conv(`${b.name}.conv2`, b.planes, b.planes, 3, b.stride));
        norms.push(bn(`${b.name}.bn2`, b.planes));
        convs.push(conv(`${b.name}.conv3`, b.planes, b.outCh, 1));
        norms.push(bn(`${b.name}.bn3`, b.outCh));
      } else {
        convs.push(conv(`${b.name}.conv1`, b.inCh, b.planes, 3, b.stride));
        norms.push(bn(`${b.name}.bn1`, b.planes));
        convs.push(conv(`${b.name}.conv2`, b.planes, b.outCh, 3));
        norms.push(bn(`${b.name}.bn2`, b.outCh));
      }
      const down = b.downsample
        ? {
            conv: conv(`${b.name}.downsample.0`, b.inCh, b.outCh, 1, b.stride),
            bn: bn(`${b.name}.downsample.1`, b.outCh),
          }
        : null;
      return (x: Tensor): Tensor => {
        let y = x;
        convs.forEach((cv, i) => {
          y = cb(y, cv, norms[i]);
          if (i < convs.length - 1) y = y.relu();
        });
        return y.add(down ? cb(x, down.conv, down.bn) : x).relu();
      };
    });
    const fc = tree.place('fc', new nn.Linear(resnetFeatures(c), c.classes));
    return (inputs) => {
      let x = cb(model.input(inputs, 'spectrogram'), conv1, bn1).relu();
      x = nn.ops.maxPool2d(x, 3, { stride: 2, padding: 1 });
      for (const block of blocks) x = block(x);
      let pooled = x.mean([2, 3]);
      if (c.dropout > 0 && model.training) pooled = nn.ops.dropout(pooled, c.dropout, true);
      return fc.forward(pooled);
    };
  },
  onnx(g, c, w, inputs, o) {
    const cb = (x: string, conv: string, bn: string, stride: number, padding: number) =>
      L.convBn(g, w, x, conv, bn, { stride, padding, fold: o.foldBatchNorm });
    let x = g.node('Relu', [cb(inputs.spectrogram, 'conv1', 'bn1', 2, 3)]);
    x = L.maxPool2d(g, x, 3, 2, 1);
    for (const b of resnetBlocks(c)) {
      const n = b.name;
      let y = b.bottleneck
        ? cb(
            g.node('Relu', [
              cb(
                g.node('Relu', [cb(x, `${n}.conv1`, `${n}.bn1`, 1, 0)]),
                `${n}.conv2`,
                `${n}.bn2`,
                b.stride,
                1,
              ),
            ]),
            `${n}.conv3`,
            `${n}.bn3`,
            1,
            0,
          )
        : cb(g.node('Relu', [cb(x, `${n}.conv1`, `${n}.bn1`, b.stride, 1)]), `${n}.conv2`, `${n}.bn2`, 1, 1);
      const shortcut = b.downsample ? cb(x, `${n}.downsample.0`, `${n}.downsample.1`, b.stride, 0) : x;
      y = g.node('Add', [y, shortcut]);
      x = g.node('Relu', [y]);
    }
    return L.linear(g, w, L.globalAvgPool(g, x), 'fc');
  },
};
