// The resampler's WebAssembly SIMD kernel (float32: polyphase dot products and an FFT
// overlap-save stage, src/audio/wasm/resample-kernel.as.ts) against the float64 JavaScript path
// (resampleJs: the same plans with fft.js, which cuts the FFT stage into power-of-two blocks and
// decimates in time where the kernel folds the spectrum and uses 3 x 2^k-point transforms), over
// every kind of plan (one polyphase stage, two polyphase stages, FFT with and without a second
// stage, integer decimation by FFT with and without folding, exact and interpolated phases),
// every preset, and lengths from 0 samples to several FFT blocks; plus the plans' shapes and the
// committed binary being the build of the committed source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resample, resampleJs, resamplePlan, type ResampleQuality } from '../../src/audio/resample.js';
import { resampleKernelAvailable } from '../../src/audio/wasm/resample-kernel.js';

const kernelOff = process.env.EMOVOX_RESAMPLE === 'js';
const skip = kernelOff ? 'kernel disabled by EMOVOX_RESAMPLE=js' : false;

/** Noise, a chirp and a click, within [-1, 1]. */
function signal(n: number, seed: number): Float32Array {
  const y = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    y[i] = 0.45 * (s / 2 ** 32 - 0.5) + 0.45 * Math.sin(0.00002 * i * i + 0.3) + (i === n >> 1 ? 0.09 : 0);
  }
  return y;
}

const PAIRS: Array<[number, number]> = [
  [16000, 22050],
  [22050, 16000],
  [48000, 16000],
  [44100, 16000],
  [16000, 48000],
  [32000, 16000],
  [96000, 16000],
  [8000, 16000],
  [44100, 16001],
  [16000, 17600.5],
  [16000, 15999],
  [44100, 4000],
  [44100, 20000],
  [192000, 4000],
];

test('the WebAssembly kernel is in use', { skip }, () => {
  assert.ok(resampleKernelAvailable());
});

test('kernel and JavaScript paths agree within 1e-6 for every plan, preset and length', { skip }, () => {
  const kinds = new Set<string>();
  for (const quality of ['high', 'medium', 'low'] as ResampleQuality[]) {
    for (const [srIn, srOut] of PAIRS) {
      const plan = resamplePlan(srIn, srOut, quality);
      kinds.add(
        plan.stages
          .map((s) => (s.kind === 'fft' ? `fft/U${s.U}/D${s.D}` : s.exact ? 'poly' : 'poly-interp'))
          .join('+'),
      );
      for (const n of [0, 1, 7, 100, 2999, 40000]) {
        const y = signal(n, n + srIn);
        const a = resample(y, srIn, srOut, { quality });
        const b = resampleJs(y, srIn, srOut, { quality });
        assert.equal(a.length, b.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        assert.ok(worst <= 1e-6, `${quality} ${srIn}->${srOut} n=${n}: max difference ${worst}`);
      }
    }
  }
  for (const k of [
    'poly',
    'poly-interp',
    'poly+poly',
    'fft/U2/D1+poly',
    'fft/U2/D1+poly-interp',
    'fft/U1/D1+poly',
    'fft/U1/D2+poly',
    'fft/U1/D3',
    'fft/U1/D6',
  ])
    assert.ok(kinds.has(k), `plan kind ${k} not covered (${[...kinds].join(', ')})`);
});

test('plans: the FFT stage for long filters, one polyphase stage for short ones', () => {
  const shape = (a: number, b: number, q: ResampleQuality): string =>
    resamplePlan(a, b, q)
      .stages.map((s) => (s.kind === 'fft' ? `fft U${s.U} D${s.D}` : `poly ${s.kernel.taps}`))
      .join(' + ');
  assert.equal(shape(16000, 22050, 'high'), 'fft U2 D1 + poly 16');
  assert.equal(shape(48000, 16000, 'high'), 'fft U1 D3');
  assert.equal(shape(16000, 22050, 'low'), 'poly 32');
});

test('the committed resample-kernel.wasm.ts is the build of resample-kernel.as.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-wasm-test-'));
  try {
    execFileSync(
      process.execPath,
      ['scripts/build-wasm.mjs', '--out-dir', dir, '--only', 'resample-kernel'],
      {
        stdio: 'pipe',
      },
    );
    const committed = readFileSync('src/audio/wasm/resample-kernel.wasm.ts', 'utf8');
    const built = readFileSync(join(dir, 'resample-kernel.wasm.ts'), 'utf8');
    assert.equal(built, committed, 'run npm run build:wasm and commit the result');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
