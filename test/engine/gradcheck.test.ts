// Finite-difference gradient checks (float64) for every op that records autograd history.
import { test } from 'node:test';
import { manualSeed, ops, type Tensor } from '../../src/engine/index.js';
import { engineSkip, gradcheck, input, type GradInput } from './helpers.js';

const skip = engineSkip();

interface Case {
  name: string;
  fn: (x: Tensor[]) => Tensor;
  inputs: GradInput[];
  check?: boolean[];
  atol?: number;
}

const a = () => input([3, 4], 1);
const b = () => input([3, 4], 2);
const pos = () => input([3, 4], 3, 0.8, 1.2); // strictly positive
const idx = (data: number[]) => ops.tensor(BigInt64Array.from(data.map(BigInt)));

const elementwise: Case[] = [
  { name: 'add', fn: ([x, y]) => x.add(y), inputs: [a(), b()] },
  { name: 'add broadcast + scalar', fn: ([x, y]) => x.add(y.slice(0, 0, 1)).add(2.5), inputs: [a(), b()] },
  { name: 'sub', fn: ([x, y]) => x.sub(y), inputs: [a(), b()] },
  { name: 'mul', fn: ([x, y]) => x.mul(y).mul(-1.5), inputs: [a(), b()] },
  { name: 'div', fn: ([x, y]) => x.div(y), inputs: [a(), pos()] },
  { name: 'pow', fn: ([x, y]) => x.pow(y), inputs: [pos(), a()] },
  { name: 'pow scalar', fn: ([x]) => x.pow(3), inputs: [a()] },
  { name: 'maximum', fn: ([x, y]) => x.maximum(y), inputs: [a(), b()] },
  { name: 'minimum', fn: ([x, y]) => x.minimum(y), inputs: [a(), b()] },
  { name: 'neg', fn: ([x]) => x.neg(), inputs: [a()] },
  { name: 'abs', fn: ([x]) => x.abs(), inputs: [a()] },
  { name: 'exp', fn: ([x]) => x.exp(), inputs: [a()] },
  { name: 'log', fn: ([x]) => x.log(), inputs: [pos()] },
  { name: 'log1p', fn: ([x]) => x.log1p(), inputs: [pos()] },
  { name: 'sqrt', fn: ([x]) => x.sqrt(), inputs: [pos()] },
  { name: 'rsqrt', fn: ([x]) => x.rsqrt(), inputs: [pos()] },
  { name: 'square', fn: ([x]) => x.square(), inputs: [a()] },
  { name: 'reciprocal', fn: ([x]) => x.reciprocal(), inputs: [pos()] },
  { name: 'sin', fn: ([x]) => x.sin(), inputs: [a()] },
  { name: 'cos', fn: ([x]) => x.cos(), inputs: [a()] },
  { name: 'erf', fn: ([x]) => x.erf(), inputs: [a()] },
  { name: 'sign (zero gradient)', fn: ([x]) => x.sign().mul(x), inputs: [a()] },
  { name: 'remainder', fn: ([x]) => x.remainder(0.7), inputs: [a()] },
  { name: 'clamp', fn: ([x]) => x.clamp(-0.5, 0.5), inputs: [a()] },
  { name: 'relu', fn: ([x]) => x.relu(), inputs: [a()] },
  { name: 'sigmoid', fn: ([x]) => x.sigmoid(), inputs: [a()] },
  { name: 'tanh', fn: ([x]) => x.tanh(), inputs: [a()] },
  { name: 'gelu', fn: ([x]) => x.gelu(), inputs: [a()] },
  { name: 'gelu tanh', fn: ([x]) => x.gelu('tanh'), inputs: [a()] },
  { name: 'elu', fn: ([x]) => x.elu(0.7), inputs: [a()] },
  { name: 'leakyRelu', fn: ([x]) => x.leakyRelu(0.2), inputs: [a()] },
  { name: 'silu', fn: ([x]) => x.silu(), inputs: [a()] },
  { name: 'softmax', fn: ([x]) => x.softmax(-1), inputs: [a()] },
  { name: 'logSoftmax', fn: ([x]) => x.logSoftmax(0), inputs: [a()] },
  { name: 'where', fn: ([x, y]) => ops.where(x.gt(0), x, y), inputs: [a(), b()] },
  { name: 'maskedFill', fn: ([x]) => x.maskedFill(x.lt(0), 0.25), inputs: [a()] },
];

const shapes: Case[] = [
  { name: 'matmul 2d', fn: ([x, y]) => x.matmul(y.transpose(0, 1)), inputs: [a(), b()] },
  { name: 'matmul batched', fn: ([x, y]) => x.matmul(y), inputs: [input([2, 3, 4], 4), input([4, 2], 5)] },
  { name: 'reshape', fn: ([x]) => x.reshape([2, -1]).mul(x.reshape([2, 6])), inputs: [a()] },
  { name: 'view', fn: ([x]) => x.view([4, 3]), inputs: [a()] },
  { name: 'permute', fn: ([x]) => x.permute([2, 0, 1]).contiguous(), inputs: [input([2, 3, 4], 6)] },
  { name: 'transpose', fn: ([x]) => x.transpose(0, 1), inputs: [a()] },
  { name: 'expand', fn: ([x]) => x.expand([3, 4, 2]), inputs: [input([4, 1], 7)] },
  { name: 'flatten', fn: ([x]) => x.flatten(1), inputs: [input([2, 3, 2], 8)] },
  { name: 'squeeze', fn: ([x]) => x.squeeze(1), inputs: [input([3, 1, 2], 9)] },
  { name: 'unsqueeze', fn: ([x]) => x.unsqueeze(0), inputs: [a()] },
  { name: 'cat', fn: ([x, y]) => ops.cat([x, y], 1), inputs: [a(), b()] },
  { name: 'stack', fn: ([x, y]) => ops.stack([x, y], 1), inputs: [a(), b()] },
  { name: 'slice', fn: ([x]) => x.slice(1, 1, 4, 2), inputs: [a()] },
  { name: 'indexSelect', fn: ([x]) => x.indexSelect(0, idx([2, 0, 2])), inputs: [a()] },
  {
    name: 'gather',
    fn: ([x]) =>
      x.gather(
        1,
        ops.tensor(
          [
            [0, 3],
            [1, 1],
            [2, 0],
          ],
          { dtype: 'int64' },
        ),
      ),
    inputs: [a()],
  },
  { name: 'pad', fn: ([x]) => ops.pad(x, [1, 2, 0, 1], 0.5), inputs: [a()] },
  { name: 'clone/contiguous/to', fn: ([x]) => x.clone().contiguous().to('float64'), inputs: [a()] },
];

const reductions: Case[] = [
  { name: 'sum all', fn: ([x]) => x.sum(), inputs: [a()] },
  { name: 'sum dim keepdim', fn: ([x]) => x.sum(1, true), inputs: [a()] },
  { name: 'mean dims', fn: ([x]) => x.mean([0, 2]), inputs: [input([2, 3, 4], 10)] },
  { name: 'var', fn: ([x]) => x.var(1), inputs: [a()] },
  { name: 'std', fn: ([x]) => x.std(0), inputs: [a()] },
  { name: 'logsumexp', fn: ([x]) => x.logsumexp(1), inputs: [a()] },
  { name: 'amax', fn: ([x]) => x.amax(1), inputs: [a()] },
  { name: 'amin', fn: ([x]) => x.amin(0), inputs: [a()] },
  { name: 'norm', fn: ([x]) => x.norm(1), inputs: [a()] },
  { name: 'max(dim).values', fn: ([x]) => x.max(1).values, inputs: [a()] },
  { name: 'min(dim).values', fn: ([x]) => x.min(0, true).values, inputs: [a()] },
];

const layers: Case[] = [
  {
    name: 'linear',
    fn: ([x, w, c]) => ops.linear(x, w, c),
    inputs: [input([2, 4], 11), input([3, 4], 12), input([3], 13)],
  },
  {
    name: 'conv1d stride/pad/groups',
    fn: ([x, w, c]) => ops.conv1d(x, w, c, { stride: 2, padding: 1, groups: 2 }),
    inputs: [input([2, 4, 7], 14), input([4, 2, 3], 15), input([4], 16)],
  },
  {
    name: 'conv2d stride/pad/dilation',
    fn: ([x, w, c]) => ops.conv2d(x, w, c, { stride: [2, 1], padding: 1, dilation: [1, 2] }),
    inputs: [input([1, 2, 5, 5], 17), input([3, 2, 2, 2], 18), input([3], 19)],
  },
  {
    name: 'batchNorm training',
    fn: ([x, w, c]) => ops.batchNorm(x, { weight: w, bias: c, training: true }),
    inputs: [input([4, 3, 2], 20), input([3], 21), input([3], 22)],
  },
  {
    name: 'batchNorm eval (running stats)',
    fn: ([x, w, c]) =>
      ops.batchNorm(x, {
        weight: w,
        bias: c,
        runningMean: ops.tensor([0.1, -0.2, 0.3], { dtype: 'float64' }),
        runningVar: ops.tensor([1.5, 0.7, 1], { dtype: 'float64' }),
        training: false,
      }),
    inputs: [input([4, 3, 2], 23), input([3], 24), input([3], 25)],
  },
  {
    name: 'layerNorm',
    fn: ([x, w, c]) => ops.layerNorm(x, [4], w, c),
    inputs: [input([3, 4], 26), input([4], 27), input([4], 28)],
  },
  {
    name: 'dropout (fixed seed)',
    fn: ([x]) => {
      manualSeed(5);
      return ops.dropout(x, 0.3, true);
    },
    inputs: [a()],
  },
  { name: 'maxPool1d', fn: ([x]) => ops.maxPool1d(x, 2), inputs: [input([1, 2, 6], 29)] },
  { name: 'maxPool1d kernel 3 (tiled)', fn: ([x]) => ops.maxPool1d(x, 3), inputs: [input([2, 2, 9], 34)] },
  {
    name: 'maxPool1d length not a multiple',
    fn: ([x]) => ops.maxPool1d(x, 2),
    inputs: [input([1, 2, 7], 35)],
  },
  { name: 'maxPool2d', fn: ([x]) => ops.maxPool2d(x, 2, { stride: 1 }), inputs: [input([1, 2, 3, 4], 30)] },
  { name: 'maxPool2d 2x2 (tiled)', fn: ([x]) => ops.maxPool2d(x, 2), inputs: [input([2, 2, 4, 6], 36)] },
  {
    name: 'maxPool2d [2, 3] (tiled)',
    fn: ([x]) => ops.maxPool2d(x, [2, 3]),
    inputs: [input([1, 2, 4, 6], 37)],
  },
  {
    name: 'avgPool1d',
    fn: ([x]) => ops.avgPool1d(x, 3, { stride: 2, padding: 1 }),
    inputs: [input([1, 2, 7], 31)],
  },
  { name: 'avgPool2d', fn: ([x]) => ops.avgPool2d(x, [2, 3]), inputs: [input([1, 2, 4, 6], 32)] },
  { name: 'adaptiveAvgPool1d', fn: ([x]) => ops.adaptiveAvgPool1d(x, 3), inputs: [input([2, 2, 7], 33)] },
  {
    name: 'adaptiveAvgPool2d',
    fn: ([x]) => ops.adaptiveAvgPool2d(x, [2, 3]),
    inputs: [input([1, 2, 5, 4], 34)],
  },
  { name: 'adaptiveMaxPool1d', fn: ([x]) => ops.adaptiveMaxPool1d(x, 2), inputs: [input([2, 2, 6], 35)] },
  { name: 'adaptiveMaxPool2d', fn: ([x]) => ops.adaptiveMaxPool2d(x, 2), inputs: [input([1, 2, 4, 4], 36)] },
  {
    name: 'embedding',
    fn: ([w]) =>
      ops.embedding(
        ops.tensor(
          [
            [0, 2],
            [3, 2],
          ],
          { dtype: 'int64' },
        ),
        w,
      ),
    inputs: [input([4, 3], 37)],
  },
];

function rnnInputs(
  gates: number,
  inSize: number,
  hidden: number,
  layers: number,
  dirs: number,
  seed: number,
): GradInput[] {
  const out: GradInput[] = [];
  for (let l = 0; l < layers; l++) {
    for (let d = 0; d < dirs; d++) {
      const inp = l === 0 ? inSize : hidden * dirs;
      out.push(input([gates * hidden, inp], seed++, 0.6));
      out.push(input([gates * hidden, hidden], seed++, 0.6));
      out.push(input([gates * hidden], seed++, 0.6));
      out.push(input([gates * hidden], seed++, 0.6));
    }
  }
  return out;
}

const lstmParams = rnnInputs(4, 3, 2, 2, 2, 100);
const gruParams = rnnInputs(3, 3, 2, 2, 2, 200);
const recurrent: Case[] = [
  {
    name: 'lstm 2-layer bidirectional (x, h0, c0, all weights)',
    fn: ([x, h0, c0, ...p]) => {
      const r = ops.lstm(x, p, { numLayers: 2, bidirectional: true }, [h0, c0]);
      return ops.cat([r.output.flatten(), r.h.flatten(), r.c.flatten()]);
    },
    inputs: [input([2, 3, 3], 40), input([4, 2, 2], 41), input([4, 2, 2], 42), ...lstmParams],
  },
  {
    name: 'lstm time-major, no biases',
    fn: ([x, ...p]) => ops.lstm(x, p, { batchFirst: false }).output,
    inputs: [input([3, 2, 3], 43), input([8, 3], 44), input([8, 2], 45)],
  },
  {
    name: 'gru 2-layer bidirectional',
    fn: ([x, h0, ...p]) => {
      const r = ops.gru(x, p, { numLayers: 2, bidirectional: true }, h0);
      return ops.cat([r.output.flatten(), r.h.flatten()]);
    },
    inputs: [input([2, 3, 3], 46), input([4, 2, 2], 47), ...gruParams],
  },
];

const tgt = () => ops.tensor([1, 0, 3], { dtype: 'int64' });
const losses: Case[] = [
  { name: 'crossEntropy', fn: ([x]) => ops.crossEntropy(x, tgt()), inputs: [a()] },
  {
    name: 'crossEntropy weight + label smoothing',
    fn: ([x]) =>
      ops.crossEntropy(x, tgt(), {
        weight: ops.tensor([1, 2, 0.5, 1.5], { dtype: 'float64' }),
        labelSmoothing: 0.1,
      }),
    inputs: [a()],
  },
  {
    name: 'crossEntropy ignoreIndex, sum',
    fn: ([x]) => ops.crossEntropy(x, ops.tensor([1, -100, 3], { dtype: 'int64' }), { reduction: 'sum' }),
    inputs: [a()],
  },
  {
    name: 'binaryCrossEntropyWithLogits posWeight',
    fn: ([x, y]) =>
      ops.binaryCrossEntropyWithLogits(x, y.gt(0).double(), {
        posWeight: ops.tensor([1, 3, 0.5, 2], { dtype: 'float64' }),
      }),
    inputs: [a(), b()],
    check: [true, false],
  },
  { name: 'nllLoss', fn: ([x]) => ops.nllLoss(x.logSoftmax(1), tgt()), inputs: [a()] },
  { name: 'mseLoss', fn: ([x, y]) => ops.mseLoss(x, y), inputs: [a(), b()] },
];

const attention: Case[] = [
  {
    name: 'scaledDotProductAttention with bool mask',
    fn: ([q, k, v]) =>
      ops.scaledDotProductAttention(q, k, v, ops.tensor([[false, false, true]], { dtype: 'bool' })).output,
    inputs: [input([2, 2, 4], 50), input([2, 3, 4], 51), input([2, 3, 4], 52)],
  },
  {
    name: 'multiHeadAttention with key padding',
    fn: ([q, kv, wi, bi, wo, bo]) =>
      ops.multiHeadAttention(
        q,
        kv,
        kv,
        { inProjWeight: wi, inProjBias: bi, outProjWeight: wo, outProjBias: bo },
        2,
        {
          keyPaddingMask: ops.tensor(
            [
              [false, false, true],
              [false, false, false],
            ],
            { dtype: 'bool' },
          ),
        },
      ).output,
    inputs: [
      input([2, 2, 4], 53),
      input([2, 3, 4], 54),
      input([12, 4], 55),
      input([12], 56),
      input([4, 4], 57),
      input([4], 58),
    ],
  },
];

const groups: [string, Case[]][] = [
  ['elementwise', elementwise],
  ['shape ops', shapes],
  ['reductions', reductions],
  ['layers', layers],
  ['recurrent', recurrent],
  ['losses', losses],
  ['attention', attention],
];

for (const [group, cases] of groups) {
  test(`gradcheck: ${group}`, { skip }, async (t) => {
    for (const c of cases) {
      await t.test(c.name, () => gradcheck(c.name, c.fn, c.inputs, { check: c.check, atol: c.atol }));
    }
  });
}
