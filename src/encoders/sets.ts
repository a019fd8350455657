// The ONNX encoder feature sets: `encoder` (pooled vector), `encoder-frames` (frame matrix) and
// `speaker-embedding` (one vector per file). They plug into `emovox features`, recipes and the
// feature cache like the built-in sets; the model file's sha256 is part of the spec, so the cache
// key changes when the model does. Each process or worker thread opens its own onnxruntime session
// once, on first use. Importing this module registers the sets (src/extract imports it).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import {
  registerFeatureSet,
  type FeatureFunction,
  type FeatureSetDefinition,
  type FeatureSpec,
} from '../features/sets.js';
import type { KaldiWindow } from '../features/kaldi-fbank.js';
import { fileSha256 } from './ort.js';
import { SpeakerEncoder, SPEAKER_FBANK } from './speaker.js';
import { encoderFeatures, SpeechEncoder, type EncoderPooling, type SpeechEncoderOptions } from './speech.js';

type Params = FeatureSpec['params'];

function text(params: Params, key: string, set: string): string {
  const v = params[key];
  if (typeof v !== 'string') throw new EmovoxParameterError(key, `must be a string (${set})`);
  return v;
}

function number(params: Params, key: string, set: string): number {
  const v = params[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new EmovoxParameterError(key, `must be a finite number (${set})`);
  return v;
}

/**
 * `do_normalize` from a Hugging Face `preprocessor_config.json` beside the model (optimum writes
 * it with the export), else false.
 */
export function preprocessorNormalize(model: string): boolean {
  const path = join(dirname(model), 'preprocessor_config.json');
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { do_normalize?: unknown }).do_normalize === true;
  } catch {
    throw new EmovoxInputError(path, 'is not valid JSON');
  }
}

/** Fills the absolute model path and its sha256 (and, for speech encoders, `normalize`). */
function prepareModel(set: string, speech: boolean) {
  return (params: Params): Params => {
    const raw = text(params, 'model', set);
    if (raw === '') throw new EmovoxParameterError('model', `the ${set} feature set needs model=<file.onnx>`);
    const model = resolve(raw);
    const out: Record<string, unknown> = { ...params, model };
    if (text(params, 'modelSha256', set) === '') out.modelSha256 = fileSha256(model);
    if (speech && params.normalize === null) out.normalize = preprocessorNormalize(model);
    return out as Params;
  };
}

/** Opens the model once per process or worker, checking it is still the file the spec hashed. */
function lazily<T>(params: Params, set: string, open: (path: string) => Promise<T>): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => {
    opened ??= (async () => {
      const model = text(params, 'model', set);
      const actual = fileSha256(model);
      if (actual !== params.modelSha256)
        throw new EmovoxInputError(
          model,
          `sha256 ${actual} differs from the spec's ${String(params.modelSha256)}: the model changed`,
        );
      return open(model);
    })();
    return opened;
  };
}

function speechOptions(params: Params, set: string): SpeechEncoderOptions {
  if (typeof params.allLayers !== 'boolean')
    throw new EmovoxParameterError('allLayers', `must be true or false (${set})`);
  if (typeof params.normalize !== 'boolean' && params.normalize !== null)
    throw new EmovoxParameterError('normalize', `must be true, false or null (${set})`);
  return {
    layer: number(params, 'layer', set),
    allLayers: params.allLayers,
    normalize: params.normalize === true,
    normalizeEps: number(params, 'normalizeEps', set),
    chunkSeconds: number(params, 'chunkSeconds', set),
    overlapSeconds: number(params, 'overlapSeconds', set),
    frameHop: number(params, 'frameHop', set),
    receptiveField: number(params, 'receptiveField', set),
  };
}

const SPEECH_DEFAULTS = {
  sampleRate: 16000,
  resampleQuality: 'high',
  model: '',
  modelSha256: '',
  layer: -1,
  allLayers: false,
  normalize: null,
  normalizeEps: 1e-7,
  chunkSeconds: 30,
  overlapSeconds: 2,
  frameHop: 320,
  receptiveField: 400,
} as const;

function names(layers: number, dim: number, prefix = ''): string[] {
  const out: string[] = [];
  for (let k = 0; k < layers; k++) for (let j = 0; j < dim; j++) out.push(`${prefix}l${k}.d${j}`);
  return out;
}

function speechSet(name: string, pooled: boolean): FeatureSetDefinition {
  return {
    name,
    version: 1,
    description: pooled
      ? 'Utterance vector from a user-supplied ONNX speech encoder (wav2vec2 / HuBERT / WavLM / data2vec / emotion2vec) at 16 kHz: one hidden layer (default the last) or all layers, mean or mean+std over frames; model=<file.onnx> required (docs/pretrained.md)'
      : 'Frame sequence from a user-supplied ONNX speech encoder at 16 kHz: frames (20 ms) x dim of one hidden layer, or x layers·dim with allLayers; model=<file.onnx> required (docs/pretrained.md)',
    kind: pooled ? 'vector' : 'matrix',
    usesModel: true,
    defaults: pooled ? { ...SPEECH_DEFAULTS, pooling: 'mean' } : SPEECH_DEFAULTS,
    prepare: prepareModel(name, true),
    create(params): FeatureFunction {
      const options = speechOptions(params, name);
      const pooling = (pooled ? params.pooling : 'none') as EncoderPooling;
      if (pooling !== 'mean' && pooling !== 'meanstd' && pooling !== 'none')
        throw new EmovoxParameterError(
          'pooling',
          `must be mean or meanstd, got ${String(pooling)} (${name})`,
        );
      const encoder = lazily(params, name, (path) => SpeechEncoder.open(path));
      return async (samples, sampleRate) => {
        const r = await encoderFeatures(samples, { ...options, model: await encoder(), pooling, sampleRate });
        if (r.frames) return { matrix: r.frames, names: names(r.layers, r.dim) };
        const stats = pooling === 'meanstd' ? ['mean.', 'std.'] : [''];
        return { vector: r.vector!, names: stats.flatMap((s) => names(r.layers, r.dim, s)) };
      };
    },
  };
}

const speakerSet: FeatureSetDefinition = {
  name: 'speaker-embedding',
  version: 1,
  description:
    "Speaker embedding (x-vector / ECAPA-TDNN) from a user-supplied ONNX model at 16 kHz, waveform or Kaldi fbank input (80 bins, int16 scale, CMN: WeSpeaker's front end); model=<file.onnx> required (docs/pretrained.md)",
  kind: 'vector',
  usesModel: true,
  defaults: {
    sampleRate: 16000,
    resampleQuality: 'high',
    model: '',
    modelSha256: '',
    numMelBins: SPEAKER_FBANK.numMelBins!,
    frameLength: SPEAKER_FBANK.frameLength!,
    frameShift: SPEAKER_FBANK.frameShift!,
    scale: SPEAKER_FBANK.scale!,
    energyFloor: SPEAKER_FBANK.energyFloor!,
    windowType: 'povey',
    cmn: true,
    l2Normalize: false,
  },
  prepare: prepareModel('speaker-embedding', false),
  create(params) {
    const set = 'speaker-embedding';
    const windowType = text(params, 'windowType', set) as KaldiWindow;
    const fbank = {
      numMelBins: number(params, 'numMelBins', set),
      frameLength: number(params, 'frameLength', set),
      frameShift: number(params, 'frameShift', set),
      scale: number(params, 'scale', set),
      energyFloor: number(params, 'energyFloor', set),
      windowType,
    };
    const options = { fbank, cmn: params.cmn === true, l2Normalize: params.l2Normalize === true };
    const encoder = lazily(params, set, (path) => SpeakerEncoder.open(path));
    return async (samples, sampleRate) => {
      const vector = await (await encoder()).embed(samples, sampleRate, options);
      return { vector, names: Array.from({ length: vector.length }, (_, i) => `spk${i}`) };
    };
  },
};

registerFeatureSet(speechSet('encoder', true));
registerFeatureSet(speechSet('encoder-frames', false));
registerFeatureSet(speakerSet);
