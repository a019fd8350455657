// The `--queue` options shared by `emovox features`, `predict` and `tune`, and their translation
// into queue client options. Nothing here imports the queue (BullMQ, ioredis): commands load
// src/queue only when --queue is given, so a local run needs neither.
import { type Command, InvalidArgumentError } from 'commander';
import { EmovoxParameterError } from '../util/errors.js';

/** The queue options as commander parses them. */
export interface QueueCliOptions {
  queue?: string;
  queuePassword?: string;
  queueCa?: string;
  runId?: string;
  resume?: boolean;
  jobSize?: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

/**
 * Adds `--queue`, `--queue-password`, `--queue-ca`, `--run-id`, `--resume` and (for file
 * commands) `--job-size` to a command.
 *
 * @param command - the sub-command.
 * @param unit - what a job holds, for the help text: `files` (a job of N files) or `trial`.
 */
export function addQueueOptions(command: Command, unit: 'files' | 'trial'): Command {
  command
    .option(
      '--queue <url>',
      'run on `emovox worker` processes through Redis: redis://host:port[/db] or rediss:// (TLS); ' +
        'the workers must see the inputs under the same paths (docs/queue.md)',
    )
    .option('--queue-password <password>', "Redis password (default: the URL's, else $EMOVOX_QUEUE_PASSWORD)")
    .option('--queue-ca <pem>', "with rediss://: certificate authority file of the server's certificate")
    .option('--run-id <id>', 'with --queue: name of the run (default: random; printed at the start)')
    .option('--resume', 'with --queue and --run-id: reattach to a run (after the client or Redis stopped)');
  if (unit === 'files')
    command.option('--job-size <n>', 'with --queue: files per job (default 16)', positiveInt);
  return command;
}

/**
 * The queue client options of a command line, or undefined without `--queue` (a local run).
 * @throws EmovoxParameterError when a queue-only option is given without `--queue`.
 */
export function queueClientOptions(
  options: QueueCliOptions,
  report: (line: string) => void,
):
  | {
      address: { url: string; password?: string; ca?: string };
      runId?: string;
      resume?: boolean;
      jobSize?: number;
      report: (line: string) => void;
    }
  | undefined {
  if (options.queue === undefined) {
    for (const [flag, value] of [
      ['--run-id', options.runId],
      ['--resume', options.resume],
      ['--job-size', options.jobSize],
      ['--queue-password', options.queuePassword],
      ['--queue-ca', options.queueCa],
    ] as const)
      if (value !== undefined) throw new EmovoxParameterError(flag, 'needs --queue');
    return undefined;
  }
  return {
    address: {
      url: options.queue,
      ...(options.queuePassword !== undefined ? { password: options.queuePassword } : {}),
      ...(options.queueCa !== undefined ? { ca: options.queueCa } : {}),
    },
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    ...(options.resume ? { resume: true } : {}),
    ...(options.jobSize !== undefined ? { jobSize: options.jobSize } : {}),
    report,
  };
}
