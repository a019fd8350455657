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

/**
 * Right-padded token rows (0 = padding) of 2-7 ids: filler ids 4-11 and one or two class words
 * (12 + 3·class .. 14 + 3·class) at random places.
 */
function textRows(rng: SeededRandom, labels: Int32Array, width: number): BigInt64Array {
  const out = new BigInt64Array(labels.length * width);
  labels.forEach((y, b) => {
    const length = 2 + Math.floor(rng.next() * (width - 2));
    for (let t = 0; t < length; t++) out[b * width + t] = BigInt(4 + Math.floor(rng.next() * 8));
    const cue = 1 + Math.floor(rng.next() * 2);
    for (let k = 0; k < cue; k++)
      out[b * width + Math.floor(rng.next() * length)] = BigInt(12 + 3 * y + Math.floor(rng.next() * 3));
  });
  return out;
}

/**
 * Audio vectors and token rows that both carry the class, with a presence mask: every third item
 * lacks audio and every fifth lacks text (their inputs are noise), so the model must use
 * whichever modality is there.
 */
function pairedInputs(rng: SeededRandom, labels: Int32Array): Record<string, InputTensor> {
  const n = labels.length;
  const audio = vectors(rng, labels, 12);
  const tokens = textRows(rng, labels, 8);
  const presence = new Float32Array(n * 2).fill(1);
  for (let i = 0; i < n; i++) {
    if (i % 3 === 1) {
      presence[2 * i] = 0;
      for (let k = 0; k < 12; k++) audio[i * 12 + k] = rng.normal();
    } else if (i % 5 === 2) {
      presence[2 * i + 1] = 0;
      for (let k = 0; k < 8; k++) tokens[i * 8 + k] = BigInt(Math.floor(rng.next() * 21));
    }
  }
  return {
    audio: { data: audio, shape: [n, 12] },
    tokens: { data: tokens, shape: [n, 8] },
    presence: { data: presence, shape: [n, 2] },
  };
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
      // Its own stream, so tasks added above do not change its data: this narrow VGG (everything
      // pooled to 1x1) finds the band position from some draws in 15 epochs and not from others.
      inputs: { spectrogram: { data: images(new SeededRandom(3), labels, 32), shape: [n, 1, 32, 32] } },
      labels,
      epochs: 25,
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
    textCnn: {
      config: {
        kind: 'textCnn',
        vocabSize: 21,
        embedDim: 12,
        classes: 3,
        widths: [2, 3],
        filters: 8,
        dense: 16,
      },
      inputs: { tokens: { data: textRows(rng, labels, 8), shape: [n, 8] } },
      labels,
      epochs: 15,
      trainCount,
    },
    textBilstm: {
      config: {
        kind: 'textBilstm',
        vocabSize: 21,
        embedDim: 12,
        classes: 3,
        hidden: 8,
        attentionDim: 8,
        dense: 16,
      },
      inputs: { tokens: { data: textRows(rng, labels, 8), shape: [n, 8] } },
      labels,
      epochs: 15,
      trainCount,
    },
    textTransformer: {
      config: {
        kind: 'textTransformer',
        vocabSize: 21,
        embedDim: 16,
        heads: 2,
        layers: 1,
        ff: 32,
        classes: 3,
        maxLength: 16,
        dense: 16,
      },
      inputs: { tokens: { data: textRows(rng, labels, 8), shape: [n, 8] } },
      labels,
      epochs: 15,
      trainCount,
    },
    fusionLatePresence: {
      config: {
        kind: 'fusion',
        audioDim: 12,
        classes: 3,
        audioHidden: [16],
        textInput: 'tokens',
        vocabSize: 21,
        embedDim: 8,
        textHidden: 8,
        fusion: 'late',
        presence: true,
        modalityDropout: 0.2,
        dropout: 0.1,
      },
      inputs: pairedInputs(rng, labels),
      labels,
      epochs: 20,
      trainCount,
    },
    fusionAttention: {
      config: {
        kind: 'fusion',
        audioDim: 12,
        classes: 3,
        audioHidden: [16],
        textInput: 'tokens',
        vocabSize: 21,
        embedDim: 8,
        textHidden: 8,
        fusion: 'attention',
        fusedDim: 8,
        presence: true,
        dense: 16,
        dropout: 0.1,
      },
      inputs: pairedInputs(rng, labels),
      labels,
      epochs: 20,
      trainCount,
    },
  };
}
