import { VERSION } from '../../version.js';
import { kindOf } from '../arch/index.js';
import { resolveConfig, type ModelConfig } from '../config.js';
import { checkWeights, type WeightMap } from '../weights.js';
import { OnnxGraphBuilder } from './graph.js';
import { EmovoxInputError } from '../../util/errors.js';

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
  /**
   * A multi-label + regression model (CMU-MOSEI): the first `labels` outputs are independent
   * label logits and the next `regression` are values. Then `probabilities` is the sigmoid of the
   * label logits [batch, labels] (not a softmax) and a `regression` output [batch, regression]
   * is added; metadata `emovox.task` records the layout. Default: single-label (softmax).
   */
  multitask?: { labels: number; regression: number };
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
  const task = options.multitask;
  if (task) {
    if (task.labels < 1 || task.regression < 0 || task.labels + task.regression !== c.classes)
      throw new EmovoxInputError(
        'onnx export',
        `multitask layout ${task.labels} + ${task.regression} does not match ${c.classes} outputs`,
      );
    const columns = (from: number, to: number) =>
      g.node('Slice', [logits, g.ints('start', [from]), g.ints('end', [to]), g.ints('axis', [1])]);
    g.output(g.node('Sigmoid', [columns(0, task.labels)]), 'probabilities', 'float32', [
      'batch',
      task.labels,
    ]);
    if (task.regression > 0)
      g.output(columns(task.labels, c.classes), 'regression', 'float32', ['batch', task.regression]);
  } else {
    g.output(g.node('Softmax', [logits], { axis: 1 }), 'probabilities', 'float32', ['batch', c.classes]);
  }
  const metadata: Record<string, string> = {
    'emovox.config': JSON.stringify(c),
    ...(task ? { 'emovox.task': JSON.stringify({ kind: 'multitask', ...task }) } : {}),
    ...(options.metadata ?? {}),
  };
  if (options.labels) metadata.labels = JSON.stringify(options.labels);
  return g.toBytes(`emovox_${c.kind}`, metadata, VERSION);
}
