// Small synthetic classification tasks, one per model kind, with a learnable class signal.
import type { ModelConfig } from '../../src/models/config.js';
import { SeededRandom } from '../../src/models/weights.js';
import type { InputTensor } from '../../src/infer/session.js';

export interface Task {
  config: ModelConfig;
  inputs: Record<string, InputTensor>;
  labels: Int32Array;
  epochs: number;
  /** The first `trainCount` examples train, the rest are held out. */
  trainCount: number;
}

const CLASSES = 3;

function labelsFor(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i % CLASSES);
}

/** Vector whose class shows as a shifted bump (position depends on the class) plus noise. */
function vectors(rng: SeededRandom, labels: Int32Array, dim: number): Float32Array {
  const out = new Float32Array(labels.length * dim);
  labels.forEach((y, n) => {
    for (let i = 0; i < dim; i++) {
      const centre = ((y + 0.5) * dim) / CLASSES;
      out[n * dim + i] = Math.exp(-((i - centre) ** 2) / 8) * 2 + rng.normal() * 0.3;
    }
  });
  return out;
}

/** Images whose class shows as a bright band in a class-specific third of the rows. */
function images(rng: SeededRandom, labels: Int32Array, side: number): Float32Array {
  const out = new Float32Array(labels.length * side * side);
  labels.forEach((y, n) => {
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) {
        const band = Math.floor((r * CLASSES) / side) === y ? 1.5 : 0;
        out[(n * side + r) * side + c] = band + rng.normal() * 0.3;
      }
  });
  return out;
}

export function tasks(): Record<string, Task> {
  const rng = new SeededRandom(42);
  const n = 192;
  const trainCount = 96;
  const labels = labelsFor(n);
  const frames = 10;
  const featDim = 4;
  const seq = new Float32Array(n * frames * featDim);
  const lengths = Int32Array.from({ length: n }, (_, i) => 4 + (i % 7));
  labels.forEach((y, b) => {
    for (let t = 0; t < lengths[b]; t++)
      for (let f = 0; f < featDim; f++)
        seq[(b * frames + t) * featDim + f] = (f === y ? 1 : 0) + rng.normal() * 0.4;
  });
  const tokens = new BigInt64Array(n * 6);
  labels.forEach((y, b) => {
    for (let t = 0; t < 6; t++)
      tokens[b * 6 + t] = t < 2 + (b % 4) ? BigInt(1 + y * 5 + Math.floor(rng.next() * 5)) : 0n;
  });
  return {
    mlp: {
      config: { kind: 'mlp', inputDim: 24, classes: 3, hidden: [32, 16], dropout: 0.1 },
      inputs: { features: { data: vectors(rng, labels, 24), shape: [n, 24] } },
      labels,
      epochs: 15,
      trainCount,
    },
    cnn1d: {
      config: { kind: 'cnn1d', inputDim: 24, classes: 3, channels: [8, 8], dense: 16, dropout: 0.1 },
      inputs: { features: { data: vectors(rng, labels, 24), shape: [n, 24] } },
      labels,
      epochs: 20,
      trainCount,
    },
    cnn2d: {
      config: {
        kind: 'cnn2d',
        inputShape: [1, 12, 12],
        classes: 3,
        channels: [6, 8],
        dense: 16,
        dropout: 0.1,
      },
      inputs: { spectrogram: { data: images(rng, labels, 12), shape: [n, 1, 12, 12] } },
      labels,
      epochs: 20,
      trainCount,
    },
    hybrid: {
      config: {
        kind: 'hybrid',
        vectorDim: 16,
        imageShape: [1, 12, 12],
        classes: 3,
        vectorChannels: [6, 6],
        imageChannels: [6, 8],
        dense: 16,
        dropout: 0.1,
      },
      inputs: {
        features: { data: vectors(rng, labels, 16), shape: [n, 16] },
        spectrogram: { data: images(rng, labels, 12), shape: [n, 1, 12, 12] },
      },
      labels,
      epochs: 20,
      trainCount,
    },
    bilstmAttention: {
      config: {
        kind: 'bilstmAttention',
        inputDim: featDim,
        classes: 3,
        hidden: 8,
        attentionDim: 8,
        dense: 16,
        dropout: 0.1,
      },
      inputs: { frames: { data: seq, shape: [n, frames, featDim] }, lengths: { data: lengths, shape: [n] } },
      labels,
      epochs: 20,
      trainCount,
    },
    fusion: {
      config: {
        kind: 'fusion',
        audioDim: 12,
        classes: 3,
        audioHidden: [16],
        textInput: 'tokens',
        vocabSize: 16,
        embedDim: 8,
        textHidden: 8,
        dense: 16,
        dropout: 0.1,
      },
      inputs: {
        audio: { data: new Float32Array(n * 12).map(() => rng.normal()), shape: [n, 12] },
        tokens: { data: tokens, shape: [n, 6] },
      },
      labels,
      epochs: 20,
      trainCount,
    },
    // New tasks go last: they all draw from one generator, so earlier tasks keep their data.
    linear: {
      config: { kind: 'linear', inputDim: 24, classes: 3 },
      inputs: { features: { data: vectors(rng, labels, 24), shape: [n, 24] } },
      labels,
      epochs: 15,
      trainCount,
    },
    resnet: {
      config: { kind: 'resnet', inputShape: [1, 16, 16], classes: 3, width: 4 },
      inputs: { spectrogram: { data: images(rng, labels, 16), shape: [n, 1, 16, 16] } },
      labels,
      epochs: 15,
      trainCount,
    },
    vgg16: {
      config: {
        kind: 'vgg16',
        inputShape: [1, 32, 32],
        classes: 3,
        channels: [4, 4, 8, 8, 8],
        batchNorm: true,
        hidden: 16,
        pool: 1,
        dropout: 0,
      },
      inputs: { spectrogram: { data: images(rng, labels, 32), shape: [n, 1, 32, 32] } },
      labels,
      epochs: 15,
      trainCount,
    },
    efficientnetB0: {
      config: {
        kind: 'efficientnetB0',
        inputShape: [1, 16, 16],
        classes: 3,
        widthMult: 0.1,
        depthMult: 0.5,
        dropout: 0.1,
      },
      inputs: { spectrogram: { data: images(rng, labels, 16), shape: [n, 1, 16, 16] } },
      labels,
      epochs: 30,
      trainCount,
    },
  };
}
