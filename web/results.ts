// What the page lets you download: the results of a file (its whole-clip recognition and its
// timeline) or of a microphone session (its segments), as JSON or CSV. Pure: no DOM.
import type { BrowserRecognition, StreamEvent, TimelineResult } from '../src/browser/index.js';

/** One scored stretch of audio in the page's results (seconds from the start of the clip or session). */
export interface ResultRow {
  /** `file`: the whole clip as one utterance; `segment`: a timeline window or a detected speech segment. */
  kind: 'file' | 'segment';
  startS: number;
  endS: number;
  label: string;
  confidence: number;
  lowConfidence: boolean;
  /** Calibrated probability of every class (sums to 1). */
  scores: Record<string, number>;
}

/** Everything the page found for one file or one microphone session. */
export interface PageResults {
  /** `file` (dropped or chosen) or `microphone`. */
  source: 'file' | 'microphone';
  /** The file's name, or `microphone`. */
  name: string;
  /** The model's name and class order. */
  model: { name: string; labels: string[] };
  /** ISO time the analysis finished. */
  createdAt: string;
  /** Length of the audio (file) or of the session so far, seconds. */
  durationS: number;
  /** The whole clip scored as one utterance (as Node's `recognize()`); files only. */
  recognition?: BrowserRecognition;
  /** Speech regions the voice activity detector found; files only. */
  speech?: { startS: number; endS: number }[];
  /** Timeline windows (files) or speech segments (microphone), in time order. */
  segments: ResultRow[];
}

function row(
  kind: ResultRow['kind'],
  startS: number,
  endS: number,
  s: BrowserRecognition | StreamEvent | TimelineResult['segments'][number],
): ResultRow {
  return {
    kind,
    startS,
    endS,
    label: s.label,
    confidence: s.confidence,
    lowConfidence: s.lowConfidence,
    scores: { ...s.scores },
  };
}

/** The results of a file: its whole-clip recognition and its timeline. */
export function fileResults(
  name: string,
  model: PageResults['model'],
  recognition: BrowserRecognition,
  timeline: TimelineResult,
  createdAt = new Date().toISOString(),
): PageResults {
  return {
    source: 'file',
    name,
    model,
    createdAt,
    durationS: recognition.durationS,
    recognition,
    speech: timeline.speech.map((r) => ({ startS: r.startS, endS: r.endS })),
    segments: timeline.segments.map((s) => row('segment', s.startS, s.endS, s)),
  };
}

/** The results of a microphone session: its completed segments (interim events are not kept). */
export function sessionResults(
  model: PageResults['model'],
  segments: StreamEvent[],
  durationS: number,
  createdAt = new Date().toISOString(),
): PageResults {
  return {
    source: 'microphone',
    name: 'microphone',
    model,
    createdAt,
    durationS,
    segments: segments.filter((e) => e.type === 'segment').map((e) => row('segment', e.startS, e.endS, e)),
  };
}

/** Pretty-printed JSON of {@link PageResults}. */
export function resultsJson(results: PageResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * CSV of {@link PageResults}: a header `source, kind, start_s, end_s, label, confidence,
 * low_confidence, p_<label>...` (labels in model order), then the whole-file row (files) and one
 * row per segment. Times have 3 decimals, probabilities 6.
 */
export function resultsCsv(results: PageResults): string {
  const labels = results.model.labels;
  const lines = [
    [
      'source',
      'kind',
      'start_s',
      'end_s',
      'label',
      'confidence',
      'low_confidence',
      ...labels.map((l) => `p_${l}`),
    ]
      .map(csvField)
      .join(','),
  ];
  const rows: ResultRow[] = [];
  if (results.recognition) rows.push(row('file', 0, results.recognition.durationS, results.recognition));
  rows.push(...results.segments);
  for (const r of rows)
    lines.push(
      [
        csvField(results.name),
        r.kind,
        r.startS.toFixed(3),
        r.endS.toFixed(3),
        csvField(r.label),
        r.confidence.toFixed(6),
        String(r.lowConfidence),
        ...labels.map((l) => (r.scores[l] ?? 0).toFixed(6)),
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}
