import { loadMeldText } from './src/text/corpus.js';
import { fitTextBaseline } from './src/classical/text-baseline.js';
const dir = process.argv[2] ?? '../shared/data/meld-text';
const { items } = await loadMeldText(dir);
const pick = (s: string) => { const it = items.filter((i) => i.split === s); return { texts: it.map((i) => i.text), labels: it.map((i) => i.label) }; };
for (const sub of [false, true]) {
  const t = Date.now();
  const r = fitTextBaseline(pick('train'), pick('dev'), pick('test'), { tfidf: { analyzer: 'char', ngramRange: [2, 5], sublinearTf: sub }, onCandidate: (c, m) => console.log(c, m.weightedF1.toFixed(4)) });
  console.log('sublinear', sub, 'C', r.c, 'dev', r.validation.weightedF1.toFixed(4), 'test wF1', r.test!.weightedF1.toFixed(4), 'UA', r.test!.ua.toFixed(4), (Date.now() - t) / 1000, 's');
}
