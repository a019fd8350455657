// The WebSocket idle timeout: a client that connects and sends nothing, or sends audio and then
// stops, is closed with 1008 and the reason `idle timeout: ...`, after the summary of what it sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { resolveServeOptions } from '../../src/serve/options.js';
import { startServer, type EmovoxServer } from '../../src/serve/index.js';
import { until, withPauses } from './helpers.js';

let server: EmovoxServer;
const IDLE_S = 0.6;

before(async () => {
  server = await startServer({ port: 0, workers: 1, streamIdleTimeoutS: IDLE_S });
});
after(async () => {
  await server?.shutdown();
});

interface Closed {
  code: number;
  reason: string;
  messages: Record<string, unknown>[];
  afterS: number;
}

/** Opens a stream, sends `pcm` (s16le) once ready and then nothing; resolves at the close. */
function idleStream(pcm?: Uint8Array): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/stream?vad=energy`);
    const messages: Record<string, unknown>[] = [];
    let lastSend = 0;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Record<string, unknown>;
      messages.push(m);
      if (m.type === 'ready') {
        if (pcm) for (let at = 0; at < pcm.length; at += 3200) ws.send(pcm.subarray(at, at + 3200));
        lastSend = performance.now();
      }
    });
    ws.on('close', (code, reason) =>
      resolve({ code, reason: reason.toString(), messages, afterS: (performance.now() - lastSend) / 1000 }),
    );
    ws.once('error', reject);
  });
}

test('streamIdleTimeoutS: default 30 s, checked', () => {
  assert.equal(resolveServeOptions({}).streamIdleTimeoutS, 30);
  assert.throws(() => resolveServeOptions({ streamIdleTimeoutS: 0 }), /streamIdleTimeoutS/);
});

test('a stream that sends nothing is closed with 1008 "idle timeout" after streamIdleTimeoutS', async () => {
  const closed = await idleStream();
  assert.equal(closed.code, 1008);
  assert.match(closed.reason, /^idle timeout: no message for 0\.6 s$/);
  assert.deepEqual(
    closed.messages.map((m) => m.type),
    ['ready', 'error', 'summary'],
  );
  assert.match(String(closed.messages[1].message), /no message for 0\.6 s.*streamIdleTimeoutS/);
  assert.ok(closed.afterS >= IDLE_S * 0.9 && closed.afterS < 10, `closed after ${closed.afterS} s`);
});

test('a stream that stops sending gets its events and summary, then the idle close', async () => {
  const samples = withPauses([1.5, 0.8]);
  const pcm = new Uint8Array(samples.length * 2);
  const view = new DataView(pcm.buffer);
  samples.forEach((v, i) => view.setInt16(2 * i, Math.round(v * 32767), true));
  const closed = await idleStream(pcm);
  assert.equal(closed.code, 1008);
  assert.match(closed.reason, /idle timeout/);
  const segments = closed.messages.filter((m) => m.type === 'segment');
  assert.ok(segments.length >= 1, JSON.stringify(closed.messages.map((m) => m.type)));
  const summary = closed.messages.at(-1)!;
  assert.equal(summary.type, 'summary');
  assert.equal(summary.segments, segments.length);
  await until(
    async () => ((await (await fetch(`${server.url}/health`)).json()) as { streams: number }).streams === 0,
  );
});
