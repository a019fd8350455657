// efficientnetB0: torchvision's EfficientNet-B0 (MBConv blocks with squeeze-excitation, SiLU,
// stochastic depth) over spectrogram images, with torchvision's state_dict names.
import * as L from '../onnx/layers.js';
import { classes, configError, shape3 } from './checks.js';
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
import type { BatchNorm, Conv2d } from '../layers/basic.js';

/** EfficientNet-B0 (Tan & Le 2019) as torchvision builds it (`efficientnet_b0`). */
export interface EfficientnetB0Config {
  kind: 'efficientnetB0';
  /** Input image shape [channels, height, width] (default [1, 128, 128]). */
  inputShape?: [number, number, number];
  classes: number;
  /** Channel multiplier (default 1.0; torchvision's B1..B7 use 1.0..2.0 with their own input sizes). */
  widthMult?: number;
  /** Block-count multiplier (default 1.0). */
  depthMult?: number;
  /** Dropout before the classifier (default 0.2). */
  dropout?: number;
  /** Stochastic-depth probability of the last block, linear from 0 (default 0.2; identity at inference). */
  stochasticDepth?: number;
  /** BatchNorm ε (default 1e-5 as torchvision's B0; 1e-3 for TensorFlow-ported weights). */
  bnEps?: number;
  /** torchvision-format weights (safetensors) to start from, or null (default); see docs/models.md. */
  pretrained?: string | null;
  /** Parameter-name patterns kept fixed in training, e.g. `['features.0.*', 'features.1.*']` (default []). */
  freeze?: string[];
}

/** expand ratio, kernel, stride, in, out, layers of the seven B0 stages (torchvision's table). */
const STAGES = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
];

/** torchvision's _make_divisible(v, 8): nearest multiple of 8, at least 8, never 10 % below v. */
export function makeDivisible(v: number): number {
  let out = Math.max(8, Math.floor(Math.trunc(v + 4) / 8) * 8);
  if (out < 0.9 * v) out += 8;
  return out;
}

/** One MBConv block of the layout (names under `${name}.block.`). */
export interface MbBlock {
  /** e.g. `features.2.1`. */
  name: string;
  inCh: number;
  outCh: number;
  expanded: number;
  squeeze: number;
  kernel: number;
  stride: number;
  /** 1x1 expansion convolution present (expand ratio > 1). */
  expand: boolean;
  /** Residual connection (stride 1 and equal widths), with stochastic depth in training. */
  residual: boolean;
  /** Stochastic-depth drop probability of this block. */
  dropProb: number;
}

/** Stem and head widths and the MBConv blocks of a configuration. */
export function efficientnetLayout(c: Resolved<EfficientnetB0Config>): {
  stem: number;
  blocks: MbBlock[];
  last: number;
  head: number;
} {
  const stages = STAGES.map(([e, k, s, i, o, n]) => ({
    expand: e,
    kernel: k,
    stride: s,
    inCh: makeDivisible(i * c.widthMult),
    outCh: makeDivisible(o * c.widthMult),
    layers: Math.ceil(n * c.depthMult),
  }));
  const total = stages.reduce((a, s) => a + s.layers, 0);
  const blocks: MbBlock[] = [];
  stages.forEach((s, si) => {
    for (let j = 0; j < s.layers; j++) {
      const inCh = j === 0 ? s.inCh : s.outCh;
      const stride = j === 0 ? s.stride : 1;
      const expanded = makeDivisible(inCh * s.expand);
      blocks.push({
        name: `features.${si + 1}.${j}`,
        inCh,
        outCh: s.outCh,
        expanded,
        squeeze: Math.max(1, Math.floor(inCh / 4)),
        kernel: s.kernel,
        stride,
        expand: expanded !== inCh,
        residual: stride === 1 && inCh === s.outCh,
        dropProb: (c.stochasticDepth * blocks.length) / total,
      });
    }
  });
  const last = stages[stages.length - 1].outCh;
  return { stem: stages[0].inCh, blocks, last, head: 4 * last };
}

/** Module names inside one block: expansion, depthwise, squeeze-excitation and projection. */
function blockParts(b: MbBlock): { expand: string | null; dw: string; se: string; project: string } {
  const p = `${b.name}.block`;
  const o = b.expand ? 1 : 0;
  return {
    expand: b.expand ? `${p}.0` : null,
    dw: `${p}.${o}`,
    se: `${p}.${o + 1}`,
    project: `${p}.${o + 2}`,
  };
}

const ZERO: InitSpec = { kind: 'const', value: 0 };

function plan(c: Resolved<EfficientnetB0Config>): LayerPlan[] {
  const rows: LayerPlan[] = [];
  const layout = efficientnetLayout(c);
  let [, h, w] = c.inputShape;
  const convBn = (name: string, i: number, o: number, k: number, stride = 1, groups = 1, act = 'SiLU') => {
    const conv = conv2dPlan(`${name}.0`, i, o, k, h, w, {
      stride,
      groups,
      bias: false,
      init: kaimingFanOut(o, k),
    });
    h = conv.h;
    w = conv.w;
    rows.push(conv.row, {
      ...bn2dPlan(`${name}.1`, o, h, w),
      type: `BatchNorm2d(${o}, eps=${c.bnEps})${act ? ` + ${act}` : ''}`,
    });
  };
  convBn('features.0', c.inputShape[0], layout.stem, 3, 2);
  for (const b of layout.blocks) {
    const parts = blockParts(b);
    if (parts.expand) convBn(parts.expand, b.inCh, b.expanded, 1);
    convBn(parts.dw, b.expanded, b.expanded, b.kernel, b.stride, b.expanded);
    for (const [fc, i, o] of [
      ['fc1', b.expanded, b.squeeze],
      ['fc2', b.squeeze, b.expanded],
    ] as const) {
      const conv = conv2dPlan(`${parts.se}.${fc}`, i, o, 1, 1, 1, {
        init: kaimingFanOut(o, 1),
        biasInit: ZERO,
      });
      rows.push({ ...conv.row, type: `${conv.row.type} (squeeze-excitation)` });
    }
    convBn(parts.project, b.expanded, b.outCh, 1, 1, 1, '');
    if (b.residual)
      rows.push(
        noParams(
          `${b.name}.add`,
          b.dropProb > 0 ? `StochasticDepth(${+b.dropProb.toFixed(4)}) + Add` : 'Add',
          [B, b.outCh, h, w],
        ),
      );
  }
  convBn(`features.${STAGES.length + 1}`, layout.last, layout.head, 1);
  rows.push(
    noParams('avgpool', c.dropout > 0 ? `GlobalAvgPool2d + Dropout(${c.dropout})` : 'GlobalAvgPool2d', [
      B,
      layout.head,
    ]),
  );
  const head = linearPlan('classifier.1', layout.head, c.classes);
  const bound = 1 / Math.sqrt(c.classes);
  rows.push({
    ...head,
    params: head.params.map((p) => ({
      ...p,
      init: p.name.endsWith('bias') ? ZERO : { kind: 'uniform', bound },
    })),
  });
  return rows;
}

function positiveNumber(raw: Record<string, unknown>, field: string, fallback: number, max: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !(v > 0 && v <= max))
    configError(`${field} must be a number in (0, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The `efficientnetB0` kind: torchvision's EfficientNet (`features.0` stem, `features.1..7` MBConv
 * stages, `features.8` 1x1 head convolution, `classifier.1`) over `spectrogram` [batch, c, h, w].
 * Initialisation as torchvision (convolutions N(0, 2/fan_out), BatchNorm 1/0, classifier
 * U(±1/√classes) with zero bias).
 */
export const efficientnetB0Kind: ModelKind<EfficientnetB0Config> = {
  kind: 'efficientnetB0',
  resolve(raw) {
    const c: Resolved<EfficientnetB0Config> = {
      kind: 'efficientnetB0',
      inputShape: shape3(raw.inputShape ?? [1, 128, 128], 'inputShape'),
      classes: classes(raw),
      widthMult: positiveNumber(raw, 'widthMult', 1, 8),
      depthMult: positiveNumber(raw, 'depthMult', 1, 8),
      dropout: rate(raw, 'dropout', 0.2),
      stochasticDepth: rate(raw, 'stochasticDepth', 0.2),
      bnEps: positiveNumber(raw, 'bnEps', 1e-5, 0.1),
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
    const layout = efficientnetLayout(c);
    type Cba = (x: Tensor) => Tensor;
    const convBn = (
      name: string,
      i: number,
      o: number,
      k: number,
      stride = 1,
      groups = 1,
      act = true,
    ): Cba => {
      const conv: Conv2d = tree.place(
        `${name}.0`,
        nn.initLayer(
          new nn.Conv2d(i, o, k, { stride, groups, bias: false, padding: (k - 1) >> 1 }),
          kaimingFanOut(o, k),
        ),
      );
      const bn: BatchNorm = tree.place(`${name}.1`, new nn.BatchNorm(o, c.bnEps));
      return (x) => {
        const y = bn.forward(conv.forward(x));
        return act ? y.silu() : y;
      };
    };
    const stem = convBn('features.0', c.inputShape[0], layout.stem, 3, 2);
    const blocks = layout.blocks.map((b) => {
      const parts = blockParts(b);
      const expand = parts.expand ? convBn(parts.expand, b.inCh, b.expanded, 1) : null;
      const dw = convBn(parts.dw, b.expanded, b.expanded, b.kernel, b.stride, b.expanded);
      const fc1 = tree.place(
        `${parts.se}.fc1`,
        nn.initLayer(new nn.Conv2d(b.expanded, b.squeeze, 1), kaimingFanOut(b.squeeze, 1), ZERO),
      );
      const fc2 = tree.place(
        `${parts.se}.fc2`,
        nn.initLayer(new nn.Conv2d(b.squeeze, b.expanded, 1), kaimingFanOut(b.expanded, 1), ZERO),
      );
      const project = convBn(parts.project, b.expanded, b.outCh, 1, 1, 1, false);
      return (x: Tensor): Tensor => {
        let y = dw(expand ? expand(x) : x);
        y = y.mul(fc2.forward(fc1.forward(y.mean([2, 3], true)).silu()).sigmoid());
        y = project(y);
        if (!b.residual) return y;
        if (model.training && b.dropProb > 0) {
          // torchvision's StochasticDepth(p, "row"): drop the whole residual branch per example.
          const survive = 1 - b.dropProb;
          y = y.mul(
            nn.ops
              .rand([y.size(0), 1, 1, 1])
              .lt(survive)
              .float()
              .div(survive),
          );
        }
        return y.add(x);
      };
    });
    const head = convBn(`features.${STAGES.length + 1}`, layout.last, layout.head, 1);
    const bound = 1 / Math.sqrt(c.classes);
    const fc = tree.place(
      'classifier.1',
      nn.initLayer(new nn.Linear(layout.head, c.classes), { kind: 'uniform', bound }, ZERO),
    );
    return (inputs) => {
      let x = stem(model.input(inputs, 'spectrogram'));
      for (const block of blocks) x = block(x);
      let pooled = head(x).mean([2, 3]);
      if (c.dropout > 0 && model.training) pooled = nn.ops.dropout(pooled, c.dropout, true);
      return fc.forward(pooled);
    };
  },
  onnx(g, c, w, inputs, o) {
    const layout = efficientnetLayout(c);
    const convBn = (x: string, name: string, k: number, stride = 1, groups = 1, act = true) => {
      const y = L.convBn(g, w, x, `${name}.0`, `${name}.1`, {
        stride,
        padding: (k - 1) >> 1,
        groups,
        fold: o.foldBatchNorm,
        eps: c.bnEps,
      });
      return act ? L.silu(g, y) : y;
    };
    let x = convBn(inputs.spectrogram, 'features.0', 3, 2);
    for (const b of layout.blocks) {
      const parts = blockParts(b);
      let y = parts.expand ? convBn(x, parts.expand, 1) : x;
      y = convBn(y, parts.dw, b.kernel, b.stride, b.expanded);
      const squeezed = L.silu(g, L.conv2d(g, w, g.node('GlobalAveragePool', [y]), `${parts.se}.fc1`));
      y = g.node('Mul', [y, g.node('Sigmoid', [L.conv2d(g, w, squeezed, `${parts.se}.fc2`)])]);
      y = convBn(y, parts.project, 1, 1, 1, false);
      x = b.residual ? g.node('Add', [y, x]) : y;
    }
    x = convBn(x, `features.${STAGES.length + 1}`, 1);
    return L.linear(g, w, L.globalAvgPool(g, x), 'classifier.1');
  },
};
