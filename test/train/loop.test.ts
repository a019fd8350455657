import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '../../src/engine/index.js';
import { buildModel } from '../../src/models/zoo.js';
import {
  BestWeights,
  CosineSchedule,
  EarlyStopping,
  ReduceLrOnPlateau,
  StepSchedule,
  balancedWeights,
  epochOrder,
  fit,
  loadCheckpoint,
  predictLogits,
  saveCheckpoint,
  type Callback,
  type LoopControl,
  type LoopData,
  type LoopState,
} from '../../src/train/index.js';
import { engineSkip } from '../models/engine-helpers.js';

const skip = engineSkip();
const temp = mkdtempSync(join(tmpdir(), 'emovox-loop-test-'));
after(() => rmSync(temp, { recursive: true, force: true }));

/** Three Gaussian blobs in 6 dims; class c is shifted along dims 2c, 2c+1. */
function blobs(n: number, seed: number, imbalance = false): LoopData & { targets: Int32Array } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const targets = Int32Array.from({ length: n }, (_, i) => (imbalance && i % 4 !== 0 ? 0 : i % 3));
  const x = new Float32Array(n * 6);
  targets.forEach((c, i) => {
    for (let d = 0; d < 6; d++) x[i * 6 + d] = rand() + (Math.floor(d / 2) === c ? 1.5 : 0);
  });
  return {
    size: n,
    targets,
    target: (i) => targets[i],
    batch: (idx) => {
      const data = new Float32Array(idx.length * 6);
      idx.forEach((r, k) => data.set(x.subarray(r * 6, r * 6 + 6), k * 6));
      return { features: { data, shape: [idx.length, 6] } };
    },
  };
}

const config = { kind: 'mlp' as const, inputDim: 6, classes: 3, hidden: [16], dropout: 0.2 };
const trainSet = blobs(120, 1);
const valSet = blobs(60, 2);

test('fit learns, validates every epoch and logs the learning rate', { skip }, () => {
  manualSeed(0);
  const model = buildModel(config);
  const best = new BestWeights('valAccuracy');
  const { history } = fit(
    model,
    trainSet,
    valSet,
    { epochs: 15, batchSize: 16, classes: 3, optimizer: { kind: 'adam', lr: 0.02 }, seed: 1 },
    [best],
  );
  assert.equal(history.length, 15);
  assert.ok(history[14].trainLoss < history[0].trainLoss);
  assert.ok(best.best >= 0.85, `best val accuracy ${best.best}`);
  assert.ok(history.every((h) => h.lr === 0.02 && Number.isFinite(h.valLoss)));
  model.loadStateDict(best.weights!);
  const logits = predictLogits(model, valSet);
  assert.equal(logits.length, 60 * 3);
  model.dispose();
});

function control(epochs = 10, lr = 1): LoopControl {
  return { lr, stop: false, epochs, initialLr: lr, weights: () => new Map() };
}

test('early stopping waits `patience` epochs without improvement', () => {
  const es = new EarlyStopping('valUa', 2, 0.01);
  const c = control();
  for (const [epoch, v] of [0.5, 0.6, 0.605, 0.6].entries()) {
    es.onEpochEnd({ epoch, trainLoss: 1, trainAccuracy: 0, lr: 1, valUa: v }, c);
    assert.equal(c.stop, epoch === 3, `epoch ${epoch}`);
  }
  const loss = new EarlyStopping('valLoss', 1);
  const d = control();
  loss.onEpochEnd({ epoch: 0, trainLoss: 1, trainAccuracy: 0, lr: 1, valLoss: 1 }, d);
  loss.onEpochEnd({ epoch: 1, trainLoss: 1, trainAccuracy: 0, lr: 1, valLoss: 1.1 }, d);
  assert.equal(d.stop, true);
  assert.throws(
    () => es.onEpochEnd({ epoch: 0, trainLoss: 1, trainAccuracy: 0, lr: 1 }, c),
    /valUa is not logged/,
  );
});

test('reduce-on-plateau follows torch: reduce after patience + 1 bad epochs, then cool down', () => {
  const p = new ReduceLrOnPlateau('valLoss', 0.5, 1, 0.1, 1);
  const c = control();
  const lrs: number[] = [];
  for (const [epoch, v] of [1, 1, 1, 1, 1, 1, 1].entries()) {
    p.onEpochEnd({ epoch, trainLoss: 1, trainAccuracy: 0, lr: c.lr, valLoss: v }, c);
    lrs.push(c.lr);
  }
  assert.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  const floor = new ReduceLrOnPlateau('valLoss', 0.1, 0, 0.3);
  const d = control();
  for (let e = 0; e < 5; e++)
    floor.onEpochEnd({ epoch: e, trainLoss: 1, trainAccuracy: 0, lr: d.lr, valLoss: 1 }, d);
  assert.equal(d.lr, 0.3);
});

test('cosine and step schedules are functions of the epoch', () => {
  const cos = new CosineSchedule(0, 1);
  const c = control(5, 1);
  const lrs = [0, 1, 2, 3, 4].map((e) => (cos.onEpochBegin(e, c), c.lr));
  assert.equal(lrs[0], 0.5);
  assert.equal(lrs[1], 1);
  assert.ok(Math.abs(lrs[3]) < 0.5 + 1e-12 && lrs[4] < lrs[3]);
  const step = new StepSchedule(2, 0.1);
  const s = control(5, 1);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((e) => (step.onEpochBegin(e, s), Number(s.lr.toPrecision(6)))),
    [1, 1, 0.1, 0.1, 0.01],
  );
});

test('balanced weights and oversampling even out the classes', () => {
  assert.deepEqual([...balancedWeights([0, 0, 0, 1], 3)], [Math.fround(4 / 6), 2, 0]);
  const data = blobs(40, 3, true);
  const order = epochOrder(data, 3, 'oversample', 5, 0);
  const counts = [0, 0, 0];
  for (const i of order) counts[data.target(i)]++;
  assert.equal(new Set(counts).size, 1);
  assert.deepEqual(epochOrder(data, 3, 'oversample', 5, 0), order);
  assert.notDeepEqual(epochOrder(data, 3, 'oversample', 5, 1), order);
});

function run(epochs: number, resume?: LoopState, abortAfter?: number) {
  manualSeed(123); // initial weights; the loop reseeds itself per epoch
  const model = buildModel(config);
  const callbacks: Callback[] = [
    new ReduceLrOnPlateau('valLoss', 0.5, 1),
    new EarlyStopping('valAccuracy', 50),
    new BestWeights('valAccuracy'),
  ];
  const controller = new AbortController();
  let last: LoopState | undefined;
  const result = fit(
    model,
    trainSet,
    valSet,
    {
      epochs,
      batchSize: 16,
      classes: 3,
      optimizer: { kind: 'adam', lr: 0.05 },
      balance: 'weights',
      seed: 7,
      resume,
      signal: controller.signal,
      onCheckpoint: (state) => {
        const path = join(temp, 'loop.ckpt');
        saveCheckpoint(path, 'fp', state);
        last = loadCheckpoint(path, 'fp');
        if (abortAfter !== undefined && state.epoch === abortAfter) controller.abort();
      },
    },
    callbacks,
  );
  const weights = model.stateDict();
  model.dispose();
  return { result, weights, last: last!, best: callbacks[2] as BestWeights };
}

test('a run resumed from its checkpoint ends bit for bit like the uninterrupted run', { skip }, () => {
  const full = run(8);
  const first = run(8, undefined, 3);
  assert.equal(first.result.aborted, true);
  assert.equal(first.result.history.length, 3);
  assert.equal(first.last.epoch, 3);
  const resumed = run(8, first.last);
  assert.deepEqual(resumed.result.history, full.result.history);
  assert.equal(resumed.best.bestEpoch, full.best.bestEpoch);
  for (const [name, t] of full.weights) assert.deepEqual(resumed.weights.get(name)!.data, t.data, name);
  assert.ok(
    full.result.history.some((h) => h.lr < 0.05),
    'plateau schedule reduced the lr (state was resumed)',
  );
  // A resumed finished run returns its history without training.
  const again = run(8, full.last);
  assert.deepEqual(again.result.history, full.result.history);
  assert.throws(() => loadCheckpoint(join(temp, 'loop.ckpt'), 'other'), /different recipe/);
});
