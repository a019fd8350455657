// vgg16: torchvision's VGG-16 (configuration D, optionally with BatchNorm) over spectrogram
// images, with torchvision's state_dict names so that torchvision weights load.
import * as L from '../onnx/layers.js';
import { classes, intList, positiveInt, requireImage, shape3, configError } from './checks.js';
import {
  applyFreeze,
  bn2dPlan,
  checkFreeze,
  conv2dPlan,
  freezeField,
  kaimingFanOut,
  pretrainedField,
  rate,
} from './image-blocks.js';
import type { InitSpec, LayerPlan, ModelKind, Resolved } from './kind.js';
import { B, linearPlan, noParams } from './plan-blocks.js';
import type { Tensor } from '../../engine/index.js';

/** VGG-16 (Simonyan & Zisserman 2015) as torchvision builds it (`vgg16`, or `vgg16_bn`). */
export interface Vgg16Config {
  kind: 'vgg16';
  /** Input image shape [channels, height, width] (default [1, 128, 128]; at least 32 x 32). */
  inputShape?: [number, number, number];
  classes: number;
  /** Widths of the five stages of 2, 2, 3, 3, 3 convolutions (default [64, 128, 256, 512, 512]). */
  channels?: number[];
  /** BatchNorm after every convolution, as torchvision's `vgg16_bn` (default false). */
  batchNorm?: boolean;
  /** Width of the two hidden classifier layers (default 4096). */
  hidden?: number;
  /** Side of the adaptive average pool before the classifier (default 7). */
  pool?: number;
  /** Dropout after each hidden classifier layer (default 0.5, torchvision's). */
  dropout?: number;
  /** torchvision-format weights (safetensors) to start from, or null (default); see docs/models.md. */
  pretrained?: string | null;
  /** Parameter-name patterns kept fixed in training, e.g. `['features.*']` (default []). */
  freeze?: string[];
}

const CONVS_PER_STAGE = [2, 2, 3, 3, 3];
const LINEAR_INIT: InitSpec = { kind: 'normal', std: 0.01 };
const ZERO: InitSpec = { kind: 'const', value: 0 };

/** One entry of `features`: a convolution (+ BatchNorm) + ReLU, or a 2x2 max pool. */
export type VggLayer =
  { type: 'conv'; conv: string; bn: string | null; inCh: number; outCh: number } | { type: 'pool' };

/** The `features` layers of a configuration, with their torchvision Sequential indices as names. */
export function vggFeatures(c: Resolved<Vgg16Config>): VggLayer[] {
  const out: VggLayer[] = [];
  let index = 0;
  let inCh = c.inputShape[0];
  c.channels.forEach((outCh, stage) => {
    for (let i = 0; i < CONVS_PER_STAGE[stage]; i++) {
      const conv = `features.${index}`;
      const bn = c.batchNorm ? `features.${index + 1}` : null;
      out.push({ type: 'conv', conv, bn, inCh, outCh });
      index += c.batchNorm ? 3 : 2;
      inCh = outCh;
    }
    out.push({ type: 'pool' });
    index += 1;
  });
  return out;
}

/** Height and width after the five 2x2 max pools (floor at each, which is floor(size / 32)). */
function featureSize(c: Resolved<Vgg16Config>): [number, number] {
  return [Math.floor(c.inputShape[1] / 32), Math.floor(c.inputShape[2] / 32)];
}

function plan(c: Resolved<Vgg16Config>): LayerPlan[] {
  const rows: LayerPlan[] = [];
  let [, h, w] = c.inputShape;
  let ch = c.inputShape[0];
  let pools = 0;
  for (const layer of vggFeatures(c)) {
    if (layer.type === 'pool') {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      rows.push(noParams(`features.pool${pools++}`, 'MaxPool2d(2)', [B, ch, h, w]));
      continue;
    }
    const conv = conv2dPlan(layer.conv, layer.inCh, layer.outCh, 3, h, w, {
      init: kaimingFanOut(layer.outCh, 3),
      biasInit: ZERO,
    });
    rows.push({ ...conv.row, type: `${conv.row.type} + ReLU` });
    if (layer.bn) rows.push(bn2dPlan(layer.bn, layer.outCh, h, w));
    ch = layer.outCh;
  }
  rows.push(noParams('avgpool', `AdaptiveAvgPool2d(${c.pool})`, [B, ch, c.pool, c.pool]));
  const flat = ch * c.pool * c.pool;
  const lin = (name: string, i: number, o: number) => {
    const row = linearPlan(name, i, o);
    return {
      ...row,
      params: row.params.map((p) => ({ ...p, init: p.name.endsWith('bias') ? ZERO : LINEAR_INIT })),
    };
  };
  const act = c.dropout > 0 ? `ReLU + Dropout(${c.dropout})` : 'ReLU';
  rows.push(lin('classifier.0', flat, c.hidden), noParams('classifier.1', act, [B, c.hidden]));
  rows.push(lin('classifier.3', c.hidden, c.hidden), noParams('classifier.4', act, [B, c.hidden]));
  rows.push(lin('classifier.6', c.hidden, c.classes));
  return rows;
}

/**
 * The `vgg16` kind: torchvision's VGG-16 (`features.N` convolutions 3x3 with ReLU, five 2x2 max
 * pools, `avgpool` adaptive to 7x7, `classifier.0/3/6`) over `spectrogram` [batch, c, h, w].
 * Initialisation as torchvision (convolutions N(0, 2/fan_out) with zero bias, linear N(0, 0.01)).
 */
export const vgg16Kind: ModelKind<Vgg16Config> = {
  kind: 'vgg16',
  resolve(raw) {
    const batchNorm = raw.batchNorm ?? false;
    if (typeof batchNorm !== 'boolean') configError('batchNorm must be true or false');
    const c: Resolved<Vgg16Config> = {
      kind: 'vgg16',
      inputShape: shape3(raw.inputShape ?? [1, 128, 128], 'inputShape'),
      classes: classes(raw),
      channels: intList(raw.channels ?? [64, 128, 256, 512, 512], 'channels'),
      batchNorm,
      hidden: positiveInt(raw.hidden ?? 4096, 'hidden', 65536),
      pool: positiveInt(raw.pool ?? 7, 'pool', 64),
      dropout: rate(raw, 'dropout', 0.5),
      pretrained: pretrainedField(raw),
      freeze: freezeField(raw),
    };
    if (c.channels.length !== 5) configError('channels must list the 5 stage widths');
    requireImage(c.inputShape, 5, 'inputShape');
    checkFreeze(c.freeze, plan(c));
    return c;
  },
  plan: (c) => applyFreeze(plan(c), c.freeze),
  inputs: (c) => [{ name: 'spectrogram', elem: 'float32', shape: [B, ...c.inputShape] }],
  build(c, model, nn) {
    const tree = new nn.ModuleTree(model);
    const steps = vggFeatures(c).map((layer) => {
      if (layer.type === 'pool') return (x: Tensor) => nn.ops.maxPool2d(x, 2);
      const conv = tree.place(
        layer.conv,
        nn.initLayer(new nn.Conv2d(layer.inCh, layer.outCh, 3), kaimingFanOut(layer.outCh, 3), ZERO),
      );
      const bn = layer.bn ? tree.place(layer.bn, new nn.BatchNorm(layer.outCh)) : null;
      return (x: Tensor) => {
        const y = conv.forward(x);
        return (bn ? bn.forward(y) : y).relu();
      };
    });
    const last = c.channels[c.channels.length - 1];
    const lin = (name: string, i: number, o: number) =>
      tree.place(name, nn.initLayer(new nn.Linear(i, o), LINEAR_INIT, ZERO));
    const fc0 = lin('classifier.0', last * c.pool * c.pool, c.hidden);
    const fc3 = lin('classifier.3', c.hidden, c.hidden);
    const fc6 = lin('classifier.6', c.hidden, c.classes);
    const drop = (x: Tensor) => (c.dropout > 0 && model.training ? nn.ops.dropout(x, c.dropout, true) : x);
    return (inputs) => {
      let x = model.input(inputs, 'spectrogram');
      for (const step of steps) x = step(x);
      x = nn.ops.adaptiveAvgPool2d(x, c.pool).flatten(1);
      x = drop(fc0.forward(x).relu());
      x = drop(fc3.forward(x).relu());
      return fc6.forward(x);
    };
  },
  onnx(g, c, w, inputs, o) {
    let x = inputs.spectrogram;
    for (const layer of vggFeatures(c)) {
      if (layer.type === 'pool') x = L.maxPool2d(g, x, 2, 2);
      else if (layer.bn)
        x = g.node('Relu', [L.convBn(g, w, x, layer.conv, layer.bn, { padding: 1, fold: o.foldBatchNorm })]);
      else x = g.node('Relu', [L.conv2d(g, w, x, layer.conv, { padding: 1 })]);
    }
    const [h, wd] = featureSize(c);
    if (h !== c.pool || wd !== c.pool) x = L.adaptiveAvgPool2d(g, x, h, wd, c.pool, c.pool);
    x = g.node('Flatten', [x], { axis: 1 });
    x = g.node('Relu', [L.linear(g, w, x, 'classifier.0')]);
    x = g.node('Relu', [L.linear(g, w, x, 'classifier.3')]);
    return L.linear(g, w, x, 'classifier.6');
  },
};
