import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every src/ file reachable through relative imports from `entry`. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      stack.push(join(dirname(file), m[1].replace(/\.js$/, '.ts')));
    }
  }
  return seen;
}

test('inference (src/infer) never imports the libtorch engine', () => {
  const files = [...reachable(join(root, 'src/infer/index.ts'))].map((f) => relative(root, f));
  assert.ok(files.includes('src/models/onnx/export.ts'), 'sanity: the walk follows imports');
  const engine = files.filter(
    (f) => f.startsWith('src/engine/') || f.startsWith('src/models/layers/') || f === 'src/models/zoo.ts',
  );
  assert.deepEqual(engine, []);
});
