import type { BatchArray } from '../data/batch.js';
import {
  Adam,
  AdamW,
  SGD,
  clipGradNorm,
  manualSeed,
  noGrad,
  ops,
  tidy,
  type Optimizer,
  type OptimizerState,
  type Tensor,
} from '../engine/index.js';
import type { WeightMap } from '../models/weights.js';
import type { EmotionModel, ModelInputs } from '../models/zoo.js';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { deriveSeed, mulberry32, shuffled } from '../util/random.js';
import type { Callback, EpochLog, LoopControl } from './callbacks.js';

/** Examples the loop can batch: a count, each example's class, and batches of model inputs. */
export interface LoopData {
  /** Number of examples. */
  readonly size: number;
  /** Class index of example `i`. */
  target(i: number): number;
  /**
   * Model inputs of examples `indices` as plain arrays. `epoch` is given for training batches
   * (on-the-fly augmentation seeds on it) and undefined for evaluation.
   */
  batch(indices: readonly number[], epoch?: number): Record<string, BatchArray>;
}

/** Optimiser settings (torch defaults where unset). */
export interface OptimizerSpec {
  kind: 'adam' | 'adamw' | 'sgd';
  /** Learning rate. */
  lr: number;
  /** Adam/AdamW: L2 / decoupled decay; SGD: L2 (default 0, AdamW 0.01). */
  weightDecay?: number;
  /** SGD momentum (default 0.9 here, torch's is 0). */
  momentum?: number;
  /** SGD Nesterov (default false). */
  nesterov?: boolean;
}

/** How training examples are drawn each epoch. */
export type BalanceMode = 'none' | 'weights' | 'oversample';

/** Options of {@link fit}. */
export interface FitOptions {
  /** Maximum epochs. */
  epochs: number;
  /** Examples per batch. A final batch of one example is dropped (BatchNorm needs two). */
  batchSize: number;
  optimizer: OptimizerSpec;
  /** Number of classes (for class weights and oversampling). */
  classes: number;
  /**
   * `weights`: cross-entropy weighted by scikit-learn's balanced class weights of the training
   * examples; `oversample`: each epoch, every class topped up to the largest by seeded redraws;
   * `none` (default).
   */
  balance?: BalanceMode;
  /** Label smoothing of the cross-entropy (default 0). */
  labelSmoothing?: number;
  /** Clip the gradient norm to this value (default 0 = off). */
  gradClip?: number;
  /** Seed of everything random in the run (default 0). */
  seed?: number;
  /**
   * Validation metrics from true and predicted classes (and probabilities), logged with a `val`
   * prefix (e.g. `{ ua: 0.5 }` -> `valUa`). Default: `{ accuracy }`.
   */
  score?: (truth: Int32Array, predicted: Int32Array, probabilities: Float32Array) => Record<string, number>;
  /** Called after each batch (progress bars). */
  onBatch?: (progress: { epoch: number; batch: number; batches: number; loss: number }) => void;
  /** Called after each epoch with its log (after the callbacks ran). */
  onEpoch?: (log: EpochLog) => void;
  /** Called after each epoch with the full loop state, for checkpoints. */
  onCheckpoint?: (state: LoopState) => void;
  /** Resume from a saved {@link LoopState}. */
  resume?: LoopState;
  /** Stops training after the current epoch (its checkpoint is written first). */
  signal?: AbortSignal;
}

/** Everything needed to continue a run exactly: see {@link fit}. */
export interface LoopState {
  /** The next epoch to run. */
  epoch: number;
  /** Model parameters and buffers. */
  weights: { name: string; shape: number[]; data: Float32Array }[];
  optimizer: OptimizerState;
  /** Each callback's state by name. */
  callbacks: Record<string, unknown>;
  history: EpochLog[];
  /** True when training had ended (early stop or last epoch). */
  finished: boolean;
  /**
   * Random state. The loop reseeds libtorch and its shuffles from (seed, epoch) at every epoch
   * start, so the seed and the epoch are all the state there is.
   */
  seed: number;
}

/** What {@link fit} returns. */
export interface FitResult {
  history: EpochLog[];
  /** True when a callback stopped training before `epochs`. */
  stoppedEarly: boolean;
  /** True when `signal` aborted the run (resume it from the last checkpoint). */
  aborted: boolean;
}

function makeOptimizer(params: Tensor[], spec: OptimizerSpec): Optimizer {
  switch (spec.kind) {
    case 'adam':
      return new Adam(params, { lr: spec.lr, weightDecay: spec.weightDecay ?? 0 });
    case 'adamw':
      return new AdamW(params, { lr: spec.lr, weightDecay: spec.weightDecay ?? 0.01 });
    case 'sgd':
      return new SGD(params, {
        lr: spec.lr,
        momentum: spec.momentum ?? 0.9,
        nesterov: spec.nesterov ?? false,
        weightDecay: spec.weightDecay ?? 0,
      });
    default:
      throw new EmovoxParameterError('training.optimizer.kind', `unknown optimiser ${String(spec.kind)}`);
  }
}

/** Engine tensors from plain batch arrays (`lengths` stays int32; other int arrays become int64). */
export function toTensors(batch: Record<string, BatchArray>): ModelInputs {
  const out: ModelInputs = {};
  for (const [name, b] of Object.entries(batch)) out[name] = ops.tensor(b.data, { shape: b.shape });
  return out;
}

/** Scikit-learn 'balanced' class weights of `targets`: n / (classes * count); absent classes 0. */
export function balancedWeights(targets: ArrayLike<number>, classes: number): Float32Array {
  const counts = new Float64Array(classes);
  for (let i = 0; i < targets.length; i++) counts[targets[i]]++;
  const present = counts.filter((c) => c > 0).length;
  return Float32Array.from(counts, (c) => (c > 0 ? targets.length / (present * c) : 0));
}

/** Examples of one epoch: shuffled, oversampled per class when asked, all from (seed, epoch). */
export function epochOrder(
  data: LoopData,
  classes: number,
  balance: BalanceMode,
  seed: number,
  epoch: number,
): number[] {
  const random = mulberry32(deriveSeed(seed, epoch, 23));
  const all = Array.from({ length: data.size }, (_, i) => i);
  if (balance !== 'oversample') return shuffled(all, random);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const i of all) byClass[data.target(i)].push(i);
  const most = Math.max(...byClass.map((c) => c.length));
  const drawn = [...all];
  for (const members of byClass) {
    for (let k = members.length; k < most && members.length > 0; k++)
      drawn.push(members[Math.floor(random.next() * members.length)]);
  }
  return shuffled(drawn, random);
}

/**
 * Logits of every example of `data` in evaluation mode, without gradients, in batches.
 * @returns row-major [data.size, classes] logits.
 */
export function predictLogits(model: EmotionModel, data: LoopData, batchSize = 256): Float32Array {
  model.eval();
  const classes = model.config.classes;
  const out = new Float32Array(data.size * classes);
  noGrad(() => {
    for (let s = 0; s < data.size; s += batchSize) {
      const idx = Array.from({ length: Math.min(batchSize, data.size - s) }, (_, i) => s + i);
      const logits = tidy(() => model.forward(toTensors(data.batch(idx))).toFloat32Array());
      out.set(logits, s * classes);
    }
  });
  return out;
}

/** Softmax of row-major logits [n, classes]. */
export function logitsToProbabilities(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[r * classes + c] = Math.exp(logits[r * classes + c] - max);
    for (let c = 0; c < classes; c++) out[r * classes + c] /= sum;
  }
  return out;
}

/** Arg-max class of each row of [n, classes] scores. */
export function argmaxClasses(scores: Float32Array, classes: number): Int32Array {
  const out = new Int32Array(scores.length / classes);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[r * classes + c] > scores[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}

function weightsOf(model: EmotionModel): WeightMap {
  return model.stateDict();
}

/**
 * Trains `model` on `train`, validating on `val` after each epoch, with callbacks (schedules,
 * early stopping, best-weight keeping). One loop for every recipe.
 *
 * Determinism: at each epoch start libtorch is reseeded with deriveSeed(seed, epoch) and the
 * example order is drawn from its own stream of (seed, epoch), so a run resumed from the
 * {@link LoopState} of an epoch boundary (weights, optimiser moments, callback state, history)
 * continues exactly as the uninterrupted run (same thread count assumed).
 *
 * @returns the history; the model holds the last epoch's weights (load a BestWeights callback's
 *   weights for the best epoch).
 * @throws EmovoxParameterError for bad options; EmovoxInputError when resume state does not fit.
 */
export function fit(
  model: EmotionModel,
  train: LoopData,
  val: LoopData | undefined,
  options: FitOptions,
  callbacks: readonly Callback[] = [],
): FitResult {
  const steps = fitSteps(model, train, val, options, callbacks);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * {@link fit} that gives the event loop a turn after every batch, so signal handlers, timers and
 * I/O run during training: Ctrl-C (an aborted `signal`) then stops after the current epoch as
 * documented, where a synchronous run would see the signal only once it had ended. Same
 * arguments, same result; the experiments and the CLI train with this one.
 */
export async function fitAsync(
  model: EmotionModel,
  train: LoopData,
  val: LoopData | undefined,
  options: FitOptions,
  callbacks: readonly Callback[] = [],
): Promise<FitResult> {
  const steps = fitSteps(model, train, val, options, callbacks);
  let step = steps.next();
  while (!step.done) {
    await yieldToEventLoop();
    step = steps.next();
  }
  return step.value;
}

/** Resolves after pending I/O and signal callbacks have run (a macrotask, unlike a microtask). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// The loop itself, one step per batch: `fit` runs it straight through, `fitAsync` yields to the
// event loop between steps.
function* fitSteps(
  model: EmotionModel,
  train: LoopData,
  val: LoopData | undefined,
  options: FitOptions,
  callbacks: readonly Callback[],
): Generator<void, FitResult, void> {
  const { epochs, batchSize, classes } = options;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new EmovoxParameterError('training.epochs', `must be an integer >= 1, got ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new EmovoxParameterError('training.batchSize', `must be an integer >= 1, got ${batchSize}`);
  if (!(options.optimizer.lr > 0)) throw new EmovoxParameterError('training.optimizer.lr', 'must be > 0');
  if (train.size < 2)
    throw new EmovoxInputError('training set', `has ${train.size} examples; needs at least 2`);
  const seed = options.seed ?? 0;
  const balance = options.balance ?? 'none';
  const names = new Set<string>();
  for (const cb of callbacks) {
    if (names.has(cb.name)) throw new EmovoxParameterError('callbacks', `two callbacks named ${cb.name}`);
    names.add(cb.name);
  }
  const trainTargets = Int32Array.from({ length: train.size }, (_, i) => train.target(i));
  const classWeights = balance === 'weights' ? balancedWeights(trainTargets, classes) : undefined;
  const optimizer = makeOptimizer(model.parameters(), options.optimizer);
  const weightTensor = classWeights ? ops.tensor(classWeights) : undefined;
  let history: EpochLog[] = [];
  let start = 0;
  const control: LoopControl = {
    lr: options.optimizer.lr,
    stop: false,
    weights: () => weightsOf(model),
    epochs,
    initialLr: options.optimizer.lr,
  };
  try {
    if (options.resume) {
      const r = options.resume;
      if (r.seed !== seed)
        throw new EmovoxInputError('resume', `checkpoint seed ${r.seed} differs from ${seed}`);
      model.loadStateDict(new Map(r.weights.map((w) => [w.name, { shape: w.shape, data: w.data }])));
      optimizer.loadStateDict(r.optimizer);
      for (const cb of callbacks)
        if (cb.restore && r.callbacks[cb.name] !== undefined) cb.restore(r.callbacks[cb.name]);
      history = [...r.history];
      start = r.epoch;
      control.lr = optimizer.lr;
      if (r.finished) return { history, stoppedEarly: r.epoch < epochs, aborted: false };
    }
    let stoppedEarly = false;
    for (let epoch = start; epoch < epochs; epoch++) {
      for (const cb of callbacks) cb.onEpochBegin?.(epoch, control);
      optimizer.lr = control.lr;
      manualSeed(deriveSeed(seed, epoch, 17));
      const order = epochOrder(train, classes, balance, seed, epoch);
      const batches: number[][] = [];
      for (let s = 0; s < order.length; s += batchSize) batches.push(order.slice(s, s + batchSize));
      if (batches.length > 1 && batches[batches.length - 1].length < 2) batches.pop();
      model.train();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batches.length; b++) {
        const idx = batches[b];
        const [loss, right] = tidy(() => {
          const inputs = toTensors(train.batch(idx, epoch));
          const target = ops.tensor(
            BigInt64Array.from(idx, (i) => BigInt(train.target(i))),
            { shape: [idx.length] },
          );
          const logits = model.forward(inputs);
          const l = ops.crossEntropy(logits, target, {
            weight: weightTensor ?? null,
            labelSmoothing: options.labelSmoothing ?? 0,
          });
          optimizer.zeroGrad();
          l.backward();
          if (options.gradClip && options.gradClip > 0) clipGradNorm(optimizer.params, options.gradClip);
          optimizer.step();
          return [l.item(), logits.argmax(1).eq(target).sum().item()];
        });
        lossSum += loss * idx.length;
        correct += right;
        seen += idx.length;
        options.onBatch?.({ epoch, batch: b + 1, batches: batches.length, loss });
        yield;
      }
      const log: EpochLog = {
        epoch,
        trainLoss: lossSum / seen,
        trainAccuracy: correct / seen,
        lr: optimizer.lr,
      };
      if (val && val.size > 0) Object.assign(log, validate(model, val, classes, options.score));
      for (const cb of callbacks) cb.onEpochEnd?.(log, control);
      history.push(log);
      const last = epoch === epochs - 1 || control.stop;
      if (control.stop && epoch < epochs - 1) stoppedEarly = true;
      options.onEpoch?.(log);
      options.onCheckpoint?.({
        epoch: epoch + 1,
        weights: [...model.stateDict()].map(([name, t]) => ({ name, shape: t.shape, data: t.data })),
        optimizer: { ...optimizer.stateDict(), lr: control.lr },
        callbacks: Object.fromEntries(callbacks.flatMap((cb) => (cb.state ? [[cb.name, cb.state()]] : []))),
        history,
        finished: last,
        seed,
      });
      if (last) break;
      if (options.signal?.aborted) return { history, stoppedEarly: false, aborted: true };
    }
    return { history, stoppedEarly, aborted: false };
  } finally {
    optimizer.dispose();
    weightTensor?.dispose();
  }
}

/** Validation loss, accuracy and the scorer's metrics (prefixed `val`, camel-cased). */
function validate(
  model: EmotionModel,
  val: LoopData,
  classes: number,
  score: FitOptions['score'],
): Record<string, number> {
  const logits = predictLogits(model, val);
  const probabilities = logitsToProbabilities(logits, classes);
  const truth = Int32Array.from({ length: val.size }, (_, i) => val.target(i));
  const predicted = argmaxClasses(logits, classes);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    loss -= Math.log(Math.max(1e-12, probabilities[i * classes + truth[i]]));
    if (predicted[i] === truth[i]) correct++;
  }
  const out: Record<string, number> = { valLoss: loss / truth.length, valAccuracy: correct / truth.length };
  if (score) {
    for (const [name, value] of Object.entries(score(truth, predicted, probabilities))) {
      out[`val${name[0].toUpperCase()}${name.slice(1)}`] = value;
    }
  }
  return out;
}
