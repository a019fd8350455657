// Model configurations: the union of every registered kind's configuration, and resolveConfig.
// Each kind's fields, defaults and validation live in its module under src/models/arch/.
import { EmovoxInputError } from '../util/errors.js';
import { kindOf, type ModelConfig } from './arch/index.js';
import { CONFIG_SOURCE } from './arch/checks.js';
import type { Resolved } from './arch/kind.js';

export { MODEL_KINDS, type ModelConfig, type ModelKindName } from './arch/index.js';
export type { Resolved, KindConfig } from './arch/kind.js';
// Every kind's configuration type (MlpConfig, Cnn1dConfig, ...), as the registry lists them.
export type * from './arch/registry.js';

/** The configuration of one kind, e.g. `ModelConfigOf<'cnn1d'>` is `Cnn1dConfig`. */
export type ModelConfigOf<K extends ModelConfig['kind']> = Extract<ModelConfig, { kind: K }>;

/**
 * Validates a model configuration (for example parsed from JSON) and fills in every default.
 * @param config - object with a `kind` among {@link MODEL_KINDS} and that kind's fields.
 * @returns a copy with all optional fields set.
 * @throws EmovoxInputError('model config', problem) for unknown kinds or out-of-range fields.
 */
export function resolveConfig(config: unknown): Resolved<ModelConfig> {
  if (typeof config !== 'object' || config === null)
    throw new EmovoxInputError(CONFIG_SOURCE, 'must be an object');
  const c = config as Record<string, unknown>;
  return kindOf(c.kind).resolve(c);
}
