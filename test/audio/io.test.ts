import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdtempSync,
  rmSync,
  writeFileSync,
  readFileSync,
  openSync,
  closeSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import {
  encodeFlac,
  encodeWav,
  loadAudio,
  readAudioInfo,
  saveAudio,
  saveFlac,
} from '../../src/audio/index.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { repoRoot } from '../helpers/data.js';
import {
  commBody,
  container,
  extensibleFmtBody,
  floatBytes,
  fmtBody,
  int16Bytes,
  peakFrequency,
  randomInts,
  ssndBody,
  wav16,
} from './helpers.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'audio');
const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'emovox-audio-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejectsInput(promise: Promise<unknown>, pattern: RegExp, source?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EmovoxInputError, `expected EmovoxInputError, got ${String(error)}`);
    assert.match(error.problem, pattern);
    if (source !== undefined) assert.equal(error.source, source);
    return true;
  });
}

/** Float32 values on the b-bit integer grid (what a b-bit file can hold exactly). */
function gridSignal(bits: number, n: number, seed: number): Float32Array {
  const full = 2 ** (bits - 1);
  const ints = randomInts(n - 2, -full, full - 1, seed);
  ints.push(-full, full - 1); // both extremes
  return Float32Array.from(ints, (k) => k / full);
}

describe('save -> load round trips', () => {
  for (const bits of [8, 16, 24, 32] as const) {
    test(`PCM ${bits}-bit mono and stereo are bit-exact (path, Buffer and stream)`, async () => {
      const left = gridSignal(bits, 1000, bits);
      const right = gridSignal(bits, 1000, bits + 100);
      const path = join(dir, `rt${bits}.wav`);
      saveAudio(path, [left, right], 22050, { bitDepth: bits });
      const stereo = await loadAudio(path, { mono: false });
      assert.equal(stereo.sampleRate, 22050);
      assert.deepEqual(stereo.samples, [left, right]);
      const info = await readAudioInfo(path);
      assert.equal(info.bitDepth, bits);
      assert.equal(info.frames, 1000);
      assert.equal(info.channels, 2);
      const bytes = encodeWav(left, 8000, { bitDepth: bits });
      assert.deepEqual((await loadAudio(bytes)).samples, left);
      assert.deepEqual(
        (await loadAudio(Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]))).samples,
        left,
      );
    });
  }

  test('float32 round trip is exact, including values beyond [-1, 1]', async () => {
    const y = Float32Array.from([0, 0.1, -0.7, 1.5, -2, 1e-30, 0.333333]);
    const loaded = await loadAudio(encodeWav(y, 16000, { bitDepth: 'float32' }));
    assert.deepEqual(loaded.samples, y);
    assert.equal((await readAudioInfo(encodeWav(y, 16000, { bitDepth: 'float32' }))).codec, 'pcm_f32le');
  });

  test('PCM quantisation rounds and clips', async () => {
    const y = Float32Array.from([1.5, -1.5, 0.50001 / 32768, 1 / 65536 + 1e-9]);
    const loaded = await loadAudio(encodeWav(y, 16000, { bitDepth: 16 }));
    assert.deepEqual(
      Array.from(loaded.samples, (x) => x * 32768),
      [32767, -32768, 1, 1],
    );
  });

  test('more than two channels are written as WAVE_FORMAT_EXTENSIBLE and read back', async () => {
    const chans = [0, 1, 2, 3, 4].map((c) => gridSignal(24, 50, c + 7));
    const bytes = encodeWav(chans, 48000, { bitDepth: 24 });
    assert.equal(new DataView(bytes.buffer).getUint16(20, true), 0xfffe);
    assert.deepEqual((await loadAudio(bytes, { mono: false })).samples, chans);
  });

  test('saveAudio refuses non-WAV paths, NaN samples and bad rates', () => {
    assert.throws(() => saveAudio(join(dir, 'x.flac'), new Float32Array(4), 16000), /WAV only/);
    assert.throws(() => encodeWav(Float32Array.from([0, NaN]), 16000), /sample 1 of channel 0 is NaN/);
    assert.throws(() => encodeWav(new Float32Array(4), 0), EmovoxInputError);
    assert.throws(() => encodeWav([new Float32Array(4), new Float32Array(3)], 8000), /differ in length/);
  });
});

describe('FLAC writing (libFLAC via libflacjs)', () => {
  const hasFlacCli = spawnSync('flac', ['--version'], { stdio: 'ignore' }).status === 0;
  for (const bits of [8, 16, 24] as const) {
    test(`FLAC ${bits}-bit mono and stereo round-trip bit-exactly`, async () => {
      const left = gridSignal(bits, 5000, bits + 1);
      const right = gridSignal(bits, 5000, bits + 2);
      const bytes = await encodeFlac([left, right], 44100, { bitDepth: bits });
      const back = await loadAudio(bytes, { mono: false });
      assert.equal(back.sampleRate, 44100);
      assert.deepEqual(back.samples, [left, right]);
      const info = await readAudioInfo(bytes);
      assert.deepEqual([info.format, info.bitDepth, info.frames, info.channels], ['flac', bits, 5000, 2]);
    });
  }

  test(
    'saveFlac writes a file the reference flac tool verifies (MD5 in STREAMINFO)',
    { skip: !hasFlacCli && 'flac CLI not on PATH' },
    async () => {
      const path = join(dir, 'saved.flac');
      const y = gridSignal(16, 30000, 99);
      await saveFlac(path, y, 16000, { compressionLevel: 8 });
      assert.deepEqual((await loadAudio(path)).samples, y);
      const check = spawnSync('flac', ['-t', '-s', path], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
      const md5 = spawnSync('metaflac', ['--show-md5sum', path], { encoding: 'utf8' });
      if (md5.status === 0) assert.notEqual(md5.stdout.trim(), '0'.repeat(32));
    },
  );

  test('bad FLAC writing options are input errors', async () => {
    await assert.rejects(
      encodeFlac(new Float32Array(4), 16000, { bitDepth: 32 as 24 }),
      /bitDepth must be 8, 16 or 24/,
    );
    await assert.rejects(encodeFlac(Float32Array.from([0, NaN]), 16000), /sample 1 of channel 0 is NaN/);
    await assert.rejects(encodeFlac(new Float32Array(4), 0), /sample rate 0/);
  });
});

describe('WAV parser', () => {
  const samples = [0, 1000, -1000, 32767, -32768, 5, -5];
  const expected = Float32Array.from(samples, (s) => s / 32768);

  test('64-bit float and big-endian RIFX', async () => {
    const values = [0.25, -0.125, 1 / 3, -0.9];
    const f64 = container('RIFF', 'WAVE', [
      { id: 'fmt ', body: fmtBody(3, 1, 8000, 64) },
      { id: 'data', body: floatBytes(values, 64) },
    ]);
    assert.deepEqual((await loadAudio(f64)).samples, Float32Array.from(values));
    assert.equal((await readAudioInfo(f64)).codec, 'pcm_f64le');
    const fmt = fmtBody(1, 1, 8000, 16);
    const be = new DataView(fmt.buffer);
    [
      [0, 2],
      [2, 2],
      [4, 4],
      [8, 4],
      [12, 2],
      [14, 2],
    ].forEach(([at, n]) => fmt.subarray(at, at + n).reverse());
    assert.equal(be.getUint16(0, false), 1);
    const rifx = container(
      'RIFX',
      'WAVE',
      [
        { id: 'fmt ', body: fmt },
        { id: 'data', body: int16Bytes(samples, true) },
      ],
      true,
    );
    assert.deepEqual((await loadAudio(rifx)).samples, expected);
  });

  test('WAVE_FORMAT_EXTENSIBLE: int with 20 valid bits in 24, and float sub-format', async () => {
    const ints = [0x123450, -0x400000, 0x7ffff0];
    const data = new Uint8Array(9);
    ints.forEach((v, i) => {
      data[i * 3] = v & 0xff;
      data[i * 3 + 1] = (v >> 8) & 0xff;
      data[i * 3 + 2] = (v >> 16) & 0xff;
    });
    const ext = container('RIFF', 'WAVE', [
      { id: 'fmt ', body: extensibleFmtBody(1, 1, 96000, 24, 20) },
      { id: 'data', body: data },
    ]);
    assert.deepEqual(
      (await loadAudio(ext)).samples,
      Float32Array.from(ints, (v) => v / 2 ** 23),
    );
    const info = await readAudioInfo(ext);
    assert.equal(info.bitDepth, 20);
    assert.equal(info.sampleRate, 96000);
    const extFloat = container('RIFF', 'WAVE', [
      { id: 'fmt ', body: extensibleFmtBody(3, 2, 44100, 32) },
      { id: 'data', body: floatBytes([0.5, -0.5, 0.25, -0.25], 32) },
    ]);
    const stereo = await loadAudio(extFloat, { mono: false });
    assert.deepEqual(stereo.samples, [Float32Array.from([0.5, 0.25]), Float32Array.from([-0.5, -0.25])]);
  });

  test('LIST and odd-sized chunks (with pad byte, and without it) before data', async () => {
    const list = {
      id: 'LIST',
      body: Uint8Array.from('INFOISFT\x05\x00\x00\x00emovx', (c) => c.charCodeAt(0)),
    };
    const padded = container('RIFF', 'WAVE', [
      { id: 'fmt ', body: fmtBody(1, 1, 16000, 16) },
      { id: 'odd ', body: new Uint8Array(3) },
      list,
      { id: 'data', body: int16Bytes(samples) },
      { id: 'id3 ', body: new Uint8Array(5) },
    ]);
    const a = await loadAudio(padded);
    assert.deepEqual(a.samples, expected);
    assert.deepEqual(a.warnings, []);
    const unpadded = container('RIFF', 'WAVE', [
      { id: 'fmt ', body: fmtBody(1, 1, 16000, 16) },
      { id: 'odd ', body: new Uint8Array(3), noPad: true },
      { id: 'data', body: int16Bytes(samples) },
    ]);
    const b = await loadAudio(unpadded);
    assert.deepEqual(b.samples, expected);
    assert.match(b.warnings.join(), /without its pad byte/);
  });

  test('data chunk before fmt chunk', async () => {
    const bytes = container('RIFF', 'WAVE', [
      { id: 'data', body: int16Bytes(samples) },
      { id: 'fmt ', body: fmtBody(1, 1, 16000, 16) },
    ]);
    assert.deepEqual((await loadAudio(bytes)).samples, expected);
  });

  test('RF64 with ds64 sizes', async () => {
    const ds64 = new Uint8Array(28);
    new DataView(ds64.buffer).setUint32(8, samples.length * 2, true);
    const bytes = container('RF64', 'WAVE', [
      { id: 'ds64', body: ds64 },
      { id: 'fmt ', body: fmtBody(1, 1, 16000, 16) },
      { id: 'data', body: int16Bytes(samples), size: 0xffffffff },
    ]);
    assert.deepEqual((await loadAudio(bytes)).samples, expected);
    assert.equal((await readAudioInfo(bytes)).format, 'rf64');
  });
});

describe('AIFF parser', () => {
  test('AIFF big-endian, AIFF-C sowt and fl32 (hand-built)', async () => {
    const ints = [0, 12345, -32768, 32767];
    const aiff = container(
      'FORM',
      'AIFF',
      [
        { id: 'COMM', body: commBody(1, 4, 16, 44100) },
        { id: 'SSND', body: ssndBody(int16Bytes(ints, true)) },
      ],
      true,
    );
    const want = Float32Array.from(ints, (v) => v / 32768);
    assert.deepEqual((await loadAudio(aiff)).samples, want);
    const info = await readAudioInfo(aiff);
    assert.deepEqual(
      [info.format, info.sampleRate, info.frames, info.codec],
      ['aiff', 44100, 4, 'pcm_s16be'],
    );
    const sowt = container(
      'FORM',
      'AIFC',
      [
        { id: 'FVER', body: new Uint8Array(4) },
        { id: 'COMM', body: commBody(2, 2, 16, 22050, 'sowt') },
        { id: 'SSND', body: ssndBody(int16Bytes(ints)) },
      ],
      true,
    );
    const st = await loadAudio(sowt, { mono: false });
    assert.deepEqual(st.samples, [
      Float32Array.from([ints[0], ints[2]], (v) => v / 32768),
      Float32Array.from([ints[1], ints[3]], (v) => v / 32768),
    ]);
    assert.equal(st.sampleRate, 22050);
    const fl32 = container(
      'FORM',
      'AIFC',
      [
        { id: 'COMM', body: commBody(1, 3, 32, 8000, 'fl32') },
        { id: 'SSND', body: ssndBody(floatBytes([0.5, -0.25, 0.125], 32, true)) },
      ],
      true,
    );
    assert.deepEqual((await loadAudio(fl32)).samples, Float32Array.from([0.5, -0.25, 0.125]));
  });

  test('AIFF whose COMM frame count exceeds the SSND chunk reads what SSND holds, with a warning', async () => {
    const bytes = container(
      'FORM',
      'AIFF',
      [
        { id: 'COMM', body: commBody(1, 10, 16, 8000) },
        { id: 'SSND', body: ssndBody(int16Bytes([1, 2, 3, 4], true)) },
        { id: 'ANNO', body: new Uint8Array(40) },
      ],
      true,
    );
    const a = await loadAudio(bytes);
    assert.deepEqual(
      Array.from(a.samples, (x) => x * 32768),
      [1, 2, 3, 4],
    );
    assert.match(a.warnings[0], /COMM declares 10 frames but the SSND chunk holds 4/);
  });

  test('AIFF-C with an unknown compression is refused by name', async () => {
    const bytes = container(
      'FORM',
      'AIFC',
      [
        { id: 'COMM', body: commBody(1, 1, 16, 8000, 'ima4') },
        { id: 'SSND', body: ssndBody(new Uint8Array(34)) },
      ],
      true,
    );
    await rejectsInput(loadAudio(bytes, { name: 'x.aifc' }), /compression 'ima4'/, 'x.aifc');
  });
});

describe('fixtures made by sox / flac / ffmpeg (independent encoders)', () => {
  const lossless = [
    ['sine440_s16.flac', 'flac', 'flac'],
    ['sine440_s16be.aiff', 'aiff', 'pcm_s16be'],
    ['sine440_sowt.aifc', 'aifc', 'pcm_s16le'],
    ['sine440_fl32.aifc', 'aifc', 'pcm_f32be'],
    ['aiff_named_as.wav', 'aiff', 'pcm_s16be'],
    ['sine440_rf64.wav', 'rf64', 'pcm_s16le'],
  ];
  for (const [file, format, codec] of lossless) {
    test(`${file} is ${format}/${codec} and equals the reference WAV sample for sample`, async () => {
      const ref = await loadAudio(join(fixtures, 'sine440_s16.wav'));
      const got = await loadAudio(join(fixtures, file));
      assert.equal(got.sampleRate, 16000);
      assert.deepEqual(got.samples, ref.samples);
      const info = await readAudioInfo(join(fixtures, file));
      assert.deepEqual([info.format, info.codec, info.frames, info.channels], [format, codec, 4800, 1]);
    });
  }

  test('stereo FLAC and 3-channel 24-bit extensible WAV (ffmpeg)', async () => {
    const flac = await loadAudio(join(fixtures, 'stereo_s16.flac'), { mono: false });
    assert.equal(flac.samples.length, 2);
    assert.equal(peakFrequency(flac.samples[0], 16000, 400, 700), 440);
    assert.equal(peakFrequency(flac.samples[1], 16000, 400, 700), 660);
    const mono = await loadAudio(join(fixtures, 'stereo_s16.flac'));
    for (const i of [0, 100, 4799])
      assert.equal(mono.samples[i], (flac.samples[0][i] + flac.samples[1][i]) / 2);
    const ext = await loadAudio(join(fixtures, 'three_ch_s24_extensible.wav'), { mono: false });
    assert.equal(ext.samples.length, 3);
    assert.deepEqual(ext.samples[2], ext.samples[0]);
    assert.equal((await readAudioInfo(join(fixtures, 'three_ch_s24_extensible.wav'))).bitDepth, 24);
  });

  test('µ-law and A-law WAV decode to the reference within their quantisation error', async () => {
    const ref = (await loadAudio(join(fixtures, 'sine440_s16.wav'))).samples;
    for (const file of ['sine440_mulaw.wav', 'sine440_alaw.wav']) {
      const got = (await loadAudio(join(fixtures, file))).samples;
      assert.equal(got.length, ref.length);
      let worst = 0;
      for (let i = 0; i < ref.length; i++)
        worst = Math.max(worst, Math.abs(got[i] - ref[i]) / Math.max(Math.abs(ref[i]), 1 / 256));
      assert.ok(worst < 0.07, `${file}: relative error ${worst}`);
    }
  });

  const lossy = [
    ['sine440.mp3', 'mp3', 'mp3', 16000, 1],
    ['stereo.ogg', 'ogg', 'vorbis', 16000, 2],
    ['sine440.opus', 'ogg', 'opus', 48000, 1],
  ] as const;
  for (const [file, format, codec, rate, channels] of lossy) {
    test(`${file}: ${codec} at ${rate} Hz, ${channels} ch, 440 Hz tone, ~0.3 s`, async () => {
      const info = await readAudioInfo(join(fixtures, file));
      assert.deepEqual(
        [info.format, info.codec, info.sampleRate, info.channels],
        [format, codec, rate, channels],
      );
      assert.ok(Math.abs(info.durationS - 0.3) < 0.01, `duration ${info.durationS}`);
      const audio = await loadAudio(readFileSync(join(fixtures, file)), { sr: 16000, mono: false });
      assert.equal(audio.sampleRate, 16000);
      assert.equal(peakFrequency(audio.samples[0], 16000, 400, 700), 440);
    });
  }

  test('MP3 behind an ID3v2 tag and padding, or behind zero padding, is still found', async () => {
    const mp3 = readFileSync(join(fixtures, 'sine440.mp3'));
    const plain = await loadAudio(mp3);
    const tag = new Uint8Array(10 + 300);
    tag.set([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0x02, 0x2c]); // ID3v2.3, size 300 (syncsafe)
    const tagged = Buffer.concat([tag, new Uint8Array(57), mp3]);
    assert.deepEqual((await loadAudio(tagged)).samples, plain.samples);
    assert.equal(mp3.toString('latin1', 0, 3), 'ID3'); // ffmpeg writes a tag: strip it for the next case
    const tagLength = 10 + ((mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9]);
    const padded = Buffer.concat([new Uint8Array(1000), mp3.subarray(tagLength)]);
    assert.equal((await readAudioInfo(padded)).format, 'mp3');
  });

  test(
    'formats needing ffmpeg (M4A/AAC, ADPCM WAV) decode through it, or say ffmpeg is needed',
    { skip: !hasFfmpeg && 'ffmpeg not on PATH' },
    async () => {
      for (const file of ['sine440.m4a', 'sine440_adpcm.wav']) {
        const audio = await loadAudio(join(fixtures, file));
        assert.equal(audio.sampleRate, 16000);
        assert.equal(peakFrequency(audio.samples, 16000, 400, 700), 440);
        const fromBytes = await loadAudio(readFileSync(join(fixtures, file)));
        assert.equal(fromBytes.samples.length, audio.samples.length);
      }
      assert.equal((await readAudioInfo(join(fixtures, 'sine440.m4a'))).format, 'other');
      const oggFlac = join(dir, 'ogg-flac.oga');
      const made = spawnSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-i',
        join(fixtures, 'sine440_s16.wav'),
        '-c:a',
        'flac',
        '-f',
        'ogg',
        oggFlac,
      ]);
      assert.equal(made.status, 0);
      const viaFfmpeg = await loadAudio(oggFlac);
      assert.deepEqual(viaFfmpeg.samples, (await loadAudio(join(fixtures, 'sine440_s16.wav'))).samples);
      assert.equal((await readAudioInfo(oggFlac)).format, 'ogg');
      const saved = process.env.EMOVOX_FFMPEG;
      process.env.EMOVOX_FFMPEG = 'none';
      try {
        await rejectsInput(loadAudio(join(fixtures, 'sine440.m4a')), /ffmpeg would be needed/);
        await rejectsInput(loadAudio(join(fixtures, 'sine440_adpcm.wav')), /ADPCM.*ffmpeg would be needed/);
      } finally {
        if (saved === undefined) delete process.env.EMOVOX_FFMPEG;
        else process.env.EMOVOX_FFMPEG = saved;
      }
    },
  );
});

describe('bad input gives EmovoxInputError naming the file', () => {
  const write = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  test('empty, tiny, missing, directory and non-audio files', async () => {
    const empty = write('empty.wav', new Uint8Array(0));
    await rejectsInput(loadAudio(empty), /empty file/, empty);
    await rejectsInput(readAudioInfo(empty), /empty file/, empty);
    await rejectsInput(loadAudio(write('tiny.wav', 'RIF')), /not audio/);
    await rejectsInput(loadAudio(join(dir, 'missing.wav')), /file not found/);
    await rejectsInput(loadAudio(dir), /is a directory/);
    const saved = process.env.EMOVOX_FFMPEG;
    process.env.EMOVOX_FFMPEG = 'none';
    try {
      const text = write('notes.wav', 'This is a text file, not audio at all.\n'.repeat(20));
      await rejectsInput(loadAudio(text), /unsupported audio format/, text);
    } finally {
      if (saved === undefined) delete process.env.EMOVOX_FFMPEG;
      else process.env.EMOVOX_FFMPEG = saved;
    }
    if (hasFfmpeg) {
      await rejectsInput(
        loadAudio(write('notes2.wav', 'This is a text file, not audio.\n'.repeat(20))),
        /not decodable audio \(ffmpeg/,
      );
    }
  });

  test('header-only, missing fmt / data chunks, truncated fmt', async () => {
    await rejectsInput(loadAudio(write('h.wav', container('RIFF', 'WAVE', []))), /header only/);
    await rejectsInput(
      loadAudio(container('RIFF', 'WAVE', [{ id: 'data', body: new Uint8Array(8) }])),
      /no fmt chunk/,
    );
    await rejectsInput(
      loadAudio(container('RIFF', 'WAVE', [{ id: 'fmt ', body: fmtBody(1, 1, 8000, 16) }])),
      /no data chunk/,
    );
    const cut = container('RIFF', 'WAVE', [{ id: 'fmt ', body: fmtBody(1, 1, 8000, 16) }]).subarray(0, 30);
    await rejectsInput(loadAudio(cut), /truncated WAV/);
  });

  test('truncated data chunk: clamped with a warning by default, an error with strict', async () => {
    const full = wav16([1, 2, 3, 4, 5, 6, 7, 8]);
    const cut = full.subarray(0, full.length - 5); // 2.5 samples missing
    const a = await loadAudio(cut, { name: 'cut.wav' });
    assert.deepEqual(
      Array.from(a.samples, (x) => x * 32768),
      [1, 2, 3, 4, 5],
    );
    assert.match(a.warnings.join('\n'), /data chunk declares 16 bytes but only 11 are present/);
    const info = await readAudioInfo(cut);
    assert.equal(info.frames, 5);
    assert.equal(info.warnings.length, 2); // shortfall + partial frame
    await rejectsInput(
      loadAudio(cut, { strict: true, name: 'cut.wav' }),
      /declares 16 bytes but only 11/,
      'cut.wav',
    );
  });

  test('a data chunk left at size 0 by a streaming writer reads the samples that follow', async () => {
    const bytes = wav16([1000, -1000, 3]);
    new DataView(bytes.buffer).setUint32(40, 0, true);
    const a = await loadAudio(bytes);
    assert.deepEqual(
      Array.from(a.samples, (x) => x * 32768),
      [1000, -1000, 3],
    );
    assert.match(a.warnings[0], /declares 0 bytes/);
    await rejectsInput(loadAudio(bytes, { strict: true }), /declares 0 bytes but 6 bytes/);
    const empty = container('RIFF', 'WAVE', [
      { id: 'fmt ', body: fmtBody(1, 1, 8000, 16) },
      { id: 'data', body: new Uint8Array(0) },
      { id: 'LIST', body: new Uint8Array(8) },
    ]);
    const e = await loadAudio(empty);
    assert.equal(e.samples.length, 0);
    assert.deepEqual(e.warnings, []);
  });

  test('a header claiming ~4 GB or 100 GB allocates only what is there', async () => {
    const small = wav16([100, -100, 200]);
    new DataView(small.buffer).setUint32(40, 0xfffffff0, true); // data size
    const a = await loadAudio(small);
    assert.equal(a.samples.length, 3);
    const ds64 = new Uint8Array(28);
    const v = new DataView(ds64.buffer);
    v.setUint32(8, 0, true);
    v.setUint32(12, 25, true); // 100 GiB
    const rf = container('RF64', 'WAVE', [
      { id: 'ds64', body: ds64 },
      { id: 'fmt ', body: fmtBody(1, 1, 16000, 16) },
      { id: 'data', body: int16Bytes([7, 8]), size: 0xffffffff },
    ]);
    const before = process.memoryUsage().arrayBuffers;
    const b = await loadAudio(rf);
    assert.equal(b.samples.length, 2);
    assert.ok(process.memoryUsage().arrayBuffers - before < 50e6);
    assert.match(b.warnings[0], /declares 107374182400 bytes but only 4/);
    const aiff = container(
      'FORM',
      'AIFF',
      [
        { id: 'COMM', body: commBody(1, 0xfffffff0, 16, 8000) },
        { id: 'SSND', body: ssndBody(int16Bytes([1, 2], true)), size: 0xfffffff0 },
      ],
      true,
    );
    const c = await loadAudio(aiff);
    assert.equal(c.samples.length, 2);
    await rejectsInput(loadAudio(aiff, { strict: true }), /SSND chunk declares/);
  });

  test('a 1 GiB (sparse) WAV: info reads the header only, offset/duration read only that slice', async () => {
    const path = join(dir, 'big.wav');
    const frames = 2 ** 29; // 1 GiB of 16-bit mono
    const header = wav16([]);
    new DataView(header.buffer).setUint32(40, frames * 2, true);
    new DataView(header.buffer).setUint32(4, frames * 2 + 36, true);
    writeFileSync(path, header);
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, 44 + frames * 2);
    closeSync(fd);
    const t0 = performance.now();
    const info = await readAudioInfo(path);
    assert.equal(info.frames, frames);
    const part = await loadAudio(path, { offset: 10000, duration: 0.5 });
    assert.equal(part.samples.length, 8000);
    assert.ok(performance.now() - t0 < 2000);
  });

  test('0 Hz, absurd rates and 0 channels', async () => {
    const make = (rate: number, channels: number) =>
      container('RIFF', 'WAVE', [
        { id: 'fmt ', body: fmtBody(1, channels, rate, 16, 2) },
        { id: 'data', body: new Uint8Array(4) },
      ]);
    await rejectsInput(loadAudio(make(0, 1), { name: 'z.wav' }), /invalid sample rate 0 Hz/, 'z.wav');
    await rejectsInput(readAudioInfo(make(2_000_000, 1)), /absurd sample rate 2000000 Hz/);
    await rejectsInput(loadAudio(make(16000, 0)), /invalid channel count 0/);
    const aiff0 = container(
      'FORM',
      'AIFF',
      [
        { id: 'COMM', body: commBody(1, 1, 16, 0) },
        { id: 'SSND', body: ssndBody(new Uint8Array(2)) },
      ],
      true,
    );
    await rejectsInput(loadAudio(aiff0), /invalid sample rate 0 Hz/);
    const badBits = container('RIFF', 'WAVE', [
      { id: 'fmt ', body: fmtBody(3, 1, 8000, 16) },
      { id: 'data', body: new Uint8Array(4) },
    ]);
    await rejectsInput(loadAudio(badBits), /unsupported float bit depth 16/);
  });

  test('NaN / Inf float samples are errors naming the file and position', async () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const bytes = container('RIFF', 'WAVE', [
        { id: 'fmt ', body: fmtBody(3, 1, 8000, 32) },
        { id: 'data', body: floatBytes([0, 0.5, bad], 32) },
      ]);
      const path = write('nan.wav', bytes);
      await rejectsInput(loadAudio(path), new RegExp(`sample 2 of channel 0 is ${bad}`), path);
    }
  });

  test('truncated and corrupt FLAC / MP3 / Ogg', async () => {
    const flac = readFileSync(join(fixtures, 'sine440_s16.flac'));
    await rejectsInput(loadAudio(flac.subarray(0, 30)), /STREAMINFO cut off/);
    await rejectsInput(loadAudio(flac.subarray(0, 100)), /truncated FLAC: metadata cut off/);
    await rejectsInput(loadAudio(flac.subarray(0, 200)), /truncated FLAC: frame 0 at byte 108 fails its CRC/);
    await rejectsInput(loadAudio(flac.subarray(0, flac.length - 300)), /frame 1 at byte 3104 fails its CRC/);
    await rejectsInput(loadAudio(flac.subarray(0, flac.length - 300), { strict: true }), /fails its CRC/);
    const garbled = Buffer.from(flac);
    for (let i = 100; i < 400; i++) garbled[i] ^= 0x5a;
    await rejectsInput(loadAudio(garbled), /corrupt FLAC: no frame header at byte 108/);
    const flipped = Buffer.from(flac);
    flipped[2000] ^= 0x01; // one bit in the middle of frame 0
    await rejectsInput(loadAudio(flipped), /frame 0 at byte 108 fails its CRC/);
    const mp3 = readFileSync(join(fixtures, 'sine440.mp3'));
    await rejectsInput(loadAudio(mp3.subarray(0, 100)), /no decodable audio/);
    const ogg = readFileSync(join(fixtures, 'stereo.ogg'));
    await rejectsInput(loadAudio(ogg.subarray(0, 100)), /truncated Ogg Vorbis: the file ends inside page 1/);
  });

  test('bad sources and options', async () => {
    await rejectsInput(loadAudio(42 as unknown as string), /not an audio source/);
    const bytes = wav16([1, 2, 3, 4]);
    await rejectsInput(loadAudio(bytes, { sr: 0 }), /sr=0/);
    await rejectsInput(loadAudio(bytes, { offset: -1 }), /offset must be/);
    await rejectsInput(loadAudio(bytes, { duration: NaN }), /duration must be/);
  });
});

describe('loadAudio options', () => {
  const ints = Array.from({ length: 16000 }, (_, i) => (i % 2000) - 1000);
  const bytes = wav16(ints, 8000, 2); // 8000 frames, 1 s, stereo interleaved

  test('offset / duration pick floor(t * sr) frames like librosa, clamped at the end', async () => {
    const a = await loadAudio(bytes, { offset: 0.25, duration: 0.5, mono: false });
    assert.equal(a.samples[0].length, 4000);
    assert.equal(a.samples[0][0], ints[2 * 2000] / 32768);
    assert.equal(a.samples[1][0], ints[2 * 2000 + 1] / 32768);
    const tail = await loadAudio(bytes, { offset: 0.9, duration: 5 });
    assert.equal(tail.samples.length, 800);
    await rejectsInput(
      loadAudio(bytes, { offset: 1.5, name: 'o.wav' }),
      /offset 1.5 s is beyond the end of the audio \(1.000 s\)/,
      'o.wav',
    );
    const flac = join(fixtures, 'sine440_s16.flac');
    const full = (await loadAudio(flac)).samples;
    const part = (await loadAudio(flac, { offset: 0.1, duration: 0.05 })).samples;
    assert.deepEqual(part, full.slice(1600, 2400));
    await rejectsInput(loadAudio(flac, { offset: 1 }), /beyond the end/);
  });

  test('mono is the channel mean; sr resamples to ceil(n * sr / sr_native) samples', async () => {
    const stereo = await loadAudio(bytes, { mono: false });
    const mono = await loadAudio(bytes);
    for (const i of [0, 1, 1234, 7999])
      assert.equal(mono.samples[i], Math.fround((stereo.samples[0][i] + stereo.samples[1][i]) / 2));
    const up = await loadAudio(bytes, { sr: 22050 });
    assert.equal(up.sampleRate, 22050);
    assert.equal(up.samples.length, Math.ceil((8000 * 22050) / 8000));
    const upStereo = await loadAudio(bytes, { sr: 16000, mono: false });
    assert.equal(upStereo.samples.length, 2);
    assert.equal(upStereo.samples[1].length, 16000);
  });
});
