import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { manualSeed, setNumThreads } from '../engine/index.js';
import {
  applyTemperature,
  classificationMetrics,
  expectedCalibrationError,
  fitTemperature,
  type ClassificationMetrics,
} from '../eval/index.js';
import { saveBundle, type ModelBundle, type ModelCard } from '../models/bundle.js';
import type { ModelConfig } from '../models/config.js';
import { buildModel } from '../models/zoo.js';
import { sha256Hex } from '../extract/index.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { canonicalJson } from '../util/canonical-json.js';
import { EmovoxError, EmovoxInputError } from '../util/errors.js';
import { deriveSeed } from '../util/random.js';
import { VERSION } from '../version.js';
import {
  BestWeights,
  CosineSchedule,
  EarlyStopping,
  ReduceLrOnPlateau,
  ReplaySchedule,
  StepSchedule,
  type Callback,
  type EpochLog,
} from './callbacks.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { JobsInterrupted, runJobs, type RunJobsOptions } from './jobs.js';
import { corpusLicence, inheritedTerms } from './licences.js';
import { argmaxClasses, fitAsync, logitsToProbabilities, predictLogits, type LoopState } from './loop.js';
import { isSpeakerIndependent, type Fold } from './protocol.js';
import { recipeInputSpecs, recipeYaml, type Recipe } from './recipe.js';
import {
  fitNormalizers,
  itemKey,
  loopDataFor,
  modelConfigFor,
  prepareData,
  type PreparedData,
} from './setup.js';

/** Progress and log events of a run (the CLI renders them). */
export type ExperimentEvent =
  | { type: 'log'; message: string }
  | { type: 'progress'; phase: 'audio' | 'features'; done: number; total: number }
  | {
      type: 'fold-start';
      fold: string;
      index: number;
      folds: number;
      member: number;
      members: number;
      epochs: number;
      train: number;
      val: number;
      test: number;
    }
  | { type: 'batch'; fold: string; epoch: number; batch: number; batches: number; loss: number }
  | { type: 'epoch'; fold: string; member: number; log: EpochLog }
  | { type: 'fold-end'; fold: string; ua: number; wa: number; seconds: number }
  /** Parallel runs (`jobs` > 1): tasks (folds and the final model) done of total, and those running now. */
  | { type: 'jobs'; done: number; total: number; running: string[] };

/** Options of {@link runExperiment}. */
export interface ExperimentOptions {
  /** Run folder (created). */
  out: string;
  /** Continue the run in `out` (its recipe.yaml must equal this recipe). */
  resume?: boolean;
  /** 1-based folds to run (default all). */
  folds?: readonly number[];
  /** Skip test predictions and the final model: score on validation only (tuning). */
  validationOnly?: boolean;
  /** Command line that started the run, for the model card. */
  command?: string;
  /** Progress events (batches, epochs, folds, log lines) as the run goes. */
  onEvent?: (event: ExperimentEvent) => void;
  /** Stops after the current epoch (its checkpoint is written) and throws {@link ExperimentInterrupted}. */
  signal?: AbortSignal;
  /**
   * Folds trained at once (default the recipe's `training.jobs`, itself 1 by default). Above 1,
   * each fold (and the final model) runs in a child process with `training.threads` libtorch
   * threads; results are the same as with 1 (every fold seeds from the recipe seed and its own
   * index only). Changing it does not change the recipe, so a resumed run may use another value.
   */
  jobs?: number;
}

/** Thrown when a run is interrupted by its signal; the folder can be resumed. */
export class ExperimentInterrupted extends EmovoxError {
  constructor(readonly out: string) {
    super(`run interrupted; resume with: emovox train --resume ${out}`);
    this.name = 'ExperimentInterrupted';
  }
}

/** The saved outcome of one fold (folds/<name>.json). */
export interface FoldOutcome {
  index: number;
  name: string;
  testSpeakers: string[];
  warning?: string;
  /** Test rows: item ids, speakers, corpora, true and predicted class, probabilities [n, classes] (temperature-scaled). */
  ids: string[];
  speakers: string[];
  corpora: string[];
  truth: number[];
  predicted: number[];
  probabilities: number[];
  /** Temperature fitted on this fold's validation set (1 without one). */
  temperature: number;
  /** Best validation score of each ensemble member by the monitor, and its epoch (0-based). */
  valScores: number[];
  bestEpochs: number[];
  /** Training history of each member. */
  histories: EpochLog[][];
  trainSize: number;
  valSize: number;
  seconds: number;
}

/** What {@link runExperiment} returns. */
export interface ExperimentResult {
  out: string;
  recipe: Recipe;
  classes: string[];
  folds: FoldOutcome[];
  metrics: ClassificationMetrics[];
  /** Mean validation score (the monitor) over folds: what tuning compares. */
  validationScore: number;
  /** The saved bundle folder, when a final model was trained. */
  model?: string;
  data: PreparedData;
  wallSeconds: number;
}

function fingerprint(
  recipe: Recipe,
  what: string,
  rows: { train: number[]; val: number[] },
  data: PreparedData,
): string {
  const ids = (list: number[]) =>
    list.map((r) => `${itemKey(data.dataset.rows[r].item)}#${data.dataset.rows[r].copy}`);
  // How many folds run at once never changes what a fold computes: left out, so a run folder's
  // checkpoints resume under any --jobs (and fingerprints match those written before the key existed).
  const { jobs: _jobs, ...training } = recipe.training;
  return sha256Hex(
    canonicalJson({
      recipe: { ...recipe, training } as never,
      what,
      train: ids(rows.train),
      val: ids(rows.val),
      emovox: VERSION,
    }),
  );
}

function callbacksFor(recipe: Recipe, hasVal: boolean): { callbacks: Callback[]; best?: BestWeights } {
  const t = recipe.training;
  const callbacks: Callback[] = [];
  const s = t.schedule;
  if (s.kind === 'cosine') callbacks.push(new CosineSchedule(s.minLr, s.warmup));
  else if (s.kind === 'step') callbacks.push(new StepSchedule(s.stepSize, s.gamma));
  if (!hasVal) return { callbacks };
  if (s.kind === 'plateau')
    callbacks.push(new ReduceLrOnPlateau(t.monitor, s.factor, s.patience, s.minLr, s.cooldown));
  if (t.earlyStopping.patience > 0)
    callbacks.push(new EarlyStopping(t.monitor, t.earlyStopping.patience, t.earlyStopping.minDelta));
  const best = new BestWeights(t.monitor);
  callbacks.push(best);
  return { callbacks, best };
}

function validationScorer(classes: string[]) {
  return (truth: Int32Array, predicted: Int32Array) => {
    const m = classificationMetrics(truth, predicted, classes);
    return { ua: m.ua, macroF1: m.macroF1 };
  };
}

interface TrainedModel {
  weights: Map<string, { shape: number[]; data: Float32Array }>;
  history: EpochLog[];
  bestEpoch: number;
  valScore: number;
  /** Validation logits of the kept weights, [val, classes]. */
  valLogits: Float32Array;
  testLogits: Float32Array;
}

/**
 * Trains one model (one ensemble member of one fold, or the final model) with checkpoints and
 * returns its kept (best-validation) weights and logits.
 */
async function trainMember(
  recipe: Recipe,
  data: PreparedData,
  config: ModelConfig,
  rows: { train: number[]; val: number[]; test: number[] },
  label: string,
  member: number,
  checkpointPath: string,
  options: ExperimentOptions,
): Promise<TrainedModel> {
  const seed = recipe.seed + member;
  const normalizers = fitNormalizers(recipe, data.dataset, rows.train);
  const train = loopDataFor(recipe, data.dataset, rows.train, normalizers, deriveSeed(seed, 41));
  const val = rows.val.length > 0 ? loopDataFor(recipe, data.dataset, rows.val, normalizers, 0) : undefined;
  const test = loopDataFor(recipe, data.dataset, rows.test, normalizers, 0);
  const fp = fingerprint(recipe, `${label}#${member}`, rows, data);
  const resume =
    options.resume && existsSync(checkpointPath) ? loadCheckpoint(checkpointPath, fp) : undefined;
  manualSeed(deriveSeed(seed, 0, 5));
  const model = buildModel(config);
  const { callbacks, best } = callbacksFor(recipe, val !== undefined);
  const t = recipe.training;
  try {
    const result = await fitAsync(
      model,
      train,
      val,
      {
        epochs: t.epochs,
        batchSize: t.batchSize,
        optimizer: t.optimizer,
        classes: data.classes.length,
        balance: t.balance,
        labelSmoothing: t.labelSmoothing,
        gradClip: t.gradClip,
        seed,
        score: validationScorer(data.classes),
        resume,
        signal: options.signal,
        onBatch: (b) => options.onEvent?.({ type: 'batch', fold: label, ...b }),
        onEpoch: (log) => options.onEvent?.({ type: 'epoch', fold: label, member, log }),
        onCheckpoint: (state: LoopState) => {
          if (state.finished || state.epoch % t.checkpointEvery === 0)
            saveCheckpoint(checkpointPath, fp, state);
        },
      },
      callbacks,
    );
    if (result.aborted) throw new ExperimentInterrupted(options.out);
    if (best?.weights) model.loadStateDict(best.weights);
    const last = result.history[result.history.length - 1];
    const bestEpoch = best && best.bestEpoch >= 0 ? best.bestEpoch : last.epoch;
    const trained: TrainedModel = {
      weights: model.stateDict(),
      history: result.history,
      bestEpoch,
      valScore: best ? best.best : Number.NaN,
      valLogits: val ? predictLogits(model, val) : new Float32Array(0),
      testLogits: rows.test.length > 0 ? predictLogits(model, test) : new Float32Array(0),
    };
    if (!t.refit || !val) return trained;
    const refit = await refitMember(
      recipe,
      data,
      config,
      rows,
      label,
      member,
      result.history.slice(0, bestEpoch + 1),
      `${checkpointPath}.refit`,
      options,
    );
    return { ...trained, weights: refit.weights, testLogits: refit.testLogits };
  } finally {
    model.dispose();
  }
}

/**
 * The refit stage: the same initialisation trained on training + validation rows for the
 * validated number of epochs, replaying the validated run's learning rates.
 */
async function refitMember(
  recipe: Recipe,
  data: PreparedData,
  config: ModelConfig,
  rows: { train: number[]; val: number[]; test: number[] },
  label: string,
  member: number,
  history: EpochLog[],
  checkpointPath: string,
  options: ExperimentOptions,
): Promise<{ weights: Map<string, { shape: number[]; data: Float32Array }>; testLogits: Float32Array }> {
  const seed = recipe.seed + member;
  const all = [...rows.train, ...rows.val, ...rows.val.flatMap((r) => data.copiesOf.get(r) ?? [])];
  const normalizers = fitNormalizers(recipe, data.dataset, all);
  const train = loopDataFor(recipe, data.dataset, all, normalizers, deriveSeed(seed, 41));
  const test = loopDataFor(recipe, data.dataset, rows.test, normalizers, 0);
  const fp = fingerprint(recipe, `${label}#${member}#refit`, { train: all, val: [] }, data);
  const resume =
    options.resume && existsSync(checkpointPath) ? loadCheckpoint(checkpointPath, fp) : undefined;
  manualSeed(deriveSeed(seed, 0, 5));
  const model = buildModel(config);
  const t = recipe.training;
  try {
    const result = await fitAsync(
      model,
      train,
      undefined,
      {
        epochs: history.length,
        batchSize: t.batchSize,
        optimizer: t.optimizer,
        classes: data.classes.length,
        balance: t.balance,
        labelSmoothing: t.labelSmoothing,
        gradClip: t.gradClip,
        seed: deriveSeed(seed, 1, 53),
        resume,
        signal: options.signal,
        onBatch: (b) => options.onEvent?.({ type: 'batch', fold: `${label} refit`, ...b }),
        onCheckpoint: (state: LoopState) => {
          if (state.finished || state.epoch % t.checkpointEvery === 0)
            saveCheckpoint(checkpointPath, fp, state);
        },
      },
      [new ReplaySchedule(history.map((h) => h.lr))],
    );
    if (result.aborted) throw new ExperimentInterrupted(options.out);
    return {
      weights: model.stateDict(),
      testLogits: rows.test.length > 0 ? predictLogits(model, test) : new Float32Array(0),
    };
  } finally {
    model.dispose();
  }
}

/** Mean of member probabilities, returned as log-probabilities (logits of the ensemble). */
function ensembleLogits(members: Float32Array[], classes: number): Float32Array {
  if (members.length === 1) return members[0];
  const n = members[0].length;
  const mean = new Float64Array(n);
  for (const m of members) {
    const p = logitsToProbabilities(m, classes);
    for (let i = 0; i < n; i++) mean[i] += p[i] / members.length;
  }
  return Float32Array.from(mean, (p) => Math.log(Math.max(p, 1e-12)));
}

function foldRows(fold: Fold, data: PreparedData): { train: number[]; val: number[]; test: number[] } {
  const rowsOf = (items: Fold['train']) =>
    items.map((i) => data.rowOf.get(itemKey(i))!).filter((r) => r !== undefined);
  const trainOriginals = rowsOf(fold.train);
  const copies = trainOriginals.flatMap((r) => data.copiesOf.get(r) ?? []);
  return { train: [...trainOriginals, ...copies], val: rowsOf(fold.val), test: rowsOf(fold.test) };
}

function log(out: string, options: ExperimentOptions, message: string): void {
  appendFileSync(join(out, 'train.log'), `${new Date().toISOString()} ${message}\n`);
  options.onEvent?.({ type: 'log', message });
}

function foldFile(out: string, index: number): string {
  return join(out, 'folds', `fold-${String(index).padStart(2, '0')}.json`);
}

/** Trains and scores one fold (all ensemble members), or loads it when a resumed run finished it. */
async function runFold(
  recipe: Recipe,
  data: PreparedData,
  config: ModelConfig,
  fold: Fold,
  options: ExperimentOptions,
): Promise<FoldOutcome> {
  const file = foldFile(options.out, fold.index);
  if (options.resume && existsSync(file)) {
    log(options.out, options, `${fold.name}: finished earlier, loaded from ${file}`);
    return JSON.parse(readFileSync(file, 'utf8')) as FoldOutcome;
  }
  const started = performance.now();
  const rows = foldRows(fold, data);
  if (options.validationOnly) rows.test = [];
  const classes = data.classes.length;
  const members: TrainedModel[] = [];
  for (let m = 0; m < recipe.training.ensemble; m++) {
    options.onEvent?.({
      type: 'fold-start',
      fold: fold.name,
      index: fold.index,
      folds: data.folds.length,
      member: m,
      members: recipe.training.ensemble,
      epochs: recipe.training.epochs,
      train: rows.train.length,
      val: rows.val.length,
      test: rows.test.length,
    });
    const ckpt = join(
      options.out,
      'checkpoints',
      `fold-${String(fold.index).padStart(2, '0')}${recipe.training.ensemble > 1 ? `-m${m + 1}` : ''}.ckpt`,
    );
    members.push(await trainMember(recipe, data, config, rows, fold.name, m, ckpt, options));
  }
  const valTruth = rows.val.map((r) => data.dataset.rows[r].target);
  const valLogits = ensembleLogits(
    members.map((m) => m.valLogits),
    classes,
  );
  const temperature = valTruth.length > 0 ? fitTemperature(valLogits, valTruth, classes) : 1;
  const testLogits = ensembleLogits(
    members.map((m) => m.testLogits),
    classes,
  );
  const probabilities =
    rows.test.length > 0 ? applyTemperature(testLogits, classes, temperature) : new Float32Array(0);
  const testItems = rows.test.map((r) => data.dataset.rows[r]);
  const outcome: FoldOutcome = {
    index: fold.index,
    name: fold.name,
    testSpeakers: fold.testSpeakers,
    ...(fold.warning ? { warning: fold.warning } : {}),
    ids: testItems.map((r) => itemKey(r.item)),
    speakers: testItems.map((r) => r.speaker),
    corpora: testItems.map((r) => r.item.corpus),
    truth: testItems.map((r) => r.target),
    predicted: [...argmaxClasses(testLogits, classes)],
    probabilities: Array.from(probabilities),
    temperature,
    valScores: members.map((m) => m.valScore),
    bestEpochs: members.map((m) => m.bestEpoch),
    histories: members.map((m) => m.history),
    trainSize: rows.train.length,
    valSize: rows.val.length,
    seconds: (performance.now() - started) / 1000,
  };
  writeFileAtomicSync(file, JSON.stringify(outcome));
  return outcome;
}

async function runJobsOrInterrupt(options: RunJobsOptions): Promise<void> {
  try {
    await runJobs(options);
  } catch (error) {
    if (error instanceof JobsInterrupted) throw new ExperimentInterrupted(options.out);
    throw error;
  }
}

/** One task of a parallel run: a fold by its 1-based index, or the final model. */
export type JobTask = number | 'final';

/**
 * Runs one task of a parallel run inside a job process (src/train/job-worker.ts): a fold, which
 * writes `folds/fold-NN.json`, or the final model's training, which leaves its finished
 * checkpoint for the parent to build the bundle from. Folds seed from the recipe seed and their
 * own index only, so a task computes what the sequential run computes.
 * @throws EmovoxInputError('--folds') for a fold the data does not have; ExperimentInterrupted
 *   when `options.signal` stops it (the last checkpoint stays).
 */
export async function runJobTask(
  recipe: Recipe,
  data: PreparedData,
  config: ModelConfig,
  task: JobTask,
  options: ExperimentOptions,
): Promise<void> {
  if (task === 'final') {
    await trainFinalModel(recipe, data, config, options);
    return;
  }
  const fold = data.folds.find((f) => f.index === task);
  if (!fold) throw new EmovoxInputError('--folds', `fold ${task} does not exist (1-${data.folds.length})`);
  await runFold(recipe, data, config, fold, options);
}

/** Metrics of a saved fold (probabilities temperature-scaled on the fold's validation set). */
export function foldMetrics(outcome: FoldOutcome, classes: string[]): ClassificationMetrics {
  return classificationMetrics(outcome.truth, outcome.predicted, classes, {
    probabilities: Float32Array.from(outcome.probabilities),
  });
}

/** Trains the final model (all data but its validation speakers), checkpointed in checkpoints/final.ckpt. */
async function trainFinalModel(
  recipe: Recipe,
  data: PreparedData,
  config: ModelConfig,
  options: ExperimentOptions,
): Promise<{ trained: TrainedModel; rows: { train: number[]; val: number[]; test: number[] } }> {
  const all = data.dataset.rows.flatMap((r, i) => (r.copy === 0 ? [i] : []));
  const evalCorpora = new Set(data.corpora.filter((c) => c.role === 'eval').map((c) => c.loaded.corpus));
  // Validation speakers: the recipe's share of the eval corpora's speakers, as inside each fold.
  const allItems = all.map((r) => data.dataset.rows[r].item);
  const evalItems = allItems.filter((i) => evalCorpora.has(i.corpus));
  const pseudoFold: Fold = {
    index: 0,
    name: 'final',
    train: evalItems,
    val: [],
    test: [],
    leaksSpeakers: false,
    testSpeakers: [],
  };
  const carved = carveFinalValidation(recipe, pseudoFold);
  const valKeys = new Set(carved.map(itemKey));
  const train = all.filter((r) => !valKeys.has(itemKey(data.dataset.rows[r].item)));
  const rows = {
    train: [...train, ...train.flatMap((r) => data.copiesOf.get(r) ?? [])],
    val: all.filter((r) => valKeys.has(itemKey(data.dataset.rows[r].item))),
    test: [] as number[],
  };
  options.onEvent?.({
    type: 'fold-start',
    fold: 'final model',
    index: 0,
    folds: data.folds.length,
    member: 0,
    members: 1,
    epochs: recipe.training.epochs,
    train: rows.train.length,
    val: rows.val.length,
    test: 0,
  });
  const trained = await trainMember(
    recipe,
    data,
    config,
    rows,
    'final model',
    0,
    join(options.out, 'checkpoints', 'final.ckpt'),
    options,
  );
  return { trained, rows };
}

/**
 * Trains the final model and saves the format-2 bundle. `trainedByJob`: a parallel run's job
 * trained it already; its finished checkpoint is loaded (the same weights, no epoch rerun).
 */
async function trainFinal(
  recipe: Recipe,
  data: PreparedData,
  config: ModelConfig,
  metrics: ClassificationMetrics[],
  options: ExperimentOptions,
  trainedByJob = false,
): Promise<string> {
  const { trained, rows } = await trainFinalModel(
    recipe,
    data,
    config,
    trainedByJob ? { ...options, resume: true, onEvent: undefined } : options,
  );
  const classes = data.classes.length;
  const valTruth = rows.val.map((r) => data.dataset.rows[r].target);
  let calibration: ModelBundle['calibration'];
  if (recipe.final.calibrate && valTruth.length > 0) {
    const temperature = fitTemperature(trained.valLogits, valTruth, classes);
    calibration = {
      temperature,
      fittedOn: `validation speakers of the final model (${rows.val.length} items)`,
      eceBefore: expectedCalibrationError(
        logitsToProbabilities(trained.valLogits, classes),
        valTruth,
        classes,
      ),
      eceAfter: expectedCalibrationError(
        applyTemperature(trained.valLogits, classes, temperature),
        valTruth,
        classes,
      ),
    };
  }
  // The bundle's statistics are those of the rows the saved weights were trained on.
  const fittedOn = recipe.training.refit
    ? [...rows.train, ...rows.val, ...rows.val.flatMap((r) => data.copiesOf.get(r) ?? [])]
    : rows.train;
  const normalizers = fitNormalizers(recipe, data.dataset, fittedOn);
  const agg = (pick: (m: ClassificationMetrics) => number) => {
    const v = metrics.map(pick);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
  };
  const card: ModelCard = {
    name: recipe.name,
    ...(recipe.description ? { description: recipe.description } : {}),
    created: new Date().toISOString(),
    emovox: VERSION,
    data: data.corpora.map((c) => {
      const items = c.loaded.items.filter((i) => data.rowOf.has(itemKey(i)));
      return {
        corpus: c.loaded.corpus,
        items: items.length,
        speakers: new Set(items.map((i) => i.speaker)).size,
        role: c.role,
        licence: corpusLicence(c.loaded.corpus),
      };
    }),
    terms: inheritedTerms(data.corpora.map((c) => c.loaded.corpus)),
    classes: data.classes,
    protocol: {
      name: recipe.protocol.name,
      folds: metrics.length,
      speakerIndependent: isSpeakerIndependent(recipe.protocol.name),
      ...(recipe.protocol.name === 'random'
        ? { warning: 'random split: speakers shared between train and test; accuracy is inflated' }
        : {}),
    },
    metrics:
      metrics.length > 0
        ? {
            ua: agg((m) => m.ua),
            wa: agg((m) => m.wa),
            macroF1: agg((m) => m.macroF1),
            weightedF1: agg((m) => m.weightedF1),
          }
        : {},
    ...(options.command ? { command: options.command } : {}),
    training: `${rows.train.length} training rows (augmented copies included), ${rows.val.length} validation items held out by speaker; best epoch ${trained.bestEpoch + 1}${recipe.training.refit ? ', then refit on training + validation speakers for that many epochs' : ''}`,
    limitations: [
      'Trained on acted studio speech; expect lower accuracy on spontaneous, noisy or telephone speech.',
      ...(recipe.normalization.mode === 'speaker'
        ? [
            `Per-speaker normalisation: until a speaker has ${recipe.normalization.minUtterances} utterances, the training set's statistics stand in for theirs.`,
          ]
        : []),
    ],
  };
  const bundle: ModelBundle = {
    config,
    weights: trained.weights,
    labels: data.classes,
    inputs: recipeInputSpecs(recipe),
    preprocess: { trimSilence: recipe.data.preprocess.trimSilence },
    normalization: Object.fromEntries(Object.entries(normalizers).map(([k, n]) => [k, n.stored])),
    ...(calibration ? { calibration } : {}),
    card,
    metadata: { recipe: recipe.name },
  };
  // Written beside, then swapped in: a killed run never leaves a half-written model/.
  const target = join(options.out, 'model');
  const staging = join(options.out, `.model-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  saveBundle(staging, bundle);
  const old = join(options.out, `.model-old-${process.pid}`);
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
  return target;
}

function carveFinalValidation(recipe: Recipe, fold: Fold): Fold['train'] {
  const f = recipe.protocol.valFraction;
  if (f <= 0) return [];
  // Same rule as inside folds: whole speakers, seeded, genders alternating.
  if (fold.train.some((i) => i.speaker === '')) return [];
  const chosen = new Set<string>();
  // Several corpora: each gives its own share and keeps a speaker for training (as the folds
  // do, src/train/protocol.ts), so a two-speaker corpus never moves wholly into validation.
  for (const corpus of [...new Set(fold.train.map((i) => i.corpus))].sort()) {
    const speakers = [
      ...new Set(fold.train.filter((i) => i.corpus === corpus).map((i) => `${i.corpus}/${i.speaker}`)),
    ].sort();
    if (speakers.length < 2) continue;
    const count = Math.min(speakers.length - 1, Math.max(1, Math.round(f * speakers.length)));
    const ordered = speakers
      .map((s, i) => ({ s, k: deriveSeed(recipe.seed, i, 43) }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.s);
    for (const s of ordered.slice(0, count)) chosen.add(s);
  }
  return fold.train.filter((i) => chosen.has(`${i.corpus}/${i.speaker}`));
}

/**
 * Runs a recipe end to end into a run folder: data, folds, training with checkpoints, test
 * predictions, the final model bundle, and `recipe.yaml`, `train.log`, `folds/*.json`. Report
 * files (metrics.json, report.txt, plots, report.html) are written by `writeRunReport` (src/train/run-report.ts).
 *
 * A killed run leaves `recipe.yaml`, finished folds and the last checkpoint: `resume: true`
 * continues it and ends with the same metrics as an uninterrupted run.
 * @throws EmovoxParameterError before any training for bad recipes (unknown keys, missing
 *   corpora, empty classes, folds without a class or with one training speaker).
 * @example
 * ```ts
 * import { loadRecipe, runExperiment, writeRunReport } from 'emovox/experiments';
 *
 * const { recipe } = loadRecipe('recipes/mlp-mfcc-stats.yaml', ['training.epochs=20']);
 * const result = await runExperiment(recipe, {
 *   out: 'runs/mlp-mfcc-stats',
 *   onEvent: (event) => {
 *     if (event.type === 'fold-end') console.log(event.fold, 'UA', event.ua.toFixed(3));
 *   },
 * });
 * await writeRunReport(result); // metrics.json, report.txt, plots, report.html
 * console.log(result.metrics.map((m) => m.ua));
 * ```
 */
export async function runExperiment(recipe: Recipe, options: ExperimentOptions): Promise<ExperimentResult> {
  const started = performance.now();
  const out = resolve(options.out);
  const opts = { ...options, out };
  mkdirSync(join(out, 'folds'), { recursive: true });
  mkdirSync(join(out, 'checkpoints'), { recursive: true });
  const recipePath = join(out, 'recipe.yaml');
  const yaml = recipeYaml(recipe);
  if (options.resume) {
    if (!existsSync(recipePath))
      throw new EmovoxInputError(out, 'no recipe.yaml: not a run folder to resume');
    if (readFileSync(recipePath, 'utf8') !== yaml) {
      throw new EmovoxInputError(
        recipePath,
        "differs from the recipe given; resume with the run folder's own recipe",
      );
    }
  } else {
    if (existsSync(recipePath))
      throw new EmovoxInputError(out, 'already holds a run; use --resume to continue it or another --out');
    writeFileAtomicSync(recipePath, yaml);
  }
  if (recipe.training.threads > 0) setNumThreads(recipe.training.threads);
  log(out, opts, `emovox ${VERSION}: ${options.resume ? 'resuming' : 'starting'} ${recipe.name} in ${out}`);
  const data = await prepareData(recipe, (phase, done, total) =>
    options.onEvent?.({ type: 'progress', phase, done, total }),
  );
  for (const s of data.skipped) log(out, opts, `corpus skipped: ${s}`);
  for (const d of data.dataset.dropped) log(out, opts, `item dropped: ${d.source}: ${d.problem}`);
  log(
    out,
    opts,
    `${data.dataset.rows.length} rows (${data.dataset.rows.filter((r) => r.copy > 0).length} augmented copies), ${data.classes.length} classes [${data.classes.join(', ')}], ${data.folds.length} folds; features: ${data.dataset.cacheHits} cached, ${data.dataset.extracted - data.dataset.cacheHits} computed`,
  );
  if (recipe.protocol.name === 'random')
    log(out, opts, `WARNING: ${data.folds[0].warning ?? 'random split leaks speakers'}`);
  const config = modelConfigFor(recipe, data.dataset);
  const selected = options.folds
    ? options.folds.map((n) => {
        const f = data.folds.find((x) => x.index === n);
        if (!f) throw new EmovoxInputError('--folds', `fold ${n} does not exist (1-${data.folds.length})`);
        return f;
      })
    : data.folds;
  const outcomes: FoldOutcome[] = [];
  const metrics: ClassificationMetrics[] = [];
  const report = (fold: Fold, outcome: FoldOutcome): void => {
    if (!options.validationOnly) {
      const m = foldMetrics(outcome, data.classes);
      log(
        out,
        opts,
        `${fold.name}: UA ${(100 * m.ua).toFixed(1)} %, WA ${(100 * m.wa).toFixed(1)} % (${outcome.truth.length} test items, best epochs ${outcome.bestEpochs.map((e) => e + 1).join('/')}, ${outcome.seconds.toFixed(0)} s)`,
      );
      options.onEvent?.({ type: 'fold-end', fold: fold.name, ua: m.ua, wa: m.wa, seconds: outcome.seconds });
    } else {
      log(
        out,
        opts,
        `${fold.name}: validation ${recipe.training.monitor} ${outcome.valScores.map((v) => v.toFixed(4)).join('/')}`,
      );
    }
  };
  const finalWanted = recipe.final.train && !options.validationOnly;
  const jobs = options.jobs ?? recipe.training.jobs;
  // Folds a resumed run finished are loaded here; the rest (and the final model) are the tasks.
  const pending =
    jobs > 1 ? selected.filter((f) => !(options.resume && existsSync(foldFile(out, f.index)))) : [];
  const tasks: JobTask[] = [...(finalWanted ? (['final'] as const) : []), ...pending.map((f) => f.index)];
  const parallel = jobs > 1 && tasks.length > 1;
  if (parallel) {
    if (recipe.training.threads === 0)
      log(
        out,
        opts,
        `note: ${Math.min(jobs, tasks.length)} jobs with training.threads 0 each start one libtorch thread per core; set training.threads to 1 when jobs = cores`,
      );
    const byIndex = new Map(selected.map((f) => [f.index, f]));
    const done = new Map<number, FoldOutcome>();
    for (const fold of selected) {
      if (pending.includes(fold)) continue;
      const outcome = await runFold(recipe, data, config, fold, opts);
      done.set(fold.index, outcome);
      report(fold, outcome);
    }
    await runJobsOrInterrupt({
      recipe,
      out,
      resume: options.resume === true,
      validationOnly: options.validationOnly === true,
      tasks,
      jobs,
      signal: options.signal,
      onEvent: options.onEvent,
      labelOf: (task) => (task === 'final' ? 'final model' : byIndex.get(task)!.name),
      onTaskDone: (task) => {
        if (task === 'final') return;
        const outcome = JSON.parse(readFileSync(foldFile(out, task), 'utf8')) as FoldOutcome;
        done.set(task, outcome);
        report(byIndex.get(task)!, outcome);
      },
    });
    for (const fold of selected) {
      const outcome = done.get(fold.index)!;
      outcomes.push(outcome);
      if (!options.validationOnly) metrics.push(foldMetrics(outcome, data.classes));
    }
  } else {
    for (const fold of selected) {
      const outcome = await runFold(recipe, data, config, fold, opts);
      outcomes.push(outcome);
      if (!options.validationOnly) metrics.push(foldMetrics(outcome, data.classes));
      report(fold, outcome);
    }
  }
  const scores = outcomes.flatMap((o) => o.valScores).filter((v) => Number.isFinite(v));
  const validationScore = scores.length > 0 ? scores.reduce((a, b) => a + b, 0) / scores.length : Number.NaN;
  let model: string | undefined;
  if (recipe.final.train && !options.validationOnly) {
    model = await trainFinal(recipe, data, config, metrics, opts, parallel);
    log(out, opts, `final model saved to ${model}`);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    out,
    recipe,
    classes: data.classes,
    folds: outcomes,
    metrics,
    validationScore,
    model,
    data,
    wallSeconds,
  };
}
