// The page (web/) sits on the browser entry: its modules import each other, the browser entry
// (src/browser/index.ts) and uPlot, nothing else, so all it uses of emovox is what the entry
// exports (and the bundle test proves Node-free).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { runtimeImports } from '../helpers/imports.js';

test('web/ imports only its own modules, the browser entry and uPlot', () => {
  const files = readdirSync(join(repoRoot, 'web')).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('main.ts'));
  for (const file of files) {
    const source = readFileSync(join(repoRoot, 'web', file), 'utf8');
    for (const spec of runtimeImports(source))
      assert.ok(
        /^\.\/[\w-]+\.js$/.test(spec) || spec === '../src/browser/index.js' || spec === 'uplot',
        `web/${file} imports ${spec}`,
      );
    for (const m of source.matchAll(/from '(\.\.\/src\/[^']+)'/g))
      assert.equal(m[1], '../src/browser/index.js', `web/${file} (type import of ${m[1]})`);
  }
});
