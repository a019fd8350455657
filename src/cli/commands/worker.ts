import { type Command, InvalidArgumentError } from 'commander';
import { JOB_KINDS, type JobKind } from '../../queue/jobs.js';
import { parseCount } from '../report.js';
import type { CommandModule } from './index.js';

/** Options of `emovox worker` (as commander parses them). */
export interface WorkerCliOptions {
  queue: string;
  queuePassword?: string;
  queueCa?: string;
  workers?: number;
  concurrency?: number;
  cache?: string | false;
  only?: JobKind[];
  lockDuration?: number;
  stalledInterval?: number;
  allowPath: string[];
  timeout?: number;
  quiet?: boolean;
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
}

function kinds(value: string): JobKind[] {
  const list = value.split(',').map((k) => k.trim());
  for (const k of list)
    if (!(JOB_KINDS as readonly string[]).includes(k))
      throw new InvalidArgumentError(`unknown job kind "${k}" (${JOB_KINDS.join(', ')})`);
  return list as JobKind[];
}

/**
 * Runs `emovox worker` until SIGINT or SIGTERM: takes jobs, logs one line per job on stderr;
 * on a signal it stops taking jobs, lets the running ones finish and exits 0 (a second signal
 * exits at once; the jobs it held are handed to another worker once their lock expires).
 */
export async function runWorker(
  options: WorkerCliOptions,
  err: (line: string) => void = console.error,
): Promise<void> {
  // BullMQ is loaded here, not at the top, so `emovox --help` does not load it.
  const { startQueueWorker } = await import('../../queue/worker.js');
  const handle = await startQueueWorker({
    address: {
      url: options.queue,
      ...(options.queuePassword !== undefined ? { password: options.queuePassword } : {}),
      ...(options.queueCa !== undefined ? { ca: options.queueCa } : {}),
    },
    ...(options.workers !== undefined ? { threads: Math.max(1, options.workers) } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.cache !== undefined ? { cache: options.cache } : {}),
    ...(options.only ? { kinds: options.only } : {}),
    ...(options.lockDuration !== undefined ? { lockDurationS: options.lockDuration } : {}),
    ...(options.stalledInterval !== undefined ? { stalledIntervalS: options.stalledInterval } : {}),
    ...(options.allowPath.length > 0 ? { allowPaths: options.allowPath } : {}),
    ...(options.timeout !== undefined ? { timeoutS: options.timeout } : {}),
    log: options.quiet ? () => {} : (line) => err(`${new Date().toISOString()} ${line}`),
  });
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      err(`${signal}: finishing the running jobs, then stopping (again to stop now)`);
      void handle.close().then(resolveStop);
    };
    // Replaces the CLI's exit-at-once handlers: a worker writes nothing the client waits for
    // half-done, and finishing its jobs saves another worker from redoing them.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, stop);
    }
  });
}

/** `emovox worker`: run queued features / predict / tune jobs on this machine's cores. */
export const workerCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('worker')
      .description(
        'Take jobs from a Redis queue (emovox features / predict / tune --queue) and run them on all local ' +
          'cores, until SIGINT or SIGTERM. Start any number, on any machines that see the audio under the same ' +
          'paths. A worker only connects out to Redis; it listens on nothing. See docs/queue.md.',
      )
      .requiredOption('--queue <url>', 'redis://host:port[/db] or rediss://host:port[/db] (TLS)')
      .option(
        '--queue-password <password>',
        "Redis password (default: the URL's, else $EMOVOX_QUEUE_PASSWORD)",
      )
      .option('--queue-ca <pem>', "with rediss://: certificate authority file of the server's certificate")
      .option('-w, --workers <n>', 'threads for feature and predict items (default: all cores)', parseCount)
      .option('--concurrency <n>', 'feature / predict jobs held at a time (default 2)', parseCount)
      .option('--cache <dir>', 'feature cache when the client names none (default: the standard folder)')
      .option('--no-cache', 'no feature cache when the client names none')
      .option(
        '--only <kinds>',
        `job kinds to take, comma-separated (default all: ${JOB_KINDS.join(',')})`,
        kinds,
      )
      .option(
        '--lock-duration <seconds>',
        'a job whose worker stops renewing its lock this long is handed to another worker (default 30)',
        seconds,
      )
      .option('--stalled-interval <seconds>', 'how often to look for such jobs (default 30)', seconds)
      .option(
        '--allow-path <dir>',
        'only read and write below this folder (repeatable; default: anywhere this user may)',
        (v: string, p: string[]) => [...p, v],
        [],
      )
      .option('--timeout <seconds>', 'per-file limit of feature and predict items (default 600)', seconds)
      .option('--quiet', 'no log lines')
      .action(async (options: WorkerCliOptions) => {
        await runWorker(options);
        // A Redis that went away leaves reconnection timers behind; nothing else is pending.
        process.exit(0);
      });
  },
};
