import type { AudioSamples } from './validate.js';

/** How centre padding extends the signal: zeros (librosa's default), numpy 'reflect' or 'edge'. */
export type PadMode = 'constant' | 'reflect' | 'edge';

/**
 * Number of frames librosa produces for `n` samples with frames of `frameLength` samples every
 * `hopLength` samples; with `center` the signal is first padded by `floor(frameLength / 2)` at
 * both ends (frame t centred at sample `t * hopLength`). 0 when the signal is too short.
 */
export function frameCount(n: number, frameLength: number, hopLength: number, center: boolean): number {
  const padded = center ? n + 2 * Math.floor(frameLength / 2) : n;
  if (padded < frameLength) return 0;
  return 1 + Math.floor((padded - frameLength) / hopLength);
}

/**
 * Sample `i` of `y` extended beyond its ends by numpy.pad's mode ('constant' = zeros,
 * 'reflect' = mirror without repeating the edge sample, 'edge' = repeat the edge sample).
 */
export function paddedSample(y: AudioSamples, i: number, mode: PadMode): number {
  const n = y.length;
  if (i >= 0 && i < n) return y[i];
  if (mode === 'constant') return 0;
  if (mode === 'edge') return i < 0 ? y[0] : y[n - 1];
  if (n === 1) return y[0];
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? y[j] : period - j < n ? y[period - j] : 0;
}

/**
 * Copies frame `t` of `y` (frame t starts at padded sample `t * hopLength`, i.e. at
 * `t * hopLength - padLeft` of `y`) into `out` (length `frameLength`), multiplied by `window`
 * when given; samples outside `y` follow `padMode`.
 */
export function readFrame(
  y: AudioSamples,
  t: number,
  frameLength: number,
  hopLength: number,
  padLeft: number,
  padMode: PadMode,
  window: Float64Array | null,
  out: Float64Array | Float32Array,
): void {
  const start = t * hopLength - padLeft;
  if (start >= 0 && start + frameLength <= y.length) {
    // subarray gives each loop a monomorphic, zero-based view (measurably faster in V8)
    const src = y.subarray(start, start + frameLength);
    if (window === null) for (let i = 0; i < frameLength; i++) out[i] = src[i];
    else for (let i = 0; i < frameLength; i++) out[i] = src[i] * window[i];
  } else if (window === null) {
    for (let i = 0; i < frameLength; i++) out[i] = paddedSample(y, start + i, padMode);
  } else {
    for (let i = 0; i < frameLength; i++) out[i] = paddedSample(y, start + i, padMode) * window[i];
  }
}

/**
 * Root-mean-square of each frame, `sqrt(mean(frame^2))` over the unwindowed frames, summed in
 * float64 (librosa.feature.rms on a signal). The one RMS framing of emovox: trim/split and the
 * `rms` feature both use it.
 *
 * @param y mono signal.
 * @param frameLength samples per frame.
 * @param hopLength samples between frame starts.
 * @param center pad `floor(frameLength / 2)` samples at both ends (frame t centred at `t * hopLength`).
 * @param padMode padding used with `center`: 'constant' (zeros, librosa's default), 'reflect' or 'edge'.
 * @returns one RMS value per frame (`frameCount(y.length, frameLength, hopLength, center)` frames),
 *   in the signal's amplitude units.
 */
export function frameRms64(
  y: AudioSamples,
  frameLength: number,
  hopLength: number,
  center: boolean,
  padMode: PadMode,
): Float64Array {
  const frames = frameCount(y.length, frameLength, hopLength, center);
  const padLeft = center ? Math.floor(frameLength / 2) : 0;
  const out = new Float64Array(frames);
  const buf = new Float64Array(frameLength);
  for (let t = 0; t < frames; t++) {
    readFrame(y, t, frameLength, hopLength, padLeft, padMode, null, buf);
    let acc = 0;
    for (let i = 0; i < frameLength; i++) acc += buf[i] * buf[i];
    out[t] = Math.sqrt(acc / frameLength);
  }
  return out;
}
