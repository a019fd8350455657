import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/util/atomic-file.js';
import { EmovoxInputError } from '../../src/util/errors.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'emovox-atomic-'));
}

test('atomic writes replace the file whole and leave no temporary behind', async () => {
  const dir = scratch();
  try {
    const path = join(dir, 'out.bin');
    writeFileSync(path, 'old');
    writeFileAtomicSync(path, 'new content');
    assert.equal(readFileSync(path, 'utf8'), 'new content');
    await writeFileAtomic(path, [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]);
    assert.equal(readFileSync(path, 'utf8'), 'abc');
    assert.deepEqual(readdirSync(dir), ['out.bin']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed atomic write names the path and keeps the previous content', async (t) => {
  if (process.getuid?.() === 0) {
    // root ignores folder permissions: inject the failure through a chunk source that throws.
    const dir = scratch();
    try {
      const path = join(dir, 'out.npy');
      writeFileSync(path, 'previous');
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('partial');
        throw new Error('ENOSPC: no space left on device, write');
      }
      await assert.rejects(writeFileAtomic(path, failing()), (error: unknown) => {
        assert.ok(error instanceof EmovoxInputError);
        assert.equal(error.source, path);
        assert.match(error.problem, /ENOSPC/);
        return true;
      });
      assert.equal(readFileSync(path, 'utf8'), 'previous');
      assert.deepEqual(readdirSync(dir), ['out.npy']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const dir = scratch();
  try {
    const path = join(dir, 'out.npy');
    writeFileSync(path, 'previous');
    chmodSync(dir, 0o500);
    assert.throws(() => writeFileAtomicSync(path, 'new'), EmovoxInputError);
    assert.equal(readFileSync(path, 'utf8'), 'previous');
    t.diagnostic('checked with a read-only folder');
  } finally {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});
