// Transfer learning from torchvision weights: the image kinds (resnet, vgg16, efficientnetB0) use
// torchvision's state_dict names, so a torchvision `state_dict` saved as safetensors loads by
// name. Two adaptations: the first convolution to the configured input channels, and the head
// re-initialised when the class count differs. Engine-free.
import { EmovoxInputError } from '../util/errors.js';
import { resolveConfig, type ModelConfig, type Resolved } from './config.js';
import { planModel } from './plan.js';
import { readSafetensors } from './safetensors.js';
import type { NamedTensor, WeightMap } from './weights.js';

/** What {@link pretrainedWeights} found. */
export interface PretrainedWeights {
  /** Weights to load, by the model's names (a subset of its parameters and buffers). */
  weights: WeightMap;
  /** Names taken from the file unchanged. */
  loaded: string[];
  /** The first convolution's weight, adapted to the configured input channels (or empty). */
  adapted: string[];
  /** Head parameters whose shape differs (other class count): they keep the model's own initialisation. */
  reinitialised: string[];
}

/**
 * Adapts a first-convolution weight [out, cIn, k, k] to `channels` input channels, as timm's
 * `adapt_input_conv`: one channel = the sum over the input channels (exactly what the network
 * computes on a grey image repeated cIn times); more channels = the input channels repeated
 * cyclically, scaled by cIn / channels so the activation scale stays the same.
 */
export function adaptInputConv(w: NamedTensor, channels: number): NamedTensor {
  const [out, cIn, ...kernel] = w.shape;
  const k = kernel.reduce((a, b) => a * b, 1);
  const data = new Float32Array(out * channels * k);
  for (let o = 0; o < out; o++) {
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < k; i++) {
        if (channels === 1) {
          let sum = 0;
          for (let s = 0; s < cIn; s++) sum += w.data[(o * cIn + s) * k + i];
          data[o * k + i] = sum;
        } else {
          data[(o * channels + c) * k + i] = (w.data[(o * cIn + (c % cIn)) * k + i] * cIn) / channels;
        }
      }
    }
  }
  return { shape: [out, channels, ...kernel], data };
}

/**
 * Matches pretrained weights (a torchvision-format state_dict) to a model configuration by
 * parameter name. Every parameter and buffer of the model must be in the file with its shape,
 * except: the first convolution, whose input channels are adapted ({@link adaptInputConv}), and the
 * last layer (the classifier head: `fc`, `classifier.6`, `classifier.1`), which is left to the
 * model's initialisation when its shape differs (another class count). `num_batches_tracked`
 * buffers in the file are ignored; any other name the model lacks is an error (another
 * architecture or depth).
 * @param config - the model configuration.
 * @param source - a safetensors file path, or weights already read.
 * @throws EmovoxInputError(source, problem) naming the first mismatches.
 */
export function pretrainedWeights(
  config: ModelConfig | Resolved<ModelConfig>,
  source: string | WeightMap,
): PretrainedWeights {
  const c = resolveConfig(config);
  const label = typeof source === 'string' ? source : 'pretrained weights';
  const file = typeof source === 'string' ? readSafetensors(source).tensors : source;
  const plan = planModel(c);
  const specs = plan.flatMap((r) => r.params);
  const head = new Set(plan.at(-1)!.params.map((p) => p.name));
  const first = specs.find((s) => s.shape.length === 4);
  const out: PretrainedWeights = { weights: new Map(), loaded: [], adapted: [], reinitialised: [] };
  const problems: string[] = [];
  for (const spec of specs) {
    const w = file.get(spec.name);
    const same = w !== undefined && w.shape.join(',') === spec.shape.join(',');
    if (same) {
      out.weights.set(spec.name, w);
      out.loaded.push(spec.name);
    } else if (
      w &&
      spec === first &&
      w.shape.length === 4 &&
      w.shape[0] === spec.shape[0] &&
      w.shape.slice(2).join(',') === spec.shape.slice(2).join(',')
    ) {
      out.weights.set(spec.name, adaptInputConv(w, spec.shape[1]));
      out.adapted.push(spec.name);
    } else if (head.has(spec.name) && (w === undefined || w.shape.length === spec.shape.length)) {
      out.reinitialised.push(spec.name);
    } else {
      problems.push(
        w ? `${spec.name} has shape [${w.shape}], the model [${spec.shape}]` : `${spec.name} is missing`,
      );
    }
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of file.keys()) {
    if (!known.has(name) && !name.endsWith('num_batches_tracked'))
      problems.push(`${name} is not in a ${c.kind} model`);
  }
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new EmovoxInputError(
      label,
      `weights do not fit the ${c.kind} configuration: ${problems.slice(0, 5).join('; ')}${more}`,
    );
  }
  return out;
}
