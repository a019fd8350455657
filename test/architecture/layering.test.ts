// The layering of src/ as one table: which folders each folder's modules may import, which
// packages the low layers may load, which of their modules may reach Node built-ins, and the
// transitive rules that keep inference free of the engine and the browser-safe code free of Node.
// A new folder (or top-level file) under src/ fails the coverage test until it has a row here.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../helpers/data.js';
import {
  importsOf,
  isNodeBuiltin,
  packageName,
  reachable,
  runtimeImports,
  sourceFiles,
  topLevelProcessUses,
} from '../helpers/module-graph.js';

/** One unit of src/: a folder, or a file directly under src/. */
interface Layer {
  /**
   * The units this unit's modules may import (run time and type-only alike), besides itself;
   * `'*'` for any. Top-level files are named with their extension (`version.ts`).
   */
  readonly imports: readonly string[] | '*';
  /** Units it must never import, even through `'*'`. */
  readonly never?: readonly string[];
  /** npm packages its modules may import directly (`'any'`: not restricted). */
  readonly packages: readonly string[] | 'any';
  /**
   * Its modules that may reach a Node built-in at run time, directly or through any import
   * (paths inside the unit); every other module must reach none. `'any'`: a Node-only unit.
   * Exact: a listed module that no longer reaches Node fails too, so the list stays true.
   */
  readonly node: readonly string[] | 'any';
  /** Why it sits where it does. */
  readonly why: string;
}

/** Every unit that holds the bottom layers: dsp, audio and features share these. */
const SIGNAL = ['util', 'dsp', 'audio', 'features'];
/** Everything a training or serving stack may stand on, below the entry points. */
const LIBRARY = [
  ...SIGNAL,
  'version.ts',
  'extract',
  'encoders',
  'corpora',
  'data',
  'models',
  'eval',
  'report',
];

const LAYERS: Record<string, Layer> = {
  'version.ts': {
    imports: [],
    packages: [],
    node: [],
    why: 'the package version, generated from package.json (nothing read at import)',
  },
  util: {
    imports: [],
    packages: [],
    node: ['atomic-file.ts', 'output-paths.ts', 'ort-telemetry-off.ts', 'index.ts'],
    why: 'errors, seeded random, canonical JSON at the bottom; the file helpers and the onnxruntime-node environment setting are Node-only',
  },
  dsp: {
    imports: ['util'],
    packages: ['fft.js', '@echogarden/pffft-wasm'],
    node: ['pffft-node.ts'],
    why: 'the one signal core; PFFFT wasm arrives as bytes, read from disk only by pffft-node.ts',
  },
  audio: {
    imports: ['util', 'dsp'],
    packages: [
      'fft.js',
      '@wasm-audio-decoders/flac',
      '@wasm-audio-decoders/ogg-vorbis',
      'mpg123-decoder',
      'opus-decoder',
      'libflacjs',
    ],
    // The decoders take bytes (byte-source.ts); bytes.ts reads files and streams, load.ts and
    // the index reach it, ffmpeg.ts spawns a process, flac-encode.ts and save.ts write files.
    node: ['bytes.ts', 'ffmpeg.ts', 'flac-encode.ts', 'index.ts', 'load.ts', 'save.ts'],
    why: 'decoding, resampling, trimming, augmentation over dsp',
  },
  features: {
    imports: ['util', 'dsp'],
    packages: [],
    node: [],
    why: 'pure feature maths and the feature-set registry: browser-safe',
  },
  encoders: {
    imports: [...SIGNAL],
    packages: 'any',
    node: 'any',
    why: 'user-supplied ONNX speech encoders as feature sets (onnxruntime-node)',
  },
  extract: {
    imports: [...SIGNAL, 'version.ts', 'encoders'],
    packages: 'any',
    node: 'any',
    why: 'the Node-only pipeline: cache, worker pool, NPY, file walking, batch extraction',
  },
  corpora: {
    imports: ['util', 'audio'],
    packages: ['csv-parse'],
    node: 'any',
    why: 'corpus readers: file listings and label tables',
  },
  engine: {
    imports: ['util'],
    packages: [],
    node: 'any',
    why: 'the libtorch addon wrapper',
  },
  models: {
    imports: ['util', 'version.ts', 'engine'],
    packages: ['protobufjs'],
    node: [
      'bundle.ts',
      'index.ts',
      'layers/attention.ts',
      'layers/basic.ts',
      'layers/blocks.ts',
      'layers/module.ts',
      'layers/nn.ts',
      'layers/recurrent.ts',
      'layers/text.ts',
      'layers/tree.ts',
      'pretrained.ts',
      'safetensors.ts',
      'zoo.ts',
    ],
    why: 'model kinds, weights, bundles, ONNX export; only the engine-backed files load libtorch',
  },
  data: {
    imports: [...SIGNAL, 'extract', 'corpora', 'models'],
    packages: 'any',
    node: 'any',
    why: 'corpus items + feature spec -> arrays, labels, normalisation',
  },
  eval: {
    imports: ['util'],
    packages: [],
    node: [],
    why: 'metrics on predictions only: no engine, no models, no Node',
  },
  report: {
    imports: ['util', 'eval'],
    packages: ['@resvg/resvg-js', 'vega', 'vega-lite'],
    node: 'any',
    why: 'renders eval results as text, PNG, HTML',
  },
  infer: {
    imports: [...SIGNAL, 'extract', 'models'],
    packages: 'any',
    node: [
      'batch.ts',
      'bundled.ts',
      'index.ts',
      'predict-one.ts',
      'predict-worker.ts',
      'recognizer.ts',
      'session.ts',
      'silero.ts',
    ],
    why: 'onnxruntime inference; never the engine or training; its pure modules serve the browser too',
  },
  train: {
    // text and classical: the text experiments (MELD) train text models and the TF-IDF baseline.
    imports: [...LIBRARY, 'engine', 'infer', 'text', 'classical'],
    packages: 'any',
    node: 'any',
    why: 'training loop, callbacks, checkpoints, experiments, recipes',
  },
  text: {
    imports: ['util', 'corpora', 'features', 'encoders', 'models'],
    packages: 'any',
    node: 'any',
    why: 'transcript readers, tokenizers and text encoders',
  },
  classical: {
    imports: ['util', 'eval', 'text', 'corpora'],
    packages: 'any',
    node: 'any',
    why: 'TF-IDF and logistic-regression baselines',
  },
  serve: {
    imports: '*',
    never: ['engine', 'train', 'cli', 'queue'],
    packages: 'any',
    node: 'any',
    why: 'HTTP inference over infer',
  },
  browser: {
    imports: [...SIGNAL, 'infer', 'models'],
    packages: 'any',
    node: [],
    why: 'the browser entry: decoding, features and onnxruntime-web inference',
  },
  queue: {
    imports: '*',
    never: ['cli', 'serve', 'browser'],
    packages: 'any',
    node: 'any',
    why: 'job queue: feature, prediction and tuning workers',
  },
  cli: {
    imports: '*',
    never: ['browser'],
    packages: 'any',
    node: 'any',
    why: 'the command line, on top of everything',
  },
  'index.ts': {
    imports: '*',
    never: ['cli', 'browser'],
    packages: 'any',
    node: 'any',
    why: 'the Node entry: everything',
  },
};

/** Packages the browser-safe modules may reach (each runs in browsers). */
const BROWSER_PACKAGES = new Set([
  'fft.js',
  '@wasm-audio-decoders/flac',
  '@wasm-audio-decoders/ogg-vorbis',
  'mpg123-decoder',
  'opus-decoder',
  'onnxruntime-web',
  '@ricky0123/vad-web',
  'protobufjs',
]);

/** Files that load libtorch when imported: the engine and the engine-backed layers. */
const isEngineBacked = (file: string) =>
  file.startsWith('src/engine/') ||
  file.startsWith('src/models/layers/') ||
  file === 'src/models/zoo.ts' ||
  file === 'src/models/index.ts';

/** `src/audio/wav.ts` → `audio`; `src/version.ts` → `version.ts`. */
function unitOf(file: string): string {
  const parts = file.split('/');
  assert.equal(parts[0], 'src', `${file} is outside src/`);
  return parts[1];
}

function filesOf(unit: string): string[] {
  return unit.endsWith('.ts') ? [`src/${unit}`] : sourceFiles(`src/${unit}`);
}

const units = readdirSync(join(repoRoot, 'src'))
  .filter((name) => statSync(join(repoRoot, 'src', name)).isDirectory() || name.endsWith('.ts'))
  .sort();

/** True when `file` or anything it loads at run time imports a Node built-in. */
const reachesNode = (() => {
  const direct = new Map<string, boolean>();
  const directly = (file: string) => {
    if (!direct.has(file))
      direct.set(
        file,
        runtimeImports(file).some((d) => d.file === null && isNodeBuiltin(d.specifier)),
      );
    return direct.get(file)!;
  };
  return (file: string) => reachable(file).some(directly);
})();

test('the table has a row for every folder and top-level file of src/, and no row for nothing', () => {
  assert.ok(units.includes('dsp') && units.includes('index.ts'), 'sanity: the listing reads src/');
  const missing = units.filter((u) => !(u in LAYERS));
  assert.deepEqual(missing, [], 'add a row to LAYERS in test/architecture/layering.test.ts');
  assert.deepEqual(
    Object.keys(LAYERS).filter((u) => !units.includes(u)),
    [],
    'rows for units that no longer exist',
  );
  for (const [unit, layer] of Object.entries(LAYERS)) {
    const names = [...(layer.imports === '*' ? [] : layer.imports), ...(layer.never ?? [])];
    for (const name of names) assert.ok(name in LAYERS, `${unit}: '${name}' is not a row`);
  }
});

describe('every module imports only what its row allows', () => {
  for (const unit of units.filter((u) => u in LAYERS)) {
    const layer = LAYERS[unit];
    test(`src/${unit}`, () => {
      const files = filesOf(unit);
      assert.ok(files.length > 0, `no modules in src/${unit}`);
      const offenders: string[] = [];
      for (const file of files) {
        for (const dep of importsOf(file)) {
          const where = `${file} imports ${dep.specifier}${dep.typeOnly ? ' (type only)' : ''}`;
          if (dep.file !== null) {
            const target = unitOf(dep.file);
            if (target === unit) continue;
            const allowed = layer.imports === '*' || layer.imports.includes(target);
            if (!allowed || layer.never?.includes(target))
              offenders.push(`${where}: ${unit} may not import ${target}`);
          } else if (isNodeBuiltin(dep.specifier)) {
            if (
              !dep.typeOnly &&
              layer.node !== 'any' &&
              !layer.node.includes(file.slice(`src/${unit}/`.length))
            )
              offenders.push(`${where}: not a Node-only module of ${unit}`);
          } else if (layer.packages !== 'any' && !layer.packages.includes(packageName(dep.specifier))) {
            offenders.push(`${where}: package not in ${unit}'s list`);
          }
        }
      }
      assert.deepEqual(offenders, []);
    });
  }
});

describe('the Node-only modules of the browser-safe units are exactly the listed ones', () => {
  for (const unit of units.filter((u) => u in LAYERS && LAYERS[u].node !== 'any')) {
    const listed = LAYERS[unit].node as readonly string[];
    test(`src/${unit}`, () => {
      const prefix = unit.endsWith('.ts') ? 'src/' : `src/${unit}/`;
      const actual = filesOf(unit)
        .filter(reachesNode)
        .map((f) => f.slice(prefix.length));
      assert.deepEqual(actual.sort(), [...listed].sort(), `update LAYERS.${unit}.node (and say why)`);
    });
  }
});

/** The modules of src/ that must load in a browser: every module of a unit that is not Node-only. */
const browserSafe = units
  .filter((u) => u in LAYERS && LAYERS[u].node !== 'any')
  .flatMap((u) => filesOf(u).filter((f) => !reachesNode(f)));

test('the browser-safe modules reach only browser packages and touch no `process` at load', () => {
  for (const must of [
    'src/dsp/index.ts',
    'src/features/index.ts',
    'src/infer/frontend.ts',
    'src/eval/index.ts',
  ])
    assert.ok(browserSafe.includes(must), `${must} should be browser-safe`);
  const graph = reachable(browserSafe);
  assert.ok(!graph.includes('src/dsp/pffft-node.ts'), 'the Node PFFFT loader stays out of the browser graph');
  const offenders: string[] = [];
  for (const file of graph) {
    for (const dep of runtimeImports(file))
      if (dep.file === null && !BROWSER_PACKAGES.has(packageName(dep.specifier)))
        offenders.push(`${file} imports ${dep.specifier}`);
    for (const use of topLevelProcessUses(file)) offenders.push(`${use.at}: ${use.what}`);
  }
  assert.deepEqual(offenders, []);
});

test('the engine-free parts of models load without libtorch', () => {
  const offenders = sourceFiles('src/models')
    .filter((f) => !isEngineBacked(f))
    .flatMap((f) =>
      reachable(f)
        .filter(isEngineBacked)
        .map((g) => `${f} reaches ${g}`),
    );
  assert.deepEqual(offenders, []);
  assert.ok(
    reachable('src/models/zoo.ts').includes('src/engine/index.ts'),
    'sanity: zoo builds on the engine',
  );
});

test('inference, serving and the predict/listen/models commands never load the engine, training or report', () => {
  const entries = [
    ...sourceFiles('src/infer'),
    ...(existsSync(join(repoRoot, 'src/serve')) ? sourceFiles('src/serve') : []),
    'src/cli/commands/predict.ts',
    'src/cli/commands/listen.ts',
    'src/cli/commands/models.ts',
  ];
  const offenders: string[] = [];
  for (const entry of entries) {
    for (const file of reachable(entry)) {
      if (isEngineBacked(file) || file.startsWith('src/train/') || file.startsWith('src/report/'))
        offenders.push(`${entry} reaches ${file}`);
    }
  }
  assert.ok(
    reachable('src/infer/index.ts').includes('src/models/onnx/export.ts'),
    'sanity: the walk follows imports',
  );
  assert.deepEqual(offenders, []);
});

test('eval works from predictions only: it reaches nothing but eval and util/errors', () => {
  const files = reachable(sourceFiles('src/eval'));
  assert.ok(files.includes('src/eval/calibration.ts'));
  assert.deepEqual(
    files.filter((f) => !f.startsWith('src/eval/') && f !== 'src/util/errors.ts'),
    [],
  );
});

test('the pipeline modules live in src/extract, not src/features', () => {
  for (const name of [
    'cache',
    'npy',
    'extract',
    'extract-files',
    'extract-output',
    'worker',
    'worker-pool',
  ]) {
    assert.ok(existsSync(join(repoRoot, 'src/extract', `${name}.ts`)), `src/extract/${name}.ts`);
    assert.ok(
      !existsSync(join(repoRoot, 'src/features', `${name}.ts`)),
      `src/features/${name}.ts still exists`,
    );
  }
});
