import { EmovoxInputError } from '../util/errors.js';
import { fourCC, type ByteSource } from './byte-source.js';
import { sizeShortfall, validateLayout, type PcmLayout, type SampleEncoding } from './pcm.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** A WAV whose samples emovox cannot decode itself (e.g. ADPCM); ffmpeg may still decode it. */
export class UnsupportedWavCodec extends EmovoxInputError {}

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'MS ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG layer 3',
};

function isChunkId(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  for (let i = 0; i < 4; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
  return true;
}

/**
 * Parses a RIFF/RIFX/RF64 WAVE header by walking its chunks (reading 8 bytes per chunk, never the
 * sample data). Handles WAVE_FORMAT_EXTENSIBLE, odd-size chunks with (or wrongly without) their pad
 * byte, LIST/fact/bext chunks, RF64's ds64 sizes and a data chunk that overstates its size
 * (clamped with a warning, or an error when `strict`).
 */
export function parseWav(src: ByteSource, strict = false): PcmLayout {
  const name = src.name;
  const head = src.read(0, 12);
  const riffId = fourCC(head, 0);
  const le = riffId !== 'RIFX';
  const rf64 = riffId === 'RF64' || riffId === 'BW64';
  const u32 = (b: Uint8Array, at: number) =>
    new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, le);
  const warnings: string[] = [];
  let fmt: Uint8Array | undefined;
  let dataOffset = -1;
  let dataDeclared = 0;
  let ds64DataSize = -1;
  let pos = 12;
  while (pos + 8 <= src.size) {
    let header = src.read(pos, 8);
    if (!isChunkId(header)) {
      // Some writers forget the pad byte after an odd-sized chunk; accept the unpadded position.
      const back = src.read(pos - 1, 8);
      if (pos > 12 && isChunkId(back)) {
        pos -= 1;
        header = back;
        warnings.push('odd-sized chunk without its pad byte');
      } else {
        if (dataOffset < 0 || !fmt)
          throw new EmovoxInputError(name, `corrupt WAV: bad chunk id at byte ${pos}`);
        warnings.push(`ignored ${src.size - pos} trailing bytes after the chunks`);
        break;
      }
    }
    const id = fourCC(header, 0);
    const size = u32(header, 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new EmovoxInputError(name, `corrupt WAV: fmt chunk of ${size} bytes (needs 16)`);
      fmt = src.read(body, Math.min(size, 64));
      if (fmt.length < 16) throw new EmovoxInputError(name, 'truncated WAV: fmt chunk cut off');
    } else if (id === 'ds64' && rf64) {
      const ds = src.read(body, 28);
      if (ds.length < 16) throw new EmovoxInputError(name, 'truncated RF64: ds64 chunk cut off');
      const v = new DataView(ds.buffer, ds.byteOffset, ds.byteLength);
      ds64DataSize = v.getUint32(8, true) + v.getUint32(12, true) * 2 ** 32;
    } else if (id === 'data') {
      dataOffset = body;
      dataDeclared = rf64 && size === 0xffffffff && ds64DataSize >= 0 ? ds64DataSize : size;
      const available = src.size - body;
      if (dataDeclared > available) {
        sizeShortfall(name, 'data chunk', dataDeclared, available, warnings, strict);
        dataDeclared = available;
      } else if (dataDeclared === 0 && available > 0 && (available < 8 || !isChunkId(src.read(body, 4)))) {
        // Writers that stream to a pipe leave the size 0; samples (not another chunk) follow.
        if (strict)
          throw new EmovoxInputError(
            name,
            `data chunk declares 0 bytes but ${available} bytes of samples follow`,
          );
        warnings.push(
          `data chunk declares 0 bytes (unfinished streaming header); read the ${available} bytes that follow`,
        );
        dataDeclared = available;
      }
      if (fmt) break; // nothing after the samples is needed
    }
    const next = body + (id === 'data' ? dataDeclared : size);
    pos = next + (next & 1);
    if (id !== 'data' && next > src.size && !fmt) {
      throw new EmovoxInputError(name, `truncated WAV: ${id.trim()} chunk runs past the end of the file`);
    }
  }
  if (!fmt)
    throw new EmovoxInputError(
      name,
      src.size <= 12 ? 'truncated WAV: header only' : 'corrupt WAV: no fmt chunk',
    );
  if (dataOffset < 0) throw new EmovoxInputError(name, 'corrupt WAV: no data chunk');

  const f = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength);
  let tag = f.getUint16(0, le);
  const channels = f.getUint16(2, le);
  const sampleRate = f.getUint32(4, le);
  const blockAlign = f.getUint16(12, le);
  const bitsPerSample = f.getUint16(14, le);
  let validBits = bitsPerSample;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.length < 40)
      throw new EmovoxInputError(name, 'corrupt WAV: WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    validBits = f.getUint16(18, le) || bitsPerSample;
    tag = f.getUint16(24, le); // first two bytes of the sub-format GUID
  }
  const format = rf64 ? 'rf64' : 'wav';
  let encoding: SampleEncoding;
  const bytesPerSample = Math.ceil(bitsPerSample / 8);
  const end = le ? 'le' : 'be';
  let codec: string;
  if (tag === WAVE_FORMAT_PCM) {
    if (bitsPerSample < 1 || bitsPerSample > 32) {
      throw new EmovoxInputError(name, `unsupported PCM bit depth ${bitsPerSample}`);
    }
    encoding = bytesPerSample === 1 ? 'uint8' : 'int';
    codec = bytesPerSample === 1 ? 'pcm_u8' : `pcm_s${bytesPerSample * 8}${end}`;
  } else if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bitsPerSample !== 32 && bitsPerSample !== 64) {
      throw new EmovoxInputError(name, `unsupported float bit depth ${bitsPerSample}`);
    }
    encoding = 'float';
    codec = `pcm_f${bitsPerSample}${end}`;
  } else if ((tag === WAVE_FORMAT_MULAW || tag === WAVE_FORMAT_ALAW) && bitsPerSample === 8) {
    encoding = tag === WAVE_FORMAT_MULAW ? 'ulaw' : 'alaw';
    codec = tag === WAVE_FORMAT_MULAW ? 'pcm_mulaw' : 'pcm_alaw';
  } else {
    const label = FORMAT_NAMES[tag] ?? 'unknown codec';
    throw new UnsupportedWavCodec(
      name,
      `WAV format tag 0x${tag.toString(16).padStart(4, '0')} (${label}) is not PCM`,
    );
  }
  const layout: PcmLayout = {
    format,
    codec,
    sampleRate,
    channels,
    bitDepth: encoding === 'ulaw' || encoding === 'alaw' ? 8 : validBits,
    encoding,
    bytesPerSample,
    littleEndian: le,
    dataOffset,
    frames: 0,
    warnings,
  };
  validateLayout(name, layout);
  if (blockAlign !== channels * bytesPerSample) {
    // blockAlign is redundant; writers that get it wrong are common, the sample size is what counts.
    warnings.push(
      `block align ${blockAlign} disagrees with ${channels} x ${bytesPerSample} bytes; used the latter`,
    );
  }
  const frameBytes = channels * bytesPerSample;
  layout.frames = Math.floor(dataDeclared / frameBytes);
  if (dataDeclared % frameBytes !== 0) {
    warnings.push(`data chunk ends with a partial frame (${dataDeclared % frameBytes} bytes ignored)`);
  }
  return layout;
}
