// Engine side of the model zoo: the model class every kind builds into, and buildModel. The
// architectures themselves live in src/models/arch/, one module per kind.
import type { Tensor } from '../engine/index.js';
import { kindOf } from './arch/index.js';
import type { Forward, ModelHost } from './arch/kind.js';
import { resolveConfig, type ModelConfig, type Resolved } from './config.js';
import { Module } from './layers/module.js';
import { nn } from './layers/nn.js';
import { EmovoxInputError } from '../util/errors.js';
import type { WeightMap } from './weights.js';
import { pretrainedWeights } from './pretrained.js';

export { ModuleList, ModuleDict } from './layers/blocks.js';

/** Model inputs by name, as in {@link modelInputs}: `features`, `spectrogram`, `frames`, `lengths`, ... */
export type ModelInputs = Record<string, Tensor>;

/** Base of the model zoo: a Module with a config whose forward maps named inputs to logits. */
export abstract class EmotionModel extends Module {
  abstract readonly config: Resolved<ModelConfig>;
  /** Logits [batch, classes] from named inputs. */
  abstract forward(inputs: ModelInputs): Tensor;

  /**
   * The input called `name`.
   * @throws EmovoxInputError('<kind> model', problem) when it is missing.
   */
  input(inputs: ModelInputs, name: string): Tensor {
    const t = inputs[name];
    if (!t) throw new EmovoxInputError(`${this.config.kind} model`, `missing input '${name}'`);
    return t;
  }
}

/**
 * The model of one kind: the layers its `build` registered (PyTorch state_dict prefixes, in plan
 * order) and the forward pass it returned.
 */
export class KindModel extends EmotionModel implements ModelHost {
  private readonly run: Forward;
  /**
   * @param config - resolved configuration.
   * @param build - registers the layers on the model and returns its forward (a kind's `build`).
   */
  constructor(
    readonly config: Resolved<ModelConfig>,
    build: (model: KindModel) => Forward,
  ) {
    super();
    this.run = build(this);
  }

  /** Registers `module` under `name` (its state_dict prefix); returns it. */
  layer<M extends Module>(name: string, module: M): M {
    return this.child(name, module);
  }

  forward(inputs: ModelInputs): Tensor {
    return this.run(inputs);
  }
}

/**
 * Builds a model from a configuration (e.g. parsed JSON), with PyTorch default initialisation
 * (the engine's seeded generator, see `manualSeed`) or the given weights. Without `weights`, a
 * configuration with a `pretrained` file (the image kinds) starts from it (see
 * `pretrainedWeights`: first convolution adapted, head re-initialised for other class counts).
 * Parameters matching the configuration's `freeze` patterns are frozen (see `Module.freeze`).
 * @param config - any {@link ModelConfig}; defaults are filled in.
 * @param weights - optional weights to load (e.g. from {@link loadBundle}).
 * @throws EmovoxInputError for an invalid config or mismatched weights.
 */
export function buildModel(config: ModelConfig, weights?: WeightMap): EmotionModel {
  const c = resolveConfig(config);
  const kind = kindOf(c.kind);
  const model = new KindModel(c, (m) => kind.build(c, m, nn));
  const extra = c as { pretrained?: unknown; freeze?: unknown };
  if (weights) model.loadStateDict(weights);
  else if (typeof extra.pretrained === 'string')
    model.loadStateDict(pretrainedWeights(c, extra.pretrained).weights, false);
  if (Array.isArray(extra.freeze) && extra.freeze.length > 0) model.freeze(extra.freeze as string[]);
  return model;
}
