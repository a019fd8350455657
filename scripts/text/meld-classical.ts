// Development script: the classical MELD text baseline (char n-gram TF-IDF + multinomial logistic
// regression, C chosen on dev weighted F1), with test metrics and probabilities for ensembling.
// Usage: node --import tsx scripts/text/meld-classical.ts '<json options>'
import { writeFileSync } from 'node:fs';
import { fitTextBaseline, predictTextBaseline } from '../../src/classical/text-baseline.js';
import type { TfidfOptions } from '../../src/classical/tfidf.js';
import { loadMeldText } from '../../src/text/index.js';

const o = {
  data: '../shared/data/meld-text',
  tfidf: { analyzer: 'char', ngramRange: [2, 5], sublinearTf: true } as TfidfOptions,
  cs: [1, 2, 4, 8, 16, 32],
  classWeight: null as 'balanced' | null,
  out: undefined as string | undefined,
  ...(JSON.parse(process.argv[2] ?? '{}') as object),
};
const { items } = await loadMeldText(o.data);
const pick = (s: string) => {
  const it = items.filter((i) => i.split === s);
  return { texts: it.map((i) => i.text), labels: it.map((i) => i.label) };
};
const started = Date.now();
const r = fitTextBaseline(pick('train'), pick('dev'), pick('test'), {
  tfidf: o.tfidf,
  cs: o.cs,
  classWeight: o.classWeight,
  onCandidate: (c, m) =>
    console.error(
      `C ${c}: dev wF1 ${(100 * m.weightedF1).toFixed(2)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    ),
});
const summary = {
  options: o,
  c: r.c,
  features: r.model.tfidf.terms.length,
  seconds: (Date.now() - started) / 1000,
  dev: { weightedF1: r.validation.weightedF1, ua: r.validation.ua, wa: r.validation.wa },
  test: { weightedF1: r.test!.weightedF1, ua: r.test!.ua, wa: r.test!.wa, macroF1: r.test!.macroF1 },
  confusion: r.test!.confusion,
  classes: r.classes,
};
console.log(JSON.stringify(summary));
if (o.out)
  writeFileSync(
    o.out,
    JSON.stringify({
      ...summary,
      pDev: [...predictTextBaseline(r.model, pick('dev').texts)],
      pTest: [...predictTextBaseline(r.model, pick('test').texts)],
    }),
  );
