// Compares src/eval and the text report with scikit-learn / numpy / scipy values written by
// `/usr/bin/python3 reference/eval_golden.py` into test/fixtures/eval/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  aggregateFolds,
  applyTemperature,
  classificationMetrics,
  expectedCalibrationError,
  fitTemperature,
  groupAccuracy,
  temperatureNll,
} from '../../src/eval/index.js';
import { classificationReportText } from '../../src/report/index.js';

const DIR = new URL('../fixtures/eval/', import.meta.url);
const f32 = (base64: string): Float32Array => {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
};
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name + '.json', DIR), 'utf8')) as T;

interface Case {
  name: string;
  labels: string[];
  truth: number[];
  predicted: number[];
  probabilities?: string;
  expected: {
    accuracy: number;
    balancedAccuracy: number;
    perClass: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
    confusion: number[][];
    macro: { precision: number; recall: number; f1: number };
    weighted: { precision: number; recall: number; f1: number };
    report: Record<string, string>;
    logLoss?: number;
    ece?: number;
    ece10?: number;
  };
}

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} != ${expected}`,
  );
}

const { cases } = load<{ cases: Case[] }>('classification');

test('golden cases cover sizes, class counts and edge cases', () => {
  assert.ok(cases.length >= 15);
  const sizes = new Set(cases.map((c) => c.truth.length));
  assert.ok(sizes.has(1) && [...sizes].some((n) => n >= 500));
  assert.ok(cases.some((c) => c.labels.length === 1));
  assert.ok(cases.some((c) => c.expected.perClass.support.includes(0)));
  assert.ok(
    cases.some((c) => c.expected.confusion.some((_, k) => c.expected.confusion.every((row) => row[k] === 0))),
  );
});

for (const c of cases) {
  test(`classification metrics equal scikit-learn: ${c.name}`, () => {
    const probabilities = c.probabilities ? f32(c.probabilities) : undefined;
    const m = classificationMetrics(c.truth, c.predicted, c.labels, { probabilities });
    const e = c.expected;
    assert.equal(m.n, c.truth.length);
    assert.deepEqual(m.confusion, e.confusion);
    // Summation follows numpy's order, so these agree to the last bit.
    assert.equal(m.wa, e.accuracy);
    assert.equal(m.ua, e.balancedAccuracy);
    assert.deepEqual(
      m.perClass.map((s) => s.precision),
      e.perClass.precision,
    );
    assert.deepEqual(
      m.perClass.map((s) => s.recall),
      e.perClass.recall,
    );
    assert.deepEqual(
      m.perClass.map((s) => s.f1),
      e.perClass.f1,
    );
    assert.deepEqual(
      m.perClass.map((s) => s.support),
      e.perClass.support,
    );
    assert.equal(m.macroPrecision, e.macro.precision);
    assert.equal(m.macroRecall, e.macro.recall);
    assert.equal(m.macroF1, e.macro.f1);
    assert.equal(m.weightedPrecision, e.weighted.precision);
    assert.equal(m.weightedRecall, e.weighted.recall);
    assert.equal(m.weightedF1, e.weighted.f1);
    for (const [digits, text] of Object.entries(e.report)) {
      assert.equal(
        classificationReportText(m, { digits: Number(digits), confusion: false }),
        text,
        `digits=${digits}`,
      );
    }
    if (probabilities) {
      close(m.logLoss as number, e.logLoss as number, 1e-12, 'log loss');
      close(m.ece as number, e.ece as number, 1e-12, 'ECE (15 bins)');
      close(
        expectedCalibrationError(probabilities, c.truth, c.labels.length, 10),
        e.ece10 as number,
        1e-12,
        'ECE (10 bins)',
      );
      assert.equal(
        m.calibration?.reduce((s, b) => s + b.count, 0),
        c.truth.length,
      );
    } else {
      assert.equal(m.ece, undefined);
      assert.equal(m.logLoss, undefined);
    }
  });
}

interface TemperatureCase {
  name: string;
  classes: number;
  truth: number[];
  logits: string;
  temperature: number;
  nllAtTemperature: number;
  nllAtOne: number;
  probabilitiesAtTemperature: string;
}

for (const c of load<{ temperature: TemperatureCase[] }>('calibration').temperature) {
  test(`temperature scaling matches scipy.optimize: ${c.name}`, () => {
    const logits = f32(c.logits);
    const t = fitTemperature(logits, c.truth, c.classes);
    close(t, c.temperature, 1e-5, 'temperature');
    close(temperatureNll(logits, c.truth, c.classes, 1), c.nllAtOne, 1e-12, 'NLL at T = 1');
    // Ours is the exact optimum of the same convex function: never worse than scipy's.
    assert.ok(temperatureNll(logits, c.truth, c.classes, t) <= c.nllAtTemperature + 1e-12);
    const probs = applyTemperature(logits.subarray(0, 4 * c.classes), c.classes, c.temperature);
    probs.forEach((p, i) => close(p, f32(c.probabilitiesAtTemperature)[i], 1e-6, `probability ${i}`));
  });
}

test('per-group accuracy and UA equal scikit-learn per speaker', () => {
  const g = load<{
    truth: number[];
    predicted: number[];
    groups: string[];
    expected: Array<{ group: string; n: number; accuracy: number; ua: number }>;
  }>('groups');
  const rows = groupAccuracy(g.truth, g.predicted, g.groups);
  assert.deepEqual(
    rows.map((r) => r.group),
    g.expected.map((r) => r.group),
  );
  rows.forEach((r, i) => {
    assert.equal(r.n, g.expected[i].n);
    assert.equal(r.accuracy, g.expected[i].accuracy);
    assert.equal(r.ua, g.expected[i].ua);
  });
});

test('fold aggregation: mean, population std and pooled metrics equal numpy / scikit-learn', () => {
  const a = load<{
    folds: Array<{ labels: string[]; truth: number[]; predicted: number[]; probabilities: string }>;
    expected: Record<'ua' | 'wa' | 'macroF1' | 'weightedF1', { mean: number; std: number }> & {
      pooled: {
        ua: number;
        wa: number;
        macroF1: number;
        ece: number;
        logLoss: number;
        confusion: number[][];
      };
    };
  }>('aggregate');
  const folds = a.folds.map((f) =>
    classificationMetrics(f.truth, f.predicted, f.labels, {
      probabilities: f32(f.probabilities),
    }),
  );
  const agg = aggregateFolds(folds);
  assert.equal(agg.folds, 6);
  for (const key of ['ua', 'wa', 'macroF1', 'weightedF1'] as const) {
    close(agg[key].mean, a.expected[key].mean, 1e-14, `${key} mean`);
    close(agg[key].std, a.expected[key].std, 1e-12, `${key} std`);
  }
  assert.deepEqual(agg.pooled.confusion, a.expected.pooled.confusion);
  assert.equal(agg.pooled.ua, a.expected.pooled.ua);
  assert.equal(agg.pooled.wa, a.expected.pooled.wa);
  assert.equal(agg.pooled.macroF1, a.expected.pooled.macroF1);
  close(agg.pooled.ece as number, a.expected.pooled.ece, 1e-12, 'pooled ECE');
  close(agg.pooled.logLoss as number, a.expected.pooled.logLoss, 1e-12, 'pooled log loss');
});
