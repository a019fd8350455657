/**
 * ONNX inference with onnxruntime-node. Imports nothing from the libtorch engine.
 */
export * from './session.js';
