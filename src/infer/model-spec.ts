// What a recogniser needs from a bundle's manifest (model.json): labels, the front end's
// description, the calibration. Pure (no Node API, no onnxruntime): the Node recogniser and the
// browser's onnxruntime-web recogniser read bundles through the same rules.
import type { BundleInputSpec, BundlePreprocess } from '../models/bundle.js';
import type { InputNormalization } from '../models/normalization.js';
import { EmovoxInputError } from '../util/errors.js';
import type { FrontEndSpec } from './frontend.js';
import { defaultLowConfidenceThreshold } from './scores.js';

/** Metadata key of a bundle's low-confidence threshold (a number as text). */
export const LOW_CONFIDENCE_KEY = 'emovox.lowConfidenceBelow';

/**
 * The low-confidence threshold of a bundle: its stored `emovox.lowConfidenceBelow` when that is
 * a number in [0, 1], else {@link defaultLowConfidenceThreshold} for `classes` classes.
 */
export function lowConfidenceThreshold(
  metadata: Record<string, string> | undefined,
  classes: number,
): number {
  const stored = Number(metadata?.[LOW_CONFIDENCE_KEY]);
  return Number.isFinite(stored) && stored >= 0 && stored <= 1
    ? stored
    : defaultLowConfidenceThreshold(classes);
}

/** A bundle as a recogniser sees it. */
export interface RecognizerSpec {
  /** Class names in model output order. */
  labels: string[];
  /** The front end's description (inputs, preprocessing, normalisation). */
  frontEnd: FrontEndSpec;
  /** softmax(logits / temperature); 1 when the bundle has no calibration. */
  temperature: number;
  lowConfidenceBelow: number;
  /** File name of the ONNX graph beside model.json (default `model.onnx`). */
  onnxFile: string;
  /** Free-form metadata of the bundle. */
  metadata: Record<string, string>;
  /** The model card object, when the bundle has one. */
  card?: Record<string, unknown>;
}

/** The parts of model.json this module reads (a format-2 manifest has all of them). */
interface ManifestLike {
  format?: unknown;
  version?: unknown;
  emovox?: unknown;
  labels?: unknown;
  metadata?: Record<string, string>;
  inputs?: Record<string, BundleInputSpec>;
  preprocess?: BundlePreprocess;
  normalization?: Record<string, InputNormalization>;
  calibration?: { temperature?: unknown };
  card?: Record<string, unknown>;
  files?: { onnx?: unknown };
}

/**
 * Reads a bundle manifest (the parsed `model.json`) for recognition.
 * @param manifest - the parsed JSON.
 * @param source - name used in errors (the bundle's path or URL).
 * @throws EmovoxInputError(source, problem) when it is not an emovox manifest, is format 1 (no
 *   feature description), or has no labels.
 */
export function recognizerSpec(manifest: unknown, source = 'model.json'): RecognizerSpec {
  const m = manifest as ManifestLike;
  if (typeof m !== 'object' || m === null || m.format !== 'emovox-model')
    throw new EmovoxInputError(source, 'not an emovox model manifest');
  if (m.version !== 2) {
    throw new EmovoxInputError(
      source,
      m.version === 1
        ? 'bundle has no feature description (format 1): recognising audio needs a format-2 bundle'
        : `unsupported bundle format ${JSON.stringify(m.version)}`,
    );
  }
  if (!m.inputs || typeof m.inputs !== 'object' || Object.keys(m.inputs).length === 0)
    throw new EmovoxInputError(source, 'bundle has no feature description');
  const labels = m.labels;
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string'))
    throw new EmovoxInputError(source, 'bundle has no class labels');
  const t = Number(m.calibration?.temperature ?? 1);
  if (!(t > 0) || !Number.isFinite(t))
    throw new EmovoxInputError(source, `calibration temperature must be > 0, got ${String(t)}`);
  const onnx = m.files?.onnx;
  const onnxFile = typeof onnx === 'string' && /^[\w.-]+\.onnx$/.test(onnx) ? onnx : 'model.onnx';
  return {
    labels: labels as string[],
    frontEnd: { inputs: m.inputs, preprocess: m.preprocess, normalization: m.normalization },
    temperature: t,
    lowConfidenceBelow: lowConfidenceThreshold(m.metadata, labels.length),
    onnxFile,
    metadata: m.metadata ?? {},
    ...(m.card ? { card: m.card } : {}),
  };
}
