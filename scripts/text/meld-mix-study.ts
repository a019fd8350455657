// Development script: mixes of members saved by text recipe runs (`member-probabilities.json`),
// so member sets and mix policies can be compared on dev without retraining. For each member set
// given it prints every member's dev / test weighted F1, then the plain average, the dev-grid
// weights and the `checked` policy (grid kept only if it beats the average on held-out dev halves).
// Choices must be made on the dev column; test is printed for the record. Usage:
//   node --import tsx scripts/text/meld-mix-study.ts run-a run-b ... [--set name1,name2 ...]
// Members are named `<run folder name>/<member>`; each --set is one comma-separated member set
// (default: all members together); --topk adds the sets of the k best members on dev, k = 2..all.
// Each set's `held-out` number (the better of the average and the grid on held-out dev halves,
// i.e. what `mix: checked` keeps) compares sets without the optimism of in-sample dev weights.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { classificationMetrics } from '../../src/eval/index.js';
import { gridMix, mixCrossCheck, mixProbabilities } from '../../src/train/text-mix.js';

interface Saved {
  classes: string[];
  dev: { ids: string[]; truth: number[] };
  test: { ids: string[]; truth: number[] };
  members: Array<{ name: string; dev: number[]; test: number[] }>;
}

const args = process.argv.slice(2);
const runs: string[] = [];
const sets: string[][] = [];
let topk = false;
for (let i = 0; i < args.length; i++)
  if (args[i] === '--set') sets.push(args[++i].split(','));
  else if (args[i] === '--topk') topk = true;
  else runs.push(args[i]);
const members = new Map<string, { dev: Float32Array; test: Float32Array }>();
let first: Saved | null = null;
for (const run of runs) {
  const saved = JSON.parse(readFileSync(join(run, 'member-probabilities.json'), 'utf8')) as Saved;
  first ??= saved;
  if (saved.dev.ids.join() !== first.dev.ids.join() || saved.test.ids.join() !== first.test.ids.join())
    throw new Error(`${run}: other dev/test items than ${runs[0]}`);
  for (const m of saved.members)
    members.set(`${basename(run)}/${m.name}`, {
      dev: Float32Array.from(m.dev),
      test: Float32Array.from(m.test),
    });
}
if (!first) throw new Error('usage: meld-mix-study.ts run-folder... [--set a,b ...]');
const classes = first.classes;
const yDev = Int32Array.from(first.dev.truth);
const yTest = Int32Array.from(first.test.truth);
const k = classes.length;
const argmax = (p: Float32Array) =>
  Int32Array.from({ length: p.length / k }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
    return best;
  });
const wf1 = (y: Int32Array, p: Float32Array) =>
  (100 * classificationMetrics(y, argmax(p), classes).weightedF1).toFixed(2);

console.log('member\tdev wF1\ttest wF1');
for (const [name, m] of members) console.log(`${name}\t${wf1(yDev, m.dev)}\t${wf1(yTest, m.test)}`);
const devScore = (p: Float32Array) => classificationMetrics(yDev, argmax(p), classes).weightedF1;
if (topk) {
  const ranked = [...members.keys()].sort(
    (a, b) => devScore(members.get(b)!.dev) - devScore(members.get(a)!.dev),
  );
  for (let n = 2; n <= ranked.length; n++) sets.push(ranked.slice(0, n));
}
if (sets.length === 0) sets.push([...members.keys()]);
const summary: string[] = [];
for (const set of sets) {
  const chosen = set.map((n) => {
    const m = members.get(n);
    if (!m) throw new Error(`no member ${n} (have ${[...members.keys()].join(', ')})`);
    return m;
  });
  const dev = chosen.map((m) => m.dev);
  const test = chosen.map((m) => m.test);
  const equal = chosen.map(() => 1 / chosen.length);
  const grid = gridMix(yDev, dev, classes, 'weightedF1');
  const check = mixCrossCheck(yDev, dev, classes, 'weightedF1', 0, { repeats: 5 });
  const checked = check.grid > check.equal ? grid.weights : equal;
  console.log(`\nset: ${set.join(', ')}`);
  console.log(
    `  equal\tdev ${wf1(yDev, mixProbabilities(dev, equal))}\ttest ${wf1(yTest, mixProbabilities(test, equal))}`,
  );
  console.log(
    `  grid ${grid.weights.map((w) => w.toFixed(1)).join('/')}\tdev ${wf1(yDev, mixProbabilities(dev, grid.weights))}\ttest ${wf1(yTest, mixProbabilities(test, grid.weights))}`,
  );
  console.log(
    `  checked (held-out dev halves: equal ${(100 * check.equal).toFixed(2)}, grid ${(100 * check.grid).toFixed(2)}) -> ${check.grid > check.equal ? 'grid' : 'equal'}\tdev ${wf1(yDev, mixProbabilities(dev, checked))}\ttest ${wf1(yTest, mixProbabilities(test, checked))}`,
  );
  summary.push(
    `${(100 * Math.max(check.equal, check.grid)).toFixed(2)}\t${wf1(yDev, mixProbabilities(dev, checked))}\t${wf1(yTest, mixProbabilities(test, checked))}\t${set.join(',')}`,
  );
}
console.log('\nchecked mix per set: held-out dev\tdev\ttest\tset');
for (const line of summary) console.log(line);
