import type { BinPairs } from '../filters.js';
import { CHROMA_KERNEL_WASM_BASE64 } from './chroma-kernel.wasm.js';
import { compileKernel, growMemory } from '../../dsp/wasm-kernel.js';

/**
 * vector180's per-bin work in WebAssembly float64 SIMD (compiled from chroma-kernel.as.ts): the
 * windowed power and magnitude spectrum of each frame, its mel bank, and the 12-bin chroma
 * product. It performs
 * the JavaScript path's float64 operations in the same order, two lanes at a time, so both paths
 * give the same bits (a test holds them to that); the JavaScript path stays the fallback
 * (no WebAssembly SIMD, `EMOVOX_CHROMA_KERNEL=js` or `EMOVOX_FFT=js`).
 */
interface KernelExports {
  memory: WebAssembly.Memory;
  powerMag(zx: number, nBins: number, a0: number, c: number, power: number, mag: number): number;
  chromaFrames(mag: number, frames: number, bins: number, wT: number, out: number): void;
  melPairs(
    power: number,
    first: number,
    index: number,
    lu: number,
    segStart: number,
    runs: number,
    out: number,
    rows: number,
  ): void;
}

let kernelCache: KernelExports | null | undefined;
let enabled = true;

function instantiate(): KernelExports | null {
  const module = compileKernel(CHROMA_KERNEL_WASM_BASE64, ['EMOVOX_FFT', 'EMOVOX_CHROMA_KERNEL']);
  if (module === null) return null;
  try {
    const ex = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    if (
      !(ex.memory instanceof WebAssembly.Memory) ||
      typeof ex.powerMag !== 'function' ||
      typeof ex.chromaFrames !== 'function' ||
      typeof ex.melPairs !== 'function'
    )
      return null;
    return ex;
  } catch {
    return null;
  }
}

function kernel(): KernelExports | null {
  if (!enabled) return null;
  if (kernelCache === undefined) kernelCache = instantiate();
  return kernelCache;
}

/** True when the kernel is loaded and enabled (see {@link setChromaKernelEnabled}). */
export function chromaKernelAvailable(): boolean {
  return kernel() !== null;
}

/**
 * Turns the kernel off (JavaScript path) or back on, for tests and benchmarks that compare the
 * two paths in one process. On by default.
 */
export function setChromaKernelEnabled(on: boolean): void {
  enabled = on;
}

/** Largest kernel memory one call may use (the magnitude spectrogram dominates): 512 MiB. */
const MAX_BYTES = 512 << 20;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

interface Layout {
  zx: number;
  power: number;
  index: number;
  lu: number;
  segStart: number;
  wT: number;
  out: number;
  logMel: number;
  mag: number;
}

/**
 * Buffers for one vector180 call in kernel memory: the extended spectrum of the current frame
 * (float32), its power row, the mel bank in bin-pair form, the log-mel rows and the whole
 * magnitude spectrogram (float64), the chroma weights and the raw chroma output. `power`,
 * `logMel` and `mag` are views of them.
 */
export class ChromaKernelRun {
  readonly power: Float64Array;
  readonly mag: Float64Array;
  /** frames x rows mel values, written by {@link mel} (the caller turns them into dB in place). */
  readonly logMel: Float64Array;
  private readonly ex: KernelExports;
  private readonly bins: number;
  private readonly frames: number;
  private readonly rows: number;
  private readonly pairs: BinPairs;
  private readonly zx: Float32Array;
  private readonly at: Layout;

  private constructor(
    ex: KernelExports,
    bins: number,
    frames: number,
    pairs: BinPairs,
    rows: number,
    at: Layout,
    nFft: number,
  ) {
    this.ex = ex;
    this.bins = bins;
    this.frames = frames;
    this.pairs = pairs;
    this.rows = rows;
    this.at = at;
    const buf = ex.memory.buffer;
    this.zx = new Float32Array(buf, at.zx, nFft + 8);
    this.power = new Float64Array(buf, at.power, bins);
    this.mag = new Float64Array(buf, at.mag, frames * bins);
    this.logMel = new Float64Array(buf, at.logMel, frames * rows);
    const n = pairs.index.length;
    new Int32Array(buf, at.index, n).set(pairs.index);
    const lu = new Float64Array(buf, at.lu, 2 * n);
    for (let j = 0; j < n; j++) {
      lu[2 * j] = pairs.lower[j];
      lu[2 * j + 1] = pairs.upper[j];
    }
    new Int32Array(buf, at.segStart, pairs.segStart.length).set(pairs.segStart);
  }

  /**
   * Lays out kernel memory for `frames` frames of an nFft-point spectrum, a mel bank of `rows`
   * filters in bin-pair form and 12 chroma bins, or returns null (kernel off, or more memory
   * than {@link MAX_BYTES} or the engine gives).
   */
  static create(nFft: number, frames: number, pairs: BinPairs, rows: number): ChromaKernelRun | null {
    const ex = kernel();
    if (ex === null) return null;
    const bins = (nFft >> 1) + 1;
    const n = pairs.index.length;
    const zx = 0;
    const power = roundUp(4 * (nFft + 8), 16);
    const index = power + roundUp(8 * bins, 16);
    const lu = index + roundUp(4 * n, 16);
    const segStart = lu + 16 * n;
    const wT = segStart + roundUp(4 * pairs.segStart.length, 16);
    const out = wT + 8 * 12 * bins;
    const logMel = out + roundUp(8 * 12 * frames, 16);
    const mag = logMel + roundUp(8 * rows * frames, 16);
    const end = mag + 8 * frames * bins;
    if (end > MAX_BYTES) return null;
    if (!growMemory(ex.memory, end)) return null;
    const at = { zx, power, index, lu, segStart, wT, out, logMel, mag };
    return new ChromaKernelRun(ex, bins, frames, pairs, rows, at, nFft);
  }

  /**
   * Power and magnitude of frame `t` from its extended spectrum (see Pffft.transformExtended)
   * with the cosine window `a0 - 2c cos` applied in the spectrum: into {@link power} and row t
   * of {@link mag}. Returns the frame's largest power.
   */
  frame(t: number, extended: Float32Array, a0: number, c: number): number {
    this.zx.set(extended);
    return this.ex.powerMag(this.at.zx, this.bins, a0, c, this.at.power, this.at.mag + 8 * t * this.bins);
  }

  /** The mel bank of the current {@link power} row into row t of {@link logMel}. */
  mel(t: number): void {
    const { at, pairs } = this;
    this.ex.melPairs(
      at.power,
      pairs.first,
      at.index,
      at.lu,
      at.segStart,
      pairs.segStart.length - 1,
      at.logMel + 8 * t * this.rows,
      this.rows,
    );
  }

  /** Raw chroma (frames x 12) of the stored magnitudes through weights `wT` (bins x 12, bin-major). */
  chroma(wT: Float64Array): Float64Array {
    const buf = this.ex.memory.buffer;
    new Float64Array(buf, this.at.wT, 12 * this.bins).set(wT);
    this.ex.chromaFrames(this.at.mag, this.frames, this.bins, this.at.wT, this.at.out);
    return new Float64Array(buf, this.at.out, 12 * this.frames);
  }
}
