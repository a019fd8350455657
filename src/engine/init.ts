/**
 * Parameter initialisation matching PyTorch's defaults, so layers written on this engine start
 * from the same distributions as torch.nn layers (and, with the same `manualSeed` and creation
 * order, often the same numbers).
 */
import { EmovoxParameterError } from '../util/errors.js';
import type { DType, Device } from './native.js';
import { full, zeros } from './ops.js';
import { keep } from './scope.js';
import type { Tensor, Shape } from './tensor.js';

/** Where parameters are created. */
export interface ParamOptions {
  /** Default float32. */
  dtype?: DType;
  /** Default cpu. */
  device?: Device;
}

/** [fanIn, fanOut] of a weight of shape [out, in, ...kernel] (torch.nn.init._calculate_fan_in_and_fan_out). */
export function fanInAndFanOut(shape: Shape): [number, number] {
  if (shape.length < 2)
    throw new EmovoxParameterError('shape', `fan in/out needs at least 2 dims, got [${shape}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

/** Gain for a nonlinearity (torch.nn.init.calculate_gain). `param` is leaky_relu's negative slope. */
export function calculateGain(
  nonlinearity: 'linear' | 'conv' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu',
  param = 0.01,
): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + param * param));
    default:
      throw new EmovoxParameterError('nonlinearity', `unknown nonlinearity ${String(nonlinearity)}`);
  }
}

/** Options of the Kaiming initialisers (torch defaults: a=0, mode fan_in, leaky_relu). */
export interface KaimingOptions {
  /** Negative slope of the following leaky ReLU; default 0. */
  a?: number;
  /** Default 'fanIn'. */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leaky_relu'. */
  nonlinearity?: 'linear' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fanIn, fanOut] = fanInAndFanOut(t.shape);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return gain / Math.sqrt((o.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut);
}

/** Fills `t` with U(-b, b), b = gain·√(3/fan) (torch.nn.init.kaiming_uniform_); returns t. */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, o);
  return t.uniform_(-bound, bound);
}

/** Fills `t` with N(0, (gain/√fan)²) (torch.nn.init.kaiming_normal_); returns t. */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return t.normal_(0, kaimingStd(t, o));
}

/** Fills `t` with U(-b, b), b = gain·√(6/(fanIn+fanOut)) (torch.nn.init.xavier_uniform_); returns t. */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = fanInAndFanOut(t.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return t.uniform_(-bound, bound);
}

/** Fills `t` with N(0, gain²·2/(fanIn+fanOut)) (torch.nn.init.xavier_normal_); returns t. */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = fanInAndFanOut(t.shape);
  return t.normal_(0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** A new kept leaf tensor with requiresGrad, filled by `fill`. */
function param(shape: Shape, o: ParamOptions, fill: (t: Tensor) => void): Tensor {
  const t = keep(zeros(shape, { dtype: o.dtype ?? 'float32', device: o.device ?? 'cpu' }));
  fill(t);
  return t.requiresGrad_(true);
}

/** Weight and bias of a torch.nn.Linear / Conv layer: kaiming_uniform(a=√5) and U(±1/√fanIn). */
function weightAndBias(weightShape: number[], outFeatures: number, bias: boolean, o: ParamOptions) {
  const weight = param(weightShape, o, (t) => kaimingUniform_(t, { a: Math.sqrt(5) }));
  const fanIn = fanInAndFanOut(weightShape)[0];
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return { weight, bias: bias ? param([outFeatures], o, (t) => t.uniform_(-bound, bound)) : null };
}

/**
 * Parameters of torch.nn.Linear(inFeatures, outFeatures): weight [out, in], bias [out] (or null).
 * Tensors are kept (outside tidy) and require grad. `bias` default true.
 */
export function linearParams(
  inFeatures: number,
  outFeatures: number,
  o: ParamOptions & { bias?: boolean } = {},
): { weight: Tensor; bias: Tensor | null } {
  return weightAndBias([outFeatures, inFeatures], outFeatures, o.bias ?? true, o);
}

/** Parameters of torch.nn.Conv1d: weight [out, in/groups, k], bias [out]. `groups` 1, `bias` true. */
export function conv1dParams(
  inChannels: number,
  outChannels: number,
  kernelSize: number,
  o: ParamOptions & { bias?: boolean; groups?: number } = {},
): { weight: Tensor; bias: Tensor | null } {
  const groups = o.groups ?? 1;
  return weightAndBias([outChannels, inChannels / groups, kernelSize], outChannels, o.bias ?? true, o);
}

/** Parameters of torch.nn.Conv2d: weight [out, in/groups, kH, kW], bias [out]. */
export function conv2dParams(
  inChannels: number,
  outChannels: number,
  kernelSize: number | [number, number],
  o: ParamOptions & { bias?: boolean; groups?: number } = {},
): { weight: Tensor; bias: Tensor | null } {
  const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  const groups = o.groups ?? 1;
  return weightAndBias([outChannels, inChannels / groups, kh, kw], outChannels, o.bias ?? true, o);
}

/** Flat recurrent parameters plus their torch state_dict names (weight_ih_l0, ..._reverse). */
export interface RnnParams {
  params: Tensor[];
  names: string[];
}

function rnnParams(gates: number, inputSize: number, hiddenSize: number, o: RnnParamOptions): RnnParams {
  const numLayers = o.numLayers ?? 1;
  const dirs = o.bidirectional ? 2 : 1;
  const bias = o.bias ?? true;
  const bound = 1 / Math.sqrt(hiddenSize);
  const params: Tensor[] = [];
  const names: string[] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
    for (let d = 0; d < dirs; d++) {
      const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
      const add = (name: string, shape: number[]) => {
        params.push(param(shape, o, (t) => t.uniform_(-bound, bound)));
        names.push(name + suffix);
      };
      add('weight_ih', [gates * hiddenSize, inSize]);
      add('weight_hh', [gates * hiddenSize, hiddenSize]);
      if (bias) {
        add('bias_ih', [gates * hiddenSize]);
        add('bias_hh', [gates * hiddenSize]);
      }
    }
  }
  return { params, names };
}

/** Options of `lstmParams` / `gruParams`. */
export interface RnnParamOptions extends ParamOptions {
  /** Default 1. */
  numLayers?: number;
  /** Default false. */
  bidirectional?: boolean;
  /** Default true. */
  bias?: boolean;
}

/** Parameters of torch.nn.LSTM in its order, all U(±1/√hidden); pass `.params` to `ops.lstm`. */
export function lstmParams(inputSize: number, hiddenSize: number, o: RnnParamOptions = {}): RnnParams {
  return rnnParams(4, inputSize, hiddenSize, o);
}

/** Parameters of torch.nn.GRU in its order, all U(±1/√hidden); pass `.params` to `ops.gru`. */
export function gruParams(inputSize: number, hiddenSize: number, o: RnnParamOptions = {}): RnnParams {
  return rnnParams(3, inputSize, hiddenSize, o);
}

/** torch.nn.Embedding weight [num, dim] ~ N(0, 1), with row `paddingIdx` zeroed when given. */
export function embeddingParams(
  numEmbeddings: number,
  dim: number,
  o: ParamOptions & { paddingIdx?: number } = {},
): Tensor {
  return param([numEmbeddings, dim], o, (t) => {
    t.normal_(0, 1);
    if (o.paddingIdx !== undefined)
      t.slice(0, o.paddingIdx, o.paddingIdx + 1)
        .zero_()
        .dispose();
  });
}

/**
 * torch.nn.BatchNorm{1,2}d(C) state: weight 1 and bias 0 (trainable), runningMean 0 and
 * runningVar 1 (buffers, no grad). All kept.
 */
export function batchNormParams(
  numFeatures: number,
  o: ParamOptions = {},
): { weight: Tensor; bias: Tensor; runningMean: Tensor; runningVar: Tensor } {
  const like = { dtype: o.dtype ?? 'float32', device: o.device ?? 'cpu' } as const;
  return {
    weight: param([numFeatures], o, (t) => t.fill_(1)),
    bias: param([numFeatures], o, (t) => t.fill_(0)),
    runningMean: keep(zeros([numFeatures], like)),
    runningVar: keep(full([numFeatures], 1, like)),
  };
}

/** torch.nn.LayerNorm(shape): weight 1, bias 0, kept, requiring grad. */
export function layerNormParams(
  normalizedShape: Shape,
  o: ParamOptions = {},
): { weight: Tensor; bias: Tensor } {
  return {
    weight: param(normalizedShape, o, (t) => t.fill_(1)),
    bias: param(normalizedShape, o, (t) => t.fill_(0)),
  };
}

/**
 * torch.nn.MultiheadAttention(E) parameters: inProjWeight [3E, E] xavier_uniform, inProjBias 0,
 * outProjWeight [E, E] kaiming_uniform(a=√5), outProjBias 0. `bias` default true.
 */
export function multiHeadAttentionParams(
  embedDim: number,
  o: ParamOptions & { bias?: boolean } = {},
): { inProjWeight: Tensor; inProjBias: Tensor | null; outProjWeight: Tensor; outProjBias: Tensor | null } {
  const bias = o.bias ?? true;
  return {
    inProjWeight: param([3 * embedDim, embedDim], o, (t) => xavierUniform_(t)),
    inProjBias: bias ? param([3 * embedDim], o, (t) => t.fill_(0)) : null,
    outProjWeight: param([embedDim, embedDim], o, (t) => kaimingUniform_(t, { a: Math.sqrt(5) })),
    outProjBias: bias ? param([embedDim], o, (t) => t.fill_(0)) : null,
  };
}
