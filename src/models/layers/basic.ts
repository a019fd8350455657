import { Tensor, init, ops } from '../../engine/index.js';
import { Module } from './module.js';

/** torch.nn.Linear: y = x Wᵀ + b over the last axis. Parameters `weight` [out, in], `bias` [out]. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** @param bias - add a bias (default true). */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
  ) {
    super();
    const p = init.linearParams(inFeatures, outFeatures, { bias });
    this.weight = this.param('weight', p.weight);
    this.bias = p.bias ? this.param('bias', p.bias) : null;
  }
  forward(x: Tensor): Tensor {
    return ops.linear(x, this.weight, this.bias);
  }
}

/** torch.nn.Conv1d with stride 1 and "same" padding (odd kernel): [B, in, L] → [B, out, L]. */
export class Conv1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
  ) {
    super();
    const p = init.conv1dParams(inChannels, outChannels, kernel);
    this.weight = this.param('weight', p.weight);
    this.bias = this.param('bias', p.bias!);
  }
  forward(x: Tensor): Tensor {
    return ops.conv1d(x, this.weight, this.bias, { padding: (this.kernel - 1) / 2 });
  }
}

/** Options of {@link Conv2d}; the defaults give stride 1, "same" padding and a bias. */
export interface Conv2dOptions {
  /** Stride on both axes (default 1). */
  stride?: number;
  /** Zero padding on each side of both axes (default (kernel - 1) / 2: "same" for odd kernels). */
  padding?: number;
  /** Channel groups (default 1; `groups = inChannels` is a depthwise convolution). */
  groups?: number;
  /** Add a bias (default true; false before a BatchNorm, as torchvision's backbones). */
  bias?: boolean;
}

/**
 * torch.nn.Conv2d(in, out, kernel, stride, padding, groups, bias) over [B, in, H, W] (square
 * kernel): out H = floor((H + 2·padding − kernel) / stride) + 1. Parameters `weight`
 * [out, in/groups, k, k] and `bias` [out] (absent with `bias: false`).
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: number;
  readonly groups: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    options: Conv2dOptions = {},
  ) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? (kernel - 1) / 2;
    this.groups = options.groups ?? 1;
    const p = init.conv2dParams(inChannels, outChannels, kernel, {
      groups: this.groups,
      bias: options.bias ?? true,
    });
    this.weight = this.param('weight', p.weight);
    this.bias = p.bias ? this.param('bias', p.bias) : null;
  }
  forward(x: Tensor): Tensor {
    return ops.conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      groups: this.groups,
    });
  }
}

/**
 * torch.nn.BatchNorm1d / BatchNorm2d over channel axis 1 (momentum 0.1, ε default 1e-5): batch
 * statistics in training mode (running statistics updated), running statistics in eval mode.
 */
export class BatchNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** @param eps - added to the variance (default 1e-5, PyTorch's; TensorFlow ports use 1e-3). */
  constructor(
    readonly channels: number,
    readonly eps = 1e-5,
  ) {
    super();
    const p = init.batchNormParams(channels);
    this.weight = this.param('weight', p.weight);
    this.bias = this.param('bias', p.bias);
    this.runningMean = this.buffer('running_mean', p.runningMean);
    this.runningVar = this.buffer('running_var', p.runningVar);
  }
  forward(x: Tensor): Tensor {
    return ops.batchNorm(x, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: this.training,
      momentum: 0.1,
      eps: this.eps,
    });
  }
}
/** BatchNorm over [B, C] or [B, C, L]. */
export class BatchNorm1d extends BatchNorm {}
/** BatchNorm over [B, C, H, W]. */
export class BatchNorm2d extends BatchNorm {}

/** torch.nn.LayerNorm over the last axis (ε 1e-5). */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly features: number) {
    super();
    const p = init.layerNormParams([features]);
    this.weight = this.param('weight', p.weight);
    this.bias = this.param('bias', p.bias);
  }
  forward(x: Tensor): Tensor {
    return ops.layerNorm(x, [this.features], this.weight, this.bias, 1e-5);
  }
}

/** torch.nn.Dropout: zeroes elements with probability p in training mode (scaled by 1/(1-p)). */
export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.p > 0 && this.training ? ops.dropout(x, this.p, true) : x;
  }
}

/** Max pooling with kernel = stride (floor mode) over 1 or 2 spatial axes. */
export class MaxPool extends Module {
  constructor(
    readonly kernel: number,
    readonly dims: 1 | 2,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.dims === 1 ? ops.maxPool1d(x, this.kernel) : ops.maxPool2d(x, this.kernel);
  }
}

/** Average pooling with kernel = stride over 1 or 2 spatial axes. */
export class AvgPool extends Module {
  constructor(
    readonly kernel: number,
    readonly dims: 1 | 2,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.dims === 1 ? ops.avgPool1d(x, this.kernel) : ops.avgPool2d(x, this.kernel);
  }
}

/** Adaptive average pooling to `size` over 1 or 2 spatial axes (size 1 = global average). */
export class AdaptiveAvgPool extends Module {
  constructor(
    readonly size: number,
    readonly dims: 1 | 2,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.dims === 1 ? ops.adaptiveAvgPool1d(x, this.size) : ops.adaptiveAvgPool2d(x, this.size);
  }
}

/** Names of the element-wise activations of {@link Activation}. */
export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'elu' | 'leakyRelu' | 'silu';

/** An element-wise activation as a layer. */
export class Activation extends Module {
  constructor(readonly name: ActivationName) {
    super();
  }
  forward(x: Tensor): Tensor {
    switch (this.name) {
      case 'relu':
        return x.relu();
      case 'tanh':
        return x.tanh();
      case 'sigmoid':
        return x.sigmoid();
      case 'gelu':
        return x.gelu();
      case 'elu':
        return x.elu();
      case 'leakyRelu':
        return x.leakyRelu();
      case 'silu':
        return x.silu();
    }
  }
}

/** torch.nn.Embedding(num, dim, padding_idx): rows of `weight` at integer ids. */
export class Embedding extends Module {
  readonly weight: Tensor;
  /** @param paddingIdx - id whose row starts at zero and gets no gradient (default 0; -1 for none). */
  constructor(
    readonly num: number,
    readonly dim: number,
    readonly paddingIdx = 0,
  ) {
    super();
    this.weight = this.param('weight', init.embeddingParams(num, dim, paddingIdx >= 0 ? { paddingIdx } : {}));
  }
  forward(ids: Tensor): Tensor {
    return ops.embedding(ids, this.weight, this.paddingIdx);
  }
}

/** A bare trainable tensor `weight` of `shape` filled with `value` (e.g. learned fusion weights). */
export class ParameterVector extends Module {
  readonly weight: Tensor;
  constructor(shape: number[], value = 0) {
    super();
    this.weight = this.param('weight', ops.full(shape, value, { requiresGrad: true }));
  }
}
