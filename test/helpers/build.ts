import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './data.js';

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const full = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }, 0);
}

/**
 * Skip reason for tests of the compiled package: false when dist/ exists and was built after
 * the last change under src/ (CI builds before testing; a plain `npm test` on an unbuilt clone skips).
 */
export function freshDistSkip(): string | false {
  const marker = join(repoRoot, 'dist', 'index.js');
  if (!existsSync(marker) || !existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) {
    return 'dist/ not built (npm run build)';
  }
  const oldestBuilt = Math.min(
    statSync(marker).mtimeMs,
    statSync(join(repoRoot, 'dist', 'extract', 'worker.js')).mtimeMs,
  );
  return newestMtime(join(repoRoot, 'src')) > oldestBuilt
    ? 'dist/ is older than src/ (npm run build)'
    : false;
}
