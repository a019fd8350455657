import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Element types the engine stores. `bool` tensors come back as Uint8Array (0/1). */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

/** Device names as libtorch spells them: `cpu`, `cuda`, `cuda:1`. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

/** Typed arrays that map one-to-one onto a DType. */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/**
 * Opaque handle to one libtorch tensor held by the addon. `dispose()` frees its storage
 * now (deterministically); the handle is then empty and every use throws.
 */
export interface NativeTensor {
  shape(): number[];
  dtype(): DType;
  device(): string;
  requiresGrad(): boolean;
  setRequiresGrad(flag: boolean): void;
  isDisposed(): boolean;
  dispose(): void;
}

/** Opaque handle to a libtorch optimizer (`torch::optim::Adam` and friends). */
export interface NativeOptimizer {
  step(): void;
  zeroGrad(setToNone: boolean): void;
  setLr(lr: number): void;
  getLr(): number;
  /** Copies of the per-parameter state, in parameter order; null where none exists yet. */
  getState(): (NativeOptimizerParamState | null)[];
  /** Replaces the per-parameter state (one entry per parameter; tensors are copied). */
  setState(state: (NativeOptimizerParamState | null)[]): void;
  dispose(): void;
}

/**
 * One parameter's optimizer state as the addon exchanges it: the step count (Adam/AdamW; 0 for
 * SGD) and named buffers (Adam/AdamW `expAvg`, `expAvgSq`, `maxExpAvgSq` with amsgrad; SGD
 * `momentumBuffer`), each the parameter's shape.
 */
export interface NativeOptimizerParamState {
  step: number;
  buffers: Record<string, NativeTensor>;
}

/** Second operand of binary ops: a tensor or a scalar. */
export type NativeOperand = NativeTensor | number;

/** Options for the libtorch optimizers; field names follow torch::optim::*Options. */
export interface NativeOptimizerOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}

/**
 * Every function the compiled addon (native/src/*.cc) exports. Kept in one place so the
 * TypeScript side and the C++ side can be checked against each other.
 */
export interface NativeAddon {
  /** libtorch version string (e.g. "1.13.1"). */
  torchVersion(): string;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setNumInteropThreads(n: number): void;
  getNumInteropThreads(): number;
  /** Number of tensor handles currently holding storage (created and not yet disposed). */
  liveTensors(): number;
  setGradEnabled(flag: boolean): void;
  isGradEnabled(): boolean;

  fromData(
    data: TensorData,
    shape: number[],
    dtype: DType,
    device: string,
    requiresGrad: boolean,
  ): NativeTensor;
  toData(t: NativeTensor): TensorData;
  item(t: NativeTensor): number;
  full(shape: number[], value: number, dtype: DType, device: string): NativeTensor;
  rand(shape: number[], dtype: DType, device: string): NativeTensor;
  randn(shape: number[], dtype: DType, device: string): NativeTensor;
  randint(low: number, high: number, shape: number[], device: string): NativeTensor;
  randperm(n: number, device: string): NativeTensor;
  arange(start: number, end: number, step: number, dtype: DType, device: string): NativeTensor;
  eye(n: number, dtype: DType, device: string): NativeTensor;

  /** Named elementwise unary op (see UNARY_OPS in native/src/ops.cc). */
  unary(name: string, t: NativeTensor): NativeTensor;
  /** Named elementwise binary op with broadcasting (see BINARY_OPS in native/src/ops.cc). */
  binary(name: string, a: NativeOperand, b: NativeOperand): NativeTensor;
  /** In-place op on `t` without autograd tracking (initialisation, weight loading). */
  inplace(name: string, t: NativeTensor, a: NativeOperand, b: number): void;
  to(t: NativeTensor, dtype: DType, device: string): NativeTensor;
  clone(t: NativeTensor): NativeTensor;
  detach(t: NativeTensor): NativeTensor;
  contiguous(t: NativeTensor): NativeTensor;
  clamp(t: NativeTensor, min: number | null, max: number | null): NativeTensor;
  where(cond: NativeTensor, a: NativeOperand, b: NativeOperand): NativeTensor;
  maskedFill(t: NativeTensor, mask: NativeTensor, value: number): NativeTensor;
  elu(t: NativeTensor, alpha: number): NativeTensor;
  leakyRelu(t: NativeTensor, slope: number): NativeTensor;
  gelu(t: NativeTensor, approximate: 'none' | 'tanh'): NativeTensor;
  softmax(t: NativeTensor, dim: number): NativeTensor;
  logSoftmax(t: NativeTensor, dim: number): NativeTensor;
  matmul(a: NativeTensor, b: NativeTensor): NativeTensor;

  reshape(t: NativeTensor, shape: number[]): NativeTensor;
  view(t: NativeTensor, shape: number[]): NativeTensor;
  permute(t: NativeTensor, dims: number[]): NativeTensor;
  transpose(t: NativeTensor, dim0: number, dim1: number): NativeTensor;
  expand(t: NativeTensor, shape: number[]): NativeTensor;
  flatten(t: NativeTensor, startDim: number, endDim: number): NativeTensor;
  squeeze(t: NativeTensor, dim: number | null): NativeTensor;
  unsqueeze(t: NativeTensor, dim: number): NativeTensor;
  cat(ts: NativeTensor[], dim: number): NativeTensor;
  stack(ts: NativeTensor[], dim: number): NativeTensor;
  slice(t: NativeTensor, dim: number, start: number, end: number, step: number): NativeTensor;
  indexSelect(t: NativeTensor, dim: number, index: NativeTensor): NativeTensor;
  gather(t: NativeTensor, dim: number, index: NativeTensor): NativeTensor;
  pad(t: NativeTensor, pad: number[], value: number): NativeTensor;

  /** Reductions: name in sum, mean, std, var, logsumexp, amax, amin, norm. */
  reduce(name: string, t: NativeTensor, dims: number[] | null, keepdim: boolean): NativeTensor;
  maxDim(t: NativeTensor, dim: number, keepdim: boolean): [NativeTensor, NativeTensor];
  minDim(t: NativeTensor, dim: number, keepdim: boolean): [NativeTensor, NativeTensor];
  argmax(t: NativeTensor, dim: number, keepdim: boolean): NativeTensor;

  linear(x: NativeTensor, w: NativeTensor, b: NativeTensor | null): NativeTensor;
  conv1d(
    x: NativeTensor,
    w: NativeTensor,
    b: NativeTensor | null,
    stride: number[],
    padding: number[],
    dilation: number[],
    groups: number,
  ): NativeTensor;
  conv2d(
    x: NativeTensor,
    w: NativeTensor,
    b: NativeTensor | null,
    stride: number[],
    padding: number[],
    dilation: number[],
    groups: number,
  ): NativeTensor;
  batchNorm(
    x: NativeTensor,
    weight: NativeTensor | null,
    bias: NativeTensor | null,
    runningMean: NativeTensor | null,
    runningVar: NativeTensor | null,
    training: boolean,
    momentum: number,
    eps: number,
  ): NativeTensor;
  layerNorm(
    x: NativeTensor,
    normalizedShape: number[],
    weight: NativeTensor | null,
    bias: NativeTensor | null,
    eps: number,
  ): NativeTensor;
  dropout(x: NativeTensor, p: number, training: boolean): NativeTensor;
  /** kind: max1d, max2d, avg1d, avg2d. */
  pool(
    kind: string,
    x: NativeTensor,
    kernel: number[],
    stride: number[],
    padding: number[],
    ceilMode: boolean,
  ): NativeTensor;
  /** kind: avg1d, avg2d, max1d, max2d. */
  adaptivePool(kind: string, x: NativeTensor, outputSize: number[]): NativeTensor;
  embedding(weight: NativeTensor, indices: NativeTensor, paddingIdx: number): NativeTensor;
  /** Returns [output, hN, cN]. */
  lstm(
    x: NativeTensor,
    h0: NativeTensor,
    c0: NativeTensor,
    params: NativeTensor[],
    hasBiases: boolean,
    numLayers: number,
    dropout: number,
    training: boolean,
    bidirectional: boolean,
    batchFirst: boolean,
  ): [NativeTensor, NativeTensor, NativeTensor];
  /** Returns [output, hN]. */
  gru(
    x: NativeTensor,
    h0: NativeTensor,
    params: NativeTensor[],
    hasBiases: boolean,
    numLayers: number,
    dropout: number,
    training: boolean,
    bidirectional: boolean,
    batchFirst: boolean,
  ): [NativeTensor, NativeTensor];

  /** reduction: 0 none, 1 mean, 2 sum (at::Reduction). */
  crossEntropy(
    logits: NativeTensor,
    target: NativeTensor,
    weight: NativeTensor | null,
    reduction: number,
    ignoreIndex: number,
    labelSmoothing: number,
  ): NativeTensor;
  bceWithLogits(
    logits: NativeTensor,
    target: NativeTensor,
    weight: NativeTensor | null,
    posWeight: NativeTensor | null,
    reduction: number,
  ): NativeTensor;
  mseLoss(a: NativeTensor, b: NativeTensor, reduction: number): NativeTensor;
  nllLoss(
    logProbs: NativeTensor,
    target: NativeTensor,
    weight: NativeTensor | null,
    reduction: number,
    ignoreIndex: number,
  ): NativeTensor;

  backward(t: NativeTensor, gradient: NativeTensor | null, retainGraph: boolean): void;
  /** The accumulated gradient, or null when none exists yet. */
  grad(t: NativeTensor): NativeTensor | null;
  zeroGrad(t: NativeTensor, setToNone: boolean): void;
  clipGradNorm(params: NativeTensor[], maxNorm: number, normType: number): number;
  optimizer(
    kind: 'adam' | 'adamw' | 'sgd',
    params: NativeTensor[],
    options: NativeOptimizerOptions,
  ): NativeOptimizer;
}

/** Thrown by every training-side call when the libtorch addon is not built or cannot load. */
export class EngineUnavailableError extends Error {
  constructor(detail: string) {
    super(
      'emovox training engine unavailable: the libtorch addon is not built or cannot load (' +
        detail +
        '). Install libtorch and build it: `apt-get install libtorch-dev && npm run build:native` ' +
        '(or set LIBTORCH=/path/to/unpacked/libtorch before `npm run build:native`; see docs/engine.md). ' +
        'Inference with ONNX models does not need it.',
    );
    this.name = 'EngineUnavailableError';
  }
}

let cached: NativeAddon | undefined;
let loadError: string | undefined;

/**
 * Where the compiled addon lives: $EMOVOX_NATIVE_ADDON, else native/build/Release/emovox_torch.node
 * in this package (src/engine and dist/engine are both two levels below the package root).
 */
export function nativeAddonPath(): string {
  return (
    process.env.EMOVOX_NATIVE_ADDON ??
    fileURLToPath(new URL('../../native/build/Release/emovox_torch.node', import.meta.url))
  );
}

function tryLoad(): NativeAddon | undefined {
  if (cached || loadError !== undefined) return cached;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    loadError = `${path} does not exist`;
    return undefined;
  }
  // Debian's libtorch links OpenBLAS, whose own thread pool fights libtorch's intra-op threads
  // (a BiLSTM step measured 130-290 ms of CPU instead of 100 ms). OpenBLAS reads this variable
  // once, when the library is loaded with the addon; libtorch's setNumThreads governs the rest.
  process.env.OPENBLAS_NUM_THREADS ??= '1';
  try {
    cached = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (error) {
    loadError = `${path} failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
  return cached;
}

/**
 * The loaded addon. Loaded lazily on first use so that importing emovox (and ONNX inference)
 * never needs libtorch.
 * @throws EngineUnavailableError when the addon is missing or does not load.
 */
export function native(): NativeAddon {
  const addon = tryLoad();
  if (!addon) throw new EngineUnavailableError(loadError ?? 'unknown reason');
  return addon;
}

/** True when the libtorch addon is built and loads; never throws. */
export function engineAvailable(): boolean {
  return tryLoad() !== undefined;
}

/** Why the engine is unavailable (undefined when it loads); for skip messages and diagnostics. */
export function engineUnavailableReason(): string | undefined {
  return tryLoad() ? undefined : loadError;
}
