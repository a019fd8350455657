import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import FFT from 'fft.js';

/**
 * Float32 real FFT from PFFFT (BSD-3-Clause, @echogarden/pffft-wasm 0.4.2, WebAssembly SIMD),
 * instantiated synchronously so the feature functions stay synchronous. It is about 5x faster
 * than fft.js on 2048 points and is used for the mel / MFCC hot loop only, where librosa itself
 * computes a float32 (complex64) STFT. The package's Emscripten glue is async, so this module
 * wires the three imports itself; the export names are those of the pinned 0.4.2 build, and a
 * self-test against fft.js guards them: on any failure (or EMOVOX_FFT=js) callers get `null`
 * and use the float64 fft.js path instead.
 */
interface PffftExports {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  newSetup(n: number, kind: number): number;
  transformOrdered(setup: number, input: number, output: number, work: number, direction: number): void;
}

let exportsCache: PffftExports | null | undefined;

function instantiate(): PffftExports | null {
  if (process.env.EMOVOX_FFT === 'js') return null;
  try {
    const require = createRequire(import.meta.url);
    const glue = require.resolve('@echogarden/pffft-wasm/simd');
    const bytes = readFileSync(join(dirname(glue), 'pffft.wasm'));
    // the imports need the memory, which exists only after instantiation
    const holder: { memory?: WebAssembly.Memory } = {};
    const imports = {
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
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
    const ex = instance.exports as Record<string, unknown>;
    const memory = ex.d as WebAssembly.Memory;
    holder.memory = memory;
    (ex.e as () => void)(); // static constructors
    const out: PffftExports = {
      memory,
      malloc: ex.f as PffftExports['malloc'], // pffft_aligned_malloc
      newSetup: ex.k as PffftExports['newSetup'],
      transformOrdered: ex.p as PffftExports['transformOrdered'],
    };
    if (!(memory instanceof WebAssembly.Memory) || typeof out.newSetup !== 'function') return null;
    return out;
  } catch {
    return null;
  }
}

function wasm(): PffftExports | null {
  if (exportsCache === undefined) exportsCache = instantiate();
  return exportsCache;
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

  private constructor(ex: PffftExports, size: number, setup: number) {
    this.ex = ex;
    this.size = size;
    this.setup = setup;
    this.inPtr = ex.malloc(size * 4);
    this.outPtr = ex.malloc(size * 4);
    this.workPtr = ex.malloc(size * 4);
  }

  /** A plan for `size`, or null when PFFFT cannot do that size (or is unavailable). */
  static create(size: number): Pffft | null {
    const ex = wasm();
    if (ex === null || size < 32) return null;
    const setup = ex.newSetup(size, 0); // PFFFT_REAL
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
