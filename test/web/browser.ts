// Helpers of the browser tests: the built page in a temporary folder, a tiny static server for
// it on 127.0.0.1 (port 0), and Debian's Chromium driven by playwright-core (no browser download).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/data.js';

/** The Chromium the browser tests drive: $EMOVOX_CHROMIUM, else Debian's /usr/bin/chromium. */
export const chromiumPath = process.env.EMOVOX_CHROMIUM ?? '/usr/bin/chromium';

/** A skip message when Chromium is missing, else false. */
export function chromiumSkip(): string | false {
  return existsSync(chromiumPath)
    ? false
    : `no Chromium at ${chromiumPath} (apt-get install chromium, or set EMOVOX_CHROMIUM): browser tests skipped`;
}

/** Where the browser tests save their screenshots (gitignored). */
export const artifactsDir = join(repoRoot, 'test-artifacts', 'web');

export function ensureArtifactsDir(): string {
  mkdirSync(artifactsDir, { recursive: true });
  return artifactsDir;
}

interface BuildModule {
  // A plain function of the module (no `this`), so it may be destructured.
  buildWeb: (options: {
    outDir?: string;
    minify?: boolean;
    quiet?: boolean;
  }) => Promise<{ outDir: string; files: Record<string, number> }>;
}

/** Builds the page into a fresh temporary folder; `remove()` deletes it. */
export async function buildPageToTemp(): Promise<{
  outDir: string;
  files: Record<string, number>;
  remove(): void;
}> {
  const outDir = mkdtempSync(join(tmpdir(), 'emovox-web-'));
  const { buildWeb } = (await import(join(repoRoot, 'scripts', 'build-web.mjs'))) as BuildModule;
  const built = await buildWeb({ outDir, quiet: true });
  return { ...built, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

/** A static file server of `root` on 127.0.0.1 (any free port). */
export async function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Largest absolute difference between two score maps over the same labels. */
export function maxScoreDiff(a: Record<string, number>, b: Record<string, number>): number {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  return Math.max(...Object.keys(a).map((k) => Math.abs(a[k] - b[k])));
}

/** Waits until the page has left the states `from` (e.g. `loading`, `analysing`) and returns its state. */
export async function settled(page: Page, from: string[], timeout = 30_000): Promise<string> {
  await page.waitForFunction((states) => !states.includes(document.body.dataset.state ?? ''), from, {
    timeout,
  });
  return (await page.getAttribute('body', 'data-state')) ?? '';
}
