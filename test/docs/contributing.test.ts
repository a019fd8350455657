// CONTRIBUTING.md quotes real code as its examples; these checks keep the quotes equal to the
// files they come from, so the guide cannot drift from the tree.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/data.js';

const guide = readFileSync(join(repoRoot, 'CONTRIBUTING.md'), 'utf8');
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** The fenced blocks of `lang` in the guide, in order. */
function blocks(lang: string): string[] {
  return [...guide.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

test('"Add a model kind" quotes all of src/models/arch/linear.ts and its one registry line', () => {
  const ts = blocks('ts');
  assert.ok(ts.includes(read('src/models/arch/linear.ts')), 'the linear.ts block differs from the file');
  const line = ts.find((b) => b.startsWith('export { linearKind'));
  assert.ok(line, 'the registry line is quoted');
  assert.ok(read('src/models/arch/registry.ts').includes(line), 'the registry line differs from registry.ts');
});

test('"Add a feature" quotes the mfcc40 set as registered in src/features/sets.ts', () => {
  const block = blocks('ts').find((b) => b.includes("name: 'mfcc40'"));
  assert.ok(block, 'the mfcc40 block is quoted');
  assert.ok(read('src/features/sets.ts').includes(block), 'the mfcc40 block differs from sets.ts');
});

test('"Add a recipe" quotes recipes/mlp-mfcc-stats.yaml (without its comment header)', () => {
  const block = blocks('yaml').find((b) => b.startsWith('name: mlp-mfcc-stats'));
  assert.ok(block, 'the recipe is quoted');
  const file = read('recipes/mlp-mfcc-stats.yaml').replace(/^(#.*\n)+/, '');
  assert.equal(block, file);
});

test('every reference script, fixture and test file the guide names exists', () => {
  const paths = new Set(
    [
      ...guide.matchAll(
        /`((?:reference|test|src|recipes|scripts|bench)\/[\w./-]+\.(?:py|sh|ts|json|yaml))`/g,
      ),
    ].map((m) => m[1]),
  );
  assert.ok(paths.size >= 15, `only ${paths.size} paths found`);
  assert.deepEqual(
    [...paths].filter((p) => !existsSync(join(repoRoot, p))),
    [],
  );
});
