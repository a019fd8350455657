// System-level test helpers: running the CLI, a small tmpfs for a real "disk full", and running a
// command as an unprivileged user (root ignores folder permissions, so EACCES needs another uid).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './data.js';

/** The CLI entry, run through tsx. */
export const cliEntry = join(repoRoot, 'src', 'cli', 'main.ts');

/** tsx's loader by absolute URL, so a child started in any folder finds it. */
const tsx = import.meta.resolve('tsx');

/** User and group id of `nobody`, used to drop root's privileges in permission tests. */
export const NOBODY = 65534;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Runs `emovox <args>` from the TypeScript sources and waits for it. */
export function emovox(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', tsx, cliEntry, ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 120_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
}

/** Starts `emovox <args>` without waiting (for signal tests). */
export function emovoxAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawn(process.execPath, ['--import', tsx, cliEntry, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A scratch folder every user can write to (for tests that run a child as `nobody`). */
export function sharedScratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return dir;
}

let tmpfsWorks: boolean | undefined;

/**
 * Skip reason for tests that need to mount a small tmpfs (a real full disk): false when this
 * process can mount one (root with CAP_SYS_ADMIN, as in the CI container), else a message.
 */
export function tmpfsSkip(): string | false {
  if (tmpfsWorks === undefined) {
    tmpfsWorks = false;
    if (isRoot()) {
      const probe = mkdtempSync(join(tmpdir(), 'emovox-tmpfs-probe-'));
      const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
      if (mount.status === 0) {
        tmpfsWorks = true;
        spawnSync('umount', [probe]);
      }
      rmSync(probe, { recursive: true, force: true });
    }
  }
  return tmpfsWorks
    ? false
    : 'cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the injected-failure tests cover the same path';
}

/** Mounts a tmpfs of `bytes` at a new folder, runs `body`, unmounts. Only when {@link tmpfsSkip} is false. */
export async function withTmpfs<T>(bytes: number, body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-tmpfs-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  if (mount.status !== 0) throw new Error(`mount failed: ${mount.stderr.toString()}`);
  try {
    mkdirSync(dir, { recursive: true });
    return await body(dir);
  } finally {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs an ES module snippet (TypeScript imports allowed, through tsx) in a child process, as
 * `nobody` when this process is root (so folder permissions apply), and returns its stdout
 * parsed as JSON.
 */
export function runModuleAs<T>(code: string, options: { unprivileged: boolean }): T {
  const r = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    ...(options.unprivileged && isRoot() ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
