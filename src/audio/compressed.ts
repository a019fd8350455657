import { EmovoxInputError } from '../util/errors.js';
import { isMpegFrameHeader } from './detect.js';

/** Decoded compressed audio: one Float32Array per channel. */
export interface CompressedDecoded {
  channels: Float32Array[];
  sampleRate: number;
  codec: string;
}

interface DecodeResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

function finish(result: DecodeResult, name: string, codec: string): CompressedDecoded {
  if (result.samplesDecoded === 0 || result.channelData.length === 0) {
    const why = result.errors.length ? `: ${result.errors[0].message}` : '';
    throw new EmovoxInputError(name, `${codec} stream has no decodable audio${why}`);
  }
  if (result.errors.length > 0 && result.errors.length * 10 > result.samplesDecoded / 1024) {
    throw new EmovoxInputError(name, `corrupt ${codec}: ${result.errors.length} decode errors`);
  }
  return {
    channels: result.channelData.map((ch) => ch.subarray(0, result.samplesDecoded)),
    sampleRate: result.sampleRate,
    codec,
  };
}

/** Decodes an MP3 (MPEG 1/2/2.5 layer I-III) with mpg123-decoder (gapless: encoder delay removed). */
export async function decodeMp3(bytes: Uint8Array, name: string): Promise<CompressedDecoded> {
  // The decoders are imported on first use: together they cost ~150 ms to load in every
  // process and worker, which most jobs (WAV, FLAC) never need.
  const decoder = new (await import('mpg123-decoder')).MPEGDecoder();
  try {
    await decoder.ready;
    const decoded = finish(decoder.decode(bytes), name, 'mp3');
    // mpg123-decoder always returns two channels; a mono stream (channel mode 3) gives two copies.
    if (isMpegFrameHeader(bytes, 0) && bytes[3] >> 6 === 3) decoded.channels = decoded.channels.slice(0, 1);
    return decoded;
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(name, `MP3 decoding failed: ${(error as Error).message}`, { cause: error });
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

/** Decodes an Ogg Vorbis or Ogg Opus file (Opus always decodes at 48 kHz). */
export async function decodeOgg(bytes: Uint8Array, name: string): Promise<CompressedDecoded> {
  const codec = oggCodec(bytes);
  if (codec !== 'vorbis' && codec !== 'opus') {
    throw new EmovoxInputError(name, `Ogg stream with ${codec} codec is not supported (Vorbis and Opus are)`);
  }
  const decoder =
    codec === 'vorbis'
      ? new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder()
      : new (await import('ogg-opus-decoder')).OggOpusDecoder();
  try {
    await decoder.ready;
    const result = await decoder.decodeFile(bytes);
    return finish(result, name, codec);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(name, `Ogg ${codec} decoding failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    decoder.free();
  }
}
