import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot as root } from '../helpers/data.js';
import { reachable } from '../helpers/module-graph.js';

// Inference and ONNX export must never load the libtorch engine. Model kind modules hold their
// engine forward pass behind `import type` (which vanishes at run time) and receive the
// engine-backed layers from buildModel, so the walk below follows runtime imports only (the
// walker's self-tests and the table of all layers are in test/architecture/).

/** Files that load libtorch when imported. */
function isEngine(file: string): boolean {
  return (
    file.startsWith('src/engine/') || file.startsWith('src/models/layers/') || file === 'src/models/zoo.ts'
  );
}

for (const entry of ['src/infer/index.ts', 'src/models/onnx/export.ts']) {
  test(`nothing reachable from ${entry} loads the libtorch engine`, () => {
    const files = reachable(entry);
    // Sanity: export dispatches through the registry, so every kind module is loaded.
    assert.ok(files.includes('src/models/arch/registry.ts'), 'the walk reaches the kind registry');
    for (const kind of ['mlp', 'cnn1d', 'cnn2d', 'hybrid', 'bilstm-attention', 'fusion', 'linear']) {
      assert.ok(files.includes(`src/models/arch/${kind}.ts`), `the walk reaches arch/${kind}.ts`);
    }
    if (entry === 'src/infer/index.ts') assert.ok(files.includes('src/models/onnx/export.ts'));
    assert.deepEqual(files.filter(isEngine), []);
  });
}

test('a bundle exports and runs with the engine made unloadable', () => {
  // The module loader itself refuses src/engine: if any import on the inference path reaches
  // it at run time (whatever the walk above thinks), loading throws.
  const hook = `export async function resolve(specifier, context, next) {
    const r = await next(specifier, context);
    if (r.url.includes('/src/engine/')) throw new Error('engine loaded: ' + r.url + ' from ' + context.parentURL);
    return r;
  }`;
  const url = (path: string) => JSON.stringify(pathToFileURL(join(root, path)).href);
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    const { EmotionSession } = await import(${url('src/infer/index.ts')});
    const { exportOnnx } = await import(${url('src/models/onnx/export.ts')});
    const { initWeights } = await import(${url('src/models/weights.ts')});
    let rows = 0;
    for (const config of [
      { kind: 'linear', inputDim: 6, classes: 3 },
      { kind: 'cnn1d', inputDim: 16, classes: 3, channels: [4, 4], dense: 5 },
    ]) {
      const session = await EmotionSession.load(exportOnnx(config, initWeights(config, 1)));
      const out = await session.run({ features: { data: new Float32Array(2 * config.inputDim).fill(0.5), shape: [2, config.inputDim] } });
      rows += out.batch;
      await session.release();
    }
    console.log('rows', rows);
    // Sanity: the guard does refuse the engine.
    await import(${url('src/models/zoo.ts')}).then(
      () => console.log('zoo loaded'),
      (error) => console.log(String(error.message).includes('engine loaded') ? 'guard works' : error.message),
    );
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /rows 4\nguard works/);
});
