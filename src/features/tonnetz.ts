import { EmovoxInputError } from '../util/errors.js';
import { isNonEmptyFeatureMatrix, type FeatureMatrix } from '../dsp/matrix.js';
import type { AudioSamples } from '../dsp/validate.js';
import { chromaStft, FLOAT32_TINY, type ChromaStftOptions } from './chroma.js';

/** Options of {@link tonnetz}: a precomputed chromagram, or chroma_stft's options to make one. */
export interface TonnetzOptions extends ChromaStftOptions {
  /**
   * A chromagram (frames x nChroma, e.g. from chromaStft); y is then ignored. Without it the
   * chroma is `chromaStft(y, sr, options)`.
   */
  chroma?: FeatureMatrix;
}

/** Names of the six tonnetz dimensions, in output order. */
export const TONNETZ_NAMES = ['fifth_x', 'fifth_y', 'minor_x', 'minor_y', 'major_x', 'major_y'] as const;

const phiCache = new Map<number, Float64Array>();

/**
 * librosa's projection of nChroma pitch classes onto the three circles (6 x nChroma):
 * `phi[p][c] = R[p] cos(pi (scale[p] * 12 c / nChroma - (p even ? 0.5 : 0)))`, with
 * scale = (7/6, 7/6, 3/2, 3/2, 2/3, 2/3) and radii R = (1, 1, 1, 1, 0.5, 0.5).
 */
function projection(nChroma: number): Float64Array {
  let phi = phiCache.get(nChroma);
  if (phi) return phi;
  const scale = [7.0 / 6, 7.0 / 6, 3.0 / 2, 3.0 / 2, 2.0 / 3, 2.0 / 3];
  const radius = [1, 1, 1, 1, 0.5, 0.5];
  phi = new Float64Array(6 * nChroma);
  const step = 12 / nChroma; // np.linspace(0, 12, nChroma, endpoint=False)
  for (let p = 0; p < 6; p++) {
    for (let c = 0; c < nChroma; c++) {
      let v = scale[p] * (c * step);
      if (p % 2 === 0) v -= 0.5; // even rows compute sin()
      phi[p * nChroma + c] = radius[p] * Math.cos(Math.PI * v);
    }
  }
  phiCache.set(nChroma, phi);
  return phi;
}

/**
 * Tonal centroid features (librosa.feature.tonnetz, Harte et al. 2006): each frame's chroma,
 * L1-normalised, projected onto the circle of fifths, the minor-third and the major-third
 * circles (x and y of each: {@link TONNETZ_NAMES}).
 *
 * librosa computes the chroma with chroma_cqt when it is not given; emovox has no constant-Q
 * transform and uses {@link chromaStft} (pass `chroma` for any other chromagram, e.g.
 * `chromaStft(null, sr, { S: |stft| })`, vector180's chroma).
 *
 * @param y mono signal (ignored when options.chroma is given).
 * @param sr sample rate in Hz. Default 22050.
 * @param options chroma (a chromagram to use), else chromaStft's options (nFft=2048,
 *   hopLength=512, tuning estimated, nChroma=12...).
 * @returns frames x 6, unitless, each in [-1, 1] (major-third rows in [-0.5, 0.5]).
 * @example
 * ```ts
 * import { loadAudio, tonnetz } from 'emovox';
 *
 * const { samples } = await loadAudio('speech.wav', { sr: 22050 });
 * const t = tonnetz(samples, 22050); // t.frames x 6: fifth_x, fifth_y, minor_x, minor_y, major_x, major_y
 * ```
 */
export function tonnetz(y: AudioSamples | null, sr = 22050, options?: TonnetzOptions): FeatureMatrix {
  const source = 'tonnetz';
  let chroma: FeatureMatrix;
  if (options?.chroma !== undefined) {
    chroma = options.chroma;
    if (!isNonEmptyFeatureMatrix(chroma))
      throw new EmovoxInputError('chroma', `must be a non-empty FeatureMatrix (${source})`);
  } else {
    if (y === null) throw new EmovoxInputError('y', `give audio or options.chroma (${source})`);
    chroma = chromaStft(y, sr, options);
  }
  const { frames, bins: nChroma, data } = chroma;
  const phi = projection(nChroma);
  const out = new Float32Array(frames * 6);
  for (let t = 0; t < frames; t++) {
    const off = t * nChroma;
    // util.normalize(chroma, norm=1) along the chroma axis, below float32's tiny left as is
    let len = 0;
    for (let c = 0; c < nChroma; c++) {
      const v = data[off + c];
      if (!Number.isFinite(v))
        throw new EmovoxInputError('chroma', `value ${off + c} is ${v}, must be finite (${source})`);
      len += Math.abs(v);
    }
    const scale = len < FLOAT32_TINY ? 1 : len;
    for (let p = 0; p < 6; p++) {
      let acc = 0;
      for (let c = 0; c < nChroma; c++) acc += phi[p * nChroma + c] * (data[off + c] / scale);
      out[t * 6 + p] = acc;
    }
  }
  return { data: out, frames, bins: 6 };
}
