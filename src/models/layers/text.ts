// Engine layers of the text model kinds: a window convolution for n-gram filters and the
// Transformer encoder layer (torch.nn.TransformerEncoderLayer, batch_first). Reached by the kinds
// through the `nn` toolbox only.
import { Tensor, init, ops } from '../../engine/index.js';
import { LayerNorm, Linear } from './basic.js';
import { MultiHeadAttention } from './attention.js';
import { Module } from './module.js';

/** Score added to padded keys (finite, so a row with every key padded stays NaN-free). */
const KEY_FILL = -1e9;

/**
 * torch.nn.Conv1d(in, out, kernel) applied to the input padded with kernel - 1 zeros on the
 * right: output position t sees the window t .. t + kernel - 1, so every real token starts a
 * window, even in texts shorter than the kernel. [B, in, T] → [B, out, T].
 */
export class WindowConv1d extends Module {
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
    const padded = this.kernel > 1 ? ops.pad(x, [0, this.kernel - 1]) : x;
    return ops.conv1d(padded, this.weight, this.bias);
  }
}

/** Options of {@link TransformerEncoderLayer}. */
export interface TransformerLayerOptions {
  /** Attention heads (must divide the width). */
  heads: number;
  /** Feed-forward width. */
  ff: number;
  /** Dropout after attention, in and after the feed-forward (training only). */
  dropout: number;
  /** Feed-forward activation. */
  activation: 'relu' | 'gelu';
  /** Pre-LN (LayerNorm before each block, torch's norm_first) instead of post-LN. */
  normFirst: boolean;
}

/**
 * torch.nn.TransformerEncoderLayer(d, heads, ff, dropout, activation, batch_first=True,
 * norm_first): state_dict names `self_attn.in_proj_weight`, `self_attn.out_proj.weight`,
 * `linear1`, `linear2`, `norm1`, `norm2` (LayerNorm ε 1e-5).
 */
export class TransformerEncoderLayer extends Module {
  readonly selfAttn: MultiHeadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  constructor(
    readonly dim: number,
    readonly o: TransformerLayerOptions,
  ) {
    super();
    this.selfAttn = this.child('self_attn', new MultiHeadAttention(dim, o.heads, o.dropout));
    this.linear1 = this.child('linear1', new Linear(dim, o.ff));
    this.linear2 = this.child('linear2', new Linear(o.ff, dim));
    this.norm1 = this.child('norm1', new LayerNorm(dim));
    this.norm2 = this.child('norm2', new LayerNorm(dim));
  }

  private drop(x: Tensor): Tensor {
    return this.o.dropout > 0 && this.training ? ops.dropout(x, this.o.dropout, true) : x;
  }

  private attend(x: Tensor, keyFill: Tensor): Tensor {
    const a = this.selfAttn;
    const p = {
      inProjWeight: a.inProjWeight,
      inProjBias: a.inProjBias,
      outProjWeight: a.outProjWeight,
      outProjBias: a.outProjBias,
    };
    return this.drop(
      ops.multiHeadAttention(x, x, x, p, this.o.heads, {
        attnMask: keyFill,
        dropout: this.o.dropout,
        training: this.training,
      }).output,
    );
  }

  private feedForward(x: Tensor): Tensor {
    const h = this.linear1.forward(x);
    const act = this.o.activation === 'gelu' ? h.gelu() : h.relu();
    return this.drop(this.linear2.forward(this.drop(act)));
  }

  /**
   * @param x - [batch, tokens, dim].
   * @param mask - bool [batch, tokens], true for real tokens; padded tokens are ignored as keys.
   * @returns [batch, tokens, dim].
   */
  forward(x: Tensor, mask: Tensor): Tensor {
    const [batch, tokens] = mask.shape;
    const keyFill = mask.logicalNot().float().mul(KEY_FILL).reshape([batch, 1, 1, tokens]);
    if (this.o.normFirst) {
      const h = x.add(this.attend(this.norm1.forward(x), keyFill));
      return h.add(this.feedForward(this.norm2.forward(h)));
    }
    const h = this.norm1.forward(x.add(this.attend(x, keyFill)));
    return this.norm2.forward(h.add(this.feedForward(h)));
  }
}

/** Masked max over time of non-negative features h [B, C, T] (ReLU outputs): 0 when no position is valid. */
export function maskedMaxOverTime(h: Tensor, mask: Tensor): Tensor {
  return h.mul(mask.float().unsqueeze(1)).amax(2);
}
