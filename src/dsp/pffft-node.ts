// Node-only: gives the dsp core PFFFT's wasm from the installed @echogarden/pffft-wasm package.
// Imported for its effect by Node entry points (the package root, the extraction pipeline);
// never by anything a browser bundle reaches.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setPffftLoader } from './pffft.js';

/** Path of the SIMD `pffft.wasm` in the installed @echogarden/pffft-wasm package. */
export function pffftWasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@echogarden/pffft-wasm/simd')), 'pffft.wasm');
}

/**
 * Registers the lazy Node loader of PFFFT (read on first use). With `EMOVOX_FFT=js` in the
 * environment it registers nothing, so every FFT runs in fft.js (float64).
 */
export function registerNodePffft(): void {
  if (process.env.EMOVOX_FFT === 'js') return;
  setPffftLoader(() => readFileSync(pffftWasmPath()));
}

registerNodePffft();
