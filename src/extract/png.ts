// Node-only PNG output of feature images: pngjs needs Node's zlib, so it stays out of features/.
import { PNG } from 'pngjs';
import { imageRgba, type ImageRgbaOptions } from '../features/image.js';
import type { FeatureMatrix } from '../dsp/matrix.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

/** Options of {@link toPng}. */
export type ToPngOptions = ImageRgbaOptions;

/**
 * Encodes a [0, 1] image (e.g. from logMelImage) as an 8-bit RGB PNG: width = frames (time
 * left to right), height = bins with bin 0 (lowest frequency) at the bottom. Values outside
 * [0, 1] are clipped, NaN is drawn as 0 (the pixels of `imageRgba`).
 *
 * @param image frames x bins matrix.
 * @param path when given, the PNG is also written to this file, atomically (a failed write throws
 *   EmovoxInputError naming the path and leaves no partial file).
 * @param options colormap='gray' ('viridis' also available).
 * @returns the PNG bytes.
 */
export function toPng(image: FeatureMatrix, path?: string, options?: ToPngOptions): Buffer {
  const source = path ?? 'toPng';
  const rgba = imageRgba(image, options, source);
  const png = new PNG({ width: rgba.width, height: rgba.height, colorType: 2, inputHasAlpha: false });
  // pngjs expects RGBA in its buffer even when writing RGB
  png.data.set(rgba.data);
  const bytes = PNG.sync.write(png, { colorType: 2 });
  // throws EmovoxInputError(path, ...) on failure, leaving any previous file intact
  if (path !== undefined) writeFileAtomicSync(path, bytes);
  return bytes;
}
