import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_TEMPERATURE,
  aggregateFolds,
  applyTemperature,
  calibrationBins,
  classificationMetrics,
  coverageAtConfidence,
  expectedCalibrationError,
  fitTemperature,
  groupAccuracy,
  logLoss,
  meanStd,
  metricsFromConfusion,
  naturalCompare,
  numpySum,
  temperatureNll,
} from '../../src/eval/index.js';
import { EmovoxParameterError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

const LABELS = ['angry', 'happy', 'sad'];

test('UA and WA differ as SER papers define them: UA averages recall per class', () => {
  // 8 angry (all right), 2 sad (both called angry): WA = 8/10, UA = (1 + 0) / 2 over supported classes.
  const truth = [0, 0, 0, 0, 0, 0, 0, 0, 2, 2];
  const predicted = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const m = classificationMetrics(truth, predicted, LABELS);
  assert.equal(m.wa, 0.8);
  assert.equal(m.ua, 0.5);
  assert.deepEqual(m.confusion, [
    [8, 0, 0],
    [0, 0, 0],
    [2, 0, 0],
  ]);
  // happy is absent from truth and predictions: zero row, left out of the averages.
  assert.deepEqual(m.perClass[1], {
    label: 'happy',
    precision: 0,
    recall: 0,
    f1: 0,
    support: 0,
    predicted: 0,
  });
  // sad is never predicted: precision 0 by the zero_division=0 rule.
  assert.equal(m.perClass[2].precision, 0);
  const f1Angry = (2 * 0.8 * 1) / 1.8;
  assert.ok(Math.abs(m.macroF1 - f1Angry / 2) < 1e-15);
  assert.ok(Math.abs(m.weightedF1 - (8 * f1Angry) / 10) < 1e-15);
  assert.equal(m.weightedRecall, m.wa);
});

test('a class only predicted, never true, adds no UA term but its false positives count', () => {
  const m = classificationMetrics([0, 0, 1, 1], [0, 2, 1, 1], LABELS);
  assert.equal(m.ua, (0.5 + 1) / 2);
  assert.equal(m.perClass[2].precision, 0);
  assert.equal(m.macroRecall, (0.5 + 1 + 0) / 3); // macro recall includes the predicted-only class
});

test('metricsFromConfusion reproduces classificationMetrics', () => {
  const rng = mulberry32(7);
  const truth = Array.from({ length: 200 }, () => rng.int(0, 2));
  const predicted = truth.map((t) => (rng.next() < 0.6 ? t : rng.int(0, 2)));
  const direct = classificationMetrics(truth, predicted, LABELS);
  assert.deepEqual(metricsFromConfusion(direct.confusion, LABELS), direct);
});

test('bad input is rejected with the argument named', () => {
  const cases: Array<[() => unknown, string]> = [
    [() => classificationMetrics([0, 1], [0], LABELS), 'predicted'],
    [() => classificationMetrics([], [], LABELS), 'truth'],
    [() => classificationMetrics([0, 3], [0, 1], LABELS), 'truth'],
    [() => classificationMetrics([0, 1], [0, 1.5], LABELS), 'predicted'],
    [() => classificationMetrics([0], [0], ['a', 'a']), 'labels'],
    [() => classificationMetrics([0], [0], []), 'labels'],
    [
      () => classificationMetrics([0], [0], LABELS, { probabilities: new Float32Array([1, 2, 3]) }),
      'probabilities',
    ],
    [
      () => classificationMetrics([0], [0], LABELS, { probabilities: new Float32Array([0.2, 0.2, 0.2]) }),
      'probabilities',
    ],
    [
      () => classificationMetrics([0], [0], LABELS, { probabilities: new Float32Array([0.5, 0.5]) }),
      'probabilities',
    ],
    [() => metricsFromConfusion([[1, 0]], LABELS), 'confusion'],
    [
      () =>
        metricsFromConfusion(
          [
            [0, 0, 0],
            [0, 0, 0],
            [0, 0, 0],
          ],
          LABELS,
        ),
      'confusion',
    ],
    [() => fitTemperature(new Float32Array([1, NaN, 0]), [0], 3), 'logits'],
    [() => applyTemperature(new Float32Array(3), 3, 0), 'temperature'],
    [() => expectedCalibrationError(new Float32Array([1, 0, 0]), [0], 3, 0), 'bins'],
    [() => aggregateFolds([]), 'folds'],
    [() => groupAccuracy([0, 1], [0, 1], ['a']), 'groups'],
  ];
  for (const [run, source] of cases) {
    assert.throws(
      run,
      (e: unknown) => e instanceof EmovoxParameterError && e.source === source,
      `expected ${source}`,
    );
  }
});

test('folds with different label lists cannot be aggregated', () => {
  const a = classificationMetrics([0, 1], [0, 1], LABELS);
  const b = classificationMetrics([0, 1], [0, 1], ['angry', 'happy', 'neutral']);
  assert.throws(() => aggregateFolds([a, b]), /fold 1 has labels/);
});

test('one fold aggregates to itself with std 0 (population std)', () => {
  const m = classificationMetrics([0, 1, 2, 2], [0, 1, 1, 2], LABELS, {
    probabilities: new Float32Array([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.6, 0.3, 0.1, 0.1, 0.8]),
  });
  const agg = aggregateFolds([m]);
  assert.deepEqual(agg.ua, { mean: m.ua, std: 0 });
  assert.equal(agg.pooled.ua, m.ua);
  assert.equal(agg.pooled.ece, m.ece);
  assert.ok(Math.abs((agg.pooled.logLoss as number) - (m.logLoss as number)) < 1e-15);
  assert.deepEqual(meanStd([1, 3]), { mean: 2, std: 1 });
});

test('ECE: perfectly calibrated bins give 0; confident mistakes give the confidence', () => {
  // Two examples at confidence 0.5 (one right): gap 0.
  assert.equal(expectedCalibrationError(new Float32Array([0.5, 0.5, 0.5, 0.5]), [0, 1], 2), 0);
  // Always 90 % sure and always wrong: ECE = 0.9.
  const p = new Float32Array([0.9, 0.1, 0.9, 0.1]);
  assert.ok(Math.abs(expectedCalibrationError(p, [1, 1], 2) - 0.9) < 1e-6);
  const bins = calibrationBins(p, [1, 1], 2);
  assert.equal(bins.length, 15);
  assert.equal(
    bins.reduce((s, b) => s + b.count, 0),
    2,
  );
  assert.equal(bins[13].count, 2); // 0.9 lies in (13/15, 14/15]
});

test('temperature scaling keeps the argmax, lowers the NLL, and stays in its range', () => {
  const rng = mulberry32(11);
  const n = 300;
  const k = 4;
  const truth = Array.from({ length: n }, () => rng.int(0, k - 1));
  const logits = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++)
      logits[i * k + c] = 5 * rng.normal() + (c === truth[i] && rng.next() < 0.6 ? 8 : 0);
  }
  const t = fitTemperature(logits, truth, k);
  assert.ok(t > 1, `overconfident logits need T > 1, got ${t}`);
  assert.ok(temperatureNll(logits, truth, k, t) < temperatureNll(logits, truth, k, 1));
  const eps = 1e-3;
  assert.ok(temperatureNll(logits, truth, k, t) <= temperatureNll(logits, truth, k, t * (1 + eps)));
  assert.ok(temperatureNll(logits, truth, k, t) <= temperatureNll(logits, truth, k, t * (1 - eps)));
  const p1 = applyTemperature(logits, k, 1);
  const pt = applyTemperature(logits, k, t);
  const argmax = (p: Float32Array, i: number): number => {
    let b = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + b]) b = c;
    return b;
  };
  for (let i = 0; i < n; i++) {
    assert.equal(argmax(pt, i), argmax(p1, i));
    const sum = pt.subarray(i * k, i * k + k).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - 1) < 1e-6);
  }
  // Calibration improves the ECE of these overconfident scores.
  assert.ok(expectedCalibrationError(pt, truth, k) < expectedCalibrationError(p1, truth, k));
  // Every example right by a wide margin: the NLL keeps falling as T -> 0; the lower bound comes back.
  assert.equal(fitTemperature(new Float32Array([10, 0, 0, 10]), [0, 1], 2), MIN_TEMPERATURE);
});

test('log loss of a one-hot right answer is ~0 and of a uniform guess is log(K)', () => {
  assert.ok(logLoss(new Float32Array([1, 0, 0]), [0], 3) < 1e-15);
  assert.ok(Math.abs(logLoss(new Float32Array([0.25, 0.25, 0.25, 0.25]), [2], 4) - Math.log(4)) < 1e-7);
});

test('groupAccuracy sorts speakers naturally and scores each', () => {
  const rows = groupAccuracy([0, 1, 0, 1, 1], [0, 0, 0, 1, 1], ['spk10', 'spk2', 'spk2', 'spk10', 'spk1']);
  assert.deepEqual(
    rows.map((r) => [r.group, r.n, r.accuracy, r.ua, r.classes]),
    [
      ['spk1', 1, 1, 1, 1],
      ['spk2', 2, 0.5, 0.5, 2],
      ['spk10', 2, 1, 1, 2],
    ],
  );
  assert.ok(
    naturalCompare('a2', 'a10') < 0 && naturalCompare('a10', 'a2') > 0 && naturalCompare('b', 'a') > 0,
  );
});

test('numpySum follows numpy pairwise order (blocks of 8 and 128)', () => {
  // 0.1 repeated: sequential and pairwise orders round differently; numpy gives these exact values.
  assert.equal(numpySum(new Array(10).fill(0.1)), 1.0);
  assert.equal(numpySum(new Array(7).fill(0.1)), 0.7);
  assert.equal(numpySum([]), 0);
  const big = Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
  assert.ok(Math.abs(numpySum(big) - 7.485470860550345) < 1e-12);
});

test('coverageAtConfidence: share kept and accuracy of the kept examples per threshold', () => {
  // confidences 0.9 (right), 0.6 (wrong), 0.4 (right), 0.5 (wrong, tie -> first class)
  const p = new Float32Array([0.9, 0.05, 0.05, 0.2, 0.6, 0.2, 0.4, 0.3, 0.3, 0.5, 0.5, 0]);
  const points = coverageAtConfidence(p, [0, 0, 0, 1], 3, [0, 0.45, 0.55, 0.95]);
  assert.deepEqual(
    points.map((q) => [q.kept, q.coverage, q.accuracy]),
    [
      [4, 1, 0.5],
      [3, 0.75, 1 / 3],
      [2, 0.5, 0.5],
      [0, 0, NaN],
    ],
  );
  assert.throws(() => coverageAtConfidence(p, [0, 0, 0, 1], 3, [1.5]), EmovoxParameterError);
});
