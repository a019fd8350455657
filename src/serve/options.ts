// Options of the HTTP service with their defaults and checks (one place for the CLI and the API).
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmovoxParameterError } from '../util/errors.js';

/** Options of {@link startServer} / `emovox serve`. Sizes in bytes, times in seconds. */
export interface ServeOptions {
  /** TCP port (default 8080; 0 = a free port chosen by the system). */
  port?: number;
  /** Address to listen on (default `127.0.0.1`: loopback only). */
  host?: string;
  /** A bundled model's name or a bundle path (default: the bundled `emovox-acted7`). Fixed at start: requests never name a path. */
  model?: string;
  /** Inference worker threads (default: available cores, 1..4). */
  workers?: number;
  /** Requests allowed to wait for a worker beyond the ones running (default 256); more get 429. */
  maxQueue?: number;
  /** Largest request body, bytes (default 32 MiB); larger gets 413. */
  maxBodyBytes?: number;
  /** Longest audio `/v1/recognize` accepts, seconds (default 60); longer gets 413 before decoding. */
  maxDurationS?: number;
  /** Longest audio `/v1/timeline` accepts, seconds (default 1800). */
  maxTimelineDurationS?: number;
  /** Time from the request's arrival to its response, seconds (default 60); beyond it 408. */
  requestTimeoutS?: number;
  /** Concurrent WebSocket streams (default 16); more are closed with code 1013. */
  maxStreams?: number;
  /** Largest WebSocket message, bytes (default 1 MiB). */
  maxMessageBytes?: number;
  /** Longest WebSocket stream, seconds of audio (default 3600). */
  maxStreamS?: number;
  /**
   * A WebSocket stream that receives no message for this long, seconds (default 30), gets its
   * last events and summary, then a close with code 1008 and the reason `idle timeout: ...`.
   */
  streamIdleTimeoutS?: number;
  /**
   * Cross-origin requests: off by default (no CORS headers). `true` allows any origin; a list
   * allows those origins exactly.
   */
  cors?: boolean | string[];
  /** Folder of the web page served at `/` (default `<package>/dist/web`, built by `npm run build:web`). */
  webRoot?: string;
  /** How long shutdown waits for in-flight requests, seconds (default 30). */
  shutdownGraceS?: number;
  /** Fastify's logger (pino) on stdout (default false). */
  log?: boolean;
}

/** {@link ServeOptions} with every default filled in. */
export type ResolvedServeOptions = Required<Omit<ServeOptions, 'model'>> & { model: string | undefined };

/** The web page's default folder: `dist/web` at the package root (same from src/ and dist/). */
export function defaultWebRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');
}

function check(name: string, value: number, ok: boolean, want: string): number {
  if (!ok) throw new EmovoxParameterError(name, `must be ${want}, got ${value}`);
  return value;
}

const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
const inRange = (v: number, min: number, max: number) => Number.isFinite(v) && v >= min && v <= max;

/**
 * Fills the defaults of {@link ServeOptions} and checks every value.
 * @throws EmovoxParameterError(option name, problem) for a value out of range.
 */
export function resolveServeOptions(options: ServeOptions = {}): ResolvedServeOptions {
  const o = {
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    model: options.model,
    workers: options.workers ?? Math.max(1, Math.min(4, availableParallelism())),
    maxQueue: options.maxQueue ?? 256,
    maxBodyBytes: options.maxBodyBytes ?? 32 * 2 ** 20,
    maxDurationS: options.maxDurationS ?? 60,
    maxTimelineDurationS: options.maxTimelineDurationS ?? 1800,
    requestTimeoutS: options.requestTimeoutS ?? 60,
    maxStreams: options.maxStreams ?? 16,
    maxMessageBytes: options.maxMessageBytes ?? 2 ** 20,
    maxStreamS: options.maxStreamS ?? 3600,
    streamIdleTimeoutS: options.streamIdleTimeoutS ?? 30,
    cors: options.cors ?? false,
    webRoot: options.webRoot ?? defaultWebRoot(),
    shutdownGraceS: options.shutdownGraceS ?? 30,
    log: options.log ?? false,
  };
  check('port', o.port, isInt(o.port, 0, 65535), 'an integer in 0..65535');
  check('workers', o.workers, isInt(o.workers, 1, 64), 'an integer in 1..64');
  check('maxQueue', o.maxQueue, isInt(o.maxQueue, 0, 100_000), 'an integer in 0..100000');
  check(
    'maxBodyBytes',
    o.maxBodyBytes,
    isInt(o.maxBodyBytes, 1, 2 ** 31),
    'an integer number of bytes in 1..2^31',
  );
  check('maxDurationS', o.maxDurationS, inRange(o.maxDurationS, 0.1, 86_400), 'seconds in 0.1..86400');
  check(
    'maxTimelineDurationS',
    o.maxTimelineDurationS,
    inRange(o.maxTimelineDurationS, 0.1, 86_400),
    'seconds in 0.1..86400',
  );
  check(
    'requestTimeoutS',
    o.requestTimeoutS,
    inRange(o.requestTimeoutS, 0.01, 86_400),
    'seconds in 0.01..86400',
  );
  check('maxStreams', o.maxStreams, isInt(o.maxStreams, 0, 10_000), 'an integer in 0..10000');
  check(
    'maxMessageBytes',
    o.maxMessageBytes,
    isInt(o.maxMessageBytes, 1024, 2 ** 30),
    'an integer in 1024..2^30',
  );
  check('maxStreamS', o.maxStreamS, inRange(o.maxStreamS, 1, 7 * 86_400), 'seconds in 1..604800');
  check(
    'streamIdleTimeoutS',
    o.streamIdleTimeoutS,
    inRange(o.streamIdleTimeoutS, 0.05, 86_400),
    'seconds in 0.05..86400',
  );
  check('shutdownGraceS', o.shutdownGraceS, inRange(o.shutdownGraceS, 0, 3600), 'seconds in 0..3600');
  if (o.host.trim() === '') throw new EmovoxParameterError('host', 'must not be empty');
  if (Array.isArray(o.cors)) {
    for (const origin of o.cors)
      if (!/^https?:\/\/[^/\s]+$/.test(origin))
        throw new EmovoxParameterError(
          'cors',
          `origins are scheme://host[:port], got ${JSON.stringify(origin)}`,
        );
  }
  return o;
}
