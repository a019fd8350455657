import { EmovoxParameterError } from '../util/errors.js';
import {
  native,
  type NativeOptimizer,
  type NativeOptimizerOptions,
  type NativeOptimizerParamState,
} from './native.js';
import { Tensor } from './tensor.js';

/** One buffer of an {@link OptimizerState}: float32 values and the parameter's shape. */
export interface OptimizerStateBuffer {
  shape: number[];
  data: Float32Array;
}

/**
 * Everything an optimizer carries between steps, as plain arrays (JSON/binary-serialisable):
 * its kind, learning rate, and per parameter (in the order the optimizer was given them) null
 * before the first step, else the step count and its buffers (Adam/AdamW `expAvg`, `expAvgSq`,
 * `maxExpAvgSq` with amsgrad; SGD `momentumBuffer`). Loading it into a fresh optimizer of the
 * same kind over the same parameter shapes continues training exactly where it stopped.
 */
export interface OptimizerState {
  kind: 'adam' | 'adamw' | 'sgd';
  lr: number;
  params: ({ step: number; buffers: Record<string, OptimizerStateBuffer> } | null)[];
}

/**
 * A libtorch optimizer over a list of parameter tensors (leaves with requiresGrad). It updates the
 * parameters in place, so the Tensor objects you hold see the new values. Call `dispose()` when
 * done to free its state (moments, momentum buffers).
 */
export class Optimizer {
  /** The parameters this optimizer updates, in the order given. */
  readonly params: readonly Tensor[];
  /** Which libtorch optimizer this is. */
  readonly kind: 'adam' | 'adamw' | 'sgd';
  private readonly handle: NativeOptimizer;
  private disposed = false;

  protected constructor(
    kind: 'adam' | 'adamw' | 'sgd',
    params: readonly Tensor[],
    options: NativeOptimizerOptions,
  ) {
    if (params.length === 0) throw new EmovoxParameterError('params', `${kind}: empty parameter list`);
    if (!(options.lr > 0)) throw new EmovoxParameterError('lr', `${kind}: must be > 0, got ${options.lr}`);
    for (const p of params) {
      if (!p.requiresGrad)
        throw new EmovoxParameterError(
          'params',
          `${kind}: every parameter must have requiresGrad (got ${p.toString()})`,
        );
    }
    this.params = [...params];
    this.kind = kind;
    this.handle = native().optimizer(
      kind,
      params.map((p) => p.handle),
      options,
    );
  }

  /** Applies one update from the parameters' current `.grad` (parameters without grad are skipped). */
  step(): void {
    this.handle.step();
  }

  /** Clears the gradients of every parameter; `setToNone` (default true) frees them instead of zeroing. */
  zeroGrad(setToNone = true): void {
    this.handle.zeroGrad(setToNone);
  }

  /** Learning rate (all parameter groups). Set it for schedules. */
  get lr(): number {
    return this.handle.getLr();
  }
  set lr(value: number) {
    if (!(value >= 0)) throw new EmovoxParameterError('lr', `must be >= 0, got ${value}`);
    this.handle.setLr(value);
  }

  /**
   * Copies the optimizer's state (moments, momentum buffers, step counts, learning rate) into
   * plain arrays, for checkpoints.
   */
  stateDict(): OptimizerState {
    const raw = this.handle.getState();
    const params = raw.map((entry) => {
      if (entry === null) return null;
      const buffers: Record<string, OptimizerStateBuffer> = {};
      for (const [name, handle] of Object.entries(entry.buffers)) {
        const t = new Tensor(handle);
        try {
          buffers[name] = { shape: t.shape, data: t.toFloat32Array() };
        } finally {
          t.dispose();
        }
      }
      return { step: entry.step, buffers };
    });
    return { kind: this.kind, lr: this.lr, params };
  }

  /**
   * Restores a state from {@link stateDict} (same kind, same parameter count and shapes), learning
   * rate included.
   * @throws TypeError when the kind, parameter count or a buffer shape differs.
   */
  loadStateDict(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new TypeError(`optimizer state is for ${state.kind}, this optimizer is ${this.kind}`);
    }
    if (state.params.length !== this.params.length) {
      throw new TypeError(
        `optimizer state has ${state.params.length} parameters, this optimizer ${this.params.length}`,
      );
    }
    const made: Tensor[] = [];
    try {
      const entries: (NativeOptimizerParamState | null)[] = state.params.map((entry, i) => {
        if (entry === null) return null;
        const buffers: Record<string, NativeOptimizerParamState['buffers'][string]> = {};
        for (const [name, b] of Object.entries(entry.buffers)) {
          const expected = this.params[i].shape;
          if (b.shape.join(',') !== expected.join(',')) {
            throw new TypeError(
              `optimizer state: ${name} of parameter ${i} has shape [${b.shape.join(', ')}], expected [${expected.join(', ')}]`,
            );
          }
          const t = new Tensor(native().fromData(b.data, b.shape, 'float32', this.params[i].device, false));
          made.push(t);
          buffers[name] = t.handle;
        }
        return { step: entry.step, buffers };
      });
      this.handle.setState(entries);
    } finally {
      for (const t of made) t.dispose();
    }
    this.lr = state.lr;
  }

  /** Frees the optimizer state now; later calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.handle.dispose();
  }
}

/** Adam options (torch.optim.Adam defaults). */
export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient; default 0 (Adam) / 1e-2 decoupled (AdamW). */
  weightDecay?: number;
  /** Default false. */
  amsgrad?: boolean;
}

function adamOptions(o: AdamOptions, defaultDecay: number): NativeOptimizerOptions {
  return {
    lr: o.lr ?? 1e-3,
    beta1: o.betas?.[0] ?? 0.9,
    beta2: o.betas?.[1] ?? 0.999,
    eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? defaultDecay,
    amsgrad: o.amsgrad ?? false,
  };
}

/** torch.optim.Adam (weight decay as L2 on the gradient). */
export class Adam extends Optimizer {
  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super('adam', params, adamOptions(options, 0));
  }
}

/** torch.optim.AdamW (decoupled weight decay, default 1e-2). */
export class AdamW extends Optimizer {
  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super('adamw', params, adamOptions(options, 1e-2));
  }
}

/** SGD options (torch.optim.SGD defaults). */
export interface SgdOptions {
  /** Required. */
  lr: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0); default false. */
  nesterov?: boolean;
}

/** torch.optim.SGD with optional momentum / Nesterov / weight decay. */
export class SGD extends Optimizer {
  constructor(params: readonly Tensor[], options: SgdOptions) {
    super('sgd', params, {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
    });
  }
}

/**
 * Rescales the gradients of `params` in place so their joint norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_).
 * @param normType p of the p-norm; default 2 (use Infinity for the max norm).
 * @returns the total norm before clipping.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number, normType = 2): number {
  return native().clipGradNorm(
    params.map((p) => p.handle),
    maxNorm,
    normType,
  );
}
