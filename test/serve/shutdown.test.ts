// Shutdown past its grace period: a request whose inference job is still running is answered
// 503 (not a cut connection), its job finishes on its worker (the worker is never terminated
// inside onnxruntime), and only then do the workers stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWav, synthesizeSpeechLike } from '../../src/audio/index.js';
import { startServer } from '../../src/serve/index.js';
import { clipWav, post, until } from './helpers.js';

/** Long enough for the probe request below to be answered 503 before the cut-off on a busy machine. */
const GRACE_S = 3;

test('shutdown past the grace period: the running request gets 503, its job finishes on the worker, then the workers stop', async () => {
  const server = await startServer({ port: 0, workers: 1, shutdownGraceS: GRACE_S, requestTimeoutS: 120 });
  const { url } = server;
  try {
    // About 7900 windows of 0.25 s: well past the 3 s grace even on an idle machine (as the 408
    // test of service.test.ts, which finishes about 3150 windows in 3 s there).
    const wav = encodeWav([synthesizeSpeechLike({ durationS: 16, sampleRate: 8000 })], 8000);
    const inFlight = post(`${url}/v1/timeline?vad=none&window=0.25&hop=0.002&smoothing=0`, wav, 'audio/wav');
    await until(() => server.jobs().onWorkers === 1, 30_000);
    const finishedBefore = server.jobs().finished;
    const started = performance.now();
    const stopping = server.shutdown();
    const refused = await post(`${url}/v1/recognize`, clipWav(1), 'audio/wav');
    assert.equal(refused.status, 503);
    assert.equal(refused.json.error, 'shutting_down');

    const cut = await inFlight;
    assert.equal(cut.status, 503, JSON.stringify(cut.json));
    assert.equal(cut.json.error, 'shutting_down');
    assert.match(String(cut.json.message), /grace period/);
    const answeredAfterS = (performance.now() - started) / 1000;
    assert.ok(
      answeredAfterS >= GRACE_S * 0.9 && answeredAfterS < GRACE_S + 5,
      `answered ${answeredAfterS.toFixed(2)} s after shutdown began (grace ${GRACE_S} s)`,
    );

    await stopping;
    // The job ran to its end on its worker (a terminated worker's job would not count as finished).
    assert.deepEqual(server.jobs(), { onWorkers: 0, finished: finishedBefore + 1 });
    await assert.rejects(fetch(`${url}/health`));
  } finally {
    await server.shutdown();
  }
});
