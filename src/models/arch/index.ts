// The registry as a map from `kind` to its module, and the types derived from it. Engine-free.
import { EmovoxInputError } from '../../util/errors.js';
import { CONFIG_SOURCE } from './checks.js';
import type { ConfigOf, ModelKind } from './kind.js';
import * as kinds from './registry.js';

/** Every model kind module listed in `registry.ts`. */
export type AnyModelKind = (typeof kinds)[keyof typeof kinds];

/** Any model configuration, discriminated by `kind` (the union of every registered kind's config). */
export type ModelConfig = ConfigOf<AnyModelKind>;

/** The `kind` strings of the registered model kinds. */
export type ModelKindName = ModelConfig['kind'];

const KINDS = new Map<string, ModelKind<ModelConfig>>(
  Object.values(kinds).map((k: ModelKind<ModelConfig>) => [k.kind, k]),
);

/** The registered model kinds (alphabetical, as `registry.ts` lists them). */
export const MODEL_KINDS: readonly ModelKindName[] = [...KINDS.keys()] as ModelKindName[];

/**
 * The module of a model kind.
 * @throws EmovoxInputError('model config', problem) for an unknown kind.
 */
export function kindOf(kind: unknown): ModelKind<ModelConfig> {
  const found = typeof kind === 'string' ? KINDS.get(kind) : undefined;
  if (!found) {
    throw new EmovoxInputError(
      CONFIG_SOURCE,
      `unknown model kind ${JSON.stringify(kind)} (known: ${MODEL_KINDS.join(', ')})`,
    );
  }
  return found;
}
