// The web page at `/`: the static files of `webRoot` (built by `npm run build:web` into
// dist/web/) when that folder holds an index.html, else a 404 that says how to build it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { ProblemBody } from './problem.js';

/** Whether `webRoot` holds a built page. */
export function webPageBuilt(webRoot: string): boolean {
  return existsSync(join(webRoot, 'index.html'));
}

const NOT_BUILT =
  'the web page is not built: run `npm run build:web` (it writes dist/web/), or start the service with another webRoot (CLI --web-root)';

/**
 * Serves the page. The folder is checked once at start: build the page before starting the
 * service. Files outside `webRoot` are never served (@fastify/static resolves and confines paths).
 */
export async function registerWeb(app: FastifyInstance, webRoot: string): Promise<void> {
  if (webPageBuilt(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: ['index.html'], wildcard: true });
    return;
  }
  app.get('/', async (request, reply) => {
    reply.code(404);
    if (request.headers.accept?.includes('text/html')) {
      reply.type('text/html; charset=utf-8');
      return `<!doctype html><meta charset="utf-8"><title>emovox: web page not built</title><h1>Web page not built</h1><p>${NOT_BUILT.replace(/`([^`]+)`/g, '<code>$1</code>')}.</p><p>The API works: <a href="/health">/health</a>, <a href="/v1/models">/v1/models</a>.</p>`;
    }
    const body: ProblemBody = { statusCode: 404, error: 'web_page_not_built', message: NOT_BUILT };
    return body;
  });
}
