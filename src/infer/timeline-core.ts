// Long audio -> a timeline of emotion segments over its speech regions. Pure: the speech
// regions and the classifier come from the caller (timeline.ts wires the file loading, the
// voice activity detectors and the onnxruntime model).
import { EmovoxInputError } from '../util/errors.js';
import { scoresFromProbabilities, type EmotionScores } from './scores.js';
import { smoothScores } from './smoothing.js';

/** Anything that scores one utterance (a {@link Recognizer} is one). */
export interface UtteranceClassifier {
  /** Class names in model order. */
  readonly labels: readonly string[];
  /** Calibrated top probability below which results are flagged low-confidence. */
  readonly lowConfidenceBelow: number;
  /**
   * Scores one utterance.
   * @param samples - mono audio in [-1, 1].
   * @param sampleRate - its rate in Hz.
   */
  classify(samples: Float32Array, sampleRate: number): Promise<EmotionScores>;
}

/** Window layout and smoothing of a timeline (seconds). */
export interface TimelineWindowOptions {
  /** Window scored as one utterance (default 3 s; the training clips are 2-4 s long). */
  window?: number;
  /** Step between windows inside a long speech region (default `window / 2`). */
  hop?: number;
  /** Speech regions shorter than this are skipped (default 0.3 s). */
  minSpeech?: number;
  /** Time constant of the smoothing across segments (default 2 s; 0 = none). */
  smoothing?: number;
}

/** A speech region found by voice activity detection, in seconds. */
export interface SpeechRegion {
  startS: number;
  endS: number;
}

/** One scored window of a timeline. `label`/`scores`/`confidence` are smoothed (when smoothing is on). */
export interface TimelineSegment extends EmotionScores {
  startS: number;
  endS: number;
  /** The window's own result before smoothing. */
  raw: EmotionScores;
}

/** What {@link buildTimeline} returns. */
export interface TimelineResult {
  /** Length of the audio, seconds. */
  durationS: number;
  /** Speech regions the detector found. */
  speech: SpeechRegion[];
  /** Scored windows in time order. */
  segments: TimelineSegment[];
  /** Windows that could not be scored (digital silence, too short), with the reason. */
  skipped: (SpeechRegion & { problem: string })[];
}

/**
 * Windows of a speech region: the whole region when it is shorter than 1.5 windows, else
 * windows of `window` every `hop` seconds, the last one ending at the region's end.
 */
export function regionWindows(region: SpeechRegion, window: number, hop: number): SpeechRegion[] {
  const length = region.endS - region.startS;
  if (length <= 1.5 * window) return [{ ...region }];
  const out: SpeechRegion[] = [];
  let start = region.startS;
  for (; start + window < region.endS - 1e-9; start += hop) out.push({ startS: start, endS: start + window });
  const last = { startS: Math.max(region.startS, region.endS - window), endS: region.endS };
  if (out.length === 0 || last.startS > out[out.length - 1].startS + 1e-9) out.push(last);
  return out;
}

/** Checks and fills {@link TimelineWindowOptions}. */
export function timelineWindowOptions(options: TimelineWindowOptions): Required<TimelineWindowOptions> {
  const window = options.window ?? 3;
  const hop = options.hop ?? window / 2;
  const minSpeech = options.minSpeech ?? 0.3;
  const smoothing = options.smoothing ?? 2;
  if (!(window >= 0.25 && window <= 60))
    throw new EmovoxInputError('window', `must be 0.25..60 seconds, got ${window}`);
  if (!(hop > 0 && hop <= window)) throw new EmovoxInputError('hop', `must be in (0, window], got ${hop}`);
  if (!(minSpeech >= 0)) throw new EmovoxInputError('minSpeech', `must be >= 0, got ${minSpeech}`);
  if (!(smoothing >= 0)) throw new EmovoxInputError('smoothing', `must be >= 0, got ${smoothing}`);
  return { window, hop, minSpeech, smoothing };
}

/**
 * Scores the speech of a long recording window by window and smooths across windows.
 * @param samples - mono audio.
 * @param sampleRate - Hz.
 * @param speech - speech regions in seconds (from a voice activity detector).
 * @param classifier - scores one window.
 * @param options - window, hop, minimum speech, smoothing.
 */
export async function buildTimeline(
  samples: Float32Array,
  sampleRate: number,
  speech: readonly SpeechRegion[],
  classifier: UtteranceClassifier,
  options: TimelineWindowOptions = {},
): Promise<TimelineResult> {
  const o = timelineWindowOptions(options);
  const durationS = samples.length / sampleRate;
  const regions = speech
    .map((r) => ({ startS: Math.max(0, r.startS), endS: Math.min(durationS, r.endS) }))
    .filter((r) => r.endS - r.startS >= Math.max(o.minSpeech, 0.05));
  const raw: { startS: number; endS: number; result: EmotionScores }[] = [];
  const skipped: TimelineResult['skipped'] = [];
  for (const region of regions) {
    for (const w of regionWindows(region, o.window, o.hop)) {
      const from = Math.round(w.startS * sampleRate);
      const to = Math.min(samples.length, Math.round(w.endS * sampleRate));
      try {
        raw.push({ ...w, result: await classifier.classify(samples.subarray(from, to), sampleRate) });
      } catch (error) {
        // One window that cannot be scored (silence with vad 'none') never loses the timeline.
        if (!(error instanceof EmovoxInputError)) throw error;
        skipped.push({ ...w, problem: error.problem });
      }
    }
  }
  const smoothed = smoothScores(
    raw.map((r) => ({ startS: r.startS, endS: r.endS, scores: r.result.scores })),
    classifier.labels,
    o.smoothing,
  );
  const segments = raw.map((r, i): TimelineSegment => ({
    startS: r.startS,
    endS: r.endS,
    ...scoresFromProbabilities(smoothed[i], classifier.labels, classifier.lowConfidenceBelow),
    raw: r.result,
  }));
  return { durationS, speech: regions, segments, skipped };
}
