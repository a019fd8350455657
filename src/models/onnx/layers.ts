// Emitters that append one layer's ONNX nodes to a graph, reading weights by PyTorch name.
import type { WeightMap } from '../weights.js';
import type { OnnxGraphBuilder } from './graph.js';

/** Large negative score for masked positions (exp underflows to exactly 0 in float32). */
export const MASK_FILL = -1e9;

function weight(weights: WeightMap, name: string) {
  const w = weights.get(name);
  if (!w) throw new Error(`ONNX export: missing weight ${name}`);
  return w;
}

/** Adds the named weight as an initializer with its own shape. */
export function init(g: OnnxGraphBuilder, weights: WeightMap, name: string): string {
  const w = weight(weights, name);
  return g.floatTensor(name, w.shape, w.data);
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** y = x Wᵀ + b for x [batch, in] (Gemm). */
export function linear(g: OnnxGraphBuilder, weights: WeightMap, x: string, name: string): string {
  const inputs = [x, init(g, weights, `${name}.weight`)];
  if (weights.has(`${name}.bias`)) inputs.push(init(g, weights, `${name}.bias`));
  return g.node('Gemm', inputs, { transB: 1 });
}

/** y = x Wᵀ (+ b) for x [..., in] of any rank (MatMul + Add). */
export function linearNd(g: OnnxGraphBuilder, weights: WeightMap, x: string, name: string): string {
  const w = weight(weights, `${name}.weight`);
  const wt = g.floatTensor(
    `${name}.weight_t`,
    [w.shape[1], w.shape[0]],
    transpose2d(w.data, w.shape[0], w.shape[1]),
  );
  const y = g.node('MatMul', [x, wt]);
  return weights.has(`${name}.bias`) ? g.node('Add', [y, init(g, weights, `${name}.bias`)]) : y;
}

/** Convolution with "same" zero padding (odd kernels), stride 1. */
export function convSame(g: OnnxGraphBuilder, weights: WeightMap, x: string, name: string): string {
  const w = weight(weights, `${name}.weight`);
  const kernel = w.shape.slice(2);
  const pads = [...kernel.map((k) => (k - 1) / 2), ...kernel.map((k) => (k - 1) / 2)];
  return g.node('Conv', [x, init(g, weights, `${name}.weight`), init(g, weights, `${name}.bias`)], {
    kernel_shape: kernel,
    pads,
    strides: kernel.map(() => 1),
  });
}

/** Inference-mode batch normalisation over channel axis 1 (ε default 1e-5, PyTorch's). */
export function batchNorm(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  x: string,
  name: string,
  eps = 1e-5,
): string {
  const inputs = ['weight', 'bias', 'running_mean', 'running_var'].map((p) =>
    init(g, weights, `${name}.${p}`),
  );
  return g.node('BatchNormalization', [x, ...inputs], { epsilon: { float: eps } });
}

/**
 * Convolution weights with an inference-mode BatchNorm folded in: W' = W·s, b' = (b − μ)·s + β
 * with s = γ / √(σ² + ε) per output channel (computed in float64). A convolution without a bias
 * counts as b = 0.
 * @param eps - the BatchNorm's ε (default 1e-5).
 */
export function foldBatchNorm(
  weights: WeightMap,
  conv: string,
  bn: string,
  eps = 1e-5,
): { weight: Float32Array; bias: Float32Array } {
  const w = weight(weights, `${conv}.weight`);
  const b = weights.get(`${conv}.bias`)?.data ?? new Float32Array(w.shape[0]);
  const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map(
    (p) => weight(weights, `${bn}.${p}`).data,
  );
  const out = w.shape[0];
  const per = w.data.length / out;
  const folded = new Float32Array(w.data.length);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const s = gamma[o] / Math.sqrt(variance[o] + eps);
    for (let i = 0; i < per; i++) folded[o * per + i] = w.data[o * per + i] * s;
    bias[o] = (b[o] - mean[o]) * s + beta[o];
  }
  return { weight: folded, bias };
}

/**
 * Conv + BN + ReLU + MaxPool block (Dropout is the identity at inference). With `fold` the
 * BatchNorm is folded into the convolution (one Conv node), else exported as BatchNormalization.
 */
export function convBlock(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  x: string,
  conv: string,
  bn: string,
  pool: number,
  dims: number,
  fold = true,
): string {
  let normed: string;
  if (fold) {
    const shape = weight(weights, `${conv}.weight`).shape;
    const f = foldBatchNorm(weights, conv, bn);
    const kernel = shape.slice(2);
    const pads = [...kernel.map((k) => (k - 1) / 2), ...kernel.map((k) => (k - 1) / 2)];
    const W = g.floatTensor(`${conv}.weight_bn_folded`, shape, f.weight);
    const B = g.floatTensor(`${conv}.bias_bn_folded`, [shape[0]], f.bias);
    normed = g.node('Conv', [x, W, B], { kernel_shape: kernel, pads, strides: kernel.map(() => 1) });
  } else {
    normed = batchNorm(g, weights, convSame(g, weights, x, conv), bn);
  }
  const y = g.node('Relu', [normed]);
  const k = Array.from({ length: dims }, () => pool);
  return g.node('MaxPool', [y], { kernel_shape: k, strides: k });
}

/** Global average pool over all spatial axes, flattened to [batch, channels]. */
export function globalAvgPool(g: OnnxGraphBuilder, x: string): string {
  return g.node('Flatten', [g.node('GlobalAveragePool', [x])], { axis: 1 });
}

/**
 * 1-D convolution branch over a feature vector [batch, length]: Unsqueeze to one channel, then
 * `blocks` {@link convBlock}s (`${prefix}convs.i` / `${prefix}bns.i`, MaxPool `pool`) and a global
 * average pool; returns [batch, channels].
 */
export function conv1dBranch(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  features: string,
  prefix: string,
  blocks: number,
  pool: number,
  fold: boolean,
): string {
  let x = g.node('Unsqueeze', [features, g.ints('axes', [1])]);
  for (let i = 0; i < blocks; i++)
    x = convBlock(g, weights, x, `${prefix}convs.${i}`, `${prefix}bns.${i}`, pool, 1, fold);
  return globalAvgPool(g, x);
}

/**
 * 2-D convolution branch over an image [batch, c, h, w]: `blocks` 3x3 {@link convBlock}s with
 * MaxPool 2, then a global average pool; returns [batch, channels].
 */
export function conv2dBranch(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  image: string,
  prefix: string,
  blocks: number,
  fold: boolean,
): string {
  let x = image;
  for (let i = 0; i < blocks; i++)
    x = convBlock(g, weights, x, `${prefix}convs.${i}`, `${prefix}bns.${i}`, 2, 2, fold);
  return globalAvgPool(g, x);
}

/** `layers` Linear + ReLU blocks `${prefix}.i` (Dropout is the identity at inference). */
export function reluStack(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  x: string,
  prefix: string,
  layers: number,
): string {
  let h = x;
  for (let i = 0; i < layers; i++) h = g.node('Relu', [linear(g, weights, h, `${prefix}.${i}`)]);
  return h;
}

/** Dense + ReLU + head: the classifier shared by the models; returns logits. */
export function classifierHead(g: OnnxGraphBuilder, weights: WeightMap, x: string): string {
  return linear(g, weights, g.node('Relu', [linear(g, weights, x, 'dense')]), 'head');
}

/**
 * Boolean mask [batch, frames] with true where frame index < length, from `lengths` (int32
 * [batch]) and the frame count of `sequence` ([batch, frames, ...]).
 */
export function lengthMask(g: OnnxGraphBuilder, sequence: string, lengths: string): string {
  const frames = g.node('Squeeze', [g.node('Shape', [sequence], { start: 1, end: 2 })]);
  const zero = g.int64Tensor('zero', [], [0]);
  const one = g.int64Tensor('one', [], [1]);
  const steps = g.node('Unsqueeze', [g.node('Range', [zero, frames, one]), g.ints('axes', [0])]);
  const lens = g.node('Unsqueeze', [g.node('Cast', [lengths], { to: 7 }), g.ints('axes', [1])]);
  return g.node('Less', [steps, lens]);
}

/** Reorders PyTorch LSTM gate blocks (i, f, g, o) into ONNX order (i, o, f, c). */
function gatesToOnnx(data: Float32Array): Float32Array {
  const block = data.length / 4;
  const out = new Float32Array(data.length);
  [0, 3, 1, 2].forEach((src, dst) => out.set(data.subarray(src * block, (src + 1) * block), dst * block));
  return out;
}

/**
 * Stacked bidirectional LSTM (PyTorch `nn.LSTM(bidirectional=True, batch_first=True)` weights)
 * over x [batch, frames, in] with per-sequence lengths; returns [batch, frames, 2 * hidden].
 */
export function biLstm(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  x: string,
  lengths: string,
  layers: number,
  hidden: number,
): string {
  let seq = g.node('Transpose', [x], { perm: [1, 0, 2] });
  for (let l = 0; l < layers; l++) {
    const parts = ['', '_reverse'].map((s) => ({
      wi: weight(weights, `lstm.weight_ih_l${l}${s}`),
      wh: weight(weights, `lstm.weight_hh_l${l}${s}`),
      bi: weight(weights, `lstm.bias_ih_l${l}${s}`),
      bh: weight(weights, `lstm.bias_hh_l${l}${s}`),
    }));
    const inDim = parts[0].wi.shape[1];
    const cat = (arrays: Float32Array[]) => {
      const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
      let o = 0;
      for (const a of arrays) {
        out.set(a, o);
        o += a.length;
      }
      return out;
    };
    const W = g.floatTensor(
      `lstm.W_l${l}`,
      [2, 4 * hidden, inDim],
      cat(parts.map((p) => gatesToOnnx(p.wi.data))),
    );
    const R = g.floatTensor(
      `lstm.R_l${l}`,
      [2, 4 * hidden, hidden],
      cat(parts.map((p) => gatesToOnnx(p.wh.data))),
    );
    const Bias = g.floatTensor(
      `lstm.B_l${l}`,
      [2, 8 * hidden],
      cat(parts.flatMap((p) => [gatesToOnnx(p.bi.data), gatesToOnnx(p.bh.data)])),
    );
    const y = g.node('LSTM', [seq, W, R, Bias, lengths], { direction: 'bidirectional', hidden_size: hidden });
    // Y is [frames, directions, batch, hidden]; interleave to [frames, batch, 2 * hidden].
    seq = g.node('Reshape', [g.node('Transpose', [y], { perm: [0, 2, 1, 3] }), g.ints('shape', [0, 0, -1])]);
  }
  return g.node('Transpose', [seq], { perm: [1, 0, 2] });
}

/** Softmax over frames of scores [batch, frames] with masked frames at -1e9, then weighted sum. */
function maskedAttentionSum(g: OnnxGraphBuilder, seq: string, scores: string, mask: string): string {
  const filled = g.node('Where', [mask, scores, g.scalar('mask_fill', MASK_FILL)]);
  const alpha = g.node('Unsqueeze', [g.node('Softmax', [filled], { axis: -1 }), g.ints('axes', [1])]);
  return g.node('Squeeze', [g.node('MatMul', [alpha, seq]), g.ints('axes', [1])]);
}

/** Additive self-attention pooling: α = softmax(v·tanh(W h + b)); returns Σ α h. */
export function additivePool(g: OnnxGraphBuilder, weights: WeightMap, seq: string, mask: string): string {
  const u = g.node('Tanh', [linearNd(g, weights, seq, 'attention.proj')]);
  const e = g.node('Squeeze', [linearNd(g, weights, u, 'attention.score'), g.ints('axes', [2])]);
  return maskedAttentionSum(g, seq, e, mask);
}

/** Temporal attention pooling: α = softmax(w·h + b); returns Σ α h. */
export function temporalPool(g: OnnxGraphBuilder, weights: WeightMap, seq: string, mask: string): string {
  const e = g.node('Squeeze', [linearNd(g, weights, seq, 'attention.score'), g.ints('axes', [2])]);
  return maskedAttentionSum(g, seq, e, mask);
}

/** Mean over valid frames of x [batch, frames, dim] given a boolean mask [batch, frames]. */
export function maskedMean(g: OnnxGraphBuilder, x: string, mask: string): string {
  const m = g.node('Cast', [mask], { to: 1 });
  const sum = g.node('Squeeze', [
    g.node('MatMul', [g.node('Unsqueeze', [m, g.ints('axes', [1])]), x]),
    g.ints('axes', [1]),
  ]);
  const count = g.node('Max', [
    g.node('ReduceSum', [m, g.ints('axes', [1])], { keepdims: 1 }),
    g.scalar('one_f', 1),
  ]);
  return g.node('Div', [sum, count]);
}

/**
 * Multi-head self-attention (PyTorch `nn.MultiheadAttention` weights, padded keys masked) over
 * seq [batch, frames, dim]; returns [batch, frames, dim].
 */
export function multiHeadSelfAttention(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  seq: string,
  mask: string,
  heads: number,
  prefix = 'attention',
): string {
  const win = weight(weights, `${prefix}.in_proj_weight`);
  const dim = win.shape[1];
  const hd = dim / heads;
  const wt = g.floatTensor(`${prefix}.in_proj_weight_t`, [dim, 3 * dim], transpose2d(win.data, 3 * dim, dim));
  const qkv = g.node('Add', [g.node('MatMul', [seq, wt]), init(g, weights, `${prefix}.in_proj_bias`)]);
  const [q, k, v] = g.nodeMulti('Split', [qkv, g.ints('split', [dim, dim, dim])], { axis: 2 }, [
    g.fresh('q'),
    g.fresh('k'),
    g.fresh('v'),
  ]);
  const heads4 = (t: string, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [t, g.ints('shape', [0, 0, heads, hd])])], { perm });
  const qh = heads4(q, [0, 2, 1, 3]);
  const kh = heads4(k, [0, 2, 3, 1]);
  const vh = heads4(v, [0, 2, 1, 3]);
  const scores = g.node('Mul', [g.node('MatMul', [qh, kh]), g.scalar('scale', 1 / Math.sqrt(hd))]);
  const keyMask = g.node('Unsqueeze', [mask, g.ints('axes', [1, 2])]);
  const att = g.node('Softmax', [g.node('Where', [keyMask, scores, g.scalar('mask_fill', MASK_FILL)])], {
    axis: -1,
  });
  const ctx = g.node('Reshape', [
    g.node('Transpose', [g.node('MatMul', [att, vh])], { perm: [0, 2, 1, 3] }),
    g.ints('shape', [0, 0, dim]),
  ]);
  return linearNd(g, weights, ctx, `${prefix}.out_proj`);
}

/** torch.nn.LayerNorm over the last axis (ε 1e-5) with weights `${name}.weight` / `${name}.bias`. */
export function layerNorm(g: OnnxGraphBuilder, weights: WeightMap, x: string, name: string): string {
  return g.node(
    'LayerNormalization',
    [x, init(g, weights, `${name}.weight`), init(g, weights, `${name}.bias`)],
    {
      axis: -1,
      epsilon: { float: 1e-5 },
    },
  );
}

/** Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (opset 17 has no Gelu node). */
export function gelu(g: OnnxGraphBuilder, x: string): string {
  const erf = g.node('Erf', [g.node('Mul', [x, g.scalar('inv_sqrt2', Math.SQRT1_2)])]);
  return g.node('Mul', [
    g.node('Mul', [x, g.scalar('half', 0.5)]),
    g.node('Add', [erf, g.scalar('one_f', 1)]),
  ]);
}

/** Embedding lookup of int64 token ids [batch, length] with a mean over non-padding (id ≠ 0) tokens. */
export function embeddingMeanPool(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  tokens: string,
  name: string,
): string {
  const emb = g.node('Gather', [init(g, weights, `${name}.weight`), tokens], { axis: 0 });
  const mask = g.node('Not', [g.node('Equal', [tokens, g.int64Tensor('pad', [], [0])])]);
  return maskedMean(g, emb, mask);
}

/** Geometry of a 2-D convolution: stride, zero padding on every side, channel groups. */
export interface Conv2dAttrs {
  /** Default 1. */
  stride?: number;
  /** Default 0. */
  padding?: number;
  /** Default 1 (`groups = channels`: depthwise). */
  groups?: number;
}

function convAttrs(kernel: number[], o: Conv2dAttrs) {
  const p = o.padding ?? 0;
  return {
    kernel_shape: kernel,
    pads: [p, p, p, p],
    strides: [o.stride ?? 1, o.stride ?? 1],
    group: o.groups ?? 1,
  };
}

/** torch.nn.Conv2d with any stride, padding and groups; the bias is used when the weights have one. */
export function conv2d(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  x: string,
  name: string,
  o: Conv2dAttrs = {},
): string {
  const w = weight(weights, `${name}.weight`);
  const inputs = [x, init(g, weights, `${name}.weight`)];
  if (weights.has(`${name}.bias`)) inputs.push(init(g, weights, `${name}.bias`));
  return g.node('Conv', inputs, convAttrs(w.shape.slice(2), o));
}

/**
 * Conv2d + inference-mode BatchNorm: one Conv with the BatchNorm folded in (`fold`), else Conv
 * and BatchNormalization nodes.
 */
export function convBn(
  g: OnnxGraphBuilder,
  weights: WeightMap,
  x: string,
  conv: string,
  bn: string,
  o: Conv2dAttrs & { fold: boolean; eps?: number },
): string {
  const eps = o.eps ?? 1e-5;
  if (!o.fold) return batchNorm(g, weights, conv2d(g, weights, x, conv, o), bn, eps);
  const shape = weight(weights, `${conv}.weight`).shape;
  const f = foldBatchNorm(weights, conv, bn, eps);
  const W = g.floatTensor(`${conv}.weight_bn_folded`, shape, f.weight);
  const Bias = g.floatTensor(`${conv}.bias_bn_folded`, [shape[0]], f.bias);
  return g.node('Conv', [x, W, Bias], convAttrs(shape.slice(2), o));
}

/** Max pooling with a square window (torch.nn.MaxPool2d(kernel, stride, padding)). */
export function maxPool2d(
  g: OnnxGraphBuilder,
  x: string,
  kernel: number,
  stride: number,
  padding = 0,
): string {
  return g.node('MaxPool', [x], {
    kernel_shape: [kernel, kernel],
    strides: [stride, stride],
    pads: [padding, padding, padding, padding],
  });
}

/** SiLU (swish): x · sigmoid(x). */
export function silu(g: OnnxGraphBuilder, x: string): string {
  return g.node('Mul', [x, g.node('Sigmoid', [x])]);
}

/**
 * The [out, in] averaging matrix of adaptive average pooling along one axis: output i averages
 * inputs floor(i·in/out) .. ceil((i+1)·in/out) − 1, as PyTorch's adaptive_avg_pool.
 */
export function adaptivePoolMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const start = Math.floor((i * inSize) / outSize);
    const end = Math.ceil(((i + 1) * inSize) / outSize);
    for (let j = start; j < end; j++) m[i * inSize + j] = 1 / (end - start);
  }
  return m;
}

/**
 * torch.nn.AdaptiveAvgPool2d((outH, outW)) of x [batch, c, inH, inW] with static spatial sizes, as
 * two MatMuls with averaging matrices (ONNX has no adaptive pooling operator).
 */
export function adaptiveAvgPool2d(
  g: OnnxGraphBuilder,
  x: string,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): string {
  const rows = g.floatTensor('adaptive_pool_rows', [outH, inH], adaptivePoolMatrix(inH, outH));
  const colsT = transpose2d(adaptivePoolMatrix(inW, outW), outW, inW);
  const cols = g.floatTensor('adaptive_pool_cols', [inW, outW], colsT);
  return g.node('MatMul', [rows, g.node('MatMul', [x, cols])]);
}
