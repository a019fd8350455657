// Placing layers at dotted state_dict paths (torchvision's `features.1.0.block.0.0`) and
// re-initialising their parameters the way a kind's plan says. Engine-backed; kinds reach it
// through the `nn` toolbox.
import { Tensor, noGrad } from '../../engine/index.js';
import type { InitSpec, ModelHost } from '../arch/kind.js';
import { Module } from './module.js';

/** A container whose children are added by name after construction (a torch.nn.Module holder). */
export class ModuleNode extends Module {
  /** Registers `module` under `name`; returns it. */
  add<M extends Module>(name: string, module: M): M {
    return this.child(name, module);
  }
}

/**
 * Registers layers at dotted paths on a model, creating the intermediate containers, so that the
 * state_dict names equal the path plus the layer's own parameter names: `place('features.0.0',
 * conv)` gives `features.0.0.weight`. Layers register in call order (the engine's generator
 * initialises them in that order).
 */
export class ModuleTree {
  private readonly nodes = new Map<string, ModuleNode>();
  constructor(private readonly host: ModelHost) {}

  /** Registers `module` at `path` (at least one segment); returns it. */
  place<M extends Module>(path: string, module: M): M {
    const parts = path.split('.');
    if (parts.length === 1) return this.host.layer(path, module);
    let parent = this.node(parts[0], null);
    for (let i = 1; i < parts.length - 1; i++) parent = this.node(parts.slice(0, i + 1).join('.'), parent);
    return parent.add(parts[parts.length - 1], module);
  }

  private node(path: string, parent: ModuleNode | null): ModuleNode {
    let node = this.nodes.get(path);
    if (!node) {
      node = new ModuleNode();
      const name = path.slice(path.lastIndexOf('.') + 1);
      if (parent) parent.add(name, node);
      else this.host.layer(name, node);
      this.nodes.set(path, node);
    }
    return node;
  }
}

/** Refills `t` in place from a plan's {@link InitSpec} (without recording gradients); returns it. */
export function initTensor(t: Tensor, spec: InitSpec): Tensor {
  noGrad(() => {
    if (spec.kind === 'uniform') t.uniform_(-spec.bound, spec.bound);
    else if (spec.kind === 'normal') t.normal_(0, spec.std);
    else t.fill_(spec.value);
  });
  return t;
}

/**
 * Re-initialises a layer's `weight` and `bias` (when it has them) from the plan's init specs, e.g.
 * torchvision's N(0, 2/fan_out) convolutions; returns the layer.
 */
export function initLayer<M extends Module & { weight: Tensor; bias: Tensor | null }>(
  layer: M,
  weight: InitSpec,
  bias?: InitSpec,
): M {
  initTensor(layer.weight, weight);
  if (bias && layer.bias) initTensor(layer.bias, bias);
  return layer;
}
