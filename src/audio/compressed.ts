// The wasm decoders are imported on first use (await import below): together they cost about
// 100 ms to load in every process and worker, which most jobs (WAV, FLAC) never need.
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { isMpegFrameHeader } from './detect.js';
import { scanMpeg, type MpegScan } from './mpeg.js';
import { scanOgg, type OggScan } from './ogg.js';

/** Decoded compressed audio: one Float32Array per channel. */
export interface CompressedDecoded {
  channels: Float32Array[];
  sampleRate: number;
  codec: string;
  /** Non-fatal problems (a cut-off end read as far as it goes, junk bytes skipped). */
  warnings: string[];
}

/** Options of the compressed decoders. */
export interface CompressedOptions {
  /** A cut-off stream is an error instead of a warning. Default false. */
  strict?: boolean;
  /** Longest stream decoded, in seconds (checked from the container before decoding). Default: no limit. */
  maxDuration?: number;
}

interface DecodeResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

/**
 * Runs a synchronous decoder call with console.error / console.warn captured: the wasm
 * decoders print messages that name no file ("libopus -4 OPUS_INVALID_PACKET"); emovox reports
 * problems itself, naming the file. Synchronous on purpose, so no other code's messages can be
 * swallowed while the console is redirected.
 */
export function quietly<T>(call: () => T): { value: T; messages: string[] } {
  const messages: string[] = [];
  const { error, warn } = console;
  const capture = (...args: unknown[]) => {
    messages.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  console.error = capture;
  console.warn = capture;
  try {
    return { value: call(), messages };
  } finally {
    console.error = error;
    console.warn = warn;
  }
}

function truncated(
  name: string,
  what: string,
  why: string,
  seconds: number,
  strict: boolean,
  warnings: string[],
): void {
  if (strict) throw new EmovoxInputError(name, `truncated ${what}: ${why}`);
  warnings.push(`truncated ${what}: ${why}; read the ${seconds.toFixed(3)} s present`);
}

function checkDuration(name: string, seconds: number, maxDuration: number | undefined): void {
  if (maxDuration !== undefined && seconds > maxDuration) {
    throw new EmovoxInputError(name, tooLong(seconds, maxDuration));
  }
}

/** The "too long" problem text shared by every format. */
export function tooLong(seconds: number, maxDuration: number): string {
  return `audio is ${seconds.toFixed(1)} s long, above the limit of ${maxDuration} s (option maxDuration, CLI --max-duration); not decoded`;
}

/** Scans an MP3 for its length and damage without decoding (see {@link scanMpeg}). */
export function mp3Scan(bytes: Uint8Array): MpegScan {
  return scanMpeg(bytes, 0);
}

/**
 * Decodes an MP3 (MPEG 1/2/2.5 layer I-III) with mpg123-decoder (gapless: encoder delay removed).
 * A cut-off last frame, or fewer frames than the Xing/Info header declares, is reported as a
 * truncation warning naming the file (an error with `strict`); non-MPEG bytes between frames and
 * isolated decode errors are warnings; many decode errors are an error.
 */
export async function decodeMp3(
  bytes: Uint8Array,
  name: string,
  options: CompressedOptions = {},
): Promise<CompressedDecoded> {
  const scan = mp3Scan(bytes);
  checkDuration(name, scan.durationS, options.maxDuration);
  const warnings: string[] = [];
  const decoder = new (await import('mpg123-decoder')).MPEGDecoder();
  try {
    await decoder.ready;
    const { value: result, messages } = quietly(() => decoder.decode(bytes) as DecodeResult);
    if (result.samplesDecoded === 0 || result.channelData.length === 0) {
      const why = result.errors[0]?.message ?? messages[0];
      throw new EmovoxInputError(name, `MP3 stream has no decodable audio${why ? ` (mpg123: ${why})` : ''}`);
    }
    const errors = result.errors.length;
    if (errors > 0 && errors * 10 > result.samplesDecoded / 1024) {
      throw new EmovoxInputError(
        name,
        `corrupt MP3: ${errors} decode errors (mpg123: ${result.errors[0].message})`,
      );
    }
    if (errors > 0) {
      warnings.push(
        `${errors} MP3 frame(s) could not be decoded and were skipped (mpg123: ${result.errors[0].message})`,
      );
    }
    const skipped = scan.junk.reduce((n, j) => n + j.length, 0);
    if (skipped > 0) {
      warnings.push(
        `skipped ${skipped} bytes of non-MPEG data between frames (first at byte ${scan.junk[0].at}; damaged file?)`,
      );
    }
    const seconds = result.samplesDecoded / result.sampleRate;
    if (scan.truncation) truncated(name, 'MP3', scan.truncation, seconds, options.strict ?? false, warnings);
    let channels = result.channelData.map((ch) => ch.subarray(0, result.samplesDecoded));
    // mpg123-decoder always returns two channels; a mono stream (channel mode 3) gives two copies.
    if (isMpegFrameHeader(bytes, 0) && bytes[3] >> 6 === 3) channels = channels.slice(0, 1);
    return { channels, sampleRate: result.sampleRate, codec: 'mp3', warnings };
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(name, `MP3 decoding failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    decoder.free();
  }
}

/** Codec carried by an Ogg stream, from its first packet. */
export function oggCodec(bytes: Uint8Array): 'vorbis' | 'opus' | 'flac' | 'unknown' {
  // First page: 27-byte header + segment table, then the first packet.
  if (bytes.length < 28) return 'unknown';
  const packet = 27 + bytes[26];
  const tag = new TextDecoder('latin1').decode(bytes.subarray(packet, packet + 8));
  if (tag.startsWith('\x01vorbis')) return 'vorbis';
  if (tag === 'OpusHead') return 'opus';
  if (tag.startsWith('\x7fFLAC')) return 'flac';
  return 'unknown';
}

const isOpusHead = (p: Uint8Array) =>
  p.length >= 19 && new TextDecoder('latin1').decode(p.subarray(0, 8)) === 'OpusHead';
const isVorbisId = (p: Uint8Array) =>
  p.length >= 30 && p[0] === 1 && new TextDecoder('latin1').decode(p.subarray(1, 7)) === 'vorbis';

/** Fields of an OpusHead packet (RFC 7845 section 5.1). */
interface OpusHead {
  channels: number;
  preSkip: number;
  streamCount: number;
  coupledStreamCount: number;
  mapping: number[];
}

function opusHead(p: Uint8Array, name: string): OpusHead {
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const channels = p[9];
  const preSkip = view.getUint16(10, true);
  const family = p[18];
  if (channels === 0) throw new EmovoxInputError(name, 'corrupt Ogg Opus: OpusHead declares 0 channels');
  if (family === 0) {
    if (channels > 2)
      throw new EmovoxInputError(name, `corrupt Ogg Opus: mapping family 0 with ${channels} channels`);
    return {
      channels,
      preSkip,
      streamCount: 1,
      coupledStreamCount: channels - 1,
      mapping: channels === 2 ? [0, 1] : [0],
    };
  }
  if (p.length < 21 + channels)
    throw new EmovoxInputError(name, 'corrupt Ogg Opus: OpusHead channel mapping cut off');
  return {
    channels,
    preSkip,
    streamCount: p[19],
    coupledStreamCount: p[20],
    mapping: Array.from(p.subarray(21, 21 + channels)),
  };
}

/** Samples per channel the pages say a stream holds (granule positions), without decoding. */
function declaredSamples(scan: OggScan, codec: 'opus' | 'vorbis', name: string): number {
  let total = 0;
  for (const stream of scan.streams) {
    if (stream.lastGranule < 0) continue;
    const preSkip = codec === 'opus' ? opusHead(stream.packets[0], name).preSkip : 0;
    total += Math.max(0, stream.lastGranule - preSkip);
  }
  return total;
}

/** Sample rate of an Ogg stream's first audio stream (Opus always decodes at 48 kHz). */
function oggRate(scan: OggScan, codec: 'opus' | 'vorbis'): number {
  if (codec === 'opus') return 48000;
  const id = scan.streams[0].packets[0];
  return new DataView(id.buffer, id.byteOffset, id.byteLength).getUint32(12, true);
}

/** Channels and exact length of an Ogg Vorbis/Opus file from its pages alone (no decoding). */
export interface OggLength {
  codec: 'vorbis' | 'opus';
  sampleRate: number;
  channels: number;
  frames: number;
  warnings: string[];
}

function scanned(bytes: Uint8Array, name: string): { codec: 'vorbis' | 'opus'; scan: OggScan } {
  const codec = oggCodec(bytes);
  if (codec !== 'vorbis' && codec !== 'opus') {
    throw new EmovoxInputError(name, `Ogg stream with ${codec} codec is not supported (Vorbis and Opus are)`);
  }
  const scan = scanOgg(
    bytes,
    name,
    codec === 'opus' ? 'Opus' : 'Vorbis',
    codec === 'opus' ? isOpusHead : isVorbisId,
  );
  if (scan.streams.length === 0) {
    throw new EmovoxInputError(
      name,
      `Ogg ${codec === 'opus' ? 'Opus' : 'Vorbis'} stream has no valid ${codec === 'opus' ? 'OpusHead' : 'Vorbis identification'} header`,
    );
  }
  return { codec, scan };
}

/**
 * Codec, rate, channels and length of an Ogg Vorbis/Opus file from its page granule positions:
 * exact, and nothing is decoded. A cut-off file gives a truncation warning (error with `strict`).
 * @throws EmovoxInputError for a damaged stream (CRC mismatch, missing page) or another codec.
 */
export function oggLength(bytes: Uint8Array, name: string, strict = false): OggLength {
  const { codec, scan } = scanned(bytes, name);
  const sampleRate = oggRate(scan, codec);
  const head = scan.streams[0].packets[0];
  const channels = codec === 'opus' ? opusHead(head, name).channels : head[11];
  const frames = declaredSamples(scan, codec, name);
  const warnings = [...scan.warnings];
  if (scan.truncation) {
    const label = codec === 'opus' ? 'Ogg Opus' : 'Ogg Vorbis';
    if (frames === 0)
      throw new EmovoxInputError(name, `truncated ${label}: ${scan.truncation}, before any complete audio`);
    truncated(name, label, scan.truncation, frames / sampleRate, strict, warnings);
  }
  return { codec, sampleRate, channels, frames, warnings };
}

async function decodeOpusStreams(
  scan: OggScan,
  name: string,
): Promise<{ channels: Float32Array[]; errors: string[] }> {
  const out: Float32Array[][] = [];
  const errors: string[] = [];
  let channelCount = 0;
  for (const stream of scan.streams) {
    const head = opusHead(stream.packets[0], name);
    if (channelCount && head.channels !== channelCount) {
      throw new EmovoxInputError(
        name,
        `chained Ogg Opus streams differ in channel count (${channelCount}, ${head.channels})`,
      );
    }
    channelCount = head.channels;
    const packets = stream.packets.slice(2); // OpusHead, OpusTags
    const limit = 32000 * 0.12 * head.channels; // the decoder's input buffer (bytes)
    const oversized = packets.findIndex((p) => p.length > limit);
    if (oversized >= 0) {
      throw new EmovoxInputError(
        name,
        `corrupt Ogg Opus: packet ${oversized} is ${packets[oversized].length} bytes, larger than any Opus packet`,
      );
    }
    const decoder = new (await import('opus-decoder')).OpusDecoder({
      channels: head.channels,
      streamCount: head.streamCount,
      coupledStreamCount: head.coupledStreamCount,
      channelMappingTable: head.mapping,
      preSkip: head.preSkip,
      sampleRate: 48000,
    });
    try {
      await decoder.ready;
      const { value: result, messages } = quietly(() => decoder.decodeFrames(packets));
      errors.push(
        ...result.errors.map((e) => e.message),
        ...messages.filter((m) => !result.errors.some((e) => e.message === m)),
      );
      // The granule position of the last page is the exact end: never hand out more samples
      // than the pages account for (a cut-off stream has no end trimming of its own).
      const declared = stream.lastGranule < 0 ? 0 : Math.max(0, stream.lastGranule - head.preSkip);
      const keep = Math.min(result.samplesDecoded, declared);
      out.push(result.channelData.map((ch) => ch.subarray(0, keep)));
    } finally {
      decoder.free();
    }
  }
  const channels = Array.from({ length: channelCount }, (_, c) => {
    const parts = out.map((o) => o[c]);
    if (parts.length === 1) return parts[0];
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    return joined;
  });
  return { channels, errors };
}

/**
 * Decodes an Ogg Vorbis or Ogg Opus file (Opus always decodes at 48 kHz). Every page's CRC and
 * sequence number is checked first ({@link scanOgg}): damage in the middle of the stream is an
 * error naming the page and byte, because decoding around it would shift or invent audio. A file
 * cut off at its end is read up to its last complete page, with a warning naming the file (an
 * error with `strict`); samples are never produced beyond what the pages' granule positions
 * account for (no packet-loss concealment). Decoder console messages are kept off stderr.
 */
export async function decodeOgg(
  bytes: Uint8Array,
  name: string,
  options: CompressedOptions = {},
): Promise<CompressedDecoded> {
  const { codec, scan } = scanned(bytes, name);
  const label = codec === 'opus' ? 'Ogg Opus' : 'Ogg Vorbis';
  const sampleRate = oggRate(scan, codec);
  const declared = declaredSamples(scan, codec, name);
  checkDuration(name, declared / sampleRate, options.maxDuration);
  const warnings = [...scan.warnings];
  let channels: Float32Array[];
  let errors: string[];
  try {
    if (codec === 'opus') {
      ({ channels, errors } = await decodeOpusStreams(scan, name));
    } else {
      const end = scan.streams[scan.streams.length - 1].end;
      const decoder = new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
      try {
        await decoder.ready;
        const result = (await decoder.decodeFile(bytes.subarray(0, end))) as DecodeResult;
        const keep = Math.min(result.samplesDecoded, declared);
        channels = result.channelData.map((ch) => ch.subarray(0, keep));
        errors = result.errors.map((e) => e.message);
      } finally {
        decoder.free();
      }
    }
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(name, `corrupt ${label}: the decoder failed (${errorMessage(error)})`, {
      cause: error,
    });
  }
  if (errors.length > 0) {
    // libvorbis errors come as "<function suffix> vorbis_synthesis<description>": put them in order.
    const first = errors[0].trim().replace(/^(\S*) vorbis_synthesis(.*)$/, 'vorbis_synthesis$1: $2');
    const header = /_init|headerin|EBADHEADER|ENOTVORBIS/.test(first);
    throw new EmovoxInputError(
      name,
      header
        ? `corrupt ${label}: the header packets cannot be decoded (libvorbis ${first})`
        : `corrupt ${label}: ${errors.length} packet(s) could not be decoded (${first})`,
    );
  }
  const frames = channels[0]?.length ?? 0;
  if (frames === 0) {
    throw new EmovoxInputError(
      name,
      scan.truncation
        ? `truncated ${label}: ${scan.truncation}, before any complete audio`
        : `${label} stream has no decodable audio`,
    );
  }
  if (scan.truncation)
    truncated(name, label, scan.truncation, frames / sampleRate, options.strict ?? false, warnings);
  return { channels, sampleRate, codec, warnings };
}
