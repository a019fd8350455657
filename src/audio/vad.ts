import { EmovoxParameterError } from '../util/errors.js';

/** Options of {@link detectVoice}. Times in milliseconds, levels in dB. */
export interface VoiceActivityOptions {
  /** Analysis frame length. Default 30 ms. */
  frameMs?: number;
  /** Hop between frames. Default 10 ms. */
  hopMs?: number;
  /** A frame is speech when its energy exceeds the noise floor by this much. Default 12 dB. */
  thresholdDb?: number;
  /** ...and is within this much of the loudest frame (guards against digital silence floors). Default 50 dB. */
  rangeDb?: number;
  /** Percentile of frame energies taken as the noise floor. Default 10. */
  floorPercentile?: number;
  /** Pauses shorter than this inside speech are bridged. Default 200 ms. */
  minSilenceMs?: number;
  /** Speech segments shorter than this (after bridging) are dropped. Default 100 ms. */
  minSpeechMs?: number;
  /** Each kept segment is widened by this on both sides (clipped to the signal). Default 30 ms. */
  padMs?: number;
}

/** One detected speech segment: samples [start, end) and the same in seconds. */
export interface VoiceSegment {
  start: number;
  end: number;
  startS: number;
  endS: number;
}

/**
 * Energy-based voice activity detection. It finds **loud regions**, not speech as such: frame
 * energies (mean square, dB) are compared with an adaptive threshold
 * max(noise floor + thresholdDb, loudest - rangeDb), where the noise floor is a low percentile of
 * the frame energies; short pauses are bridged, short blips dropped, segments padded. Works for
 * speech over stationary background noise at moderate SNR (>= ~10 dB); loud non-speech sounds
 * (music, clicks, babble) count as voice. Use it to drop leading/trailing silence and long pauses.
 *
 * @param y - mono signal.
 * @param sr - its sample rate in Hz.
 * @param options - see {@link VoiceActivityOptions}.
 * @returns speech segments in order (empty when nothing rises above the floor).
 */
export function detectVoice(y: Float32Array, sr: number, options: VoiceActivityOptions = {}): VoiceSegment[] {
  const {
    frameMs = 30,
    hopMs = 10,
    thresholdDb = 12,
    rangeDb = 50,
    floorPercentile = 10,
    minSilenceMs = 200,
    minSpeechMs = 100,
    padMs = 30,
  } = options;
  if (!(sr > 0)) throw new EmovoxParameterError('sr', `invalid sample rate ${sr} (detectVoice)`);
  const frame = Math.max(1, Math.round((frameMs * sr) / 1000));
  const hop = Math.max(1, Math.round((hopMs * sr) / 1000));
  if (y.length === 0) return [];
  const frames = y.length <= frame ? 1 : 1 + Math.ceil((y.length - frame) / hop);
  const db = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const from = t * hop;
    const to = Math.min(y.length, from + frame);
    let sum = 0;
    for (let i = from; i < to; i++) sum += y[i] * y[i];
    db[t] = 10 * Math.log10(Math.max(1e-12, sum / Math.max(1, to - from)));
  }
  const sorted = Float64Array.from(db).sort();
  const floor = sorted[Math.min(frames - 1, Math.floor((floorPercentile / 100) * frames))];
  const loudest = sorted[frames - 1];
  const threshold = Math.max(floor + thresholdDb, loudest - rangeDb);
  // Runs of speech frames as [firstFrame, lastFrame].
  let runs: Array<[number, number]> = [];
  for (let t = 0; t < frames; t++) {
    if (db[t] <= threshold) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === t - 1) last[1] = t;
    else runs.push([t, t]);
  }
  const toSample = (t: number) => t * hop;
  const endSample = (t: number) => Math.min(y.length, t * hop + frame);
  const minGap = (minSilenceMs * sr) / 1000;
  const bridged: Array<[number, number]> = [];
  for (const [a, b] of runs.map(([a, b]) => [toSample(a), endSample(b)] as [number, number])) {
    const last = bridged[bridged.length - 1];
    if (last && a - last[1] < minGap) last[1] = Math.max(last[1], b);
    else bridged.push([a, b]);
  }
  runs = bridged.filter(([a, b]) => b - a >= (minSpeechMs * sr) / 1000);
  const pad = Math.round((padMs * sr) / 1000);
  const out: VoiceSegment[] = [];
  for (const [a, b] of runs) {
    const start = Math.max(0, a - pad);
    const end = Math.min(y.length, b + pad);
    const last = out[out.length - 1];
    if (last && start <= last.end) {
      last.end = end;
      last.endS = end / sr;
    } else out.push({ start, end, startS: start / sr, endS: end / sr });
  }
  return out;
}
