/**
 * Model zoo: one module per model kind (src/models/arch/, listed in arch/registry.ts),
 * configurations, layers over the libtorch engine, save/load, Keras-like summary and ONNX export
 * (engine-free: export works from a saved bundle without libtorch).
 */
export * from './config.js';
export * from './plan.js';
export * from './weights.js';
export * from './bundle.js';
export * from './summary.js';
export * from './safetensors.js';
export * from './pretrained.js';
export * from './arch/registry.js';
export type { ModelKind, ModelHost, Forward, OnnxKindOptions, ConfigOf } from './arch/kind.js';
export type { AnyModelKind } from './arch/index.js';
export type { FusionMode } from './arch/fusion.js';
// `InputLayout` is also the encoders' input description, hence the alias.
export {
  MIN_STD,
  SpeakerNormalizer,
  type ChannelStats,
  type InputNormalization,
  type InputLayout as BundleInputLayout,
} from './normalization.js';
export * from './layers/module.js';
export * from './layers/basic.js';
export * from './layers/recurrent.js';
export * from './layers/attention.js';
export { ConvBranch } from './layers/blocks.js';
export { ModuleNode, ModuleTree } from './layers/tree.js';
export { TransformerEncoderLayer, WindowConv1d, type TransformerLayerOptions } from './layers/text.js';
export * from './zoo.js';
export { exportOnnx, type OnnxExportOptions } from './onnx/export.js';
export {
  OnnxGraphBuilder,
  ONNX_OPSET,
  ONNX_IR_VERSION,
  type OnnxElemType,
  type OnnxDim,
  type OnnxAttr,
} from './onnx/graph.js';
export { readOnnxMetadata } from './onnx/metadata.js';
