// Test helpers of the queue: a throwaway redis-server on loopback (free port, temp folder, no
// persistence), `emovox worker` processes whose log lines can be awaited, and the corpus the
// queue tests share (60 RAVDESS files when the real data is there, synthetic WAVs otherwise).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDataDir } from '../helpers/data.js';
import { makeSyntheticRavdess } from '../helpers/synthetic-corpus.js';
import { cliEntry } from '../helpers/system.js';

const tsx = import.meta.resolve('tsx');

/** Skip reason when redis-server is not installed, else false. */
export function redisSkip(): string | false {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.status === 0
    ? false
    : 'queue test skipped: redis-server not found (Debian: apt-get install redis-server); emovox --queue needs a Redis';
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A redis-server of a test. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Its working folder (remove with {@link removeRedisDir} after the last stop). */
  readonly dir: string;
  /** Stops the server (SIGTERM, no save) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it has no persistence). */
  start(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts redis-server on 127.0.0.1, a free port, a temp folder, `--save ''`, no AOF. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'emovox-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
      if (ping.stdout.trim() === 'PONG') return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((done) => {
        c.once('exit', () => done());
        c.kill('SIGKILL');
      });
    },
    start,
    dir,
  };
}

/** Removes the temp folder of a stopped {@link TestRedis}. */
export function removeRedisDir(redis: TestRedis): void {
  rmSync(redis.dir, { recursive: true, force: true });
}

/** An `emovox worker` child process and its log. */
export interface TestWorker {
  readonly child: ChildProcess;
  /** stderr so far. */
  log(): string;
  /** Resolves when the log matches (or rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Starts `emovox worker --queue url ...args` from the TypeScript sources. */
export function startWorker(url: string, args: string[] = []): TestWorker {
  const child = spawn(process.execPath, ['--import', tsx, cliEntry, 'worker', '--queue', url, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (s: string) => void }[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    text += chunk;
    for (const w of [...waiters]) {
      const m = text.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  });
  return {
    child,
    log: () => text,
    waitFor(pattern, timeoutMs = 30_000) {
      const m = text.match(pattern);
      if (m) return Promise.resolve(m[0]);
      return new Promise((resolveMatch, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`worker log never matched ${pattern}:\n${text}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (s) => {
            clearTimeout(timer);
            resolveMatch(s);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((done) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/** Resolves with the first match of `pattern` in any of the workers' logs (polled every 50 ms). */
export async function waitForAny(
  workers: readonly TestWorker[],
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const w of workers) {
      const m = w.log().match(pattern);
      if (m) return m[0];
    }
    await sleep(50);
  }
  throw new Error(`no worker log matched ${pattern}`);
}

/** The corpus of the queue tests: its files, where it came from, and how to remove it. */
export interface QueueCorpus {
  readonly files: string[];
  readonly origin: string;
  remove(): void;
}

/**
 * 60 files of RAVDESS actor 1 when the real data is there (`test/helpers/data.ts`), else 64
 * synthetic 0.6 s WAVs (8 actors x 8 emotions), so the tests also run on a fresh clone.
 */
export function queueCorpus(): QueueCorpus {
  const data = sharedDataDir();
  if (data) {
    const actor = join(data, 'ravdess', 'Audio_Speech_Actors_01-24', 'Actor_01');
    try {
      const files = readdirSync(actor)
        .filter((f) => f.endsWith('.flac'))
        .sort()
        .slice(0, 60)
        .map((f) => join(actor, f));
      if (files.length >= 20)
        return { files, origin: `RAVDESS ${actor} (${files.length} files)`, remove: () => {} };
    } catch {
      // fall through to the synthetic corpus
    }
  }
  const dir = makeSyntheticRavdess({ actors: 8, durationS: 0.6 });
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => join(dir, f));
  return {
    files,
    origin: `synthetic (${files.length} WAVs)`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes a file with a .wav name and garbage bytes (a poisoned item). */
export function writePoisonedWav(path: string): void {
  writeFileSync(path, Buffer.from('RIFF\x10\x00\x00\x00WAVEjunkjunkjunkjunk not audio at all', 'latin1'));
}

/** What {@link runCli} hands back. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `emovox <args>` without blocking the event loop (the workers' logs keep flowing). */
export function runCli(args: string[], timeoutMs = 120_000): Promise<CliRun> & { child: ChildProcess } {
  const child = spawn(process.execPath, ['--import', tsx, cliEntry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<CliRun>((resolveRun) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // 'close' comes after the pipes are drained.
    child.once('close', (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr });
    });
  });
  return Object.assign(done, { child });
}
