// Live recognition over a WebSocket: the client sends raw PCM frames (binary messages), the
// server pushes a JSON event as each speech segment ends. Voice activity detection runs on the
// main thread (a few microseconds per 32 ms frame); scoring a segment is a job on the worker
// pool like any HTTP request, so streams and uploads share the workers fairly.
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { PcmStreamDecoder, type RawPcmFormat } from '../infer/pcm-stream.js';
import { SileroVad } from '../infer/silero.js';
import { StreamingRecognizer, type StreamEvent } from '../infer/stream.js';
import type { EmotionScores } from '../infer/scores.js';
import type { UtteranceClassifier } from '../infer/timeline-core.js';
import { EnergyFrameVad, type FrameVad } from '../infer/vad.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import type { InferencePool } from './inference-pool.js';
import type { ResolvedServeOptions } from './options.js';
import { HttpProblem } from './problem.js';
import type { ModelFacts } from './protocol.js';

/** Query parameters of `GET /v1/stream` (the WebSocket upgrade). */
export interface StreamQuery {
  /** Rate of the PCM the client sends, Hz (default 16000). */
  rate: number;
  /** `s16le` (default) or `f32le`, little-endian, interleaved. */
  format: RawPcmFormat;
  /** Interleaved channels, averaged to mono (default 1). */
  channels: number;
  /** `silero` (default) or `energy`. */
  vad: 'silero' | 'energy';
  /** Interim events every this many ms inside long segments (default 0 = none). */
  interim: number;
  /** Segments are cut at this length, seconds (default 10). */
  maxSegment: number;
}

const streamQuery = {
  type: 'object',
  properties: {
    rate: { type: 'integer', minimum: 1000, maximum: 384000, default: 16000 },
    format: { type: 'string', enum: ['s16le', 'f32le'], default: 's16le' },
    channels: { type: 'integer', minimum: 1, maximum: 32, default: 1 },
    vad: { type: 'string', enum: ['silero', 'energy'], default: 'silero' },
    interim: { type: 'integer', minimum: 0, maximum: 600_000, default: 0 },
    maxSegment: { type: 'number', minimum: 0.5, maximum: 120, default: 10 },
  },
  additionalProperties: false,
} as const;

/** WebSocket close codes the service uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  internal: 1011,
  tryAgainLater: 1013,
} as const;

/** Unanswered binary messages after which the server stops reading the socket (backpressure). */
const MAX_PENDING_CHUNKS = 8;

/** Scores a stream's segments on the worker pool. */
class PoolClassifier implements UtteranceClassifier {
  readonly labels: readonly string[];
  readonly lowConfidenceBelow: number;

  constructor(
    private readonly pool: InferencePool,
    facts: ModelFacts,
    private readonly signal: AbortSignal,
    private readonly timeoutS: number,
  ) {
    this.labels = facts.labels;
    this.lowConfidenceBelow = facts.lowConfidenceBelow;
  }

  async classify(samples: Float32Array, sampleRate: number): Promise<EmotionScores> {
    const copy = samples.slice();
    try {
      const reply = await this.pool.run(
        { kind: 'classify', model: this.pool.model, samples: copy, sampleRate },
        [copy.buffer],
        this.signal,
        performance.now() + this.timeoutS * 1000,
        this.timeoutS,
      );
      if (reply.kind !== 'classify') throw new Error('unexpected reply to a classify job');
      return reply.result;
    } catch (error) {
      // A segment the model cannot score (too short) is reported in the stream, not fatal.
      if (error instanceof HttpProblem && error.statusCode === 400)
        throw new EmovoxInputError('segment', error.message);
      throw error;
    }
  }
}

/** One open stream. */
class StreamSession {
  private readonly controller = new AbortController();
  private readonly decoder: PcmStreamDecoder;
  private pending = 0;
  private finished = false;
  private receivedS = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly recognizer: StreamingRecognizer,
    private readonly query: StreamQuery,
    private readonly options: ResolvedServeOptions,
    private readonly onDone: () => void,
  ) {
    this.decoder = new PcmStreamDecoder(query.format, query.channels);
  }

  /**
   * (Re)arms the idle timer: with no message for `streamIdleTimeoutS` the stream is finished
   * (last events, summary) and closed with 1008. Time the server itself holds the client back
   * (backpressure: unscored chunks pending) does not count as idle.
   */
  touch(): void {
    clearTimeout(this.idleTimer);
    if (this.finished) return;
    const idleS = this.options.streamIdleTimeoutS;
    this.idleTimer = setTimeout(() => {
      if (this.pending > 0) return this.touch();
      this.send({
        type: 'error',
        message: `no message for ${idleS} s: the stream is closed (option streamIdleTimeoutS, CLI --stream-idle)`,
      });
      void this.finish(CLOSE.policy, `idle timeout: no message for ${idleS} s`);
    }, idleS * 1000);
  }

  /** Aborted when the stream ends: its queued scoring jobs give up their place. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  send(message: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  sendEvents(events: StreamEvent[]): void {
    for (const e of events) this.send(e);
  }

  onBinary(bytes: Uint8Array): void {
    if (this.finished) return;
    this.touch();
    const samples = this.decoder.decode(bytes);
    this.receivedS += samples.length / this.query.rate;
    if (this.receivedS > this.options.maxStreamS) {
      void this.fail(
        CLOSE.policy,
        `the stream is longer than the limit of ${this.options.maxStreamS} s (option maxStreamS)`,
      );
      return;
    }
    this.pending++;
    if (this.pending >= MAX_PENDING_CHUNKS) this.socket.pause();
    this.recognizer
      .push(samples)
      .then((events) => this.sendEvents(events))
      .catch((error: unknown) => this.fail(CLOSE.internal, errorMessage(error)))
      .finally(() => {
        this.pending--;
        if (this.pending < MAX_PENDING_CHUNKS && this.socket.isPaused) this.socket.resume();
      });
  }

  onText(text: string): void {
    this.touch();
    let type: unknown = text.trim();
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && 'type' in parsed) type = parsed.type;
    } catch {
      // plain text: the word itself is the command
    }
    if (type === 'end') void this.finish(CLOSE.normal, 'end of stream');
    else
      void this.fail(
        CLOSE.policy,
        `unknown text message ${JSON.stringify(text.slice(0, 40))}: send PCM as binary messages and {"type":"end"} to finish`,
      );
  }

  /** Ends the stream: the last events, the summary, then the close frame. Idempotent. */
  async finish(code: number, reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    try {
      this.sendEvents(await this.recognizer.end());
      const summary = this.recognizer.summary();
      this.send({ type: 'summary', ...summary });
      if (this.decoder.pending > 0)
        this.send({
          type: 'warning',
          message: `the stream ended inside a sample frame (${this.decoder.pending} bytes ignored)`,
        });
    } catch (error) {
      this.send({ type: 'error', message: errorMessage(error) });
      code = CLOSE.internal;
    }
    this.close(code, reason);
  }

  /** Ends the stream with an error message. */
  async fail(code: number, message: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    this.send({ type: 'error', message });
    this.close(code, message.slice(0, 120));
  }

  private close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
    void this.dispose();
  }

  /** Frees the detector and gives up queued jobs (on close, from either side). Idempotent. */
  async dispose(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    this.controller.abort(new Error('stream closed'));
    this.onDone();
    // Releases the detector too (Silero's onnxruntime session).
    await this.recognizer.close().catch(() => undefined);
  }
}

/** Open streams of a service, for `/health` and shutdown. */
export class StreamRegistry {
  readonly sessions = new Set<StreamSession>();

  /** Ends every open stream (events so far, summary, close 1001). */
  async endAll(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.finish(CLOSE.goingAway, 'server shutting down')));
  }
}

/**
 * Registers `GET /v1/stream` (WebSocket). Parameters in the query (see {@link StreamQuery}).
 * Client -> server: binary messages of PCM, then the text message `{"type":"end"}`.
 * Server -> client: `{"type":"ready"}`, one JSON event per segment (as `StreamingRecognizer`
 * emits them), `{"type":"summary"}` at the end, `{"type":"error"}` before an abnormal close.
 */
export function registerStream(
  app: FastifyInstance,
  pool: InferencePool,
  facts: ModelFacts,
  options: ResolvedServeOptions,
  registry: StreamRegistry,
): void {
  app.get<{ Querystring: StreamQuery }>(
    '/v1/stream',
    { websocket: true, schema: { querystring: streamQuery } },
    async (socket, request) => {
      const query = request.query;
      if (registry.sessions.size >= options.maxStreams) {
        socket.send(
          JSON.stringify({
            type: 'error',
            message: `too many live streams (limit ${options.maxStreams}, option maxStreams); retry later`,
          }),
        );
        socket.close(CLOSE.tryAgainLater, 'too many streams');
        return;
      }
      // Messages that arrive while the detector loads wait here, in order.
      const early: [Uint8Array | string, boolean][] = [];
      const onEarly = (data: Buffer, isBinary: boolean) =>
        early.push([isBinary ? new Uint8Array(data) : data.toString('utf8'), isBinary]);
      socket.on('message', onEarly);
      let vad: FrameVad;
      let session: StreamSession;
      try {
        vad = query.vad === 'energy' ? new EnergyFrameVad() : await SileroVad.load();
        const controller = new AbortController();
        const recognizer = new StreamingRecognizer({
          sampleRate: query.rate,
          classifier: new PoolClassifier(pool, facts, controller.signal, options.requestTimeoutS),
          vad,
          interimMs: query.interim,
          maxSegmentMs: query.maxSegment * 1000,
        });
        session = new StreamSession(socket, recognizer, query, options, () => {
          controller.abort(new Error('stream closed'));
          registry.sessions.delete(session);
        });
      } catch (error) {
        socket.send(JSON.stringify({ type: 'error', message: errorMessage(error) }));
        socket.close(CLOSE.policy, 'bad stream parameters');
        return;
      }
      registry.sessions.add(session);
      socket.off('message', onEarly);
      socket.on('message', (data: Buffer, isBinary: boolean) =>
        isBinary ? session.onBinary(new Uint8Array(data)) : session.onText(data.toString('utf8')),
      );
      socket.on('close', () => void session.dispose());
      session.touch();
      session.send({
        type: 'ready',
        sampleRate: query.rate,
        format: query.format,
        channels: query.channels,
        vad: query.vad,
        labels: facts.labels,
      });
      for (const [data, isBinary] of early)
        if (isBinary) session.onBinary(data as Uint8Array);
        else session.onText(data as string);
      if (socket.readyState !== socket.OPEN) void session.dispose();
    },
  );
}
