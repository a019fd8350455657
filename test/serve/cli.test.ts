// `emovox serve` as a process: it prints its URL, honours --cors and --web-root, and on SIGTERM
// lets the request in flight finish, answers new requests 503 and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { join } from 'node:path';
import { encodeWav, synthesizeSpeechLike } from '../../src/audio/index.js';
import { repoRoot } from '../helpers/data.js';
import { clipWav, post, until } from './helpers.js';

test('emovox serve: CORS on request, web page missing, SIGTERM drains (request 200, stream summary + 1001) then exits 0', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'src', 'cli', 'main.ts'),
      'serve',
      '--port',
      '0',
      '--workers',
      '1',
      '--cors',
      'http://allowed.test',
      '--web-root',
      join(repoRoot, 'no-such-web-root'),
      '--grace',
      '120',
      '--stream-idle',
      '20',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await until(() => /listening on (http:\/\/\S+)/.test(stdout) || child.exitCode !== null, 60_000);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    assert.ok(url, `no URL in ${JSON.stringify(stdout)}; stderr ${stderr}`);

    const page = await fetch(`${url}/`);
    assert.equal(page.status, 404);
    const body = (await page.json()) as { error: string; message: string };
    assert.equal(body.error, 'web_page_not_built');
    assert.match(body.message, /npm run build:web/);
    const html = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await html.text(), /npm run build:web/);

    const allowed = await fetch(`${url}/health`, { headers: { origin: 'http://allowed.test' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://allowed.test');
    const other = await fetch(`${url}/health`, { headers: { origin: 'http://other.test' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);

    const wav = encodeWav([synthesizeSpeechLike({ durationS: 6 })], 16000);
    const inFlight = post(`${url}/v1/timeline?vad=none&window=0.5&hop=0.05`, wav, 'audio/wav');
    await until(
      async () =>
        ((await (await fetch(`${url}/health`)).json()) as { requests: { running: number } }).requests
          .running === 1,
    );
    // A live stream open during the signal: it gets its summary and a 1001 close.
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/stream?vad=energy&format=f32le`);
    const streamed: string[] = [];
    const streamClosed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (m) => streamed.push((JSON.parse(String(m)) as { type: string }).type));
    await until(() => streamed.includes('ready'));
    ws.send(synthesizeSpeechLike({ durationS: 1 }));
    child.kill('SIGTERM');
    await until(() => stderr.includes('SIGTERM: shutting down'));
    const refused = await post(`${url}/v1/recognize`, clipWav(1), 'audio/wav');
    assert.equal(refused.status, 503);
    assert.equal(refused.json.error, 'shutting_down');
    const done = await inFlight;
    assert.equal(done.status, 200, JSON.stringify(done.json));
    assert.equal(await streamClosed, 1001);
    assert.equal(streamed.at(-1), 'summary');
    assert.equal(await exited, 0);
    assert.match(stderr, /stopped/);
  } finally {
    child.kill('SIGKILL');
  }
});
