// Messages between the service's main thread and its inference worker threads.
import type { Recognition } from '../infer/recognizer.js';
import type { EmotionScores } from '../infer/scores.js';
import type { TimelineResult } from '../infer/timeline-core.js';

/** Voice activity detectors a timeline request may choose. */
export type TimelineVadName = 'silero' | 'energy' | 'none';

/** Timeline parameters of a request (seconds; defaults as `timeline()`). */
export interface TimelineParams {
  vad: TimelineVadName;
  window?: number;
  hop?: number;
  smoothing?: number;
  minSpeech?: number;
}

/** What the model looks like to clients (answered by a worker after loading it). */
export interface ModelFacts {
  labels: string[];
  lowConfidenceBelow: number;
  temperature: number;
  /** Sample rates the model's features use, Hz. */
  rates: number[];
}

/** A job for a worker. `model` is the resolved bundle path, fixed by the server at start. */
export type WorkerJob =
  | { kind: 'load'; model: string }
  | { kind: 'recognize'; model: string; bytes: Uint8Array; maxDuration: number }
  | { kind: 'timeline'; model: string; bytes: Uint8Array; maxDuration: number; params: TimelineParams }
  | { kind: 'classify'; model: string; samples: Float32Array; sampleRate: number };

/** Why a job failed: the input (400), its length (413), or the service itself (500). */
export type JobFailureKind = 'input' | 'too-long' | 'internal';

/** A worker's reply. */
export type WorkerReply =
  | { ok: true; kind: 'load'; facts: ModelFacts }
  | { ok: true; kind: 'recognize'; result: Recognition }
  | { ok: true; kind: 'timeline'; result: TimelineResult }
  | { ok: true; kind: 'classify'; result: EmotionScores }
  | { ok: false; failure: JobFailureKind; problem: string };
