// Per-request bookkeeping of the service: the deadline, its abort signal, the admission.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientGone } from './body.js';
import type { Gate } from './gate.js';
import { requestTimeout } from './inference-pool.js';

/** What the service keeps for one inference request. */
export interface RequestContext {
  /** Aborted at the deadline (reason: HttpProblem 408) or when the client goes away (ClientGone). */
  signal: AbortSignal;
  /** `performance.now()` time of the deadline. */
  deadline: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the inference routes' onRequest hook. */
    emovox: RequestContext | null;
  }
}

/**
 * Admits an inference request (429/503 are thrown from here, before the body is read) and arms
 * its deadline. Everything is released when the response is sent or the connection closes.
 * @param timeoutS - time from now to the deadline, seconds.
 */
export function openRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  gate: Gate,
  timeoutS: number,
): void {
  const releaseAdmission = gate.admit();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(requestTimeout(timeoutS)), timeoutS * 1000);
  request.emovox = { signal: controller.signal, deadline: performance.now() + timeoutS * 1000 };
  reply.raw.once('close', () => {
    clearTimeout(timer);
    // Closed before the response was complete: the client left; stop waiting for its body or a worker.
    if (!reply.raw.writableFinished && !controller.signal.aborted) controller.abort(new ClientGone());
    releaseAdmission();
  });
}

/** The context of a request that went through {@link openRequest}. */
export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.emovox) throw new Error('request has no emovox context (route without openRequest)');
  return request.emovox;
}
