// Development script: averages the dev/test probabilities that meld-neural.ts / meld-classical.ts
// wrote (--out), with weights chosen on dev weighted F1 (grid over the simplex, step 0.1), and
// reports the test metrics of the chosen mix. Usage:
//   node --import tsx scripts/text/meld-ensemble.ts a.json b.json ...
import { readFileSync } from 'node:fs';
import { classificationMetrics } from '../../src/eval/index.js';
import { loadMeldText } from '../../src/text/index.js';

const files = process.argv.slice(2);
const runs = files.map(
  (f) => JSON.parse(readFileSync(f, 'utf8')) as { classes: string[]; pDev: number[]; pTest: number[] },
);
const classes = runs[0].classes;
const { items } = await loadMeldText('../shared/data/meld-text');
const truth = (s: string) =>
  Int32Array.from(
    items.filter((i) => i.split === s),
    (i) => classes.indexOf(i.label),
  );
const yDev = truth('dev');
const yTest = truth('test');
const K = classes.length;

/** Arg-max of the weighted mixture, each class's probability scaled by exp(offsets[k]). */
function mix(weights: number[], key: 'pDev' | 'pTest', offsets: number[] = new Array(K).fill(0)): Int32Array {
  const n = runs[0][key].length / K;
  return Int32Array.from({ length: n }, (_, i) => {
    let best = 0;
    let bestP = -1;
    for (let k = 0; k < K; k++) {
      let p = 0;
      runs.forEach((r, j) => (p += weights[j] * r[key][i * K + k]));
      p *= Math.exp(offsets[k]);
      if (p > bestP) [best, bestP] = [k, p];
    }
    return best;
  });
}

function* simplex(n: number, steps: number, prefix: number[] = []): Generator<number[]> {
  const used = prefix.reduce((a, b) => a + b, 0);
  if (prefix.length === n - 1) {
    yield [...prefix, steps - used];
    return;
  }
  for (let s = 0; s <= steps - used; s++) yield* simplex(n, steps, [...prefix, s]);
}

let best = { f1: -1, w: [] as number[] };
for (const w of simplex(runs.length, runs.length > 4 ? 5 : 10)) {
  const f1 = classificationMetrics(yDev, mix(w, 'pDev'), classes).weightedF1;
  if (f1 > best.f1) best = { f1, w };
}
const equal = runs.map(() => 1);
const report = (w: number[], offsets?: number[]) => {
  const m = classificationMetrics(yTest, mix(w, 'pTest', offsets), classes);
  return { weightedF1: m.weightedF1, ua: m.ua, wa: m.wa, macroF1: m.macroF1 };
};
// Per-class log-prior offsets on the chosen mix, by coordinate ascent on dev weighted F1 (two
// passes over the classes, offsets in [-1, 1] step 0.1): a decision-threshold tuning on dev only.
const offsets: number[] = new Array(K).fill(0);
let offsetF1 = best.f1;
for (let pass = 0; pass < 2; pass++)
  for (let k = 0; k < K; k++) {
    for (let o = -10; o <= 10; o++) {
      const trial = [...offsets];
      trial[k] = o / 10;
      const f1 = classificationMetrics(yDev, mix(best.w, 'pDev', trial), classes).weightedF1;
      if (f1 > offsetF1 + 1e-9) [offsetF1, offsets[k]] = [f1, o / 10];
    }
  }
console.log(
  JSON.stringify({
    files,
    chosenWeights: best.w,
    dev: best.f1,
    test: report(best.w),
    offsets,
    offsetsDev: offsetF1,
    offsetsTest: report(best.w, offsets),
    equalWeightsDev: classificationMetrics(yDev, mix(equal, 'pDev'), classes).weightedF1,
    equalWeightsTest: report(equal),
    confusion: classificationMetrics(yTest, mix(best.w, 'pTest'), classes).confusion,
  }),
);
