// The built page served by `emovox serve` at `/`, in Chromium: it loads with every asset from the
// service itself (no external URL), its model loads, a file gives a result in local mode; in
// server mode the same file is POSTed to the service and gives the same label and scores (within
// 1e-4: onnxruntime-node in the service vs onnxruntime-web in the page), and the fake microphone
// streams over the WebSocket /v1/stream and yields events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encodeWav, loadAudio } from '../../src/audio/index.js';
import { startServer, type EmovoxServer } from '../../src/serve/index.js';
import { repoRoot } from '../helpers/data.js';
import type { PageResults } from '../../web/results.js';
import {
  buildPageToTemp,
  chromiumPath,
  chromiumSkip,
  ensureArtifactsDir,
  maxScoreDiff,
  settled as settledWithin,
} from './browser.js';

const skip = chromiumSkip();
const example = join(repoRoot, 'examples', 'espeak-kids-talking.wav');

// The served page loads the model over HTTP: allow longer than the default.
function settled(page: Page, from: string[], timeout = 60_000): Promise<string> {
  return settledWithin(page, from, timeout);
}

async function analyse(page: Page, file: string): Promise<PageResults> {
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => document.body.dataset.state === 'analysing', null, { timeout: 10_000 });
  const state = await settled(page, ['analysing']);
  assert.equal(state, 'done', (await page.textContent('#status')) ?? '');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as PageResults;
}

describe('the page served by emovox serve, in Chromium', { skip }, () => {
  let browser: Browser;
  let page: Page;
  let built: Awaited<ReturnType<typeof buildPageToTemp>>;
  let server: EmovoxServer;
  const requested: string[] = [];
  const apiCalls: string[] = [];
  const artifacts = skip ? '' : ensureArtifactsDir();

  // The example twice with 1.5 s of silence between: two speech regions, several windows.
  const twice = join(artifacts, 'example-twice-served.wav');

  before(async () => {
    const audio = await loadAudio(example, { mono: true });
    const joined = new Float32Array(2 * audio.samples.length + Math.round(1.5 * audio.sampleRate));
    joined.set(audio.samples, 0);
    joined.set(audio.samples, joined.length - audio.samples.length);
    writeFileSync(twice, encodeWav(joined, audio.sampleRate));
    built = await buildPageToTemp();
    server = await startServer({ port: 0, workers: 1, webRoot: built.outDir });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${example}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    // Every request of the page and its workers, service worker included.
    context.on('request', (r) => {
      requested.push(r.url());
      if (new URL(r.url()).pathname.startsWith('/v1/')) apiCalls.push(`${r.method()} ${r.url()}`);
    });
    page = await context.newPage();
    page.on('websocket', (ws) => requested.push(ws.url()));
  });

  after(async () => {
    await browser?.close();
    await server?.shutdown();
    built?.remove();
  });

  test('GET / is the built page; it loads its model with every asset from the service (no external URL)', async () => {
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await index.text(), /<title>emovox/);
    const wasm = await fetch(`${server.url}/ort/ort-wasm-simd-threaded.wasm`, { method: 'HEAD' });
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');

    await page.goto(`${server.url}/`);
    assert.equal(await settled(page, ['loading']), 'ready', (await page.textContent('#status')) ?? '');
    await page.waitForFunction(() => !(document.getElementById('mode-server') as HTMLInputElement).disabled);
    assert.equal(await page.isChecked('#mode-local'), true, 'local mode is the default');
    assert.match((await page.textContent('#mode-note')) ?? '', /Local mode: audio stays in this browser/);
    const origin = new URL(server.url).origin;
    const foreign = requested.filter((u) => !u.startsWith(origin) && !/^(blob|data):/.test(u));
    assert.deepEqual(foreign, [], 'requests outside the service');
    assert.ok(requested.some((u) => u.endsWith('/models/emovox-acted7/model.onnx')));
    assert.ok(requested.some((u) => u.endsWith('.wasm')));
    assert.deepEqual(apiCalls, ['GET ' + origin + '/v1/models'], 'local mode sends no audio');
  });

  test('a file: local mode, then server mode (POSTed to the service), same label and scores within 1e-4', async (t) => {
    const local = await analyse(page, twice);
    assert.equal(apiCalls.filter((c) => c.startsWith('POST')).length, 0, 'local mode uploaded nothing');

    await page.check('#mode-server');
    assert.equal(await page.getAttribute('body', 'data-mode'), 'server');
    assert.match((await page.textContent('#mode-note')) ?? '', /Server mode: audio is uploaded to/);
    const remote = await analyse(page, twice);
    const posts = apiCalls.filter((c) => c.startsWith('POST')).map((c) => new URL(c.split(' ')[1]).pathname);
    assert.deepEqual(posts.sort(), ['/v1/recognize', '/v1/timeline']);
    assert.match((await page.textContent('#file-summary')) ?? '', /analysed by the emovox server/);
    assert.match((await page.textContent('#status')) ?? '', /^Done \(server\)/);

    assert.equal(remote.recognition?.label, local.recognition?.label);
    const diff = maxScoreDiff(remote.recognition?.scores ?? {}, local.recognition?.scores ?? {});
    assert.ok(diff < 1e-4, `whole clip: max |server - local| = ${diff}`);
    let worst = diff;
    assert.ok(Math.abs((remote.recognition?.durationS ?? 0) - (local.recognition?.durationS ?? 1)) < 1e-9);
    assert.deepEqual(remote.speech, local.speech);
    assert.equal(remote.segments.length, local.segments.length);
    assert.ok(local.segments.length >= 2, `${local.segments.length} windows`);
    remote.segments.forEach((s, i) => {
      assert.equal(s.label, local.segments[i].label);
      const d = maxScoreDiff(s.scores, local.segments[i].scores);
      assert.ok(d < 1e-4, `segment ${i}: max |server - local| = ${d}`);
      worst = Math.max(worst, d);
    });
    t.diagnostic(
      `max |server - local| over the clip and ${remote.segments.length} windows: ${worst.toExponential(2)}`,
    );
    // Shown the same way: label, chart, timeline, table.
    assert.equal(await page.textContent('#emotion'), remote.recognition?.label);
    assert.equal(await page.getAttribute('#chart', 'data-points'), String(remote.segments.length));
    assert.equal(await page.locator('#segments tr').count(), remote.segments.length);
    await page.screenshot({ path: join(artifacts, 'server-file.png'), fullPage: true });
  });

  test('server mode: the microphone streams over the WebSocket /v1/stream and yields events', async (t) => {
    assert.equal(await page.isChecked('#mode-server'), true);
    const frames: string[] = [];
    const socket = page.waitForEvent('websocket');
    await page.click('#mic');
    const ws = await socket;
    ws.on('framereceived', (f) => frames.push(String(f.payload)));
    assert.match(ws.url(), /\/v1\/stream\?rate=\d+&format=f32le&vad=silero&interim=500$/);
    await page.waitForFunction(() => document.body.dataset.state === 'listening', null, { timeout: 10_000 });
    assert.match((await page.textContent('#status')) ?? '', /streaming to the server/);
    assert.equal(await page.isDisabled('#mode-local'), true, 'the mode is fixed while listening');
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) >= 3, null, {
      timeout: 30_000,
    });
    await page.click('#mic');
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 20_000 });
    assert.match((await page.textContent('#status')) ?? '', /^Stopped \(server\)/);
    const types = frames.map((f) => (JSON.parse(f) as { type: string }).type);
    assert.ok(types.includes('interim') || types.includes('segment'), types.join(','));
    assert.equal(types.at(-1), 'summary');
    t.diagnostic(`stream messages: ${types.join(',')}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    const results = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PageResults;
    assert.equal(results.source, 'microphone');
    assert.equal(
      results.segments.length,
      types.filter((t) => t === 'segment').length,
      'every segment event is in the results',
    );
    await page.screenshot({ path: join(artifacts, 'server-microphone.png'), fullPage: true });
  });

  test('server mode: the service shutting down mid-session ends it with a message, results kept', async () => {
    await page.click('#mic');
    await page.waitForFunction(() => document.body.dataset.state === 'listening', null, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) >= 1, null, {
      timeout: 30_000,
    });
    await server.shutdown();
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 20_000 });
    assert.match(
      (await page.textContent('#status')) ?? '',
      /^The live session ended badly: the server closed the stream \(1001: server shutting down\)/,
    );
    assert.equal(await page.getAttribute('#mic', 'aria-pressed'), 'false');
    assert.equal(await page.isDisabled('#download-json'), false, 'the session so far can be downloaded');
  });
});
