import { VERSION } from '../../version.js';
import { resolveConfig, type ModelConfig, type Resolved } from '../config.js';
import { modelInputs } from '../plan.js';
import { checkWeights, type WeightMap } from '../weights.js';
import { OnnxGraphBuilder } from './graph.js';
import * as L from './layers.js';

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

function conv1dBranch(
  g: OnnxGraphBuilder,
  w: WeightMap,
  features: string,
  prefix: string,
  blocks: number,
  pool: number,
  fold: boolean,
): string {
  let x = g.node('Unsqueeze', [features, g.ints('axes', [1])]);
  for (let i = 0; i < blocks; i++)
    x = L.convBlock(g, w, x, `${prefix}convs.${i}`, `${prefix}bns.${i}`, pool, 1, fold);
  return L.globalAvgPool(g, x);
}

function conv2dBranch(
  g: OnnxGraphBuilder,
  w: WeightMap,
  image: string,
  prefix: string,
  blocks: number,
  fold: boolean,
): string {
  let x = image;
  for (let i = 0; i < blocks; i++)
    x = L.convBlock(g, w, x, `${prefix}convs.${i}`, `${prefix}bns.${i}`, 2, 2, fold);
  return L.globalAvgPool(g, x);
}

function logitsFor(
  g: OnnxGraphBuilder,
  c: Resolved<ModelConfig>,
  w: WeightMap,
  inputs: string[],
  fold: boolean,
): string {
  switch (c.kind) {
    case 'mlp': {
      let x = inputs[0];
      for (let i = 0; i < c.hidden.length; i++) x = g.node('Relu', [L.linear(g, w, x, `hidden.${i}`)]);
      return L.linear(g, w, x, 'head');
    }
    case 'cnn1d':
      return L.classifierHead(g, w, conv1dBranch(g, w, inputs[0], '', c.channels.length, c.pool, fold));
    case 'cnn2d':
      return L.classifierHead(g, w, conv2dBranch(g, w, inputs[0], '', c.channels.length, fold));
    case 'hybrid': {
      const v = conv1dBranch(g, w, inputs[0], 'vector.', c.vectorChannels.length, 2, fold);
      const s = conv2dBranch(g, w, inputs[1], 'image.', c.imageChannels.length, fold);
      return L.classifierHead(g, w, g.node('Concat', [v, s], { axis: 1 }));
    }
    case 'bilstmAttention': {
      const [frames, lengths] = inputs;
      const seq = L.biLstm(g, w, frames, lengths, c.layers, c.hidden);
      const mask = L.lengthMask(g, frames, lengths);
      let pooled: string;
      if (c.attention === 'additive') pooled = L.additivePool(g, w, seq, mask);
      else if (c.attention === 'temporal') pooled = L.temporalPool(g, w, seq, mask);
      else pooled = L.maskedMean(g, L.multiHeadSelfAttention(g, w, seq, mask, c.heads), mask);
      if (c.extraDim > 0) pooled = g.node('Concat', [pooled, inputs[2]], { axis: 1 });
      return L.classifierHead(g, w, pooled);
    }
    case 'fusion': {
      let a = inputs[0];
      for (let i = 0; i < c.audioHidden.length; i++) a = g.node('Relu', [L.linear(g, w, a, `audio.${i}`)]);
      const text =
        c.textInput === 'tokens' ? L.embeddingMeanPool(g, w, inputs[1], 'text.embedding') : inputs[1];
      const t = g.node('Relu', [L.linear(g, w, text, 'text.proj')]);
      return L.classifierHead(g, w, g.node('Concat', [a, t], { axis: 1 }));
    }
  }
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
  const inputs = modelInputs(c).map((i) => g.input(i.name, i.elem, i.shape));
  const logits = logitsFor(g, c, weights, inputs, options.foldBatchNorm ?? true);
  g.output(logits, 'logits', 'float32', ['batch', c.classes]);
  g.output(g.node('Softmax', [logits], { axis: 1 }), 'probabilities', 'float32', ['batch', c.classes]);
  const metadata: Record<string, string> = {
    'emovox.config': JSON.stringify(c),
    ...(options.metadata ?? {}),
  };
  if (options.labels) metadata.labels = JSON.stringify(options.labels);
  return g.toBytes(`emovox_${c.kind}`, metadata, VERSION);
}
