// Truncated and damaged compressed audio (issue #9 items 4, 6, 7, 13): never invent samples,
// report truncation as for WAV, name the file and the problem, keep decoder chatter off stderr.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadAudio, readAudioInfo } from '../../src/audio/index.js';
import { oggPageCrc } from '../../src/audio/ogg.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { repoRoot } from '../helpers/data.js';
import { emovox } from '../helpers/system.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'audio');
const opus = readFileSync(join(fixtures, 'tone220_3s.opus'));
const vorbis = readFileSync(join(fixtures, 'tone220_3s.ogg'));
const mp3 = readFileSync(join(fixtures, 'tone220_3s.mp3'));

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'emovox-honest-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** [offset, length] of every Ogg page. */
function pages(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let pos = 0;
  while (pos + 27 <= b.length) {
    const segments = b[pos + 26];
    let length = 27 + segments;
    for (let i = 0; i < segments; i++) length += b[pos + 27 + i];
    out.push([pos, length]);
    pos += length;
  }
  return out;
}

function fixCrc(b: Buffer, [at, length]: [number, number]): void {
  b.writeUInt32LE(0, at + 22);
  b.writeUInt32LE(oggPageCrc(b.subarray(at, at + length)), at + 22);
}

/** Collects console.error / console.warn calls made while `body` runs. */
async function consoleCalls(body: () => Promise<unknown>): Promise<unknown[][]> {
  const calls: unknown[][] = [];
  const { error, warn } = console;
  console.error = (...args: unknown[]) => calls.push(args);
  console.warn = (...args: unknown[]) => calls.push(args);
  try {
    await body().catch(() => undefined);
  } finally {
    console.error = error;
    console.warn = warn;
  }
  return calls;
}

async function rejects(promise: Promise<unknown>, name: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof EmovoxInputError, String(e));
    assert.equal(e.source, name);
    assert.match(e.problem, pattern);
    return true;
  });
}

describe('#9.4 truncated Ogg Opus', () => {
  const [, , audio1, audio2] = pages(opus);

  for (const [what, cut] of [
    ['inside a page', audio2[0] + Math.floor(audio2[1] / 2)],
    ['at a page boundary, without its end-of-stream page', audio2[0] + audio2[1]],
  ] as const) {
    test(`cut ${what}: the complete pages are read, nothing is invented, a warning names the file`, async () => {
      const full = (await loadAudio(opus)).samples;
      const cutBytes = opus.subarray(0, cut);
      const part = await loadAudio(cutBytes, { name: 'cut.opus' });
      assert.ok(part.samples.length > 0);
      assert.ok(
        part.samples.length < full.length,
        `${part.samples.length} samples from a cut file, ${full.length} in the whole`,
      );
      // Exactly the samples the complete pages account for: the last complete page's granule minus pre-skip.
      const lastComplete = what.startsWith('inside') ? audio1 : audio2;
      const granule = opus.readUInt32LE(lastComplete[0] + 6);
      const preSkip = opus.readUInt16LE(pages(opus)[0][0] + 28 + 10);
      assert.equal(part.samples.length, granule - preSkip);
      assert.deepEqual(part.samples, full.subarray(0, part.samples.length), 'a prefix of the whole decode');
      assert.equal(part.warnings.length, 1);
      assert.match(part.warnings[0], /^truncated Ogg Opus: .*; read the \d\.\d{3} s present$/);
      const info = await readAudioInfo(cutBytes, { name: 'cut.opus' });
      assert.equal(info.frames, part.samples.length, 'info counts the same samples without decoding');
      await rejects(
        loadAudio(cutBytes, { name: 'cut.opus', strict: true }),
        'cut.opus',
        /^truncated Ogg Opus: /,
      );
    });
  }

  test('a damaged page is an error naming the page; an invalid packet is an error with no console output', async () => {
    const flipped = Buffer.from(opus);
    flipped[audio1[0] + 200] ^= 0x10;
    await rejects(
      loadAudio(flipped, { name: 'flipped.opus' }),
      'flipped.opus',
      new RegExp(`^corrupt Ogg Opus: page 2 \\(byte ${audio1[0]}\\) fails its CRC check$`),
    );
    // A packet libopus rejects, inside a page whose CRC is valid (code 3 with 0 frames).
    const invalid = Buffer.from(opus);
    const body = audio1[0] + 27 + invalid[audio1[0] + 26];
    invalid[body] |= 0x03;
    invalid[body + 1] = 0;
    fixCrc(invalid, audio1);
    const calls = await consoleCalls(() =>
      rejects(
        loadAudio(invalid, { name: 'packet.opus' }),
        'packet.opus',
        /^corrupt Ogg Opus: 1 packet\(s\) could not be decoded \(libopus -4 OPUS_INVALID_PACKET/,
      ),
    );
    assert.deepEqual(calls, [], 'libopus messages do not reach the console');
  });

  test('a missing page (sequence gap) is an error; chained streams are read one after the other', async () => {
    const [p0, p1, p2, p3, p4, p5] = pages(opus);
    const gap = Buffer.concat([opus.subarray(0, p3[0]), opus.subarray(p4[0])]);
    await rejects(
      loadAudio(gap, { name: 'gap.opus' }),
      'gap.opus',
      /page sequence jumps from 2 to 4 at byte \d+ \(pages missing\)/,
    );
    const whole = (await loadAudio(opus)).samples;
    const chained = await loadAudio(Buffer.concat([opus, opus]), { name: 'chain.opus' });
    assert.equal(chained.samples.length, 2 * whole.length, 'two 3 s links make 6 s, not more');
    assert.ok([p0, p1, p2, p5].every(Boolean));
  });
});

describe('#9.4 truncated MP3 and Ogg Vorbis', () => {
  test('MP3 cut inside its last frame: read the complete frames, warn, error when strict', async () => {
    const full = (await loadAudio(mp3)).samples;
    const cut = mp3.subarray(0, Math.floor(mp3.length * 0.6));
    const part = await loadAudio(cut, { name: 'cut.mp3' });
    assert.ok(part.samples.length < full.length);
    assert.match(
      part.warnings[0],
      /^truncated MP3: the last frame \(byte \d+\) is cut off: \d+ of its \d+ bytes present; read the/,
    );
    await rejects(
      loadAudio(cut, { name: 'cut.mp3', strict: true }),
      'cut.mp3',
      /^truncated MP3: the last frame/,
    );
  });

  test('MP3 cut at a frame boundary: its Info header says how many frames are missing', async () => {
    // After the ID3v2 tag (10 bytes + its syncsafe size), walk the frame headers.
    let pos =
      mp3.toString('latin1', 0, 3) === 'ID3'
        ? 10 + ((mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9])
        : 0;
    while (mp3[pos] === 0) pos++;
    const starts: number[] = [];
    while (pos + 4 < mp3.length && mp3[pos] === 0xff) {
      starts.push(pos);
      const bitrate = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320][mp3[pos + 2] >> 4];
      const version = (mp3[pos + 1] >> 3) & 3;
      const rate =
        [44100, 48000, 32000][(mp3[pos + 2] >> 2) & 3] / (version === 3 ? 1 : version === 2 ? 2 : 4);
      const bitrates2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
      const kbps = version === 3 ? bitrate : bitrates2[mp3[pos + 2] >> 4];
      pos += Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / rate) + ((mp3[pos + 2] >> 1) & 1);
    }
    const cut = mp3.subarray(0, starts[Math.floor(starts.length / 2)]);
    const part = await loadAudio(cut, { name: 'half.mp3' });
    assert.match(
      part.warnings[0],
      /^truncated MP3: its Xing\/Info header declares \d+ frames but only \d+ are present/,
    );
  });

  test('Ogg Vorbis cut after its headers: the complete pages, a warning; cut inside them: an error saying so', async () => {
    const full = (await loadAudio(vorbis)).samples;
    const p = pages(vorbis);
    const cut = vorbis.subarray(0, p[3][0] + 100);
    const part = await loadAudio(cut, { name: 'cut.ogg' });
    assert.ok(part.samples.length > 0 && part.samples.length < full.length);
    assert.equal(
      part.samples.length,
      vorbis.readUInt32LE(p[2][0] + 6),
      'ends at the last complete page granule',
    );
    assert.match(part.warnings[0], /^truncated Ogg Vorbis: the file ends inside page 3/);
    await rejects(
      loadAudio(vorbis.subarray(0, 100), { name: 'head.ogg' }),
      'head.ogg',
      /^truncated Ogg Vorbis: the file ends inside page 1 .*, before any complete audio$/,
    );
  });

  test('a Vorbis setup header libvorbis rejects says so (no "_init vorbis_synthesisUnknown Error")', async () => {
    const bad = Buffer.from(vorbis);
    const setup = pages(bad)[1];
    for (let i = setup[1] - 400; i < setup[1] - 300; i++) bad[setup[0] + i] ^= 0x55;
    fixCrc(bad, setup);
    await rejects(
      loadAudio(bad, { name: 'setup.ogg' }),
      'setup.ogg',
      /^corrupt Ogg Vorbis: the header packets cannot be decoded \(libvorbis vorbis_synthesis_init: /,
    );
  });

  test('mutated Ogg / MP3 files never surface JavaScript internals or console output', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const problems = new Set<string>();
    const calls = await consoleCalls(async () => {
      for (const source of [opus, vorbis, mp3]) {
        for (let t = 0; t < 60; t++) {
          let b = Buffer.from(source);
          if (t % 2) b = b.subarray(0, Math.floor(random() * b.length));
          else for (let k = 0; k < 6; k++) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
          try {
            await loadAudio(b, { name: 'm' });
          } catch (e) {
            assert.ok(e instanceof EmovoxInputError, String(e));
            problems.add(e.problem);
          }
        }
      }
    });
    assert.deepEqual(calls, []);
    for (const p of problems) {
      assert.doesNotMatch(p, /DataView|Cannot read properties|is not defined|undefined|null \(reading/, p);
    }
  });
});

describe('#9.6 only regular files are audio', () => {
  test('a FIFO and /dev/zero are refused at once, naming the file and what it is', async () => {
    const fifo = join(dir, 'pipe.wav');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const started = performance.now();
    await rejects(
      loadAudio(fifo),
      fifo,
      /^is a FIFO \(named pipe\), not a regular file; only regular files are read as audio$/,
    );
    await rejects(readAudioInfo(fifo), fifo, /^is a FIFO/);
    await rejects(loadAudio('/dev/zero'), '/dev/zero', /^is a character device, not a regular file/);
    await rejects(loadAudio(dir), dir, /^is a directory/);
    assert.ok(performance.now() - started < 2000);
    const run = emovox(['info', fifo, '/dev/zero'], { timeoutMs: 30_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /pipe\.wav: is a FIFO/);
    assert.match(run.stderr, /^\/dev\/zero: is a character device/m);
  });
});

describe('#9.7 duration limit before decoding', () => {
  test('an Ogg Opus whose pages say 2 hours is refused without decoding; info still reports it', async () => {
    const long = Buffer.from(opus);
    const last = pages(long).at(-1)!;
    long.writeUInt32LE(48000 * 7200, last[0] + 6);
    fixCrc(long, last);
    const started = performance.now();
    await rejects(
      loadAudio(long, { name: 'long.opus', maxDuration: 1800 }),
      'long.opus',
      /^audio is 7200\.0 s long, above the limit of 1800 s/,
    );
    assert.ok(performance.now() - started < 1000);
    assert.equal((await readAudioInfo(long, { name: 'long.opus' })).durationS.toFixed(0), '7200');
    await rejects(loadAudio(mp3, { name: 'x.mp3', maxDuration: 1 }), 'x.mp3', /above the limit of 1 s/);
  });
});

describe('#9.13 messages name the file and the problem', () => {
  test('65535 channels is an implausible header, not "audio is empty"', async () => {
    const data = Buffer.alloc(100);
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'latin1');
    header.writeUInt32LE(36 + data.length, 4);
    header.write('WAVEfmt ', 8, 'latin1');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(65535, 22);
    header.writeUInt32LE(16000, 24);
    header.writeUInt32LE(0, 28);
    header.writeUInt16LE(0, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'latin1');
    header.writeUInt32LE(data.length, 40);
    const path = join(dir, 'many.wav');
    writeFileSync(path, Buffer.concat([header, data]));
    await rejects(
      loadAudio(path),
      path,
      /^implausible channel count 65535 in header \(limit 1024; corrupt header\?\)$/,
    );
  });

  test('a newline in a file name is printed escaped, on one line', () => {
    const path = join(dir, 'bad\nname.wav');
    writeFileSync(path, 'RIFFjunk');
    const run = emovox(['info', path]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.equal(run.stderr.trim(), `${JSON.stringify(path)}: not audio: only 8 bytes`);
  });
});
