import { EmovoxParameterError } from '../util/errors.js';
import { dctCepstrum } from '../dsp/dct.js';
import { realFft } from '../dsp/fft.js';
import { frameCount, readFrame } from '../dsp/frame.js';
import { pffftPlan } from '../dsp/pffft.js';
import { resolveStft, type StftParams } from '../dsp/stft.js';
import { unwindowedSpectra } from '../dsp/unwindowed-frames.js';
import { checkAudio, type AudioSamples } from '../dsp/validate.js';
import { cosineWindow, fftWindow } from '../dsp/window.js';
import { chromaFrame, FLOAT32_TINY, PiptrackPeaks } from './chroma.js';
import {
  cachedChromaBank,
  sparseMelFilterbank,
  type BinPairs,
  type ChromaBank,
  type SparseFilterbank,
} from './filters.js';
import { ChromaKernelRun } from './wasm/chroma-kernel.js';
import type { NamedVector } from './functionals.js';
import { rowToDb } from './mel.js';

/** Pitch-class names of the chroma bins (baseC: C first). */
export const CHROMA_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** Names of {@link vector180}'s values, in order: `mfcc0_mean`.., `chroma_C_mean`.., `mel0_mean`... */
export const VECTOR180_NAMES: readonly string[] = Object.freeze([
  ...Array.from({ length: 40 }, (_, k) => `mfcc${k}_mean`),
  ...CHROMA_NAMES.map((c) => `chroma_${c}_mean`),
  ...Array.from({ length: 128 }, (_, m) => `mel${m}_mean`),
]);

/** The only rate {@link vector180} accepts: the rate its librosa recipe assumes. */
export const VECTOR180_SAMPLE_RATE = 22050;

/**
 * The classic 180-value utterance vector of 1D-CNN speech-emotion recipes, computed as their
 * librosa code does at 22 050 Hz with librosa defaults (nFft 2048, hopLength 512, Hann,
 * center=true, zero padding):
 * - 40 values: time means of `mfcc(y, sr, nMfcc=40)` (names `mfcc0_mean` .. `mfcc39_mean`);
 * - 12 values: time means of `chroma_stft(S=|stft(y)|, sr)` (magnitude spectrogram, tuning
 *   estimated as librosa does; names `chroma_C_mean` .. `chroma_B_mean`);
 * - 128 values: time means of `melspectrogram(y, sr)` in power units, not dB
 *   (names `mel0_mean` .. `mel127_mean`).
 *
 * @param y mono signal **already at 22 050 Hz**: resample first (src/audio `resample`);
 *   any other rate throws EmovoxInputError rather than silently changing the features.
 * @param sr sample rate in Hz; must be 22050.
 */
export function vector180(y: AudioSamples, sr: number): NamedVector {
  const source = 'vector180';
  if (sr !== VECTOR180_SAMPLE_RATE) {
    throw new EmovoxParameterError(
      'sr',
      `vector180 expects audio at ${VECTOR180_SAMPLE_RATE} Hz, got ${sr} Hz: resample first`,
    );
  }
  checkAudio(y, source);
  const p = resolveStft({ nFft: 2048, hopLength: 512 }, source);
  const frames = frameCount(y.length, p.nFft, p.hopLength, p.center);
  const bins = (p.nFft >> 1) + 1;
  const fb = sparseMelFilterbank(sr, p.nFft);
  const rows = fb.rows;
  // One pass over the frames computes everything but chroma, whose filterbank depends on the
  // tuning estimated from all frames: |X| is kept for a second, chroma-only pass.
  const pass = spectrumPass(y, p, frames, fb);
  const { mag, logMel } = pass;
  const melSum = new Float64Array(rows);
  const peaks = peakCollector(sr, bins);
  let dbMax = -Infinity;
  for (let t = 0; t < frames; t++) {
    // |X|^2 into power, |X| into row t of mag, the largest |X|^2 back; then row t of the mel bank
    const maxPower = pass.frame(t);
    const melOff = t * rows;
    for (let m = 0; m < rows; m++) melSum[m] += logMel[melOff + m];
    // power_to_db(ref=1, amin=1e-10) in place; the top_db clip needs dbMax (applied in the DCT)
    dbMax = rowToDb(logMel, melOff, rows, dbMax);
    peaks.addFrame(mag, t * bins, Math.sqrt(maxPower));
  }
  const values = new Float32Array(180);
  const cep = dctCepstrum({ data: logMel, frames, bins: rows }, 40, 0, source, dbMax - 80);
  for (let k = 0; k < 40; k++) {
    let acc = 0;
    for (let t = 0; t < frames; t++) acc += cep.data[t * 40 + k];
    values[k] = acc / frames;
  }
  // chroma_stft(S=|X|, sr): tuning from piptrack's peaks, then the filterbank and max-normalised
  // frames rounded to float32 (chroma_stft's output type) before the mean
  const bank = cachedChromaBank(sr, p.nFft, { nChroma: 12, tuning: peaks.tuning(0.01, 12) });
  const chroma = pass.chroma(bank);
  const chromaSum = new Float64Array(12);
  for (let t = 0; t < frames; t++) {
    let len = 0;
    for (let c = 0; c < 12; c++) len = Math.max(len, Math.abs(chroma[t * 12 + c]));
    const scale = len < FLOAT32_TINY ? 1 : len;
    for (let c = 0; c < 12; c++) chromaSum[c] += Math.fround(chroma[t * 12 + c] / scale);
  }
  for (let c = 0; c < 12; c++) {
    values[40 + c] = chromaSum[c] / frames;
  }
  for (let m = 0; m < rows; m++) {
    values[52 + m] = melSum[m] / frames;
  }
  return { values, names: [...VECTOR180_NAMES] };
}

/**
 * One frame of the mel bank in one pass over the bins (bin-pair form): the running sums of the
 * two filters a bin feeds are carried from run to run, so each filter's sum is formed in bin
 * order exactly as a filter-by-filter loop forms it (the same bits; zero weights add exact
 * zeros), with two independent sums in flight instead of one.
 */
function melRow(pairs: BinPairs, power: Float64Array, out: Float64Array, off: number, rows: number): void {
  const { first, index, lower, upper, segStart } = pairs;
  out.fill(0, off, off + rows); // filters without bins stay 0
  const runs = segStart.length - 1;
  let current = index[0];
  let lo = 0; // filter `current`, the lower member of the pair
  let hi = 0; // filter `current + 1`
  for (let r = 0; r < runs; r++) {
    const a = segStart[r];
    const b = segStart[r + 1];
    const m = index[a];
    if (m !== current) {
      out[off + current] = lo;
      if (m === current + 1) lo = hi;
      else {
        out[off + current + 1] = hi;
        lo = 0;
      }
      hi = 0;
      current = m;
    }
    for (let j = a; j < b; j++) {
      const s = power[first + j];
      lo += lower[j] * s;
      hi += upper[j] * s;
    }
  }
  out[off + current] = lo;
  out[off + current + 1] = hi;
}

/**
 * The per-bin work of vector180: `frame(t)` writes |X_t|^2 (bins 0..nFft/2, float64) into
 * `power`, |X_t| into row t of `mag` and the mel bank of that power into row t of `logMel`, and
 * returns the largest |X_t|^2; `chroma(bank)` returns the raw chroma (frames x 12) of all of
 * `mag`.
 */
interface SpectrumPass {
  readonly power: Float64Array;
  readonly mag: Float64Array;
  readonly logMel: Float64Array;
  frame(t: number): number;
  chroma(bank: ChromaBank): Float64Array;
}

/**
 * The {@link SpectrumPass} of `y`: from the float32 PFFFT with the Hann window applied in the
 * spectrum when PFFFT is loaded (as librosa's complex64 STFT; windowedPower's arithmetic), else
 * from fft.js in float64; the per-bin float64 work in the WebAssembly kernel when it loads, else
 * in JavaScript (the same operations in the same order: the same bits).
 */
function spectrumPass(y: AudioSamples, p: StftParams, frames: number, fb: SparseFilterbank): SpectrumPass {
  const bins = (p.nFft >> 1) + 1;
  const rows = fb.rows;
  const plan = pffftPlan(p.nFft);
  const cosine = cosineWindow(p.window, p.winLength, p.nFft);
  if (plan !== null && cosine !== null) {
    const spectrumOf = unwindowedSpectra(plan, y, p);
    const a0 = cosine[0];
    const c = cosine[1] / 2;
    const run = fb.pairs === null ? null : ChromaKernelRun.create(p.nFft, frames, fb.pairs, rows);
    if (run !== null) {
      return {
        power: run.power,
        mag: run.mag,
        logMel: run.logMel,
        frame(t) {
          const max = run.frame(t, spectrumOf(t), a0, c);
          run.mel(t);
          return max;
        },
        chroma: (bank) => run.chroma(bank.wT),
      };
    }
    const power = new Float64Array(bins);
    const mag = scratch(frames * bins);
    const logMel = scratchLogMel(frames * rows);
    return {
      power,
      mag,
      logMel,
      frame(t) {
        const zx = spectrumOf(t);
        const magOff = t * bins;
        let max = 0;
        for (let k = 0; k < bins; k++) {
          const i = 2 * k + 4;
          const re = a0 * zx[i] - c * (zx[i - 2] + zx[i + 2]);
          const im = a0 * zx[i + 1] - c * (zx[i - 1] + zx[i + 3]);
          const v = re * re + im * im;
          power[k] = v;
          mag[magOff + k] = Math.sqrt(v);
          if (v > max) max = v;
        }
        melOf(fb, power, logMel, t * rows);
        return max;
      },
      chroma: (bank) => chromaOf(bank, mag, frames, bins),
    };
  }
  const window = fftWindow(p.window, p.winLength, p.nFft);
  const fft = realFft(p.nFft);
  const frame = new Float64Array(p.nFft);
  const padLeft = p.center ? Math.floor(p.nFft / 2) : 0;
  const power = new Float64Array(bins);
  const mag = scratch(frames * bins);
  const logMel = scratchLogMel(frames * rows);
  return {
    power,
    mag,
    logMel,
    frame(t) {
      readFrame(y, t, p.nFft, p.hopLength, padLeft, p.padMode, window, frame);
      const z = fft.forwardInterleaved(frame);
      const magOff = t * bins;
      let max = 0;
      for (let k = 0; k < bins; k++) {
        const v = z[2 * k] * z[2 * k] + z[2 * k + 1] * z[2 * k + 1];
        power[k] = v;
        mag[magOff + k] = Math.sqrt(v);
        if (v > max) max = v;
      }
      melOf(fb, power, logMel, t * rows);
      return max;
    },
    chroma: (bank) => chromaOf(bank, mag, frames, bins),
  };
}

/** The float64 mel bank of one power row into `out` from `off` (every filter written). */
function melOf(fb: SparseFilterbank, power: Float64Array, out: Float64Array, off: number): void {
  if (fb.pairs !== null) {
    melRow(fb.pairs, power, out, off, fb.rows);
    return;
  }
  for (let m = 0; m < fb.rows; m++) {
    let acc = 0;
    const o = fb.offset[m];
    const s0 = fb.start[m];
    for (let j = 0; j < fb.length[m]; j++) acc += fb.weights[o + j] * power[s0 + j];
    out[off + m] = acc;
  }
}

/** Raw chroma (frames x rows) of the magnitude rows in `mag`, in JavaScript. */
function chromaOf(bank: ChromaBank, mag: Float64Array, frames: number, bins: number): Float64Array {
  const out = new Float64Array(frames * bank.rows);
  for (let t = 0; t < frames; t++) chromaFrame(bank, mag, t * bins, out, t * bank.rows);
  return out;
}

let collector: PiptrackPeaks | null = null;

/** A reset PiptrackPeaks for (sr, bins) with librosa's defaults, reused across calls. */
function peakCollector(sr: number, bins: number): PiptrackPeaks {
  if (collector === null || collector.sampleRate !== sr || collector.binCount !== bins)
    collector = new PiptrackPeaks(sr, bins);
  collector.reset();
  return collector;
}

let logMelBuffer = new Float64Array(0);

/** A reusable float64 buffer of at least `n` values for the log-mel rows (not zeroed). */
function scratchLogMel(n: number): Float64Array {
  if (logMelBuffer.length < n) logMelBuffer = new Float64Array(Math.max(n, 2 * logMelBuffer.length));
  return logMelBuffer;
}

let scratchBuffer = new Float64Array(0);

/**
 * A reusable float64 buffer of at least `n` values (vector180 is synchronous and not
 * re-entrant, so one buffer serves every call; it is not zeroed).
 */
function scratch(n: number): Float64Array {
  if (scratchBuffer.length < n) scratchBuffer = new Float64Array(Math.max(n, 2 * scratchBuffer.length));
  return scratchBuffer;
}
