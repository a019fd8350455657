// Multi-label (CMU-MOSEI emotions) and sentiment-regression metrics against scikit-learn / numpy
// values from reference/eval_golden.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  multilabelMetrics,
  regressionMetrics,
  roundHalfEven,
  thresholdScores,
} from '../../src/eval/index.js';
import { EmovoxParameterError } from '../../src/util/errors.js';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/eval/${name}.json`, import.meta.url), 'utf8')) as T;

type Avg = { precision: number; recall: number; f1: number };
interface MultilabelCase {
  name: string;
  labels: string[];
  truth: number[];
  predicted: number[];
  expected: {
    perLabel: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
    accuracy: number[];
    weightedAccuracy: number[];
    micro: Avg;
    macro: Avg;
    weighted: Avg;
    samples: Avg;
    subsetAccuracy: number;
    hammingLoss: number;
  };
}

for (const c of load<{ cases: MultilabelCase[] }>('multilabel').cases) {
  test(`multi-label metrics equal scikit-learn: ${c.name}`, () => {
    const m = multilabelMetrics(c.truth, c.predicted, c.labels);
    const e = c.expected;
    assert.equal(m.n, c.truth.length / c.labels.length);
    for (const key of ['precision', 'recall', 'f1', 'support'] as const) {
      assert.deepEqual(
        m.perLabel.map((l) => l[key]),
        e.perLabel[key],
        key,
      );
    }
    assert.deepEqual(
      m.perLabel.map((l) => l.accuracy),
      e.accuracy,
    );
    assert.deepEqual(
      m.perLabel.map((l) => l.weightedAccuracy),
      e.weightedAccuracy,
    );
    assert.equal(m.microPrecision, e.micro.precision);
    assert.equal(m.microRecall, e.micro.recall);
    assert.equal(m.microF1, e.micro.f1);
    assert.equal(m.macroF1, e.macro.f1);
    assert.equal(m.weightedF1, e.weighted.f1);
    assert.ok(Math.abs(m.samplesF1 - e.samples.f1) < 1e-14, `samples F1 ${m.samplesF1} != ${e.samples.f1}`);
    assert.equal(m.subsetAccuracy, e.subsetAccuracy);
    assert.equal(m.hammingLoss, e.hammingLoss);
  });
}

interface RegressionCase {
  name: string;
  truth: number[];
  predicted: number[];
  expected: Record<
    'mae' | 'pearson' | 'acc7' | 'acc5' | 'acc2' | 'f1' | 'acc2NonZero' | 'f1NonZero' | 'nNonZero',
    number
  >;
}

for (const c of load<{ cases: RegressionCase[] }>('regression').cases) {
  test(`sentiment regression metrics equal MMSA's definitions: ${c.name}`, () => {
    const m = regressionMetrics(c.truth, c.predicted);
    const e = c.expected;
    assert.ok(Math.abs(m.mae - e.mae) < 1e-14);
    assert.ok(Math.abs(m.pearson - e.pearson) < 1e-12, `r ${m.pearson} != ${e.pearson}`);
    assert.equal(m.acc7, e.acc7);
    assert.equal(m.acc5, e.acc5);
    assert.equal(m.acc2, e.acc2);
    assert.ok(Math.abs(m.f1 - e.f1) < 1e-15);
    assert.equal(m.acc2NonZero, e.acc2NonZero);
    assert.ok(Math.abs(m.f1NonZero - e.f1NonZero) < 1e-15);
    assert.equal(m.nNonZero, e.nNonZero);
  });
}

test('np.round semantics, thresholds and bad input', () => {
  assert.deepEqual(
    [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6].map(roundHalfEven),
    [-2, -2, -0, 0, 2, 2, 2, -3],
  );
  assert.deepEqual([...thresholdScores([0.2, 0.5, 0.9])], [0, 1, 1]);
  assert.throws(() => multilabelMetrics([0, 1, 2], [0, 1, 1], ['a', 'b', 'c']), EmovoxParameterError);
  assert.throws(() => multilabelMetrics([0, 1], [0, 1, 1], ['a', 'b']), EmovoxParameterError);
  assert.throws(() => regressionMetrics([1, 2], [1]), EmovoxParameterError);
  assert.throws(() => regressionMetrics([1, NaN], [1, 2]), EmovoxParameterError);
  assert.ok(Number.isNaN(regressionMetrics([0, 0], [1, -1]).acc2NonZero));
});
