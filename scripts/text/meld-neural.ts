// Development script: trains a from-scratch text model on MELD's train split with the engine
// directly (Adam, early stopping on dev weighted F1), reports dev and test metrics, and writes the
// test probabilities for ensembling. Until the training recipes land, this is how the MELD text
// numbers of docs/text.md are produced.
// Usage: node --import tsx scripts/text/meld-neural.ts '<json options>'
import { writeFileSync } from 'node:fs';
import { Adam, manualSeed, noGrad, ops, tidy } from '../../src/engine/index.js';
import { classificationMetrics } from '../../src/eval/index.js';
import { buildModel } from '../../src/models/zoo.js';
import type { ModelConfig } from '../../src/models/config.js';
import { encodeDialogue, loadMeldText, previousTurns, WordVocabulary } from '../../src/text/index.js';

interface Options {
  data: string;
  model: Record<string, unknown>;
  epochs: number;
  batch: number;
  lr: number;
  weightDecay: number;
  /** Class weights: 'none', 'balanced', or 'sqrt' (square root of balanced). */
  weights: 'none' | 'balanced' | 'sqrt';
  labelSmoothing: number;
  context: number;
  speakers: boolean;
  maxLength: number;
  minCount: number;
  cls: boolean;
  seed: number;
  patience: number;
  out?: string;
}

const o: Options = {
  data: '../shared/data/meld-text',
  model: { kind: 'textCnn' },
  epochs: 20,
  batch: 32,
  lr: 1e-3,
  weightDecay: 0,
  weights: 'none',
  labelSmoothing: 0,
  context: 0,
  speakers: false,
  maxLength: 64,
  minCount: 1,
  cls: false,
  seed: 0,
  patience: 4,
  ...(JSON.parse(process.argv[2] ?? '{}') as Partial<Options>),
};

const { items } = await loadMeldText(o.data);
const classes = [...new Set(items.map((i) => i.label))].sort();
const vocab = WordVocabulary.build(
  items.filter((i) => i.split === 'train').map((i) => i.text),
  { minCount: o.minCount },
);
const contexts = previousTurns(items, o.context, o.speakers);
const rows = items.map((item, i) =>
  encodeDialogue(
    (t) => vocab.encode(t),
    o.speakers ? `${item.speaker}: ${item.text}` : item.text,
    contexts[i],
    { maxLength: o.maxLength, cls: o.cls },
  ),
);
const split = (s: string) => items.map((it, i) => (it.split === s ? i : -1)).filter((i) => i >= 0);
const [train, dev, test] = ['train', 'dev', 'test'].map(split);
const y = Int32Array.from(items, (it) => classes.indexOf(it.label));

const counts = new Float64Array(classes.length);
for (const i of train) counts[y[i]]++;
const balanced = Array.from(counts, (c) => train.length / (classes.length * c));
const classWeights =
  o.weights === 'none' ? null : balanced.map((w) => (o.weights === 'sqrt' ? Math.sqrt(w) : w));

manualSeed(o.seed);
const config = { ...o.model, vocabSize: vocab.size, classes: classes.length } as ModelConfig;
const model = buildModel(config);
const opt = new Adam(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay });
const weightTensor = classWeights ? ops.tensor(Float32Array.from(classWeights)) : null;

function batchTokens(idx: number[]) {
  const b = WordVocabulary.pad(idx.map((i) => rows[i]));
  return ops.tensor(b.ids, { shape: b.shape });
}

function probabilities(idx: number[]): Float32Array {
  model.eval();
  const out = new Float32Array(idx.length * classes.length);
  noGrad(() => {
    for (let s = 0; s < idx.length; s += 256) {
      const part = idx.slice(s, s + 256);
      const p = tidy(() =>
        model
          .forward({ tokens: batchTokens(part) })
          .softmax(1)
          .toFloat32Array(),
      );
      out.set(p, s * classes.length);
    }
  });
  return out;
}

function argmax(p: Float32Array): Int32Array {
  const K = classes.length;
  return Int32Array.from({ length: p.length / K }, (_, i) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (p[i * K + k] > p[i * K + best]) best = k;
    return best;
  });
}

let seed = o.seed * 7919 + 1;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
let best = { f1: -1, epoch: -1, weights: model.stateDict() };
const started = Date.now();
for (let epoch = 0; epoch < o.epochs; epoch++) {
  model.train();
  const order = [...train];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let lossSum = 0;
  for (let s = 0; s < order.length; s += o.batch) {
    const idx = order.slice(s, s + o.batch);
    if (idx.length < 2) continue;
    lossSum += tidy(() => {
      const target = ops.tensor(
        BigInt64Array.from(idx, (i) => BigInt(y[i])),
        { shape: [idx.length] },
      );
      const loss = ops.crossEntropy(model.forward({ tokens: batchTokens(idx) }), target, {
        weight: weightTensor,
        labelSmoothing: o.labelSmoothing,
      });
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item() * idx.length;
    });
  }
  const devMetrics = classificationMetrics(
    Int32Array.from(dev, (i) => y[i]),
    argmax(probabilities(dev)),
    classes,
  );
  console.error(
    `epoch ${epoch} loss ${(lossSum / train.length).toFixed(4)} dev wF1 ${(100 * devMetrics.weightedF1).toFixed(2)} ` +
      `UA ${(100 * devMetrics.ua).toFixed(2)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  if (devMetrics.weightedF1 > best.f1)
    best = { f1: devMetrics.weightedF1, epoch, weights: model.stateDict() };
  else if (epoch - best.epoch >= o.patience) break;
}
model.loadStateDict(best.weights);
const pDev = probabilities(dev);
const pTest = probabilities(test);
const devM = classificationMetrics(
  Int32Array.from(dev, (i) => y[i]),
  argmax(pDev),
  classes,
);
const testM = classificationMetrics(
  Int32Array.from(test, (i) => y[i]),
  argmax(pTest),
  classes,
);
const result = {
  options: o,
  config: model.config,
  vocabSize: vocab.size,
  parameters: model.parameterCount(),
  bestEpoch: best.epoch,
  seconds: (Date.now() - started) / 1000,
  dev: { weightedF1: devM.weightedF1, ua: devM.ua, wa: devM.wa },
  test: {
    weightedF1: testM.weightedF1,
    ua: testM.ua,
    wa: testM.wa,
    macroF1: testM.macroF1,
    confusion: testM.confusion,
  },
  classes,
};
console.log(JSON.stringify({ ...result, test: { ...result.test, confusion: undefined } }));
if (o.out) writeFileSync(o.out, JSON.stringify({ ...result, pDev: [...pDev], pTest: [...pTest] }));
model.dispose();
opt.dispose();
