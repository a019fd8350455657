#!/usr/bin/env node
// After tsc: make the CLI entry executable (npm link / bin shims rely on it), and bundle each
// worker-thread script into one file beside it. A worker thread loads its module graph afresh;
// as ~100 separate ES modules that costs ~75 ms of CPU per worker start (measured on
// dist/extract/worker.js), paid before the first file of every batch, server start and job.
// One esbuild bundle per script loads in a fraction of that. Packages stay external (resolved
// from node_modules as before); `workerScript` (src/extract/worker-pool.ts) picks the bundle
// only when it is newer than the script, so a tsc-only rebuild never runs stale code.
import { chmodSync, existsSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

const dist = new URL('../dist/', import.meta.url);
const cli = new URL('cli/main.js', dist);
if (existsSync(cli)) chmodSync(cli, 0o755);

const WORKER_SCRIPTS = ['extract/worker', 'infer/predict-worker', 'serve/worker', 'data/derive-worker'];
for (const stem of WORKER_SCRIPTS) {
  const script = new URL(`${stem}.js`, dist);
  const bundle = new URL(`${stem}.bundle.js`, dist);
  rmSync(bundle, { force: true });
  if (!existsSync(script)) continue;
  await esbuild.build({
    entryPoints: [script.pathname],
    outfile: bundle.pathname,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
}
