// Audio file bytes -> mono samples in the browser. WAV, AIFF, FLAC, MP3 and Ogg Vorbis/Opus go
// through the decoders `loadAudio` uses in Node (emovox's own parsers, and the same wasm
// decoders, loaded on first use), so the samples are the ones Node reads from the same file;
// anything else (M4A, WebM...; Node hands those to ffmpeg) goes to the browser's
// `decodeAudioData`.
import { parseAiff } from '../audio/aiff.js';
import { memoryByteSource } from '../audio/byte-source.js';
import { decodeMp3, decodeOgg, oggCodec } from '../audio/compressed.js';
import { detectContainer, id3v2Length } from '../audio/detect.js';
import { decodeFlac, parseFlacStreamInfo } from '../audio/flac.js';
import { decodePcmFrames, type PcmLayout } from '../audio/pcm.js';
import { parseWav, UnsupportedWavCodec } from '../audio/wav.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';

/** Decoded audio: mono samples at the file's own rate (or the browser's decoding rate). */
export interface DecodedAudio {
  /** Mono samples in [-1, 1]: the mean of the channels, as `loadAudio` mixes them. */
  samples: Float32Array;
  /** Hz. */
  sampleRate: number;
  /** Channels in the file. */
  channels: number;
  /** `emovox` (the decoders Node uses, identical results) or `browser` (decodeAudioData). */
  decoder: 'emovox' | 'browser';
  /** Container detected from the bytes (`unknown` for what went to the browser's decoder). */
  container: string;
  /** Non-fatal problems, as Node's `loadAudio` reports them (a cut-off end read as far as it goes). */
  warnings: string[];
}

/** Options of {@link decodeAudioBytes}. */
export interface DecodeOptions {
  /** Name used in errors (the file name). */
  name?: string;
  /** Refuse audio longer than this, seconds (checked from the header before decoding where possible). */
  maxDuration?: number;
  /**
   * Rate (Hz) the browser's decoder resamples formats emovox does not decode itself to
   * (default 48000; `decodeAudioData` always resamples to its context's rate).
   */
  browserRate?: number;
  /**
   * Decoder of the formats emovox does not decode itself (default: the browser's
   * `decodeAudioData` at `browserRate`). Web workers have no Web Audio: pass one that asks the
   * page to decode. It returns the channels at their rate and throws for undecodable bytes.
   */
  otherDecoder?: (
    bytes: Uint8Array,
    name: string,
  ) => Promise<{ channels: Float32Array[]; sampleRate: number }>;
}

/** Mean of the channels, the same arithmetic as Node's `toMono` (src/audio/load.ts). */
function mono(channels: Float32Array[]): Float32Array {
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

function checkLength(name: string, frames: number, rate: number, maxDuration: number | undefined): void {
  if (maxDuration !== undefined && frames / rate > maxDuration)
    throw new EmovoxInputError(
      name,
      `${(frames / rate).toFixed(1)} s of audio is longer than the limit of ${maxDuration} s`,
    );
}

function checkFinite(name: string, channels: Float32Array[]): void {
  for (const ch of channels)
    for (let i = 0; i < ch.length; i++)
      if (!Number.isFinite(ch[i])) throw new EmovoxInputError(name, `sample ${i} is not finite`);
}

/** The browser's `decodeAudioData` through an OfflineAudioContext at `rate` Hz. */
async function webAudioDecode(
  bytes: Uint8Array,
  name: string,
  rate: number,
): Promise<{ channels: Float32Array[]; sampleRate: number }> {
  const Ctx = globalThis.OfflineAudioContext;
  if (typeof Ctx !== 'function')
    throw new EmovoxInputError(
      name,
      'not WAV, AIFF, FLAC, MP3 or Ogg Vorbis/Opus, and this environment has no Web Audio decoder',
    );
  let buffer: AudioBuffer;
  try {
    // decodeAudioData detaches the buffer it gets: hand it a copy.
    buffer = await new Ctx(1, 1, rate).decodeAudioData(bytes.slice().buffer);
  } catch (error) {
    throw new EmovoxInputError(name, `not audio this browser can decode (${errorMessage(error)})`);
  }
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) =>
    buffer.getChannelData(c).slice(),
  );
  return { channels, sampleRate: buffer.sampleRate };
}

async function browserDecode(bytes: Uint8Array, name: string, options: DecodeOptions): Promise<DecodedAudio> {
  const decoded = options.otherDecoder
    ? await options.otherDecoder(bytes, name)
    : await webAudioDecode(bytes, name, options.browserRate ?? 48000);
  const frames = decoded.channels[0]?.length ?? 0;
  if (frames === 0) throw new EmovoxInputError(name, 'no audio in the file');
  checkLength(name, frames, decoded.sampleRate, options.maxDuration);
  checkFinite(name, decoded.channels);
  return {
    samples: mono(decoded.channels),
    sampleRate: decoded.sampleRate,
    channels: decoded.channels.length,
    decoder: 'browser',
    container: 'unknown',
    warnings: [],
  };
}

/**
 * Decodes an audio file's bytes to mono.
 * @param bytes - the file's contents.
 * @throws EmovoxInputError(name, problem) for empty, corrupt, too long or undecodable input.
 */
export async function decodeAudioBytes(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<DecodedAudio> {
  const name = options.name ?? '<file>';
  if (bytes.length === 0) throw new EmovoxInputError(name, 'empty file');
  const src = memoryByteSource(bytes, name);
  const start = id3v2Length(bytes.subarray(0, 64));
  const container = detectContainer(bytes.subarray(start, start + 64), start > 0);
  if (container === 'wav' || container === 'rf64' || container === 'aiff') {
    let layout: PcmLayout;
    try {
      layout = container === 'aiff' ? parseAiff(src) : parseWav(src);
    } catch (error) {
      if (error instanceof UnsupportedWavCodec) return browserDecode(bytes, name, options);
      throw error;
    }
    checkLength(name, layout.frames, layout.sampleRate, options.maxDuration);
    const channels = decodePcmFrames(src, layout, 0, layout.frames);
    checkFinite(name, channels);
    return {
      samples: mono(channels),
      sampleRate: layout.sampleRate,
      channels: layout.channels,
      decoder: 'emovox',
      container,
      warnings: [],
    };
  }
  if (container === 'flac') {
    const info = parseFlacStreamInfo(src, start);
    checkLength(name, info.totalFrames, info.sampleRate, options.maxDuration);
    const decoded = await decodeFlac(bytes.subarray(start), name);
    return {
      samples: mono(decoded.channels),
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      decoder: 'emovox',
      container,
      warnings: [],
    };
  }
  const oggOther =
    container === 'ogg' && !['vorbis', 'opus'].includes(oggCodec(bytes.subarray(start, start + 128)));
  if (container === 'mp3' || (container === 'ogg' && !oggOther)) {
    const rest = bytes.subarray(start);
    const limits = { maxDuration: options.maxDuration };
    const decoded =
      container === 'mp3' ? await decodeMp3(rest, name, limits) : await decodeOgg(rest, name, limits);
    checkFinite(name, decoded.channels);
    return {
      samples: mono(decoded.channels),
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      decoder: 'emovox',
      container,
      warnings: decoded.warnings,
    };
  }
  return browserDecode(bytes, name, options);
}
