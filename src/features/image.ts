import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { powerToDbInPlace } from '../dsp/db.js';
import type { FeatureMatrix } from '../dsp/matrix.js';
import { melSpectrogram64, type MelSpectrogramOptions } from './mel.js';

/** How {@link logMelImage} makes the time axis exactly `frames` long. */
export type TimeFit = 'crop-pad' | 'resize';

/** Options of {@link logMelImage}. */
export interface LogMelImageOptions extends MelSpectrogramOptions {
  /** Output width in frames. Default 128. */
  frames?: number;
  /** Dynamic range kept below the maximum, dB. Default 80. */
  topDb?: number;
  /**
   * 'crop-pad' (default): longer inputs keep their centre `frames` frames; shorter ones are
   * padded at the end with 0 (the image minimum, i.e. silence). 'resize': the time axis is
   * linearly interpolated to `frames` columns (aligning first and last frames).
   */
  fit?: TimeFit;
}

/**
 * A fixed-size log-mel "image" for CNNs: `powerToDb(melSpectrogram, ref=max, topDb)`, scaled
 * to [0, 1] by `(dB - min) / (max - min)` over the utterance (all 0 when the input is silent
 * or constant), with the time axis fitted to `frames` columns.
 *
 * @param y mono signal.
 * @param sr sample rate in Hz.
 * @param options nMels=128, frames=128, topDb=80, fit='crop-pad', plus melSpectrogram options
 *   (nFft=2048, hopLength=512, power=2, fmin=0, fmax=sr/2, ...).
 * @returns frames x nMels matrix, values in [0, 1], row t = time step, column 0 = lowest band.
 */
export function logMelImage(
  y: Float32Array | Float64Array,
  sr: number,
  options?: LogMelImageOptions,
): FeatureMatrix {
  const source = 'logMelImage';
  const width = options?.frames ?? 128;
  if (!Number.isInteger(width) || width < 1 || width > 1 << 16)
    throw new EmovoxParameterError('frames', `must be an integer in 1..65536, got ${width} (${source})`);
  const topDb = options?.topDb ?? 80;
  const fit = options?.fit ?? 'crop-pad';
  if (fit !== 'crop-pad' && fit !== 'resize')
    throw new EmovoxParameterError('fit', `unknown fit '${String(fit)}' (${source})`);
  const mel = melSpectrogram64(y, sr, { nMels: 128, ...options }, source);
  powerToDbInPlace(mel.data, { ref: 'max', topDb });
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of mel.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  const bins = mel.bins;
  const norm = (v: number): number => (range > 0 ? (v - lo) / range : 0);
  const out = new Float32Array(width * bins);
  if (fit === 'resize') {
    for (let c = 0; c < width; c++) {
      const pos = width === 1 ? 0 : (c * (mel.frames - 1)) / (width - 1);
      const t0 = Math.floor(pos);
      const t1 = Math.min(t0 + 1, mel.frames - 1);
      const f = pos - t0;
      for (let k = 0; k < bins; k++) {
        out[c * bins + k] = norm(mel.data[t0 * bins + k] * (1 - f) + mel.data[t1 * bins + k] * f);
      }
    }
  } else {
    const start = mel.frames > width ? Math.floor((mel.frames - width) / 2) : 0;
    const n = Math.min(width, mel.frames);
    for (let c = 0; c < n; c++)
      for (let k = 0; k < bins; k++) out[c * bins + k] = norm(mel.data[(start + c) * bins + k]);
  }
  return { data: out, frames: width, bins };
}

/** Colour maps for {@link imageRgba} (and toPng). */
export type Colormap = 'gray' | 'viridis';

// viridis sampled at 9 evenly spaced points (viridisLite::viridis(9)), interpolated linearly.
const VIRIDIS_ANCHORS = [
  [0x44, 0x01, 0x54],
  [0x47, 0x2d, 0x7b],
  [0x3b, 0x52, 0x8b],
  [0x2c, 0x72, 0x8e],
  [0x21, 0x90, 0x8c],
  [0x27, 0xad, 0x81],
  [0x5d, 0xc8, 0x63],
  [0xaa, 0xdc, 0x32],
  [0xfd, 0xe7, 0x25],
];

function colour(v: number, map: Colormap): [number, number, number] {
  const x = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
  if (map === 'gray') {
    const g = Math.round(x * 255);
    return [g, g, g];
  }
  const pos = x * (VIRIDIS_ANCHORS.length - 1);
  const i = Math.min(Math.floor(pos), VIRIDIS_ANCHORS.length - 2);
  const f = pos - i;
  const a = VIRIDIS_ANCHORS[i];
  const b = VIRIDIS_ANCHORS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/** Options of {@link imageRgba}. */
export interface ImageRgbaOptions {
  /** 'gray' (default) or 'viridis' (piecewise-linear through 9 viridis colours). */
  colormap?: Colormap;
}

/** An 8-bit RGBA raster, row-major from the top row (the layout of a canvas `ImageData`). */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** `width * height * 4` bytes: R, G, B, A (always 255) per pixel. */
  readonly data: Uint8ClampedArray;
}

/**
 * Colours a [0, 1] image (e.g. from {@link logMelImage}) as 8-bit RGBA pixels: width = frames
 * (time left to right), height = bins with bin 0 (lowest frequency) at the bottom. Values
 * outside [0, 1] are clipped, NaN is drawn as 0. Pure: draw it on a canvas (`new
 * ImageData(data, width, height)`) or encode it (toPng in the Node entry).
 *
 * @param image frames x bins matrix.
 * @param options colormap='gray'.
 * @param source what error messages name: the argument (default 'image') or the file being written.
 */
export function imageRgba(image: FeatureMatrix, options?: ImageRgbaOptions, source = 'image'): RgbaImage {
  if (
    !image ||
    !(image.data instanceof Float32Array) ||
    image.data.length !== image.frames * image.bins ||
    image.frames < 1 ||
    image.bins < 1
  ) {
    throw new EmovoxInputError(source, 'image must be a non-empty FeatureMatrix');
  }
  const map = options?.colormap ?? 'gray';
  if (map !== 'gray' && map !== 'viridis')
    throw new EmovoxParameterError('colormap', `unknown colormap '${String(map)}' (${source})`);
  const data = new Uint8ClampedArray(image.frames * image.bins * 4);
  for (let row = 0; row < image.bins; row++) {
    const k = image.bins - 1 - row;
    for (let t = 0; t < image.frames; t++) {
      const [r, g, b] = colour(image.data[t * image.bins + k], map);
      const o = (row * image.frames + t) * 4;
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      data[o + 3] = 255;
    }
  }
  return { width: image.frames, height: image.bins, data };
}
