import { EmovoxInputError } from '../util/errors.js';
import { frameCount, frameRms64, readFrame, type PadMode } from '../dsp/frame.js';
import { matrixToF64, type FeatureMatrix } from '../dsp/matrix.js';
import { checkAudio, checkInt, type AudioSamples } from '../dsp/validate.js';

/** Framing options of the time-domain features. */
export interface FramingOptions {
  /** Samples per frame. Default 2048. */
  frameLength?: number;
  /** Samples between frame starts. Default 512. */
  hopLength?: number;
  /** Pad `frameLength / 2` samples at both ends so frame t is centred at `t * hopLength`. Default true. */
  center?: boolean;
}

function framing(y: AudioSamples, o: FramingOptions | undefined, source: string) {
  checkAudio(y, source);
  const frameLength = o?.frameLength ?? 2048;
  const hopLength = o?.hopLength ?? 512;
  checkInt(frameLength, 'frameLength', source, 1);
  checkInt(hopLength, 'hopLength', source, 1);
  const center = o?.center ?? true;
  const frames = frameCount(y.length, frameLength, hopLength, center);
  if (frames < 1)
    throw new EmovoxInputError(
      'y',
      `audio of ${y.length} samples is shorter than frameLength ${frameLength} (${source})`,
    );
  return { frameLength, hopLength, center, frames, padLeft: center ? Math.floor(frameLength / 2) : 0 };
}

/** Options of {@link zeroCrossingRate}. */
export interface ZcrOptions extends FramingOptions {
  /** |samples| <= threshold count as zero (positive sign). Default 1e-10. */
  threshold?: number;
}

/**
 * Zero-crossing rate (librosa.feature.zero_crossing_rate): fraction of sample pairs in each
 * frame whose sign bit differs. With center=true the signal is edge-padded (repeating the end
 * samples), as librosa does for this feature.
 * @param options frameLength=2048, hopLength=512, center=true, threshold=1e-10.
 * @returns frames x 1, crossings per sample in [0, 1).
 */
export function zeroCrossingRate(y: AudioSamples, options?: ZcrOptions): FeatureMatrix {
  const source = 'zeroCrossingRate';
  const f = framing(y, options, source);
  const threshold = options?.threshold ?? 1e-10;
  const buf = new Float64Array(f.frameLength);
  const out = new Float32Array(f.frames);
  for (let t = 0; t < f.frames; t++) {
    readFrame(y, t, f.frameLength, f.hopLength, f.padLeft, 'edge', null, buf);
    let count = 0;
    let prev = Math.abs(buf[0]) <= threshold ? false : buf[0] < 0;
    for (let i = 1; i < f.frameLength; i++) {
      const v = buf[i];
      const neg = Math.abs(v) <= threshold ? false : v < 0;
      if (neg !== prev) count++;
      prev = neg;
    }
    out[t] = count / f.frameLength;
  }
  return { data: out, frames: f.frames, bins: 1 };
}

/** Options of {@link rms}. */
export interface RmsOptions extends FramingOptions {
  /** Padding for center=true. Default 'constant' (zeros). */
  padMode?: PadMode;
  /**
   * A magnitude spectrogram (frames x (1 + frameLength/2)) to compute RMS from instead of y,
   * using librosa's Parseval formula; y is then ignored.
   */
  S?: FeatureMatrix;
}

/**
 * Root-mean-square energy per frame (librosa.feature.rms): `sqrt(mean(frame^2))` on the
 * (unwindowed) zero-padded frames, or from a spectrogram S via Parseval.
 * @param options frameLength=2048, hopLength=512, center=true, padMode='constant'.
 * @returns frames x 1, in the signal's amplitude units.
 */
export function rms(y: AudioSamples | null, options?: RmsOptions): FeatureMatrix {
  const source = 'rms';
  if (options?.S) {
    const S = matrixToF64(options.S, source, false);
    const frameLength = options.frameLength ?? 2048;
    if (S.bins !== Math.floor(frameLength / 2) + 1) {
      throw new EmovoxInputError(
        'S',
        `has ${S.bins} bins; frameLength ${frameLength} needs ${Math.floor(frameLength / 2) + 1} (${source})`,
      );
    }
    const out = new Float32Array(S.frames);
    for (let t = 0; t < S.frames; t++) {
      let acc = 0;
      for (let k = 0; k < S.bins; k++) {
        let v = S.data[t * S.bins + k] ** 2;
        if (k === 0 || (k === S.bins - 1 && frameLength % 2 === 0)) v *= 0.5;
        acc += v;
      }
      out[t] = Math.sqrt((2 * acc) / frameLength ** 2);
    }
    return { data: out, frames: S.frames, bins: 1 };
  }
  const f = framing(y as AudioSamples, options, source);
  const padMode = options?.padMode ?? 'constant';
  const values = frameRms64(y as AudioSamples, f.frameLength, f.hopLength, f.center, padMode);
  return { data: Float32Array.from(values), frames: f.frames, bins: 1 };
}
