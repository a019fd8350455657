// One file through a recogniser (used by predictFiles on the calling thread and by its workers).
import { loadAudio } from '../audio/load.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { detectSpeech, Recognizer } from './recognizer.js';
import { scoresFromProbabilities } from './scores.js';
import { buildTimeline } from './timeline-core.js';
import type { PredictRequest, PredictResponse } from './predict-worker.js';

/**
 * Loads one file and scores it (whole file, or a timeline of its speech).
 * @returns the prediction, or the problem that stopped it (never throws for a bad file).
 */
export async function predictOne(request: PredictRequest, recognizer: Recognizer): Promise<PredictResponse> {
  const { index, file } = request;
  try {
    const audio = await loadAudio(file, { mono: true, maxDuration: request.maxDuration });
    const durationS = audio.samples.length / audio.sampleRate;
    if (!request.timeline) {
      const r = await recognizer.classify(audio.samples, audio.sampleRate, '', file);
      return { index, ok: true, prediction: { ...r, durationS } };
    }
    const speech = await detectSpeech(audio.samples, audio.sampleRate, request.timeline.vad ?? 'silero');
    const tl = await buildTimeline(audio.samples, audio.sampleRate, speech, recognizer, request.timeline);
    // The file's own label: duration-weighted mean of its windows' (smoothed) probabilities,
    // or the whole file when no speech was found.
    let overall;
    if (tl.segments.length === 0)
      overall = await recognizer.classify(audio.samples, audio.sampleRate, '', file);
    else {
      const sums: Record<string, number> = {};
      for (const s of tl.segments)
        for (const l of recognizer.labels) sums[l] = (sums[l] ?? 0) + (s.endS - s.startS) * s.scores[l];
      overall = scoresFromProbabilities(sums, recognizer.labels, recognizer.lowConfidenceBelow);
    }
    return {
      index,
      ok: true,
      prediction: {
        ...overall,
        durationS,
        segments: tl.segments.map((s) => ({
          startS: s.startS,
          endS: s.endS,
          label: s.label,
          scores: s.scores,
          confidence: s.confidence,
          lowConfidence: s.lowConfidence,
        })),
      },
    };
  } catch (error) {
    const problem =
      error instanceof EmovoxInputError
        ? error.source === file
          ? error.problem
          : error.message
        : errorMessage(error);
    return { index, ok: false, problem };
  }
}
