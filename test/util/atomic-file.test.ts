import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  removePendingTemporaryFiles,
  writeFileAtomic,
  writeFileAtomicSync,
  writeFilesAtomic,
  writeFilesAtomicSync,
} from '../../src/util/atomic-file.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { tmpfsSkip, withTmpfs } from '../helpers/system.js';

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

test('chunked writes keep every byte in order: thousands of small chunks around chunks larger than a write batch', async () => {
  const dir = scratch();
  try {
    const path = join(dir, 'out.bin');
    const chunks: Uint8Array[] = [];
    let seed = 1;
    const bytes = (n: number) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      return b;
    };
    for (let i = 0; i < 3000; i++) chunks.push(bytes(1 + (i % 997)));
    chunks.push(bytes(5 << 20), bytes(3), bytes(4 << 20), new Uint8Array(0), bytes((4 << 20) - 1));
    for (let i = 0; i < 500; i++) chunks.push(bytes(8191));
    await writeFileAtomic(path, chunks);
    const expected = Buffer.concat(chunks);
    const written = readFileSync(path);
    assert.equal(written.length, expected.length);
    assert.ok(written.equals(expected), 'the file differs from the chunks joined in order');
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

test('writeFilesAtomic writes a set, the commit file last, and a failure keeps every previous file', async () => {
  const dir = scratch();
  try {
    const data = join(dir, 'x.npy');
    const side = join(dir, 'x.npy.json');
    writeFileSync(data, 'old data');
    writeFileSync(side, 'old sidecar');
    await writeFilesAtomic([
      { path: data, data: [Buffer.from('new '), Buffer.from('data')] },
      { path: side, data: 'new sidecar' },
    ]);
    assert.equal(readFileSync(data, 'utf8'), 'new data');
    assert.equal(readFileSync(side, 'utf8'), 'new sidecar');

    // The second file fails while being written (a full disk in the middle of the set):
    // neither file changes, no temporary file is left, the error names the file.
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('partial');
      throw new Error('ENOSPC: no space left on device, write');
    }
    await assert.rejects(
      writeFilesAtomic([
        { path: data, data: 'newer data' },
        { path: side, data: failing() },
      ]),
      (error: unknown) =>
        error instanceof EmovoxInputError && error.source === side && /ENOSPC/.test(error.problem),
    );
    assert.equal(readFileSync(data, 'utf8'), 'new data');
    assert.equal(readFileSync(side, 'utf8'), 'new sidecar');
    assert.deepEqual(readdirSync(dir).sort(), ['x.npy', 'x.npy.json']);

    writeFilesAtomicSync([
      { path: data, data: 'sync data' },
      { path: side, data: 'sync sidecar' },
    ]);
    assert.equal(readFileSync(side, 'utf8'), 'sync sidecar');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a destination that is not a regular file is refused; a symbolic link is followed', () => {
  const dir = scratch();
  try {
    mkdirSync(join(dir, 'folder.npy'));
    assert.throws(
      () => writeFileAtomicSync(join(dir, 'folder.npy'), 'x'),
      /is a directory, not a regular file/,
    );
    const fifo = join(dir, 'pipe.npy');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.throws(() => writeFileAtomicSync(fifo, 'x'), /is a FIFO \(named pipe\), not a regular file/);
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO is still there');
    const target = join(dir, 'target.npy');
    writeFileSync(target, 'old');
    symlinkSync(target, join(dir, 'link.npy'));
    writeFileAtomicSync(join(dir, 'link.npy'), 'through the link');
    assert.ok(lstatSync(join(dir, 'link.npy')).isSymbolicLink(), 'the link is kept');
    assert.equal(readFileSync(target, 'utf8'), 'through the link');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('removePendingTemporaryFiles removes the temporary files of writes in progress', async () => {
  const dir = scratch();
  try {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('first half');
      await gate;
      yield Buffer.from('second half');
    }
    const writing = writeFileAtomic(join(dir, 'big.npy'), slow());
    await new Promise((r) => setTimeout(r, 50));
    const temps = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
    assert.equal(temps.length, 1);
    assert.deepEqual(
      removePendingTemporaryFiles().map((p) => p.split('/').pop()),
      temps,
    );
    assert.deepEqual(readdirSync(dir), []);
    release();
    await assert.rejects(writing, EmovoxInputError); // its file was taken away: the write fails, nothing appears
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'disk full (a 64 KiB tmpfs): the error names the file and the previous file stays',
  { skip: tmpfsSkip() },
  async () => {
    await withTmpfs(64 * 1024, async (dir) => {
      const path = join(dir, 'out.npy');
      writeFileAtomicSync(path, Buffer.alloc(20 * 1024, 1));
      await assert.rejects(writeFileAtomic(path, Buffer.alloc(60 * 1024, 2)), (error: unknown) => {
        assert.ok(error instanceof EmovoxInputError);
        assert.equal(error.source, path);
        assert.match(error.problem, /ENOSPC/);
        return true;
      });
      assert.deepEqual(readFileSync(path), Buffer.alloc(20 * 1024, 1));
      assert.deepEqual(readdirSync(dir), ['out.npy']);
    });
  },
);
