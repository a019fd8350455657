/**
 * Functional ops on engine tensors, named after torch / torch.nn.functional (camelCase).
 * Every op records autograd history when an input requires grad.
 */
import { EmovoxParameterError } from '../util/errors.js';
import { native, type DType, type NativeTensor, type TensorData } from './native.js';
import {
  Tensor,
  internal,
  type NestedNumbers,
  type Shape,
  type TensorLike,
  type TensorOptions,
} from './tensor.js';

export { Tensor };

/** Loss reduction, as in PyTorch. */
export type Reduction = 'none' | 'mean' | 'sum';

const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

function reductionCode(r: Reduction): number {
  const code = REDUCTION[r];
  if (code === undefined)
    throw new EmovoxParameterError('reduction', `must be none, mean or sum, got ${String(r)}`);
  return code;
}

function wrap(h: NativeTensor): Tensor {
  return new Tensor(h);
}

function opt(t: Tensor | null | undefined): NativeTensor | null {
  return t ? t.handle : null;
}

function pair(v: number | readonly number[], n: number): number[] {
  return typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
}

// ---------------------------------------------------------------- creation

function dtypeOfData(data: TensorData): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'bool';
  return 'float32';
}

function flattenNested(data: NestedNumbers, shape: number[], out: number[], depth: number): void {
  if (Array.isArray(data)) {
    if (shape.length === depth) shape.push(data.length);
    else if (shape[depth] !== data.length)
      throw new EmovoxParameterError('data', 'tensor(): ragged nested array');
    for (const d of data) flattenNested(d as NestedNumbers, shape, out, depth + 1);
  } else {
    if (shape.length !== depth) throw new EmovoxParameterError('data', 'tensor(): ragged nested array');
    out.push(typeof data === 'boolean' ? Number(data) : (data as number));
  }
}

function typedFor(values: ArrayLike<number>, dtype: DType): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values), (v) => BigInt(Math.trunc(v)));
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    default:
      throw new EmovoxParameterError('dtype', `unknown dtype ${String(dtype)}`);
  }
}

/**
 * Creates a tensor from nested number arrays or a typed array (copied).
 * @param data nested arrays (shape inferred) or a flat typed array (shape from `options.shape`,
 *   default 1-D). Float32Array → float32, Float64Array → float64, Int32Array → int32,
 *   BigInt64Array → int64, Uint8Array → bool unless `options.dtype` says otherwise.
 * @param options dtype (default float32 for number arrays), device (cpu), requiresGrad (false), shape.
 */
export function tensor(
  data: NestedNumbers | TensorData,
  options: TensorOptions & { shape?: Shape } = {},
): Tensor {
  let flat: TensorData;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfData(data);
    const dtype = options.dtype ?? own;
    flat =
      dtype === own ? data : typedFor(data instanceof BigInt64Array ? Array.from(data, Number) : data, dtype);
    shape = options.shape ? [...options.shape] : [data.length];
  } else {
    const values: number[] = [];
    const inferred: number[] = [];
    flattenNested(data, inferred, values, 0);
    flat = typedFor(values, options.dtype ?? 'float32');
    shape = options.shape ? [...options.shape] : inferred;
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== flat.length) {
    throw new EmovoxParameterError(
      'shape',
      `tensor(): shape [${shape}] needs ${count} elements, data has ${flat.length}`,
    );
  }
  return wrap(
    native().fromData(
      flat,
      shape,
      options.dtype ?? dtypeOfData(flat),
      options.device ?? 'cpu',
      !!options.requiresGrad,
    ),
  );
}

function withGrad(t: Tensor, options: TensorOptions): Tensor {
  return options.requiresGrad ? t.requiresGrad_(true) : t;
}

/** Tensor filled with `value`. Options: dtype (float32), device (cpu), requiresGrad (false). */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  return withGrad(
    wrap(native().full([...shape], value, options.dtype ?? 'float32', options.device ?? 'cpu')),
    options,
  );
}
/** Zeros of `shape`. */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}
/** Ones of `shape`. */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}
/** Zeros with the shape, dtype and device of `t`. */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, device: t.device as TensorOptions['device'] });
}
/** Ones with the shape, dtype and device of `t`. */
export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, device: t.device as TensorOptions['device'] });
}
/** Uniform samples in [0, 1) (seeded by `manualSeed`). */
export function rand(shape: Shape, options: TensorOptions = {}): Tensor {
  return withGrad(
    wrap(native().rand([...shape], options.dtype ?? 'float32', options.device ?? 'cpu')),
    options,
  );
}
/** Standard-normal samples (seeded by `manualSeed`). */
export function randn(shape: Shape, options: TensorOptions = {}): Tensor {
  return withGrad(
    wrap(native().randn([...shape], options.dtype ?? 'float32', options.device ?? 'cpu')),
    options,
  );
}
/** Uniform int64 integers in [low, high). */
export function randint(
  low: number,
  high: number,
  shape: Shape,
  options: Pick<TensorOptions, 'device'> = {},
): Tensor {
  return wrap(native().randint(low, high, [...shape], options.device ?? 'cpu'));
}
/** Random permutation of 0..n-1 (int64). */
export function randperm(n: number, options: Pick<TensorOptions, 'device'> = {}): Tensor {
  return wrap(native().randperm(n, options.device ?? 'cpu'));
}
/**
 * Values start, start+step, ... below end. With one argument, 0..start-1.
 * dtype defaults to int64 as in PyTorch when all arguments are integers, else float32.
 */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  const ints = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(step);
  return wrap(
    native().arange(s, e, step, options.dtype ?? (ints ? 'int64' : 'float32'), options.device ?? 'cpu'),
  );
}
/** n×n identity. */
export function eye(n: number, options: TensorOptions = {}): Tensor {
  return wrap(native().eye(n, options.dtype ?? 'float32', options.device ?? 'cpu'));
}

// ---------------------------------------------------------------- elementwise

/** a + b (broadcasting). */
export const add = (a: Tensor, b: TensorLike): Tensor => a.add(b);
/** a - b (broadcasting). */
export const sub = (a: Tensor, b: TensorLike): Tensor => a.sub(b);
/** a * b (broadcasting). */
export const mul = (a: Tensor, b: TensorLike): Tensor => a.mul(b);
/** a / b (broadcasting). */
export const div = (a: Tensor, b: TensorLike): Tensor => a.div(b);
/** a ** b. */
export const pow = (a: Tensor, b: TensorLike): Tensor => a.pow(b);
/** torch.matmul. */
export const matmul = (a: Tensor, b: Tensor): Tensor => a.matmul(b);
/** max(0, x). */
export const relu = (x: Tensor): Tensor => x.relu();
/** Logistic sigmoid. */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** tanh. */
export const tanh = (x: Tensor): Tensor => x.tanh();
/** GELU ('none' = exact erf form, PyTorch's default). */
export const gelu = (x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => x.gelu(approximate);
/** ELU (alpha default 1). */
export const elu = (x: Tensor, alpha = 1): Tensor => x.elu(alpha);
/** Leaky ReLU (negative slope default 0.01). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => x.leakyRelu(negativeSlope);
/** SiLU. */
export const silu = (x: Tensor): Tensor => x.silu();
/** Softmax along dim (default -1). */
export const softmax = (x: Tensor, dim = -1): Tensor => x.softmax(dim);
/** Log-softmax along dim (default -1). */
export const logSoftmax = (x: Tensor, dim = -1): Tensor => x.logSoftmax(dim);

/** Elementwise choice: `a` where bool `condition` is true, else `b` (broadcasting). */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return wrap(native().where(condition.handle, internal.operand(a), internal.operand(b)));
}

// ---------------------------------------------------------------- joining

/** Concatenates along an existing dimension `dim` (default 0). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(
    native().cat(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}
/** Stacks along a new dimension `dim` (default 0). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(
    native().stack(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}
/**
 * Constant padding, torch.nn.functional.pad order: (lastLeft, lastRight, prevLeft, prevRight, ...).
 * @param value fill value, default 0.
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  return wrap(native().pad(x.handle, [...padding], value));
}

// ---------------------------------------------------------------- layers

/** y = x·Wᵀ + b; W is [out, in], b is [out] or null. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return wrap(native().linear(x.handle, weight.handle, opt(bias)));
}

/** Convolution options; numbers apply to every spatial dimension. */
export interface ConvOptions {
  /** Default 1. */
  stride?: number | readonly number[];
  /** Zero padding on both sides; default 0. */
  padding?: number | readonly number[];
  /** Default 1. */
  dilation?: number | readonly number[];
  /** Default 1. */
  groups?: number;
}

/** 1-D convolution: x [N, Cin, L], weight [Cout, Cin/groups, K], bias [Cout] or null. */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvOptions = {}): Tensor {
  return wrap(
    native().conv1d(
      x.handle,
      weight.handle,
      opt(bias),
      pair(o.stride ?? 1, 1),
      pair(o.padding ?? 0, 1),
      pair(o.dilation ?? 1, 1),
      o.groups ?? 1,
    ),
  );
}

/** 2-D convolution: x [N, Cin, H, W], weight [Cout, Cin/groups, kH, kW], bias [Cout] or null. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvOptions = {}): Tensor {
  return wrap(
    native().conv2d(
      x.handle,
      weight.handle,
      opt(bias),
      pair(o.stride ?? 1, 2),
      pair(o.padding ?? 0, 2),
      pair(o.dilation ?? 1, 2),
      o.groups ?? 1,
    ),
  );
}

/** Batch-norm options. */
export interface BatchNormOptions {
  /** Per-channel scale [C] (null: 1). */
  weight?: Tensor | null;
  /** Per-channel shift [C] (null: 0). */
  bias?: Tensor | null;
  /** Running mean [C], updated in place when training (null: batch stats only). */
  runningMean?: Tensor | null;
  /** Running variance [C], updated in place when training. */
  runningVar?: Tensor | null;
  /** Use batch statistics and update running ones; default false (eval: running stats). */
  training?: boolean;
  /** Running-stat momentum; default 0.1. */
  momentum?: number;
  /** Default 1e-5. */
  eps?: number;
}

/** Batch normalisation over dim 1 of [N, C, ...] (torch.nn.functional.batch_norm). */
export function batchNorm(x: Tensor, o: BatchNormOptions = {}): Tensor {
  return wrap(
    native().batchNorm(
      x.handle,
      opt(o.weight),
      opt(o.bias),
      opt(o.runningMean),
      opt(o.runningVar),
      o.training ?? false,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
    ),
  );
}

/** Layer normalisation over the trailing `normalizedShape` dims; eps default 1e-5. */
export function layerNorm(
  x: Tensor,
  normalizedShape: Shape,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return wrap(native().layerNorm(x.handle, [...normalizedShape], opt(weight), opt(bias), eps));
}

/** Inverted dropout: zeroes with probability p and scales by 1/(1-p) when training; identity otherwise. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return wrap(native().dropout(x.handle, p, training));
}

/** Pooling options. */
export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: number | readonly number[];
  /** Default 0. */
  padding?: number | readonly number[];
  /** Default false. */
  ceilMode?: boolean;
}

function pool(
  kind: string,
  n: number,
  x: Tensor,
  kernel: number | readonly number[],
  o: PoolOptions,
): Tensor {
  const k = pair(kernel, n);
  return wrap(
    native().pool(kind, x.handle, k, pair(o.stride ?? k, n), pair(o.padding ?? 0, n), o.ceilMode ?? false),
  );
}
/** Max pooling over the last dim of [N, C, L]. */
export const maxPool1d = (x: Tensor, kernel: number, o: PoolOptions = {}): Tensor =>
  pool('max1d', 1, x, kernel, o);
/** Max pooling over the last two dims of [N, C, H, W]. */
export const maxPool2d = (x: Tensor, kernel: number | readonly number[], o: PoolOptions = {}): Tensor =>
  pool('max2d', 2, x, kernel, o);
/** Average pooling (count_include_pad) over [N, C, L]. */
export const avgPool1d = (x: Tensor, kernel: number, o: PoolOptions = {}): Tensor =>
  pool('avg1d', 1, x, kernel, o);
/** Average pooling (count_include_pad) over [N, C, H, W]. */
export const avgPool2d = (x: Tensor, kernel: number | readonly number[], o: PoolOptions = {}): Tensor =>
  pool('avg2d', 2, x, kernel, o);
/** Adaptive average pooling of [N, C, L] to `outputSize`. */
export const adaptiveAvgPool1d = (x: Tensor, outputSize: number): Tensor =>
  wrap(native().adaptivePool('avg1d', x.handle, [outputSize]));
/** Adaptive average pooling of [N, C, H, W] to `outputSize`. */
export const adaptiveAvgPool2d = (x: Tensor, outputSize: number | readonly number[]): Tensor =>
  wrap(native().adaptivePool('avg2d', x.handle, pair(outputSize, 2)));
/** Adaptive max pooling of [N, C, L] to `outputSize`. */
export const adaptiveMaxPool1d = (x: Tensor, outputSize: number): Tensor =>
  wrap(native().adaptivePool('max1d', x.handle, [outputSize]));
/** Adaptive max pooling of [N, C, H, W] to `outputSize`. */
export const adaptiveMaxPool2d = (x: Tensor, outputSize: number | readonly number[]): Tensor =>
  wrap(native().adaptivePool('max2d', x.handle, pair(outputSize, 2)));

/**
 * Embedding lookup: rows of `weight` [num, dim] at int64/int32 `indices`.
 * @param paddingIdx row whose gradient stays zero; default -1 (none).
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx = -1): Tensor {
  return wrap(native().embedding(weight.handle, indices.handle, paddingIdx));
}

// ---------------------------------------------------------------- recurrent

/** Options for `lstm` / `gru`. */
export interface RnnOptions {
  /** Stacked layers; default 1. */
  numLayers?: number;
  /** Both directions, outputs concatenated on the feature axis; default false. */
  bidirectional?: boolean;
  /** x is [batch, time, feature] (else [time, batch, feature]); default true. */
  batchFirst?: boolean;
  /** Dropout between layers (training only); default 0. */
  dropout?: number;
  /** Default true. */
  training?: boolean;
}

function rnnLayout(kind: string, x: Tensor, params: readonly Tensor[], gates: number, o: RnnOptions) {
  const numLayers = o.numLayers ?? 1;
  const dirs = o.bidirectional ? 2 : 1;
  const per = params.length / (numLayers * dirs);
  if (per !== 4 && per !== 2) {
    throw new EmovoxParameterError(
      'params',
      `${kind}: expected ${numLayers * dirs * 4} (with biases) or ${numLayers * dirs * 2} parameters, got ${params.length}`,
    );
  }
  const hidden = params[1].shape[1];
  if (params[0].shape[0] !== gates * hidden)
    throw new EmovoxParameterError('params', `${kind}: w_ih must have ${gates}*hidden rows`);
  const batchFirst = o.batchFirst ?? true;
  const batch = x.shape[batchFirst ? 0 : 1];
  return { numLayers, dirs, hasBiases: per === 4, hidden, batchFirst, batch };
}

/**
 * Multi-layer (bi)LSTM, same maths and parameter order as torch.nn.LSTM: for each layer, for each
 * direction: w_ih [4H, in], w_hh [4H, H], b_ih [4H], b_hh [4H] (biases optional). Gate order i, f, g, o.
 * @param x [B, T, F] when batchFirst (default) else [T, B, F].
 * @param params flat parameter list as described (see `init.lstmParams`).
 * @param state initial [h0, c0], each [layers·dirs, B, H]; zeros when omitted.
 * @returns output [B, T, dirs·H] (batchFirst) and final h, c [layers·dirs, B, H].
 */
export function lstm(
  x: Tensor,
  params: readonly Tensor[],
  o: RnnOptions = {},
  state?: [Tensor, Tensor],
): { output: Tensor; h: Tensor; c: Tensor } {
  const l = rnnLayout('lstm', x, params, 4, o);
  const shape = [l.numLayers * l.dirs, l.batch, l.hidden];
  const h0 = state?.[0] ?? zeros(shape, { dtype: x.dtype, device: x.device as TensorOptions['device'] });
  const c0 = state?.[1] ?? zeros(shape, { dtype: x.dtype, device: x.device as TensorOptions['device'] });
  const [out, h, c] = native().lstm(
    x.handle,
    h0.handle,
    c0.handle,
    params.map((p) => p.handle),
    l.hasBiases,
    l.numLayers,
    o.dropout ?? 0,
    o.training ?? true,
    l.dirs === 2,
    l.batchFirst,
  );
  return { output: wrap(out), h: wrap(h), c: wrap(c) };
}

/**
 * Multi-layer (bi)GRU, same maths and parameter order as torch.nn.GRU (w_ih [3H, in], w_hh [3H, H],
 * b_ih, b_hh per layer and direction; gate order r, z, n).
 * @param h0 initial state [layers·dirs, B, H]; zeros when omitted.
 * @returns output [B, T, dirs·H] (batchFirst) and final h [layers·dirs, B, H].
 */
export function gru(
  x: Tensor,
  params: readonly Tensor[],
  o: RnnOptions = {},
  h0?: Tensor,
): { output: Tensor; h: Tensor } {
  const l = rnnLayout('gru', x, params, 3, o);
  const h =
    h0 ??
    zeros([l.numLayers * l.dirs, l.batch, l.hidden], {
      dtype: x.dtype,
      device: x.device as TensorOptions['device'],
    });
  const [out, hn] = native().gru(
    x.handle,
    h.handle,
    params.map((p) => p.handle),
    l.hasBiases,
    l.numLayers,
    o.dropout ?? 0,
    o.training ?? true,
    l.dirs === 2,
    l.batchFirst,
  );
  return { output: wrap(out), h: wrap(hn) };
}

// ---------------------------------------------------------------- attention

/**
 * softmax(q·kᵀ/√d + mask)·v over the last two dims.
 * @param q [..., Lq, d]; k [..., Lk, d]; v [..., Lk, dv].
 * @param mask bool, true = NOT allowed (PyTorch's attn_mask/key_padding_mask convention), broadcastable
 *   to [..., Lq, Lk]; or a float mask added to the scores.
 * @param dropoutP dropout on the attention weights when `training`; default 0.
 * @returns output [..., Lq, dv] and weights [..., Lq, Lk].
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Tensor | null = null,
  dropoutP = 0,
  training = false,
): { output: Tensor; weights: Tensor } {
  const d = q.size(-1);
  let scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(d));
  if (mask) scores = mask.dtype === 'bool' ? scores.maskedFill(mask, -Infinity) : scores.add(mask);
  let weights = scores.softmax(-1);
  if (dropoutP > 0 && training) weights = dropout(weights, dropoutP, true);
  return { output: weights.matmul(v), weights };
}

/** Parameters of a multi-head attention block, named as in torch.nn.MultiheadAttention. */
export interface MultiHeadAttentionParams {
  /** Shape [3E, E]: q, k, v projections stacked. */
  inProjWeight: Tensor;
  /** [3E] or null. */
  inProjBias: Tensor | null;
  /** [E, E]. */
  outProjWeight: Tensor;
  /** [E] or null. */
  outProjBias: Tensor | null;
}

/**
 * torch.nn.MultiheadAttention forward with batch_first=True, composed from primitives.
 * @param query [B, Lq, E]; key, value [B, Lk, E].
 * @param o.keyPaddingMask bool [B, Lk], true = padding (ignored key).
 * @param o.attnMask bool [Lq, Lk] (true = not allowed) or float additive mask.
 * @returns output [B, Lq, E] and attention weights averaged over heads [B, Lq, Lk].
 */
export function multiHeadAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  p: MultiHeadAttentionParams,
  numHeads: number,
  o: { keyPaddingMask?: Tensor | null; attnMask?: Tensor | null; dropout?: number; training?: boolean } = {},
): { output: Tensor; weights: Tensor } {
  const [B, Lq, E] = query.shape;
  const Lk = key.shape[1];
  if (E % numHeads !== 0)
    throw new EmovoxParameterError(
      'numHeads',
      `multiHeadAttention: embed dim ${E} not divisible by ${numHeads} heads`,
    );
  const hd = E / numHeads;
  const w = (i: number) => p.inProjWeight.slice(0, i * E, (i + 1) * E);
  const b = (i: number) => (p.inProjBias ? p.inProjBias.slice(0, i * E, (i + 1) * E) : null);
  const heads = (t: Tensor, L: number) => t.reshape([B, L, numHeads, hd]).transpose(1, 2);
  const q = heads(linear(query, w(0), b(0)), Lq);
  const k = heads(linear(key, w(1), b(1)), Lk);
  const v = heads(linear(value, w(2), b(2)), Lk);
  let mask: Tensor | null = o.attnMask ?? null;
  if (o.keyPaddingMask) {
    const kp = o.keyPaddingMask.reshape([B, 1, 1, Lk]);
    if (!mask) mask = kp;
    else if (mask.dtype === 'bool') mask = mask.logicalOr(kp);
    else mask = mask.maskedFill(kp, -Infinity);
  }
  const att = scaledDotProductAttention(q, k, v, mask, o.dropout ?? 0, o.training ?? false);
  const merged = att.output.transpose(1, 2).reshape([B, Lq, E]);
  return { output: linear(merged, p.outProjWeight, p.outProjBias), weights: att.weights.mean(1) };
}

// ---------------------------------------------------------------- losses

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /** Per-class weights [C]; default none. */
  weight?: Tensor | null;
  /** Default 'mean' (weighted mean when `weight` is given, as PyTorch). */
  reduction?: Reduction;
  /** Target value that contributes nothing; default -100. */
  ignoreIndex?: number;
  /** Label smoothing in [0, 1); default 0. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy between logits [N, C] (or [N, C, ...]) and int64 class indices [N] (or class
 * probabilities [N, C]), torch.nn.functional.cross_entropy.
 */
export function crossEntropy(logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  return wrap(
    native().crossEntropy(
      logits.handle,
      target.handle,
      opt(o.weight),
      reductionCode(o.reduction ?? 'mean'),
      o.ignoreIndex ?? -100,
      o.labelSmoothing ?? 0,
    ),
  );
}

/** Negative log-likelihood on log-probabilities [N, C] and int64 targets [N]. */
export function nllLoss(
  logProbs: Tensor,
  target: Tensor,
  o: { weight?: Tensor | null; reduction?: Reduction; ignoreIndex?: number } = {},
): Tensor {
  return wrap(
    native().nllLoss(
      logProbs.handle,
      target.handle,
      opt(o.weight),
      reductionCode(o.reduction ?? 'mean'),
      o.ignoreIndex ?? -100,
    ),
  );
}

/**
 * Sigmoid + binary cross-entropy in one stable op (torch binary_cross_entropy_with_logits).
 * @param target same shape as logits, values in [0, 1].
 * @param o.posWeight weight of positive examples per class (broadcast over the last dim).
 */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  target: Tensor,
  o: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  return wrap(
    native().bceWithLogits(
      logits.handle,
      target.handle,
      opt(o.weight),
      opt(o.posWeight),
      reductionCode(o.reduction ?? 'mean'),
    ),
  );
}

/** Mean squared error (reduction default 'mean'). */
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  return wrap(native().mseLoss(a.handle, b.handle, reductionCode(reduction)));
}
