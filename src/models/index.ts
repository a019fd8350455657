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
export type { ModelKind, Forward, OnnxKindOptions, ConfigOf } from './arch/kind.js';
export * from './layers/module.js';
export * from './layers/basic.js';
export * from './layers/recurrent.js';
export * from './layers/attention.js';
export * from './zoo.js';
export { exportOnnx, type OnnxExportOptions } from './onnx/export.js';
export { OnnxGraphBuilder, ONNX_OPSET, ONNX_IR_VERSION } from './onnx/graph.js';
export { readOnnxMetadata } from './onnx/metadata.js';
