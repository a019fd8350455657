// scripts/build-native.mjs without libtorch: a clear message, exit 0 (or 1 under --require).
// Uses LIBTORCH pointing nowhere, so it never compiles anything and needs no libtorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function build(args: string[]) {
  return spawnSync(process.execPath, ['scripts/build-native.mjs', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LIBTORCH: '/nonexistent/libtorch' },
  });
}

test('build-native: missing libtorch prints how to install it and exits 0', () => {
  const r = build([]);
  assert.equal(r.status, 0);
  assert.match(
    r.stderr,
    /libtorch not found .*apt-get install libtorch-dev, or set LIBTORCH=\/path\/to\/libtorch/,
  );
  assert.match(r.stderr, /ONNX inference still work/);
});

test('build-native --require: missing libtorch fails the build (CI)', () => {
  const r = build(['--require']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /libtorch not found/);
});
