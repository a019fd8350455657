import { Tensor, dispose, keep, noGrad, ops } from '../../engine/index.js';
import { EmovoxInputError } from '../../util/errors.js';
import type { WeightMap } from '../weights.js';
import { freezePattern } from '../arch/image-blocks.js';

/**
 * Base class of emovox layers and models, after torch.nn.Module: named parameters (trainable
 * tensors) and buffers (BatchNorm running statistics), child modules, and train/eval mode.
 * Parameter and buffer names follow PyTorch's state_dict (`convs.0.weight`).
 */
export abstract class Module {
  /** True in training mode (Dropout active, BatchNorm uses and updates batch statistics). */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable tensor (kept, requiring grad) under `name`; returns it. */
  protected param(name: string, tensor: Tensor): Tensor {
    this.ownParams.set(name, keep(tensor));
    return tensor;
  }

  /** Registers a non-trainable state tensor under `name`; returns it. */
  protected buffer(name: string, tensor: Tensor): Tensor {
    this.ownBuffers.set(name, keep(tensor));
    return tensor;
  }

  /** Registers a child module under `name`; returns it. */
  protected child<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /** Trainable parameters with dotted names, in registration order. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [...this.ownParams].map(([n, t]) => [prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Buffers (non-trainable state) with dotted names. */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [...this.ownBuffers].map(([n, t]) => [prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /**
   * Trainable parameters, for optimizers: every parameter except the frozen ones (see
   * {@link Module.freeze}). `namedParameters` and `stateDict` still list all of them.
   */
  parameters(): Tensor[] {
    return this.namedParameters()
      .map(([, t]) => t)
      .filter((t) => t.requiresGrad);
  }

  /**
   * Freezes the parameters whose names match any pattern (`*` matches any run of characters, e.g.
   * `features.*`, `layer1.*`): they stop requiring gradients and leave {@link Module.parameters},
   * so an optimizer built afterwards never updates them. BatchNorm running statistics are buffers
   * and still update in training mode, as in PyTorch.
   * @returns the frozen names.
   */
  freeze(patterns: readonly string[]): string[] {
    const res = patterns.map(freezePattern);
    const frozen: string[] = [];
    for (const [name, t] of this.namedParameters()) {
      if (res.some((re) => re.test(name))) {
        t.requiresGrad_(false);
        frozen.push(name);
      }
    }
    return frozen;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((n, t) => n + t.numel, 0);
  }

  /** Sets training mode on this module and its children; returns this. */
  train(flag = true): this {
    this.training = flag;
    for (const m of this.children.values()) m.train(flag);
    return this;
  }

  /** Sets inference mode (Dropout off, BatchNorm uses running statistics); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Copies every parameter and buffer to plain Float32Arrays (PyTorch state_dict names). */
  stateDict(): WeightMap {
    const out: WeightMap = new Map();
    for (const [name, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
      out.set(name, { shape: t.shape, data: t.toFloat32Array() });
    }
    return out;
  }

  /**
   * Overwrites parameters and buffers from `weights` (same shapes; every name must be present
   * unless `strict` is false, when absent names keep their values).
   * @throws EmovoxInputError('load weights', problem) on a missing or misshapen tensor.
   */
  loadStateDict(weights: WeightMap, strict = true): void {
    noGrad(() => {
      for (const [name, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
        const w = weights.get(name);
        if (!w && !strict) continue;
        if (!w) throw new EmovoxInputError('load weights', `missing ${name}`);
        if (w.shape.join(',') !== t.shape.join(',')) {
          throw new EmovoxInputError('load weights', `${name} has shape [${w.shape}], expected [${t.shape}]`);
        }
        const src = ops.tensor(w.data, { shape: w.shape });
        t.copy_(src);
        src.dispose();
      }
    });
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    dispose([...this.namedParameters(), ...this.namedBuffers()].map(([, t]) => t));
  }
}
