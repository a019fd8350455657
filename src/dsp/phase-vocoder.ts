import { EmovoxParameterError } from '../util/errors.js';
import type { ComplexSpectrogram64 } from './stft.js';

/**
 * Phase vocoder (librosa.phase_vocoder): reads the spectrogram at fractional frame positions
 * 0, rate, 2 rate, ..., interpolating magnitudes linearly and accumulating phase with the
 * measured instantaneous frequency of each bin. rate > 1 speeds up (fewer frames).
 *
 * @param spec complex float64 STFT (frames x bins), e.g. from stft64.
 * @param rate speed-up factor, > 0.
 * @param hopLength hop of `spec` in samples (sets the expected phase advance per frame).
 * @returns `ceil(frames / rate)` frames of the same bins.
 */
export function phaseVocoder(
  spec: ComplexSpectrogram64,
  rate: number,
  hopLength: number,
): ComplexSpectrogram64 {
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new EmovoxParameterError('rate', `must be a finite number > 0, got ${rate}`);
  if (!Number.isInteger(hopLength) || hopLength < 1)
    throw new EmovoxParameterError('hopLength', `must be a positive integer, got ${hopLength}`);
  const { frames, bins } = spec;
  const hop = hopLength;
  const steps = Math.ceil(frames / rate - 1e-12);
  const outFrames = Array.from({ length: steps }, (_, t) => t * rate).filter((s) => s < frames).length;
  const re = new Float64Array(outFrames * bins);
  const im = new Float64Array(outFrames * bins);
  // Magnitudes and phases once per input frame, plus librosa's two zero frames of padding.
  const magAll = new Float64Array((frames + 2) * bins);
  const angAll = new Float64Array((frames + 2) * bins);
  for (let i = 0; i < frames * bins; i++) {
    magAll[i] = Math.hypot(spec.re[i], spec.im[i]);
    angAll[i] = Math.atan2(spec.im[i], spec.re[i]);
  }
  const advance = Float64Array.from({ length: bins }, (_, k) =>
    bins > 1 ? (Math.PI * hop * k) / (bins - 1) : 0,
  );
  const acc = angAll.slice(0, bins);
  for (let t = 0; t < outFrames; t++) {
    const step = t * rate;
    const i = Math.floor(step);
    const alpha = step - i;
    for (let k = 0; k < bins; k++) {
      const a = i * bins + k;
      const b = a + bins;
      const m = (1 - alpha) * magAll[a] + alpha * magAll[b];
      re[t * bins + k] = m * Math.cos(acc[k]);
      im[t * bins + k] = m * Math.sin(acc[k]);
      let dphase = angAll[b] - angAll[a] - advance[k];
      dphase -= 2 * Math.PI * Math.round(dphase / (2 * Math.PI));
      acc[k] += advance[k] + dphase;
    }
  }
  return { re, im, frames: outFrames, bins };
}
