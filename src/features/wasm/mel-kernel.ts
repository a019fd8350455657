import { EmovoxInputError } from '../../util/errors.js';
import { sparseMelFilterbank, type SparseFilterbank } from '../filters.js';
import { pffftPlan } from '../../dsp/pffft.js';
import type { FeatureMatrix } from '../../dsp/matrix.js';
import type { MfccOptions } from '../mel.js';
import { frameCount } from '../../dsp/frame.js';
import { resolveStft } from '../../dsp/stft.js';
import { cosineWindow } from '../../dsp/window.js';
import { unwindowedSpectra } from '../../dsp/unwindowed-frames.js';
import { checkAudio, checkRate, type AudioSamples } from '../../dsp/validate.js';
import { MEL_KERNEL_WASM_BASE64 } from './mel-kernel.wasm.js';
import { compileKernel, growMemory } from '../../dsp/wasm-kernel.js';

/**
 * The MFCC hot path in WebAssembly SIMD (float32, compiled from mel-kernel.as.ts): per frame the
 * PFFFT spectrum is copied into the kernel's memory, which applies the cosine window as a 3-tap
 * convolution, takes |.|^2, sums the mel filters (each a dense run of weights padded to 4), and
 * takes `10 log10(max(1e-10, .))` (vectorised Cephes logf); after the last frame it clips at
 * `max - 80` dB and runs the DCT-II (lifter folded into the basis). librosa computes this chain
 * in float32 too; the float64 JavaScript path in mel.ts stays the fallback.
 */
interface KernelExports {
  memory: WebAssembly.Memory;
  melDbFrame(
    zx: number,
    nBins: number,
    q: number,
    g: number,
    power: number,
    nMelsPad: number,
    starts: number,
    lens: number,
    weights: number,
    amin: number,
    out: number,
  ): number;
  dctFrames(
    logmel: number,
    frames: number,
    nMelsPad: number,
    floor: number,
    basis: number,
    nOutPad: number,
    out: number,
    nOut: number,
  ): void;
}

let kernelCache: KernelExports | null | undefined;

function instantiate(): KernelExports | null {
  const module = compileKernel(MEL_KERNEL_WASM_BASE64, ['EMOVOX_FFT', 'EMOVOX_MEL_KERNEL']);
  if (module === null) return null;
  try {
    const instance = new WebAssembly.Instance(module, {});
    const ex = instance.exports as unknown as KernelExports;
    if (
      !(ex.memory instanceof WebAssembly.Memory) ||
      typeof ex.melDbFrame !== 'function' ||
      typeof ex.dctFrames !== 'function'
    )
      return null;
    return ex;
  } catch {
    return null;
  }
}

function kernel(): KernelExports | null {
  if (kernelCache === undefined) kernelCache = instantiate();
  return kernelCache;
}

/** True when the WebAssembly SIMD kernel loaded (false with EMOVOX_FFT=js or EMOVOX_MEL_KERNEL=js). */
export function melKernelAvailable(): boolean {
  return kernel() !== null;
}

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Byte offsets of the kernel's buffers for one configuration (static part first). */
interface Layout {
  readonly key: string;
  readonly nFft: number;
  readonly nBins: number;
  readonly nMels: number;
  readonly nMelsPad: number;
  readonly nMfcc: number;
  readonly nOutPad: number;
  readonly zx: number;
  readonly power: number;
  readonly starts: number;
  readonly lens: number;
  readonly weights: number;
  readonly basis: number;
  /** First byte after the static part (the per-call log-mel and output buffers follow). */
  readonly end: number;
}

let loaded: Layout | null = null;

/** Lays out and writes the filterbank and DCT basis into kernel memory (skipped when unchanged). */
function loadLayout(
  ex: KernelExports,
  key: string,
  fb: SparseFilterbank,
  nFft: number,
  nMfcc: number,
  lifter: number,
): Layout | null {
  if (loaded !== null && loaded.key === key) return loaded;
  const nBins = (nFft >> 1) + 1;
  const nMels = fb.rows;
  const nMelsPad = roundUp(nMels, 4);
  const nOutPad = roundUp(nMfcc, 8);
  const lens = new Int32Array(nMelsPad);
  for (let m = 0; m < nMels; m++) lens[m] = roundUp(fb.length[m], 4);
  let totalWeights = 0;
  for (let m = 0; m < nMelsPad; m++) totalWeights += lens[m];
  const zx = 0;
  const power = zx + 4 * roundUp(nFft + 32, 4);
  const starts = power + 4 * (roundUp(nBins, 4) + 8);
  const lensAt = starts + 4 * nMelsPad;
  const weights = lensAt + 4 * nMelsPad;
  const basis = weights + 4 * totalWeights;
  const end = basis + 4 * nMelsPad * nOutPad;
  if (!growMemory(ex.memory, end)) return null;
  const buf = ex.memory.buffer;
  new Uint8Array(buf, 0, end).fill(0);
  const s = new Int32Array(buf, starts, nMelsPad);
  for (let m = 0; m < nMels; m++) s[m] = fb.start[m];
  new Int32Array(buf, lensAt, nMelsPad).set(lens);
  const w = new Float32Array(buf, weights, totalWeights);
  let at = 0;
  for (let m = 0; m < nMels; m++) {
    for (let j = 0; j < fb.length[m]; j++) w[at + j] = fb.weights[fb.offset[m] + j];
    at += lens[m];
  }
  const b = new Float32Array(buf, basis, nMelsPad * nOutPad);
  for (let k = 0; k < nMfcc; k++) {
    const scale = k === 0 ? Math.sqrt(1 / nMels) : Math.sqrt(2 / nMels);
    const lift = lifter > 0 ? 1 + (lifter / 2) * Math.sin((Math.PI * (k + 1)) / lifter) : 1;
    for (let i = 0; i < nMels; i++)
      b[i * nOutPad + k] = scale * lift * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * nMels));
  }
  loaded = {
    key,
    nFft,
    nBins,
    nMels,
    nMelsPad,
    nMfcc,
    nOutPad,
    zx,
    power,
    starts,
    lens: lensAt,
    weights,
    basis,
    end,
  };
  return loaded;
}

/**
 * Largest per-call buffer (log-mel rows and output) kept in kernel memory, which never shrinks:
 * 64 MiB, about 50 minutes at 16 kHz with hop 512 and 128 mels; longer inputs use the JavaScript
 * path.
 */
const MAX_CALL_BYTES = 64 << 20;

/**
 * {@link mfcc}'s fused path through the WebAssembly kernel, or null when it does not apply
 * (kernel or PFFFT unavailable, power other than 2, a window that is not Hann / Hamming over the
 * whole FFT, nMfcc > nMels): the caller then uses the JavaScript path, which also reports those
 * errors. Validates the audio, rate and STFT options as melSpectrogram64 does.
 *
 * @param y mono signal.
 * @param sr sample rate in Hz.
 * @param options mfcc options (S is not used here).
 * @param nMfcc number of coefficients.
 * @param lifter cepstral lifter (0 = none).
 * @param source name used in error messages.
 * @returns frames x nMfcc, or null.
 */
export function mfccByKernel(
  y: AudioSamples,
  sr: number,
  options: MfccOptions | undefined,
  nMfcc: number,
  lifter: number,
  source: string,
): FeatureMatrix | null {
  checkAudio(y, source);
  checkRate(sr, source);
  const p = resolveStft(options, source);
  const power = options?.power ?? 2.0;
  if (power !== 2) return null;
  const ex = kernel();
  if (ex === null) return null;
  const cosine = cosineWindow(p.window, p.winLength, p.nFft);
  if (cosine === null) return null;
  const fft = pffftPlan(p.nFft);
  if (fft === null) return null;
  const fb = sparseMelFilterbank(sr, p.nFft, options);
  if (nMfcc > fb.rows) return null;
  const frames = frameCount(y.length, p.nFft, p.hopLength, p.center);
  if (frames < 1)
    throw new EmovoxInputError(
      'y',
      `audio of ${y.length} samples is shorter than nFft ${p.nFft} with center=false (${source})`,
    );
  const o = options ?? {};
  const key = `${sr}|${p.nFft}|${o.nMels}|${o.fmin}|${o.fmax}|${o.htk}|${String(o.norm)}|${nMfcc}|${lifter}`;
  const callBytes = 4 * (frames * (roundUp(fb.rows, 4) + nMfcc) + roundUp(nMfcc, 8));
  if (callBytes > MAX_CALL_BYTES) return null;
  const L = loadLayout(ex, key, fb, p.nFft, nMfcc, lifter);
  if (L === null) return null;
  const logmel = L.end;
  const out = logmel + 4 * frames * L.nMelsPad;
  if (!growMemory(ex.memory, out + 4 * (frames * nMfcc + L.nOutPad))) return null;
  const zxView = new Float32Array(ex.memory.buffer, L.zx, p.nFft + 8);
  const q = cosine[1] / 2 / cosine[0];
  const g = cosine[0] * cosine[0];
  const spectrumOf = unwindowedSpectra(fft, y, p);
  let dbMax = -Infinity;
  const rowBytes = 4 * L.nMelsPad;
  for (let t = 0; t < frames; t++) {
    zxView.set(spectrumOf(t));
    const rowMax = ex.melDbFrame(
      L.zx,
      L.nBins,
      q,
      g,
      L.power,
      L.nMelsPad,
      L.starts,
      L.lens,
      L.weights,
      1e-10,
      logmel + t * rowBytes,
    );
    if (rowMax > dbMax) dbMax = rowMax;
  }
  ex.dctFrames(logmel, frames, L.nMelsPad, dbMax - 80, L.basis, L.nOutPad, out, nMfcc);
  const data = new Float32Array(ex.memory.buffer, out, frames * nMfcc).slice();
  return { data, frames, bins: nMfcc };
}
