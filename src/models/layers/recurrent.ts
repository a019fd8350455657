import { Tensor, init, ops } from '../../engine/index.js';
import { Module } from './module.js';

/** Options of {@link LSTM} and {@link GRU}. */
export interface RecurrentOptions {
  /** Stacked layers (default 1). */
  layers?: number;
  /** Run both directions and concatenate (default false). */
  bidirectional?: boolean;
}

/**
 * Index [batch, frames, features] that reverses each sequence within its length and leaves the
 * padding in place, so a forward pass over the result is the reverse direction of a packed RNN.
 */
function reverseIndex(lengths: Int32Array, frames: number, features: number): Tensor {
  const idx = new BigInt64Array(lengths.length * frames);
  for (let b = 0; b < lengths.length; b++) {
    const len = Math.min(lengths[b], frames);
    for (let t = 0; t < frames; t++) idx[b * frames + t] = BigInt(t < len ? len - 1 - t : t);
  }
  return ops.tensor(idx, { shape: [lengths.length, frames, 1] }).expand([lengths.length, frames, features]);
}

abstract class Recurrent extends Module {
  readonly weights: Tensor[];
  readonly layers: number;
  readonly bidirectional: boolean;

  constructor(
    private readonly gates: 3 | 4,
    readonly inputSize: number,
    readonly hiddenSize: number,
    o: RecurrentOptions,
  ) {
    super();
    this.layers = o.layers ?? 1;
    this.bidirectional = o.bidirectional ?? false;
    const make = gates === 4 ? init.lstmParams : init.gruParams;
    const p = make(inputSize, hiddenSize, { numLayers: this.layers, bidirectional: this.bidirectional });
    this.weights = p.params.map((t, i) => this.param(p.names[i], t));
  }

  private run(x: Tensor, params: Tensor[], layers: number, bidirectional: boolean): Tensor {
    const o = { numLayers: layers, bidirectional, batchFirst: true, training: this.training };
    return this.gates === 4 ? ops.lstm(x, params, o).output : ops.gru(x, params, o).output;
  }

  /**
   * Runs the RNN over x [batch, frames, features].
   * @param lengths - optional valid frame counts per sequence (int32 [batch]); when some are
   *   shorter than `frames`, the reverse direction starts at each sequence's last valid frame
   *   (as PyTorch's packed sequences). Outputs at padded frames are unspecified: mask them.
   * @returns [batch, frames, directions * hidden].
   */
  forward(x: Tensor, lengths?: Tensor): Tensor {
    const frames = x.shape[1];
    const lens = lengths?.toInt32Array();
    const full = !lens || lens.every((l) => l >= frames);
    if (full || !this.bidirectional) return this.run(x, this.weights, this.layers, this.bidirectional);
    const per = 4;
    let h = x;
    for (let l = 0; l < this.layers; l++) {
      const fwd = this.weights.slice(2 * l * per, (2 * l + 1) * per);
      const bwd = this.weights.slice((2 * l + 1) * per, (2 * l + 2) * per);
      const idx = reverseIndex(lens, frames, h.shape[2]);
      const forwardOut = this.run(h, fwd, 1, false);
      const reversed = this.run(h.gather(1, idx), bwd, 1, false);
      const back = reversed.gather(1, reverseIndex(lens, frames, this.hiddenSize));
      h = ops.cat([forwardOut, back], 2);
    }
    return h;
  }
}

/** torch.nn.LSTM(batch_first=True) with state_dict names `weight_ih_l0`, `..._reverse`. */
export class LSTM extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, o: RecurrentOptions = {}) {
    super(4, inputSize, hiddenSize, o);
  }
}

/** torch.nn.GRU(batch_first=True) with state_dict names `weight_ih_l0`, `..._reverse`. */
export class GRU extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, o: RecurrentOptions = {}) {
    super(3, inputSize, hiddenSize, o);
  }
}
