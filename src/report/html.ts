import type { ClassificationMetrics, FoldAggregate } from '../eval/index.js';
import {
  aggregateOf,
  allHistory,
  checkReportInput,
  percent,
  percentMeanStd,
  type GroupRow,
  type ReportInput,
  type TableRow,
} from './input.js';
import { confusionSvg, curvesSvg, reliabilitySvg } from './render.js';
import { classificationReportText } from './text.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function svgImage(svg: string, alt: string): string {
  const uri = 'data:image/svg+xml;base64,' + Buffer.from(svg, 'utf8').toString('base64');
  return `<img class="plot" alt="${escapeHtml(alt)}" src="${uri}">`;
}

function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  numeric: readonly boolean[] = [],
): string {
  const head = headers.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        '<tr>' +
        r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('') +
        '</tr>',
    )
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function cell(value: TableRow[string]): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'number' && !Number.isInteger(value)
    ? String(Number(value.toPrecision(6)))
    : String(value);
}

function freeTable(rows: readonly TableRow[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return table(
    keys,
    rows.map((r) => keys.map((k) => cell(r[k]))),
    keys.map((k) => rows.every((r) => r[k] === undefined || r[k] === null || typeof r[k] === 'number')),
  );
}

function summaryTable(agg: FoldAggregate): string {
  const rows: string[][] = [
    ['UA (unweighted accuracy)', percentMeanStd(agg.ua), percent(agg.pooled.ua)],
    ['WA (accuracy)', percentMeanStd(agg.wa), percent(agg.pooled.wa)],
    ['macro F1', percentMeanStd(agg.macroF1), percent(agg.pooled.macroF1)],
    ['weighted F1', percentMeanStd(agg.weightedF1), percent(agg.pooled.weightedF1)],
  ];
  if (agg.ece)
    rows.push([
      'ECE (15 bins)',
      percentMeanStd(agg.ece),
      agg.pooled.ece === undefined ? '' : percent(agg.pooled.ece),
    ]);
  if (agg.logLoss) {
    rows.push([
      'log loss (nats)',
      `${agg.logLoss.mean.toFixed(3)} ± ${agg.logLoss.std.toFixed(3)}`,
      agg.pooled.logLoss === undefined ? '' : agg.pooled.logLoss.toFixed(3),
    ]);
  }
  return table(
    ['metric', `mean ± std over ${agg.folds} fold${agg.folds === 1 ? '' : 's'} (%)`, 'pooled (%)'],
    rows,
    [false, true, true],
  );
}

function foldTable(folds: ReportInput['folds']): string {
  const withEce = folds.every((f) => f.metrics.ece !== undefined);
  const headers = ['fold', 'n', 'UA %', 'WA %', 'macro F1 %', 'weighted F1 %', ...(withEce ? ['ECE %'] : [])];
  const rows = folds.map((f) => {
    const m = f.metrics;
    const row = [
      f.name,
      String(m.n),
      percent(m.ua),
      percent(m.wa),
      percent(m.macroF1),
      percent(m.weightedF1),
    ];
    if (withEce) row.push(percent(m.ece as number));
    return row;
  });
  return table(
    headers,
    rows,
    headers.map((_, i) => i > 0),
  );
}

function groupTable(rows: readonly GroupRow[], what: string): string {
  const withFold = rows.some((r) => r.fold !== undefined);
  const headers = [...(withFold ? ['fold'] : []), what, 'n', 'accuracy %', 'UA %', 'classes'];
  return table(
    headers,
    rows.map((r) => [
      ...(withFold ? [r.fold ?? ''] : []),
      r.group,
      String(r.n),
      percent(r.accuracy),
      percent(r.ua),
      String(r.classes),
    ]),
    headers.map((h) => !['fold', what].includes(h)),
  );
}

function perClassTable(m: ClassificationMetrics): string {
  return table(
    ['class', 'precision %', 'recall %', 'F1 %', 'support', 'predicted'],
    m.perClass.map((c) => [
      c.label,
      percent(c.precision),
      percent(c.recall),
      percent(c.f1),
      String(c.support),
      String(c.predicted),
    ]),
    [false, true, true, true, true, true],
  );
}

const STYLE = `
body { font-family: Inter, "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; } th { background: #f3f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f7f7f9; border: 1px solid #e3e3e8; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
img.plot { max-width: 100%; height: auto; display: block; margin: 0.6rem 0; }
.notes li { margin: 0.2rem 0; } .muted { color: #555; font-size: 0.9rem; }
details { margin: 0.4rem 0; } summary { cursor: pointer; font-weight: 600; }
`;

/**
 * The run report as one self-contained HTML document: inline CSS, plots as inline
 * `data:image/svg+xml` images, no script, no external fetch. Sections: summary (mean ± std over
 * folds and pooled), notes, per-fold metrics, the pooled confusion matrix and classification
 * report, per-class scores, reliability diagram (when probabilities were scored), training curves
 * (when history is given), per-speaker and per-corpus accuracy, the data summary, the recipe, and
 * each fold's own report. Every user string is HTML-escaped.
 */
export async function reportHtml(input: ReportInput, options: { digits?: number } = {}): Promise<string> {
  checkReportInput(input);
  const digits = options.digits ?? 3;
  const agg = aggregateOf(input);
  const pooled = agg.pooled;
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(input.title)}</h1>`);
  parts.push(
    `<p class="muted">${agg.folds} fold${agg.folds === 1 ? '' : 's'}, ${pooled.n} test examples, ${pooled.labels.length} classes: ${escapeHtml(pooled.labels.join(', '))}. ` +
      'UA is the mean of per-class recall; std is the population standard deviation over folds.</p>',
  );
  parts.push('<h2>Summary</h2>', summaryTable(agg));
  if (input.temperature !== undefined) {
    parts.push(
      `<p>Softmax temperature (fitted on validation data): <strong>${input.temperature.toFixed(4)}</strong></p>`,
    );
  }
  if (input.notes && input.notes.length > 0) {
    parts.push(
      '<h2>Notes</h2>',
      '<ul class="notes">' + input.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('') + '</ul>',
    );
  }
  parts.push('<h2>Folds</h2>', foldTable(input.folds));
  const pooledTitle =
    agg.folds === 1 ? `Confusion matrix (${input.folds[0].name})` : 'Confusion matrix (all folds pooled)';
  parts.push(
    '<h2>Confusion matrix</h2>',
    svgImage(await confusionSvg(pooled, { title: pooledTitle }), pooledTitle),
  );
  parts.push(
    '<h2>Classification report (pooled)</h2>',
    `<pre>${escapeHtml(classificationReportText(pooled, { digits }))}</pre>`,
  );
  parts.push('<h2>Per class (pooled)</h2>', perClassTable(pooled));
  if (pooled.calibration && pooled.ece !== undefined) {
    parts.push(
      '<h2>Calibration</h2>',
      svgImage(await reliabilitySvg(pooled.calibration, pooled.ece), 'Reliability diagram'),
    );
  }
  const history = allHistory(input);
  if (history.length > 0)
    parts.push('<h2>Training curves</h2>', svgImage(await curvesSvg(history), 'Training curves'));
  if (input.perSpeaker && input.perSpeaker.length > 0)
    parts.push('<h2>Per speaker</h2>', groupTable(input.perSpeaker, 'speaker'));
  if (input.perCorpus && input.perCorpus.length > 0)
    parts.push('<h2>Per corpus</h2>', groupTable(input.perCorpus, 'corpus'));
  if (input.dataSummary !== undefined) {
    const rows = Array.isArray(input.dataSummary) ? input.dataSummary : null;
    parts.push(
      '<h2>Data</h2>',
      rows
        ? freeTable(rows)
        : table(
            ['item', 'value'],
            Object.entries(input.dataSummary as TableRow).map(([k, v]) => [k, cell(v)]),
          ),
    );
  }
  if (input.recipe !== undefined) {
    parts.push(
      '<h2>Recipe</h2>',
      `<pre>${escapeHtml(JSON.stringify(input.recipe, null, 2) ?? String(input.recipe))}</pre>`,
    );
  }
  if (input.folds.length > 1) {
    parts.push('<h2>Each fold</h2>');
    for (const fold of input.folds) {
      parts.push(
        `<details><summary>${escapeHtml(fold.name)}: UA ${percent(fold.metrics.ua)} %, WA ${percent(fold.metrics.wa)} %</summary>` +
          `<pre>${escapeHtml(classificationReportText(fold.metrics, { digits }))}</pre></details>`,
      );
    }
  }
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(input.title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    parts.join('\n') +
    '\n<p class="muted">Generated by emovox.</p>\n</body>\n</html>\n'
  );
}
