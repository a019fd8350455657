import { spawn, spawnSync } from 'node:child_process';
import { EmovoxInputError } from '../util/errors.js';
import { memoryByteSource } from './bytes.js';
import { decodePcmFrames } from './pcm.js';
import { parseWav } from './wav.js';

let cachedFfmpeg: string | null | undefined;

/**
 * The ffmpeg executable to use, or null when none is available. `$EMOVOX_FFMPEG` overrides the
 * lookup (a path, or `none` to disable ffmpeg); otherwise `ffmpeg` on PATH.
 */
export function ffmpegPath(): string | null {
  const override = process.env.EMOVOX_FFMPEG;
  if (override !== undefined) return override === 'none' || override === '' ? null : override;
  if (cachedFfmpeg === undefined) {
    const probe = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    cachedFfmpeg = probe.status === 0 ? 'ffmpeg' : null;
  }
  return cachedFfmpeg;
}

/** Audio decoded by ffmpeg at its native rate. */
export interface FfmpegDecoded {
  channels: Float32Array[];
  sampleRate: number;
}

/**
 * Decodes any input ffmpeg understands (MP4/M4A/AAC, WebM, video files, ADPCM WAV...) to 32-bit
 * float at the native rate and channel count, through a WAV pipe that emovox's own parser reads.
 * `path` is used when given (ffmpeg can seek in files); else `bytes` are piped to stdin. With
 * `maxDuration` (seconds), ffmpeg stops a little past it and a longer input is refused, so its
 * full decode never has to fit in memory.
 */
export async function decodeWithFfmpeg(
  name: string,
  path: string | null,
  bytes: Uint8Array | null,
  maxDuration?: number,
): Promise<FfmpegDecoded> {
  const exe = ffmpegPath();
  if (!exe) {
    throw new EmovoxInputError(
      name,
      'unsupported audio format (not WAV, AIFF, FLAC, MP3, Ogg Vorbis/Opus); ffmpeg would be needed to decode it but was not found on PATH',
    );
  }
  const args = [
    '-nostdin',
    '-v',
    'error',
    '-i',
    path ?? 'pipe:0',
    '-vn',
    '-map',
    '0:a:0',
    '-f',
    'wav',
    '-c:a',
    'pcm_f32le',
    'pipe:1',
  ];
  if (!path) args.splice(0, 1);
  // Output option: stop writing one second past the limit (enough to know the input is longer).
  if (maxDuration !== undefined) args.splice(args.length - 1, 0, '-t', String(maxDuration + 1));
  const child = spawn(exe, args, { stdio: [path ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  if (!path && child.stdin) {
    child.stdin.on('error', () => {}); // ffmpeg may stop reading early on bad input; its exit code tells
    child.stdin.end(bytes);
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).catch((error: Error) => {
    throw new EmovoxInputError(name, `could not run ffmpeg: ${error.message}`, { cause: error });
  });
  const wav = Buffer.concat(out);
  if (code !== 0 || wav.length < 44) {
    const message = Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? '';
    throw new EmovoxInputError(name, `not decodable audio (ffmpeg: ${message || `exit code ${code}`})`);
  }
  const src = memoryByteSource(wav, name);
  const layout = parseWav(src); // a pipe cannot be rewound, so ffmpeg leaves the size fields as placeholders
  if (maxDuration !== undefined && layout.frames / layout.sampleRate > maxDuration) {
    throw new EmovoxInputError(
      name,
      `audio is longer than the limit of ${maxDuration} s (option maxDuration, CLI --max-duration); not decoded`,
    );
  }
  return { channels: decodePcmFrames(src, layout, 0, layout.frames), sampleRate: layout.sampleRate };
}
