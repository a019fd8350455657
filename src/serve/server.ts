// The emovox HTTP service (Fastify): the API (routes.ts), the live stream (stream-socket.ts) and
// the web page (web.ts) over one worker pool, with JSON errors, limits and a graceful shutdown.
import { basename } from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import { modelCardText, resolveModelPath, bundledModels } from '../infer/bundled.js';
import { loadBundle } from '../models/bundle.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { ClientGone } from './body.js';
import { shuttingDown } from './gate.js';
import { InferencePool } from './inference-pool.js';
import { resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './options.js';
import { HttpProblem, type ProblemCode } from './problem.js';
import type { ModelFacts } from './protocol.js';
import { RAW_AUDIO_TYPES, registerApi } from './routes.js';
import { registerStream, StreamRegistry } from './stream-socket.js';
import { registerWeb, webPageBuilt } from './web.js';

/** A running service. */
export interface EmovoxServer {
  /** The Fastify instance (routes, `inject` for tests). */
  readonly app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly options: ResolvedServeOptions;
  /** What the served model looks like. */
  readonly facts: ModelFacts;
  /**
   * Inference jobs: running on a worker now (including ones whose request was already answered
   * 408 or 503), and finished on their worker since start.
   */
  jobs(): { onWorkers: number; finished: number };
  /**
   * Graceful shutdown: new requests get 503 at once, requests in flight finish (up to
   * `shutdownGraceS`), open streams receive their last events and a close; past the grace
   * period, requests still waiting for inference are answered 503. Then the listener closes and,
   * once every job still running on a worker thread has finished there (a worker is never
   * terminated inside onnxruntime), the workers stop. Idempotent.
   */
  shutdown(): Promise<void>;
}

/** Maps any error to the service's JSON error. */
function problemOf(error: unknown, maxBodyBytes: number, contentType: string | undefined): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const e = error as FastifyError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new HttpProblem(
      415,
      'unsupported_media_type',
      `${contentType ? `unsupported Content-Type ${JSON.stringify(contentType.slice(0, 100))}` : 'no Content-Type'}: send audio bytes (Content-Type ${RAW_AUDIO_TYPES}) or a multipart/form-data upload`,
    );
  if (status === 413)
    return new HttpProblem(
      413,
      'body_too_large',
      `the request body is above the limit of ${(maxBodyBytes / 2 ** 20).toFixed(1)} MiB`,
      { connection: 'close' },
    );
  if (status >= 400 && status < 500) {
    const code: ProblemCode =
      status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'bad_request';
    return new HttpProblem(status, code, errorMessage(error));
  }
  return new HttpProblem(500, 'internal_error', 'internal error (see the service log)');
}

/** `/v1/models` entry of a bundle: name, labels, calibration, card (never its path on disk). */
function modelInfo(model: string | undefined, path: string, facts: ModelFacts): Record<string, unknown> {
  const bundled = bundledModels().find((m) => m.path === path);
  const bundle = loadBundle(path);
  return {
    name: bundled?.name ?? basename(path).replace(/\.emovox$/, ''),
    default: true,
    bundled: bundled !== undefined,
    labels: facts.labels,
    sampleRates: facts.rates,
    temperature: facts.temperature,
    lowConfidenceBelow: facts.lowConfidenceBelow,
    metadata: bundle.metadata ?? {},
    card: bundle.card ?? null,
    modelCard: modelCardText(path) ?? null,
    requested: model ?? null,
  };
}

/**
 * Starts the service: loads the model in every worker, then listens.
 * @param options - see {@link ServeOptions} (defaults: 127.0.0.1:8080, the bundled model,
 *   one worker per core up to 4, CORS off, webRoot `dist/web`).
 * @throws EmovoxParameterError for a bad option; EmovoxInputError(model, problem) when the model
 *   cannot be loaded; the listen error (port in use) as Node gives it.
 */
export async function startServer(options: ServeOptions = {}): Promise<EmovoxServer> {
  const o = resolveServeOptions(options);
  const modelPath = resolveModelPath(o.model);
  const pool = new InferencePool(modelPath, o.workers, o.maxQueue);
  let facts: ModelFacts;
  try {
    facts = await pool.warm();
  } catch (error) {
    await pool.close();
    throw new EmovoxInputError(o.model ?? 'model', errorMessage(error));
  }
  const started = Date.now();
  const streams = new StreamRegistry();
  const app = Fastify({
    logger: o.log,
    // Node's own request timeout answers a bare 408 without a body: keep it behind ours.
    requestTimeout: (o.requestTimeoutS + 30) * 1000,
    bodyLimit: o.maxBodyBytes,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  app.decorateRequest('emovox', null);
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ClientGone) {
      // Nobody is left to answer; end the exchange quietly.
      request.log.info('client left before its request was complete');
      return reply.code(499).send();
    }
    const problem = problemOf(error, o.maxBodyBytes, request.headers['content-type']);
    if (problem.statusCode >= 500) request.log.error(error);
    return reply.code(problem.statusCode).headers(problem.headers).send(problem.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new HttpProblem(
      404,
      'not_found',
      `no route ${request.method} ${request.url.split('?')[0]}`,
    );
    return reply.code(404).send(problem.body());
  });
  if (o.cors !== false) await app.register(cors, { origin: o.cors === true ? true : o.cors });
  app.addHook('onRequest', async () => {
    if (pool.gate.stats().draining) throw shuttingDown();
  });
  await app.register(websocket, { options: { maxPayload: o.maxMessageBytes } });
  await registerApi(app, {
    options: o,
    pool,
    facts,
    modelInfo: modelInfo(o.model, modelPath, facts),
    health: () => ({
      uptimeS: (Date.now() - started) / 1000,
      jobs: { onWorkers: pool.jobsOnWorkers, finished: pool.finishedJobs },
      streams: streams.sessions.size,
      webPage: webPageBuilt(o.webRoot),
      memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
    }),
  });
  registerStream(app, pool, facts, o, streams);
  await registerWeb(app, o.webRoot);
  try {
    await app.listen({ port: o.port, host: o.host });
  } catch (error) {
    await pool.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${host}:${port}`,
    port,
    options: o,
    facts,
    jobs: () => ({ onWorkers: pool.jobsOnWorkers, finished: pool.finishedJobs }),
    shutdown() {
      closing ??= (async () => {
        pool.gate.drain();
        let drained = false;
        const grace = new Promise<void>((resolve) => setTimeout(resolve, o.shutdownGraceS * 1000).unref());
        await Promise.race([
          Promise.all([pool.gate.idle(), streams.endAll()]).then(() => (drained = true)),
          grace,
        ]);
        if (!drained) {
          // Past the grace period, requests still waiting for inference are answered 503 (their
          // jobs go on running on the workers); uploads still arriving are cut off.
          pool.cutOff();
          const end = Date.now() + 1000;
          while (pool.gate.stats().admitted > 0 && Date.now() < end)
            await new Promise((resolve) => setTimeout(resolve, 20));
          app.server.closeAllConnections();
        }
        await app.close();
        // Waits for the jobs still running on the workers: a worker is never terminated inside
        // onnxruntime (that can abort the process).
        await pool.close();
      })();
      return closing;
    },
  };
}
