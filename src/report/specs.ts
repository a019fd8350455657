import type { CalibrationBin, ClassificationMetrics } from '../eval/index.js';
import { EmovoxParameterError } from '../util/errors.js';

/** One epoch of training history, as the training loop logs it. */
export interface EpochRecord {
  /** Fold name ("fold1", "speaker 03", "all"). */
  fold: string;
  /** Epoch number (1-based by convention). */
  epoch: number;
  /** Mean training loss over the epoch. */
  trainLoss: number;
  /** Validation loss at the end of the epoch. */
  valLoss?: number;
  /** Validation UA in [0, 1] at the end of the epoch. */
  valUa?: number;
  /** Learning rate used during the epoch. */
  lr?: number;
}

/** A Vega-Lite specification (a plain JSON object). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Okabe & Ito's colour-blind-safe palette, ordered so the first colours contrast most on white
 * (the yellow, hardest to see on white, comes last).
 */
export const OKABE_ITO = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

/** Font stack of every plot: Inter (shipped for PNG rendering), then common sans-serif fonts. */
export const PLOT_FONT = 'Inter, "DejaVu Sans", "Helvetica Neue", Arial, sans-serif';

/** Shared Vega-Lite config: font, sizes, a white background, no outer border. */
export function baseConfig(): Record<string, unknown> {
  return {
    font: PLOT_FONT,
    background: 'white',
    padding: 12,
    view: { stroke: null },
    title: { fontSize: 16, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 12, subtitleColor: '#444' },
    axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'bold', gridColor: '#e6e6e6' },
    legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'bold' },
    header: { labelFontSize: 13, titleFontSize: 13 },
  };
}

function colourScale(domain: readonly string[]): Record<string, unknown> {
  return domain.length <= OKABE_ITO.length
    ? { domain: [...domain], range: OKABE_ITO.slice(0, domain.length) }
    : { domain: [...domain], scheme: { name: 'viridis', extent: [0, 0.85] } };
}

/** Options of the training-curve plot. */
export interface CurvesOptions {
  /** Plot title. Default "Training curves". */
  title?: string;
  /** Width of each panel in CSS pixels. Default 560. */
  width?: number;
  /** Height of each panel in CSS pixels. Default 220. */
  height?: number;
}

function checkHistory(history: readonly EpochRecord[]): void {
  if (!Array.isArray(history) || history.length === 0)
    throw new EmovoxParameterError('history', 'holds no epochs');
  history.forEach((r, i) => {
    if (typeof r.fold !== 'string' || !Number.isFinite(r.epoch) || !Number.isFinite(r.trainLoss)) {
      throw new EmovoxParameterError(
        'history',
        `record ${i} needs a fold name, a finite epoch and a finite trainLoss`,
      );
    }
  });
}

/**
 * Vega-Lite spec of training curves: loss per epoch (training solid, validation dashed) and,
 * when recorded, validation UA and the learning rate (log scale), one colour per fold.
 */
export function curvesSpec(history: readonly EpochRecord[], options: CurvesOptions = {}): VegaLiteSpec {
  checkHistory(history);
  const width = options.width ?? 560;
  const height = options.height ?? 220;
  const folds = [...new Set(history.map((r) => r.fold))];
  const color = { field: 'fold', type: 'nominal', title: 'fold', scale: colourScale(folds), sort: folds };
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } };
  const loss: Array<Record<string, unknown>> = [];
  for (const r of history) {
    loss.push({ fold: r.fold, epoch: r.epoch, curve: 'training', value: r.trainLoss });
    if (r.valLoss !== undefined && Number.isFinite(r.valLoss)) {
      loss.push({ fold: r.fold, epoch: r.epoch, curve: 'validation', value: r.valLoss });
    }
  }
  const panels: Array<Record<string, unknown>> = [
    {
      width,
      height,
      title: { text: 'Loss', fontSize: 13 },
      data: { values: loss },
      mark: { type: 'line', point: { size: 24 }, strokeWidth: 2 },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', title: 'loss', scale: { zero: false } },
        color,
        strokeDash: {
          field: 'curve',
          type: 'nominal',
          title: 'curve',
          scale: {
            domain: ['training', 'validation'],
            range: [
              [1, 0],
              [6, 4],
            ],
          },
          legend: {
            symbolType: 'stroke',
            symbolStrokeWidth: 2,
            symbolSize: 400,
            encode: { symbols: { update: { stroke: { value: '#333' } } } },
          },
        },
        detail: { field: 'curve' },
      },
    },
  ];
  const ua = history.filter((r) => r.valUa !== undefined && Number.isFinite(r.valUa));
  if (ua.length > 0) {
    panels.push({
      width,
      height,
      title: { text: 'Validation UA', fontSize: 13 },
      data: { values: ua.map((r) => ({ fold: r.fold, epoch: r.epoch, value: r.valUa })) },
      mark: { type: 'line', point: { size: 24 }, strokeWidth: 2 },
      encoding: {
        x,
        y: {
          field: 'value',
          type: 'quantitative',
          title: 'UA',
          scale: { domain: [0, 1] },
          axis: { format: '.0%' },
        },
        color,
      },
    });
  }
  const lr = history.filter((r) => r.lr !== undefined && Number.isFinite(r.lr) && r.lr > 0);
  if (lr.length > 0) {
    panels.push({
      width,
      height: Math.round(height * 0.6),
      title: { text: 'Learning rate', fontSize: 13 },
      data: { values: lr.map((r) => ({ fold: r.fold, epoch: r.epoch, value: r.lr })) },
      mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
      encoding: {
        x,
        y: {
          field: 'value',
          type: 'quantitative',
          title: 'learning rate',
          scale: { type: 'log' },
          axis: { format: '.1~e', values: logTicks(lr.map((r) => r.lr as number)) },
        },
        color,
      },
    });
  }
  return {
    title: {
      text: options.title ?? 'Training curves',
      subtitle: `${folds.length} fold${folds.length === 1 ? '' : 's'}`,
    },
    vconcat: panels,
    resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
    config: baseConfig(),
  };
}

/** Axis values for a log scale: the extremes and every power of ten between them. */
function logTicks(values: readonly number[]): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const ticks = new Set([lo, hi]);
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) ticks.add(Number(`1e${e}`));
  return [...ticks].sort((a, b) => a - b);
}

/** Options of the confusion-matrix plot. */
export interface ConfusionOptions {
  /** Plot title. Default "Confusion matrix". */
  title?: string;
  /** Cell size in CSS pixels. Default 56. */
  cell?: number;
}

function percent(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/**
 * Vega-Lite spec of a confusion matrix: a heat map of each true class's row normalised to
 * shares (sequential blues, readable with colour-vision deficiencies), each cell showing its
 * count and row percentage; true classes down, predicted classes across.
 */
export function confusionSpec(m: ClassificationMetrics, options: ConfusionOptions = {}): VegaLiteSpec {
  if (
    !m ||
    !Array.isArray(m.labels) ||
    !Array.isArray(m.confusion) ||
    m.confusion.length !== m.labels.length
  ) {
    throw new EmovoxParameterError('metrics', 'needs labels and a square confusion matrix');
  }
  const cell = options.cell ?? 56;
  const cells: Array<Record<string, unknown>> = [];
  m.labels.forEach((t, ti) => {
    const row = m.confusion[ti];
    const total = row.reduce((s, c) => s + c, 0);
    m.labels.forEach((p, pi) => {
      const share = total === 0 ? 0 : row[pi] / total;
      cells.push({
        true: t,
        predicted: p,
        count: row[pi],
        share,
        text: [String(row[pi]), total === 0 ? '–' : percent(share, 0)],
      });
    });
  });
  const axisLabels = { labelLimit: 160 };
  return {
    title: {
      text: options.title ?? 'Confusion matrix',
      subtitle: `UA ${percent(m.ua)} · WA ${percent(m.wa)} · macro-F1 ${percent(m.macroF1)} · n = ${m.n}; rows normalised`,
    },
    data: { values: cells },
    width: cell * m.labels.length,
    height: cell * m.labels.length,
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: [...m.labels],
        title: 'predicted class',
        axis: { ...axisLabels, labelAngle: -35, orient: 'bottom' },
      },
      y: { field: 'true', type: 'nominal', sort: [...m.labels], title: 'true class', axis: axisLabels },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            condition: { test: 'datum.count === 0', value: 'white' },
            field: 'share',
            type: 'quantitative',
            title: 'row share',
            scale: { scheme: 'blues', domain: [0, 1] },
            legend: { format: '.0%', gradientLength: Math.max(120, cell * m.labels.length - 40) },
          },
        },
      },
      {
        mark: {
          type: 'text',
          fontSize: Math.max(9, Math.min(13, Math.round(cell / 4.3))),
          lineHeight: 15,
          baseline: 'middle',
        },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#111' },
        },
      },
    ],
    config: baseConfig(),
  };
}

/** Options of the reliability diagram. */
export interface ReliabilityOptions {
  /** Plot title. Default "Reliability diagram". */
  title?: string;
  /** Plot width and height in CSS pixels. Default 320. */
  size?: number;
}

/**
 * Vega-Lite spec of a reliability diagram: accuracy per confidence bin as bars against the
 * diagonal of perfect calibration, with ECE in the subtitle.
 */
export function reliabilitySpec(
  bins: readonly CalibrationBin[],
  ece: number,
  options: ReliabilityOptions = {},
): VegaLiteSpec {
  if (!Array.isArray(bins) || bins.length === 0)
    throw new EmovoxParameterError('bins', 'holds no calibration bins');
  const size = options.size ?? 320;
  const values = bins.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    accuracy: b.accuracy,
    confidence: b.meanConfidence,
    count: b.count,
  }));
  return {
    title: {
      text: options.title ?? 'Reliability diagram',
      subtitle: `ECE ${percent(ece)} (${bins.length} bins, top label)`,
    },
    width: size,
    height: size,
    layer: [
      {
        data: { values: values.filter((v) => v.count > 0) },
        mark: { type: 'rect', color: '#0072B2', opacity: 0.85, stroke: 'white' },
        encoding: {
          x: {
            field: 'lower',
            type: 'quantitative',
            title: 'confidence',
            scale: { domain: [0, 1] },
            axis: { format: '.0%' },
          },
          x2: { field: 'upper' },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'accuracy',
            scale: { domain: [0, 1] },
            axis: { format: '.0%' },
          },
          y2: { datum: 0 },
        },
      },
      {
        data: { values: [{ a: 0 }, { a: 1 }] },
        mark: { type: 'line', color: '#D55E00', strokeDash: [6, 4], strokeWidth: 2 },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } },
      },
    ],
    config: baseConfig(),
  };
}
