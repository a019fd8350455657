// Inference in the browser with onnxruntime-web (WebAssembly): the same front end, calibration
// and stream logic as the Node recogniser (frontend.ts, scores.ts, stream.ts), only the ONNX
// runtime differs. No Node API: the wasm runtime, the model and Silero arrive as bytes or URLs.
import * as ort from 'onnxruntime-web/wasm';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { checkFeeds, type InputTensor } from './feeds.js';
import { FrontEnd } from './frontend.js';
import { recognizerSpec, type RecognizerSpec } from './model-spec.js';
import { scoresFromLogits, type EmotionScores } from './scores.js';
import type { UtteranceClassifier } from './timeline-core.js';
import type { FrameVad } from './vad.js';
import { SILERO_CONTEXT, SILERO_FRAME, SILERO_RATE, SileroFrames } from './silero-frames.js';

/** Where onnxruntime-web finds its WebAssembly runtime (`ort-wasm-simd-threaded.wasm`). */
export interface OrtWebSetup {
  /**
   * The runtime's bytes, or the URL it is served at (a file URL, or a folder URL ending in `/`
   * that holds `ort-wasm-simd-threaded.wasm`). Serve it from your own origin: the file ships in
   * the `onnxruntime-web` package (`dist/ort-wasm-simd-threaded.wasm`).
   */
  wasm: string | URL | ArrayBuffer | Uint8Array;
  /**
   * WebAssembly threads (default 1: the models are small, and more threads need a
   * cross-origin-isolated page).
   */
  threads?: number;
}

/**
 * Tells onnxruntime-web where its runtime is. Call once, before the first session is created
 * (later calls have no effect on an initialised runtime).
 */
export function configureOrtWeb(setup: OrtWebSetup): void {
  const w = setup.wasm;
  if (w instanceof ArrayBuffer || w instanceof Uint8Array) ort.env.wasm.wasmBinary = w;
  else {
    const url = String(w);
    ort.env.wasm.wasmPaths = url.endsWith('/') ? url : { wasm: url };
  }
  ort.env.wasm.numThreads = setup.threads ?? 1;
  ort.env.wasm.proxy = false;
}

async function bytesOf(source: string | URL | ArrayBuffer | Uint8Array, what: string): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  let response: Response;
  try {
    response = await fetch(source);
  } catch (error) {
    throw new EmovoxInputError(String(source), `cannot fetch ${what}: ${errorMessage(error)}`);
  }
  if (!response.ok)
    throw new EmovoxInputError(String(source), `cannot fetch ${what}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function createSession(bytes: Uint8Array, source: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  } catch (error) {
    throw new EmovoxInputError(source, `onnxruntime-web cannot load the model: ${errorMessage(error)}`);
  }
}

/** Where {@link WebRecognizer.load} gets a bundle: a folder URL, or the manifest and ONNX bytes. */
export type WebModelSource =
  string | URL | { manifest: unknown; onnx: ArrayBuffer | Uint8Array | string | URL; name?: string };

/**
 * A bundle's model in onnxruntime-web: `classify()` gives exactly what the Node
 * `Recognizer` gives for the same samples (same front end, same calibration; the two ONNX
 * runtimes agree to float32 rounding).
 */
export class WebRecognizer implements UtteranceClassifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly frontEnd: FrontEnd,
    /** What the bundle says (labels, calibration, card). */
    readonly spec: RecognizerSpec,
    /** Where it was loaded from (used in errors). */
    readonly source: string,
  ) {}

  /**
   * Loads a bundle served over HTTP (a folder URL holding `model.json` and `model.onnx`) or from
   * a manifest object and the ONNX bytes. Call {@link configureOrtWeb} first.
   * @throws EmovoxInputError(source, problem) for a missing or damaged bundle, or one whose
   *   graph's inputs or outputs do not match its description.
   */
  static async load(model: WebModelSource): Promise<WebRecognizer> {
    let manifest: unknown;
    let onnx: Uint8Array;
    let source: string;
    if (typeof model === 'string' || model instanceof URL) {
      const base = String(model).endsWith('/') ? String(model) : `${String(model)}/`;
      source = base;
      const json = await bytesOf(
        new URL('model.json', new URL(base, globalThis.location?.href)),
        'model.json',
      );
      try {
        manifest = JSON.parse(new TextDecoder().decode(json));
      } catch (error) {
        throw new EmovoxInputError(`${base}model.json`, `not JSON: ${errorMessage(error)}`);
      }
      const spec = recognizerSpec(manifest, `${base}model.json`);
      onnx = await bytesOf(
        new URL(spec.onnxFile, new URL(base, globalThis.location?.href)),
        'the ONNX model',
      );
    } else {
      source = model.name ?? 'model';
      manifest = model.manifest;
      onnx = await bytesOf(model.onnx, 'the ONNX model');
    }
    const spec = recognizerSpec(manifest, source);
    const frontEnd = new FrontEnd(spec.frontEnd, source);
    const session = await createSession(onnx, source);
    const wanted = [
      ...Object.keys(spec.frontEnd.inputs),
      ...(Object.values(spec.frontEnd.inputs).some((i) => i.kind === 'frames') ? ['lengths'] : []),
    ];
    const missing = session.inputNames.filter((n) => !wanted.includes(n));
    if (missing.length > 0 || !session.outputNames.includes('logits')) {
      await session.release();
      throw new EmovoxInputError(
        source,
        missing.length > 0
          ? `the ONNX model takes inputs [${session.inputNames.join(', ')}] but the bundle describes [${wanted.join(', ')}]`
          : `the ONNX model has no 'logits' output (outputs: ${session.outputNames.join(', ')})`,
      );
    }
    return new WebRecognizer(session, frontEnd, spec, source);
  }

  /** Class names in output order. */
  get labels(): readonly string[] {
    return this.spec.labels;
  }

  get lowConfidenceBelow(): number {
    return this.spec.lowConfidenceBelow;
  }

  get temperature(): number {
    return this.spec.temperature;
  }

  /** Sample rates (Hz) the model's features use, ascending (audio at another rate is resampled). */
  get rates(): number[] {
    return this.frontEnd.rates;
  }

  /**
   * Scores one utterance, as the Node `Recognizer.classify` does.
   * @param samples - mono audio in [-1, 1].
   * @param sampleRate - its rate in Hz (any).
   * @param speaker - speaker id for bundles that normalise per speaker.
   * @throws EmovoxInputError(source, problem) for audio too short or silent to analyse.
   */
  async classify(
    samples: Float32Array,
    sampleRate: number,
    speaker = '',
    source = 'audio',
  ): Promise<EmotionScores> {
    const inputs = this.frontEnd.compute(samples, sampleRate, speaker, source);
    const logits = await this.run(inputs);
    return scoresFromLogits(logits.subarray(0, this.labels.length), this.labels, {
      temperature: this.spec.temperature,
      lowConfidenceBelow: this.spec.lowConfidenceBelow,
    });
  }

  /**
   * Runs the graph on named inputs.
   * @returns the logits, row-major [batch, classes].
   */
  async run(inputs: Record<string, InputTensor>): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const f of checkFeeds(this.session.inputNames, inputs))
      feeds[f.name] = new ort.Tensor(f.dtype, f.data, f.shape);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds, ['logits']);
    } catch (error) {
      throw new EmovoxInputError('inference', errorMessage(error));
    }
    const t = out.logits;
    const logits = new Float32Array(t.data as Float32Array);
    t.dispose();
    return logits;
  }

  /** Forgets per-speaker normalisation statistics. */
  reset(): void {
    this.frontEnd.reset();
  }

  /** Releases the onnxruntime-web session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Silero VAD v5 (MIT, snakers4/silero-vad) in onnxruntime-web, as a {@link FrameVad}: the
 * browser twin of the Node `SileroVad` (same frames, context and state handling). Load it from
 * `silero_vad_v5.onnx` of the `@ricky0123/vad-web` package, served from your own origin.
 */
export class WebSileroVad implements FrameVad {
  readonly rate = SILERO_RATE;
  readonly frameSamples = SILERO_FRAME;
  private readonly frames = new SileroFrames();
  private readonly sr = new ort.Tensor('int64', BigInt64Array.of(BigInt(SILERO_RATE)), []);

  private constructor(private readonly session: ort.InferenceSession) {}

  /**
   * Loads Silero from its ONNX bytes or URL (about 2.3 MB). Call {@link configureOrtWeb} first.
   * @throws EmovoxInputError(source, problem) when it cannot be fetched or loaded.
   */
  static async load(model: string | URL | ArrayBuffer | Uint8Array): Promise<WebSileroVad> {
    const source = typeof model === 'string' || model instanceof URL ? String(model) : 'silero-vad';
    return new WebSileroVad(await createSession(await bytesOf(model, 'the Silero VAD model'), source));
  }

  /** Speech probability of the next 512-sample frame (shorter frames are zero-padded). */
  async score(frame: Float32Array): Promise<number> {
    const { input, state } = this.frames.next(frame);
    const out = await this.session.run({
      input: new ort.Tensor('float32', input, [1, SILERO_CONTEXT + SILERO_FRAME]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr: this.sr,
    });
    this.frames.update(out.stateN.data as Float32Array);
    return (out.output.data as Float32Array)[0];
  }

  reset(): void {
    this.frames.reset();
  }

  /** Releases the onnxruntime-web session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
