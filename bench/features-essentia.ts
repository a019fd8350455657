// essentia.js side of the feature benchmark. essentia.js is AGPL-3.0: it is NOT a dependency of
// emovox. The benchmark installs it on demand from the npm registry into the git-ignored scratch
// folder .cache/bench/essentia (never into package.json) and reports it unavailable if that fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const N_FFT = 2048;
const HOP = 512;
const VERSION = '0.1.3';

/** The handful of essentia.js calls the benchmark uses (embind objects, freed with delete()). */
interface EmVector {
  delete(): void;
}
interface EssentiaApi {
  arrayToVector(a: Float32Array): EmVector;
  vectorToArray(v: EmVector): Float32Array;
  Windowing(
    frame: EmVector,
    normalized: boolean,
    size: number,
    type: string,
    zeroPadding: number,
    zeroPhase: boolean,
  ): { frame: EmVector };
  Spectrum(frame: EmVector, size: number): { spectrum: EmVector };
  MFCC(spectrum: EmVector, ...args: (number | string)[]): { mfcc: EmVector; bands: EmVector };
  SpectralPeaks(
    spectrum: EmVector,
    ...args: (number | string)[]
  ): { frequencies: EmVector; magnitudes: EmVector };
  HPCP(
    frequencies: EmVector,
    magnitudes: EmVector,
    ...args: (number | string | boolean)[]
  ): { hpcp: EmVector };
  version: string;
}

/** Loaded essentia.js, or why it is unavailable. */
export type EssentiaHandle = { api: EssentiaApi; version: string } | { unavailable: string };

/**
 * Loads essentia.js from `<root>/.cache/bench/essentia`, installing it there first
 * (`npm install --prefix ... --no-save`) when missing.
 */
export function loadEssentia(root: string): EssentiaHandle {
  const dir = join(root, '.cache', 'bench', 'essentia');
  const entry = join(dir, 'node_modules', 'essentia.js', 'index.js');
  if (!existsSync(entry)) {
    mkdirSync(dir, { recursive: true });
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        `essentia.js@${VERSION}`,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
      ],
      { encoding: 'utf8', timeout: 180_000 },
    );
    if (npm.status !== 0 || !existsSync(entry)) {
      const stderr = npm.stderr ?? '';
      const summary = stderr
        .split('\n')
        .filter((l) => /^npm error (code|errno|network|request|notarget|404)/.test(l))
        .slice(0, 3)
        .join('; ');
      return {
        unavailable: `npm install essentia.js failed: ${summary || npm.error?.message || stderr.trim().slice(-300)}`,
      };
    }
  }
  try {
    const mod = createRequire(entry)(entry) as {
      Essentia: new (wasm: unknown) => EssentiaApi;
      EssentiaWASM: unknown;
    };
    const api = new mod.Essentia(mod.EssentiaWASM);
    return { api, version: api.version };
  } catch (error) {
    return {
      unavailable: `essentia.js did not load: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function padded(y: Float32Array): { signal: Float32Array; frames: number } {
  const pad = N_FFT / 2;
  const signal = new Float32Array(y.length + 2 * pad);
  signal.set(y, pad);
  return { signal, frames: 1 + Math.floor((signal.length - N_FFT) / HOP) };
}

function spectrumOf(api: EssentiaApi, frame: Float32Array): { spectrum: EmVector; free: () => void } {
  const v = api.arrayToVector(frame);
  const w = api.Windowing(v, true, N_FFT, 'hann', 0, false);
  const s = api.Spectrum(w.frame, N_FFT);
  return {
    spectrum: s.spectrum,
    free: () => {
      v.delete();
      w.frame.delete();
      s.spectrum.delete();
    },
  };
}

/**
 * essentia's MFCC configured like librosa's: 128 Slaney mel bands (unit-sum), power spectrum,
 * dB amplitude, 40 coefficients, 2 Hz to Nyquist.
 */
function slaneyMfcc40(api: EssentiaApi, spectrum: EmVector, sr: number): { mfcc: EmVector; bands: EmVector } {
  return api.MFCC(
    spectrum,
    2,
    sr / 2,
    N_FFT / 2 + 1,
    0,
    'dbamp',
    0,
    'unit_sum',
    128,
    40,
    sr,
    1e-10,
    'power',
    'slaneyMel',
    'warping',
  );
}

/** MFCC-40 (128 slaney mel bands, 0-8 kHz) per frame at 16 kHz. */
export function essentiaMfcc40(
  api: EssentiaApi,
  clips: readonly Float32Array[],
): { values: number; checksum: number } {
  let values = 0;
  let checksum = 0;
  for (const y of clips) {
    const { signal, frames } = padded(y);
    for (let t = 0; t < frames; t++) {
      const { spectrum, free } = spectrumOf(api, signal.subarray(t * HOP, t * HOP + N_FFT));
      const m = slaneyMfcc40(api, spectrum, 16000);
      const mfcc = api.vectorToArray(m.mfcc);
      values += mfcc.length;
      checksum += mfcc[0];
      m.mfcc.delete();
      m.bands.delete();
      free();
    }
  }
  return { values, checksum };
}

/** 180-value clip vector at 22050 Hz: time means of MFCC (40), HPCP chroma (12), mel bands (128). */
export function essentiaVector180(
  api: EssentiaApi,
  clips: readonly Float32Array[],
): { values: number; checksum: number } {
  let values = 0;
  let checksum = 0;
  for (const y of clips) {
    const { signal, frames } = padded(y);
    const sum = new Float64Array(180);
    for (let t = 0; t < frames; t++) {
      const { spectrum, free } = spectrumOf(api, signal.subarray(t * HOP, t * HOP + N_FFT));
      const m = slaneyMfcc40(api, spectrum, 22050);
      const p = api.SpectralPeaks(spectrum, 0, 5000, 100, 40, 'magnitude', 22050);
      const h = api.HPCP(
        p.frequencies,
        p.magnitudes,
        true,
        500,
        0,
        5000,
        false,
        40,
        false,
        'unitMax',
        440,
        22050,
        12,
        'squaredCosine',
        1,
      );
      const mfcc = api.vectorToArray(m.mfcc);
      const bands = api.vectorToArray(m.bands);
      const hpcp = api.vectorToArray(h.hpcp);
      for (let i = 0; i < 40; i++) sum[i] += mfcc[i];
      for (let i = 0; i < 12; i++) sum[40 + i] += hpcp[i];
      for (let i = 0; i < 128; i++) sum[52 + i] += bands[i];
      for (const v of [m.mfcc, m.bands, p.frequencies, p.magnitudes, h.hpcp]) v.delete();
      free();
    }
    const vector = Float32Array.from(sum, (v) => v / frames);
    values += vector.length;
    checksum += vector[0];
  }
  return { values, checksum };
}
