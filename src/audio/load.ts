import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { openSource, type AudioSource, type ByteSource } from './bytes.js';
import {
  detectContainer,
  id3v2Length,
  isMpegFrameHeader,
  mpegFrameLength,
  type ContainerFormat,
} from './detect.js';
import { parseAiff } from './aiff.js';
import { decodeMp3, decodeOgg, mp3Scan, oggCodec, oggLength, tooLong } from './compressed.js';
import { decodeWithFfmpeg } from './ffmpeg.js';
import { decodeFlac, parseFlacStreamInfo } from './flac.js';
import { decodePcmFrames, validateStream, type PcmLayout } from './pcm.js';
import { resample, type ResampleQuality } from './resample.js';
import { parseWav, UnsupportedWavCodec } from './wav.js';

/** Container names reported by {@link readAudioInfo}; `other` = decoded through ffmpeg. */
export type AudioFormat = 'wav' | 'rf64' | 'aiff' | 'aifc' | 'flac' | 'mp3' | 'ogg' | 'other';

/** What {@link readAudioInfo} reports about an audio input. */
export interface AudioInfo {
  /** Container, detected from the bytes (never the file extension). */
  format: AudioFormat;
  /** Sample coding, e.g. `pcm_s16le`, `pcm_f32le`, `flac`, `mp3`, `vorbis`, `opus` (absent for `other`). */
  codec?: string;
  /** Native sample rate in Hz. */
  sampleRate: number;
  channels: number;
  /** Samples per channel. */
  frames: number;
  /** frames / sampleRate, in seconds. */
  durationS: number;
  /** Bits per sample of the source (PCM and FLAC only). */
  bitDepth?: number;
  /** Non-fatal problems (e.g. a size field that overstates the file and was clamped). */
  warnings: string[];
}

/** Options shared by {@link loadAudio} and {@link readAudioInfo}. */
export interface AudioReadOptions {
  /**
   * When true, a header that overstates the data present (truncated file) is an error; by default
   * the whole frames present are read and a warning is returned.
   */
  strict?: boolean;
  /** Name used in error messages for Buffer / stream sources (default `<buffer>` / `<stream>`). */
  name?: string;
  /**
   * Longest audio decoded, in seconds; default: no limit. Checked from the container before any
   * sample is decoded (PCM/FLAC headers, Ogg granule positions, MP3 frame headers; ffmpeg is told
   * to stop there), so a multi-hour file costs milliseconds, not minutes and gigabytes. For WAV
   * and AIFF only the frames actually read (after `offset` / `duration`) count. `readAudioInfo`
   * never refuses: for an MP3 or ffmpeg input longer than the limit it reports the length from
   * the frame headers (or ffmpeg) without decoding, with a warning.
   */
  maxDuration?: number;
}

/** Options of {@link loadAudio}; librosa.load's, except that `sr` defaults to the native rate. */
export interface LoadAudioOptions extends AudioReadOptions {
  /** Target sample rate in Hz; resampled (band-limited, {@link resample}) when it differs. Default: native. */
  sr?: number;
  /** Mix down to one channel by the mean of the channels (librosa.to_mono). Default true. */
  mono?: boolean;
  /** Start reading this many seconds in (native-rate frame floor(offset * sr_native)). Default 0. */
  offset?: number;
  /** Read at most this many seconds (floor(duration * sr_native) frames); clamped at the end. Default: to the end. */
  duration?: number;
  /** Resampler quality when `sr` differs from the native rate. Default 'high'. */
  resampleQuality?: ResampleQuality;
}

/** Loaded audio: mono -> one Float32Array; `mono: false` -> one Float32Array per channel. */
export interface LoadedAudio<S extends Float32Array | Float32Array[] = Float32Array | Float32Array[]> {
  samples: S;
  /** Sample rate of `samples` in Hz. */
  sampleRate: number;
  /** Non-fatal problems found while reading (see {@link AudioReadOptions.strict}). */
  warnings: string[];
}

interface Probed {
  container: ContainerFormat;
  /** Byte offset where the container starts (after an ID3v2 tag). */
  start: number;
}

function probe(src: ByteSource): Probed {
  if (src.size === 0) throw new EmovoxInputError(src.name, 'empty file');
  let head = src.read(0, 64);
  const start = id3v2Length(head);
  if (start > 0) {
    if (start >= src.size)
      throw new EmovoxInputError(src.name, 'truncated file: ID3 tag but no audio after it');
    head = src.read(start, 64);
  }
  const container = detectContainer(head, start > 0);
  if (container === 'unknown' && (start > 0 || head[0] === 0)) {
    // MP3 after an ID3 tag (or zero padding) need not start right away: look for two
    // consecutive frame headers in the next 64 KB.
    const window = src.read(start, 65536);
    for (let i = 0; i + 4 < window.length; i++) {
      if (window[i] !== 0xff) {
        if (start === 0 && window[i] !== 0) break; // only zeros may precede it without a tag
        continue;
      }
      const next = mpegFrameLength(window, i);
      if (next > 0 && isMpegFrameHeader(window, i + next)) return { container: 'mp3', start: start + i };
    }
  }
  return { container, start };
}

function pcmLayout(src: ByteSource, container: ContainerFormat, strict: boolean): PcmLayout {
  return container === 'aiff' ? parseAiff(src, strict) : parseWav(src, strict);
}

function checkFinite(name: string, channels: Float32Array[]): void {
  for (let c = 0; c < channels.length; c++) {
    const ch = channels[c];
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i])) {
        throw new EmovoxInputError(name, `sample ${i} of channel ${c} is ${ch[i]} (NaN/Inf in audio data)`);
      }
    }
  }
}

interface Decoded {
  channels: Float32Array[];
  sampleRate: number;
  info: AudioInfo;
}

function infoOf(
  format: AudioFormat,
  codec: string | undefined,
  sampleRate: number,
  channels: number,
  frames: number,
  bitDepth: number | undefined,
  warnings: string[],
): AudioInfo {
  const info: AudioInfo = { format, sampleRate, channels, frames, durationS: frames / sampleRate, warnings };
  if (codec !== undefined) info.codec = codec;
  if (bitDepth !== undefined) info.bitDepth = bitDepth;
  return info;
}

function pcmInfo(layout: PcmLayout): AudioInfo {
  return infoOf(
    layout.format,
    layout.codec,
    layout.sampleRate,
    layout.channels,
    layout.frames,
    layout.bitDepth,
    layout.warnings,
  );
}

/**
 * Decodes `src`; for PCM containers only frames `[first, first + count)` are read from disk
 * (`range` in native frames, resolved by `pick` once the native rate is known).
 */
async function decodeSource(
  src: ByteSource,
  path: string | null,
  strict: boolean,
  pick: (sampleRate: number, frames: number) => [number, number],
  maxDuration?: number,
): Promise<Decoded> {
  const { container, start } = probe(src);
  const name = src.name;
  if (container === 'wav' || container === 'rf64' || container === 'aiff') {
    let layout: PcmLayout | undefined;
    try {
      layout = pcmLayout(src, container, strict);
    } catch (error) {
      if (!(error instanceof UnsupportedWavCodec)) throw error;
      const decoded = await decodeWithFfmpeg(name, path, path ? null : src.readAll(), maxDuration).catch(
        (ffError: unknown) => {
          throw ffError instanceof EmovoxInputError && ffError.problem.includes('ffmpeg would be needed')
            ? new EmovoxInputError(
                name,
                `${error.problem}; ffmpeg would be needed to decode it but was not found on PATH`,
              )
            : ffError;
        },
      );
      return wholeDecoded(
        decoded.channels,
        decoded.sampleRate,
        'wav',
        undefined,
        undefined,
        [],
        pick,
        name,
        maxDuration,
      );
    }
    const [first, count] = pick(layout.sampleRate, layout.frames);
    if (maxDuration !== undefined && count / layout.sampleRate > maxDuration) {
      throw new EmovoxInputError(name, tooLong(count / layout.sampleRate, maxDuration));
    }
    const channels = decodePcmFrames(src, layout, first, count);
    if (layout.encoding === 'float') checkFinite(name, channels);
    return { channels, sampleRate: layout.sampleRate, info: pcmInfo(layout) };
  }
  if (container === 'flac') {
    const stream = parseFlacStreamInfo(src, start);
    if (maxDuration !== undefined && stream.totalFrames / stream.sampleRate > maxDuration) {
      throw new EmovoxInputError(name, tooLong(stream.totalFrames / stream.sampleRate, maxDuration));
    }
    const bytes = src.readAll().subarray(start);
    const decoded = await decodeFlac(bytes, name);
    const frames = decoded.channels[0].length;
    if (stream.totalFrames > 0 && frames !== stream.totalFrames) {
      // The wasm decoder skips frames that fail their CRC, so a shortfall may be a hole in the
      // middle (shifting everything after it), not just a cut end: always an error.
      throw new EmovoxInputError(
        name,
        `corrupt or truncated FLAC: STREAMINFO declares ${stream.totalFrames} samples but ${frames} decoded`,
      );
    }
    return wholeDecoded(
      decoded.channels,
      decoded.sampleRate,
      'flac',
      'flac',
      decoded.bitDepth,
      [],
      pick,
      name,
      maxDuration,
    );
  }
  const oggOther = container === 'ogg' && !['vorbis', 'opus'].includes(oggCodec(src.read(start, 128)));
  if (container === 'mp3' || (container === 'ogg' && !oggOther)) {
    const bytes = src.readAll().subarray(start);
    const options = { strict, maxDuration };
    const decoded =
      container === 'mp3' ? await decodeMp3(bytes, name, options) : await decodeOgg(bytes, name, options);
    return wholeDecoded(
      decoded.channels,
      decoded.sampleRate,
      container,
      decoded.codec,
      undefined,
      decoded.warnings,
      pick,
      name,
    );
  }
  if (src.size < 12) throw new EmovoxInputError(name, `not audio: only ${src.size} bytes`);
  const decoded = await decodeWithFfmpeg(name, path, path ? null : src.readAll(), maxDuration);
  const format = oggOther ? 'ogg' : 'other';
  return wholeDecoded(
    decoded.channels,
    decoded.sampleRate,
    format,
    undefined,
    undefined,
    [],
    pick,
    name,
    maxDuration,
  );
}

function wholeDecoded(
  all: Float32Array[],
  sampleRate: number,
  format: AudioFormat,
  codec: string | undefined,
  bitDepth: number | undefined,
  warnings: string[],
  pick: (sampleRate: number, frames: number) => [number, number],
  name: string,
  maxDuration?: number,
): Decoded {
  validateStream(name, sampleRate, all.length);
  const frames = all[0].length;
  if (maxDuration !== undefined && frames / sampleRate > maxDuration) {
    throw new EmovoxInputError(name, tooLong(frames / sampleRate, maxDuration));
  }
  // FLAC samples are integers scaled by 2^-(b-1): always finite, no need to look.
  if (format !== 'flac') checkFinite(name, all);
  const [first, count] = pick(sampleRate, frames);
  const channels = all.map((ch) => ch.subarray(first, first + count));
  return {
    channels,
    sampleRate,
    info: infoOf(format, codec, sampleRate, all.length, frames, bitDepth, warnings),
  };
}

/**
 * Reads format, sample rate, channels and length of an audio input, reading as little as
 * possible: WAV/RF64/AIFF headers and FLAC STREAMINFO only (a few hundred bytes); Ogg
 * Vorbis/Opus from their pages' granule positions (exact; nothing decoded); MP3 and ffmpeg
 * formats are decoded to count their samples exactly. The container is detected from the bytes,
 * not the extension. Only regular files are read (a FIFO or device is refused unopened).
 *
 * @param source - file path, bytes, or a Readable stream (read to its end).
 * @param options - `strict` (default false) turns clamped size fields and cut-off streams into
 *   errors; `name` labels non-path sources; `maxDuration` (seconds, default none): an MP3 longer
 *   than it is not decoded (length from its frame headers, with a warning), an ffmpeg input
 *   longer than it is an error.
 * @throws EmovoxInputError naming the source and the problem (empty, truncated, not audio, absurd header...).
 */
export async function readAudioInfo(source: AudioSource, options: AudioReadOptions = {}): Promise<AudioInfo> {
  const src = await openSource(source, options.name);
  try {
    const { container, start } = probe(src);
    if (container === 'wav' || container === 'rf64' || container === 'aiff') {
      try {
        return pcmInfo(pcmLayout(src, container, options.strict ?? false));
      } catch (error) {
        if (!(error instanceof UnsupportedWavCodec)) throw error;
      }
    } else if (container === 'flac') {
      const s = parseFlacStreamInfo(src, start);
      if (s.totalFrames > 0)
        return infoOf('flac', 'flac', s.sampleRate, s.channels, s.totalFrames, s.bitDepth, []);
    } else if (container === 'ogg' && ['vorbis', 'opus'].includes(oggCodec(src.read(start, 128)))) {
      // Exact from the pages' granule positions; nothing decoded.
      const o = oggLength(src.readAll().subarray(start), src.name, options.strict ?? false);
      return infoOf('ogg', o.codec, o.sampleRate, o.channels, o.frames, undefined, o.warnings);
    } else if (container === 'mp3' && options.maxDuration !== undefined) {
      const scan = mp3Scan(src.readAll().subarray(start));
      if (scan.durationS > options.maxDuration) {
        const frames = Math.round(scan.durationS * scan.sampleRate);
        const warning = `length estimated from ${scan.frames} frame headers (longer than maxDuration ${options.maxDuration} s, so not decoded)`;
        return infoOf('mp3', 'mp3', scan.sampleRate, scan.channels, frames, undefined, [warning]);
      }
    }
    const path = typeof source === 'string' ? source : null;
    const decoded = await decodeSource(
      src,
      path,
      options.strict ?? false,
      (_sr, frames) => [0, frames],
      options.maxDuration,
    );
    return decoded.info;
  } finally {
    src.close();
  }
}

function checkSeconds(name: string, what: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new EmovoxInputError(name, `${what} must be a finite number of seconds >= 0, got ${value}`);
  }
}

/** Mean of the channels (librosa.to_mono). */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const n = channels[0].length;
  const out = new Float32Array(n);
  const scale = 1 / channels.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const ch of channels) sum += ch[i];
    out[i] = sum * scale;
  }
  return out;
}

/**
 * Loads audio as float32 in [-1, 1), like librosa.load but with **the native sample rate by
 * default** (librosa defaults to sr=22050; pass `sr: 22050` to match it).
 *
 * @param source - file path, bytes (Buffer/Uint8Array) or a Node Readable stream; no URLs.
 * @param options.sr - target rate in Hz (default: native; resampled with {@link resample} when different).
 * @param options.mono - mix down by the channel mean (default true).
 * @param options.offset - start time in seconds (default 0); beyond the end is an EmovoxInputError.
 * @param options.duration - seconds to read (default: all); clamped at the end of the file.
 * @returns `{ samples, sampleRate, warnings }`: samples is a Float32Array when mono, else one per channel.
 * @throws EmovoxInputError naming the source for empty, truncated (with `strict`), corrupt, non-audio,
 *   absurd-header or NaN/Inf inputs.
 */
export async function loadAudio(
  source: AudioSource,
  options?: LoadAudioOptions & { mono?: true },
): Promise<LoadedAudio<Float32Array>>;
export async function loadAudio(
  source: AudioSource,
  options: LoadAudioOptions & { mono: false },
): Promise<LoadedAudio<Float32Array[]>>;
export async function loadAudio(source: AudioSource, options?: LoadAudioOptions): Promise<LoadedAudio>;
export async function loadAudio(source: AudioSource, options: LoadAudioOptions = {}): Promise<LoadedAudio> {
  const { sr, mono = true, offset = 0, duration, strict = false, maxDuration } = options;
  const label = typeof source === 'string' ? source : (options.name ?? '<input>');
  checkSeconds(label, 'offset', offset);
  checkSeconds(label, 'duration', duration);
  if (maxDuration !== undefined && !(maxDuration > 0)) {
    throw new EmovoxParameterError('maxDuration', `must be a number of seconds > 0, got ${maxDuration}`);
  }
  if (sr !== undefined && (!Number.isFinite(sr) || sr <= 0 || sr > 1_000_000)) {
    throw new EmovoxInputError(label, `target sample rate sr=${sr} Hz is not valid`);
  }
  const src = await openSource(source, options.name);
  try {
    const path = typeof source === 'string' ? source : null;
    const decoded = await decodeSource(
      src,
      path,
      strict,
      (rate, frames) => {
        const first = Math.floor(offset * rate);
        if (first > frames || (first === frames && offset > 0)) {
          throw new EmovoxInputError(
            src.name,
            `offset ${offset} s is beyond the end of the audio (${(frames / rate).toFixed(3)} s)`,
          );
        }
        const count =
          duration === undefined ? frames - first : Math.min(Math.floor(duration * rate), frames - first);
        return [first, count];
      },
      options.maxDuration,
    );
    let channels = decoded.channels;
    let rate = decoded.sampleRate;
    if (mono) channels = [toMono(channels)];
    if (sr !== undefined && sr !== rate) {
      const quality = options.resampleQuality ?? 'high';
      channels = channels.map((ch) => resample(ch, rate, sr, { quality }));
      rate = sr;
    } else {
      // Never hand out views into a decoder's or a caller's buffer.
      channels = channels.map((ch) =>
        ch.byteOffset === 0 && ch.length === ch.buffer.byteLength / 4 ? ch : ch.slice(),
      );
    }
    return { samples: mono ? channels[0] : channels, sampleRate: rate, warnings: decoded.info.warnings };
  } finally {
    src.close();
  }
}
