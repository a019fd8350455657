// The page's size budget: the README's table ("Web page size budget") gives a budget in bytes for
// the JavaScript/CSS, the WebAssembly, the models and the whole built page; the built page must
// stay within every budget, and the table's "built" column must be the sizes built now (within 5 %).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { buildPageToTemp } from './browser.js';

/** Which part of the budget a built file counts against. */
function partOf(file: string): 'code' | 'wasm' | 'models' | 'other' {
  if (/\.(js|css)$/.test(file)) return 'code';
  if (file.endsWith('.wasm')) return 'wasm';
  if (file.endsWith('.onnx') || (file.startsWith('models/') && file.endsWith('.json'))) return 'models';
  return 'other';
}

const ROWS: Record<string, 'code' | 'wasm' | 'models' | 'total'> = {
  'JavaScript and CSS': 'code',
  WebAssembly: 'wasm',
  Models: 'models',
  'The whole page': 'total',
};

/** The budget table of the README: part -> { budget, built } in bytes. */
function readmeBudget(): Record<string, { budget: number; built: number }> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split('### Web page size budget')[1];
  assert.ok(section, 'README has a "### Web page size budget" section');
  const out: Record<string, { budget: number; built: number }> = {};
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const part = ROWS[cells[1]?.replace(/\*/g, '')];
    if (part)
      out[part] = { budget: Number(cells[3].replace(/,/g, '')), built: Number(cells[4].replace(/,/g, '')) };
    if (line.startsWith('#') && Object.keys(out).length > 0) break;
  }
  return out;
}

test('the built page stays within the size budget in the README', async () => {
  const budget = readmeBudget();
  assert.deepEqual(Object.keys(budget).sort(), ['code', 'models', 'total', 'wasm']);
  const built = await buildPageToTemp();
  try {
    const sizes = { code: 0, wasm: 0, models: 0, other: 0, total: 0 };
    for (const [file, bytes] of Object.entries(built.files)) {
      sizes[partOf(file)] += bytes;
      sizes.total += bytes;
    }
    for (const [part, { budget: limit, built: stated }] of Object.entries(budget)) {
      const actual = sizes[part as keyof typeof sizes];
      assert.ok(Number.isFinite(limit) && limit > 0, `${part}: budget ${limit}`);
      assert.ok(actual <= limit, `${part}: ${actual} bytes, over the budget of ${limit}`);
      assert.ok(
        Math.abs(actual - stated) <= 0.05 * stated,
        `${part}: README says ${stated} bytes built, the build has ${actual}`,
      );
    }
    // Everything the page loads is in the folder: the runtime, PFFFT, the two models.
    for (const f of [
      'ort/ort-wasm-simd-threaded.wasm',
      'pffft.wasm',
      'models/emovox-acted7/model.onnx',
      'models/emovox-acted7/model.json',
      'vad/silero_vad_v5.onnx',
      'app.js',
      'sw.js',
      'capture-worklet.js',
      'style.css',
      'index.html',
    ])
      assert.ok(built.files[f] > 0, `${f} is built`);
  } finally {
    built.remove();
  }
});
