// The HTTP API: health, the model, recognise one clip, a timeline of long audio. Audio arrives
// as the raw body (Content-Type audio/* or application/octet-stream) or as the first file of a
// multipart/form-data upload; it is decoded and scored on a worker thread.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { errorMessage } from '../util/errors.js';
import { bodyTooLarge, ClientGone, readBody } from './body.js';
import { contextOf, openRequest } from './context.js';
import type { InferencePool } from './inference-pool.js';
import type { ResolvedServeOptions } from './options.js';
import { HttpProblem } from './problem.js';
import type { ModelFacts, TimelineParams } from './protocol.js';

/** Content types of a raw audio body. */
export const RAW_AUDIO_TYPES = 'audio/* or application/octet-stream';

/** What the routes need from the server. */
export interface RouteDeps {
  options: ResolvedServeOptions;
  pool: InferencePool;
  facts: ModelFacts;
  /** `/v1/models` entry of the served model (name, card). */
  modelInfo: Record<string, unknown>;
  /** Extra fields of `/health` (streams, uptime). */
  health: () => Record<string, unknown>;
}

const timelineQuery = {
  type: 'object',
  properties: {
    vad: { type: 'string', enum: ['silero', 'energy', 'none'], default: 'silero' },
    window: { type: 'number', minimum: 0.25, maximum: 60 },
    hop: { type: 'number', exclusiveMinimum: 0, maximum: 60 },
    smoothing: { type: 'number', minimum: 0, maximum: 3600 },
    minSpeech: { type: 'number', minimum: 0, maximum: 3600 },
  },
  additionalProperties: false,
} as const;

/** Reads the audio of a request: the raw body, or the first file part of a multipart upload. */
async function audioOf(request: FastifyRequest, maxBytes: number): Promise<Uint8Array> {
  const { signal } = contextOf(request);
  let bytes: Uint8Array;
  if (request.isMultipart()) {
    try {
      const part = await request.file();
      if (!part)
        throw new HttpProblem(
          400,
          'malformed_multipart',
          'the multipart upload has no file part: send the audio as a file field',
        );
      bytes = await readBody(part.file, maxBytes, signal);
    } catch (error) {
      if (error instanceof HttpProblem || error instanceof ClientGone || signal.aborted) throw error;
      if ((error as { statusCode?: number }).statusCode === 413) throw bodyTooLarge(undefined, maxBytes);
      if (request.raw.socket?.destroyed !== false) throw new ClientGone();
      throw new HttpProblem(
        400,
        'malformed_multipart',
        `malformed multipart/form-data body: ${errorMessage(error)}`,
      );
    }
  } else if (request.body instanceof Uint8Array) bytes = request.body;
  else
    throw new HttpProblem(
      400,
      'empty_body',
      `the request has no body: send audio bytes (Content-Type ${RAW_AUDIO_TYPES}) or a multipart/form-data upload`,
    );
  if (bytes.length === 0)
    throw new HttpProblem(400, 'empty_body', 'the audio is empty (0 bytes): send the bytes of an audio file');
  return bytes;
}

/**
 * Registers the HTTP API on an app (inside its own plugin scope: only these routes accept audio
 * bodies; every other content type gets 415).
 */
export async function registerApi(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { options, pool } = deps;

  app.get('/health', async () => ({
    status: 'ok',
    workers: options.workers,
    requests: pool.gate.stats(),
    ...deps.health(),
  }));

  app.get('/v1/models', async () => ({ models: [deps.modelInfo] }));

  await app.register(async (api) => {
    api.removeAllContentTypeParsers();
    const raw = async (request: FastifyRequest, payload: NodeJS.ReadableStream) => {
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBodyBytes)
        throw bodyTooLarge(declared, options.maxBodyBytes);
      try {
        return await readBody(
          payload as import('node:stream').Readable,
          options.maxBodyBytes,
          contextOf(request).signal,
        );
      } catch (error) {
        if (error instanceof HttpProblem || contextOf(request).signal.aborted) throw error;
        throw new ClientGone();
      }
    };
    api.addContentTypeParser(/^audio\/[\w.+-]+\s*(;.*)?$/i, raw);
    api.addContentTypeParser('application/octet-stream', raw);
    await api.register(multipart, {
      limits: {
        // One byte above the limit, so that readBody sees the excess and answers 413 itself
        // (busboy only truncates a file at its limit).
        fileSize: options.maxBodyBytes + 1,
        files: 1,
        fields: 16,
        fieldSize: 64 * 1024,
        parts: 32,
        headerPairs: 100,
      },
    });
    api.addHook('onRequest', async (request, reply) => {
      openRequest(request, reply, pool.gate, options.requestTimeoutS);
    });
    api.addHook('preParsing', async (request, _reply, payload) => {
      // Multipart bodies are streamed by the handler; refuse an announced oversize one up front.
      const declared = Number(request.headers['content-length']);
      if (request.isMultipart() && Number.isFinite(declared) && declared > options.maxBodyBytes + 64 * 1024)
        throw bodyTooLarge(declared, options.maxBodyBytes);
      return payload;
    });

    api.post('/v1/recognize', async (request) => {
      const bytes = await audioOf(request, options.maxBodyBytes);
      const { signal, deadline } = contextOf(request);
      const reply = await pool.run(
        { kind: 'recognize', model: pool.model, bytes, maxDuration: options.maxDurationS },
        [bytes.buffer as ArrayBuffer],
        signal,
        deadline,
        options.requestTimeoutS,
      );
      return reply.kind === 'recognize' ? reply.result : undefined;
    });

    api.post<{ Querystring: TimelineParams }>(
      '/v1/timeline',
      { schema: { querystring: timelineQuery } },
      async (request) => {
        const params = request.query;
        if (params.hop !== undefined && params.hop > (params.window ?? 3))
          throw new HttpProblem(
            400,
            'bad_request',
            `hop (${params.hop} s) must not exceed window (${params.window ?? 3} s)`,
          );
        const bytes = await audioOf(request, options.maxBodyBytes);
        const { signal, deadline } = contextOf(request);
        const reply = await pool.run(
          {
            kind: 'timeline',
            model: pool.model,
            bytes,
            maxDuration: options.maxTimelineDurationS,
            params,
          },
          [bytes.buffer as ArrayBuffer],
          signal,
          deadline,
          options.requestTimeoutS,
        );
        return reply.kind === 'timeline' ? reply.result : undefined;
      },
    );
  });
}
