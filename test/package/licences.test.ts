import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/data.js';

interface Manifest {
  name: string;
  version: string;
  license?: string | { type: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

// Licences that let an MIT project be used, modified and sold.
const PERMISSIVE =
  /^(MIT|ISC|BSD-2-Clause|BSD-3-Clause|Apache-2\.0|0BSD|Zlib|CC0-1\.0|Unlicense|BlueOak-1\.0\.0)$/;
// LGPL libraries used unmodified as separate npm packages (users may swap them) are compatible
// with distributing emovox under MIT; each one is named here and in the README on purpose.
const ACCEPTED_WEAK_COPYLEFT = new Map([['codec-parser', 'LGPL-3.0-or-later']]);
// Accepted one by one, each with its reason (also in the README's dependency table):
// - resvg-js (the PNG rasteriser of src/report) and its per-platform binary packages: MPL-2.0 is
//   file-level copyleft; used unmodified as separate npm packages, it lets emovox stay MIT.
// - @expo-google-fonts/inter: MIT wrapper code and the Inter font files under the SIL Open Font
//   Licence 1.1, which allows bundling and redistributing the font with any software; the report's
//   PNG text is drawn with it so plots look the same on every machine.
const ACCEPTED_BY_NAME: Array<[RegExp, string]> = [
  [/^@resvg\/resvg-js(-[a-z0-9-]+)?$/, 'MPL-2.0'],
  [/^@expo-google-fonts\/inter$/, 'MIT AND OFL-1.1'],
];

function licenceOf(manifest: Manifest): string {
  const raw = typeof manifest.license === 'object' ? manifest.license.type : (manifest.license ?? 'UNKNOWN');
  return raw.replace(/^\((.*)\)$/, '$1');
}

/** Production dependency closure, resolved the way Node resolves it (nearest node_modules upwards). */
function productionClosure(): Map<string, { version: string; licence: string }> {
  const seen = new Map<string, { version: string; licence: string }>();
  const visit = (fromDir: string, name: string): void => {
    let dir = fromDir;
    for (;;) {
      const candidate = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(candidate)) {
        const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as Manifest;
        const key = `${name}@${manifest.version}`;
        if (seen.has(key)) return;
        seen.set(key, { version: manifest.version, licence: licenceOf(manifest) });
        const deps = { ...manifest.dependencies, ...manifest.optionalDependencies };
        for (const dep of Object.keys(deps)) visit(dirname(candidate), dep);
        return;
      }
      const parent = dirname(dir);
      if (parent === dir) return; // optional dependency not installed on this platform
      dir = parent;
    }
  };
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
  for (const dep of Object.keys(root.dependencies ?? {})) visit(repoRoot, dep);
  return seen;
}

test('every production dependency is under a licence compatible with MIT distribution', () => {
  const closure = productionClosure();
  assert.ok(
    closure.size >=
      Object.keys(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).dependencies).length,
  );
  const offending: string[] = [];
  for (const [key, { licence }] of closure) {
    const name = key.slice(0, key.lastIndexOf('@'));
    const alternatives = licence.split(/\s+OR\s+/);
    if (alternatives.some((l) => PERMISSIVE.test(l))) continue;
    if (ACCEPTED_WEAK_COPYLEFT.get(name) === licence) continue;
    if (ACCEPTED_BY_NAME.some(([pattern, accepted]) => pattern.test(name) && accepted === licence)) continue;
    offending.push(`${key}: ${licence}`);
  }
  assert.deepEqual(offending, []);
});
