import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { repoRoot as root } from '../helpers/data.js';

// onnxruntime-node 1.30 on Linux keeps a device id and a queue of usage events under
// ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and writes /tmp/mat-debug-<pid>.log, for upload
// to Microsoft, unless ORT_DISABLE_TELEMETRY is set before it initialises. emovox sets it
// (src/util/ort-telemetry-off.ts) unless the user did.

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

test('every module that loads onnxruntime-node imports ort-telemetry-off before it', () => {
  // Runtime loads only: a static import that is not `import type`, or a dynamic import().
  const load = /^import\s+(?!type\b)[^;]*from\s*'onnxruntime-node'|import\(\s*'onnxruntime-node'\s*\)/m;
  const loaders = sources(join(root, 'src')).filter((file) => load.test(readFileSync(file, 'utf8')));
  assert.ok(loaders.length >= 4, `found ${loaders.length} modules that load onnxruntime-node`);
  for (const file of loaders) {
    const text = readFileSync(file, 'utf8');
    const off = text.indexOf("import '../util/ort-telemetry-off.js';");
    const ort = text.search(load);
    assert.ok(
      off >= 0 && off < ort,
      `${relative(root, file)} imports ort-telemetry-off.js before onnxruntime-node`,
    );
  }
});

test('recognition on the main thread and on worker threads leaves no telemetry behind; a value the user set is kept', () => {
  const home = mkdtempSync(join(tmpdir(), 'emovox-home-'));
  try {
    const url = (path: string) => JSON.stringify(pathToFileURL(join(root, path)).href);
    const clip = JSON.stringify(join(root, 'examples', 'espeak-kids-talking.wav'));
    const script = `
      const { predictFiles } = await import(${url('src/infer/batch.ts')});
      // Four files: predictFiles runs them on two worker threads; the model loads on the main thread first.
      const run = await predictFiles([${clip}, ${clip}, ${clip}, ${clip}], { workers: 2 });
      console.log(JSON.stringify({ workers: run.workers, results: run.results.length, env: process.env.ORT_DISABLE_TELEMETRY }));
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') };
    delete env.ORT_DISABLE_TELEMETRY;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()!), {
      workers: 2,
      results: 4,
      env: '1',
    });
    assert.deepEqual(readdirSync(home), [], 'nothing written under $HOME');
    assert.equal(existsSync(`/tmp/mat-debug-${child.pid}.log`), false, 'no /tmp/mat-debug-<pid>.log');

    const kept = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `await import(${url('src/util/ort-telemetry-off.ts')}); console.log(process.env.ORT_DISABLE_TELEMETRY);`,
      ],
      { cwd: root, encoding: 'utf8', env: { ...env, ORT_DISABLE_TELEMETRY: '0' } },
    );
    assert.equal(kept.status, 0, kept.stderr);
    assert.equal(kept.stdout.trim(), '0');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
