// A model bundle's identity across machines: the sha256 of its files, so a worker whose copy of
// the bundle differs from the client's refuses to score with it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const memo = new Map<string, { stamp: string; digest: string }>();

function stampOf(path: string): string {
  const s = statSync(path);
  if (s.isFile()) return `${s.size}:${s.mtimeMs}`;
  return readdirSync(path)
    .sort()
    .map((name) => {
      const f = statSync(join(path, name));
      return f.isFile() ? `${name}:${f.size}:${f.mtimeMs}` : '';
    })
    .join('|');
}

/**
 * sha256 over a bundle: a `.emovox` file's bytes, or for a bundle folder every regular file in it
 * (name order; each as name, NUL, size, NUL, bytes). Memoised per path while sizes and
 * modification times stay the same.
 *
 * @param path - bundle folder or `.emovox` file.
 * @returns 64 hex digits.
 * @throws the file system's error when the bundle cannot be read.
 */
export function bundleDigest(path: string): string {
  const stamp = stampOf(path);
  const known = memo.get(path);
  if (known?.stamp === stamp) return known.digest;
  const hash = createHash('sha256');
  if (statSync(path).isFile()) hash.update(readFileSync(path));
  else {
    for (const name of readdirSync(path).sort()) {
      const file = join(path, name);
      if (!statSync(file).isFile()) continue;
      const bytes = readFileSync(file);
      hash.update(`${name}\0${bytes.length}\0`).update(bytes);
    }
  }
  const digest = hash.digest('hex');
  memo.set(path, { stamp, digest });
  return digest;
}
