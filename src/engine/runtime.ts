import { EmovoxParameterError } from '../util/errors.js';
import { native } from './native.js';

/** libtorch version the addon was built against (e.g. "1.13.1"). */
export function torchVersion(): string {
  return native().torchVersion();
}

/** Whether a CUDA device is usable (needs an addon built against a CUDA libtorch; see docs/engine.md). */
export function cudaAvailable(): boolean {
  return native().cudaIsAvailable();
}

/** Number of CUDA devices (0 on CPU-only builds). */
export function cudaDeviceCount(): number {
  return native().cudaDeviceCount();
}

/** Seeds libtorch's CPU (and CUDA) generators: rand, randn, dropout, init. Same role as torch.manual_seed. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0)
    throw new EmovoxParameterError('seed', `manualSeed: must be a non-negative integer, got ${seed}`);
  native().manualSeed(seed);
}

/** Intra-op thread count (torch.set_num_threads). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new EmovoxParameterError('n', `setNumThreads: must be a positive integer, got ${n}`);
  native().setNumThreads(n);
}

/** Intra-op thread count (torch.get_num_threads). */
export function getNumThreads(): number {
  return native().getNumThreads();
}

/**
 * Inter-op thread count (torch.set_num_interop_threads). libtorch allows setting it once, before
 * any inter-op parallel work; a second call throws.
 */
export function setNumInteropThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new EmovoxParameterError('n', `setNumInteropThreads: must be a positive integer, got ${n}`);
  native().setNumInteropThreads(n);
}

/** Inter-op thread count (torch.get_num_interop_threads). */
export function getNumInteropThreads(): number {
  return native().getNumInteropThreads();
}

/** Tensors currently holding storage in the addon (created and not disposed); for leak checks. */
export function liveTensorCount(): number {
  return native().liveTensors();
}

/** Whether autograd currently records operations. */
export function isGradEnabled(): boolean {
  return native().isGradEnabled();
}

function withGradMode<T>(flag: boolean, fn: () => T): T {
  const addon = native();
  const previous = addon.isGradEnabled();
  addon.setGradEnabled(flag);
  try {
    const result = fn();
    if (result instanceof Promise)
      throw new EmovoxParameterError('fn', 'noGrad/enableGrad: must be synchronous (it returned a Promise)');
    return result;
  } finally {
    addon.setGradEnabled(previous);
  }
}

/** Runs `fn` with autograd off (torch.no_grad): evaluation, parameter updates, metrics. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with autograd on, even inside `noGrad` (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
