#!/usr/bin/env node
// Locates libtorch for binding.gyp and scripts/build-native.mjs.
//   $LIBTORCH=/path/to/libtorch (include/ + lib/, e.g. the official CUDA build or a pip torch folder)
//   otherwise Debian/Ubuntu libtorch-dev (/usr/include/torch, /usr/lib/<multiarch>/libtorch.so).
// Usage: node torch-config.mjs <includes|libdir|libs|ldflags|abi|describe>
// Prints space-separated values for gyp's <!@(...) expansion; exits 1 with a message when not found.
import fs from 'node:fs';
import path from 'node:path';

function exists(p) {
  try {
    fs.accessSync(p);
    return true;
  } catch {
    return false;
  }
}

function locate() {
  const root = process.env.LIBTORCH;
  if (root) {
    const inc = path.join(root, 'include');
    const lib = path.join(root, 'lib');
    if (
      !exists(path.join(inc, 'torch', 'csrc', 'api', 'include', 'torch', 'torch.h')) ||
      !exists(path.join(lib, 'libtorch.so'))
    ) {
      return {
        error: `LIBTORCH=${root} does not look like libtorch (need include/torch/csrc/api/include/torch/torch.h and lib/libtorch.so)`,
      };
    }
    return {
      source: `LIBTORCH=${root}`,
      includes: [inc, path.join(inc, 'torch', 'csrc', 'api', 'include')],
      libdir: lib,
      cmake: path.join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'),
    };
  }
  const header = '/usr/include/torch/csrc/api/include/torch/torch.h';
  if (!exists(header)) return { error: 'libtorch headers not found (/usr/include/torch)' };
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']) {
    if (exists(path.join(dir, 'libtorch.so'))) {
      return {
        source: 'system libtorch-dev',
        // /usr/include itself is a system dir: passing it as -I breaks libstdc++'s #include_next.
        includes: ['/usr/include/torch/csrc/api/include'],
        libdir: dir,
        cmake: path.join(dir, 'cmake', 'Torch', 'TorchConfig.cmake'),
      };
    }
  }
  return { error: 'libtorch.so not found under /usr/lib' };
}

// The C++ ABI flag must match the one libtorch was compiled with, or linking fails with
// undefined std::__cxx11 symbols. TorchConfig.cmake states it; else look for __cxx11 symbols.
function cxx11Abi(found) {
  if (process.env.LIBTORCH_CXX11_ABI === '0' || process.env.LIBTORCH_CXX11_ABI === '1')
    return process.env.LIBTORCH_CXX11_ABI;
  if (exists(found.cmake)) {
    const m = /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(fs.readFileSync(found.cmake, 'utf8'));
    if (m) return m[1];
  }
  const c10 = path.join(found.libdir, 'libc10.so');
  if (exists(c10)) return fs.readFileSync(c10).includes('St7__cxx11') ? '1' : '0';
  return '1';
}

function hasCuda(found) {
  return exists(path.join(found.libdir, 'libtorch_cuda.so'));
}

const found = locate();
const what = process.argv[2] ?? 'describe';
if (found.error) {
  if (what === 'describe') {
    console.log(JSON.stringify({ found: false, error: found.error }));
    process.exit(0);
  }
  console.error(
    `libtorch not found: ${found.error}. apt-get install libtorch-dev, or set LIBTORCH=/path/to/libtorch`,
  );
  process.exit(1);
}
const libs = ['-ltorch', '-ltorch_cpu', '-lc10'];
// Nothing in the addon references libtorch_cuda directly, so --no-as-needed keeps it linked:
// loading it registers the CUDA backend (otherwise cuda is "not available" at run time).
const cudaLibs = hasCuda(found)
  ? ['-Wl,--no-as-needed', '-ltorch_cuda', '-lc10_cuda', '-Wl,--as-needed']
  : [];
switch (what) {
  case 'includes':
    console.log(found.includes.join(' '));
    break;
  case 'libdir':
    console.log(found.libdir);
    break;
  case 'libs':
    console.log([`-L${found.libdir}`, ...cudaLibs, ...libs].join(' '));
    break;
  case 'ldflags':
    console.log(`-Wl,-rpath,${found.libdir}`);
    break;
  case 'abi':
    console.log(cxx11Abi(found));
    break;
  case 'describe':
    console.log(
      JSON.stringify({
        found: true,
        source: found.source,
        includes: found.includes,
        libdir: found.libdir,
        cxx11Abi: cxx11Abi(found),
        cuda: hasCuda(found),
      }),
    );
    break;
  default:
    console.error(`unknown query ${what}`);
    process.exit(2);
}
