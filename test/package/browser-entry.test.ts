// The browser entry (`emovox/browser`, src/browser/index.ts) bundled by esbuild for a browser
// (platform 'browser') with a plugin that fails the build on any Node built-in: the bundle
// builds, so no `node:` module is reachable from it. A file that does import one must fail the
// same build (the check can fail), and the published entry (dist/browser, through the package's
// `exports`) bundles the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { freshDistSkip } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';

interface BuildScript {
  noNodeModules: esbuild.Plugin;
}
const { noNodeModules } = (await import(join(repoRoot, 'scripts', 'build-web.mjs'))) as BuildScript;

async function bundle(
  entry: string,
  resolveDir = repoRoot,
): Promise<esbuild.BuildResult & { metafile: esbuild.Metafile }> {
  return esbuild.build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [noNodeModules],
  });
}

test('the browser entry bundles for the browser with no Node module reachable', async () => {
  const result = await bundle('./src/browser/index.ts');
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.includes('src/features/sets.ts') && inputs.includes('src/infer/session-web.ts'));
  assert.ok(inputs.some((f) => f.includes('node_modules/onnxruntime-web/')));
  assert.deepEqual(
    inputs.filter((f) => /onnxruntime-node|src\/(extract|engine|train|cli|serve)\//.test(f)),
    [],
  );
  const code = result.outputFiles?.[0].text ?? '';
  assert.ok(code.length > 100_000, `bundle of ${code.length} bytes`);
});

test('the same build fails when a Node module is reachable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-browser-entry-'));
  try {
    writeFileSync(
      join(dir, 'uses-fs.ts'),
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    );
    writeFileSync(join(dir, 'uses-path.ts'), "export { join } from 'path';\n");
    for (const file of ['./uses-fs.ts', './uses-path.ts']) {
      await assert.rejects(bundle(file, dir), (error: Error) => {
        assert.match(
          error.message,
          /Node module '(node:fs|path)' is reachable from the browser build \(imported by /,
        );
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "the published entry 'emovox/browser' (dist) bundles for the browser",
  { skip: freshDistSkip() },
  async () => {
    const result = await bundle('emovox/browser');
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.includes('dist/browser/index.js'), inputs.slice(0, 5).join(', '));
  },
);
