// emovox listen: raw PCM piped to the CLI (as from arecord or ffmpeg), events as segments end,
// a summary at the end of input or on Ctrl-C.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAudio, resample } from '../../src/audio/index.js';
import { repoRoot } from '../helpers/data.js';
import { cliEntry } from '../helpers/system.js';

const tsx = import.meta.resolve('tsx');
const example = join(repoRoot, 'examples', 'espeak-kids-talking.wav');

/** The example clip twice with pauses, at `rate`, interleaved stereo (second channel at half level). */
async function pcm(rate: number, format: 's16le' | 'f32le'): Promise<Buffer> {
  const clip = resample((await loadAudio(example, { mono: true })).samples, 22050, rate);
  const mono = new Float32Array(rate * 8);
  mono.set(clip, rate);
  mono.set(clip, Math.round(rate * 4.5));
  const frames = mono.length;
  const out = Buffer.alloc(frames * 2 * (format === 's16le' ? 2 : 4));
  for (let i = 0; i < frames; i++) {
    for (const [ch, gain] of [
      [0, 1],
      [1, 0.5],
    ] as const) {
      const v = mono[i] * gain;
      if (format === 's16le')
        out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), (2 * i + ch) * 2);
      else out.writeFloatLE(v, (2 * i + ch) * 4);
    }
  }
  return out;
}

function listen(args: string[], input: Buffer) {
  return spawnSync(process.execPath, ['--import', tsx, cliEntry, 'listen', ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    timeout: 180_000,
  });
}

test('piped s16le stereo at 44.1 kHz: two segment events and a summary (Silero and energy VAD)', async () => {
  const input = await pcm(44100, 's16le');
  for (const vad of ['silero', 'energy']) {
    const r = listen(['--rate', '44100', '--channels', '2', '--vad', vad], input);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const events = lines.filter((l) => / segment /.test(l));
    assert.equal(events.length, 2, `${vad}:\n${r.stdout}`);
    assert.match(events[0], /^00:0[01]\.\d\d-00:0[234]\.\d\d segment +\w+\??\s+[01]\.\d\d/);
    assert.ok(
      lines.some((l) => /^summary: 8\.0 s of audio, 2 speech segments/.test(l)),
      r.stdout,
    );
    assert.ok(lines.some((l) => /dominant: \w+/.test(l)));
    assert.match(r.stderr, /listening: s16le, 44100 Hz, 2 channels/);
  }
});

test('--json: one object per event, the summary last; f32le at 16 kHz with interim events', async () => {
  const r = listen(
    ['--format', 'f32le', '--channels', '2', '--json', '--interim', '500'],
    await pcm(16000, 'f32le'),
  );
  assert.equal(r.status, 0, r.stderr);
  const objects = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = objects.pop()!;
  assert.equal(summary.type, 'summary');
  assert.equal(summary.segments, 2);
  assert.equal(summary.durationS, 8);
  const segments = objects.filter((o) => o.type === 'segment');
  assert.equal(segments.length, 2);
  assert.ok(
    objects.some((o) => o.type === 'interim'),
    'interim events inside the segments',
  );
  for (const s of segments) {
    assert.equal(Object.keys(s.scores as object).length, 7);
    assert.ok((s.endS as number) > (s.startS as number));
    assert.ok(['pause', 'end'].includes(s.reason as string));
  }
});

test('an input ending inside a sample frame is reported (exit 1); bad options exit 2', async () => {
  const input = await pcm(16000, 's16le');
  const r = listen(['--channels', '2'], input.subarray(0, input.length - 3));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ended inside a sample frame \(1 bytes ignored\)/);
  for (const args of [
    ['--rate', '12'],
    ['--format', 's24le'],
    ['--channels', '0'],
    ['--model', '/no/such/model'],
  ]) {
    const bad = listen(args, Buffer.alloc(0));
    assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
  }
});

test('Ctrl-C ends the stream cleanly with a summary (exit 0)', async () => {
  const child = spawn(process.execPath, ['--import', tsx, cliEntry, 'listen', '--vad', 'energy'], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Keep stdin open (a live microphone): send audio, wait until it is listening, then interrupt.
  const mono = await pcm(16000, 's16le');
  const left = Buffer.alloc(mono.length / 2);
  for (let i = 0; i < left.length / 2; i++) left.writeInt16LE(mono.readInt16LE(4 * i), 2 * i);
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (stderr.includes('listening')) {
        clearInterval(wait);
        resolve();
      }
    }, 100);
  });
  child.stdin.write(left);
  await new Promise((r) => setTimeout(r, 3000));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /summary: \d+\.\d s of audio/);
});
