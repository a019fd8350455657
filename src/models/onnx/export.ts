import { VERSION } from '../../version.js';
import { kindOf } from '../arch/index.js';
import { resolveConfig, type ModelConfig } from '../config.js';
import { checkWeights, type WeightMap } from '../weights.js';
import { OnnxGraphBuilder } from './graph.js';

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** Class names stored in the model metadata (`labels`, JSON array), in output order. */
  labels?: string[];
  /** Extra string metadata to store. */
  metadata?: Record<string, string>;
  /**
   * Fold each BatchNorm into the preceding convolution (default true: one Conv node per block,
   * faster in onnxruntime-web); false writes BatchNormalization nodes with the running statistics.
   */
  foldBatchNorm?: boolean;
}

/**
 * Writes a model as ONNX (opset 17) from its configuration and weights alone — no libtorch.
 * Graph inputs are those of {@link modelInputs} with a dynamic `batch` axis (and dynamic
 * `frames` / `tokens` axes for sequence inputs); outputs are `logits` [batch, classes] and
 * `probabilities` (softmax of the logits). BatchNorm is exported in inference mode
 * (folded into the preceding Conv by default, else BatchNormalization with the running
 * statistics), Dropout is omitted. The metadata holds
 * `emovox.config` (JSON) and, when given, `labels` (JSON array).
 * @param config - model configuration.
 * @param weights - every parameter and buffer named as in {@link parameterSpecs}.
 * @param options - labels and extra metadata.
 * @returns the serialised ModelProto bytes.
 * @throws EmovoxInputError('onnx export', problem) when weights do not match the config.
 */
export function exportOnnx(
  config: ModelConfig,
  weights: WeightMap,
  options: OnnxExportOptions = {},
): Uint8Array {
  const c = resolveConfig(config);
  checkWeights(c, weights, 'onnx export');
  const g = new OnnxGraphBuilder();
  const kind = kindOf(c.kind);
  const inputs: Record<string, string> = {};
  for (const i of kind.inputs(c)) inputs[i.name] = g.input(i.name, i.elem, i.shape);
  const logits = kind.onnx(g, c, weights, inputs, { foldBatchNorm: options.foldBatchNorm ?? true });
  g.output(logits, 'logits', 'float32', ['batch', c.classes]);
  g.output(g.node('Softmax', [logits], { axis: 1 }), 'probabilities', 'float32', ['batch', c.classes]);
  const metadata: Record<string, string> = {
    'emovox.config': JSON.stringify(c),
    ...(options.metadata ?? {}),
  };
  if (options.labels) metadata.labels = JSON.stringify(options.labels);
  return g.toBytes(`emovox_${c.kind}`, metadata, VERSION);
}
