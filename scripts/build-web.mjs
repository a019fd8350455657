#!/usr/bin/env node
// Builds the web page (web/) into a self-contained folder (default dist/web/): the page's
// TypeScript bundled by esbuild for the browser, the WebAssembly runtimes (onnxruntime-web,
// PFFFT) and the models (the bundled emovox-acted7, Silero VAD v5) copied from the repository
// and node_modules, and a service worker that precaches all of it so the page works offline
// once loaded. Nothing is downloaded. `emovox serve` serves this folder as its web root.
//
// Usage: node scripts/build-web.mjs [--out-dir DIR] [--no-minify]
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The files copied as they are: destination (relative to the output folder) <- source. */
const COPIED = {
  'index.html': 'web/index.html',
  'icon.svg': 'web/icon.svg',
  'manifest.webmanifest': 'web/manifest.webmanifest',
  'ort/ort-wasm-simd-threaded.wasm': 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
  'pffft.wasm': 'node_modules/@echogarden/pffft-wasm/dist/simd/pffft.wasm',
  'models/emovox-acted7/model.json': 'models/emovox-acted7/model.json',
  'models/emovox-acted7/model.onnx': 'models/emovox-acted7/model.onnx',
  'models/emovox-acted7/MODEL_CARD.md': 'models/emovox-acted7/MODEL_CARD.md',
  'vad/silero_vad_v5.onnx': 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx',
};

/**
 * Fails the build on any Node built-in module (`node:fs`, `fs`, ...) reachable from an entry,
 * naming the importer: the browser entry and the page must stay Node-free.
 */
export const noNodeModules = {
  name: 'no-node-modules',
  setup(build) {
    const builtins = new Set([
      'assert',
      'buffer',
      'child_process',
      'crypto',
      'events',
      'fs',
      'module',
      'net',
      'os',
      'path',
      'process',
      'stream',
      'url',
      'util',
      'worker_threads',
      'zlib',
      'http',
      'https',
      'tty',
      'perf_hooks',
      'v8',
      'vm',
    ]);
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/^node:/, '').split('/')[0];
      if (args.path.startsWith('node:') || (builtins.has(bare) && !args.path.startsWith('.')))
        return {
          errors: [
            {
              text: `Node module '${args.path}' is reachable from the browser build (imported by ${relative(root, args.importer) || args.importer})`,
            },
          ],
        };
      return undefined;
    });
  },
};

/** The npm packages (name -> folder) that files under node_modules belong to. */
function packagesOf(paths) {
  const out = new Map();
  for (const p of paths) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
    if (m) out.set(m[1], join(root, 'node_modules', m[1]));
  }
  return out;
}

/**
 * The licence of every third-party package whose code or files the page ships (bundled into the
 * JavaScript, or copied: the wasm runtimes and Silero), with the package's licence text.
 */
function notices(metafile) {
  const packages = packagesOf([...Object.keys(metafile.inputs), ...Object.values(COPIED)]);
  const parts = [
    'emovox web page: third-party software it ships (bundled JavaScript, WebAssembly and model files).',
    'Silero VAD v5 (vad/silero_vad_v5.onnx, from @ricky0123/vad-web): MIT, snakers4/silero-vad.',
    'The emovox-acted7 model: see its card in models/emovox-acted7/model.json (non-commercial terms).',
  ];
  for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    parts.push(
      `${'='.repeat(78)}\n${name}@${pkg.version}: ${pkg.license ?? 'see its licence text'}\n` +
        (licenceFile ? `\n${readFileSync(join(dir, licenceFile), 'utf8').trim()}\n` : ''),
    );
  }
  return `${parts.join('\n\n')}\n`;
}

/** Files under `dir`, relative, with forward slashes, sorted. */
function listFiles(dir, base = dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}

/**
 * Builds the page.
 * @param {{ outDir?: string, minify?: boolean, quiet?: boolean }} options - `outDir` default
 *   `dist/web` (relative to the repository root), `minify` default true.
 * @returns {Promise<{ outDir: string, files: Record<string, number> }>} the output folder and
 *   every file's size in bytes.
 */
export async function buildWeb(options = {}) {
  const outDir = resolve(root, options.outDir ?? 'dist/web');
  const minify = options.minify ?? true;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [to, from] of Object.entries(COPIED)) {
    mkdirSync(dirname(join(outDir, to)), { recursive: true });
    copyFileSync(join(root, from), join(outDir, to));
  }
  const common = {
    bundle: true,
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari16'],
    minify,
    sourcemap: false,
    legalComments: 'none', // THIRD-PARTY-NOTICES.txt carries every bundled package's licence
    logLevel: 'error',
    absWorkingDir: root,
    plugins: [noNodeModules],
  };
  // Code splitting keeps what loads on demand in files of its own: libFLAC's wasm decoder (only
  // for 25- to 32-bit FLAC) and its LGPL frame parser (codec-parser) stay a separate,
  // replaceable file instead of being merged into app.js.
  const page = await esbuild.build({
    ...common,
    entryPoints: {
      app: 'web/main.ts',
      'engine-worker': 'web/engine-worker.ts',
      'capture-worklet': 'web/capture-worklet.ts',
      style: 'web/style.css',
    },
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    outdir: outDir,
  });
  writeFileSync(join(outDir, 'THIRD-PARTY-NOTICES.txt'), notices(page.metafile));
  // The service worker goes last: it precaches every other file under a name that changes with
  // their contents, so a rebuilt page replaces the old cache.
  const assets = listFiles(outDir);
  const hash = createHash('sha256');
  for (const f of assets) hash.update(f).update(readFileSync(join(outDir, f)));
  await esbuild.build({
    ...common,
    entryPoints: { sw: 'web/sw.ts' },
    format: 'iife',
    outdir: outDir,
    define: {
      __PRECACHE__: JSON.stringify(['./', ...assets]),
      __CACHE_NAME__: JSON.stringify(`emovox-web-${hash.digest('hex').slice(0, 16)}`),
    },
  });
  const files = {};
  for (const f of listFiles(outDir)) files[f] = statSync(join(outDir, f)).size;
  if (!options.quiet) {
    const total = Object.values(files).reduce((a, b) => a + b, 0);
    console.log(
      `built ${relative(root, outDir) || outDir}: ${Object.keys(files).length} files, ${(total / 2 ** 20).toFixed(2)} MiB`,
    );
  }
  return { outDir, files };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out-dir');
  await buildWeb({ outDir: at >= 0 ? args[at + 1] : undefined, minify: !args.includes('--no-minify') });
}
