// Live recognition: PCM chunks of any size in, an event each time a speech segment ends (and,
// optionally, every N ms inside long segments) out, in constant memory over hours. Pure: the
// classifier and the frame scorer are injected (createStreamingRecognizer in recognizer.ts
// wires the bundled model and Silero / energy VAD through onnxruntime-node).
import { EmovoxInputError } from '../util/errors.js';
import { scoresFromProbabilities, type EmotionScores } from './scores.js';
import { ScoreSmoother } from './smoothing.js';
import { StreamResampler } from './stream-resampler.js';
import type { UtteranceClassifier } from './timeline-core.js';
import { SpeechSegmenter, type FrameVad, type SegmenterOptions } from './vad.js';

/** One result of a stream. Times are seconds from the start of the stream. */
export interface StreamEvent extends EmotionScores {
  /** `segment`: a speech segment ended; `interim`: the latest window of a segment still going on. */
  type: 'segment' | 'interim';
  startS: number;
  endS: number;
  durationS: number;
  /** Segments: why it ended (a pause, the length cap, the end of the input). */
  reason?: 'pause' | 'max-length' | 'end';
  /** Segments: probabilities smoothed over the stream's recent segments (causal). */
  smoothed?: EmotionScores;
  /** A segment the classifier could not score (e.g. too short after trimming): why. */
  problem?: string;
}

/** Options of {@link StreamingRecognizer}. Segmenter times are milliseconds. */
export interface StreamingOptions extends SegmenterOptions {
  /** Rate of the pushed audio, Hz (any; the detector gets it resampled). */
  sampleRate: number;
  /** Scores utterances. */
  classifier: UtteranceClassifier;
  /** Frame scorer for voice activity. */
  vad: FrameVad;
  /** Emit an interim event every this many ms inside a segment (default 0 = never). */
  interimMs?: number;
  /** Interim events score the last this many seconds of the segment (default 3). */
  interimWindowS?: number;
  /** Time constant of the causal smoothing across segments, seconds (default 4; 0 = none). */
  smoothingS?: number;
}

/** Counts of a stream so far. */
export interface StreamSummary {
  /** Audio received, seconds. */
  durationS: number;
  /** Total length of the scored speech segments, seconds. */
  speechS: number;
  /** Speech segments scored. */
  segments: number;
  /** Segments and their seconds per label (labels without segments are included, with 0). */
  labels: Record<string, { segments: number; seconds: number }>;
  /** The label with the most speech seconds (undefined before the first segment). */
  dominant?: string;
  /** Segments flagged low-confidence. */
  lowConfidence: number;
}

/**
 * A streaming emotion recogniser. Feed it with {@link push}; every returned event belongs to
 * audio already pushed. Memory is bounded by `maxSegmentMs` (+ pads) of audio at the input
 * rate, whatever the stream's length. Calls are serialised: `push` may be called again before
 * the previous promise settles.
 */
export class StreamingRecognizer {
  private readonly rate: number;
  private readonly resampler: StreamResampler;
  private readonly segmenter: SpeechSegmenter;
  private readonly frameS: number;
  private readonly frame: Float32Array;
  private frameFill = 0;
  /** Input-rate ring buffer of the most recent audio. */
  private readonly ring: Float32Array;
  /** Input samples received (absolute index of the next sample). */
  private received = 0;
  private readonly interimFrames: number;
  private lastInterimFrame = -1;
  private readonly smoother: ScoreSmoother;
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;
  private readonly counts: StreamSummary;

  constructor(readonly options: StreamingOptions) {
    const rate = options.sampleRate;
    if (!Number.isInteger(rate) || rate < 1000 || rate > 384000)
      throw new EmovoxInputError('sampleRate', `must be an integer in 1000..384000 Hz, got ${rate}`);
    this.rate = rate;
    const vad = options.vad;
    this.resampler = new StreamResampler(rate, vad.rate);
    this.frameS = vad.frameSamples / vad.rate;
    this.frame = new Float32Array(vad.frameSamples);
    const maxSegmentMs = options.maxSegmentMs ?? 10000;
    if (!(maxSegmentMs >= 500 && maxSegmentMs <= 120000))
      throw new EmovoxInputError('maxSegmentMs', `must be 500..120000 ms, got ${maxSegmentMs}`);
    this.segmenter = new SpeechSegmenter(1000 * this.frameS, options);
    // The longest stretch ever read back: a segment (<= maxSegmentMs), its pads, the detector's
    // frame and resampler delay, plus a second of slack.
    const keepS =
      maxSegmentMs / 1000 + ((options.prePadMs ?? 150) + (options.redemptionMs ?? 400)) / 1000 + 2;
    this.ring = new Float32Array(Math.ceil(keepS * rate));
    const interimMs = options.interimMs ?? 0;
    if (!(interimMs >= 0)) throw new EmovoxInputError('interimMs', `must be >= 0, got ${interimMs}`);
    this.interimFrames = interimMs > 0 ? Math.max(1, Math.round(interimMs / 1000 / this.frameS)) : 0;
    this.smoother = new ScoreSmoother(options.classifier.labels, options.smoothingS ?? 4);
    this.counts = {
      durationS: 0,
      speechS: 0,
      segments: 0,
      labels: Object.fromEntries(options.classifier.labels.map((l) => [l, { segments: 0, seconds: 0 }])),
      lowConfidence: 0,
    };
    vad.reset();
  }

  /**
   * Feeds mono audio at the stream's rate.
   * @param chunk - samples in [-1, 1], any length (0 included).
   * @returns the events this audio completed, in time order.
   * @throws EmovoxInputError after {@link end}, or for non-finite samples.
   */
  push(chunk: Float32Array): Promise<StreamEvent[]> {
    if (this.ended) return Promise.reject(new EmovoxInputError('stream', 'push after end()'));
    const copy = chunk.slice();
    const run = this.queue.then(() => this.process(copy));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the stream: closes the open segment and returns its event(s). Idempotent. */
  end(): Promise<StreamEvent[]> {
    const run = this.queue.then(async () => {
      if (this.ended) return [];
      this.ended = true;
      const events: StreamEvent[] = [];
      const tail = this.resampler.flush();
      await this.frames(tail, events);
      if (this.frameFill > 0) {
        this.frame.fill(0, this.frameFill);
        this.frameFill = 0;
        await this.scoreFrame(events);
      }
      const closed = this.segmenter.end();
      if (closed) await this.emitSegment(closed.startFrame, closed.endFrame, 'end', events);
      return events;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Frees the detector's native resources (Silero's onnxruntime session); call after {@link end}. */
  async close(): Promise<void> {
    await this.queue;
    await this.options.vad.release?.();
  }

  /** Counts so far (durations, segments and seconds per label, the dominant label). */
  summary(): StreamSummary {
    const labels = Object.fromEntries(Object.entries(this.counts.labels).map(([k, v]) => [k, { ...v }]));
    let dominant: string | undefined;
    for (const [l, v] of Object.entries(labels))
      if (v.seconds > 0 && (dominant === undefined || v.seconds > labels[dominant].seconds)) dominant = l;
    return {
      ...this.counts,
      labels,
      durationS: this.received / this.rate,
      ...(dominant ? { dominant } : {}),
    };
  }

  private async process(chunk: Float32Array): Promise<StreamEvent[]> {
    for (let i = 0; i < chunk.length; i++) {
      if (!Number.isFinite(chunk[i]))
        throw new EmovoxInputError('stream', `sample ${this.received + i} is not finite`);
    }
    this.store(chunk);
    const events: StreamEvent[] = [];
    await this.frames(this.resampler.push(chunk), events);
    return events;
  }

  private store(chunk: Float32Array): void {
    const n = this.ring.length;
    // Only the last ring-length samples of a huge chunk can ever be read back.
    const from = Math.max(0, chunk.length - n);
    for (let i = from; i < chunk.length; i++) this.ring[(this.received + i) % n] = chunk[i];
    this.received += chunk.length;
  }

  private async frames(audio: Float32Array, events: StreamEvent[]): Promise<void> {
    let at = 0;
    while (at < audio.length) {
      const take = Math.min(this.frame.length - this.frameFill, audio.length - at);
      this.frame.set(audio.subarray(at, at + take), this.frameFill);
      this.frameFill += take;
      at += take;
      if (this.frameFill === this.frame.length) {
        this.frameFill = 0;
        await this.scoreFrame(events);
      }
    }
  }

  private async scoreFrame(events: StreamEvent[]): Promise<void> {
    const p = await this.options.vad.score(this.frame);
    const closed = this.segmenter.push(p);
    if (closed) {
      await this.emitSegment(closed.startFrame, closed.endFrame, closed.reason, events);
      this.lastInterimFrame = -1;
    }
    const open = this.segmenter.openSince;
    if (this.interimFrames > 0 && open !== undefined) {
      const now = this.segmenter.frames;
      if (this.lastInterimFrame < open) this.lastInterimFrame = open;
      if (now - this.lastInterimFrame >= this.interimFrames) {
        this.lastInterimFrame = now;
        const windowFrames = Math.round((this.options.interimWindowS ?? 3) / this.frameS);
        const start = Math.max(open, now - windowFrames);
        const event = await this.score(start, now, 'interim');
        if (event) events.push(event);
      }
    }
  }

  /** Audio of frames [startFrame, endFrame) at the input rate, from the ring. */
  private audio(startFrame: number, endFrame: number): Float32Array {
    const n = this.ring.length;
    const from = Math.max(this.received - n, Math.round(startFrame * this.frameS * this.rate));
    const to = Math.min(this.received, Math.round(endFrame * this.frameS * this.rate));
    const out = new Float32Array(Math.max(0, to - from));
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(from + i) % n];
    return out;
  }

  private async score(
    startFrame: number,
    endFrame: number,
    type: StreamEvent['type'],
  ): Promise<StreamEvent | undefined> {
    const samples = this.audio(startFrame, endFrame);
    const startS = startFrame * this.frameS;
    const endS = Math.min(this.received / this.rate, endFrame * this.frameS);
    try {
      const result = await this.options.classifier.classify(samples, this.rate);
      return { type, startS, endS, durationS: samples.length / this.rate, ...result };
    } catch (error) {
      if (!(error instanceof EmovoxInputError) || type === 'interim') return undefined;
      // A segment that cannot be scored is still reported, with the reason.
      const labels = this.options.classifier.labels;
      const uniform = Object.fromEntries(labels.map((l) => [l, 1 / labels.length]));
      return {
        type,
        startS,
        endS,
        durationS: samples.length / this.rate,
        ...scoresFromProbabilities(uniform, labels, 1.01),
        problem: error.problem,
      };
    }
  }

  private async emitSegment(
    startFrame: number,
    endFrame: number,
    reason: NonNullable<StreamEvent['reason']>,
    events: StreamEvent[],
  ): Promise<void> {
    const event = await this.score(startFrame, endFrame, 'segment');
    if (!event) return;
    event.reason = reason;
    if (event.problem === undefined) {
      const smoothed = this.smoother.push({ startS: event.startS, endS: event.endS, scores: event.scores });
      event.smoothed = scoresFromProbabilities(
        smoothed,
        this.options.classifier.labels,
        this.options.classifier.lowConfidenceBelow,
      );
      this.counts.segments++;
      this.counts.speechS += event.durationS;
      const entry = this.counts.labels[event.label];
      entry.segments++;
      entry.seconds += event.durationS;
      if (event.lowConfidence) this.counts.lowConfidence++;
    }
    events.push(event);
  }
}
