// Runs a text recipe (src/train/text-recipe.ts) on a corpus with an official train/dev/test
// split: each member is fitted on train and chosen on dev (C, best epoch), the members' dev
// probabilities choose the mix, and test is scored once. Writes the standard run folder.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fitTextBaseline, predictTextBaseline } from '../classical/text-baseline.js';
import { Adam, manualSeed, noGrad, ops, setNumThreads, tidy, type Tensor } from '../engine/index.js';
import { classificationMetrics, type ClassificationMetrics } from '../eval/index.js';
import type { ModelConfig } from '../models/config.js';
import { buildModel } from '../models/zoo.js';
import { writeReportFiles, type EpochRecord } from '../report/index.js';
import { encodeDialogue, followingTurns, previousTurns } from '../text/context.js';
import { loadAudio } from '../audio/load.js';
import { featureFunction, featureSetDefinition, featureSpec } from '../features/sets.js';
import { saveBundle } from '../models/bundle.js';
import { loadMeldText, loadPairedManifest, type TextItem } from '../text/corpus.js';
import { SPECIAL_TOKENS, WordVocabulary } from '../text/word-vocab.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { EmovoxInputError } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';
import { gridMix, mixCrossCheck, mixProbabilities } from './text-mix.js';
import { applyOffsets, offsetsCrossCheck, tuneOffsets } from './text-offsets.js';
import { textRecipeYaml, type TextMember, type TextRecipe } from './text-recipe.js';
import { argmaxClasses, yieldToEventLoop } from './loop.js';

/** Dev and test class probabilities of one member, row-major [items, classes]. */
export interface MemberOutput {
  name: string;
  kind: string;
  pDev: Float32Array;
  pTest: Float32Array;
  dev: ClassificationMetrics;
  test: ClassificationMetrics;
  /** What dev chose: C for tfidf, the best epoch (1-based) of each seed for neural members. */
  chosen: Record<string, unknown>;
  history: EpochRecord[];
  seconds: number;
}

/** What {@link runTextExperiment} returns. */
export interface TextExperimentResult {
  recipe: TextRecipe;
  out: string;
  classes: string[];
  members: MemberOutput[];
  /** Mix weights of the members (sum 1). */
  weights: number[];
  /** Per-class offsets added to the mix's log-probabilities (all 0 unless `offsets: dev`). */
  offsets: number[];
  dev: ClassificationMetrics;
  test: ClassificationMetrics;
  /** Test ids, truth, prediction and probabilities [items, classes] of the mix. */
  testItems: TextItem[];
  testProbabilities: Float32Array;
  files: string[];
  wallSeconds: number;
}

/** Options of {@link runTextExperiment}. */
export interface TextExperimentOptions {
  /** Run folder (created). */
  out: string;
  /** The command line, recorded in train.log. */
  command?: string;
  /** Progress lines (also written to train.log). */
  onLog?: (line: string) => void;
}

function score(
  y: Int32Array,
  p: Float32Array,
  classes: readonly string[],
  probabilities = true,
): ClassificationMetrics {
  return classificationMetrics(
    y,
    argmaxClasses(p, classes.length),
    classes,
    probabilities ? { probabilities: p } : {},
  );
}

interface Splits {
  items: TextItem[];
  classes: string[];
  train: number[];
  dev: number[];
  test: number[];
  y: Int32Array;
  /** Audio feature vectors [items, audioDim] (z-scored with train statistics; 0 where missing). */
  audio: AudioFeatures | null;
}

/** Audio vectors of the items for fusion members. */
interface AudioFeatures {
  set: string;
  dim: number;
  values: Float32Array;
  /** 1 where the item's audio was read and its features computed. */
  present: Uint8Array;
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Computes `set` (a vector feature set) for every item with audio; an unreadable file is logged
 * and the item treated as having no audio. Standardises with the training items' statistics.
 */
async function audioFeatures(
  set: string,
  s: Omit<Splits, 'audio'>,
  log: (l: string) => void,
): Promise<AudioFeatures> {
  const definition = featureSetDefinition(set);
  if (definition.kind !== 'vector')
    throw new EmovoxInputError(
      'data.audioFeatures',
      `${set} is a ${definition.kind} set; fusion needs a vector set`,
    );
  const spec = featureSpec(set);
  const fn = featureFunction(spec);
  const rate = spec.params.sampleRate;
  const vectors: Array<Float32Array | null> = [];
  for (const item of s.items) {
    if (!item.audio) {
      vectors.push(null);
      continue;
    }
    try {
      const { samples } = await loadAudio(item.audio, { sr: rate });
      const value = await fn(samples, rate);
      if (!value.vector || !value.vector.every(Number.isFinite)) throw new Error('no finite feature vector');
      vectors.push(value.vector);
    } catch (error) {
      log(
        `audio of ${item.id} (${item.audio}) skipped: ${error instanceof Error ? error.message : String(error)}`,
      );
      vectors.push(null);
    }
  }
  const dim = vectors.find((v) => v !== null)?.length ?? 0;
  if (dim === 0) throw new EmovoxInputError('data.audioFeatures', 'no item has readable audio');
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  const trainWith = s.train.filter((i) => vectors[i] !== null);
  for (const i of trainWith) for (let k = 0; k < dim; k++) mean[k] += vectors[i]![k] / trainWith.length;
  for (const i of trainWith)
    for (let k = 0; k < dim; k++) std[k] += (vectors[i]![k] - mean[k]) ** 2 / trainWith.length;
  for (let k = 0; k < dim; k++) std[k] = Math.sqrt(std[k]) || 1;
  const values = new Float32Array(s.items.length * dim);
  const present = new Uint8Array(s.items.length);
  vectors.forEach((v, i) => {
    if (!v) return;
    present[i] = 1;
    for (let k = 0; k < dim; k++) values[i * dim + k] = (v[k] - mean[k]) / std[k];
  });
  log(
    `audio features ${set} (${dim} values): ${present.reduce((a, b) => a + b, 0)} of ${s.items.length} items have audio`,
  );
  return { set, dim, values, present, mean, std };
}

function fitTfidf(member: TextMember, s: Splits, select: TextRecipe['select'], log: (l: string) => void) {
  const set = (idx: number[]) => ({
    texts: idx.map((i) => s.items[i].text),
    labels: idx.map((i) => s.items[i].label),
  });
  const started = Date.now();
  const r = fitTextBaseline(set(s.train), set(s.dev), null, {
    tfidf: member.tfidf,
    cs: member.cs,
    classWeight: member.classWeight,
    tol: member.tol,
    solver: member.solver,
    select,
    classes: s.classes,
    onCandidate: (c, m) =>
      log(
        `${member.name}: C ${c} dev ${select} ${(100 * m[select]).toFixed(2)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      ),
  });
  return {
    pDev: predictTextBaseline(r.model, set(s.dev).texts),
    pTest: predictTextBaseline(r.model, set(s.test).texts),
    chosen: { c: r.c, features: r.model.tfidf.terms.length },
    history: [] as EpochRecord[],
  };
}

// Async only to give the event loop a turn after every batch: Ctrl-C and SIGTERM then end the run
// promptly instead of after the last member.
async function fitNeural(
  member: TextMember,
  recipe: TextRecipe,
  s: Splits,
  out: string,
  log: (l: string) => void,
) {
  const d = recipe.data;
  const t = member.training;
  if (t.threads > 0) setNumThreads(t.threads);
  const contextTurns = member.context ?? d.context;
  const speakers = member.speakers || d.speakers;
  // With speaker names the vocabulary is built from the prefixed texts, so a speaker's name is a
  // word the model has seen (and not [UNK] for speakers nobody names in the lines).
  const shown = (item: TextItem) => (speakers ? `${item.speaker}: ${item.text}` : item.text);
  const vocab = WordVocabulary.build(
    s.train.map((i) => shown(s.items[i])),
    { minCount: d.minCount },
  );
  const contexts = previousTurns(s.items, contextTurns, speakers);
  const following = followingTurns(s.items, member.following, speakers);
  // markContext: a context word's id is shifted past the vocabulary's words (a following turn's
  // word twice as far), so it has an embedding of its own; special tokens ([UNK], [SEP]) keep theirs.
  const specials = SPECIAL_TOKENS.length;
  const shift = vocab.size - specials;
  const vocabSize = member.markContext ? vocab.size + (member.following > 0 ? 2 : 1) * shift : vocab.size;
  const shifted = (by: number) => (text: string) =>
    vocab.encode(text).map((id) => (id >= specials ? id + by : id));
  const encodeContext = member.markContext ? shifted(shift) : undefined;
  const encodeFollowing = member.markContext ? shifted(2 * shift) : undefined;
  const rows = s.items.map((item, i) =>
    encodeDialogue((text) => vocab.encode(text), shown(item), contexts[i], {
      maxLength: d.maxLength,
      encodeContext,
      following: following[i],
      encodeFollowing,
    }),
  );
  const K = s.classes.length;
  const counts = new Float64Array(K);
  for (const i of s.train) counts[s.y[i]]++;
  const balanced = Array.from(counts, (c) => (c > 0 ? s.train.length / (K * c) : 0));
  const classWeights =
    t.balance === 'none' ? null : balanced.map((w) => (t.balance === 'sqrt' ? Math.sqrt(w) : w));
  const fusion = member.model.kind === 'fusion';
  const audio = s.audio;
  if (fusion && !audio) throw new EmovoxInputError(member.name, 'a fusion member needs data.audioFeatures');
  const inputs = (idx: number[]): Record<string, Tensor> => {
    const b = WordVocabulary.pad(idx.map((i) => rows[i]));
    const tokens = ops.tensor(b.ids, { shape: b.shape });
    if (!fusion || !audio) return { tokens };
    const a = new Float32Array(idx.length * audio.dim);
    const presence = new Float32Array(idx.length * 2);
    idx.forEach((i, r) => {
      a.set(audio.values.subarray(i * audio.dim, (i + 1) * audio.dim), r * audio.dim);
      presence[2 * r] = audio.present[i];
      presence[2 * r + 1] = s.items[i].text.trim() === '' ? 0 : 1;
    });
    return {
      tokens,
      audio: ops.tensor(a, { shape: [idx.length, audio.dim] }),
      presence: ops.tensor(presence, { shape: [idx.length, 2] }),
    };
  };
  const pDev = new Float32Array(s.dev.length * K);
  const pTest = new Float32Array(s.test.length * K);
  const bestEpochs: number[] = [];
  const history: EpochRecord[] = [];
  for (let m = 0; m < member.seeds; m++) {
    const seed = recipe.seed + m;
    manualSeed(seed);
    const random = mulberry32(seed);
    const config = (fusion
      ? {
          ...member.model,
          textInput: 'tokens',
          presence: true,
          audioDim: audio!.dim,
          vocabSize,
          classes: K,
        }
      : { ...member.model, vocabSize, classes: K }) as unknown as ModelConfig;
    const model = buildModel(config);
    const opt = new Adam(model.parameters(), { lr: t.lr, weightDecay: t.weightDecay });
    const weight = classWeights ? ops.tensor(Float32Array.from(classWeights)) : null;
    const probabilities = (idx: number[]): Float32Array => {
      model.eval();
      const out = new Float32Array(idx.length * K);
      noGrad(() => {
        for (let b = 0; b < idx.length; b += 256) {
          const part = idx.slice(b, b + 256);
          out.set(
            tidy(() => model.forward(inputs(part)).softmax(1).toFloat32Array()),
            b * K,
          );
        }
      });
      return out;
    };
    let best = { score: -Infinity, epoch: -1, state: model.stateDict() };
    const started = Date.now();
    for (let epoch = 0; epoch < t.epochs; epoch++) {
      model.train();
      const order = [...s.train];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      for (let b = 0; b < order.length; b += t.batchSize) {
        const idx = order.slice(b, b + t.batchSize);
        if (idx.length < 2) continue;
        lossSum += tidy(() => {
          const target = ops.tensor(
            BigInt64Array.from(idx, (i) => BigInt(s.y[i])),
            { shape: [idx.length] },
          );
          const loss = ops.crossEntropy(model.forward(inputs(idx)), target, {
            weight,
            labelSmoothing: t.labelSmoothing,
          });
          opt.zeroGrad();
          loss.backward();
          opt.step();
          return loss.item() * idx.length;
        });
        await yieldToEventLoop();
      }
      const pd = probabilities(s.dev);
      const devMetrics = score(
        Int32Array.from(s.dev, (i) => s.y[i]),
        pd,
        s.classes,
      );
      const value = devMetrics[recipe.select];
      history.push({
        fold: member.seeds > 1 ? `${member.name} seed ${seed}` : member.name,
        epoch: epoch + 1,
        trainLoss: lossSum / s.train.length,
        ...(devMetrics.logLoss !== undefined ? { valLoss: devMetrics.logLoss } : {}),
        valUa: devMetrics.ua,
        lr: t.lr,
      });
      log(
        `${member.name} seed ${seed}: epoch ${epoch + 1} loss ${(lossSum / s.train.length).toFixed(4)} dev ${recipe.select} ${(100 * value).toFixed(2)} UA ${(100 * devMetrics.ua).toFixed(2)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
      if (value > best.score) best = { score: value, epoch, state: model.stateDict() };
      else if (t.patience > 0 && epoch - best.epoch >= t.patience) break;
    }
    model.loadStateDict(best.state);
    bestEpochs.push(best.epoch + 1);
    // The chosen model, with what inference needs to rebuild its inputs (vocabulary, audio
    // feature set and its training statistics) in the metadata.
    const bundleDir = join(out, 'models', member.seeds > 1 ? `${member.name}-seed${seed}` : member.name);
    saveBundle(bundleDir, {
      config,
      weights: model.stateDict(),
      labels: s.classes,
      metadata: {
        'emovox.task': 'text',
        'emovox.member': member.name,
        'emovox.bestEpoch': String(best.epoch + 1),
        'emovox.vocabulary': JSON.stringify(vocab.toJSON()),
        'emovox.text': JSON.stringify({
          context: contextTurns,
          following: member.following,
          markContext: member.markContext,
          speakers,
          maxLength: d.maxLength,
        }),
        ...(fusion && audio
          ? {
              'emovox.audioFeatures': JSON.stringify({
                set: audio.set,
                spec: featureSpec(audio.set),
                mean: [...audio.mean],
                std: [...audio.std],
              }),
            }
          : {}),
      },
    });
    log(`${member.name} seed ${seed}: model bundle ${bundleDir}`);
    const pd = probabilities(s.dev);
    const pt = probabilities(s.test);
    for (let i = 0; i < pd.length; i++) pDev[i] += pd[i] / member.seeds;
    for (let i = 0; i < pt.length; i++) pTest[i] += pt[i] / member.seeds;
    weight?.dispose();
    model.dispose();
    opt.dispose();
  }
  return {
    pDev,
    pTest,
    chosen: { bestEpochs, vocabulary: vocabSize },
    history,
  };
}

/**
 * Runs a text recipe into `options.out`: loads the corpus (MELD's three CSVs), fits every member
 * on train (tfidf: C chosen on dev; neural: best epoch on dev, `seeds` models averaged), mixes
 * the members with weights chosen on dev (`mix`), scores test once, and writes `recipe.yaml`,
 * `train.log`, `members.json`, `predictions.csv` and the report files of src/report
 * (`metrics.json` with one fold `test`, `report.txt`, `confusion.png`, `curves.png`,
 * `reliability.png`, `report.html`).
 * @throws EmovoxInputError when the corpus is missing; engine errors when a neural member runs
 *   without the libtorch addon.
 */
export async function runTextExperiment(
  recipe: TextRecipe,
  options: TextExperimentOptions,
): Promise<TextExperimentResult> {
  const started = Date.now();
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const logLines: string[] = [];
  const log = (line: string) => {
    const stamped = `[${new Date().toISOString()}] ${line}`;
    logLines.push(stamped);
    options.onLog?.(line);
  };
  await writeFileAtomic(join(out, 'recipe.yaml'), textRecipeYaml(recipe));
  if (options.command) log(`command: ${options.command}`);
  const root = recipe.data.root ?? process.env.EMOVOX_DATA ?? '.';
  const dir = resolve(root, recipe.data.path);
  const corpus = recipe.data.format === 'manifest' ? await loadPairedManifest(dir) : await loadMeldText(dir);
  for (const p of corpus.problems) log(`skipped ${p.source}: ${p.problem}`);
  const items = corpus.items;
  const classes = [...new Set(items.filter((i) => i.split === 'train').map((i) => i.label))].sort();
  const indexOf = new Map(classes.map((c, i) => [c, i]));
  const kept = items.filter((i) => indexOf.has(i.label));
  if (kept.length < items.length)
    log(`${items.length - kept.length} items with a label absent from train dropped`);
  const split = (name: string) => kept.map((it, i) => (it.split === name ? i : -1)).filter((i) => i >= 0);
  const base = {
    items: kept,
    classes,
    train: split('train'),
    dev: split('dev'),
    test: split('test'),
    y: Int32Array.from(kept, (it) => indexOf.get(it.label)!),
  };
  for (const name of ['train', 'dev', 'test'] as const)
    if (base[name].length === 0) throw new EmovoxInputError(dir, `no ${name} utterances`);
  log(
    `${dir}: train ${base.train.length}, dev ${base.dev.length}, test ${base.test.length} utterances; classes ${classes.join(', ')}`,
  );
  const needsAudio = recipe.members.some((m) => m.model.kind === 'fusion');
  const s: Splits = {
    ...base,
    audio:
      needsAudio && recipe.data.audioFeatures
        ? await audioFeatures(recipe.data.audioFeatures, base, log)
        : null,
  };
  const yDev = Int32Array.from(s.dev, (i) => s.y[i]);
  const yTest = Int32Array.from(s.test, (i) => s.y[i]);
  const members: MemberOutput[] = [];
  for (const member of recipe.members) {
    const t0 = Date.now();
    log(`${member.name}: ${JSON.stringify(member.model)}`);
    const r =
      member.model.kind === 'tfidf'
        ? fitTfidf(member, s, recipe.select, log)
        : await fitNeural(member, recipe, s, out, log);
    const m: MemberOutput = {
      name: member.name,
      kind: member.model.kind,
      ...r,
      dev: score(yDev, r.pDev, classes),
      test: score(yTest, r.pTest, classes),
      seconds: (Date.now() - t0) / 1000,
    };
    members.push(m);
    log(
      `${member.name}: dev ${recipe.select} ${(100 * m.dev[recipe.select]).toFixed(2)} (${JSON.stringify(m.chosen)}), ${m.seconds.toFixed(0)} s`,
    );
  }
  let weights = members.map(() => 1 / members.length);
  const pct = (x: number) => (100 * x).toFixed(2);
  if (recipe.mix !== 'equal' && members.length > 1) {
    const devParts = members.map((m) => m.pDev);
    const grid = gridMix(yDev, devParts, classes, recipe.select);
    if (recipe.mix === 'dev') weights = grid.weights;
    else {
      // Grid weights always fit dev at least as well as the average; whether they carry over is
      // judged on dev alone, by choosing them on one half and scoring the other (5 splits).
      const check = mixCrossCheck(yDev, devParts, classes, recipe.select, recipe.seed, { repeats: 5 });
      const keep = check.grid > check.equal;
      log(
        `mix check on dev halves (grid weights chosen on one half, scored on the other, 5 splits): equal weights ${pct(check.equal)}, grid weights ${pct(check.grid)}: ${keep ? 'grid weights kept' : 'equal weights kept'} (grid on all of dev: ${members.map((m, i) => `${m.name} ${grid.weights[i].toFixed(2)}`).join(', ')}, dev ${recipe.select} ${pct(grid.score)})`,
      );
      if (keep) weights = grid.weights;
    }
  }
  const mixedDev = mixProbabilities(
    members.map((m) => m.pDev),
    weights,
  );
  const mixedTest = mixProbabilities(
    members.map((m) => m.pTest),
    weights,
  );
  log(`mix weights ${members.map((m, i) => `${m.name} ${weights[i].toFixed(2)}`).join(', ')}`);
  let offsets = classes.map(() => 0);
  if (recipe.offsets === 'dev') {
    const tuned = tuneOffsets(yDev, mixedDev, classes, recipe.select);
    // Offsets fitted on dev always raise dev; whether they generalise is judged on dev alone by
    // tuning on one half and scoring the other (5 random splits). Kept only when that gains.
    const check = offsetsCrossCheck(yDev, mixedDev, classes, recipe.select, recipe.seed, { repeats: 5 });
    const keep = check.with > check.without;
    log(
      `offsets on dev: ${classes.map((c, i) => `${c} ${tuned.offsets[i].toFixed(2)}`).join(', ')}; dev ${recipe.select} ${pct(tuned.before)} -> ${pct(tuned.after)} (tuned on dev itself); dev halves cross-check (tuned on one half, scored on the other, 5 splits): ${pct(check.without)} -> ${pct(check.with)}: ${keep ? 'kept' : 'not kept (no held-out gain)'}`,
    );
    if (keep) offsets = tuned.offsets;
  }
  const offsetsUsed = offsets.some((b) => b !== 0);
  const pDev = offsetsUsed ? applyOffsets(mixedDev, offsets) : mixedDev;
  const pTest = offsetsUsed ? applyOffsets(mixedTest, offsets) : mixedTest;
  const dev = score(yDev, pDev, classes);
  const test = score(yTest, pTest, classes);
  log(`dev: weighted F1 ${pct(dev.weightedF1)}, UA ${pct(dev.ua)}, WA ${pct(dev.wa)}`);
  log(
    `test: weighted F1 ${pct(test.weightedF1)}, UA ${pct(test.ua)}, WA ${pct(test.wa)}, macro F1 ${pct(test.macroF1)}`,
  );
  const wallSeconds = (Date.now() - started) / 1000;
  const testItems = s.test.map((i) => kept[i]);
  const files = Object.values(
    await writeReportFiles(out, {
      title: `${recipe.name}: ${recipe.data.path} official split (train / dev / test)`,
      recipe,
      dataSummary: {
        corpus: dir,
        train: s.train.length,
        dev: s.dev.length,
        test: s.test.length,
        classes: classes.join(', '),
        context: recipe.data.context,
      },
      folds: [{ name: 'test', metrics: test, history: members.flatMap((m) => m.history) }],
      notes: [
        'Trained on train; C, the best epoch and the mix weights chosen on dev; test scored once.',
        `Members (dev ${recipe.select} / test weighted F1): ${members
          .map(
            (m, i) =>
              `${m.name} ${pct(m.dev[recipe.select])} / ${pct(m.test.weightedF1)} (weight ${weights[i].toFixed(2)})`,
          )
          .join('; ')}.`,
        ...(offsetsUsed
          ? [
              `Per-class log-probability offsets chosen on dev: ${classes.map((c, i) => `${c} ${offsets[i].toFixed(2)}`).join(', ')}.`,
            ]
          : []),
        `Mix on dev: weighted F1 ${pct(dev.weightedF1)}, UA ${pct(dev.ua)}.`,
        'Curves: validation is the dev split; "val UA" is dev UA.',
        `Wall time ${wallSeconds.toFixed(1)} s.`,
      ],
    }),
  ).filter((p): p is string => typeof p === 'string');
  const K = classes.length;
  const csv = [
    ['item', 'speaker', 'dialogue', 'truth', 'predicted', ...classes.map((c) => `p_${c}`)].join(','),
  ];
  const predicted = argmaxClasses(pTest, K);
  testItems.forEach((it, i) => {
    const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    csv.push(
      [
        field(it.id),
        field(it.speaker ?? ''),
        field(it.dialogue),
        classes[yTest[i]],
        classes[predicted[i]],
        ...Array.from(pTest.subarray(i * K, (i + 1) * K), (p) => p.toFixed(6)),
      ].join(','),
    );
  });
  const membersJson = {
    classes,
    weights,
    offsets,
    dev: { weightedF1: dev.weightedF1, ua: dev.ua, wa: dev.wa, macroF1: dev.macroF1 },
    test: {
      weightedF1: test.weightedF1,
      ua: test.ua,
      wa: test.wa,
      macroF1: test.macroF1,
      confusion: test.confusion,
    },
    members: members.map((m) => ({
      name: m.name,
      kind: m.kind,
      chosen: m.chosen,
      seconds: m.seconds,
      dev: { weightedF1: m.dev.weightedF1, ua: m.dev.ua, wa: m.dev.wa, macroF1: m.dev.macroF1 },
      test: { weightedF1: m.test.weightedF1, ua: m.test.ua, wa: m.test.wa, macroF1: m.test.macroF1 },
    })),
    wallSeconds,
  };
  await writeFileAtomic(join(out, 'predictions.csv'), `${csv.join('\n')}\n`);
  await writeFileAtomic(join(out, 'members.json'), `${JSON.stringify(membersJson, null, 2)}\n`);
  // Every member's dev and test probabilities (before mixing and offsets), so other mixes can be
  // studied without retraining; choices must still be made on dev.
  const round = (p: Float32Array) => Array.from(p, (v) => Number(v.toFixed(6)));
  await writeFileAtomic(
    join(out, 'member-probabilities.json'),
    `${JSON.stringify({
      classes,
      dev: { ids: s.dev.map((i) => kept[i].id), truth: Array.from(yDev) },
      test: { ids: testItems.map((it) => it.id), truth: Array.from(yTest) },
      members: members.map((m) => ({ name: m.name, dev: round(m.pDev), test: round(m.pTest) })),
    })}\n`,
  );
  await writeFileAtomic(join(out, 'train.log'), `${logLines.join('\n')}\n`);
  files.push(
    join(out, 'predictions.csv'),
    join(out, 'members.json'),
    join(out, 'member-probabilities.json'),
    join(out, 'train.log'),
  );
  return {
    recipe,
    out,
    classes,
    members,
    weights,
    offsets,
    dev,
    test,
    testItems,
    testProbabilities: pTest,
    files,
    wallSeconds,
  };
}
