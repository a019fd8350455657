import FFT from 'fft.js';

/**
 * Float32 real FFT from PFFFT (BSD-3-Clause, @echogarden/pffft-wasm 0.4.2, WebAssembly SIMD),
 * instantiated synchronously so the feature functions stay synchronous. It is about 5x faster
 * than fft.js on 2048 points and is used for the mel / MFCC hot loop only, where librosa itself
 * computes a float32 (complex64) STFT. The package's Emscripten glue is async, so this module
 * wires the three imports itself; the export names are those of the pinned 0.4.2 build, and a
 * self-test against fft.js guards them: on any failure callers get `null` and use the float64
 * fft.js path instead.
 *
 * This module never reads files: the wasm arrives as bytes or a compiled module through
 * {@link initPffft} / {@link loadPffft}, or lazily from a loader set with
 * {@link setPffftLoader} (the Node entry registers one that reads the installed package, see
 * pffft-node.ts). Until then PFFFT is off and every caller uses fft.js.
 */
interface PffftExports {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  free(ptr: number): void;
  newSetup(n: number, kind: number): number;
  transformOrdered(setup: number, input: number, output: number, work: number, direction: number): void;
}

/** PFFFT's wasm: the bytes of `pffft.wasm` (SIMD build of @echogarden/pffft-wasm 0.4.2) or that module compiled. */
export type PffftWasm = BufferSource | WebAssembly.Module;

/** A source {@link setPffftLoader} consults once, on first use; null or a throw leaves PFFFT off. */
export type PffftLoader = () => PffftWasm | null;

/** The instantiated wasm (null: off), or undefined while not decided yet. */
let exportsCache: PffftExports | null | undefined;
/** True when the current state came from initPffft / loadPffft (a loader never overrides it). */
let explicit = false;
let loader: PffftLoader | null = null;

/** The import object of the 0.4.2 build; `holder.memory` is filled in after instantiation. */
function pffftImports(holder: { memory?: WebAssembly.Memory }): WebAssembly.Imports {
  return {
    a: {
      a: () => {
        throw new Error('PFFFT assertion failed');
      },
      b: (requested: number) => {
        const mem = holder.memory as WebAssembly.Memory;
        const need = requested - mem.buffer.byteLength;
        if (need <= 0) return 1;
        try {
          mem.grow(Math.ceil(need / 65536));
          return 1;
        } catch {
          return 0;
        }
      },
      c: (dest: number, src: number, num: number) => {
        new Uint8Array((holder.memory as WebAssembly.Memory).buffer).copyWithin(dest, src, src + num);
      },
    },
  };
}

/** The named exports of an instance of the 0.4.2 build, or null when they are not there. */
function wire(instance: WebAssembly.Instance, holder: { memory?: WebAssembly.Memory }): PffftExports | null {
  const ex = instance.exports as Record<string, unknown>;
  const memory = ex.d as WebAssembly.Memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (![ex.e, ex.f, ex.h, ex.k, ex.p].every((f) => typeof f === 'function')) return null;
  holder.memory = memory;
  (ex.e as () => void)(); // static constructors
  return {
    memory,
    malloc: ex.f as PffftExports['malloc'], // pffft_aligned_malloc
    free: ex.h as PffftExports['free'], // pffft_aligned_free
    newSetup: ex.k as PffftExports['newSetup'],
    transformOrdered: ex.p as PffftExports['transformOrdered'],
  };
}

function instantiateSync(wasm: PffftWasm): PffftExports | null {
  try {
    const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm);
    const holder: { memory?: WebAssembly.Memory } = {};
    return wire(new WebAssembly.Instance(module, pffftImports(holder)), holder);
  } catch {
    return null;
  }
}

function use(ex: PffftExports | null): boolean {
  exportsCache = ex;
  explicit = true;
  planCache.clear();
  return ex !== null;
}

/**
 * Instantiates PFFFT now, synchronously, from its wasm bytes or compiled module (browsers allow
 * synchronous compilation of large modules only off the main thread: there, compile first with
 * `WebAssembly.compile` or use {@link loadPffft}). `null` turns PFFFT off (fft.js everywhere).
 * Replaces any earlier instance and drops cached plans.
 *
 * @returns true when PFFFT is now in use (each plan still passes a self-test before use).
 */
export function initPffft(wasm: PffftWasm | null): boolean {
  return use(wasm === null ? null : instantiateSync(wasm));
}

/**
 * {@link initPffft} for browsers' main threads: instantiates asynchronously from bytes, a
 * compiled module, a fetch `Response`, or a URL that is fetched (e.g. where `pffft.wasm` from
 * `@echogarden/pffft-wasm/dist/simd/` is served).
 *
 * @returns true when PFFFT is now in use; false (fft.js stays in use) when it cannot load.
 */
export async function loadPffft(source: PffftWasm | Response | URL | string): Promise<boolean> {
  try {
    let wasm: PffftWasm;
    if (typeof source === 'string' || source instanceof URL) wasm = await (await fetch(source)).arrayBuffer();
    else if (typeof Response !== 'undefined' && source instanceof Response) wasm = await source.arrayBuffer();
    else wasm = source;
    const holder: { memory?: WebAssembly.Memory } = {};
    const imports = pffftImports(holder);
    const instance =
      wasm instanceof WebAssembly.Module
        ? await WebAssembly.instantiate(wasm, imports)
        : (await WebAssembly.instantiate(wasm, imports)).instance;
    return use(wire(instance, holder));
  } catch {
    return use(null);
  }
}

/**
 * Sets where PFFFT comes from when neither {@link initPffft} nor {@link loadPffft} was called:
 * `load` runs once, the first time a plan is asked for (the Node entry registers one that reads
 * the installed package). `null` removes the loader.
 */
export function setPffftLoader(load: PffftLoader | null): void {
  loader = load;
  if (!explicit) {
    exportsCache = undefined;
    planCache.clear();
  }
}

function wasm(): PffftExports | null {
  if (exportsCache === undefined) {
    if (loader === null) return null; // undecided: a later loader or init may still provide it
    let source: PffftWasm | null;
    try {
      source = loader();
    } catch {
      source = null;
    }
    exportsCache = source === null ? null : instantiateSync(source);
  }
  return exportsCache;
}

/** True when PFFFT is loaded (or its loader provides it now); false means fft.js is used. */
export function pffftAvailable(): boolean {
  return wasm() !== null;
}

/** A float32 real FFT plan of one size (not re-entrant; one per size per thread). */
export class Pffft {
  readonly size: number;
  private readonly ex: PffftExports;
  private readonly setup: number;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly workPtr: number;
  private inView: Float32Array | null = null;
  private outView: Float32Array | null = null;
  private extView: Float32Array | null = null;
  private blockPtr = 0;
  private blockCapacity = 0;
  private blockView: Float32Array | null = null;

  private constructor(ex: PffftExports, size: number, setup: number) {
    this.ex = ex;
    this.size = size;
    this.setup = setup;
    this.inPtr = ex.malloc(size * 4);
    // 4 spare floats each side of the output (16 bytes keep it SIMD-aligned) for transformExtended
    this.outPtr = ex.malloc((size + 8) * 4) + 16;
    this.workPtr = ex.malloc(size * 4);
  }

  /** A plan for `size`, or null when PFFFT cannot do that size (or is unavailable). */
  static create(size: number): Pffft | null {
    const ex = wasm();
    // PFFFT's real transform asserts size % 32 === 0 (the assertion import throws)
    if (ex === null || size < 32 || size % 32 !== 0) return null;
    let setup = 0;
    try {
      setup = ex.newSetup(size, 0); // PFFFT_REAL
    } catch {
      return null;
    }
    if (setup === 0) return null;
    const plan = new Pffft(ex, size, setup);
    return plan.selfTest() ? plan : null;
  }

  /**
   * The plan's input buffer (in WASM memory): write a frame here, then call
   * {@link powerOfInput}. Valid until the next call to this plan.
   */
  input(): Float32Array {
    if (this.inView === null || this.inView.buffer !== this.ex.memory.buffer) {
      this.inView = new Float32Array(this.ex.memory.buffer, this.inPtr, this.size);
      this.outView = new Float32Array(this.ex.memory.buffer, this.outPtr, this.size);
      this.extView = new Float32Array(this.ex.memory.buffer, this.outPtr - 16, this.size + 8);
    }
    return this.inView;
  }

  /**
   * Power spectrum |X[k]|^2, k = 0..size/2, of the real frame `x` into `power` (float64 out,
   * float32 transform).
   */
  power(x: Float64Array, power: Float64Array): void {
    this.input().set(x);
    this.powerOfInput(power);
  }

  /** Power spectrum of the frame currently in {@link input}. */
  powerOfInput(power: Float64Array): void {
    const n = this.size;
    const z = this.transformInput();
    power[0] = z[0] * z[0];
    power[n >> 1] = z[1] * z[1];
    for (let k = 1; k < n >> 1; k++) {
      const re = z[2 * k];
      const im = z[2 * k + 1];
      power[k] = re * re + im * im;
    }
  }

  /**
   * Transforms the frame currently in {@link input} and returns its spectrum as complex bins
   * with one uniform layout: `X[k] = zx[2k + 4] + i zx[2k + 5]` for k = -1 .. size/2 + 1, where
   * X[-1] = conj X[1] and X[size/2 + 1] = conj X[size/2 - 1] (a view of WASM memory, valid until
   * the next call). The neighbours let a cosine window be applied as the 3-tap convolution
   * `Xw[k] = a0 X[k] - (a1 / 2) (X[k-1] + X[k+1])` with no special cases at the ends.
   */
  transformExtended(): Float32Array {
    return this.extend(this.transformInput());
  }

  /**
   * Copies `y[begin .. begin + count)` into the plan's block buffer in WASM memory (grown as
   * needed), so that consecutive overlapping frames can be transformed in place with
   * {@link transformBlockExtended} instead of being copied one by one.
   */
  loadBlock(y: Float32Array | Float64Array, begin: number, count: number): void {
    if (count > this.blockCapacity) {
      if (this.blockPtr !== 0) this.ex.free(this.blockPtr);
      this.blockPtr = 0;
      this.blockCapacity = 0;
      this.blockPtr = this.ex.malloc(count * 4);
      if (this.blockPtr === 0) throw new RangeError(`PFFFT could not allocate ${count} floats`);
      this.blockCapacity = count;
      this.blockView = null; // malloc may hand back the freed address: never reuse the old view
    }
    if (
      this.blockView === null ||
      this.blockView.buffer !== this.ex.memory.buffer ||
      this.blockView.byteOffset !== this.blockPtr
    )
      this.blockView = new Float32Array(this.ex.memory.buffer, this.blockPtr, this.blockCapacity);
    this.blockView.set(y.subarray(begin, begin + count));
  }

  /**
   * {@link transformExtended} of the frame starting `offset` samples into the block loaded by
   * {@link loadBlock}. `offset` must be a multiple of 4 (PFFFT's SIMD alignment).
   */
  transformBlockExtended(offset: number): Float32Array {
    this.input();
    this.ex.transformOrdered(this.setup, this.blockPtr + 4 * offset, this.outPtr, this.workPtr, 0);
    return this.extend(this.outView as Float32Array);
  }

  private extend(z: Float32Array): Float32Array {
    const zx = this.extView as Float32Array;
    const n = this.size;
    // PFFFT's ordered layout is [X0, X(n/2), re1, im1, ...]: move X(n/2) behind X(n/2 - 1)
    zx[n + 4] = z[1];
    zx[n + 5] = 0;
    zx[5] = 0;
    zx[2] = z[2];
    zx[3] = -z[3];
    zx[n + 6] = z[n - 2];
    zx[n + 7] = -z[n - 1];
    return zx;
  }

  /**
   * Transforms the frame currently in {@link input} and returns the spectrum (a view of WASM
   * memory, valid until the next call) in PFFFT's ordered real layout:
   * `[X0, X(n/2), re1, im1, re2, im2, ...]`.
   */
  transformInput(): Float32Array {
    this.input();
    this.ex.transformOrdered(this.setup, this.inPtr, this.outPtr, this.workPtr, 0);
    return this.outView as Float32Array;
  }

  private selfTest(): boolean {
    const n = this.size;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++)
      x[i] = Math.sin(0.37 * i) + 0.5 * Math.cos(2.1 * i) + ((i * 7919) % 13) / 13 - 0.5;
    const ours = new Float64Array((n >> 1) + 1);
    this.power(x, ours);
    const ref = new Float64Array(2 * n);
    const isPow2 = (n & (n - 1)) === 0;
    if (!isPow2) return true; // fft.js cannot check it; sizes used here are powers of two
    new FFT(n).realTransform(ref, x);
    let maxErr = 0;
    let maxRef = 0;
    for (let k = 0; k <= n >> 1; k++) {
      const p = ref[2 * k] ** 2 + ref[2 * k + 1] ** 2;
      maxErr = Math.max(maxErr, Math.abs(p - ours[k]));
      maxRef = Math.max(maxRef, p);
    }
    return maxErr <= 1e-5 * maxRef;
  }
}

const planCache = new Map<number, Pffft | null>();

/** Cached float32 plan for `size`, or null (then use fft.js). */
export function pffftPlan(size: number): Pffft | null {
  if (!planCache.has(size)) planCache.set(size, Pffft.create(size));
  return planCache.get(size) ?? null;
}
