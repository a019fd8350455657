// The queue's parts that need no Redis: URL parsing (password, TLS, nothing but redis:// and
// rediss://), payload checks (a worker runs only data it recomputes itself, never code), job
// splitting, the CLI's option checks, and that a local run never loads BullMQ or ioredis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeWav, synthesizeSpeechLike } from '../../src/audio/index.js';
import { featureSpec } from '../../src/features/sets.js';
import { chunkIndices } from '../../src/queue/client.js';
import { parseQueueAddress, redact } from '../../src/queue/connection.js';
import { checkJob, JobRefused } from '../../src/queue/jobs.js';
import { EmovoxParameterError } from '../../src/util/errors.js';
import { cliEntry, emovox } from '../helpers/system.js';

test('queue URL: host, port, db, password and TLS pass through; the password never shows', () => {
  const plain = parseQueueAddress({ url: 'redis://10.0.0.5:6380/3' });
  assert.deepEqual(plain.options, { host: '10.0.0.5', port: 6380, db: 3 });
  assert.equal(plain.display, 'redis://10.0.0.5:6380/3');
  const defaults = parseQueueAddress({ url: 'redis://localhost' });
  assert.deepEqual(defaults.options, { host: 'localhost', port: 6379, db: 0 });
  const secret = parseQueueAddress({ url: 'rediss://alice:s3cr%40t@queue.example:6390/1' });
  assert.equal(secret.options.password, 's3cr@t');
  assert.equal(secret.options.username, 'alice');
  assert.deepEqual(secret.options.tls, { servername: 'queue.example' });
  assert.equal(secret.display, 'rediss://alice:***@queue.example:6390/1');
  assert.doesNotMatch(secret.display, /s3cr/);
  assert.equal(parseQueueAddress({ url: 'redis://h', password: 'given' }).options.password, 'given');
  assert.equal(redact('redis://:hunter2@h:1/0'), 'redis://:***@h:1/0');
  const ipv6 = parseQueueAddress({ url: 'redis://[::1]:7000' });
  assert.equal(ipv6.options.host, '::1');
});

test('queue URL: other schemes, a bad database, a CA without TLS are usage errors', () => {
  for (const url of ['http://h:1', 'h:6379', 'redis://h/x', 'redis://h:1/0?password=x', 'not a url']) {
    assert.throws(() => parseQueueAddress({ url }), EmovoxParameterError, url);
  }
  assert.throws(() => parseQueueAddress({ url: 'redis://h', ca: '/etc/hostname' }), /needs a rediss:\/\//);
  assert.throws(() => parseQueueAddress({ url: 'rediss://h', ca: '/no/such/ca.pem' }), /cannot read/);
  // The URL in an error has its password hidden.
  assert.throws(
    () => parseQueueAddress({ url: 'http://u:topsecret@h' }),
    (e: Error) => !e.message.includes('topsecret'),
  );
});

test('job payloads: a worker recomputes the spec and refuses anything else; unknown fields never pass', () => {
  const spec = featureSpec('mfcc40', {});
  const good = {
    v: 1,
    kind: 'features',
    runId: 'r1',
    chunk: 0,
    items: [{ index: 0, path: '/data/a.wav' }],
    spec,
    limits: { maxFileBytes: 1024, maxDuration: null, strict: false },
    cache: false,
    code: 'require("child_process").execSync("rm -rf /")',
  };
  const job = checkJob('features', good);
  assert.ok(!('code' in job), 'an unknown field went through');
  assert.equal(job.kind, 'features');
  const refuse = (kind: 'features' | 'predict' | 'tune', data: unknown, pattern: RegExp) =>
    assert.throws(
      () => checkJob(kind, data),
      (e: unknown) => e instanceof JobRefused && pattern.test(e.message),
    );
  refuse('features', { ...good, v: 2 }, /version/);
  refuse('predict', good, /kind features on the predict queue/);
  refuse('features', { ...good, runId: 'a:b' }, /run id/);
  refuse('features', { ...good, spec: { ...spec, name: 'evil' } }, /unknown feature set/);
  refuse('features', { ...good, spec: { ...spec, version: 999 } }, /not what this worker computes/);
  refuse('features', { ...good, spec: { ...spec, hash: 'x' } }, /resolves differently/);
  refuse('features', { ...good, items: [] }, /non-empty/);
  refuse('features', { ...good, items: [{ index: 0 }] }, /no path/);
  refuse(
    'predict',
    {
      v: 1,
      kind: 'predict',
      runId: 'r',
      chunk: 0,
      items: [{ index: 0, path: '/a' }],
      model: { name: 'x', sha256: 'nothex' },
      maxDuration: null,
    },
    /sha256/,
  );
  refuse(
    'tune',
    {
      v: 1,
      kind: 'tune',
      runId: 'r',
      chunk: 0,
      items: [{ index: 0 }],
      recipe: {},
      recipeName: 'r',
      out: 'relative/dir',
      winner: false,
    },
    /absolute run folder/,
  );
});

test('chunkIndices splits items into consecutive jobs, each item in exactly one', () => {
  assert.deepEqual(chunkIndices(5, 2), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(chunkIndices(0, 3), []);
  assert.deepEqual(chunkIndices(3, 16), [[0, 1, 2]]);
  assert.throws(() => chunkIndices(3, 0), EmovoxParameterError);
});

test('queue options without --queue, and --workers with --queue, are usage errors (exit 2)', () => {
  const r = emovox(['features', 'examples', '-s', 'mfcc40', '-o', '/tmp/x.npy', '--run-id', 'abc']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--run-id: needs --queue/);
  const w = emovox(['predict', 'examples', '--queue', 'redis://127.0.0.1:1', '--workers', '2']);
  assert.equal(w.status, 2, w.stderr);
  assert.match(w.stderr, /--workers/);
});

test('a local run never loads bullmq or ioredis; --queue does (and says when Redis is unreachable)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-queue-lazy-'));
  try {
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(specifier, context, next) {
  if (specifier === 'bullmq' || specifier === 'ioredis') throw new Error('LOADED ' + specifier);
  return next(specifier, context);
}\n`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const wav = join(dir, 'a.wav');
    writeFileSync(wav, encodeWav(synthesizeSpeechLike({ durationS: 0.5, seed: 1 }), 16000));
    const run = (extra: string[]) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          import.meta.resolve('tsx'),
          '--import',
          register,
          cliEntry,
          'features',
          wav,
          '-s',
          'mfcc40',
          '-o',
          join(dir, 'o.npy'),
          '--no-cache',
          ...extra,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
    const local = run(['--workers', '0']);
    assert.equal(local.status, 0, local.stderr);
    const queued = run(['--queue', 'redis://127.0.0.1:1']);
    assert.notEqual(queued.status, 0);
    assert.match(queued.stderr, /LOADED (bullmq|ioredis)/, 'the hook did not see the queue load BullMQ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--queue with no Redis listening: a clear error, exit 1, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-queue-down-'));
  try {
    writeFileSync(join(dir, 'a.wav'), encodeWav(synthesizeSpeechLike({ durationS: 0.5, seed: 2 }), 16000));
    const r = emovox([
      'features',
      join(dir, 'a.wav'),
      '-s',
      'mfcc40',
      '-o',
      join(dir, 'o.npy'),
      '--queue',
      'redis://127.0.0.1:1',
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--queue: redis:\/\/127\.0\.0\.1:1\/0: cannot reach Redis \(.*ECONNREFUSED/);
    assert.equal(spawnSync('ls', [join(dir, 'o.npy')]).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
