// Emotion recognition from audio with a model bundle: onnxruntime-node runs the bundle's
// model.onnx, the pure front end (frontend.ts) computes its inputs as training did, and the
// bundle's temperature calibrates the probabilities. No libtorch anywhere on this path.
import type { AudioSource } from '../audio/bytes.js';
import { loadAudio } from '../audio/load.js';
import { resample } from '../audio/resample.js';
import { detectVoice, type VoiceActivityOptions } from '../audio/vad.js';
import { loadBundle, type ModelBundle } from '../models/bundle.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { resolveModelPath } from './bundled.js';
import { FrontEnd } from './frontend.js';
import { lowConfidenceThreshold } from './model-spec.js';
import { scoresFromLogits, type EmotionScores } from './scores.js';
import { EmotionSession } from './session.js';
import { SileroVad, type SileroVersion } from './silero.js';
import { StreamingRecognizer, type StreamingOptions } from './stream.js';
import {
  buildTimeline,
  type SpeechRegion,
  type TimelineResult,
  type TimelineWindowOptions,
  type UtteranceClassifier,
} from './timeline-core.js';
import { EnergyFrameVad, segmentWithFrameVad, type SegmenterOptions } from './vad.js';

export { LOW_CONFIDENCE_KEY } from './model-spec.js';

/** The result of {@link recognize}. */
export interface Recognition extends EmotionScores {
  /** Length of the audio, seconds. */
  durationS: number;
}

/** Options of {@link Recognizer.load}. */
export interface RecognizerOptions {
  /** onnxruntime intra-op threads (default 1: fastest for these small models, one per worker). */
  threads?: number;
}

/** Audio in memory: mono samples (or channels, averaged) and their rate. */
export interface AudioInput {
  samples: Float32Array | Float32Array[];
  sampleRate: number;
}

/**
 * A loaded model bundle ready to score audio. One instance serves any number of calls (calls
 * are independent unless the bundle normalises per speaker, whose statistics then accumulate:
 * pass a speaker id or call {@link reset}).
 */
export class Recognizer implements UtteranceClassifier {
  private constructor(
    /** Where the bundle was loaded from. */
    readonly path: string,
    readonly bundle: ModelBundle,
    private readonly session: EmotionSession,
    private readonly frontEnd: FrontEnd,
    readonly labels: readonly string[],
    /** softmax(logits / temperature); 1 when the bundle has no calibration. */
    readonly temperature: number,
    readonly lowConfidenceBelow: number,
  ) {}

  /**
   * Loads a bundle: a bundled model's name, a bundle folder or a `.emovox` file (default: the
   * bundled `emovox-acted7`).
   * @throws EmovoxInputError(bundle path, problem) for a missing or damaged bundle, a format-1
   *   bundle (no feature description), feature sets this emovox cannot compute, or a model whose
   *   outputs do not match its labels.
   */
  static async load(model?: string, options: RecognizerOptions = {}): Promise<Recognizer> {
    const path = resolveModelPath(model);
    const bundle = loadBundle(path);
    if (!bundle.inputs || Object.keys(bundle.inputs).length === 0) {
      throw new EmovoxInputError(
        path,
        `bundle has no feature description (format 1, written by emovox ${bundle.card?.emovox ?? 'before 0.1'}): ` +
          'recognising audio needs a format-2 bundle; retrain it with `emovox train`, or run its model on your own features with EmotionSession',
      );
    }
    if (!bundle.labels) throw new EmovoxInputError(path, 'bundle has no class labels');
    const frontEnd = new FrontEnd(
      { inputs: bundle.inputs, preprocess: bundle.preprocess, normalization: bundle.normalization },
      path,
    );
    const session = await EmotionSession.load(path, { threads: options.threads ?? 1 });
    const wanted = [
      ...Object.keys(bundle.inputs),
      ...(Object.values(bundle.inputs).some((i) => i.kind === 'frames') ? ['lengths'] : []),
    ];
    const missing = session.inputNames.filter((n) => !wanted.includes(n));
    if (missing.length > 0 || session.labels.length !== bundle.labels.length) {
      await session.release();
      throw new EmovoxInputError(
        path,
        missing.length > 0
          ? `model.onnx takes inputs [${session.inputNames.join(', ')}] but the bundle describes [${wanted.join(', ')}]`
          : `model.onnx has ${session.labels.length} outputs but the bundle has ${bundle.labels.length} labels`,
      );
    }
    const threshold = lowConfidenceThreshold(bundle.metadata, bundle.labels.length);
    return new Recognizer(
      path,
      bundle,
      session,
      frontEnd,
      bundle.labels,
      bundle.calibration?.temperature ?? 1,
      threshold,
    );
  }

  /** Sample rates the model's features use (audio at another rate is resampled). */
  get rates(): number[] {
    return this.frontEnd.rates;
  }

  /**
   * Scores one utterance.
   * @param samples - mono audio in [-1, 1].
   * @param sampleRate - its rate in Hz (any).
   * @param speaker - speaker id for bundles that normalise per speaker (default one anonymous speaker).
   * @throws EmovoxInputError(source, problem) for audio too short to analyse or non-finite features.
   */
  async classify(
    samples: Float32Array,
    sampleRate: number,
    speaker = '',
    source = 'audio',
  ): Promise<EmotionScores> {
    const inputs = this.frontEnd.compute(samples, sampleRate, speaker, source);
    const out = await this.session.run(inputs);
    return scoresFromLogits(out.logits.subarray(0, out.classes), this.labels, {
      temperature: this.temperature,
      lowConfidenceBelow: this.lowConfidenceBelow,
    });
  }

  /** Forgets per-speaker normalisation statistics. */
  reset(): void {
    this.frontEnd.reset();
  }

  /** Releases the onnxruntime session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

const cache = new Map<string, Promise<Recognizer>>();

/** A shared recogniser per model (loaded once per process). */
function shared(model: string | Recognizer | undefined): Promise<Recognizer> {
  if (model instanceof Recognizer) return Promise.resolve(model);
  const path = resolveModelPath(model);
  let r = cache.get(path);
  if (!r) {
    r = Recognizer.load(path);
    cache.set(path, r);
    r.catch(() => cache.delete(path));
  }
  return r;
}

/** Decodes any input {@link recognize} accepts into mono samples at their own rate. */
async function toMono(
  input: AudioSource | AudioInput | Float32Array,
  sampleRate: number | undefined,
  maxDuration?: number,
): Promise<{ samples: Float32Array; sampleRate: number; source: string }> {
  if (input instanceof Float32Array) {
    if (sampleRate === undefined)
      throw new EmovoxInputError('sampleRate', 'give the sample rate of a Float32Array input');
    return { samples: input, sampleRate, source: 'samples' };
  }
  if (typeof input === 'object' && input !== null && 'sampleRate' in input && 'samples' in input) {
    const channels = Array.isArray(input.samples) ? input.samples : [input.samples];
    if (channels.length === 0) throw new EmovoxInputError('samples', 'no channels');
    const mono = new Float32Array(channels[0].length);
    for (const ch of channels) for (let i = 0; i < mono.length; i++) mono[i] += ch[i] / channels.length;
    return { samples: mono, sampleRate: input.sampleRate, source: 'samples' };
  }
  const source = typeof input === 'string' ? input : 'audio bytes';
  const audio = await loadAudio(input as AudioSource, {
    mono: true,
    ...(maxDuration ? { maxDuration } : {}),
  });
  return { samples: audio.samples, sampleRate: audio.sampleRate, source };
}

/** Options of {@link recognize}. */
export interface RecognizeOptions {
  /** A bundled model's name, a bundle path, or a loaded {@link Recognizer} (default: the bundled model). */
  model?: string | Recognizer;
  /** Rate of a Float32Array input, Hz. */
  sampleRate?: number;
  /** Refuse files longer than this, seconds, before decoding (default: no limit). */
  maxDuration?: number;
}

/**
 * Recognises the emotion of one utterance.
 * @param input - a file path or encoded bytes in any format `loadAudio` reads (WAV, FLAC, MP3,
 *   Ogg, AIFF, + ffmpeg's), `{ samples, sampleRate }`, or a Float32Array with `sampleRate`.
 *   Any rate: audio is resampled to the model's rate; channels are averaged.
 * @param options - model (default the bundled `emovox-acted7`).
 * @returns the label, calibrated probability of every label (`scores`), `confidence` (the
 *   label's probability), `lowConfidence`, and the audio's `durationS`.
 * @throws EmovoxInputError(source, problem) for unreadable or too short audio or a bad model.
 */
export async function recognize(
  input: AudioSource | AudioInput | Float32Array,
  options: RecognizeOptions = {},
): Promise<Recognition> {
  const recognizer = await shared(options.model);
  const audio = await toMono(input, options.sampleRate, options.maxDuration);
  const result = await recognizer.classify(audio.samples, audio.sampleRate, '', audio.source);
  return { ...result, durationS: audio.samples.length / audio.sampleRate };
}

/** Voice activity detection for {@link timeline}. */
export type TimelineVad =
  | 'silero'
  | 'energy'
  | 'none'
  | { kind: 'silero'; version?: SileroVersion; segmenter?: SegmenterOptions }
  | { kind: 'energy'; options?: VoiceActivityOptions }
  | { kind: 'regions'; regions: SpeechRegion[] };

/** Options of {@link timeline}. */
export interface TimelineOptions extends TimelineWindowOptions {
  /** `silero` (default; neural, from @ricky0123/vad-web), `energy` (src/audio/vad.ts), `none` (everything is speech), or given regions. */
  vad?: TimelineVad;
  model?: string | Recognizer;
  /** Rate of a Float32Array input, Hz. */
  sampleRate?: number;
  maxDuration?: number;
}

/** Silero sessions not in use, per version: loaded once per process, one per concurrent caller. */
const idleSilero = new Map<SileroVersion, SileroVad[]>();

/**
 * Speech regions of a signal with the chosen detector.
 * @param samples - mono audio at `sampleRate`.
 */
export async function detectSpeech(
  samples: Float32Array,
  sampleRate: number,
  vad: TimelineVad = 'silero',
): Promise<SpeechRegion[]> {
  const spec = typeof vad === 'string' ? { kind: vad } : vad;
  switch (spec.kind) {
    case 'none':
      return samples.length > 0 ? [{ startS: 0, endS: samples.length / sampleRate }] : [];
    case 'energy':
      return detectVoice(samples, sampleRate, 'options' in spec ? spec.options : {}).map((s) => ({
        startS: s.startS,
        endS: s.endS,
      }));
    case 'regions':
      return 'regions' in spec ? spec.regions : [];
    case 'silero': {
      const version = ('version' in spec ? spec.version : undefined) ?? 'v5';
      const idle = idleSilero.get(version) ?? [];
      idleSilero.set(version, idle);
      const silero = idle.pop() ?? (await SileroVad.load(version));
      try {
        const y =
          sampleRate === silero.rate
            ? samples
            : resample(samples, sampleRate, silero.rate, { quality: 'medium' });
        return await segmentWithFrameVad(y, silero, {
          maxSegmentMs: 3_600_000,
          ...('segmenter' in spec ? spec.segmenter : {}),
        });
      } finally {
        silero.reset();
        idle.push(silero);
      }
    }
    default:
      throw new EmovoxInputError('vad', `unknown voice activity detector ${JSON.stringify(vad)}`);
  }
}

/**
 * Emotion over time in long audio: voice activity detection, then windows over the speech
 * regions scored one by one, then smoothing across neighbouring windows.
 * @param input - as {@link recognize}.
 * @param options - `window` (s, default 3), `hop` (default window / 2), `vad` (default
 *   `silero`), `smoothing` (time constant in s, default 2; 0 = none), `minSpeech`, `model`.
 * @returns the duration, the speech regions and the scored segments (smoothed label/scores,
 *   and each window's own result under `raw`).
 */
export async function timeline(
  input: AudioSource | AudioInput | Float32Array,
  options: TimelineOptions = {},
): Promise<TimelineResult> {
  const recognizer = await shared(options.model);
  const audio = await toMono(input, options.sampleRate, options.maxDuration);
  const speech = await detectSpeech(audio.samples, audio.sampleRate, options.vad);
  return buildTimeline(audio.samples, audio.sampleRate, speech, recognizer, options);
}

/** Options of {@link createStreamingRecognizer}. */
export interface StreamOptions extends Omit<StreamingOptions, 'classifier' | 'vad'> {
  model?: string | Recognizer;
  /** `silero` (default) or `energy`. */
  vad?: 'silero' | 'energy';
}

/**
 * A live recogniser: push PCM chunks of any size at `sampleRate`, get an event as each speech
 * segment ends (and every `interimMs` inside long ones). See {@link StreamingRecognizer}.
 * @throws EmovoxInputError for a bad model or options.
 */
export async function createStreamingRecognizer(options: StreamOptions): Promise<StreamingRecognizer> {
  const classifier = await shared(options.model);
  let vad;
  try {
    vad = options.vad === 'energy' ? new EnergyFrameVad() : await SileroVad.load();
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError('vad', errorMessage(error));
  }
  return new StreamingRecognizer({ ...options, classifier, vad });
}
