// `npm run bench:results -- <run folder>...`
//
// The README's results table from finished `emovox train` run folders: one Markdown row per run
// (named by its folder) with features, model, UA mean ± std over folds, pooled WA, mean macro F1 and
// the wall time the run recorded (metrics.json notes). Nothing is typed in by hand.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

interface Stat {
  mean: number;
  std: number;
}
const pct = (v: number) => (100 * v).toFixed(1);

console.log('| run | features | model | UA % (mean ± std, 6 folds) | WA % | macro F1 % | wall time |');
console.log('|---|---|---|---:|---:|---:|---:|');
for (const dir of process.argv.slice(2)) {
  const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as {
    aggregate: { ua: Stat; wa: Stat; macroF1: Stat; folds: number };
    notes: string[];
  };
  const recipe = parseYaml(readFileSync(join(dir, 'recipe.yaml'), 'utf8')) as {
    features: Record<string, { sets: { name: string }[] }>;
    normalization: { mode: string };
    model: { kind: string };
    training: { ensemble: number };
  };
  const features = Object.entries(recipe.features)
    .map(([input, spec]) => `${input}: ${spec.sets.map((s) => s.name).join(' + ')}`)
    .join('; ');
  const wall = metrics.notes.map((n) => /Wall time ([\d.]+) s/.exec(n)?.[1]).find(Boolean);
  const a = metrics.aggregate;
  const model = `${recipe.model.kind}${recipe.training.ensemble > 1 ? ` x${recipe.training.ensemble}` : ''}`;
  console.log(
    `| ${basename(dir)} | ${features} (${recipe.normalization.mode} norm.) | ${model} | ${pct(a.ua.mean)} ± ${pct(a.ua.std)} | ${pct(a.wa.mean)} | ${pct(a.macroF1.mean)} | ${wall ? `${(Number(wall) / 60).toFixed(1)} min` : '-'} |`,
  );
}
