import { Tensor, init, ops } from '../../engine/index.js';
import { Linear } from './basic.js';
import { Module } from './module.js';

/** Score given to masked frames before softmax (exp underflows to exactly 0, no NaN for empty rows). */
export const MASK_FILL = -1e9;

/**
 * Boolean mask [batch, frames]: true where frame index < length.
 * @param lengths - int32 or int64 [batch].
 */
export function lengthMask(lengths: Tensor, frames: number): Tensor {
  return ops.arange(0, frames).unsqueeze(0).lt(lengths.long().unsqueeze(1));
}

/** Mean of x [batch, frames, dim] over frames where mask [batch, frames] is true. */
export function maskedMean(x: Tensor, mask: Tensor): Tensor {
  const m = mask.float();
  return m.unsqueeze(1).matmul(x).squeeze(1).div(m.sum(1, true).clamp(1));
}

function attend(h: Tensor, scores: Tensor, mask: Tensor): Tensor {
  const alpha = scores.maskedFill(mask.logicalNot(), MASK_FILL).softmax(1);
  return alpha.unsqueeze(1).matmul(h).squeeze(1);
}

/** Additive self-attention pooling: α = softmax(v·tanh(W h + b)) over frames, returns Σ α h. */
export class AdditiveAttentionPool extends Module {
  readonly proj: Linear;
  readonly score: Linear;
  constructor(
    readonly dim: number,
    readonly attentionDim: number,
  ) {
    super();
    this.proj = this.child('proj', new Linear(dim, attentionDim));
    this.score = this.child('score', new Linear(attentionDim, 1, false));
  }
  /** @param h - [batch, frames, dim]; mask - bool [batch, frames]. @returns [batch, dim]. */
  forward(h: Tensor, mask: Tensor): Tensor {
    return attend(h, this.score.forward(this.proj.forward(h).tanh()).squeeze(2), mask);
  }
}

/** Temporal attention pooling: α = softmax(w·h + b) over frames, returns Σ α h. */
export class TemporalAttentionPool extends Module {
  readonly score: Linear;
  constructor(readonly dim: number) {
    super();
    this.score = this.child('score', new Linear(dim, 1));
  }
  /** @param h - [batch, frames, dim]; mask - bool [batch, frames]. @returns [batch, dim]. */
  forward(h: Tensor, mask: Tensor): Tensor {
    return attend(h, this.score.forward(h).squeeze(2), mask);
  }
}

/** torch.nn.MultiheadAttention(batch_first=True) self-attention; names `in_proj_weight`, `out_proj.weight`. */
export class MultiHeadAttention extends Module {
  readonly inProjWeight: Tensor;
  readonly inProjBias: Tensor;
  readonly outProjWeight: Tensor;
  readonly outProjBias: Tensor;
  constructor(
    readonly dim: number,
    readonly heads: number,
    readonly dropout = 0,
  ) {
    super();
    const p = init.multiHeadAttentionParams(dim);
    this.inProjWeight = this.param('in_proj_weight', p.inProjWeight);
    this.inProjBias = this.param('in_proj_bias', p.inProjBias!);
    const out = this.child('out_proj', new OutProjection(p.outProjWeight, p.outProjBias!));
    this.outProjWeight = out.weight;
    this.outProjBias = out.bias;
  }
  /**
   * Self-attention over x [batch, frames, dim] with padded frames (mask false) ignored as keys.
   * @returns [batch, frames, dim].
   */
  forward(x: Tensor, mask?: Tensor): Tensor {
    const p = {
      inProjWeight: this.inProjWeight,
      inProjBias: this.inProjBias,
      outProjWeight: this.outProjWeight,
      outProjBias: this.outProjBias,
    };
    return ops.multiHeadAttention(x, x, x, p, this.heads, {
      keyPaddingMask: mask ? mask.logicalNot() : null,
      dropout: this.dropout,
      training: this.training,
    }).output;
  }
}

/** Holder so the output projection is named `out_proj.weight` / `out_proj.bias` as in PyTorch. */
class OutProjection extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(weight: Tensor, bias: Tensor) {
    super();
    this.weight = this.param('weight', weight);
    this.bias = this.param('bias', bias);
  }
}
