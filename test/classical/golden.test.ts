import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { TfidfVectorizer, type TfidfOptions } from '../../src/classical/tfidf.js';
import { LogisticRegression } from '../../src/classical/logistic.js';
import { newtonCg } from '../../src/classical/newton-cg.js';
import { lbfgs } from '../../src/classical/lbfgs.js';
import { csrRows, csrToDense, type CsrMatrix } from '../../src/classical/sparse.js';

interface CsrJson {
  shape: [number, number];
  indptr: number[];
  indices: number[];
  data: number[];
}
interface Golden {
  train: Array<[string, number]>;
  test: string[];
  vectorizers: Array<{
    name: string;
    options: TfidfOptions;
    terms: string[];
    idf: number[] | null;
    train: CsrJson;
    test: CsrJson;
  }>;
  modelFeatures: TfidfOptions;
  models: Array<{
    name: string;
    options: { C: number; classWeight?: 'balanced' };
    coef: number[];
    intercept: number[];
    probabilities: number[];
    predicted: number[];
  }>;
}

// Written by reference/classical_golden.py (scikit-learn 1.2).
const golden = JSON.parse(
  readFileSync(join(repoRoot, 'test', 'fixtures', 'classical', 'golden.json'), 'utf8'),
) as Golden;
const texts = golden.train.map(([t]) => t);
const labels = golden.train.map(([, y]) => y);

function assertCsr(actual: CsrMatrix, expected: CsrJson, what: string): void {
  assert.deepEqual([actual.rows, actual.cols], expected.shape, `${what}: shape`);
  assert.deepEqual([...actual.indptr], expected.indptr, `${what}: indptr`);
  assert.deepEqual([...actual.indices], expected.indices, `${what}: indices`);
  actual.data.forEach((v, i) => assert.ok(Math.abs(v - expected.data[i]) < 1e-7, `${what}: data[${i}]`));
}

for (const v of golden.vectorizers) {
  test(`TfidfVectorizer equals scikit-learn: ${v.name}`, () => {
    const tfidf = new TfidfVectorizer(v.options);
    const train = tfidf.fitTransform(texts);
    assert.deepEqual(tfidf.featureNames(), v.terms);
    if (v.idf) tfidf.idfWeights().forEach((w, i) => assert.ok(Math.abs(w - v.idf![i]) < 1e-7, `idf[${i}]`));
    assertCsr(train, v.train, 'train');
    assertCsr(tfidf.transform(golden.test), v.test, 'test');
    const restored = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(tfidf)));
    assertCsr(restored.transform(golden.test), v.test, 'restored');
  });
}

for (const m of golden.models)
  for (const solver of ['newton-cg', 'lbfgs'] as const) {
    test(`LogisticRegression (${solver}) reaches scikit-learn's optimum: ${m.name}`, () => {
      const tfidf = new TfidfVectorizer(golden.modelFeatures);
      const x = tfidf.fitTransform(texts);
      const model = new LogisticRegression({
        C: m.options.C,
        classWeight: m.options.classWeight ?? null,
        tol: 1e-10,
        solver,
      });
      model.fit(x, labels);
      assert.equal(model.report!.solver, solver);
      assert.ok(model.report!.gradMax < 1e-6, JSON.stringify(model.report));
      let coefDiff = 0;
      model.coef.forEach((c, i) => (coefDiff = Math.max(coefDiff, Math.abs(c - m.coef[i]))));
      assert.ok(coefDiff < 1e-5, `max |coef - sklearn| = ${coefDiff}`);
      // Unpenalised intercepts are defined up to a common shift (softmax is invariant to it).
      const centre = (b: ArrayLike<number>) =>
        Array.from(b, (v) => v - Array.from(b).reduce((a, c) => a + c) / b.length);
      const expected = centre(m.intercept);
      centre(model.intercept).forEach((b, i) =>
        assert.ok(Math.abs(b - expected[i]) < 1e-5, `intercept[${i}]`),
      );
      const xt = tfidf.transform(golden.test);
      const p = model.predictProba(xt);
      p.forEach((v, i) => assert.ok(Math.abs(v - m.probabilities[i]) < 1e-6, `probability[${i}]`));
      assert.deepEqual([...model.predict(xt)], m.predicted);
      const restored = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(model)));
      assert.deepEqual([...restored.predict(xt)], m.predicted);
    });
  }

test('lbfgs minimises a badly scaled quadratic and the Rosenbrock function', () => {
  const quad = lbfgs((x, g) => {
    g[0] = 2 * (x[0] - 3);
    g[1] = 2000 * (x[1] + 1);
    return (x[0] - 3) ** 2 + 1000 * (x[1] + 1) ** 2;
  }, new Float64Array(2));
  assert.ok(Math.abs(quad.x[0] - 3) < 1e-6 && Math.abs(quad.x[1] + 1) < 1e-6, `${quad.x.join(', ')}`);
  const rosen = lbfgs(
    (x, g) => {
      g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2);
      g[1] = 200 * (x[1] - x[0] ** 2);
      return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
    },
    Float64Array.from([-1.2, 1]),
    { gtol: 1e-8 },
  );
  assert.ok(Math.abs(rosen.x[0] - 1) < 1e-5 && Math.abs(rosen.x[1] - 1) < 1e-5, `${rosen.x.join(', ')}`);
});

test('newtonCg minimises a badly scaled quadratic in one step and a smooth convex function', () => {
  const a = [1, 1000, 1e-3];
  const quad = newtonCg(
    (x, g) => {
      let f = 0;
      a.forEach((ai, i) => {
        g[i] = 2 * ai * (x[i] - i);
        f += ai * (x[i] - i) ** 2;
      });
      return f;
    },
    (v, out) => a.forEach((ai, i) => (out[i] = 2 * ai * v[i])),
    new Float64Array(3),
    { gtol: 1e-10 },
  );
  assert.equal(quad.reason, 'gtol');
  assert.ok(quad.iterations <= 2, JSON.stringify(quad));
  quad.x.forEach((v, i) => assert.ok(Math.abs(v - i) < 1e-9, `${quad.x.join(', ')}`));
  // f(x) = Σ log(1 + e^{xᵢ}) − xᵢ/2 + xᵢ²/20: convex, not quadratic; optimum where σ(x) − ½ + x/10 = 0, x = 0.
  let point = new Float64Array(0);
  const soft = newtonCg(
    (x, g) => {
      point = Float64Array.from(x);
      let f = 0;
      x.forEach((v, i) => {
        g[i] = 1 / (1 + Math.exp(-v)) - 0.5 + v / 10;
        f += Math.log1p(Math.exp(v)) - v / 2 + (v * v) / 20;
      });
      return f;
    },
    (v, out) =>
      point.forEach((p, i) => {
        const s = 1 / (1 + Math.exp(-p));
        out[i] = (s * (1 - s) + 0.1) * v[i];
      }),
    Float64Array.from([5, -3]),
    { gtol: 1e-12 },
  );
  assert.equal(soft.reason, 'gtol');
  soft.x.forEach((v) => assert.ok(Math.abs(v) < 1e-10, `${soft.x.join(', ')}`));
});

test('sparse helpers: row selection and dense copy', () => {
  const tfidf = new TfidfVectorizer({ analyzer: 'word' });
  const x = tfidf.fitTransform(['a bb cc', 'bb dd', 'cc cc ee']);
  const picked = csrRows(x, [2, 0]);
  const dense = csrToDense(x);
  const pickedDense = csrToDense(picked);
  assert.deepEqual([...pickedDense.slice(0, x.cols)], [...dense.slice(2 * x.cols, 3 * x.cols)]);
  assert.throws(() => new TfidfVectorizer({ ngramRange: [3, 2] }), /ngramRange/);
  assert.throws(() => new TfidfVectorizer().transform(['x']), /not fitted/);
  assert.throws(() => new LogisticRegression({ C: 0 }), /C/);
});
