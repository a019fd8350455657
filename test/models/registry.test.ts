import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MODEL_KINDS, resolveConfig, type ModelConfig } from '../../src/models/config.js';
import { modelInputs, parameterSpecs, planModel } from '../../src/models/plan.js';
import { countParameters, summary } from '../../src/models/summary.js';
import { loadGolden } from './golden.js';
import { tasks } from './synthetic.js';

// The kind registry (src/models/arch/registry.ts) is the only list of model kinds; these checks
// hold for every kind in it, so a new kind gets them without editing this file.

test('every registered kind has a PyTorch golden case and a synthetic training task', () => {
  const golden = new Set(loadGolden().map((g) => g.config.kind));
  const trained = new Set(Object.values(tasks()).map((t) => t.config.kind));
  for (const kind of MODEL_KINDS) {
    assert.ok(golden.has(kind), `${kind}: add a case to reference/model_golden.py and rerun it`);
    assert.ok(trained.has(kind), `${kind}: add a task to test/models/synthetic.ts`);
  }
  assert.deepEqual([...golden].sort(), [...MODEL_KINDS].sort());
});

for (const { name, config } of loadGolden()) {
  test(`kind module is self-consistent: ${name}`, () => {
    const resolved = resolveConfig(config);
    assert.deepEqual(resolveConfig(JSON.parse(JSON.stringify(resolved))), resolved, 'resolve is idempotent');
    const names = parameterSpecs(config).map((p) => p.name);
    assert.equal(new Set(names).size, names.length, 'parameter names are unique');
    const rows = planModel(config).map((r) => r.name);
    assert.equal(new Set(rows).size, rows.length, 'layer names are unique');
    const inputs = modelInputs(config).map((i) => i.name);
    assert.equal(new Set(inputs).size, inputs.length, 'input names are unique');
    assert.ok(inputs.length > 0);
    assert.equal(
      planModel(config).at(-1)!.outputShape.at(-1),
      resolved.classes,
      'last layer gives the classes',
    );
  });
}

test('unknown kinds list every registered kind', () => {
  assert.throws(
    () => resolveConfig({ kind: 'svm', classes: 2 }),
    new RegExp(`unknown model kind "svm" \\(known: ${MODEL_KINDS.join(', ')}\\)`),
  );
  assert.ok(MODEL_KINDS.includes('linear'));
});

test('linear: multinomial logistic regression, one Linear layer', () => {
  const config: ModelConfig = { kind: 'linear', inputDim: 180, classes: 7 };
  assert.deepEqual(resolveConfig({ ...config, dropout: 0.5 }), config, 'no other fields');
  assert.deepEqual(countParameters(config), { total: 1267, trainable: 1267, nonTrainable: 0 });
  assert.deepEqual(modelInputs(config), [{ name: 'features', elem: 'float32', shape: ['batch', 180] }]);
  assert.match(summary(config), /head \(Linear\(180→7\)\)\s+\(None, 7\)\s+1,267/);
  assert.throws(() => resolveConfig({ kind: 'linear', classes: 7 }), /inputDim must be an integer/);
  assert.throws(
    () => resolveConfig({ kind: 'linear', inputDim: 4, classes: 0 }),
    /classes must be an integer/,
  );
});

test('CONTRIBUTING.md shows src/models/arch/linear.ts as it is', () => {
  const guide = readFileSync(new URL('../../CONTRIBUTING.md', import.meta.url), 'utf8');
  const file = readFileSync(new URL('../../src/models/arch/linear.ts', import.meta.url), 'utf8');
  const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.includes(file), 'the "Add a model kind" listing differs from linear.ts');
  const line = readFileSync(new URL('../../src/models/arch/registry.ts', import.meta.url), 'utf8')
    .split('\n')
    .find((l) => l.includes("'./linear.js'"));
  assert.ok(line && blocks.includes(`${line}\n`), 'the registry line differs');
});
