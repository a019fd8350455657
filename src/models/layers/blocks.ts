// Engine-backed building blocks that several model kinds compose: module containers, the
// convolution branch, the ReLU stack and the classifier head. Reached by the kinds through the
// `nn` toolbox only (src/models/layers/nn.ts), never imported by them at run time.
import { Tensor, ops } from '../../engine/index.js';
import type { ModelHost } from '../arch/kind.js';
import { BatchNorm, Conv1d, Conv2d, Linear } from './basic.js';
import { Module } from './module.js';

/** A list of modules named `0`, `1`, ... (torch.nn.ModuleList). */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];
  constructor(items: M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }
}

/** Named modules registered in insertion order (torch.nn.ModuleDict). */
export class ModuleDict<T extends Record<string, Module>> extends Module {
  readonly items: T;
  constructor(items: T) {
    super();
    for (const [name, m] of Object.entries(items)) this.child(name, m);
    this.items = items;
  }
}

/**
 * Conv + BN + ReLU + MaxPool (+ Dropout) blocks and global average pooling, over
 * [batch, inCh, length] (dims 1) or [batch, inCh, h, w] (dims 2); lists `convs` and `bns`.
 */
export class ConvBranch extends Module {
  readonly convs: ModuleList<Conv1d | Conv2d>;
  readonly bns: ModuleList<BatchNorm>;
  constructor(
    readonly dims: 1 | 2,
    inCh: number,
    channels: number[],
    kernel: number,
    readonly pool: number,
    readonly dropout: number,
  ) {
    super();
    const chans = [inCh, ...channels];
    this.convs = this.child(
      'convs',
      new ModuleList(
        channels.map((ch, i) =>
          dims === 1 ? new Conv1d(chans[i], ch, kernel) : new Conv2d(chans[i], ch, kernel),
        ),
      ),
    );
    this.bns = this.child('bns', new ModuleList(channels.map((ch) => new BatchNorm(ch))));
  }
  /**
   * @param training - explicit because cnn1d/cnn2d adopt `convs` and `bns` at the top level
   *   without registering the branch itself (flat state_dict names), so `train()` does not reach it.
   * @returns [batch, channels].
   */
  run(x: Tensor, training: boolean): Tensor {
    let h = x;
    this.convs.items.forEach((conv, i) => {
      // Pooling before the ReLU gives the same values as ReLU then pooling (max commutes with
      // a monotone function), and the ReLU then runs on a tensor `pool` times smaller.
      h = this.bns.items[i].forward(conv.forward(h));
      h = (this.dims === 1 ? ops.maxPool1d(h, this.pool) : ops.maxPool2d(h, this.pool)).relu();
      if (this.dropout > 0 && training) h = ops.dropout(h, this.dropout, true);
    });
    return h.mean(this.dims === 1 ? [2] : [2, 3]);
  }
}

/**
 * Registers `prefix` = a ModuleList of Linear layers (inDim → widths[0] → ...) on `host`.
 * @returns the forward (each layer + ReLU, + Dropout(dropout) in training) and the output width.
 */
export function reluStack(
  host: ModelHost,
  prefix: string,
  inDim: number,
  widths: number[],
  dropout: number,
): { forward: (x: Tensor) => Tensor; width: number } {
  const dims = [inDim, ...widths];
  const layers = host.layer(prefix, new ModuleList(widths.map((h, i) => new Linear(dims[i], h))));
  const forward = (x: Tensor): Tensor => {
    let h = x;
    for (const layer of layers.items) {
      h = layer.forward(h).relu();
      if (dropout > 0 && host.training) h = ops.dropout(h, dropout, true);
    }
    return h;
  };
  return { forward, width: dims[dims.length - 1] };
}

/**
 * Registers the classifier head shared by the kinds on `host`: `dense` Linear(inDim → dense) and
 * `head` Linear(dense → classes).
 * @returns the forward: Dense + ReLU (+ Dropout(dropout) in training) + head → logits.
 */
export function classifierHead(
  host: ModelHost,
  inDim: number,
  dense: number,
  classes: number,
): (x: Tensor, dropout: number) => Tensor {
  const d = host.layer('dense', new Linear(inDim, dense));
  const head = host.layer('head', new Linear(dense, classes));
  return (x, dropout) => {
    let h = d.forward(x).relu();
    if (dropout > 0 && host.training) h = ops.dropout(h, dropout, true);
    return head.forward(h);
  };
}
