import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { ClassificationMetrics, CalibrationBin } from '../eval/index.js';
import { EmovoxParameterError } from '../util/errors.js';
import {
  confusionSpec,
  curvesSpec,
  reliabilitySpec,
  type ConfusionOptions,
  type CurvesOptions,
  type EpochRecord,
  type ReliabilityOptions,
  type VegaLiteSpec,
} from './specs.js';

/** Options of every PNG renderer. */
export interface PngOptions {
  /** Pixels per CSS pixel of the SVG. Default 2 (sharp on high-density screens and in print). */
  scale?: number;
}

/**
 * Compiles a Vega-Lite spec with `vega-lite` and renders it headlessly to an SVG document with
 * `vega` (View with renderer 'none', `toSVG()`). Data must be inline: nothing is fetched.
 */
export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  // vega-lite's TopLevelSpec type is a large union; specs here are built as plain JSON objects.
  const compiled = vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const require = createRequire(import.meta.url);
let fontFiles: string[] | undefined;

/**
 * The Inter TTF files (regular and bold) from the `@expo-google-fonts/inter` package: PNG text
 * is drawn with these and no system font, so plots look the same on every machine, including
 * ones without any fonts installed.
 */
export function plotFontFiles(): string[] {
  fontFiles ??= ['400Regular/Inter_400Regular.ttf', '700Bold/Inter_700Bold.ttf'].map((f) =>
    require.resolve(`@expo-google-fonts/inter/${f}`),
  );
  return fontFiles;
}

/**
 * Rasterises an SVG document to PNG bytes with resvg (`@resvg/resvg-js`), drawing text with
 * {@link plotFontFiles}. The PNG is `scale` times the SVG's width and height (rounded).
 */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new EmovoxParameterError('scale', `must be in (0, 8], got ${scale}`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: plotFontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: 'Inter',
      sansSerifFamily: 'Inter',
    },
    background: 'white',
  });
  return new Uint8Array(resvg.render().asPng());
}

/** Training curves (see {@link curvesSpec}) as an SVG document. */
export function curvesSvg(history: readonly EpochRecord[], options: CurvesOptions = {}): Promise<string> {
  return vegaLiteToSvg(curvesSpec(history, options));
}

/** Training curves as PNG bytes. */
export async function curvesPng(
  history: readonly EpochRecord[],
  options: CurvesOptions & PngOptions = {},
): Promise<Uint8Array> {
  return svgToPng(await curvesSvg(history, options), options);
}

/** Row-normalised confusion heat map with counts (see {@link confusionSpec}) as an SVG document. */
export function confusionSvg(m: ClassificationMetrics, options: ConfusionOptions = {}): Promise<string> {
  return vegaLiteToSvg(confusionSpec(m, options));
}

/** Confusion heat map as PNG bytes. */
export async function confusionPng(
  m: ClassificationMetrics,
  options: ConfusionOptions & PngOptions = {},
): Promise<Uint8Array> {
  return svgToPng(await confusionSvg(m, options), options);
}

/** Reliability diagram (see {@link reliabilitySpec}) as an SVG document. */
export function reliabilitySvg(
  bins: readonly CalibrationBin[],
  ece: number,
  options: ReliabilityOptions = {},
): Promise<string> {
  return vegaLiteToSvg(reliabilitySpec(bins, ece, options));
}

/** Reliability diagram as PNG bytes. */
export async function reliabilityPng(
  bins: readonly CalibrationBin[],
  ece: number,
  options: ReliabilityOptions & PngOptions = {},
): Promise<Uint8Array> {
  return svgToPng(await reliabilitySvg(bins, ece, options), options);
}
