// Options of the service and its admission gate, without starting a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gate } from '../../src/serve/gate.js';
import { HttpProblem } from '../../src/serve/problem.js';
import { resolveServeOptions, type ServeOptions } from '../../src/serve/options.js';
import { EmovoxParameterError } from '../../src/util/errors.js';

test('resolveServeOptions: safe defaults, every bad value named', () => {
  const o = resolveServeOptions();
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 8080);
  assert.equal(o.cors, false);
  assert.ok(o.workers >= 1 && o.workers <= 4);
  assert.match(o.webRoot, /dist[/\\]web$/);
  const cases: [ServeOptions, string][] = [
    [{ port: 70000 }, 'port'],
    [{ workers: 0 }, 'workers'],
    [{ maxBodyBytes: -1 }, 'maxBodyBytes'],
    [{ requestTimeoutS: 0 }, 'requestTimeoutS'],
    [{ maxDurationS: Number.NaN }, 'maxDurationS'],
    [{ cors: ['not an origin'] }, 'cors'],
    [{ host: ' ' }, 'host'],
  ];
  for (const [bad, name] of cases) {
    assert.throws(
      () => resolveServeOptions(bad),
      (e: unknown) => e instanceof EmovoxParameterError && e.source === name,
      name,
    );
  }
});

test('Gate: admits slots + queue, refuses beyond with 429, 503 while draining, queue entries cancel', async () => {
  const gate = new Gate(1, 1);
  const a = gate.admit();
  const b = gate.admit();
  assert.throws(
    () => gate.admit(),
    (e: unknown) => e instanceof HttpProblem && e.statusCode === 429 && e.headers['retry-after'] === '1',
  );
  assert.equal(gate.stats().refused, 1);
  const never = new AbortController().signal;
  const first = await gate.acquire(never);
  const cancel = new AbortController();
  const waiting = gate.acquire(cancel.signal);
  const third = gate.acquire(never);
  assert.equal(gate.stats().waiting, 2);
  cancel.abort(new Error('client left'));
  await assert.rejects(waiting, /client left/);
  assert.equal(gate.stats().waiting, 1);
  first();
  first(); // idempotent
  const next = await third;
  assert.equal(gate.stats().running, 1);
  gate.drain();
  assert.throws(
    () => gate.admit(),
    (e: unknown) => e instanceof HttpProblem && e.statusCode === 503,
  );
  let idle = false;
  const idleNow = gate.idle().then(() => (idle = true));
  next();
  a();
  assert.equal(idle, false);
  b();
  await idleNow;
  assert.equal(idle, true);
});
