// The HTTP service end to end on 127.0.0.1 (port 0): results equal recognize()/timeline() in
// process, every limit answers with its JSON error, uploads that go wrong leave the service
// healthy, WebSocket streams give the in-process streaming events, memory stays flat over 1000
// requests, and shutdown lets requests in flight finish while new ones get 503.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeFlac, encodeWav, synthesizeSpeechLike } from '../../src/audio/index.js';
import { PcmStreamDecoder } from '../../src/infer/pcm-stream.js';
import { createStreamingRecognizer, recognize, timeline } from '../../src/infer/recognizer.js';
import type { StreamEvent } from '../../src/infer/stream.js';
import { startServer, type EmovoxServer } from '../../src/serve/index.js';
import { clipWav, post, rawRequest, readAll, settledMemory, until, withPauses } from './helpers.js';

const temp = mkdtempSync(join(tmpdir(), 'emovox-serve-'));
const webRoot = join(temp, 'web');
let server: EmovoxServer;
let url: string;

const LIMITS = { maxBodyBytes: 2 ** 20, maxDurationS: 10, requestTimeoutS: 3, maxQueue: 2, maxStreams: 2 };

before(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(webRoot);
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>emovox test page</title>');
  server = await startServer({ port: 0, host: '127.0.0.1', workers: 1, webRoot, ...LIMITS });
  url = server.url;
});
after(async () => {
  await server?.shutdown();
  rmSync(temp, { recursive: true, force: true });
});

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-6, `${what}: ${a} vs ${b}`);
function sameScores(a: Record<string, number>, b: Record<string, number>, what: string): void {
  assert.deepEqual(Object.keys(a), Object.keys(b), what);
  for (const k of Object.keys(a)) close(a[k], b[k], `${what} ${k}`);
}
const health = async () =>
  (await (await fetch(`${url}/health`)).json()) as { requests: Record<string, number> };
const quiet = async () => {
  const h = await health();
  return h.requests.admitted === 0 && h.requests.running === 0 && h.requests.waiting === 0;
};

test('GET /health, /v1/models and the web page from webRoot', async () => {
  const h = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
  assert.equal(h.status, 'ok');
  assert.equal(h.workers, 1);
  assert.equal(h.webPage, true);
  const models = (await (await fetch(`${url}/v1/models`)).json()) as { models: Record<string, unknown>[] };
  assert.equal(models.models.length, 1);
  const m = models.models[0];
  assert.equal(m.name, 'emovox-acted7');
  assert.deepEqual(m.labels, ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised']);
  assert.match(String(m.modelCard), /non-commercial/i);
  assert.ok(!JSON.stringify(m).includes(temp) && !('path' in m), 'no path on disk in /v1/models');
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /emovox test page/);
  // CORS is off by default.
  const cors = await fetch(`${url}/health`, { headers: { origin: 'http://elsewhere.test' } });
  assert.equal(cors.headers.get('access-control-allow-origin'), null);
  const missing = await fetch(`${url}/v1/nothing`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: string }).error, 'not_found');
});

test('POST /v1/recognize: raw WAV, FLAC, octet-stream and multipart equal recognize() within 1e-6', async () => {
  const samples = synthesizeSpeechLike({ durationS: 3, sampleRate: 22050, seed: 7 });
  const wav = encodeWav([samples, samples], 22050);
  const flac = await encodeFlac(synthesizeSpeechLike({ durationS: 2.5, sampleRate: 16000, seed: 8 }), 16000);
  for (const [bytes, type] of [
    [wav, 'audio/wav'],
    [flac, 'audio/flac'],
    [wav, 'application/octet-stream'],
    // The container is read from the bytes; the Content-Type only has to say "audio".
    [wav, 'audio/webm;codecs=opus'],
  ] as const) {
    const expected = await recognize(new Uint8Array(bytes));
    const r = await post(`${url}/v1/recognize`, bytes, type);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.label, expected.label);
    sameScores(r.json.scores as Record<string, number>, expected.scores, type);
    close(r.json.confidence as number, expected.confidence, 'confidence');
    assert.equal(r.json.lowConfidence, expected.lowConfidence);
    close(r.json.durationS as number, expected.durationS, 'durationS');
  }
  const form = new FormData();
  form.append('note', 'a text field before the file is skipped');
  form.append('audio', new Blob([wav as BlobPart]), 'clip.wav');
  const r = await post(`${url}/v1/recognize`, form);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  sameScores(r.json.scores as Record<string, number>, (await recognize(wav)).scores, 'multipart');
});

test('POST /v1/timeline equals timeline() within 1e-6 and validates its query', async () => {
  const wav = encodeWav([withPauses([2.5, 0.8, 3.5, 0.7, 2])], 16000);
  const expected = await timeline(wav, { vad: 'energy', window: 2 });
  const r = await post(`${url}/v1/timeline?vad=energy&window=2`, wav, 'audio/wav');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const segments = r.json.segments as typeof expected.segments;
  assert.ok(expected.segments.length >= 2);
  assert.equal(segments.length, expected.segments.length);
  segments.forEach((s, i) => {
    close(s.startS, expected.segments[i].startS, 'startS');
    sameScores(s.scores, expected.segments[i].scores, `segment ${i}`);
    sameScores(s.raw.scores, expected.segments[i].raw.scores, `raw ${i}`);
  });
  for (const query of ['window=100', 'vad=magic', 'hop=2&window=1', 'smoothing=-1']) {
    const bad = await post(`${url}/v1/timeline?${query}`, wav, 'audio/wav');
    assert.equal(bad.status, 400, query);
    assert.equal(bad.json.error, 'bad_request');
    assert.match(String(bad.json.message), /window|vad|hop|smoothing/);
  }
});

test('400 naming the problem for empty, corrupt and truncated audio; 415 for a wrong content type', async () => {
  const wav = clipWav(2);
  const badRate = wav.slice();
  new DataView(badRate.buffer).setUint32(24, 0, true);
  const flac = await encodeFlac(synthesizeSpeechLike({ durationS: 1 }), 16000);
  const badFlac = flac.slice();
  for (let i = 200; i < 400; i++) badFlac[i] ^= 0x5a;
  // (Bytes of no known container go to ffmpeg, which takes seconds to start on a loaded
  // machine; the corrupt cases here are recognised containers, so the test stays fast.)
  const cases: [Uint8Array | string, string | undefined, number, string, RegExp][] = [
    [new Uint8Array(0), 'audio/wav', 400, 'empty_body', /empty/],
    [badRate, 'audio/wav', 400, 'bad_audio', /^upload: invalid sample rate 0 Hz/],
    [badFlac, 'audio/flac', 400, 'bad_audio', /^upload: corrupt or truncated FLAC/],
    [wav.slice(0, 3000), 'audio/wav', 400, 'bad_audio', /truncated|only \d+ are present/],
    [flac.slice(0, flac.length >> 1), 'audio/flac', 400, 'bad_audio', /^upload: corrupt or truncated FLAC/],
    [
      new TextEncoder().encode('RIFF\x10\x00\x00\x00WAVEjunkjunk'),
      'audio/wav',
      400,
      'bad_audio',
      /^upload: truncated WAV/,
    ],
    [
      '{"audio": "base64..."}',
      'application/json',
      415,
      'unsupported_media_type',
      /application\/json.*audio\/\*/,
    ],
    ['hello', 'text/plain', 415, 'unsupported_media_type', /text\/plain/],
  ];
  for (const [body, type, status, code, message] of cases) {
    const r = await post(`${url}/v1/recognize`, body, type);
    assert.equal(r.status, status, `${type} ${body.length}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.error, code);
    assert.equal(r.json.statusCode, status);
    assert.match(String(r.json.message), message);
  }
  const none = await fetch(`${url}/v1/recognize`, { method: 'POST' });
  assert.equal(none.status, 400);
  assert.match(((await none.json()) as { message: string }).message, /no body/);
  // Audio shorter than the model can analyse is bad audio too, not a server error.
  const tiny = await post(`${url}/v1/recognize`, encodeWav([new Float32Array(100)], 16000), 'audio/wav');
  assert.equal(tiny.status, 400, JSON.stringify(tiny.json));
});

test('malformed multipart: no boundary, cut-off body, no file part', async () => {
  const wav = clipWav(1);
  const boundary = 'XyZzY';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
  const whole = Buffer.concat([Buffer.from(head), wav, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const fieldOnly = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`;
  const cases: [Uint8Array | string, string][] = [
    [whole, 'multipart/form-data'],
    [whole.subarray(0, head.length + 500), `multipart/form-data; boundary=${boundary}`],
    [fieldOnly, `multipart/form-data; boundary=${boundary}`],
    ['garbage without any boundary line', `multipart/form-data; boundary=${boundary}`],
  ];
  for (const [body, type] of cases) {
    const r = await post(`${url}/v1/recognize`, body, type);
    assert.ok(r.status === 400, `${type}: ${r.status} ${JSON.stringify(r.json)}`);
    assert.match(String(r.json.error), /malformed_multipart|bad_audio|bad_request/);
    assert.ok(String(r.json.message).length > 10);
  }
  assert.equal(
    (await post(`${url}/v1/recognize`, whole, `multipart/form-data; boundary=${boundary}`)).status,
    200,
  );
});

test('413: body above maxBodyBytes (declared, chunked, multipart) and audio above maxDurationS', async () => {
  const big = new Uint8Array(LIMITS.maxBodyBytes + 1000);
  const declared = await post(`${url}/v1/recognize`, big, 'audio/wav');
  assert.equal(declared.status, 413, JSON.stringify(declared.json));
  assert.equal(declared.json.error, 'body_too_large');
  assert.match(String(declared.json.message), /limit of 1\.0 MiB/);
  // Chunked upload without Content-Length: refused once the limit is crossed.
  const socket = await rawRequest(
    url,
    `POST /v1/recognize HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const response = readAll(socket);
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < 6 && !socket.destroyed; i++)
    socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`, 'latin1');
  const text = await response;
  assert.match(text, /^HTTP\/1\.1 413/);
  assert.match(text, /"body_too_large"/);
  const form = new FormData();
  form.append('audio', new Blob([big]), 'big.wav');
  const multi = await post(`${url}/v1/recognize`, form);
  assert.equal(multi.status, 413, JSON.stringify(multi.json));
  assert.equal(multi.json.error, 'body_too_large');
  const long = await post(`${url}/v1/recognize`, clipWav(12), 'audio/wav');
  assert.equal(long.status, 413, JSON.stringify(long.json));
  assert.equal(long.json.error, 'audio_too_long');
  assert.match(String(long.json.message), /12\.0 s long, above the limit of 10 s/);
  assert.ok(await quiet());
});

test('429 beyond workers + queue, with Retry-After; all others answered', async () => {
  const wav = clipWav(3);
  const results = await Promise.all(
    Array.from({ length: 10 }, () => post(`${url}/v1/recognize`, wav, 'audio/wav')),
  );
  const statuses = results.map((r) => r.status);
  assert.ok(
    statuses.every((s) => s === 200 || s === 429),
    statuses.join(','),
  );
  assert.ok(statuses.filter((s) => s === 200).length >= 3, statuses.join(','));
  const refused = results.filter((r) => r.status === 429);
  assert.ok(refused.length >= 1, statuses.join(','));
  assert.equal(refused[0].json.error, 'too_many_requests');
  assert.equal(refused[0].headers.get('retry-after'), '1');
  await until(quiet);
});

test('a client that disconnects mid-upload leaves the service healthy', async () => {
  const wav = clipWav(3);
  for (const type of ['audio/wav', 'multipart/form-data; boundary=B0undary']) {
    const socket = await rawRequest(
      url,
      `POST /v1/recognize HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${wav.length + 200}\r\n\r\n`,
    );
    const prefix = type.startsWith('multipart')
      ? `--B0undary\r\nContent-Disposition: form-data; name="a"; filename="a.wav"\r\n\r\n`
      : '';
    socket.write(Buffer.concat([Buffer.from(prefix), wav.subarray(0, 20_000)]));
    await until(async () => (await health()).requests.admitted === 1);
    socket.destroy();
    await until(quiet);
  }
  const r = await post(`${url}/v1/recognize`, wav, 'audio/wav');
  assert.equal(r.status, 200);
});

test('408 for a body that does not arrive within requestTimeoutS', async () => {
  const started = Date.now();
  const socket = await rawRequest(
    url,
    'POST /v1/recognize HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\nContent-Length: 100000\r\n\r\n',
  );
  socket.write(clipWav(1).subarray(0, 1000));
  const text = await readAll(socket);
  assert.match(text, /^HTTP\/1\.1 408/);
  assert.match(text, /"request_timeout"/);
  assert.match(text, /longer than 3 s/);
  const waited = Date.now() - started;
  assert.ok(waited >= 2900 && waited < 12_000, `${waited} ms`);
  await until(quiet);
});

/** Sends a clip as s16le over the WebSocket in 100 ms chunks; resolves with every message and the close code. */
async function streamClip(
  samples: Float32Array,
  query: string,
): Promise<{ messages: Record<string, unknown>[]; code: number; bytes: Uint8Array }> {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  samples.forEach((v, i) =>
    view.setInt16(2 * i, Math.max(-32768, Math.min(32767, Math.round(v * 32767))), true),
  );
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/stream?${query}`);
  const messages: Record<string, unknown>[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  for (let at = 0; at < bytes.length; at += 3200) ws.send(bytes.subarray(at, at + 3200));
  ws.send(JSON.stringify({ type: 'end' }));
  return { messages, code: await closed, bytes };
}

for (const vad of ['energy', 'silero'] as const) {
  test(`WebSocket /v1/stream (${vad}): the events of the in-process streaming recogniser`, async () => {
    const audio = withPauses([2, 1, 2.5, 1.2]);
    const { messages, code, bytes } = await streamClip(audio, `rate=16000&format=s16le&vad=${vad}`);
    assert.equal(code, 1000);
    assert.equal(messages[0].type, 'ready');
    assert.deepEqual(messages[0].labels, server.facts.labels);
    const events = messages.filter((m) => m.type === 'segment') as unknown as StreamEvent[];
    const summary = messages.at(-1)!;
    assert.equal(summary.type, 'summary');
    const local = await createStreamingRecognizer({ sampleRate: 16000, vad });
    const expected = [
      ...(await local.push(new PcmStreamDecoder('s16le', 1).decode(bytes))),
      ...(await local.end()),
    ];
    await local.close();
    assert.ok(expected.length >= 2, `${expected.length} segments in process`);
    assert.equal(events.length, expected.length);
    events.forEach((e, i) => {
      assert.equal(e.label, expected[i].label);
      close(e.startS, expected[i].startS, 'startS');
      close(e.endS, expected[i].endS, 'endS');
      sameScores(e.scores, expected[i].scores, `event ${i}`);
    });
    assert.equal(summary.segments, expected.length);
  });
}

test('WebSocket: bad parameters (400 before upgrade), unknown messages (1008), too many streams (1013)', async () => {
  const base = url.replace('http', 'ws');
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${base}/v1/stream?rate=12`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
  assert.equal(status, 400);
  const open = (q = '') =>
    new Promise<{ ws: WebSocket; messages: Record<string, unknown>[]; closed: Promise<number> }>(
      (resolve, reject) => {
        const ws = new WebSocket(`${base}/v1/stream?vad=energy${q}`);
        const messages: Record<string, unknown>[] = [];
        const closed = new Promise<number>((r) => ws.on('close', (c) => r(c)));
        ws.on('message', (d) => {
          messages.push(JSON.parse(String(d)) as Record<string, unknown>);
          if (messages.length === 1) resolve({ ws, messages, closed });
        });
        ws.once('error', reject);
      },
    );
  const a = await open();
  a.ws.send('hello?');
  assert.equal(await a.closed, 1008);
  assert.equal(a.messages.at(-1)!.type, 'error');
  assert.match(String(a.messages.at(-1)!.message), /unknown text message/);
  const streams = [await open(), await open()];
  const third = await open();
  assert.equal(third.messages[0].type, 'error');
  assert.match(String(third.messages[0].message), /too many live streams/);
  assert.equal(await third.closed, 1013);
  for (const s of streams) s.ws.close();
  await until(
    async () => ((await (await fetch(`${url}/health`)).json()) as { streams: number }).streams === 0,
  );
});

test('1000 sequential requests: heap and RSS stay flat', async () => {
  const wav = clipWav(0.25);
  const once = async () => {
    const r = await fetch(`${url}/v1/recognize`, {
      method: 'POST',
      body: wav as BodyInit,
      headers: { 'content-type': 'audio/wav' },
    });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  };
  for (let i = 0; i < 50; i++) await once();
  const baseline = await settledMemory();
  for (let i = 0; i < 1000; i++) await once();
  const afterRun = await settledMemory();
  const heapMb = (afterRun.heapUsed - baseline.heapUsed) / 2 ** 20;
  const rssMb = (afterRun.rss - baseline.rss) / 2 ** 20;
  // Generous bounds: a leak of even 20 KB per request would show as 20 MB of heap.
  assert.ok(heapMb < 16, `heap grew ${heapMb.toFixed(1)} MB`);
  assert.ok(rssMb < 96, `RSS grew ${rssMb.toFixed(1)} MB`);
});

test('408 for inference past the deadline; the job finishes on its worker and the service recovers', async () => {
  // 16 s at 8 kHz, scored in 0.25 s windows every 2 ms: about 7900 windows, well beyond the 3 s
  // deadline even on an idle machine (3150 windows once finished inside it).
  const wav = encodeWav([synthesizeSpeechLike({ durationS: 16, sampleRate: 8000 })], 8000);
  const r = await post(`${url}/v1/timeline?vad=none&window=0.25&hop=0.002&smoothing=0`, wav, 'audio/wav');
  assert.equal(r.status, 408, JSON.stringify(r.json));
  assert.equal(r.json.error, 'request_timeout');
  await until(quiet, 90_000);
  assert.equal((await post(`${url}/v1/recognize`, clipWav(1), 'audio/wav')).status, 200);
});

test('shutdown: the request in flight finishes, new requests get 503', async () => {
  const wav = encodeWav([synthesizeSpeechLike({ durationS: 6 })], 16000);
  const inFlight = post(`${url}/v1/timeline?vad=none&window=0.5&hop=0.05`, wav, 'audio/wav');
  await until(async () => (await health()).requests.running === 1);
  const stopping = server.shutdown();
  const refused = await post(`${url}/v1/recognize`, clipWav(1), 'audio/wav');
  assert.equal(refused.status, 503);
  assert.equal(refused.json.error, 'shutting_down');
  const done = await inFlight;
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.ok((done.json.segments as unknown[]).length > 50);
  await stopping;
  await assert.rejects(fetch(`${url}/health`));
});
