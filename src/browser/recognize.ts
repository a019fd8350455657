// The browser's counterparts of recognize(), timeline() and createStreamingRecognizer(): the
// same pure building blocks (front end, calibration, voice activity segmenter, timeline windows,
// stream) with onnxruntime-web underneath. Everything is loaded from URLs or bytes the page
// provides, from its own origin.
import { resample } from '../audio/resample.js';
import { detectVoice } from '../audio/vad.js';
import { loadPffft, type PffftWasm } from '../dsp/pffft.js';
import { configureOrtWeb, WebRecognizer, WebSileroVad, type OrtWebSetup } from '../infer/session-web.js';
import type { EmotionScores } from '../infer/scores.js';
import { StreamingRecognizer, type StreamingOptions } from '../infer/stream.js';
import {
  buildTimeline,
  type SpeechRegion,
  type TimelineResult,
  type TimelineWindowOptions,
} from '../infer/timeline-core.js';
import { EnergyFrameVad, segmentWithFrameVad, type FrameVad, type SegmenterOptions } from '../infer/vad.js';

/** Where the browser runtime's WebAssembly comes from. */
export interface BrowserRuntimeSetup {
  /** onnxruntime-web's `ort-wasm-simd-threaded.wasm`: URL (file or folder ending in `/`) or bytes. */
  ortWasm: OrtWebSetup['wasm'];
  /**
   * PFFFT's `pffft.wasm` (SIMD build of @echogarden/pffft-wasm): URL, bytes or module. Node
   * computes MFCCs with it; without it the browser uses fft.js (float64), whose values differ
   * from Node's by float32 rounding. Pass `null` to skip it.
   */
  pffftWasm: PffftWasm | string | URL | null;
  /** onnxruntime-web threads (default 1). */
  threads?: number;
}

/**
 * Prepares the WebAssembly pieces (PFFFT for the features, onnxruntime-web for the models).
 * @returns whether PFFFT is in use (false: fft.js).
 */
export async function setupBrowserRuntime(setup: BrowserRuntimeSetup): Promise<{ pffft: boolean }> {
  configureOrtWeb({ wasm: setup.ortWasm, threads: setup.threads ?? 1 });
  const pffft = setup.pffftWasm === null ? false : await loadPffft(setup.pffftWasm);
  return { pffft };
}

/** The result of {@link recognizeSamples}: as Node's `recognize()`. */
export interface BrowserRecognition extends EmotionScores {
  /** Length of the audio, seconds. */
  durationS: number;
}

/**
 * One utterance, as Node's `recognize()` scores it.
 * @param samples - mono audio in [-1, 1] at `sampleRate` (Hz, any).
 */
export async function recognizeSamples(
  recognizer: WebRecognizer,
  samples: Float32Array,
  sampleRate: number,
): Promise<BrowserRecognition> {
  const result = await recognizer.classify(samples, sampleRate);
  return { ...result, durationS: samples.length / sampleRate };
}

/** Voice activity detection for {@link timelineSamples}: a Silero (or any) frame scorer, `energy`, or `none`. */
export type BrowserVad = FrameVad | 'energy' | 'none';

/**
 * Speech regions, as Node's `detectSpeech()` finds them: a frame scorer sees the audio
 * resampled to its rate (medium quality) through the same segmenter with segments up to an hour;
 * `energy` is `detectVoice`; `none` is the whole signal.
 */
export async function detectSpeechSamples(
  samples: Float32Array,
  sampleRate: number,
  vad: BrowserVad,
  segmenter: SegmenterOptions = {},
): Promise<SpeechRegion[]> {
  if (vad === 'none') return samples.length > 0 ? [{ startS: 0, endS: samples.length / sampleRate }] : [];
  if (vad === 'energy')
    return detectVoice(samples, sampleRate).map((s) => ({ startS: s.startS, endS: s.endS }));
  const y =
    sampleRate === vad.rate ? samples : resample(samples, sampleRate, vad.rate, { quality: 'medium' });
  try {
    return await segmentWithFrameVad(y, vad, { maxSegmentMs: 3_600_000, ...segmenter });
  } finally {
    vad.reset();
  }
}

/**
 * Emotion over time in long audio, as Node's `timeline()`.
 * @param options - window layout and smoothing (defaults as `timeline()`: 3 s windows, hop 1.5 s,
 *   smoothing 2 s) and the detector.
 */
export async function timelineSamples(
  recognizer: WebRecognizer,
  samples: Float32Array,
  sampleRate: number,
  options: TimelineWindowOptions & { vad: BrowserVad },
): Promise<TimelineResult> {
  const speech = await detectSpeechSamples(samples, sampleRate, options.vad);
  return buildTimeline(samples, sampleRate, speech, recognizer, options);
}

/** Options of {@link createBrowserStream}. */
export interface BrowserStreamOptions extends Omit<StreamingOptions, 'classifier' | 'vad'> {
  recognizer: WebRecognizer;
  /** A Silero scorer ({@link WebSileroVad}) or `energy`. */
  vad: WebSileroVad | 'energy';
}

/** A live recogniser in the browser (see Node's `createStreamingRecognizer`). */
export function createBrowserStream(options: BrowserStreamOptions): StreamingRecognizer {
  const { recognizer, vad, ...rest } = options;
  return new StreamingRecognizer({
    ...rest,
    classifier: recognizer,
    vad: vad === 'energy' ? new EnergyFrameVad() : vad,
  });
}
