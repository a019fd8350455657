import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (two levels above this file). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Folder with the shared real corpora: $EMOVOX_DATA, else ../shared/data beside the checkout.
 * Returns undefined when absent, so real-data tests can skip with a message.
 */
export function sharedDataDir(): string | undefined {
  const candidate = process.env.EMOVOX_DATA ?? resolve(repoRoot, '..', 'shared', 'data');
  return existsSync(candidate) ? candidate : undefined;
}

/** Skip reason for node:test (`{ skip: realDataSkip() }`): false when the data is there. */
export function realDataSkip(): string | false {
  return sharedDataDir()
    ? false
    : 'real-data test skipped: ../shared/data (or $EMOVOX_DATA) not found; see README "Real data"';
}
