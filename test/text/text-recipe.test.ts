// Text recipes (task: text): schema, every recipes/meld-text*.yaml end to end on a synthetic
// corpus in MELD's CSV layout (run folder complete, the task learned), the dialogue-context
// option (a label only the previous turn reveals), and `emovox train` dispatching to them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../src/models/bundle.js';
import { parseMetricsJson } from '../../src/report/index.js';
import { runTextExperiment } from '../../src/train/text-experiment.js';
import {
  isTextRecipe,
  loadTextRecipe,
  readRecipeFile,
  resolveTextRecipe,
  TEXT_RECIPE_SCHEMA,
} from '../../src/train/text-recipe.js';
import { documentRule } from '../../src/train/schema.js';
import { mulberry32 } from '../../src/util/random.js';
import { repoRoot } from '../helpers/data.js';
import { engineSkip } from '../models/engine-helpers.js';

const skip = engineSkip();
const recipesDir = join(repoRoot, 'recipes');
const textRecipes = readdirSync(recipesDir)
  .filter((f) => /\.(ya?ml|json)$/.test(f) && isTextRecipe(readRecipeFile(join(recipesDir, f))))
  .sort();
const KEYWORDS: Record<string, string[]> = {
  joy: ['wonderful', 'great', 'yay'],
  sadness: ['miss', 'sorry', 'cry'],
  anger: ['stupid', 'hate', 'damn'],
};
const FILLER = ['the', 'we', 'it', 'was', 'then', 'so', 'you', 'know', 'there', 'what'];
let temp = '';

/**
 * Writes MELD's three CSVs: dialogues of two turns; the first names its emotion with a keyword,
 * the second is filler with the same emotion (only the dialogue context reveals it).
 */
function writeCorpus(
  dir: string,
  dialogues: Record<string, number>,
  seed: number,
  keywordLast = false,
): void {
  mkdirSync(dir, { recursive: true });
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random.next() * xs.length)];
  const emotions = Object.keys(KEYWORDS);
  for (const [split, count] of Object.entries(dialogues)) {
    const rows = ['Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID'];
    for (let d = 0; d < count; d++) {
      const emotion = emotions[d % emotions.length];
      const filler = () => Array.from({ length: 3 }, () => pick(FILLER));
      const first = [...filler(), pick(KEYWORDS[emotion]), ...filler()].join(' ');
      const second = filler().join(' ');
      // keywordLast: the filler turn comes first, so only the reply (the following turn) reveals it.
      rows.push(`${rows.length},"${first}!",Ross,${emotion},neutral,${d},${keywordLast ? 1 : 0}`);
      rows.push(`${rows.length},"${second}.",Rachel,${emotion},neutral,${d},${keywordLast ? 0 : 1}`);
    }
    writeFileSync(join(dir, `${split}_sent_emo.csv`), `${rows.join('\n')}\n`);
  }
}

before(() => {
  temp = mkdtempSync(join(tmpdir(), 'emovox-text-recipe-'));
  writeCorpus(join(temp, 'meld-like'), { train: 90, dev: 30, test: 30 }, 3);
  writeCorpus(join(temp, 'meld-like-reply'), { train: 90, dev: 30, test: 30 }, 4, true);
});
after(() => rmSync(temp, { recursive: true, force: true }));

const small = { kind: 'textCnn', embedDim: 16, filters: 8, widths: [2, 3], dense: 16, dropout: 0.1 };
const fastTraining = { epochs: 12, batchSize: 16, lr: 0.01, patience: 0 };

/** Test items of dialogue turn `turn` classified right by a text run's mix, and how many there are. */
function rightOnTurn(
  result: Awaited<ReturnType<typeof runTextExperiment>>,
  turn: number,
): { correct: number; total: number } {
  const k = result.classes.length;
  const items = result.testItems.map((it, i) => [it, i] as const).filter(([it]) => it.turn === turn);
  const correct = items.filter(([it, i]) => {
    const p = result.testProbabilities.subarray(i * k, (i + 1) * k);
    return result.classes[p.indexOf(Math.max(...p))] === it.label;
  }).length;
  return { correct, total: items.length };
}

/** One small member trained on a fixture folder into `temp/<out>`; returns the run and its folder. */
async function trainOneMember(
  out: string,
  data: Record<string, unknown>,
  member: Record<string, unknown> = {},
): Promise<{ result: Awaited<ReturnType<typeof runTextExperiment>>; out: string }> {
  const recipe = resolveTextRecipe({
    task: 'text',
    seed: 1,
    data: { root: temp, maxLength: 32, ...data },
    members: [{ model: small, training: fastTraining, ...member }],
  });
  const folder = join(temp, out);
  return { result: await runTextExperiment(recipe, { out: folder }), out: folder };
}

/** The first member: its embedding's word rows, and its saved bundle's vocabulary tokens and `emovox.text` settings. */
function memberBundle(run: { result: Awaited<ReturnType<typeof runTextExperiment>>; out: string }): {
  rows: number;
  tokens: string[];
  text: unknown;
} {
  const metadata = loadBundle(join(run.out, 'models', run.result.members[0].name)).metadata ?? {};
  const { tokens } = JSON.parse(metadata['emovox.vocabulary']) as { tokens: string[] };
  const rows = (run.result.members[0].chosen as { vocabulary: number }).vocabulary;
  return { rows, tokens, text: JSON.parse(metadata['emovox.text']) };
}

describe('text recipe schema', () => {
  test('defaults filled, member names given, the recipe marked by task: text', () => {
    const r = resolveTextRecipe({ task: 'text', members: [{ model: { kind: 'tfidf' } }] }, 'x');
    assert.equal(r.name, 'x');
    assert.equal(r.data.path, 'meld-text');
    assert.equal(r.data.context, 0);
    assert.equal(r.members[0].name, 'tfidf');
    assert.deepEqual(r.members[0].cs, [1, 2, 4, 8, 16, 32]);
    assert.equal(r.members[0].training.epochs, 20);
    assert.equal(r.select, 'weightedF1');
    assert.equal(r.offsets, 'none');
    assert.equal(r.members[0].context, null);
    assert.equal(r.members[0].markContext, false);
    assert.equal(isTextRecipe({ task: 'text' }), true);
    assert.equal(isTextRecipe({ model: { kind: 'mlp' } }), false);
  });

  test('bad keys and kinds are errors naming the key', () => {
    assert.throws(
      () => resolveTextRecipe({ task: 'text', members: [{ model: { kind: 'mlp' } }] }),
      /members\[0\]\.model\.kind.*tfidf, textCnn/,
    );
    assert.throws(
      () => resolveTextRecipe({ task: 'text', members: [{ model: { kind: 'tfidf' }, epochs: 3 }] }),
      /members\[0\]\.epochs.*unknown key/,
    );
    assert.throws(() => resolveTextRecipe({ task: 'text', members: [] }), /members.*at least one/);
    assert.throws(
      () =>
        resolveTextRecipe({ task: 'text', data: { context: -1 }, members: [{ model: { kind: 'tfidf' } }] }),
      /data\.context.*>= 0/,
    );
    assert.throws(
      () =>
        resolveTextRecipe({
          task: 'text',
          members: [
            { name: 'a', model: { kind: 'tfidf' } },
            { name: 'a', model: { kind: 'textCnn' } },
          ],
        }),
      /"a" appears twice/,
    );
  });

  test('docs/text.md documents every key of the schema', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'text.md'), 'utf8');
    for (const line of documentRule(TEXT_RECIPE_SCHEMA))
      assert.ok(doc.includes(line), `docs/text.md lacks: ${line}`);
  });

  test('the recipes folder holds the MELD text recipes, each resolving', () => {
    for (const name of ['meld-text-tfidf.yaml', 'meld-text-cnn.yaml', 'meld-text.yaml'])
      assert.ok(textRecipes.includes(name), `recipes/${name} missing`);
    for (const f of textRecipes) loadTextRecipe(join(recipesDir, f));
  });

  test('the MELD development pools (scripts/text/dev-recipes) resolve and share seeds and data settings', () => {
    const dir = join(repoRoot, 'scripts', 'text', 'dev-recipes');
    const pools = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => loadTextRecipe(join(dir, f)));
    assert.ok(pools.length >= 2);
    // Members of different pools are mixed by scripts/text/meld-mix-study.ts, so their data and
    // seeds must agree (and meld-text-dialogue.yaml recomputes pool members with them).
    const dialogue = loadTextRecipe(join(recipesDir, 'meld-text-dialogue.yaml'));
    for (const r of pools) {
      assert.deepEqual(r.data, dialogue.data);
      assert.equal(r.seed, dialogue.seed);
    }
    const poolMembers = new Map(pools.flatMap((r) => r.members.map((m) => [m.name, m] as const)));
    for (const m of dialogue.members) assert.deepEqual(m, poolMembers.get(m.name), m.name);
  });
});

const RUN_FILES = [
  'recipe.yaml',
  'train.log',
  'members.json',
  'metrics.json',
  'report.txt',
  'report.html',
  'confusion.png',
  'predictions.csv',
  'member-probabilities.json',
];

for (const file of textRecipes) {
  const neural = readFileSync(join(recipesDir, file), 'utf8').includes('kind: text');
  test(
    `recipe ${file} runs on a synthetic MELD-layout corpus: complete run folder, task learned`,
    { skip: neural ? skip : false },
    async () => {
      const recipe = loadTextRecipe(join(recipesDir, file), [`data.root=${temp}`, 'data.path=meld-like']);
      // Shrunk to seconds: small models, a few C values; utterance-level words decide the first turns.
      recipe.data.context = 1;
      for (const m of recipe.members) {
        m.cs = [1, 8];
        if (m.model.kind !== 'tfidf') {
          m.model = { ...small, kind: m.model.kind };
          m.training = { ...m.training, ...fastTraining };
        }
      }
      const out = join(temp, file.replace(/\.\w+$/, ''));
      const result = await runTextExperiment(recipe, { out });
      for (const f of RUN_FILES) assert.ok(existsSync(join(out, f)), `${file}: ${f} missing`);
      const metrics = parseMetricsJson(readFileSync(join(out, 'metrics.json'), 'utf8'));
      assert.equal(metrics.folds.length, 1);
      assert.equal(metrics.folds[0].name, 'test');
      assert.deepEqual(result.classes, ['angry', 'happy', 'sad']);
      const csv = readFileSync(join(out, 'predictions.csv'), 'utf8').trim().split('\n');
      assert.equal(csv.length, 61);
      assert.equal(csv[0], 'item,speaker,dialogue,truth,predicted,p_angry,p_happy,p_sad');
      const members = JSON.parse(readFileSync(join(out, 'members.json'), 'utf8')) as {
        weights: number[];
        test: { weightedF1: number; confusion: number[][] };
      };
      assert.ok(Math.abs(members.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.equal(
        members.test.confusion.flat().reduce((a, b) => a + b, 0),
        60,
      );
      // First turns carry a keyword: every member gets them right.
      const first = rightOnTurn(result, 0);
      assert.ok(first.correct / first.total >= 0.9, `${file}: first turns ${first.correct}/${first.total}`);
      assert.ok(result.test.weightedF1 >= 0.45, `${file}: test weighted F1 ${result.test.weightedF1}`);
    },
  );
}

test(
  'dialogue context: a label only the previous turn reveals is learned with context 1, not 0',
  { skip },
  async () => {
    const accuracyOnSecondTurns = async (context: number) => {
      const { result } = await trainOneMember(`context-${context}`, { path: 'meld-like', context });
      const { correct, total } = rightOnTurn(result, 1);
      return correct / total;
    };
    const without = await accuracyOnSecondTurns(0);
    const withContext = await accuracyOnSecondTurns(1);
    assert.ok(withContext >= 0.9, `second turns with context 1: ${withContext}`);
    assert.ok(without <= 0.6, `second turns without context: ${without} (filler only, chance 1/3)`);
  },
);

test(
  'member context with markContext: context words get ids of their own; offsets: dev tuned and recorded',
  { skip },
  async () => {
    const recipe = resolveTextRecipe({
      task: 'text',
      seed: 1,
      data: { root: temp, path: 'meld-like', context: 0, maxLength: 32 },
      members: [{ model: small, training: fastTraining, context: 1, markContext: true }],
      offsets: 'dev',
    });
    const out = join(temp, 'context-marked');
    const result = await runTextExperiment(recipe, { out });
    const k = result.classes.length;
    const second = rightOnTurn(result, 1);
    assert.ok(
      second.correct / second.total >= 0.9,
      `second turns, marked context 1: ${second.correct}/${second.total}`,
    );
    // Marked context doubles the word rows of the embedding (specials shared).
    const bundle = memberBundle({ result, out });
    assert.equal(bundle.rows, 2 * bundle.tokens.length - 4);
    assert.deepEqual(bundle.text, {
      context: 1,
      following: 0,
      markContext: true,
      speakers: false,
      maxLength: 32,
    });
    const members = JSON.parse(readFileSync(join(out, 'members.json'), 'utf8')) as { offsets: number[] };
    assert.equal(members.offsets.length, k);
    assert.deepEqual(result.offsets, members.offsets);
    assert.match(readFileSync(join(out, 'train.log'), 'utf8'), /offsets on dev: .*dev halves cross-check/);
    const probabilities = JSON.parse(readFileSync(join(out, 'member-probabilities.json'), 'utf8')) as {
      dev: { ids: string[] };
      members: Array<{ dev: number[]; test: number[] }>;
    };
    assert.equal(probabilities.members[0].dev.length, probabilities.dev.ids.length * k);
    assert.equal(probabilities.members[0].test.length, 60 * k);
  },
);

test(
  'following turns: a label only the reply reveals is learned with following: 1 and marked words; speaker names join the vocabulary',
  { skip },
  async () => {
    const accuracyOnFirstTurns = async (following: number) => {
      const run = await trainOneMember(
        `following-${following}`,
        { path: 'meld-like-reply' },
        { following, markContext: true, speakers: true },
      );
      const { correct, total } = rightOnTurn(run.result, 0);
      return { accuracy: correct / total, ...run };
    };
    const without = await accuracyOnFirstTurns(0);
    const withReply = await accuracyOnFirstTurns(1);
    assert.ok(withReply.accuracy >= 0.9, `first turns with the reply: ${withReply.accuracy}`);
    assert.ok(without.accuracy <= 0.6, `first turns alone: ${without.accuracy} (filler only, chance 1/3)`);
    const bundle = memberBundle(withReply);
    // Speaker names are words of the vocabulary (built from the prefixed lines).
    assert.ok(bundle.tokens.includes('ross') && bundle.tokens.includes('rachel'), 'speaker names');
    // Marked previous and following turns: three rows per word (specials shared).
    assert.equal(bundle.rows, 3 * bundle.tokens.length - 8);
    assert.deepEqual(bundle.text, {
      context: 0,
      following: 1,
      markContext: true,
      speakers: true,
      maxLength: 32,
    });
  },
);

test('mix: checked compares dev-grid weights with the plain average on held-out dev halves', async () => {
  const recipe = resolveTextRecipe({
    task: 'text',
    data: { root: temp, path: 'meld-like' },
    members: [
      { name: 'char', model: { kind: 'tfidf' }, cs: [2] },
      { name: 'word', model: { kind: 'tfidf' }, tfidf: { analyzer: 'word' }, cs: [2] },
    ],
    mix: 'checked',
  });
  const out = join(temp, 'mix-checked');
  const result = await runTextExperiment(recipe, { out });
  const log = readFileSync(join(out, 'train.log'), 'utf8');
  const m =
    /mix check on dev halves .*: equal weights ([\d.]+), grid weights ([\d.]+): (grid|equal) weights kept/.exec(
      log,
    );
  assert.ok(m, log);
  assert.equal(m[3], Number(m[2]) > Number(m[1]) ? 'grid' : 'equal');
  if (m[3] === 'equal') assert.deepEqual(result.weights, [0.5, 0.5]);
  assert.ok(Math.abs(result.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

test('emovox train dispatches a text recipe (CLI, --json)', () => {
  const out = join(temp, 'cli');
  const recipe = join(temp, 'tfidf.yaml');
  writeFileSync(
    recipe,
    ['task: text', 'data: { path: meld-like }', 'members:', '  - { model: { kind: tfidf }, cs: [2] }'].join(
      '\n',
    ),
  );
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'train', recipe, '--out', out, '--json'],
    { encoding: 'utf8', env: { ...process.env, EMOVOX_DATA: temp } },
  );
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { out: string; test: { weightedF1: number } };
  assert.equal(summary.out, out);
  assert.ok(summary.test.weightedF1 > 0.4);
  assert.ok(existsSync(join(out, 'metrics.json')));
  const bad = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'train', recipe, '--folds', '1'],
    { encoding: 'utf8', env: { ...process.env, EMOVOX_DATA: temp } },
  );
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /one official test split/);
  const resume = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'train', '--resume', out],
    { encoding: 'utf8', env: { ...process.env, EMOVOX_DATA: temp } },
  );
  assert.notEqual(resume.status, 0);
  assert.match(resume.stderr, /does not resume/);
});
