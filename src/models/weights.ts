import { EmovoxInputError } from '../util/errors.js';
import type { ModelConfig, Resolved } from './config.js';
import { parameterSpecs, type InitSpec } from './plan.js';

/** A named tensor held in plain memory: row-major float32 values and their shape. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Model weights by PyTorch-style name (`convs.0.weight`), including BatchNorm running stats. */
export type WeightMap = Map<string, NamedTensor>;

/** Small deterministic PRNG (mulberry32) so initial weights are reproducible from a seed. */
export class SeededRandom {
  private state: number;
  private spare: number | null = null;

  /** @param seed - any integer; equal seeds give equal sequences. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal sample (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function fill(shape: number[], init: InitSpec, rng: SeededRandom): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  if (init.kind === 'const') data.fill(init.value);
  else if (init.kind === 'uniform')
    for (let i = 0; i < size; i++) data[i] = (rng.next() * 2 - 1) * init.bound;
  else {
    for (let i = 0; i < size; i++) data[i] = rng.normal() * init.std;
    if (init.zeroRow !== undefined) {
      const row = size / shape[0];
      data.fill(0, init.zeroRow * row, (init.zeroRow + 1) * row);
    }
  }
  return data;
}

/**
 * Fresh weights with PyTorch's default initialisation for every layer (Linear/Conv:
 * U(±1/√fan_in); LSTM: U(±1/√hidden); BatchNorm: γ=1, β=0, mean 0, var 1; Embedding: N(0, 1)
 * with the padding row 0 zeroed; attention in-projection: Xavier uniform, biases 0).
 * @param config - model configuration.
 * @param seed - PRNG seed (default 0).
 */
export function initWeights(config: ModelConfig | Resolved<ModelConfig>, seed = 0): WeightMap {
  const rng = new SeededRandom(seed);
  const weights: WeightMap = new Map();
  for (const spec of parameterSpecs(config)) {
    weights.set(spec.name, { shape: [...spec.shape], data: fill(spec.shape, spec.init, rng) });
  }
  return weights;
}

/**
 * Checks that `weights` holds exactly the parameters `config` needs, with matching shapes and
 * finite values.
 * @param source - name reported in errors (a file path).
 * @throws EmovoxInputError(source, problem) on a missing, extra, misshapen or non-finite tensor.
 */
export function checkWeights(
  config: ModelConfig | Resolved<ModelConfig>,
  weights: WeightMap,
  source: string,
): void {
  const specs = parameterSpecs(config);
  for (const spec of specs) {
    const w = weights.get(spec.name);
    if (!w) throw new EmovoxInputError(source, `missing weight ${spec.name}`);
    if (w.shape.join(',') !== spec.shape.join(',')) {
      throw new EmovoxInputError(
        source,
        `weight ${spec.name} has shape [${w.shape}], expected [${spec.shape}]`,
      );
    }
    if (w.data.length !== spec.shape.reduce((a, b) => a * b, 1)) {
      throw new EmovoxInputError(
        source,
        `weight ${spec.name} holds ${w.data.length} values for shape [${spec.shape}]`,
      );
    }
    for (let i = 0; i < w.data.length; i++) {
      if (!Number.isFinite(w.data[i]))
        throw new EmovoxInputError(source, `weight ${spec.name} has a non-finite value at ${i}`);
    }
  }
  if (weights.size !== specs.length) {
    const known = new Set(specs.map((s) => s.name));
    const extra = [...weights.keys()].filter((k) => !known.has(k));
    throw new EmovoxInputError(source, `unexpected weights: ${extra.slice(0, 5).join(', ')}`);
  }
}
