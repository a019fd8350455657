// Weight plans and graph inputs of any model, dispatched to its kind module (src/models/arch/).
import { kindOf } from './arch/index.js';
import type { LayerPlan, ModelInput, ParamSpec } from './arch/kind.js';
import { resolveConfig, type ModelConfig, type Resolved } from './config.js';

export type { InitSpec, LayerPlan, ModelInput, ParamSpec } from './arch/kind.js';

/**
 * Lists the layers of a model, in forward order, with their output shapes and parameters.
 * This is the single source of parameter names and shapes for training, saving and ONNX export.
 * @param config - model configuration (defaults are filled in).
 */
export function planModel(config: ModelConfig | Resolved<ModelConfig>): LayerPlan[] {
  const c = resolveConfig(config);
  return kindOf(c.kind).plan(c);
}

/** Every parameter and buffer of a model, in a stable order. */
export function parameterSpecs(config: ModelConfig | Resolved<ModelConfig>): ParamSpec[] {
  return planModel(config).flatMap((row) => row.params);
}

/**
 * The graph inputs of a model: `features` / `spectrogram` / `frames` + `lengths` (+ `extra`) /
 * `audio` + `text` or `tokens`. Batch (and frames / tokens length) are dynamic axes.
 */
export function modelInputs(config: ModelConfig | Resolved<ModelConfig>): ModelInput[] {
  const c = resolveConfig(config);
  return kindOf(c.kind).inputs(c);
}
