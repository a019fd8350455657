import { PNG } from 'pngjs';
import { classificationMetrics, type ClassificationMetrics } from '../../src/eval/index.js';
import type { EpochRecord, FoldResult } from '../../src/report/index.js';
import { mulberry32 } from '../../src/util/random.js';

export const LABELS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];

/** Synthetic predictions of a classifier right ~60 % of the time, with softmax probabilities. */
export function syntheticFold(
  seed: number,
  n = 120,
  labels = LABELS,
): { metrics: ClassificationMetrics; truth: number[]; predicted: number[]; speakers: string[] } {
  const rng = mulberry32(seed);
  const k = labels.length;
  const truth: number[] = [];
  const predicted: number[] = [];
  const speakers: string[] = [];
  const probabilities = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const t = rng.int(0, k - 1);
    const p = rng.next() < 0.6 ? t : rng.int(0, k - 1);
    truth.push(t);
    predicted.push(p);
    speakers.push(`Actor_${String(1 + 4 * (seed % 6) + rng.int(0, 3)).padStart(2, '0')}`);
    let z = 0;
    for (let c = 0; c < k; c++) {
      const v = Math.exp((c === p ? 2.5 : 0) + 0.5 * rng.normal());
      probabilities[i * k + c] = v;
      z += v;
    }
    for (let c = 0; c < k; c++) probabilities[i * k + c] /= z;
  }
  return {
    metrics: classificationMetrics(truth, predicted, labels, { probabilities }),
    truth,
    predicted,
    speakers,
  };
}

export function syntheticHistory(fold: string, epochs: number, offset = 0): EpochRecord[] {
  return Array.from({ length: epochs }, (_, e) => ({
    fold,
    epoch: e + 1,
    trainLoss: 2 / Math.sqrt(e + 1) + offset,
    valLoss: 2.2 / Math.sqrt(e + 1) + 2 * offset,
    valUa: 0.3 + 0.4 * (1 - Math.exp(-(e + 1) / 5)) - offset,
    lr: e < epochs / 2 ? 1e-3 : 1e-4,
  }));
}

export function syntheticFolds(count: number): FoldResult[] {
  return Array.from({ length: count }, (_, f) => ({
    name: `fold${f + 1}`,
    metrics: syntheticFold(f + 1).metrics,
    history: syntheticHistory(`fold${f + 1}`, 12, 0.03 * f),
  }));
}

/** Decoded PNG and the share of its pixels that are not (near) white. */
export function decodePng(bytes: Uint8Array): {
  width: number;
  height: number;
  inked: number;
  colours: number;
} {
  const png = PNG.sync.read(Buffer.from(bytes));
  let inked = 0;
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (r < 235 || g < 235 || b < 235) inked++;
    colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
  }
  return {
    width: png.width,
    height: png.height,
    inked: inked / (png.width * png.height),
    colours: colours.size,
  };
}

/** width and height attributes of an SVG document's root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg[^>]*>/.exec(svg)?.[0] ?? '';
  return {
    width: Number(/width="([\d.]+)"/.exec(root)?.[1]),
    height: Number(/height="([\d.]+)"/.exec(root)?.[1]),
  };
}
