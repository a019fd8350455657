// Without the addon: importing emovox works and training calls explain how to get libtorch.
// Runs in a child process so the addon path can point nowhere; needs no libtorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('missing addon: package imports, engineAvailable() is false, engine calls throw install instructions', () => {
  const script = `
    const m = await import('./src/index.ts');
    const out = { available: m.engineAvailable(), reason: m.engineUnavailableReason() };
    try { m.ops.zeros([2]); } catch (e) { out.name = e.name; out.message = e.message; }
    try { m.manualSeed(1); } catch (e) { out.seed = e.name; }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, EMOVOX_NATIVE_ADDON: '/nonexistent/emovox_torch.node' },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.available, false);
  assert.match(out.reason, /does not exist/);
  assert.equal(out.name, 'EngineUnavailableError');
  assert.equal(out.seed, 'EngineUnavailableError');
  assert.match(out.message, /apt-get install libtorch-dev && npm run build:native/);
  assert.match(out.message, /LIBTORCH=/);
});
