// The WebAssembly SIMD MFCC kernel (src/features/wasm) against the float64 JavaScript path it
// replaces in mfcc() (melSpectrogram64 + dctCepstrum), over options that change its layout
// (nMels and nMfcc not multiples of 4 / 8, lifter, Hamming), its framing (center off, reflect
// padding, a hop that is not a multiple of 4, Float64Array input) and its memory use (alternating
// configurations and lengths); plus the cases where it must decline, and the committed binary
// being the build of the committed source.
import '../../src/dsp/pffft-node.js'; // PFFFT as in the Node entry
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dctCepstrum } from '../../src/dsp/dct.js';
import { melSpectrogram64, mfcc, type MfccOptions } from '../../src/features/mel.js';
import { melKernelAvailable, mfccByKernel } from '../../src/features/wasm/mel-kernel.js';

const kernelOff = process.env.EMOVOX_FFT === 'js' || process.env.EMOVOX_MEL_KERNEL === 'js';
const skip = kernelOff ? 'kernel disabled by EMOVOX_FFT / EMOVOX_MEL_KERNEL' : false;

function signal(n: number, seed: number): Float32Array {
  const y = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    y[i] = (s / 2 ** 32 - 0.5) * 0.2 + 0.3 * Math.sin(i * 0.05) * Math.exp((-3 * i) / n);
  }
  return y;
}

function jsMfcc(y: Float32Array | Float64Array, sr: number, o: MfccOptions): Float32Array {
  const mel = melSpectrogram64(y, sr, o, 'mfcc', true);
  return dctCepstrum(mel, o.nMfcc ?? 20, o.lifter ?? 0, 'mfcc', mel.dbMax - 80).data;
}

/** max |a - b| / max |b|. */
function relErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let err = 0;
  let max = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    max = Math.max(max, Math.abs(b[i]));
  }
  return err / max;
}

const CASES: { name: string; sr: number; n: number; o: MfccOptions; f64?: boolean }[] = [
  {
    name: 'benchmark setting',
    sr: 16000,
    n: 56000,
    o: { nMfcc: 40, nFft: 2048, hopLength: 512, nMels: 128 },
  },
  { name: 'librosa defaults', sr: 22050, n: 30000, o: {} },
  { name: 'nMels 40, nMfcc 13, lifter 22', sr: 16000, n: 20000, o: { nMfcc: 13, nMels: 40, lifter: 22 } },
  {
    name: 'nMels 26 (not /4), Hamming',
    sr: 8000,
    n: 9000,
    o: { nMels: 26, nMfcc: 26, window: 'hamming', nFft: 512 },
  },
  {
    name: 'center off, odd frames',
    sr: 16000,
    n: 16000 + 7 * 160,
    o: { center: false, nFft: 512, hopLength: 160 },
  },
  {
    name: 'reflect padding, hop 100',
    sr: 16000,
    n: 12345,
    o: { padMode: 'reflect', nFft: 1024, hopLength: 100 },
  },
  {
    name: 'Float64Array input, fmin/fmax',
    sr: 16000,
    n: 15000,
    o: { fmin: 60, fmax: 7000, nMels: 64 },
    f64: true,
  },
  { name: 'shorter than one FFT (centred)', sr: 16000, n: 700, o: { nFft: 2048, hopLength: 512 } },
];

test('the SIMD kernel loads where WebAssembly SIMD exists', { skip }, () => {
  assert.equal(melKernelAvailable(), true);
});

test('kernel MFCC matches the float64 JavaScript path within 1e-5 of the largest value', { skip }, () => {
  // twice, in turn, so each configuration is also run after another one replaced the layout
  for (let pass = 0; pass < 2; pass++) {
    for (const c of CASES) {
      const y32 = signal(c.n, 7 + c.n);
      const y = c.f64 ? Float64Array.from(y32) : y32;
      const got = mfccByKernel(y, c.sr, c.o, c.o.nMfcc ?? 20, c.o.lifter ?? 0, 'mfcc');
      assert.ok(got !== null, `${c.name}: kernel declined`);
      const ref = jsMfcc(y, c.sr, c.o);
      assert.equal(got.bins, c.o.nMfcc ?? 20, c.name);
      assert.equal(got.frames * got.bins, ref.length, c.name);
      const err = relErr(got.data, ref);
      assert.ok(err < 1e-5, `${c.name}: relative error ${err}`);
    }
  }
});

test('mfcc() goes through the kernel, silence included', { skip }, () => {
  const o = { nMfcc: 40, nFft: 2048, hopLength: 512, nMels: 128 };
  const y = signal(40000, 3);
  assert.deepEqual(mfcc(y, 16000, o).data, mfccByKernel(y, 16000, o, 40, 0, 'mfcc')?.data);
  const quiet = new Float32Array(9000);
  const got = mfcc(quiet, 16000, o);
  assert.ok(relErr(got.data, jsMfcc(quiet, 16000, o)) < 1e-5);
  assert.ok(got.data.every(Number.isFinite));
});

test('the kernel declines what it does not implement, and mfcc() still answers or throws as before', () => {
  const y = signal(8000, 5);
  assert.equal(mfccByKernel(y, 16000, { power: 1 }, 20, 0, 'mfcc'), null);
  assert.equal(mfccByKernel(y, 16000, { window: new Float64Array(2048).fill(1) }, 20, 0, 'mfcc'), null);
  assert.equal(mfccByKernel(y, 16000, { winLength: 1024 }, 20, 0, 'mfcc'), null);
  assert.equal(mfccByKernel(y, 16000, { nMels: 16 }, 20, 0, 'mfcc'), null);
  // no PFFFT plan for 400 points (its real transform needs a multiple of 32): fft.js path
  assert.equal(mfccByKernel(y, 16000, { nFft: 400, hopLength: 160 }, 20, 0, 'mfcc'), null);
  const o400 = { nFft: 400, hopLength: 160, nMels: 40 };
  assert.ok(relErr(mfcc(y, 16000, o400).data, jsMfcc(y, 16000, o400)) === 0);
  assert.throws(() => mfcc(y, 16000, { nMels: 16, nMfcc: 20 }), /nMfcc: 20 must be <= nMels = 16 \(mfcc\)/);
  assert.throws(
    () => mfcc(new Float32Array([0, NaN]), 16000),
    /y: audio sample 1 is not finite \(NaN\) \(mfcc\)/,
  );
  assert.throws(() => mfcc(y, 16000, { center: false, nFft: 16384 }), /shorter than nFft/);
  const w = new Float64Array(2048).fill(1);
  assert.ok(relErr(mfcc(y, 16000, { window: w }).data, jsMfcc(y, 16000, { window: w })) < 1e-5);
});

test('the committed *.wasm.ts files are the builds of their AssemblyScript sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-wasm-test-'));
  try {
    execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--out-dir', dir], { stdio: 'pipe' });
    for (const name of ['mel-kernel', 'chroma-kernel']) {
      const committed = readFileSync(`src/features/wasm/${name}.wasm.ts`, 'utf8');
      assert.equal(
        readFileSync(join(dir, `${name}.wasm.ts`), 'utf8'),
        committed,
        `${name}: run npm run build:wasm and commit the result`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
