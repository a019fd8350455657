// emovox's own FLAC frame decoder (src/audio/wasm/flac-kernel.as.ts behind src/audio/flac.ts)
// against the reference decoder, `flac -d` (libFLAC 1.4), on streams made two ways:
// - by the `flac` encoder, over bit depths 8-24, block sizes 16-65535, every stereo
//   decorrelation mode, constant / verbatim / fixed / LPC subframes up to order 32 with 15-bit
//   coefficients (the 64-bit prediction path), wasted bits, 1-8 channels, odd sample rates and
//   tiny files; the test checks that every one of those features occurred in the streams;
// - by a small FLAC writer in this file, for what libFLAC's encoder never writes: escaped
//   (raw-bits) residual partitions, both Rice parameter widths, variable block sizes, and a
//   hand-chosen coefficient set.
// Plus corruption: every failure is an EmovoxInputError naming the frame and its byte offset.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeFlac,
  decodeFlacLibrary,
  flacFrameHeaderLength,
  flacKernelAvailable,
  splitFlacFrames,
} from '../../src/audio/flac.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { writeFlac, type FrameCoding } from './flac-writer.js';

const hasFlacCli = spawnSync('flac', ['--version'], { stdio: 'ignore' }).status === 0;
const noCli = !hasFlacCli && 'flac CLI not on PATH';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type SignalKind = 'speech' | 'noise' | 'silence' | 'dc' | 'wasted' | 'mixed';

/** Integer samples of one channel, in the signed `bps`-bit range. */
function signal(kind: SignalKind, n: number, bps: number, seed: number): Int32Array {
  const r = rng(seed);
  const full = 2 ** (bps - 1);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    const voiced =
      (0.3 * Math.sin(2 * Math.PI * 150 * t) +
        0.15 * Math.sin(2 * Math.PI * 450 * t + 1) +
        0.08 * Math.sin(2 * Math.PI * 1234 * t)) *
        (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)) +
      0.01 * (r() - 0.5);
    let v: number;
    switch (kind) {
      case 'speech':
        v = voiced * full;
        break;
      case 'noise':
        v = (r() * 2 - 1) * full;
        break;
      case 'silence':
        v = 0;
        break;
      case 'dc':
        v = 0.25 * full;
        break;
      case 'wasted':
        v = Math.round((voiced * full) / 8) * 8;
        break;
      default: {
        // a block of silence, a block of DC, a block of noise, then speech
        const part = Math.floor((i / n) * 4);
        v = [0, 0.1 * full, (r() * 2 - 1) * full, voiced * full][part];
      }
    }
    out[i] = Math.max(-full, Math.min(full - 1, Math.round(v)));
  }
  return out;
}

/** WAVE_FORMAT_EXTENSIBLE bytes: `bps` valid bits, left-justified in whole bytes (8-bit unsigned). */
function extensibleWav(channels: Int32Array[], rate: number, bps: number): Uint8Array {
  const bytes = Math.ceil(bps / 8);
  const n = channels[0].length;
  const data = new Uint8Array(n * channels.length * bytes);
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (const ch of channels) {
      let v = ch[i] * 2 ** (bytes * 8 - bps);
      if (bytes === 1) v += 128;
      for (let b = 0; b < bytes; b++) data[at++] = Math.floor(v / 2 ** (8 * b)) & 0xff;
    }
  }
  const fmt = new Uint8Array(40);
  const f = new DataView(fmt.buffer);
  f.setUint16(0, 0xfffe, true);
  f.setUint16(2, channels.length, true);
  f.setUint32(4, rate, true);
  f.setUint32(8, rate * channels.length * bytes, true);
  f.setUint16(12, channels.length * bytes, true);
  f.setUint16(14, bytes * 8, true);
  f.setUint16(16, 22, true);
  f.setUint16(18, bps, true);
  f.setUint32(20, [0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x70f, 0x63f][channels.length - 1], true);
  fmt.set([1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 24);
  const out = new Uint8Array(12 + 8 + 40 + 8 + data.length);
  const v = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  v.setUint32(4, out.length - 8, true);
  out.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8);
  v.setUint32(16, 40, true);
  out.set(fmt, 20);
  out.set([0x64, 0x61, 0x74, 0x61], 60);
  v.setUint32(64, data.length, true);
  out.set(data, 68);
  return out;
}

/** Samples of a PCM WAV as floats (container int / 2^(container bits - 1)), one array per channel. */
function parseWav(bytes: Uint8Array): Float32Array[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let p = 12;
  let channels = 0;
  let bits = 0;
  while (p + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(p, p + 4));
    const size = v.getUint32(p + 4, true);
    if (id === 'fmt ') {
      channels = v.getUint16(p + 10, true);
      bits = v.getUint16(p + 22, true);
    } else if (id === 'data') {
      const width = bits / 8;
      const n = size / width / channels;
      const out = Array.from({ length: channels }, () => new Float32Array(n));
      let at = p + 8;
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < channels; c++) {
          let x = 0;
          for (let b = 0; b < width; b++) x += bytes[at++] * 2 ** (8 * b);
          if (width === 1) x -= 128;
          else if (x >= 2 ** (bits - 1)) x -= 2 ** bits;
          out[c][i] = x / 2 ** (bits - 1);
        }
      }
      return out;
    }
    p += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/** flac -d of `flacPath` (to WAV) as float channels. */
function reference(flacPath: string, dir: string): Float32Array[] {
  const wav = join(dir, 'reference.wav');
  const run = spawnSync('flac', ['-d', '-s', '-f', '-o', wav, flacPath], { encoding: 'utf8' });
  assert.equal(run.status, 0, `flac -d ${flacPath}: ${run.stderr}`);
  return parseWav(readFileSync(wav));
}

function assertSameChannels(ours: Float32Array[], ref: Float32Array[], label: string): void {
  assert.equal(ours.length, ref.length, `${label}: channels`);
  for (let c = 0; c < ref.length; c++) {
    assert.equal(ours[c].length, ref[c].length, `${label}: length of channel ${c}`);
    for (let i = 0; i < ref[c].length; i++) {
      if (ours[c][i] !== ref[c][i])
        assert.fail(`${label}: channel ${c} sample ${i}: ${ours[c][i]} vs ${ref[c][i]}`);
    }
  }
}

/** Channel assignment and first-subframe type of every frame (what the encoder chose). */
function frameFeatures(bytes: Uint8Array): { assignments: Set<number>; subframes: Set<string> } {
  const assignments = new Set<number>();
  const subframes = new Set<string>();
  for (const frame of splitFlacFrames(bytes, 'features')) {
    assignments.add(frame[3] >> 4);
    const sub = frame[flacFrameHeaderLength(frame, 0)];
    const type = (sub >> 1) & 63;
    subframes.add(type === 0 ? 'constant' : type === 1 ? 'verbatim' : type < 32 ? 'fixed' : 'lpc');
    if (type >= 32 + 12) subframes.add('lpc order > 12');
    if (sub & 1) subframes.add('wasted bits');
  }
  return { assignments, subframes };
}

interface CliCase {
  label: string;
  bps: number;
  rate?: number;
  kinds: SignalKind[];
  n?: number;
  args: string[];
}

const CLI_CASES: CliCase[] = [
  ...[8, 12, 16, 20, 24].map((bps) => ({
    label: `${bps}-bit mono`,
    bps,
    kinds: ['speech' as const],
    args: ['-5'],
  })),
  ...[16, 192, 576, 1152, 2304, 4096, 4608, 8192, 16384, 32768, 65535].map((b) => ({
    label: `block size ${b}`,
    bps: 16,
    kinds: ['mixed' as const],
    n: 70000,
    args: ['--lax', '-b', String(b)],
  })),
  { label: 'stereo, independent', bps: 16, kinds: ['speech', 'noise'], args: ['--no-mid-side'] },
  { label: 'stereo, exhaustive decorrelation', bps: 16, kinds: ['speech', 'speech'], args: ['-m', '-8'] },
  { label: 'stereo, adaptive decorrelation', bps: 16, kinds: ['speech', 'wasted'], args: ['-M'] },
  { label: 'stereo 24-bit, -8', bps: 24, kinds: ['mixed', 'speech'], args: ['-8'] },
  { label: 'stereo 8-bit', bps: 8, kinds: ['speech', 'mixed'], args: ['-m'] },
  {
    label: 'silence and DC (constant subframes)',
    bps: 16,
    kinds: ['silence', 'dc'],
    args: ['--no-mid-side'],
  },
  { label: 'full-scale noise (verbatim subframes)', bps: 16, kinds: ['noise'], args: ['-0'] },
  { label: '24-bit noise (wide Rice parameters)', bps: 24, kinds: ['noise'], args: ['-8'] },
  { label: 'wasted bits', bps: 16, kinds: ['wasted'], args: ['-5'] },
  { label: 'fixed predictors only', bps: 16, kinds: ['mixed'], args: ['-l', '0', '-r', '6'] },
  {
    label: 'LPC order 32, 15-bit coefficients, partition order 15 (64-bit prediction path)',
    bps: 24,
    kinds: ['speech'],
    n: 40000,
    args: ['--lax', '-l', '32', '-q', '15', '-r', '15', '-b', '32768', '-e'],
  },
  { label: 'LPC order 12 with precision search', bps: 20, kinds: ['mixed'], args: ['-l', '12', '-p'] },
  ...[3, 4, 5, 6, 7, 8].map((c) => ({
    label: `${c} channels`,
    bps: 16,
    kinds: Array.from({ length: c }, (_, i) => (['speech', 'noise', 'mixed', 'wasted'] as const)[i % 4]),
    n: 9000,
    args: ['-5'],
  })),
  { label: 'sample rate 12345 Hz', bps: 16, rate: 12345, kinds: ['speech'], args: ['-5'] },
  { label: 'sample rate 96 kHz', bps: 24, rate: 96000, kinds: ['speech', 'speech'], args: ['-5'] },
  { label: 'sample rate 100 kHz', bps: 16, rate: 100000, kinds: ['speech'], args: ['--lax'] },
  { label: 'one sample', bps: 16, kinds: ['speech'], n: 1, args: [] },
  { label: '15 samples', bps: 16, kinds: ['speech'], n: 15, args: [] },
  { label: 'short last frame', bps: 16, kinds: ['speech'], n: 4096 * 3 + 139, args: [] },
];

describe('FLAC decoder vs flac -d', { skip: noCli }, () => {
  test('WebAssembly frame decoder is in use', { skip: process.env.EMOVOX_FLAC === 'js' }, () => {
    assert.ok(flacKernelAvailable());
  });

  test('streams from the flac encoder decode bit-exactly (every header, subframe and stereo feature occurs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emovox-flac-cases-'));
    const assignments = new Set<number>();
    const subframes = new Set<string>();
    const bitDepths = new Set<number>();
    try {
      for (const [index, c] of CLI_CASES.entries()) {
        const n = c.n ?? 20000;
        const rate = c.rate ?? 16000;
        const channels = c.kinds.map((kind, i) => signal(kind, n, c.bps, 1000 * index + i + 1));
        const wavPath = join(dir, `in${index}.wav`);
        const flacPath = join(dir, `in${index}.flac`);
        writeFileSync(wavPath, extensibleWav(channels, rate, c.bps));
        const enc = spawnSync('flac', ['-s', '-f', ...c.args, '-o', flacPath, wavPath], { encoding: 'utf8' });
        assert.equal(enc.status, 0, `${c.label}: flac ${c.args.join(' ')}: ${enc.stderr}`);
        const bytes = new Uint8Array(readFileSync(flacPath));
        const ours = await decodeFlac(bytes, flacPath);
        assert.equal(ours.bitDepth, c.bps, c.label);
        assert.equal(ours.sampleRate, rate, c.label);
        const ref = reference(flacPath, dir);
        assertSameChannels(ours.channels, ref, c.label);
        // and the reference is the input itself (lossless)
        const scale = 2 ** (c.bps - 1);
        for (let ch = 0; ch < channels.length; ch++) {
          for (let i = 0; i < n; i += 97)
            assert.equal(ours.channels[ch][i] * scale, channels[ch][i], c.label);
        }
        const seen = frameFeatures(bytes);
        for (const a of seen.assignments) assignments.add(a);
        for (const s of seen.subframes) subframes.add(s);
        bitDepths.add(c.bps);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // independent 1..8 channels (codes 0..7), left/side 8, right/side 9, mid/side 10
    for (const a of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      assert.ok(assignments.has(a), `channel assignment ${a}`);
    for (const s of ['constant', 'verbatim', 'fixed', 'lpc', 'lpc order > 12', 'wasted bits'])
      assert.ok(subframes.has(s), `subframe feature: ${s}`);
    assert.deepEqual(
      [...bitDepths].sort((a, b) => a - b),
      [8, 12, 16, 20, 24],
    );
  });
});

describe('FLAC features libFLAC does not write (hand-made streams)', { skip: noCli }, () => {
  const cases: Array<{
    label: string;
    bps: number;
    kinds: SignalKind[];
    blocks: number[];
    variable: boolean;
    frames: FrameCoding[];
  }> = [
    {
      label: 'mono 16-bit, variable block sizes, escaped partitions, both Rice widths, wasted bits',
      bps: 16,
      kinds: ['mixed'],
      blocks: [100, 37, 4096, 1, 250, 1024, 2048],
      variable: true,
      frames: [
        { assignment: 0, subframes: [{ type: 'verbatim' }] },
        { assignment: 0, subframes: [{ type: 'fixed', order: 1, partitions: [{ escape: 17 }] }] },
        {
          assignment: 0,
          subframes: [
            {
              type: 'fixed',
              order: 2,
              method: 1,
              // silence, a DC step, DC, the start of full-scale noise
              partitions: [{ escape: 0 }, { rice: 20 }, { rice: 0 }, { escape: 18 }],
            },
          ],
        },
        { assignment: 0, subframes: [{ type: 'constant' }] },
        {
          assignment: 0,
          subframes: [
            {
              type: 'lpc',
              order: 3,
              coefs: [3, -2, 1],
              precision: 4,
              shift: 1,
              partitions: [{ escape: 20 }],
            },
          ],
        },
        {
          assignment: 0,
          subframes: [
            {
              type: 'lpc',
              order: 2,
              coefs: [1900, -950],
              precision: 12,
              shift: 10,
              wasted: 3,
              partitions: [{ rice: 12 }, { rice: 9 }],
            },
          ],
        },
        {
          assignment: 0,
          subframes: [{ type: 'fixed', order: 4, method: 1, partitions: [{ rice: 25 }, { escape: 31 }] }],
        },
      ],
    },
    {
      label:
        'stereo 24-bit, every decorrelation, escaped side channel, LPC order 32 with 15-bit coefficients',
      bps: 24,
      kinds: ['speech', 'mixed'],
      blocks: [4096, 4096, 4096, 4096, 1000],
      variable: false,
      frames: [
        {
          assignment: 8,
          subframes: [
            { type: 'fixed', order: 2, method: 1, partitions: [{ rice: 18 }] },
            { type: 'verbatim' },
          ],
        },
        {
          assignment: 9,
          subframes: [
            { type: 'fixed', order: 0, method: 1, partitions: [{ escape: 25 }, { rice: 22 }] },
            {
              type: 'lpc',
              order: 32,
              coefs: Array.from({ length: 32 }, (_, j) => (j % 2 ? -1 : 1) * (16383 - 500 * j)),
              precision: 15,
              shift: 15,
              method: 1,
              partitions: [{ escape: 31 }],
            },
          ],
        },
        {
          assignment: 10,
          subframes: [
            {
              type: 'lpc',
              order: 1,
              coefs: [-16384],
              precision: 15,
              shift: 14,
              method: 1,
              partitions: [{ rice: 30 }],
            },
            { type: 'fixed', order: 3, method: 1, partitions: [{ escape: 29 }] },
          ],
        },
        { assignment: 1, subframes: [{ type: 'constant' }, { type: 'verbatim', wasted: 0 }] },
      ],
    },
  ];

  for (const c of cases) {
    test(c.label, async () => {
      const n = c.blocks.reduce((a, b) => a + b, 0);
      let channels = c.kinds.map((kind, i) => signal(kind, n, c.bps, 77 + i));
      // wasted-bits frames: make those samples multiples of 2^wasted
      let start = 0;
      for (const [f, size] of c.blocks.entries()) {
        const coding = c.frames[f % c.frames.length];
        coding.subframes.forEach((s, ch) => {
          if (coding.assignment === 0 && s.type === 'constant')
            channels[ch].fill(channels[ch][start], start, start + size);
          const wasted = s.wasted ?? 0;
          for (let i = start; i < start + size && wasted > 0; i++)
            channels[ch][i] = Math.round(channels[ch][i] / 2 ** wasted) * 2 ** wasted;
        });
        if (coding.assignment === 1 && coding.subframes[0].type === 'constant')
          channels[0].fill(channels[0][start], start, start + size);
        start += size;
      }
      channels = channels.map((ch) => ch.slice());
      const bytes = writeFlac(channels, 16000, c.bps, c.blocks, c.frames, c.variable);
      const dir = mkdtempSync(join(tmpdir(), 'emovox-flac-made-'));
      try {
        const path = join(dir, 'made.flac');
        if (process.env.DUMP_FLAC) writeFileSync(process.env.DUMP_FLAC + c.bps + '.flac', bytes);
        writeFileSync(path, bytes);
        const ref = reference(path, dir);
        const ours = await decodeFlac(bytes, path);
        assertSameChannels(ours.channels, ref, c.label);
        const scale = 2 ** (c.bps - 1);
        for (let ch = 0; ch < channels.length; ch++)
          for (let i = 0; i < n; i++)
            assert.equal(ours.channels[ch][i] * scale, channels[ch][i], `${c.label} ${ch}:${i}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('FLAC decoder: damaged streams', { skip: noCli }, () => {
  const n = 3 * 4096 + 500;
  const x = signal('speech', n, 16, 5);
  const frames: FrameCoding[] = [
    { assignment: 0, subframes: [{ type: 'fixed', order: 2, partitions: [{ rice: 9 }] }] },
  ];
  const bytes = writeFlac([x], 16000, 16, [4096, 4096, 4096, 500], frames, false);

  test('every cut gives an EmovoxInputError, or (at a frame boundary) exactly the whole frames before it', async () => {
    const full = (await decodeFlac(bytes, 'full')).channels[0];
    assert.equal(full.length, n);
    let errors = 0;
    for (let cut = 42; cut < bytes.length; cut += cut < 200 ? 1 : 37) {
      try {
        const part = (await decodeFlac(bytes.subarray(0, cut), 'cut')).channels[0];
        assert.ok(part.length < n && part.length % 4096 === 0, `cut ${cut}: ${part.length} samples`);
        assert.deepEqual(part, full.subarray(0, part.length));
      } catch (error) {
        if (!(error instanceof EmovoxInputError)) throw error;
        assert.match(error.problem, /FLAC/);
        errors++;
      }
    }
    assert.ok(errors > 100);
  });

  test('one flipped bit anywhere in the audio frames is always an error naming the frame', async () => {
    for (let at = 42; at < bytes.length; at += 13) {
      const bad = Uint8Array.from(bytes);
      bad[at] ^= 1 << (at % 8);
      await assert.rejects(decodeFlac(bad, 'flipped.flac'), (error: unknown) => {
        assert.ok(error instanceof EmovoxInputError, String(error));
        assert.equal(error.source, 'flipped.flac');
        assert.match(error.problem, /no frame header at byte \d+|frame \d+ at byte \d+/);
        return true;
      });
    }
  });

  test('a frame with a valid CRC whose samples exceed the bit depth is rejected (as libFLAC does)', async () => {
    // An escaped partition of zero-width values where the true residual is not zero makes the
    // fixed predictor run away; the writer's CRC is still right.
    const ramp = Int32Array.from({ length: 4096 }, (_, i) => Math.min(i, 2100) * 15 - 16000);
    const broken = writeFlac(
      [ramp],
      16000,
      16,
      [4096],
      [{ assignment: 0, subframes: [{ type: 'fixed', order: 2, partitions: [{ rice: 5 }, { escape: 0 }] }] }],
      false,
    );
    await assert.rejects(
      decodeFlac(broken, 'range.flac'),
      /corrupt FLAC: frame 0 at byte 42: decoded samples exceed the stream's bit depth/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'emovox-flac-range-'));
    try {
      writeFileSync(join(dir, 'range.flac'), broken);
      const run = spawnSync('flac', ['-d', '-s', '-f', '-o', join(dir, 'r.wav'), join(dir, 'range.flac')], {
        encoding: 'utf8',
      });
      assert.notEqual(run.status, 0, 'libFLAC rejects it too');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('STREAMINFO totals of 0 (unknown) or far beyond the bytes: the output grows as frames decode', async () => {
    // 3 channels, 200000 samples: more than the first allocation, so the channels move apart
    const m = 200000;
    const three = [signal('speech', m, 16, 1), signal('mixed', m, 16, 2), signal('wasted', m, 16, 3)];
    const sizes = Array.from({ length: Math.ceil(m / 4096) }, (_, i) => Math.min(4096, m - 4096 * i));
    const coding: FrameCoding = {
      assignment: 2,
      subframes: [0, 1, 2].map(() => ({ type: 'fixed' as const, order: 2, partitions: [{ rice: 10 }] })),
    };
    const known = writeFlac(three, 16000, 16, sizes, [coding], false);
    const unknown = Uint8Array.from(known);
    unknown[21] &= 0xf0; // STREAMINFO total samples (36 bits at bytes 21-25) := 0
    unknown.fill(0, 22, 26);
    const a = await decodeFlac(known, 'known');
    const b = await decodeFlac(unknown, 'unknown');
    assertSameChannels(b.channels, a.channels, 'total 0');
    for (let c = 0; c < 3; c++) assert.equal(a.channels[c][m - 1] * 32768, three[c][m - 1]);
    // a claim of 2^36 - 1 samples for a stream of 10 constant blocks
    const quiet = new Int32Array(40960).fill(5);
    const liar = writeFlac(
      [quiet],
      16000,
      16,
      new Array(10).fill(4096),
      [{ assignment: 0, subframes: [{ type: 'constant' }] }],
      false,
    );
    liar[21] |= 0x0f;
    liar.fill(0xff, 22, 26);
    const before = process.memoryUsage().rss;
    assert.equal((await decodeFlac(liar, 'liar')).channels[0].length, 40960);
    assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, 'no allocation from the header claim');
  });

  test('the libFLAC (wasm) fallback gives the same samples', async () => {
    for (const name of ['sine440_s16.flac', 'stereo_s16.flac']) {
      const file = new Uint8Array(readFileSync(join('test', 'fixtures', 'audio', name)));
      const ours = await decodeFlac(file, name);
      const lib = await decodeFlacLibrary(file, name);
      assertSameChannels(ours.channels, lib.channels, name);
    }
  });
});

test('the committed flac-kernel.wasm.ts is the build of flac-kernel.as.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-wasm-test-'));
  try {
    execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--out-dir', dir, '--only', 'flac-kernel'], {
      stdio: 'pipe',
    });
    const committed = readFileSync('src/audio/wasm/flac-kernel.wasm.ts', 'utf8');
    const built = readFileSync(join(dir, 'flac-kernel.wasm.ts'), 'utf8');
    assert.equal(built, committed, 'run npm run build:wasm and commit the result');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
