import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OKABE_ITO,
  confusionPng,
  confusionSvg,
  curvesPng,
  curvesSpec,
  curvesSvg,
  reliabilityPng,
  svgToPng,
} from '../../src/report/index.js';
import { EmovoxParameterError } from '../../src/util/errors.js';
import { decodePng, svgSize, syntheticFold, syntheticHistory } from './helpers.js';

test('curves: SVG with titles, axes and folds; PNG at twice the size with ink in several colours', async () => {
  const history = [...syntheticHistory('fold1', 20), ...syntheticHistory('fold2', 20, 0.05)];
  const svg = await curvesSvg(history);
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const text of [
    'Training curves',
    'Loss',
    'Validation UA',
    'Learning rate',
    'epoch',
    'fold1',
    'fold2',
    'training',
    'validation',
  ]) {
    assert.ok(svg.includes(`>${text}<`), `SVG lacks the text "${text}"`);
  }
  // Okabe-Ito colours of the two folds.
  assert.ok(svg.includes(OKABE_ITO[0]) && svg.includes(OKABE_ITO[1]));
  const { width, height } = svgSize(svg);
  assert.ok(width > 500 && height > 400, `${width} x ${height}`);
  const png = decodePng(await curvesPng(history));
  assert.equal(png.width, Math.round(2 * width));
  assert.equal(png.height, Math.round(2 * height));
  assert.ok(png.inked > 0.02 && png.inked < 0.6, `ink share ${png.inked}`);
  assert.ok(png.colours > 20);
});

test('curves without validation data show the training loss only', () => {
  const spec = curvesSpec([
    { fold: 'all', epoch: 1, trainLoss: 1 },
    { fold: 'all', epoch: 2, trainLoss: 0.5 },
  ]);
  assert.equal((spec.vconcat as unknown[]).length, 1);
  assert.throws(() => curvesSpec([]), EmovoxParameterError);
  assert.throws(() => curvesSpec([{ fold: 'a', epoch: 1, trainLoss: NaN }]), EmovoxParameterError);
});

test('confusion: counts and row percentages in the cells, labels on both axes', async () => {
  const { metrics } = syntheticFold(3, 200);
  const svg = await confusionSvg(metrics);
  for (const label of metrics.labels) assert.ok(svg.includes(`>${label}<`), label);
  assert.ok(svg.includes('>predicted class<') && svg.includes('>true class<'));
  const first = metrics.confusion[0];
  const share = Math.round((100 * first[0]) / first.reduce((s, c) => s + c, 0));
  assert.ok(svg.includes(`>${first[0]}<`) && svg.includes(`>${share}%<`));
  const { width, height } = svgSize(svg);
  const png = decodePng(await confusionPng(metrics, { scale: 1 }));
  assert.equal(png.width, Math.round(width));
  assert.equal(png.height, Math.round(height));
  assert.ok(png.inked > 0.2, `ink share ${png.inked}`);
});

test('reliability diagram renders from calibration bins', async () => {
  const { metrics } = syntheticFold(4);
  const png = decodePng(await reliabilityPng(metrics.calibration ?? [], metrics.ece ?? 0));
  assert.ok(png.width > 300 && png.inked > 0.05);
});

test('PNG text is drawn with the shipped font (no system fonts needed)', () => {
  const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"></svg>';
  const text =
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="28" font-size="24" font-family="Inter, sans-serif">UA 65%</text></svg>';
  assert.equal(decodePng(svgToPng(blank)).inked, 0);
  assert.ok(decodePng(svgToPng(text)).inked > 0.03);
  // Generic families map to the same shipped font.
  const generic = text.replace('Inter, sans-serif', 'sans-serif');
  assert.deepEqual(svgToPng(generic), svgToPng(text));
  assert.throws(() => svgToPng(text, { scale: 0 }), EmovoxParameterError);
});
