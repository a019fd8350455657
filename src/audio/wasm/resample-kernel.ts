import {
  fftBlocks,
  planRanges,
  stageOrigin,
  type ResamplePlan,
  type ResampleStage,
} from '../resample-plan.js';
import { RESAMPLE_KERNEL_WASM_BASE64 } from './resample-kernel.wasm.js';
import { compileKernel, growMemory } from '../../dsp/wasm-kernel.js';

/**
 * Driver of the polyphase resampling kernel (WebAssembly SIMD, float32, compiled from
 * resample-kernel.as.ts): the plan's tables, the zero-padded input and every stage's output
 * live in the kernel's memory, so a whole conversion costs one copy in and one copy out.
 */
interface KernelExports {
  memory: WebAssembly.Memory;
  polyExact(
    x: number,
    table: number,
    taps: number,
    L: number,
    mDiv: number,
    mMod: number,
    k: number,
    row: number,
    count: number,
    out: number,
  ): void;
  polyInterp(
    x: number,
    table: number,
    taps: number,
    phases: number,
    step: number,
    n0: number,
    base: number,
    count: number,
    out: number,
  ): void;
  fftFilter(
    x: number,
    blocks: number,
    N: number,
    S: number,
    P: number,
    U: number,
    D: number,
    spec: number,
    tw: number,
    twSize: number,
    work: number,
    mFirst: number,
    first: number,
    end: number,
    mid: number,
    fold: number,
    tw3: number,
  ): void;
}

let compiled: WebAssembly.Module | null | undefined;
let shared: { ex: KernelExports; key: string } | null = null;

/**
 * Kernel memory kept between calls (about 6 minutes of 48 kHz audio through two stages); a
 * longer call gets an instance of its own, whose memory goes when it is done.
 */
const SHARED_LIMIT = 64 << 20;

function module(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileKernel(RESAMPLE_KERNEL_WASM_BASE64, ['EMOVOX_RESAMPLE']);
  return compiled;
}

/** True when the WebAssembly SIMD resampling kernel is in use (false with EMOVOX_RESAMPLE=js or no SIMD). */
export function resampleKernelAvailable(): boolean {
  return module() !== null;
}

function instantiate(): KernelExports | null {
  const m = module();
  if (m === null) return null;
  try {
    return new WebAssembly.Instance(m, {}).exports as unknown as KernelExports;
  } catch {
    return null;
  }
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Coefficients a stage keeps in kernel memory (polyphase table or FFT filter spectrum). */
function coefficients(stage: ResampleStage): Float32Array {
  return stage.kind === 'fft' ? stage.kernel.spectrum : stage.kernel.table;
}

/** Power-of-two part of an FFT size (sizes are p or 3 p). */
const powerOfTwoPart = (n: number): number => (n % 3 === 0 ? n / 3 : n);

/** Radix-3 twiddle table length (4 p floats) of the plan's FFT stage, 0 when none. */
function radix3Size(plan: ResamplePlan): number {
  for (const stage of plan.stages)
    if (stage.kind === 'fft' && stage.kernel.N % 3 === 0) return 4 * (stage.kernel.N / 3);
  return 0;
}

/** Size of the twiddle table: the largest transform of the plan (0 without FFT stages). */
function twiddleSize(plan: ResamplePlan): number {
  let size = 0;
  for (const stage of plan.stages)
    if (stage.kind === 'fft') size = Math.max(size, powerOfTwoPart(stage.U * stage.kernel.N));
  return size;
}

/**
 * Resamples `y` by `plan` to `nOut` samples in the kernel, or returns null when the kernel is
 * unavailable or memory cannot grow (the caller then uses the JavaScript path).
 */
export function resampleByKernel(plan: ResamplePlan, y: Float32Array, nOut: number): Float32Array | null {
  if (module() === null) return null;
  const { ranges, input } = planRanges(plan, 'kernel', nOut);
  // layout: twiddles (radix 2/4, then radix 3), each stage's coefficients, FFT work space, input,
  // each stage's output
  const twSize = twiddleSize(plan);
  const tw3 = 16 * twSize;
  let at = align16(tw3 + 4 * radix3Size(plan));
  const tables: number[] = [];
  for (const stage of plan.stages) {
    tables.push(at);
    at = align16(at + 4 * coefficients(stage).length);
  }
  const work = at;
  const longest = Math.max(0, ...plan.stages.map((st) => (st.kind === 'fft' ? st.U * st.kernel.N : 0)));
  at = align16(at + 16 * longest + 192);
  const buffers = [at];
  at = align16(at + 4 * (input[1] - input[0]));
  for (const [first, end] of ranges) {
    buffers.push(at);
    at = align16(at + 4 * (end - first));
  }
  const total = at;
  let ex: KernelExports;
  if (total <= SHARED_LIMIT) {
    if (shared === null) {
      const made = instantiate();
      if (made === null) return null;
      shared = { ex: made, key: '' };
    }
    ex = shared.ex;
    if (!growMemory(ex.memory, total)) return null;
    if (shared.key !== plan.key) {
      writeStatic(ex, plan, twSize, tw3, tables);
      shared.key = plan.key;
    }
  } else {
    const own = instantiate();
    if (own === null || !growMemory(own.memory, total)) return null;
    ex = own;
    writeStatic(ex, plan, twSize, tw3, tables);
  }
  const buf = ex.memory.buffer;
  // zero-padded input: element i is sample input[0] + i
  const u = new Float32Array(buf, buffers[0], input[1] - input[0]);
  u.fill(0);
  const from = Math.max(0, input[0]);
  const to = Math.min(y.length, input[1]);
  if (to > from) u.set(y.subarray(from, to), from - input[0]);
  let uFirst = input[0];
  for (const [i, stage] of plan.stages.entries()) {
    const [first, end] = ranges[i];
    if (stage.kind === 'fft') {
      const { i0, blocks } = fftBlocks(stage, 'kernel', first, end);
      const { N, S, P, fold } = stage.kernel;
      ex.fftFilter(
        buffers[i],
        blocks,
        N,
        S,
        P,
        stage.U,
        stage.D,
        tables[i],
        0,
        twSize,
        work,
        stage.U * i0,
        first,
        end,
        buffers[i + 1],
        fold ? stage.D : 1,
        tw3,
      );
    } else if (stage.exact) {
      const { taps, half } = stage.kernel;
      const k = stageOrigin(stage, first);
      const mDiv = Math.floor(stage.M / stage.L);
      ex.polyExact(
        buffers[i],
        tables[i],
        taps,
        stage.L,
        mDiv,
        stage.M - mDiv * stage.L,
        k - half + 1 - uFirst,
        first * stage.M - k * stage.L,
        end - first,
        buffers[i + 1],
      );
    } else {
      const { taps, half, phases } = stage.kernel;
      ex.polyInterp(
        buffers[i],
        tables[i],
        taps,
        phases,
        stage.step,
        first,
        -half + 1 - uFirst,
        end - first,
        buffers[i + 1],
      );
    }
    uFirst = first;
  }
  // new + set: several times faster than slice() on a view of wasm memory (Node 20)
  const out = new Float32Array(nOut);
  out.set(new Float32Array(buf, buffers[plan.stages.length], nOut));
  return out;
}

/**
 * Twiddles (e^(-i pi k / Ns), then e^(-i 3 pi k / (2 Ns)), at index Ns + k; real parts, then
 * imaginary) and coefficients.
 */
function writeStatic(
  ex: KernelExports,
  plan: ResamplePlan,
  twSize: number,
  tw3: number,
  tables: number[],
): void {
  if (twSize > 0) {
    const tw = new Float32Array(ex.memory.buffer, 0, 4 * twSize);
    for (let ns = 1; ns < twSize; ns <<= 1) {
      for (let k = 0; k < ns; k++) {
        tw[ns + k] = Math.cos((-Math.PI * k) / ns);
        tw[twSize + ns + k] = Math.sin((-Math.PI * k) / ns);
        tw[2 * twSize + ns + k] = Math.cos((-3 * Math.PI * k) / (2 * ns));
        tw[3 * twSize + ns + k] = Math.sin((-3 * Math.PI * k) / (2 * ns));
      }
    }
  }
  const r3 = radix3Size(plan);
  if (r3 > 0) {
    // e^(-2 pi i k / (3 p)) and its square, k < p
    const p = r3 / 4;
    const t = new Float32Array(ex.memory.buffer, tw3, r3);
    for (let k = 0; k < p; k++) {
      t[k] = Math.cos((-2 * Math.PI * k) / (3 * p));
      t[p + k] = Math.sin((-2 * Math.PI * k) / (3 * p));
      t[2 * p + k] = Math.cos((-4 * Math.PI * k) / (3 * p));
      t[3 * p + k] = Math.sin((-4 * Math.PI * k) / (3 * p));
    }
  }
  for (const [i, stage] of plan.stages.entries()) {
    const c = coefficients(stage);
    new Float32Array(ex.memory.buffer, tables[i], c.length).set(c);
  }
}
