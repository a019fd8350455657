// The model bundles shipped inside the npm package (models/<name>/ at the package root).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Name of the model `recognize()`, `emovox predict` and `emovox listen` use by default. */
export const DEFAULT_MODEL = 'emovox-acted7';

/** Folder holding the bundled models: `<package root>/models` (same from src/ and dist/). */
export function bundledModelsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');
}

/** A bundled model: its name and folder. */
export interface BundledModel {
  name: string;
  path: string;
  /** The default model. */
  isDefault: boolean;
}

/** The bundled models (folders of models/ with a model.json), sorted by name. */
export function bundledModels(): BundledModel[] {
  const dir = bundledModelsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'model.json')))
    .map((d) => ({ name: d.name, path: join(dir, d.name), isDefault: d.name === DEFAULT_MODEL }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Where a model argument points: a bundled model's name (`emovox-acted7`), else the path as
 * given (a bundle folder, a `.emovox` file). Undefined means the default model.
 */
export function resolveModelPath(model: string | undefined): string {
  const name = model ?? DEFAULT_MODEL;
  const bundled = bundledModels().find((m) => m.name === name);
  if (bundled) return bundled.path;
  if (model === undefined) return join(bundledModelsDir(), DEFAULT_MODEL);
  return model;
}

/** The model card (MODEL_CARD.md) of a bundle folder, or undefined. */
export function modelCardText(path: string): string | undefined {
  const file = join(path, 'MODEL_CARD.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
