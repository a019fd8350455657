#!/usr/bin/env node
// Builds the libtorch addon (native/build/Release/emovox_torch.node) with node-gyp.
// Usage: node scripts/build-native.mjs [--require] [--clean]
//   --require  fail (exit 1) when libtorch is missing or the build fails; CI passes it.
//   --clean    rebuild from scratch (default: configure + incremental build; gyp's Makefiles
//              recompile a file when its sources or its compiler command line change).
// Without --require a missing libtorch is reported and the script exits 0, so installing
// emovox and running ONNX inference never need libtorch.
// Env: LIBTORCH=/path/to/libtorch (official / CUDA build), JOBS (parallel compile jobs, default 2),
//      LIBTORCH_CXX11_ABI=0|1 (override the detected C++ ABI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = join(root, 'native');
const required = process.argv.includes('--require');

function fail(message) {
  console.error(message);
  if (required) process.exit(1);
  console.error(
    'note: the training engine stays unavailable; import, feature extraction and ONNX inference still work.',
  );
  process.exit(0);
}

const probe = spawnSync(process.execPath, [join(nativeDir, 'src', 'torch-config.mjs'), 'describe'], {
  encoding: 'utf8',
});
let found;
try {
  found = JSON.parse(probe.stdout);
} catch {
  fail(`libtorch probe failed: ${probe.stderr || probe.stdout}`);
}
if (!found.found) {
  fail(
    `libtorch not found (${found.error}): apt-get install libtorch-dev, or set LIBTORCH=/path/to/libtorch`,
  );
}
console.log(
  `libtorch: ${found.source} (lib ${found.libdir}, C++11 ABI ${found.cxx11Abi}, CUDA ${found.cuda ? 'yes' : 'no'})`,
);

// node-gyp: this package's dev dependency, else the copy npm ships (npm sets npm_config_node_gyp).
function nodeGypScript() {
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const npmGyp = process.env.npm_config_node_gyp;
    if (npmGyp && existsSync(npmGyp)) return npmGyp;
    return undefined;
  }
}
const gyp = nodeGypScript();
if (!gyp) fail('node-gyp not found: npm install --save-dev node-gyp (or run through npm run build:native)');

// Use the running Node's own headers when present (no download; the build machine may be offline).
const common = [];
const nodeDir = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) {
  common.push(`--nodedir=${nodeDir}`);
}
const steps = process.argv.includes('--clean')
  ? [['rebuild', `--jobs=${process.env.JOBS ?? '2'}`]]
  : [['configure'], ['build', `--jobs=${process.env.JOBS ?? '2'}`]];
const started = Date.now();
for (const step of steps) {
  const result = spawnSync(process.execPath, [gyp, ...step, ...common], { cwd: nativeDir, stdio: 'inherit' });
  if (result.status !== 0)
    fail(`native build failed (node-gyp ${step[0]}, exit ${result.status}); see the output above`);
}
console.log(
  `built native/build/Release/emovox_torch.node in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
