/**
 * emovox training engine: a thin TypeScript layer over libtorch (native addon in native/).
 * Importing it never loads libtorch; the addon loads on first use and, when it is missing,
 * calls throw EngineUnavailableError with install instructions.
 *
 * Names are kept distinct from the rest of the package: functional ops live in the `ops`
 * namespace (`ops.linear`, `ops.crossEntropy`), initialisers in `init`.
 */
export { Tensor, type Shape, type TensorLike, type TensorOptions, type NestedNumbers } from './tensor.js';
export {
  EngineUnavailableError,
  engineAvailable,
  engineUnavailableReason,
  nativeAddonPath,
  type NativeOptimizerOptions,
  type DType,
  type Device,
  type TensorData,
} from './native.js';
export { tidy, keep, dispose, scopeDepth, ScopedResource } from './scope.js';
export {
  torchVersion,
  cudaAvailable,
  cudaDeviceCount,
  manualSeed,
  setNumThreads,
  getNumThreads,
  setNumInteropThreads,
  getNumInteropThreads,
  liveTensorCount,
  isGradEnabled,
  noGrad,
  enableGrad,
} from './runtime.js';
export {
  Optimizer,
  Adam,
  AdamW,
  SGD,
  clipGradNorm,
  type AdamOptions,
  type SgdOptions,
  type OptimizerState,
  type OptimizerStateBuffer,
} from './optim.js';
export type {
  Reduction,
  ConvOptions,
  BatchNormOptions,
  PoolOptions,
  RnnOptions,
  MultiHeadAttentionParams,
  CrossEntropyOptions,
} from './ops.js';
export type { ParamOptions, KaimingOptions, RnnParams, RnnParamOptions } from './init.js';
import * as ops from './ops.js';
import * as init from './init.js';
export { ops, init };
