// Voice activity for streams and timelines: frame scorers (speech probability per fixed-size
// frame) and a segmenter that turns frame probabilities into speech segments with hysteresis.
// Pure: the neural scorer (Silero, through onnxruntime) lives in silero.ts and plugs in here.
import { EmovoxInputError } from '../util/errors.js';

/** Scores fixed-size frames of 16 kHz (or `rate`) audio: the probability that each is speech. */
export interface FrameVad {
  /** Rate the frames are at, Hz. */
  readonly rate: number;
  /** Samples per frame. */
  readonly frameSamples: number;
  /** Speech probability in [0, 1] of the next frame of the stream (frames arrive in order). */
  score(frame: Float32Array): number | Promise<number>;
  /** Forgets the stream (a new one starts). */
  reset(): void;
  /** Frees native resources (optional). */
  release?(): Promise<void>;
}

/** Options of {@link EnergyFrameVad}. Levels in dB (full scale = 0 dBFS). */
export interface EnergyVadOptions {
  /** Frame rate, Hz (default 16000). */
  rate?: number;
  /** Frame length in samples (default 512: 32 ms at 16 kHz, the Silero frame). */
  frameSamples?: number;
  /** A frame this far above the tracked noise floor scores 0.5 (default 12 dB, as detectVoice). */
  thresholdDb?: number;
  /** Frames quieter than this never count as speech (default -55 dBFS). */
  minDb?: number;
  /** How fast the noise floor rises while the level stays above it (default 3 dB per second). */
  floorRiseDbPerS?: number;
}

/**
 * Online energy-based frame scorer: the frame's mean-square level in dB against a tracked noise
 * floor (it drops at once to quieter frames and rises slowly otherwise), mapped to a
 * probability with a logistic of slope 1/2 dB around `thresholdDb`. Like `detectVoice`
 * (src/audio/vad.ts, the whole-file version) it finds loud regions, not speech as such: loud
 * music or clicks count as voice. Cheap and model-free; {@link FrameVad} with Silero is the
 * neural alternative.
 */
export class EnergyFrameVad implements FrameVad {
  readonly rate: number;
  readonly frameSamples: number;
  private readonly thresholdDb: number;
  private readonly minDb: number;
  private readonly risePerFrame: number;
  private floor = Infinity;

  constructor(options: EnergyVadOptions = {}) {
    this.rate = options.rate ?? 16000;
    this.frameSamples = options.frameSamples ?? 512;
    this.thresholdDb = options.thresholdDb ?? 12;
    this.minDb = options.minDb ?? -55;
    this.risePerFrame = ((options.floorRiseDbPerS ?? 3) * this.frameSamples) / this.rate;
    if (!(this.rate > 0) || !(this.frameSamples >= 1))
      throw new EmovoxInputError('EnergyFrameVad', 'rate and frameSamples must be positive');
  }

  score(frame: Float32Array): number {
    let sum = 0;
    for (let i = 0; i < frame.length; i++) sum += frame[i] * frame[i];
    const db = 10 * Math.log10(Math.max(1e-12, sum / Math.max(1, frame.length)));
    // Digital silence would pin the floor at -120 dB and make any later hiss "speech"; the
    // floor never goes below minDb - thresholdDb.
    const level = Math.max(db, this.minDb - this.thresholdDb);
    this.floor = level < this.floor ? level : this.floor + this.risePerFrame;
    if (db < this.minDb) return 0;
    return 1 / (1 + Math.exp(-(db - this.floor - this.thresholdDb) / 2));
  }

  reset(): void {
    this.floor = Infinity;
  }
}

/** Options of {@link SpeechSegmenter}. Times in milliseconds. */
export interface SegmenterOptions {
  /** A frame at or above this probability starts (or continues) speech (default 0.5). */
  positiveThreshold?: number;
  /** Speech ends after frames below this for `redemptionMs` (default 0.35). */
  negativeThreshold?: number;
  /** Pause tolerated inside a segment (default 400 ms). */
  redemptionMs?: number;
  /** Segments with less speech than this are dropped (default 250 ms). */
  minSpeechMs?: number;
  /** Audio kept before the first speech frame (default 150 ms). */
  prePadMs?: number;
  /** Audio kept after the last speech frame (default 150 ms, at most `redemptionMs`). */
  postPadMs?: number;
  /** A segment reaching this length is closed and a new one starts (default 10000 ms). */
  maxSegmentMs?: number;
}

/** A speech segment in frames: [startFrame, endFrame) of the scorer's frame grid. */
export interface FrameSegment {
  startFrame: number;
  endFrame: number;
  /** Why it ended: a pause, the length cap, or the end of the input. */
  reason: 'pause' | 'max-length' | 'end';
}

/**
 * Turns per-frame speech probabilities into segments, online (frame by frame, constant
 * memory): speech starts at a frame >= `positiveThreshold`, ends once frames stay below
 * `negativeThreshold` for `redemptionMs`; segments are widened by the pads, dropped when they
 * hold less than `minSpeechMs` of speech frames, and cut at `maxSegmentMs`.
 */
export class SpeechSegmenter {
  private readonly pos: number;
  private readonly neg: number;
  private readonly redemption: number;
  private readonly minSpeech: number;
  private readonly prePad: number;
  private readonly postPad: number;
  private readonly maxFrames: number;
  private frame = 0;
  private active = false;
  private start = 0;
  private lastSpeech = 0;
  private speechFrames = 0;
  private silentRun = 0;
  /** The open segment continues one cut at maxSegmentMs (so the minimum-speech rule does not apply). */
  private continued = false;

  /**
   * @param frameMs - duration of one frame (e.g. 32 for 512 samples at 16 kHz).
   * @param options - thresholds and durations ({@link SegmenterOptions}).
   */
  constructor(
    readonly frameMs: number,
    options: SegmenterOptions = {},
  ) {
    const f = (ms: number) => Math.max(0, Math.round(ms / frameMs));
    this.pos = options.positiveThreshold ?? 0.5;
    this.neg = Math.min(this.pos, options.negativeThreshold ?? 0.35);
    this.redemption = Math.max(1, f(options.redemptionMs ?? 400));
    this.minSpeech = f(options.minSpeechMs ?? 250);
    this.prePad = f(options.prePadMs ?? 150);
    this.postPad = Math.min(this.redemption, f(options.postPadMs ?? 150));
    this.maxFrames = Math.max(2, f(options.maxSegmentMs ?? 10000));
    if (!(frameMs > 0)) throw new EmovoxInputError('SpeechSegmenter', 'frameMs must be > 0');
  }

  /** Frames seen so far. */
  get frames(): number {
    return this.frame;
  }

  /** Start frame of the open segment (pre-pad included), or undefined when none is open. */
  get openSince(): number | undefined {
    return this.active ? this.start : undefined;
  }

  /**
   * Takes the next frame's speech probability.
   * @returns the segment that this frame closed, if any.
   */
  push(probability: number): FrameSegment | undefined {
    const t = this.frame++;
    let closed: FrameSegment | undefined;
    if (!this.active) {
      if (probability >= this.pos) {
        this.active = true;
        this.start = Math.max(0, t - this.prePad);
        this.lastSpeech = t;
        this.speechFrames = 1;
        this.silentRun = 0;
        this.continued = false;
      }
      return undefined;
    }
    // Between the thresholds a frame neither extends the speech nor counts towards the pause.
    if (probability >= this.pos) {
      this.lastSpeech = t;
      this.speechFrames++;
      this.silentRun = 0;
    } else if (probability < this.neg) this.silentRun++;
    if (this.silentRun >= this.redemption) {
      closed = this.close(this.lastSpeech + 1 + this.postPad, 'pause');
    } else if (t + 1 - this.start >= this.maxFrames) {
      closed = this.close(t + 1, 'max-length');
      if (closed && probability >= this.neg) {
        // Speech goes on: the next segment starts right here, without a pre-pad.
        this.active = true;
        this.start = t + 1;
        this.lastSpeech = t;
        this.speechFrames = 0;
        this.silentRun = 0;
        this.continued = true;
      }
    }
    return closed;
  }

  /** Ends the input: closes the open segment, if any. */
  end(): FrameSegment | undefined {
    if (!this.active) return undefined;
    return this.close(Math.min(this.frame, this.lastSpeech + 1 + this.postPad), 'end');
  }

  private close(endFrame: number, reason: FrameSegment['reason']): FrameSegment | undefined {
    this.active = false;
    const enough =
      this.speechFrames >= (this.continued ? 1 : Math.max(1, this.minSpeech)) || reason === 'max-length';
    this.silentRun = 0;
    return enough && endFrame > this.start ? { startFrame: this.start, endFrame, reason } : undefined;
  }
}

/**
 * Segments a whole signal with a frame scorer (the batch form of what streams do).
 * @param y - audio at `vad.rate`.
 * @returns segments in seconds.
 */
export async function segmentWithFrameVad(
  y: Float32Array,
  vad: FrameVad,
  options: SegmenterOptions = {},
): Promise<{ startS: number; endS: number }[]> {
  vad.reset();
  const frameS = vad.frameSamples / vad.rate;
  const segmenter = new SpeechSegmenter(1000 * frameS, options);
  const out: { startS: number; endS: number }[] = [];
  const add = (s: FrameSegment | undefined) => {
    if (s)
      out.push({ startS: s.startFrame * frameS, endS: Math.min(y.length / vad.rate, s.endFrame * frameS) });
  };
  const frame = new Float32Array(vad.frameSamples);
  for (let at = 0; at < y.length; at += vad.frameSamples) {
    frame.fill(0);
    frame.set(y.subarray(at, Math.min(y.length, at + vad.frameSamples)));
    add(segmenter.push(await vad.score(frame)));
  }
  add(segmenter.end());
  // Adjacent max-length pieces of one utterance are one region for a timeline.
  const merged: { startS: number; endS: number }[] = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && s.startS <= last.endS + 1e-9) last.endS = Math.max(last.endS, s.endS);
    else merged.push({ ...s });
  }
  return merged;
}
