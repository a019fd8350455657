/**
 * The HTTP service (`emovox serve`): Fastify routes over a pool of inference worker threads,
 * a WebSocket for live PCM, the web page from a folder of static files. Node only.
 */
export { startServer, type EmovoxServer } from './server.js';
export {
  resolveServeOptions,
  defaultWebRoot,
  type ServeOptions,
  type ResolvedServeOptions,
} from './options.js';
export { HttpProblem, type ProblemBody, type ProblemCode } from './problem.js';
export type { StreamQuery } from './stream-socket.js';
export type { ModelFacts, TimelineParams } from './protocol.js';
