import { type Command, InvalidArgumentError } from 'commander';
import { startServer } from '../../serve/server.js';
import { EmovoxInputError, EmovoxParameterError } from '../../util/errors.js';
import { EXIT, parseCount, parseSeconds } from '../report.js';
import type { CommandModule } from './index.js';

/** Options of `emovox serve` (as commander parses them). */
export interface ServeCliOptions {
  port: number;
  host: string;
  model?: string;
  workers?: number;
  maxQueue: number;
  maxBodyMb: number;
  maxDuration: number;
  maxTimelineDuration: number;
  timeout: number;
  maxStreams: number;
  streamIdle: number;
  grace: number;
  cors?: string;
  webRoot?: string;
  log?: boolean;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be an integer port in 0..65535 (0 = any free port)');
  return n;
}

function parseMegabytes(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 2048)) throw new InvalidArgumentError('must be a number of MiB in (0, 2048]');
  return n;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('must be an integer in 1..64');
  return n;
}

/** `--cors` value: `*` (any origin) or a comma-separated list of origins. */
function corsOption(value: string | undefined): boolean | string[] {
  if (value === undefined) return false;
  if (value.trim() === '*') return true;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `emovox serve`: the HTTP service until SIGTERM / SIGINT, which shut it down gracefully. */
export const serveCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('serve')
      .description(
        'Run the HTTP service: POST audio to /v1/recognize or /v1/timeline, live PCM over the WebSocket /v1/stream, ' +
          'GET /health and /v1/models, the web page at / (docs/serve.md). SIGTERM or Ctrl-C: requests in flight ' +
          'finish, new ones get 503, then it exits.',
      )
      .option('-p, --port <n>', 'TCP port (0 = any free port)', parsePort, 8080)
      .option('--host <address>', 'address to listen on (0.0.0.0 exposes it to the network)', '127.0.0.1')
      .option('-m, --model <bundle>', 'a bundled model name or a bundle path (default: emovox-acted7)')
      .option('--workers <n>', 'inference worker threads (default: cores, at most 4)', parseWorkers)
      .option('--max-queue <n>', 'requests that may wait for a worker; more get 429', parseCount, 256)
      .option('--max-body-mb <mib>', 'largest request body', parseMegabytes, 32)
      .option('--max-duration <s>', 'longest audio /v1/recognize accepts', parseSeconds, 60)
      .option('--max-timeline-duration <s>', 'longest audio /v1/timeline accepts', parseSeconds, 1800)
      .option('--timeout <s>', 'time limit of a request, arrival to response (408 beyond)', parseSeconds, 60)
      .option('--max-streams <n>', 'concurrent WebSocket streams', parseCount, 16)
      .option(
        '--stream-idle <s>',
        'close a WebSocket stream that sends nothing for this long (code 1008)',
        parseSeconds,
        30,
      )
      .option('--grace <s>', 'on SIGTERM, how long requests in flight may take to finish', parseSeconds, 30)
      .option(
        '--cors <origins>',
        "allow cross-origin requests: '*' or a comma-separated list of origins (default: off)",
      )
      .option(
        '--web-root <dir>',
        'folder of the web page served at / (default: dist/web, from npm run build:web)',
      )
      .option('--log', 'log every request (JSON lines on stdout)')
      .action(async (options: ServeCliOptions) => {
        let server;
        try {
          server = await startServer({
            port: options.port,
            host: options.host,
            model: options.model,
            workers: options.workers,
            maxQueue: options.maxQueue,
            maxBodyBytes: Math.round(options.maxBodyMb * 2 ** 20),
            maxDurationS: options.maxDuration,
            maxTimelineDurationS: options.maxTimelineDuration,
            requestTimeoutS: options.timeout,
            maxStreams: options.maxStreams,
            streamIdleTimeoutS: options.streamIdle,
            shutdownGraceS: options.grace,
            cors: corsOption(options.cors),
            webRoot: options.webRoot,
            log: options.log ?? false,
          });
        } catch (error) {
          if (error instanceof EmovoxInputError && !(error instanceof EmovoxParameterError))
            throw new EmovoxParameterError('--model', error.message);
          throw error;
        }
        // Replace the default interrupt handler (serve writes no files): finish in-flight requests.
        process.removeAllListeners('SIGINT');
        process.removeAllListeners('SIGTERM');
        let signals = 0;
        const stop = (signal: string) => {
          if (++signals > 1) process.exit(EXIT.interrupted);
          console.error(`${signal}: shutting down (requests in flight finish, new ones get 503)`);
          void server.shutdown().then(() => {
            console.error('stopped');
            process.exit(EXIT.ok);
          });
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
        console.log(
          `emovox serve: listening on ${server.url} (model ${options.model ?? 'emovox-acted7'}, ${server.options.workers} worker thread${server.options.workers === 1 ? '' : 's'})`,
        );
      });
  },
};
