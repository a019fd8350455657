import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/engine/index.js';
import { buildModel } from '../../src/models/zoo.js';
import { engineSkip, fitAndScore } from './engine-helpers.js';
import { tasks } from './synthetic.js';

const skip = engineSkip();

for (const [kind, task] of Object.entries(tasks())) {
  test(`${kind} learns a small synthetic task (held-out accuracy >= 0.9)`, { skip }, () => {
    manualSeed(0);
    const model = buildModel(task.config);
    const accuracy = fitAndScore(model, task.inputs, task.labels, task.epochs, task.trainCount);
    model.dispose();
    assert.ok(accuracy >= 0.9, `${kind}: held-out accuracy ${accuracy}`);
  });
}
