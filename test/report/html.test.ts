import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { aggregateFolds, groupAccuracy } from '../../src/eval/index.js';
import {
  METRICS_SCHEMA,
  metricsJson,
  metricsJsonText,
  parseMetricsJson,
  reportHtml,
  reportText,
  writeReportFiles,
  type ReportInput,
} from '../../src/report/index.js';
import { EmovoxInputError, EmovoxParameterError } from '../../src/util/errors.js';
import { decodePng, syntheticFold, syntheticFolds } from './helpers.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(node: Node, out: Element[] = []): Element[] {
  if ('tagName' in node) out.push(node);
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const child of children) elements(child, out);
  if ('content' in node && node.content) elements(node.content, out);
  return out;
}

function input(): ReportInput {
  const folds = syntheticFolds(3);
  const speakerFold = syntheticFold(9, 90);
  return {
    title: 'cnn1d <RAVDESS> & "folds"',
    recipe: { model: { kind: 'cnn1d' }, protocol: 'folds:ravdess6', note: '<script>alert(1)</script>' },
    dataSummary: [
      { corpus: 'ravdess', items: 1440, speakers: 24 },
      { corpus: 'tess', items: 2800, speakers: 2 },
    ],
    folds,
    perSpeaker: groupAccuracy(speakerFold.truth, speakerFold.predicted, speakerFold.speakers).map((r) => ({
      ...r,
      fold: 'fold1',
    })),
    temperature: 1.8734,
    notes: ['random split: speakers leak between train and test'],
  };
}

test('reportHtml is one parseable, self-contained document with the metrics and per-speaker rows', async () => {
  const data = input();
  const html = await reportHtml(data);
  const errors: string[] = [];
  const doc = parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  assert.deepEqual(errors, []);
  const all = elements(doc);
  // Nothing is fetched: no script, no external stylesheet, every src/href a data: URI or a fragment.
  assert.equal(all.filter((e) => e.tagName === 'script' || e.tagName === 'link').length, 0);
  for (const e of all) {
    for (const attr of e.attrs) {
      if (attr.name === 'src' || attr.name === 'href')
        assert.match(attr.value, /^(data:|#)/, `${e.tagName} ${attr.name}`);
    }
  }
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  const images = all.filter((e) => e.tagName === 'img');
  assert.equal(images.length, 3); // confusion, reliability, curves
  for (const img of images) {
    const src = img.attrs.find((a) => a.name === 'src')?.value ?? '';
    const svg = Buffer.from(src.replace('data:image/svg+xml;base64,', ''), 'base64').toString('utf8');
    assert.match(svg, /^<svg /);
  }
  // Escaped title and recipe; no injected markup.
  assert.ok(html.includes('<title>cnn1d &lt;RAVDESS&gt; &amp; &quot;folds&quot;</title>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  // Metrics: pooled UA, each fold's UA, temperature, notes, data summary, speakers.
  const agg = aggregateFolds(data.folds.map((f) => f.metrics));
  assert.ok(html.includes(`${(100 * agg.ua.mean).toFixed(1)} ± ${(100 * agg.ua.std).toFixed(1)}`));
  assert.ok(html.includes(`>${(100 * agg.pooled.ua).toFixed(1)}<`));
  for (const f of data.folds)
    assert.ok(
      html.includes(
        `<td>${f.name}</td><td class="num">${f.metrics.n}</td><td class="num">${(100 * f.metrics.ua).toFixed(1)}</td>`,
      ),
    );
  assert.ok(html.includes('1.8734'));
  assert.ok(html.includes('speakers leak'));
  assert.ok(html.includes('<td>tess</td><td class="num">2800</td>'));
  const speakerRows = all.filter(
    (e) =>
      e.tagName === 'tr' &&
      JSON.stringify(
        e.childNodes.map((c) =>
          'childNodes' in c ? c.childNodes.map((t) => ('value' in t ? t.value : '')) : '',
        ),
      ).includes('Actor_'),
  );
  assert.equal(speakerRows.length, data.perSpeaker?.length);
  assert.ok((data.perSpeaker?.length ?? 0) >= 3);
});

test('metrics.json follows the documented schema and reads back', () => {
  const data = input();
  const doc = metricsJson(data);
  assert.equal(doc.schema, METRICS_SCHEMA);
  assert.deepEqual(doc.labels, data.folds[0].metrics.labels);
  assert.deepEqual(
    doc.folds.map((f) => f.name),
    ['fold1', 'fold2', 'fold3'],
  );
  for (const key of ['ua', 'wa', 'macroF1', 'weightedF1'] as const) {
    assert.deepEqual(Object.keys(doc.aggregate[key]).sort(), ['mean', 'std']);
  }
  assert.ok(doc.aggregate.ece && doc.aggregate.pooled.confusion.length === 8);
  const text = metricsJsonText(data);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(parseMetricsJson(text), JSON.parse(text));
  assert.throws(
    () => parseMetricsJson('{"schema":"other"}', 'run/metrics.json'),
    (e: unknown) => e instanceof EmovoxInputError && e.source === 'run/metrics.json',
  );
  assert.throws(() => parseMetricsJson('{', 'x.json'), EmovoxInputError);
});

test('report input errors name the argument', async () => {
  const fold = syntheticFold(1).metrics;
  await assert.rejects(reportHtml({ title: 't', folds: [] }), EmovoxParameterError);
  assert.throws(
    () =>
      metricsJson({
        title: 't',
        folds: [
          { name: 'a', metrics: fold },
          { name: 'a', metrics: fold },
        ],
      }),
    /appears twice/,
  );
});

test('writeReportFiles writes metrics.json, report.txt, PNGs and report.html', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-report-'));
  try {
    const data = input();
    const files = await writeReportFiles(join(dir, 'run'), data);
    for (const path of Object.values(files)) assert.ok(existsSync(path), path);
    assert.deepEqual(Object.keys(files).sort(), [
      'confusionPng',
      'curvesPng',
      'metricsJson',
      'reliabilityPng',
      'reportHtml',
      'reportTxt',
    ]);
    const txt = readFileSync(files.reportTxt, 'utf8');
    assert.equal(txt, reportText({ ...data, aggregate: aggregateFolds(data.folds.map((f) => f.metrics)) }));
    assert.match(txt, /== all folds pooled ==/);
    assert.match(txt, /confusion matrix \(rows: true class, columns: predicted class\)/);
    assert.equal(parseMetricsJson(readFileSync(files.metricsJson, 'utf8')).folds.length, 3);
    for (const png of [files.confusionPng, files.curvesPng as string]) {
      const decoded = decodePng(readFileSync(png));
      assert.ok(decoded.width > 400 && decoded.inked > 0.02, png);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
