// `npm run bench:train [-- --recipe recipes/cnn1d-vector180.yaml] [--folds 1,2] [--set key=value ...] [--no-reference]
//   [--emovox-run DIR] [--svm] [--export DIR] [--json]`
//
// The cnn1d recipe end to end, emovox vs a PyTorch twin (reference/cnn1d_recipe.py) on the same
// feature arrays, the same folds and validation speakers, the same loop settings. Prints per-fold
// test UA of both, and the wall time of emovox's full run (features from the warm cache, every
// fold, the final model) next to the PyTorch folds' time. Run it twice: the first run fills the
// feature cache. Needs the shared corpora ($EMOVOX_DATA or ../shared/data) and the libtorch addon;
// the reference needs Debian's python3-torch and python3-sklearn (/usr/bin/python3).
// --emovox-run DIR takes emovox's side from a finished `emovox train` folder of the same recipe
// (its folds' UA and seconds; no emovox timing of the whole run) instead of running it again.
// --svm also runs the classical line (reference/svm_baseline.py: scikit-learn RBF-SVM, global and
// per-speaker z-scoring) on the same exported arrays and folds; with --no-reference it is the only
// reference run (e.g. --recipe recipes/linear-functionals.yaml --emovox-run runs/linear-functionals
// --no-reference --svm). --export DIR keeps the exported arrays in DIR.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/models/config.js';
import { readdirSync, readFileSync } from 'node:fs';
import { foldMetrics, runExperiment, type FoldOutcome } from '../src/train/experiment.js';
import { loadRecipe } from '../src/train/recipe.js';
import { itemKey, modelConfigFor, prepareData } from '../src/train/setup.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sets = args.flatMap((a, i) => (args[i - 1] === '--set' ? [a] : []));
const recipePath = resolve(root, value('--recipe', 'recipes/cnn1d-vector180.yaml'));
const folds = args.includes('--folds') ? value('--folds', '').split(',').map(Number) : undefined;
process.env.EMOVOX_DATA ??= resolve(root, '..', 'shared', 'data');

const { recipe } = loadRecipe(recipePath, sets);
const exportDir = args.includes('--export') ? resolve(value('--export', '')) : undefined;
if (exportDir) mkdirSync(exportDir, { recursive: true });
const work = exportDir ?? mkdtempSync(join(tmpdir(), 'emovox-bench-train-'));
try {
  const log = (line: string) => {
    if (!flag('--json')) console.error(line);
  };
  log(
    `bench:train ${recipe.name}: ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  // emovox: the whole run, as `emovox train` does it (or a finished run folder).
  let emovoxWall = Number.NaN;
  let outcomes: FoldOutcome[];
  let emovoxUa: number[];
  const previous = args.includes('--emovox-run') ? resolve(value('--emovox-run', '')) : undefined;
  if (previous) {
    outcomes = readdirSync(join(previous, 'folds'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(previous, 'folds', f), 'utf8')) as FoldOutcome)
      .filter((o) => !folds || folds.includes(o.index));
    const classes = (await prepareData(recipe)).classes;
    emovoxUa = outcomes.map((o) => foldMetrics(o, classes).ua);
    log(`emovox: folds from ${previous}`);
  } else {
    const started = performance.now();
    const run = await runExperiment(recipe, { out: join(work, 'run'), folds });
    emovoxWall = (performance.now() - started) / 1000;
    outcomes = run.folds;
    emovoxUa = run.metrics.map((m) => m.ua);
  }
  const emovoxFolds = outcomes.reduce((a, f) => a + f.seconds, 0);
  log(
    `emovox: ${Number.isFinite(emovoxWall) ? `${emovoxWall.toFixed(1)} s wall, ` : ''}folds ${emovoxFolds.toFixed(1)} s`,
  );

  // PyTorch: the same rows and folds, exported from the same prepared data.
  let reference:
    | {
        folds: { name: string; ua: number; wa: number; epochs: number }[];
        wallSeconds: number;
        threads: number;
      }
    | undefined;
  let svm: { global: { mean: number; std: number }; speaker: { mean: number; std: number } } | undefined;
  if (!flag('--no-reference') || flag('--svm') || exportDir) {
    const data = await prepareData(recipe);
    const input = data.dataset.inputs.features;
    const dims = input.channels;
    const features = new Float32Array(data.dataset.rows.length * dims);
    input.rows.forEach((r, i) => features.set(r, i * dims));
    writeFileSync(join(work, 'features.f32'), features);
    writeFileSync(
      join(work, 'targets.i32'),
      Int32Array.from(data.dataset.rows, (r) => r.target),
    );
    writeFileSync(join(work, 'speakers.json'), JSON.stringify(data.dataset.rows.map((r) => r.speaker)));
    const rowsOf = (items: (typeof data.folds)[number]['train']) =>
      items.map((i) => data.rowOf.get(itemKey(i))!);
    const chosen = folds ? data.folds.filter((f) => folds.includes(f.index)) : data.folds;
    writeFileSync(
      join(work, 'data.json'),
      JSON.stringify({
        classes: data.classes,
        seed: recipe.seed,
        model: resolveConfig(modelConfigFor(recipe, data.dataset)),
        training: recipe.training,
        folds: chosen.map((f) => {
          const originals = rowsOf(f.train);
          return {
            name: f.name,
            trainOriginals: originals,
            train: [...originals, ...originals.flatMap((r) => data.copiesOf.get(r) ?? [])],
            val: rowsOf(f.val),
            test: rowsOf(f.test),
          };
        }),
      }),
    );
    const threads = String(recipe.training.threads || '');
    if (flag('--svm')) {
      const out = spawnSync('/usr/bin/python3', [join(root, 'reference', 'svm_baseline.py'), work], {
        encoding: 'utf8',
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: threads || '1' },
        maxBuffer: 1 << 26,
      });
      if (out.status !== 0) throw new Error(`svm reference failed: ${out.stderr}`);
      svm = JSON.parse(out.stdout.trim().split('\n').pop()!);
      log(
        `scikit-learn RBF-SVM: UA ${(100 * svm!.global.mean).toFixed(1)} % ± ${(100 * svm!.global.std).toFixed(1)} (global z-score), ` +
          `${(100 * svm!.speaker.mean).toFixed(1)} % ± ${(100 * svm!.speaker.std).toFixed(1)} (per-speaker z-score)`,
      );
    }
  }
  if (!flag('--no-reference')) {
    const threads = String(recipe.training.threads || '');
    const result = spawnSync('/usr/bin/python3', [join(root, 'reference', 'cnn1d_recipe.py'), work], {
      encoding: 'utf8',
      env: {
        ...process.env,
        OPENBLAS_NUM_THREADS: '1',
        OMP_NUM_THREADS: threads || process.env.OMP_NUM_THREADS || '',
        TORCH_THREADS: threads,
      },
      maxBuffer: 1 << 26,
    });
    if (result.status !== 0) throw new Error(`reference failed: ${result.stderr}`);
    reference = JSON.parse(result.stdout.trim().split('\n').pop()!);
    log(`PyTorch: ${reference!.wallSeconds.toFixed(1)} s (folds only, ${reference!.threads} threads)`);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const refUa = reference?.folds.map((f) => f.ua) ?? [];
  const rows = outcomes.map(
    (f, i) =>
      `| ${f.name} | ${(100 * emovoxUa[i]).toFixed(1)} | ${reference ? (100 * refUa[i]).toFixed(1) : '-'} | ${f.bestEpochs.map((e) => e + 1).join('/')} | ${reference ? reference.folds[i].epochs : '-'} |`,
  );
  const summary = {
    recipe: recipe.name,
    emovox: { wallSeconds: emovoxWall, foldSeconds: emovoxFolds, ua: mean(emovoxUa), folds: emovoxUa },
    ...(reference ? { pytorch: { foldSeconds: reference.wallSeconds, ua: mean(refUa), folds: refUa } } : {}),
    ...(svm ? { svm } : {}),
    uaGap: reference ? mean(emovoxUa) - mean(refUa) : null,
  };
  if (flag('--json')) console.log(JSON.stringify(summary));
  else {
    console.log(
      `| fold | emovox UA % | PyTorch UA % | emovox best epoch | PyTorch epochs run |\n|---|---:|---:|---:|---:|\n${rows.join('\n')}`,
    );
    console.log(
      `mean UA: emovox ${(100 * mean(emovoxUa)).toFixed(1)} %${reference ? `, PyTorch ${(100 * mean(refUa)).toFixed(1)} % (gap ${(100 * summary.uaGap!).toFixed(1)} points)` : ''}`,
    );
    console.log(
      `time: emovox full run ${Number.isFinite(emovoxWall) ? `${emovoxWall.toFixed(1)} s` : 'not timed'} (goal <= 600 s; folds ${emovoxFolds.toFixed(1)} s)${reference ? `, PyTorch folds ${reference.wallSeconds.toFixed(1)} s, ratio ${(emovoxFolds / reference.wallSeconds).toFixed(2)}` : ''}`,
    );
  }
} finally {
  if (!exportDir) rmSync(work, { recursive: true, force: true });
}
